import { describe, expect, it } from 'vitest';
import { formatPoolDistance, formatPoolPace, hiddenFromViewer, powerCurveRows, poolUnitOf, signedElevation, splitBarShares, summariseSwim, swolfOf, zoneName } from '../../src/screens/activity-view';

describe('signedElevation', () => {
    it('never shows a negative zero', () => {
        expect(signedElevation(-0, 'metric')).toBe('0 m');
        expect(signedElevation(-0.4, 'metric')).toBe('0 m');
        expect(signedElevation(0.3, 'metric')).toBe('0 m');
        expect(signedElevation(-0.1, 'imperial')).toBe('0 ft');
        expect(signedElevation(-3.6, 'metric')).toBe('−4 m');
        expect(signedElevation(12.2, 'metric')).toBe('+12 m');
        expect(signedElevation(10, 'imperial')).toBe('+33 ft');
    });
});

describe('pool pace', () => {
    it('is per 100 m or per 100 yd by the pool, not the user', () => {
        expect(formatPoolPace(1, 'm')).toBe('1:40 /100m');
        expect(formatPoolPace(0.9144, 'yd')).toBe('1:40 /100yd');
        expect(formatPoolPace(null, 'm')).toBe('—');
        expect(formatPoolPace(0, 'yd')).toBe('—');
        expect(poolUnitOf('yd', 'metric')).toBe('yd');
        expect(poolUnitOf('m', 'imperial')).toBe('m');
        expect(poolUnitOf(null, 'imperial')).toBe('yd');
        expect(formatPoolDistance(2300, 'm')).toBe('2,300 m');
        expect(formatPoolDistance(22.86 * 66, 'yd')).toBe('1,650 yd');
    });
});

describe('swim lengths', () => {
    const length = (elapsed_s: number, active: boolean, strokes: number | null = null, swolf: number | null = null) => ({
        elapsed_s,
        active,
        distance_m: active ? 50 : 0,
        stroke: active ? 'freestyle' : null,
        strokes,
        stroke_rate_spm: strokes === null ? null : (strokes / elapsed_s) * 60,
        swolf,
    });

    it('computes SWOLF as whole seconds plus strokes', () => {
        expect(swolfOf(42.4, 30)).toBe(72);
        expect(swolfOf(42.6, 30)).toBe(73);
        expect(swolfOf(42, null)).toBeNull();
    });

    it('splits active and rest time and groups lengths into intervals', () => {
        const swim = summariseSwim([length(40, true, 20), length(44, true, 22), length(30, false), length(50, true, 25, 80), length(15, false)]);
        expect(swim.activeS).toBe(134);
        expect(swim.restS).toBe(45);
        expect(swim.activeLengths).toBe(3);
        expect(swim.distanceM).toBe(150);
        expect(swim.intervals).toHaveLength(2);
        expect(swim.intervals[0]).toMatchObject({ first: 1, last: 2, lengths: 2, distanceM: 100, elapsedS: 84, restS: 30, stroke: 'freestyle', avgStrokes: 21, avgSwolf: 63 });
        // The API's SWOLF wins over the computed one.
        expect(swim.intervals[1]).toMatchObject({ first: 4, last: 4, restS: 15, avgSwolf: 80 });
    });
});

describe('zoneName', () => {
    it('names heart-rate and power zones', () => {
        expect(zoneName('heart_rate', 0)).toBe('Z1 Recovery');
        expect(zoneName('heart_rate', 4)).toBe('Z5 VO2max');
        expect(zoneName('power', 0)).toBe('Z1 Active recovery');
        expect(zoneName('power', 3)).toBe('Z4 Threshold');
        expect(zoneName('power', 6)).toBe('Z7 Neuromuscular');
        expect(zoneName('heart_rate', 5)).toBe('Z6');
    });
});

describe('splitBarShares', () => {
    it('scales each split by the fastest', () => {
        expect(splitBarShares([2, 4, null, 3])).toEqual([0.5, 1, 0, 0.75]);
        expect(splitBarShares([])).toEqual([]);
        expect(splitBarShares([0, null])).toEqual([0, 0]);
    });
});

describe('powerCurveRows', () => {
    it("picks the card's durations from the server's curve, in order", () => {
        const curve = [1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120].map((d) => ({ duration_s: d, value: 1000 / d }));
        expect(powerCurveRows(curve)).toEqual([
            { durationS: 1, watts: 1000 },
            { durationS: 5, watts: 200 },
            { durationS: 15, watts: 1000 / 15 },
            { durationS: 30, watts: 1000 / 30 },
            { durationS: 60, watts: 1000 / 60 },
            { durationS: 120, watts: 1000 / 120 },
        ]);
    });

    it('leaves out what the curve lacks (a short ride, a hidden metric)', () => {
        expect(powerCurveRows([{ duration_s: 5, value: 300 }], [1, 5, 60])).toEqual([{ durationS: 5, watts: 300 }]);
        expect(powerCurveRows([])).toEqual([]);
    });
});

describe('hiddenFromViewer', () => {
    const emptyWindow = { owner: { id: 7 }, point_count: 0, distance_m: 0, elapsed_s: 0 };
    it('is true for another viewer shown an empty window, never for the owner', () => {
        expect(hiddenFromViewer(emptyWindow, 8)).toBe(true);
        expect(hiddenFromViewer(emptyWindow, undefined)).toBe(true);
        expect(hiddenFromViewer(emptyWindow, 7)).toBe(false);
    });
    it('is false when anything is shown, and for a manual entry without samples but with a time', () => {
        expect(hiddenFromViewer({ ...emptyWindow, point_count: 85, distance_m: 707.9, elapsed_s: 404 }, 8)).toBe(false);
        expect(hiddenFromViewer({ ...emptyWindow, elapsed_s: 3600 }, 8)).toBe(false);
    });
});
