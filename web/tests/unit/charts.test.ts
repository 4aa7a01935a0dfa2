import { describe, expect, it } from 'vitest';
import { areaPath, extent, linePath, nearestIndex, niceTicks, percentile, scaleY } from '../../src/charts';

describe('charts', () => {
    it('finds the extent of finite values only', () => {
        expect(extent([3, null, -1, undefined, Number.NaN, 7])).toEqual({ min: -1, max: 7 });
        expect(extent([null, undefined])).toBeNull();
    });

    it('picks round ticks', () => {
        expect(niceTicks(0, 97, 4)).toEqual([0, 20, 40, 60, 80]);
        expect(niceTicks(283.4, 311.9, 3)).toEqual([290, 300, 310]);
        expect(niceTicks(0, 0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
        expect(niceTicks(5, 5)).toEqual([5]);
    });

    it('takes percentiles for clipping', () => {
        const values = Array.from({ length: 101 }, (_, i) => i);
        expect(percentile(values, 0.98)).toBe(98);
        expect(percentile([null, 4], 0.5)).toBe(4);
        expect(percentile([], 0.5)).toBeNull();
    });

    const frame = { width: 100, height: 50, x: { min: 0, max: 10 }, y: { min: 0, max: 5 } };

    it('breaks the line where samples are missing', () => {
        expect(linePath([0, 5, 10], [0, 5, 2.5], frame)).toBe('M0.0 50.0L50.0 0.0L100.0 25.0');
        expect(linePath([0, 2, 4, 6], [1, null, 2, 3], frame)).toBe('M0.0 40.0M40.0 30.0L60.0 20.0');
        expect(areaPath([0, 10], [5, 5], frame)).toBe('M0.0 50.0L0.0 0.0L100.0 0.0L100.0 50.0Z');
    });

    it('inverts y for pace and clamps outliers into the frame', () => {
        expect(scaleY({ ...frame, invertY: true }, 5)).toBe(50);
        expect(scaleY(frame, 99)).toBe(0);
    });

    it('finds the nearest sample', () => {
        const xs = [0, 1, 2, null, 4, 5];
        expect(nearestIndex(xs, 1.4)).toBe(1);
        expect(nearestIndex(xs, 1.6)).toBe(2);
        expect(nearestIndex(xs, 99)).toBe(5);
        expect(nearestIndex([], 1)).toBe(-1);
    });
});
