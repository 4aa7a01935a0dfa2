// A route cut by a privacy zone (the API's `breaks`, `polyline_breaks`, `summary_polyline_breaks`):
// the map draws one line per run, the SVG maps and thumbnails start a new path, the charts leave a
// gap and the coloured route joins nothing across it.
import { describe, expect, it } from 'vitest';
import { areaPath, linePath, type Frame } from '../../src/charts';
import { fitViewport, routePath, splitAtBreaks, type LatLng } from '../../src/geo';
import { colouredRuns } from '../../src/map/route-colours';

describe('splitAtBreaks', () => {
    it('cuts the points into runs where each break begins one', () => {
        expect(splitAtBreaks([0, 1, 2, 3, 4, 5], [2, 5])).toEqual([[0, 1], [2, 3, 4], [5]]);
        expect(splitAtBreaks(['a', 'b'], [])).toEqual([['a', 'b']]);
        expect(splitAtBreaks(['a', 'b'])).toEqual([['a', 'b']]);
    });

    it('ignores breaks out of range, at 0 or repeated, and returns no empty run', () => {
        expect(splitAtBreaks([0, 1, 2], [0, 1, 1, 3, 9])).toEqual([[0], [1, 2]]);
        expect(splitAtBreaks([], [1])).toEqual([]);
    });
});

describe('drawing across a break', () => {
    const frame: Frame = { width: 100, height: 50, x: { min: 0, max: 4 }, y: { min: 0, max: 10 } };
    const xs = [0, 1, 2, 3, 4];
    const ys = [5, 5, 5, 5, 5];

    it('leaves a gap in a chart line and its area', () => {
        expect(linePath(xs, ys, frame).match(/M/g)).toHaveLength(1);
        const line = linePath(xs, ys, frame, [3]);
        expect(line).toBe('M0.0 25.0L25.0 25.0L50.0 25.0M75.0 25.0L100.0 25.0');
        expect(areaPath(xs, ys, frame, [3]).match(/Z/g)).toHaveLength(2);
    });

    it('starts a new SVG path at a break', () => {
        const points: LatLng[] = [
            [45, 13],
            [45.001, 13.001],
            [45.002, 13.002],
            [45.003, 13.003],
        ];
        const view = fitViewport(points, 100, 100)!;
        expect(routePath(points, view).match(/M/g)).toHaveLength(1);
        expect(routePath(points, view, [2]).match(/M/g)).toHaveLength(2);
    });

    it('joins no coloured segment across a break', () => {
        const latlng = [
            [45, 13],
            [45.001, 13],
            [45.002, 13],
            [45.003, 13],
        ];
        const joined = colouredRuns(latlng, [1, 1, 1, 1], { low: 0, high: 2 });
        expect(joined).toHaveLength(1);
        const cut = colouredRuns(latlng, [1, 1, 1, 1], { low: 0, high: 2 }, [2]);
        expect(cut.map((run) => run.points)).toEqual([
            [
                [45, 13],
                [45.001, 13],
            ],
            [
                [45.002, 13],
                [45.003, 13],
            ],
        ]);
    });
});
