import { describe, expect, it } from 'vitest';
import { cmToFtIn, formatClock, formatDistance, formatElevation, formatHeight, formatPace, formatSpeed, formatSwimDistance, formatWeight, ftInToCm, kgToLb, lbToKg, parseDistance, parseElevation, splitLengthM, trimNumber } from '../../src/units';

describe('units', () => {
    it('converts weight both ways', () => {
        expect(kgToLb(1)).toBeCloseTo(2.20462, 5);
        expect(lbToKg(150)).toBeCloseTo(68.0389, 4);
        expect(lbToKg(kgToLb(72.5))).toBeCloseTo(72.5, 10);
    });

    it('splits heights into feet and inches without ever showing 12 inches', () => {
        expect(cmToFtIn(180)).toEqual({ ft: 5, inches: 10.9 });
        expect(cmToFtIn(182.87)).toEqual({ ft: 6, inches: 0 }); // 71.996 in rounds to 72.0 = 6 ft
        expect(ftInToCm(6, 0)).toBeCloseTo(182.88, 10);
    });

    it('formats for display in the user units', () => {
        expect(formatWeight(68.039, 'imperial')).toBe('150 lb');
        expect(formatWeight(72.54, 'metric')).toBe('72.5 kg');
        expect(formatWeight(null, 'metric')).toBe('—');
        expect(formatHeight(180, 'metric')).toBe('180 cm');
        expect(formatHeight(180, 'imperial')).toBe('5′ 10.9″');
        expect(formatHeight(null, 'imperial')).toBe('—');
    });

    it('trims trailing zeros', () => {
        expect(trimNumber(72, 1)).toBe('72');
        expect(trimNumber(72.04, 1)).toBe('72');
        expect(trimNumber(72.06, 1)).toBe('72.1');
    });
});

describe('workout units', () => {
    it('shows distances in km or miles', () => {
        expect(formatDistance(5234, 'metric')).toBe('5.23 km');
        expect(formatDistance(42195, 'metric')).toBe('42.2 km');
        expect(formatDistance(1609.344 * 3.1, 'imperial')).toBe('3.10 mi');
        expect(formatDistance(null, 'metric')).toBe('—');
        expect(formatSwimDistance(2300, 'metric')).toBe('2,300 m');
        expect(formatSwimDistance(100, 'metric')).toBe('100 m');
        expect(formatSwimDistance(25 * 0.9144 * 4, 'imperial')).toBe('100 yd');
        expect(formatSwimDistance(null, 'imperial')).toBe('—');
    });

    it('shows elevation in m or ft', () => {
        expect(formatElevation(123.4, 'metric')).toBe('123 m');
        expect(formatElevation(100, 'imperial')).toBe('328 ft');
    });

    it('shows pace per km, per mile, and per 100 m or yd for swims', () => {
        expect(formatPace(1000 / 312, 'metric')).toBe('5:12 /km');
        expect(formatPace(1609.344 / 502, 'imperial')).toBe('8:22 /mi');
        expect(formatPace(100 / 105, 'metric', { swim: true })).toBe('1:45 /100m');
        expect(formatPace(91.44 / 95, 'imperial', { swim: true })).toBe('1:35 /100yd');
        expect(formatPace(1000 / 3000, 'metric')).toBe('50:00 /km');
        expect(formatPace(1000 / 200, 'metric')).toBe('3:20 /km');
        // Standing still has no pace.
        expect(formatPace(0.1, 'metric')).toBe('—');
        expect(formatPace(null, 'metric')).toBe('—');
    });

    it('shows speed in km/h or mph', () => {
        expect(formatSpeed(10, 'metric')).toBe('36.0 km/h');
        expect(formatSpeed(10, 'imperial')).toBe('22.4 mph');
    });

    it('formats clocks', () => {
        expect(formatClock(59.6)).toBe('1:00');
        expect(formatClock(3723)).toBe('1:02:03');
        expect(formatClock(-5)).toBe('0:00');
    });

    it('reads distances and elevations typed in the user’s units', () => {
        expect(parseDistance('5,5', 'metric')).toBe(5500);
        expect(parseDistance('1', 'imperial')).toBe(1609.344);
        expect(parseDistance('', 'metric')).toBeNull();
        expect(parseDistance('-1', 'metric')).toBeUndefined();
        expect(parseElevation('100', 'imperial')).toBeCloseTo(30.48, 9);
        expect(splitLengthM('imperial')).toBe(1609.344);
    });
});
