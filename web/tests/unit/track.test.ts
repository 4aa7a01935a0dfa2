import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { haversineM } from '../../src/geo';
import { AutoPause, FixFilter, Tracker, type Fix } from '../../src/record/track';

const kMetresPerDegreeLat = (2 * Math.PI * 6_371_008.8) / 360;
const t0 = Date.UTC(2026, 10, 30, 7, 0, 0);

/** A fix `northM` metres north of 46°N 14°E, `s` seconds after t0. */
function fix(s: number, northM: number, extra: Partial<Fix> = {}): Fix {
    return { time_ms: t0 + s * 1000, lat: 46 + northM / kMetresPerDegreeLat, lng: 14, accuracy_m: 5, altitude_m: null, ...extra };
}

/** Deterministic noise in [-1, 1) (a linear congruential generator), for GPS jitter. */
function noise(seed: number) {
    let state = seed;
    return () => {
        state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
        return (state / 2 ** 31) * 2 - 1;
    };
}

describe('FixFilter', () => {
    it('drops fixes less accurate than 30 m', () => {
        const filter = new FixFilter({ maxSpeedMps: 13 });
        expect(filter.check(fix(0, 0, { accuracy_m: 31 }))).toEqual({ accept: false, reason: 'inaccurate' });
        expect(filter.check(fix(0, 0, { accuracy_m: 30 }))).toEqual({ accept: true, reanchored: false });
    });

    it('drops repeated and out-of-order fixes', () => {
        const filter = new FixFilter({ maxSpeedMps: 13 });
        filter.check(fix(10, 0));
        expect(filter.check(fix(10, 3))).toEqual({ accept: false, reason: 'stale' });
        expect(filter.check(fix(9, 3))).toEqual({ accept: false, reason: 'stale' });
    });

    it('drops a jump faster than the sport allows beyond both fixes’ uncertainty', () => {
        const filter = new FixFilter({ maxSpeedMps: 13 });
        filter.check(fix(0, 0));
        // 1 s later: 13 m/s + 5 m + 5 m of uncertainty is the most that is believed.
        expect(filter.check(fix(1, 23))).toEqual({ accept: true, reanchored: false });
        expect(filter.check(fix(2, 23 + 24))).toEqual({ accept: false, reason: 'jump' });
        // The next fix is judged against the last kept one (23 m), not the rejected one.
        expect(filter.check(fix(3, 23 + 30))).toEqual({ accept: true, reanchored: false });
    });

    it('moves on when the following fixes agree with the "jump" (the kept fix was the outlier)', () => {
        const filter = new FixFilter({ maxSpeedMps: 13 });
        filter.check(fix(0, 2_000)); // a bad first fix, 2 km off
        expect(filter.check(fix(1, 0))).toMatchObject({ accept: false, reason: 'jump' });
        expect(filter.check(fix(2, 3))).toMatchObject({ accept: false, reason: 'jump' });
        expect(filter.check(fix(3, 6))).toEqual({ accept: true, reanchored: true });
        expect(filter.check(fix(4, 9))).toEqual({ accept: true, reanchored: false });
    });

    it('does not take scattered outliers for a new position', () => {
        const filter = new FixFilter({ maxSpeedMps: 13 });
        filter.check(fix(0, 0));
        expect(filter.check(fix(1, 500))).toMatchObject({ accept: false });
        expect(filter.check(fix(2, -700))).toMatchObject({ accept: false });
        expect(filter.check(fix(3, 900))).toMatchObject({ accept: false });
        expect(filter.check(fix(4, 5))).toEqual({ accept: true, reanchored: false });
    });
});

describe('AutoPause', () => {
    it('pauses after a window of standing still despite GPS jitter, and resumes on moving off', () => {
        const pause = new AutoPause({ thresholdMps: 0.8, windowS: 5 });
        const jitter = noise(7);
        const states: boolean[] = [];
        let s = 0;
        for (; s < 20; s++) {
            states.push(pause.update(fix(s, s * 3)));
        }
        expect(states.every((paused) => !paused)).toBe(true);
        const stopAt = 19 * 3;
        for (; s < 40; s++) {
            // Standing still: the position wanders by a metre or so (phones smooth their fixes).
            states.push(pause.update(fix(s, stopAt + jitter(), { lng: 14 + jitter() / 77_000 })));
        }
        // Within the window after stopping, and not before: the specification is a window (the
        // detector averages over windowS seconds of noisy fixes), so the bounds are the test.
        const pausedAt = states.indexOf(true);
        expect(pausedAt).toBeGreaterThanOrEqual(21);
        expect(pausedAt).toBeLessThanOrEqual(26);
        expect(states.slice(pausedAt).every(Boolean)).toBe(true);
        let resumedAt = -1;
        for (let k = 0; k < 10; k++, s++) {
            if (!pause.update(fix(s, stopAt + (k + 1) * 3)) && resumedAt < 0) {
                resumedAt = k;
            }
        }
        expect(resumedAt).toBeGreaterThanOrEqual(0);
        expect(resumedAt).toBeLessThanOrEqual(4);
    });

    it('never pauses at a slow but steady walk above the threshold', () => {
        const pause = new AutoPause({ thresholdMps: 0.35 });
        for (let s = 0; s < 120; s++) {
            expect(pause.update(fix(s, s * 0.6))).toBe(false);
        }
    });
});

describe('Tracker', () => {
    const run = () => new Tracker({ maxSpeedMps: 13, autoPauseMps: 0.8 });

    it('adds up distance and moving time at a steady pace', () => {
        const tracker = run();
        for (let s = 0; s <= 600; s++) {
            tracker.offer(fix(s, s * 3.2));
        }
        expect(tracker.totals.distance_m).toBeCloseTo(600 * 3.2, 6);
        expect(tracker.totals.moving_s).toBe(600);
        expect(tracker.totals.points).toBe(601);
    });

    it('keeps no points and counts no time or distance while auto-paused, and counts the way on after', () => {
        const tracker = run();
        const kept: number[] = [];
        const jitter = noise(3);
        for (let s = 0; s < 60; s++) {
            const offer = tracker.offer(fix(s, s * 3));
            if (offer.kind === 'kept') kept.push(s);
        }
        for (let s = 60; s < 180; s++) {
            const offer = tracker.offer(fix(s, 177 + jitter(), { lng: 14 + jitter() / 77_000 }));
            if (offer.kind === 'kept') kept.push(s);
        }
        expect(tracker.autoPaused).toBe(true);
        for (let s = 180; s < 240; s++) {
            const offer = tracker.offer(fix(s, 177 + (s - 179) * 3));
            if (offer.kind === 'kept') kept.push(s);
        }
        // The stop left at most the detection window of jitter in the track (bounds by design: the
        // detection window, and the jitter's few metres over it).
        const stopped = kept.filter((s) => s >= 60 && s < 180);
        expect(stopped.length).toBeLessThanOrEqual(7);
        const truth = 177 + 60 * 3;
        expect(Math.abs(tracker.totals.distance_m - truth)).toBeLessThan(25);
        // 2 minutes stopped are not moving time.
        expect(tracker.totals.moving_s).toBeGreaterThan(110);
        expect(tracker.totals.moving_s).toBeLessThan(130);
    });

    it('does not count the way between a manual pause and the resume', () => {
        const tracker = run();
        for (let s = 0; s <= 10; s++) tracker.offer(fix(s, s * 3));
        tracker.newSegment();
        // Resumed 500 m further on, a minute later (e.g. walked back to the car).
        const offer = tracker.offer(fix(70, 530));
        expect(offer).toMatchObject({ kind: 'kept', point: { segment: 1 } });
        for (let s = 71; s <= 80; s++) tracker.offer(fix(s, 530 + (s - 70) * 3));
        expect(tracker.totals.distance_m).toBeCloseTo(60, 6);
        expect(tracker.totals.moving_s).toBe(20);
    });

    it('counts climbs beyond the altimeter noise only', () => {
        const tracker = run();
        const altitudes = [100, 101, 99, 100, 102, 101, 110, 109, 111, 120, 118, 119, 105, 115];
        altitudes.forEach((altitude, s) => tracker.offer(fix(s, s * 3, { altitude_m: altitude })));
        // Steps beyond 3 m from the last reference count: 100 → 110 → 120, down to 105, → 115.
        // The 1–2 m wiggles (101, 99, 102, 109, 111, 118, 119) never count.
        expect(tracker.totals.elevation_gain_m).toBe(30);
        expect(tracker.totals.altitude_m).toBe(115);
    });

    it('restores the same totals from the kept points after a reload', () => {
        const live = run();
        const points = [];
        const jitter = noise(11);
        for (let s = 0; s < 300; s++) {
            const north = s < 100 ? s * 3 : s < 160 ? 300 + jitter() : 300 + (s - 160) * 3;
            const offer = live.offer(fix(s, north, { altitude_m: 200 + Math.sin(s / 20) * 15 }));
            if (offer.kind === 'kept') points.push(offer.point);
        }
        const restored = run();
        restored.restore(points);
        expect(restored.totals).toEqual(live.totals);
        // And recording continues from where it was.
        const next = restored.offer(fix(300, 300 + 140 * 3));
        expect(next).toMatchObject({ kind: 'kept', point: { seq: points[points.length - 1]!.seq + 1 } });
    });
});

// A real 1 Hz track, read in place from the shared test data.
const here = dirname(fileURLToPath(import.meta.url));
const testdata = process.env.STRAVA1_TESTDATA || join(here, '../../../../shared/testdata');
const trackFile = join(testdata, 'gpx', 'strava.gpx');
// As in every other tier: missing data skips loudly, except in CI, where it is a failure.
const requireData = process.env.STRAVA1_REQUIRE_SERVICES === '1';

describe('Tracker on a recorded track', () => {
    it.skipIf(!existsSync(trackFile) && !requireData)('measures what the track measures while moving (testdata gpx/strava.gpx)', () => {
        if (!existsSync(trackFile)) {
            throw new Error(`${trackFile} not found (set STRAVA1_TESTDATA; STRAVA1_REQUIRE_SERVICES=1 makes this a failure)`);
        }
        const text = readFileSync(trackFile, 'utf8');
        const fixes: Fix[] = [];
        for (const match of text.matchAll(/<trkpt lat="([-\d.]+)" lon="([-\d.]+)">\s*<ele>([-\d.]+)<\/ele>\s*<time>([^<]+)<\/time>/g)) {
            fixes.push({ lat: Number(match[1]), lng: Number(match[2]), altitude_m: Number(match[3]), time_ms: Date.parse(match[4]!), accuracy_m: 5 });
        }
        expect(fixes.length).toBe(7264);
        const tracker = run();
        let rejected = 0;
        for (const f of fixes) {
            if (tracker.offer(f).kind === 'rejected') rejected += 1;
        }
        let raw = 0;
        for (let i = 1; i < fixes.length; i++) raw += haversineM([fixes[i - 1]!.lat, fixes[i - 1]!.lng], [fixes[i]!.lat, fixes[i]!.lng]);
        // Leaving out stops and glitches may only shorten the route a little.
        expect(tracker.totals.distance_m).toBeLessThanOrEqual(raw + 1e-6);
        expect(tracker.totals.distance_m / raw).toBeGreaterThan(0.97);
        expect(rejected).toBeLessThan(fixes.length * 0.01);
        // The hysteresis removes noise, never adds climbing: between nothing and the raw sum of every rise.
        let rawGain = 0;
        for (let i = 1; i < fixes.length; i++) rawGain += Math.max(0, fixes[i]!.altitude_m! - fixes[i - 1]!.altitude_m!);
        expect(tracker.totals.elevation_gain_m).toBeGreaterThan(0);
        expect(tracker.totals.elevation_gain_m).toBeLessThanOrEqual(rawGain);
    });
    if (!existsSync(trackFile) && !requireData) {
        process.stderr.write(`\n*** SKIPPED real-track test: ${trackFile} not found (set STRAVA1_TESTDATA) ***\n\n`);
    }
    function run() {
        return new Tracker({ maxSpeedMps: 13, autoPauseMps: 0.8 });
    }
});
