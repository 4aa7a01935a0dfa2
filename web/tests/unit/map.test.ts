// The map's pure parts: colouring a route by a metric, distance marks, tile health, the live
// track's lines; and the build's JavaScript budget.
import { describe, expect, it } from 'vitest';
import { budgetReport, initialChunks, type BudgetChunk } from '../../scripts/budget';
import { haversineM } from '../../src/geo';
import { distanceMarks, markStep } from '../../src/map/marks';
import { availableMetrics, colouredRuns, colourScale, kNoValueColour, kRamp, metricValues, step } from '../../src/map/route-colours';
import { tileEvent, tilesWanted, type TileHealth } from '../../src/map/tiles';
import { extendTrack, kNoTrack, trackOf } from '../../src/record/track';

describe('route colours', () => {
    it('offers only the metrics the activity has, pace or speed by sport', () => {
        const latlng = [[1, 2], null];
        expect(availableMetrics({ latlng, velocity_smooth: [3, null], heartrate: [null, null], watts: [200, 210], altitude: [5, 6] }, true)).toEqual(['pace', 'watts', 'altitude']);
        expect(availableMetrics({ latlng, velocity_smooth: [3, 4], heartrate: [140, 150] }, false)).toEqual(['speed', 'heartrate']);
        // Without a position there is no route to colour.
        expect(availableMetrics({ latlng: [null, null], heartrate: [140, 150] }, true)).toEqual([]);
        expect(availableMetrics({ heartrate: [140] }, true)).toEqual([]);
    });

    it('colours pace by speed and leaves standing still without a colour', () => {
        expect(metricValues({ velocity_smooth: [0.2, 3, null] }, 'pace')).toEqual([null, 3, null]);
        expect(metricValues({ velocity_smooth: [0.2, 3] }, 'speed')).toEqual([0.2, 3]);
        expect(metricValues({ heartrate: [120] }, 'heartrate')).toEqual([120]);
        expect(metricValues({}, 'watts')).toEqual([]);
    });

    it('spans the 5th to the 95th percentile, so one spike does not wash the route out', () => {
        const values = [...Array.from({ length: 99 }, (_, i) => 100 + i), 5000];
        const scale = colourScale(values)!;
        expect(scale.low).toBe(105);
        expect(scale.high).toBe(194);
        expect(colourScale([null, undefined])).toBeNull();
    });

    it('maps values onto the nine steps, clamped at the ends', () => {
        const scale = { low: 100, high: 180 };
        expect(step(scale, 100)).toBe(0);
        expect(step(scale, 180)).toBe(8);
        expect(step(scale, 140)).toBe(4);
        expect(step(scale, 110)).toBe(1);
        expect(step(scale, 50)).toBe(0);
        expect(step(scale, 9000)).toBe(8);
        // A flat scale (a steady 150 bpm) is all the middle colour.
        expect(step({ low: 150, high: 150 }, 150)).toBe(4);
    });

    it('joins segments of one colour into runs, breaks at gaps and shares the point where colours change', () => {
        const latlng = [[0, 0], [0, 1], [0, 2], [0, 3], null, [0, 5], [0, 6], [0, 7]];
        const values = [100, 100, 100, 180, 180, 180, null, null];
        const runs = colouredRuns(latlng, values, { low: 100, high: 180 });
        expect(runs).toEqual([
            { colour: kRamp[0], points: [[0, 0], [0, 1], [0, 2]] },
            // 100 → 180: the segment takes the mean, the middle colour.
            { colour: kRamp[4], points: [[0, 2], [0, 3]] },
            // The missing position at index 4 leaves a gap; 180 → null takes the one value there is.
            { colour: kRamp[8], points: [[0, 5], [0, 6]] },
            { colour: kNoValueColour, points: [[0, 6], [0, 7]] },
        ]);
        // Every drawn segment is in exactly one run: 8 points, one gap, 5 segments.
        expect(runs.reduce((sum, run) => sum + run.points.length - 1, 0)).toBe(5);
        expect(colouredRuns([[0, 0]], [1], { low: 0, high: 1 })).toEqual([]);
    });
});

describe('distance marks', () => {
    it('picks a step of 1, 2 or 5 × 10^n that keeps at most the given number of marks', () => {
        expect(markStep(4.4, 30)).toBe(1);
        expect(markStep(30, 30)).toBe(1);
        expect(markStep(31, 30)).toBe(2);
        expect(markStep(142, 30)).toBe(5);
        expect(markStep(180, 30)).toBe(10);
        expect(markStep(1200, 30)).toBe(50);
    });

    it('places each whole kilometre between the samples around it', () => {
        // Due east along the equator: 0.01° of longitude is 1111.95 m.
        const latlng = Array.from({ length: 5 }, (_, i) => [0, i * 0.01]);
        const distance = latlng.map((p) => haversineM([0, 0], [p[0]!, p[1]!]));
        const marks = distanceMarks(distance, latlng, 1000);
        expect(marks.map((m) => m.value)).toEqual([1, 2, 3, 4]);
        for (const mark of marks) {
            expect(mark.at[0]).toBe(0);
            // Linear between samples: the mark lies where the route has covered value × 1000 m.
            expect(haversineM([0, 0], mark.at)).toBeCloseTo(mark.value * 1000, 6);
        }
    });

    it('counts miles for imperial users and skips samples without a position or distance', () => {
        const unitM = 1609.344;
        const latlng = [[50, 0], null, [50, 0.02], [50, 0.04], [50, 0.06]];
        const distance = [0, 800, null, 2 * unitM, 3 * unitM];
        const marks = distanceMarks(distance, latlng, unitM);
        // The sample at index 1 has no position and index 2 no distance: mile 1 falls between 0 and 3.
        expect(marks).toEqual([
            { value: 1, at: [50, 0.02] },
            { value: 2, at: [50, 0.04] },
            { value: 3, at: [50, 0.06] },
        ]);
    });

    it('has nothing to mark on a route shorter than one unit, or without samples', () => {
        expect(distanceMarks([0, 900], [[0, 0], [0, 0.008]], 1000)).toEqual([]);
        expect(distanceMarks([], [], 1000)).toEqual([]);
        // A viewer whose start is hidden gets distances from the first point they see (0 there).
        expect(distanceMarks([0, 1500], [[0, 0], [0, 1]], 1000)).toEqual([{ value: 1, at: [0, 1000 / 1500] }]);
    });

    it('thins marks out on a long ride', () => {
        const latlng = Array.from({ length: 101 }, (_, i) => [0, i]);
        const distance = latlng.map((_, i) => i * 2000);
        const marks = distanceMarks(distance, latlng, 1000, 30);
        expect(marks.map((m) => m.value)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]);
    });
});

describe('tile health', () => {
    const fresh: TileHealth = { failuresInARow: 0, loaded: 0, offSince: null };
    const fail = (health: TileHealth, times: number, at = 1000) => {
        let next = health;
        for (let i = 0; i < times; i++) {
            next = tileEvent(next, 'error', at);
        }
        return next;
    };

    it('turns tiles off after four failures before any tile loaded, and back on five minutes later', () => {
        expect(tilesWanted(fail(fresh, 3), 1000)).toBe(true);
        const off = fail(fresh, 4);
        expect(off.offSince).toBe(1000);
        expect(tilesWanted(off, 1000 + 60_000)).toBe(false);
        expect(tilesWanted(off, 1000 + 5 * 60_000)).toBe(true);
    });

    it('keeps tiles on when some load (a missing tile shows the grid under it)', () => {
        const some = tileEvent(fresh, 'load', 0);
        expect(fail(some, 10).offSince).toBeNull();
        expect(tileEvent(fail(fresh, 4), 'load', 2000)).toEqual({ failuresInARow: 0, loaded: 1, offSince: null });
    });
});

describe('the live track', () => {
    it('draws one line per stretch between manual pauses and shares the lines that did not change', () => {
        const first = extendTrack(kNoTrack, { lat: 1, lng: 1, segment: 0 });
        const second = extendTrack(first, { lat: 1, lng: 2, segment: 0 });
        expect(second.lines).toEqual([[[1, 1], [1, 2]]]);
        expect(second.lines).not.toBe(first.lines);
        expect(first.lines).toEqual([[[1, 1]]]);
        const resumed = extendTrack(second, { lat: 2, lng: 2, segment: 1 });
        expect(resumed.lines).toEqual([[[1, 1], [1, 2]], [[2, 2]]]);
        expect(resumed.lines[0]).toBe(second.lines[0]);
        const points = [
            { lat: 1, lng: 1, segment: 0 },
            { lat: 1, lng: 2, segment: 0 },
            { lat: 2, lng: 2, segment: 1 },
        ].map((p, seq) => ({ ...p, seq, time_ms: seq, accuracy_m: 5, altitude_m: null }));
        expect(trackOf(points)).toEqual(resumed);
    });
});

describe('javascript budget', () => {
    const chunk = (fileName: string, extra: Partial<BudgetChunk> = {}): BudgetChunk => ({ fileName, isEntry: false, imports: [], dynamicImports: [], moduleIds: [], code: '', ...extra });
    const chunks = [
        chunk('index.js', { isEntry: true, imports: ['runtime.js', 'shared.js'], dynamicImports: ['map.js'], code: 'a'.repeat(150) }),
        chunk('runtime.js', { code: 'b'.repeat(20) }),
        chunk('shared.js', { imports: ['runtime.js'], code: 'c'.repeat(30) }),
        chunk('map.js', { imports: ['shared.js'], moduleIds: ['/w/node_modules/leaflet/dist/leaflet-src.js'], code: 'd'.repeat(500) }),
    ];
    const size = (code: string) => code.length;

    it('counts the entry and what it imports statically, not what it imports dynamically', () => {
        expect(initialChunks(chunks).map((c) => c.fileName)).toEqual(['index.js', 'runtime.js', 'shared.js']);
        const report = budgetReport(chunks, { limitBytes: 200 }, size);
        expect(report.initialGzipBytes).toBe(200);
        expect(report.lazy).toEqual([{ fileName: 'map.js', gzipBytes: 500 }]);
        expect(report.violations).toEqual([]);
    });

    it('fails over the limit, and when a lazy-only library is in the initial chunks', () => {
        expect(budgetReport(chunks, { limitBytes: 199 }, size).violations).toEqual([expect.stringMatching(/^initial JavaScript is 0\.2 KiB gzipped, over the budget of 0\.2 KiB/)]);
        const eager = chunks.map((c) => (c.fileName === 'shared.js' ? { ...c, moduleIds: ['/w/node_modules/leaflet/dist/leaflet-src.js'] } : c));
        const report = budgetReport(eager, { limitBytes: 1000, lazyOnly: [/node_modules\/leaflet\//] }, size);
        expect(report.violations).toEqual(['/w/node_modules/leaflet/dist/leaflet-src.js is in the initial chunk shared.js; it must load lazily (import() it from the screen that needs it)']);
        expect(budgetReport(chunks, { limitBytes: 1000, lazyOnly: [/node_modules\/leaflet\//] }, size).violations).toEqual([]);
    });

    it('measures with gzip by default', () => {
        const report = budgetReport([chunk('index.js', { isEntry: true, code: 'x'.repeat(100_000) })]);
        expect(report.initialGzipBytes).toBeGreaterThan(20);
        expect(report.initialGzipBytes).toBeLessThan(1000);
    });
});
