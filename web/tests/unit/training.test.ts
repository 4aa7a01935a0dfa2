import { describe, expect, it } from 'vitest';
import { firstDayOfWeeks, localDay, sumTotals, weekStart, weeklyTotals } from '../../src/screens/training';

const run = (start_date: string, distance_m: number, moving_s = 1000) => ({ start_date, distance_m, moving_s, elevation_gain_m: 10 });

describe('weekStart', () => {
    it('gives the Monday of the week', () => {
        expect(weekStart('2026-12-07')).toBe('2026-12-07'); // a Monday
        expect(weekStart('2026-12-13')).toBe('2026-12-07'); // its Sunday
        expect(weekStart('2026-12-06')).toBe('2026-11-30');
        expect(weekStart('2027-01-01')).toBe('2026-12-28'); // across a year
        expect(weekStart('7 Dec')).toBeNull();
    });
});

describe('localDay', () => {
    it("is the device's calendar day", () => {
        expect(localDay(new Date(2026, 0, 5, 23, 30))).toBe('2026-01-05');
    });
});

describe('sumTotals', () => {
    it('adds every sport', () => {
        const sum = sumTotals({
            run: { count: 2, distance_m: 10_000, moving_s: 3000, elapsed_s: 3100, elevation_gain_m: 50 } as never,
            ride: { count: 1, distance_m: 40_000, moving_s: 5000, elapsed_s: 5200, elevation_gain_m: 300 } as never,
        });
        expect(sum).toEqual({ count: 3, distance_m: 50_000, moving_s: 8000, elevation_gain_m: 350 });
        expect(sumTotals({})).toEqual({ count: 0, distance_m: 0, moving_s: 0, elevation_gain_m: 0 });
    });
});

describe('weeklyTotals', () => {
    it('gives 12 weeks ending with this one, oldest first, summed per week', () => {
        const weeks = weeklyTotals([run('2026-12-08', 5000), run('2026-12-07', 3000), run('2026-12-06', 2000), run('2026-09-21', 7000), run('2026-09-20', 9999)], '2026-12-09');
        expect(weeks).toHaveLength(12);
        expect(weeks[0]!.start).toBe('2026-09-21');
        expect(weeks[11]!.start).toBe('2026-12-07');
        expect(weeks[11]).toMatchObject({ count: 2, distance_m: 8000, moving_s: 2000 });
        expect(weeks[10]).toMatchObject({ count: 1, distance_m: 2000 });
        expect(weeks[0]).toMatchObject({ count: 1, distance_m: 7000 });
        // 2026-09-20 is the Sunday before the range.
        expect(weeks.reduce((a, w) => a + w.count, 0)).toBe(4);
        expect(firstDayOfWeeks('2026-12-09')).toBe('2026-09-21');
    });
});

describe('privacy zone radius', () => {
    it('stays within 200 m – 2 km on 50 m steps and reads in the user units', async () => {
        const { clampZoneRadius, formatZoneRadius } = await import('../../src/screens/zones');
        expect(clampZoneRadius(100)).toBe(200);
        expect(clampZoneRadius(5000)).toBe(2000);
        expect(clampZoneRadius(432)).toBe(450);
        expect(clampZoneRadius(Number.NaN)).toBe(200);
        expect(formatZoneRadius(400, 'metric')).toBe('400 m');
        expect(formatZoneRadius(1500, 'metric')).toBe('1.5 km');
        expect(formatZoneRadius(2000, 'metric')).toBe('2 km');
        expect(formatZoneRadius(400, 'imperial')).toBe('1,312 ft');
        expect(formatZoneRadius(2000, 'imperial')).toBe('1.2 mi');
    });
});
