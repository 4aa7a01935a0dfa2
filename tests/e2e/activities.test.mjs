// End-to-end tests of workouts against the real binary: uploads (raw and multipart) of real files
// from ../shared/testdata, their processing, duplicates, idempotency, every activity endpoint with
// its bad-input, unauthorised and not-visible cases, and the privacy function through every
// endpoint another user can call (the 20-activities home-point test).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import {
    api, assertProblem, binaryPath, decodePolyline, distanceM, kEarthRadiusM, kFastHash, kRoomyLimits, multipart, offset,
    repoRoot, requireOrSkip, requireServices, serverEnv, startServer, testdata, testdataDir,
} from './kit.mjs';

// The binary refuses unknown STRAVA1_* settings, so the CLI gets the server's environment.
const kCliEnv = serverEnv();

let server;
let client;

// --- geometry helpers for the privacy tests -----------------------------------------------------
/** Algebraic (Kåsa) least-squares circle fit in a local metric frame around `origin`. */
function circleFitCentre(points, origin) {
    const xy = points.map((p) => [distanceM(origin, [origin[0], p[1]]) * Math.sign(p[1] - origin[1]), distanceM(origin, [p[0], origin[1]]) * Math.sign(p[0] - origin[0])]);
    // Solve [x y 1][D E F]^T = -(x^2+y^2) in the least-squares sense (normal equations, 3x3).
    const A = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    const b = [0, 0, 0];
    for (const [x, y] of xy) {
        const row = [x, y, 1];
        const rhs = -(x * x + y * y);
        for (let r = 0; r < 3; r++) {
            for (let c = 0; c < 3; c++) A[r][c] += row[r] * row[c];
            b[r] += row[r] * rhs;
        }
    }
    const det = (m) => m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    const d = det(A);
    const solve = (k) => det(A.map((row, r) => row.map((v, c) => (c === k ? b[r] : v)))) / d;
    const [D, E] = [solve(0), solve(1)];
    return offset(origin, -E / 2, -D / 2);
}
function centroid(points) {
    return [points.reduce((s, p) => s + p[0], 0) / points.length, points.reduce((s, p) => s + p[1], 0) / points.length];
}

/** A GPX run leaving `home` along a wandering line and coming back, one point per ~10 m. */
function gpxLoop(home, seed, startTime) {
    let rnd = seed;
    const random = () => ((rnd = (rnd * 1103515245 + 12345) % 2147483648) / 2147483648);
    let heading = random() * 2 * Math.PI;
    const out = [home];
    let p = home;
    const legs = 250 + Math.floor(random() * 150);
    for (let i = 0; i < legs; i++) {
        heading += (random() - 0.5) * 0.3;
        p = offset(p, 10 * Math.cos(heading), 10 * Math.sin(heading));
        out.push(p);
    }
    // Straight back home.
    const back = Math.ceil(distanceM(p, home) / 10);
    const last = p;
    for (let i = 1; i <= back; i++) out.push([last[0] + ((home[0] - last[0]) * i) / back, last[1] + ((home[1] - last[1]) * i) / back]);
    const t0 = Date.parse(startTime);
    const pts = out.map((q, i) => `<trkpt lat="${q[0].toFixed(7)}" lon="${q[1].toFixed(7)}"><ele>${(300 + 5 * Math.sin(i / 30)).toFixed(1)}</ele><time>${new Date(t0 + i * 3000).toISOString()}</time></trkpt>`).join('\n');
    return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="e2e" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Loop ${seed}</name><type>running</type><trkseg>\n${pts}\n</trkseg></trk></gpx>\n`);
}

// What each file of ../shared/testdata becomes when one athlete uploads them all in this order:
// 'ready N' (N activities), 'duplicate of FILE' (the same workout as an earlier file, whatever its
// format: issue 7 item 6), '422 REASON' (a substring of the problem's detail) or '400 empty file'.
// A file added to the test data fails the test until its outcome is written here.
const kExpectedOutcome = {
    'gpx/2067489619.gpx': 'ready 1',
    'gpx/3939576645.gpx': 'ready 1',
    'gpx/4623204522-1.gpx': 'ready 1',
    'gpx/GC7FA4.gpx': '422 contains no recorded activity',
    'gpx/Mojstrovka.gpx': '422 all its points carry the same time',
    'gpx/amazfit.gpx': 'ready 1',
    'gpx/around-visnjan-with-car.gpx': 'ready 1',
    'gpx/bigtime.gpx': '422 contains no recorded activity',
    'gpx/cerknicko-jezero-no-creator.gpx': 'ready 1',
    'gpx/cerknicko-jezero-without-elevations.gpx': 'duplicate of gpx/cerknicko-jezero-no-creator.gpx',
    'gpx/cerknicko-jezero.gpx': 'duplicate of gpx/cerknicko-jezero-no-creator.gpx',
    'gpx/custom_schema_locations.gpx': '422 contains no recorded activity',
    'gpx/default_schema_locations.gpx': '422 contains no recorded activity',
    'gpx/expertgps.gpx': 'ready 1',
    'gpx/first_and_last_elevation.gpx': 'ready 1',
    'gpx/garmin.gpx': 'ready 1',
    'gpx/garminconnect.gpx': 'ready 1',
    'gpx/gpsbabel_route.gpx': '422 holds only a planned route or course',
    'gpx/gpx-with-node-with-comments.gpx': '422 all its points carry the same time',
    'gpx/gpx1.1_with_all_fields.gpx': '422 holds only a planned route or course',
    'gpx/gpx1.1_with_extensions.gpx': '422 contains no recorded activity',
    'gpx/gpx11_with_speed_no_namespace.gpx': 'ready 1',
    'gpx/gpx11_without_speed.gpx': 'duplicate of gpx/gpx11_with_speed_no_namespace.gpx',
    'gpx/gpx_subsecond-sample.gpx': 'ready 1',
    'gpx/gpx_timezone.gpx': '422 all its points carry the same time',
    'gpx/gpxpassthrough10.gpx': 'duplicate of gpx/expertgps.gpx',
    'gpx/gpxpassthrough11.gpx': 'duplicate of gpx/expertgps.gpx',
    'gpx/korita-zbevnica.gpx': 'ready 1',
    'gpx/legacy_gpx_pause_resume.gpx': 'ready 1',
    'gpx/movescount.gpx': 'ready 1',
    'gpx/route.gpx': '422 holds only a planned route or course',
    'gpx/sports-tracker.gpx': 'duplicate of gpx/movescount.gpx',
    'gpx/strava.gpx': 'ready 1',
    'gpx/track-with-extremes.gpx': '422 holds only a planned route or course',
    'gpx/track-with-less-sec-time.gpx': 'ready 1',
    'gpx/track_with_dilution_errors.gpx': '422 holds only a planned route or course',
    'gpx/track_with_speed.gpx': 'ready 1',
    'gpx/unicode.gpx': '422 contains no recorded activity',
    'gpx/unicode2.gpx': '422 contains no recorded activity',
    'gpx/unicode_with_bom_noencoding.gpx': '422 contains no recorded activity',
    'gpx/unknowntag.gpx': '422 holds only a planned route or course',
    'tcx/6688025408.tcx': 'ready 1',
    'tcx/bike.tcx': 'ready 1',
    'tcx/course.tcx': '422 holds only a planned route or course',
    'tcx/gtrnctr-lap_s.tcx': 'ready 1',
    'tcx/gtrnctr-readcp.tcx': '422 holds only a planned route or course',
    'tcx/history.tcx': 'ready 1',
    'tcx/kona2013.tcx': 'ready 1',
    'tcx/movescount.tcx': 'ready 1',
    'tcx/no_hr.tcx': 'ready 1',
    'tcx/sup_activity_1.tcx': 'ready 1',
    'tcx/tcxdata.tcx': 'ready 1',
    'tcx/test.tcx': 'duplicate of tcx/no_hr.tcx',
    'tcx/unknown_example.tcx': 'ready 1',
    'fit/0134902991.fit': 'ready 1',
    'fit/2015-10-13-08-43-15.fit': 'ready 1',
    'fit/20170518-191602-1740899583.fit': 'ready 1',
    'fit/2067489619.fit': 'duplicate of gpx/2067489619.gpx',
    'fit/27-days-activity.fit': 'ready 1',
    'fit/3939576645.fit': 'duplicate of gpx/3939576645.gpx',
    'fit/4623204522.fit': 'duplicate of gpx/4623204522-1.gpx',
    'fit/6688025408.fit': 'duplicate of tcx/6688025408.tcx',
    'fit/6782987395.fit': 'ready 1',
    'fit/6909950168.fit': 'ready 1',
    'fit/7617306288.fit': 'ready 1',
    'fit/Lctns_Instinct.fit': '422 contains no recorded activity',
    'fit/Settings.fit': '422 contains no recorded activity',
    'fit/activity-small-fenix2-run.fit': 'ready 1',
    'fit/antfs-dump.63.fit': 'ready 1',
    'fit/broken-dates.fit': 'ready 1',
    'fit/broken-start-latlng.fit': 'ready 1',
    'fit/coros-pace-2-cycling-misaligned-fields.fit': 'ready 1',
    'fit/developer-types-sample.fit': 'ready 1',
    'fit/empty-activities.fit': 'ready 1',
    'fit/empty-sessions.fit': '400 empty file',
    'fit/fit-sample.fit': 'ready 1',
    'fit/fitwrite-track.fit': '422 holds only a planned route or course',
    'fit/garmin-edge-500-activity.fit': 'ready 1',
    'fit/garmin-edge-800.fit': 'ready 1',
    'fit/garmin-fenix-5-bike.fit': 'ready 1',
    'fit/garmin-fenix-5-run.fit': 'ready 1',
    'fit/garmin-forerunner-10.fit': 'ready 1',
    'fit/garmin-fr935-cr.fit': 'ready 1',
    'fit/garmin-virb-ultra-30.fit': 'ready 1',
    'fit/garmin-vivosmart-hr.fit': 'ready 1',
    'fit/lezyne_super_gps-garmin_fit-sample-bad-endian.fit': "422 We couldn't read this file: the file is damaged: its checksum (CRC) does not match its content",
    'fit/mornindew-broken.fit': 'ready 1',
    'fit/nick.fit': "422 We couldn't read this file: the file is damaged: its checksum (CRC) does not match its content",
    'fit/null_compressed_speed_dist.fit': 'ready 1',
    'fit/sample_mulitple_header.fit': 'ready 3',
    'fit/sportslib_garmin.fit': 'ready 1',
    'fit/tormoder_bpg_garmin.fit': 'ready 1',
    'fit/triathlon_summary_first.fit': 'ready 3',
    'fit/unterminated-strings.fit': 'ready 1',
    'fit/valid_only_contain_fileid.fit': '422 all its points carry the same time',
};

describe('workouts', () => {
    before(async (t) => {
        if (!requireServices(t)) return;
        server = await startServer({ args: [kFastHash, ...kRoomyLimits] });
        client = api(server);
    });
    after(async () => { await server?.stop(); });

    test('a FIT upload is analysed: summary, streams, laps, splits, zones, best efforts', async (t) => {
        if (!server) return t.skip('no server');
        const fit = testdata(t, 'fit/2067489619.fit');
        if (!fit) return;
        const ana = await client.signUp();
        await client.as(ana).patch('/v1/me', { max_hr_bpm: 190, resting_hr_bpm: 50, weight_kg: 70 });
        const res = await client.as(ana).upload(fit, { query: '?data_type=fit&name=Lunch%20run' });
        assert.equal(res.status, 201, res.text);
        assert.match(res.headers.get('location'), new RegExp(`/v1/uploads/${res.json.id}$`));
        const done = await client.as(ana).pollUpload(res.json.id);
        assert.equal(done.status, 'ready');
        assert.equal(done.activity_ids.length, 1);
        const a = (await client.as(ana).get(`/v1/activities/${done.activity_id}`)).json;
        assert.equal(a.name, 'Lunch run');
        assert.equal(a.sport, 'run');
        assert.equal(a.is_owner, true);
        assert.equal(a.has_original, true);
        // sports-lib's expectations for this run (SOURCES.md): 4489 m, elapsed 47:04, avg/max HR 130/179.
        assert.ok(Math.abs(a.distance_m - 4489.39) / 4489.39 < 0.02, `distance ${a.distance_m}`);
        assert.ok(Math.abs(a.elapsed_s - (47 * 60 + 4)) <= 5, `elapsed ${a.elapsed_s}`);
        assert.ok(Math.abs(a.avg_heart_rate_bpm - 130) <= 3, `avg hr ${a.avg_heart_rate_bpm}`);
        assert.ok(Math.abs(a.max_heart_rate_bpm - 179) <= 1, `max hr ${a.max_heart_rate_bpm}`);
        // The route and its summary start and end where the activity does (5 decimals: within 1.2 m),
        // the summary a simplification of the route.
        const route = decodePolyline(a.polyline);
        const summary = decodePolyline(a.summary_polyline);
        for (const line of [route, summary]) {
            assert.ok(distanceM(line[0], a.start_latlng) < 1.2 && distanceM(line.at(-1), a.end_latlng) < 1.2, JSON.stringify([line[0], line.at(-1), a.start_latlng, a.end_latlng]));
        }
        assert.ok(summary.length < route.length && route.length <= a.point_count, `${summary.length} < ${route.length} <= ${a.point_count}`);
        assert.equal(a.start_time.slice(0, 10), a.start_date);
        assert.equal(a.point_count, 503, 'SOURCES.md: record=503, every one timed');

        const streams = await client.as(ana).get(`/v1/activities/${a.id}/streams?keys=time,latlng,heartrate,distance,velocity_smooth&resolution=low`);
        assert.equal(streams.status, 200, streams.text);
        assert.equal(streams.json.resolution, 'low');
        assert.equal(streams.json.original_size, a.point_count);
        assert.equal(streams.json.size, 100, 'low resolution: 100 evenly spaced samples of the 503');
        for (const key of ['time', 'latlng', 'heartrate', 'distance', 'velocity_smooth']) {
            assert.equal(streams.json.streams[key].length, streams.json.size, key);
        }
        assert.equal(streams.json.streams.time[0], 0);
        assert.ok(Math.abs(streams.json.streams.distance.at(-1) - a.distance_m) < 1);
        const all = await client.as(ana).get(`/v1/activities/${a.id}/streams`);
        assert.equal(all.json.size, a.point_count);
        assert.ok(!('watts' in all.json.streams), 'no power stream in a file without power');
        assert.equal(streams.json.streams.time.at(-1), all.json.streams.time.at(-1), 'the low resolution keeps the last sample');
        assertProblem(await client.as(ana).get(`/v1/activities/${a.id}/streams?keys=time,bogus`), 400, { field: 'keys' });
        assertProblem(await client.as(ana).get(`/v1/activities/${a.id}/streams?resolution=ultra`), 400, { field: 'resolution' });

        const laps = (await client.as(ana).get(`/v1/activities/${a.id}/laps`)).json.laps;
        assert.equal(laps.length, 3, 'the device recorded 3 laps');
        assert.ok(laps.every((l) => l.from_device));
        const splits = (await client.as(ana).get(`/v1/activities/${a.id}/splits`)).json;
        assert.equal(splits.splits_km.length, Math.ceil(a.distance_m / 1000));
        assert.ok(Math.abs(splits.splits_km.reduce((s, x) => s + x.distance_m, 0) - a.distance_m) < 1);
        const zones = (await client.as(ana).get(`/v1/activities/${a.id}/zones`)).json;
        assert.equal(zones.heart_rate.length, 5);
        assert.deepEqual(zones.power, []);
        const efforts = (await client.as(ana).get(`/v1/activities/${a.id}/best-efforts`)).json.best_efforts;
        assert.deepEqual(efforts.map((e) => e.name).slice(0, 4), ['400m', '1/2 mile', '1k', '1 mile']);
        assert.ok(efforts.every((e) => e.pr_rank === 1), 'the first run sets every PR');
        assert.ok(efforts.find((e) => e.name === '1k').time_s < efforts.find((e) => e.name === '1 mile').time_s);
        const records = (await client.as(ana).get('/v1/me/records')).json.records;
        assert.equal(records.length, efforts.length);
        assert.ok(records.every((r) => r.activity_id === a.id && r.sport === 'run'));

        // The original comes back byte for byte through a signed URL; a tampered one is refused.
        const original = await client.as(ana).get(`/v1/activities/${a.id}/original`, { redirect: 'manual' });
        assert.equal(original.status, 302);
        const location = original.headers.get('location');
        assert.match(location, /^\/v1\/objects\/[^?]+\?expires=\d+&.*sig=/);
        const file = await client.get(location);
        assert.equal(file.status, 200);
        assert.ok(file.buffer.equals(fit), 'the original is returned unchanged');
        assert.match(file.headers.get('content-disposition'), /attachment; filename="activity-\d+\.fit"/);
        assertProblem(await client.get(location.replace(/sig=[^&]+/, 'sig=AAAA')), 403);
        assertProblem(await client.get(location.replace(/expires=\d+/, 'expires=1')), 403);

        const gpx = await client.as(ana).get(`/v1/activities/${a.id}/export.gpx`);
        assert.equal(gpx.status, 200);
        assert.match(gpx.headers.get('content-type'), /application\/gpx\+xml/);
        assert.equal((gpx.text.match(/<trkpt /g) || []).length, all.json.streams.latlng.filter((p) => p).length);
        assert.match(gpx.text, /<gpxtpx:hr>\d+<\/gpxtpx:hr>/);
    });

    test('a pool swim is measured by its lengths, which an endpoint lists behind the privacy rules', async (t) => {
        if (!server) return t.skip('no server');
        const fit = testdata(t, 'fit/6688025408.fit');
        if (!fit) return;
        const ana = await client.signUp();
        const bob = await client.signUp();
        const a = (await client.as(ana).get(`/v1/activities/${await client.as(ana).uploadReady(fit, '?data_type=fit')}`)).json;
        // SOURCES.md and the watch's session: 2300 m, 46 active lengths in 44:06, timer 1:06:03.
        assert.equal(a.sport, 'swim');
        assert.equal(a.distance_m, 2300);
        assert.ok(Math.abs(a.moving_s - 2645.8) < 30, `moving ${a.moving_s}`);
        assert.ok(Math.abs(100 / a.avg_speed_mps - 115) < 2, `pace ${100 / a.avg_speed_mps} s/100 m`);
        // The session's own totals (the records carry no heart rate): 126 bpm, 458 kcal, 1:06:23.
        assert.deepEqual([a.avg_heart_rate_bpm, a.calories_kcal, Math.round(a.elapsed_s)], [126, 458, 3983]);
        const lengths = (await client.as(ana).get(`/v1/activities/${a.id}/lengths`)).json;
        assert.equal(lengths.pool_length_m, 50);
        assert.equal(lengths.pool_length_unit, 'm');
        assert.equal(lengths.lengths.length, 64);
        assert.equal(lengths.lengths.filter((l) => l.active).length, 46);
        const first = lengths.lengths[0];
        assert.deepEqual([first.index, first.stroke, first.strokes, first.swolf], [1, 'freestyle', 22, 90]);
        assert.ok(Math.abs(first.stroke_rate_spm - 19.5) < 0.1);
        const laps = (await client.as(ana).get(`/v1/activities/${a.id}/laps`)).json.laps;
        assert.equal(laps.length, 36);
        assert.equal(laps.reduce((s, l) => s + l.distance_m, 0), 2300);
        assert.ok(laps.filter((l) => l.rest).every((l) => l.distance_m === 0));
        assert.ok(laps.filter((l) => !l.rest).every((l) => 100 / l.avg_speed_mps > 60), 'no lap at 0:02 /100 m');
        const efforts = (await client.as(ana).get(`/v1/activities/${a.id}/best-efforts`)).json.best_efforts;
        assert.deepEqual(efforts.map((e) => e.name).slice(0, 3), ['100m', '200m', '400m']);
        assert.ok(efforts.every((e) => e.distance_m / e.time_s < 2), 'no "400 m in 0:01"');
        // The velocity stream follows the lengths: no second of swimming at 0 between 50 m jumps.
        const velocity = (await client.as(ana).get(`/v1/activities/${a.id}/streams?keys=velocity_smooth`)).json.streams.velocity_smooth;
        assert.ok(Math.max(...velocity.filter((v) => v !== null)) < 1.5, 'no jump of a whole lap at once');

        // Others see it as they see the activity; hidden pace nulls the speeds; only_me is a 404.
        await client.as(ana).patch(`/v1/activities/${a.id}`, { hidden_metrics: ['pace'] });
        const seen = (await client.as(bob).get(`/v1/activities/${a.id}/lengths`)).json;
        assert.equal(seen.lengths.length, 64);
        assert.ok(seen.lengths.every((l) => l.avg_speed_mps === null));
        await client.as(ana).patch(`/v1/activities/${a.id}`, { visibility: 'only_me' });
        const missing = await client.as(bob).get('/v1/activities/999999999/lengths');
        const hidden = await client.as(bob).get(`/v1/activities/${a.id}/lengths`);
        assertProblem(hidden, 404);
        assert.equal(hidden.json.detail, missing.json.detail);
        // Not a pool swim: an empty list.
        const run = testdata(t, 'fit/2067489619.fit');
        const other = await client.as(ana).uploadReady(run, '?data_type=fit');
        const none = (await client.as(ana).get(`/v1/activities/${other}/lengths`)).json;
        assert.deepEqual(none, { pool_length_m: null, pool_length_unit: null, lengths: [] });
    });

    test('GPX raw, TCX multipart and gzip uploads; duplicates; idempotency', async (t) => {
        if (!server) return t.skip('no server');
        const gpx = testdata(t, 'gpx/2067489619.gpx');
        const tcx = testdata(t, 'tcx/test.tcx');
        if (!gpx || !tcx) return;
        const ana = await client.signUp();
        const id = await client.as(ana).uploadReady(gpx, '?data_type=gpx');
        const again = await client.as(ana).upload(gpx);
        assert.equal(again.status, 201);
        assert.equal((await client.as(ana).pollUpload(again.json.id)).status, 'duplicate');
        assert.equal((await client.as(ana).pollUpload(again.json.id)).duplicate_of, id);

        const form = multipart({ name: 'TCX run', data_type: 'tcx' }, tcx,
            { boundary: '----strava1e2e', filename: 'run.tcx', fileHeaders: 'Content-Type: application/octet-stream\r\n' });
        const key = `upload-${Date.now()}`;
        const first = await client.as(ana).upload(form.body, { headers: { 'content-type': form.contentType, 'idempotency-key': key } });
        assert.equal(first.status, 201, first.text);
        const second = await client.as(ana).upload(form.body, { headers: { 'content-type': form.contentType, 'idempotency-key': key } });
        assert.equal(second.status, 201);
        assert.equal(second.json.id, first.json.id, 'a retried upload with the same key is the same upload');
        const tcxActivity = (await client.as(ana).pollUpload(first.json.id)).activity_id;
        assert.equal((await client.as(ana).get(`/v1/activities/${tcxActivity}`)).json.name, 'TCX run');
        const list = (await client.as(ana).get('/v1/athlete/activities')).json.activities;
        assert.equal(list.length, 2, 'two distinct activities, no duplicates');

        // The same file gzipped, and without its data_type (sniffed), is the same activity.
        const figures = (activity) => [activity.sport, activity.start_time, activity.point_count, activity.distance_m];
        const raw = (await client.as(ana).get(`/v1/activities/${id}`)).json;
        const other = await client.signUp();
        const gz = await client.as(other).uploadReady(gzipSync(gpx), '?data_type=gpx.gz');
        assert.deepEqual(figures((await client.as(other).get(`/v1/activities/${gz}`)).json), figures(raw));
        const third = await client.signUp();
        const sniffed = await client.as(third).uploadReady(gpx);  // data_type sniffed
        assert.deepEqual(figures((await client.as(third).get(`/v1/activities/${sniffed}`)).json), figures(raw));
        assert.deepEqual(figures(raw).slice(0, 3), ['run', '2017-10-08T14:54:11Z', 502], 'SOURCES.md: 502 track points');
    });

    test('bad uploads get precise errors and create nothing', async (t) => {
        if (!server) return t.skip('no server');
        const fit = testdata(t, 'fit/2067489619.fit');
        if (!fit) return;
        const ana = await client.signUp();
        assertProblem(await client.post('/v1/uploads', fit, { headers: { 'content-type': 'application/octet-stream' } }), 401);
        const corrupt = Buffer.from(fit);
        corrupt[corrupt.length - 1] ^= 0xff;
        const bad = await client.as(ana).upload(corrupt, { query: '?data_type=fit' });
        assertProblem(bad, 422);
        assert.equal(bad.json.detail, "We couldn't read this file: the file is damaged: its checksum (CRC) does not match its content");
        const xml = await client.as(ana).upload(Buffer.from('<?xml version="1.0"?><gpx version="1.1"><trk><trkseg><trkpt lat="91" lon="0"/></trkseg></trk></gpx>'), { query: '?data_type=gpx' });
        assertProblem(xml, 422);
        // Worded for the person who uploaded it: the line, the value's everyday name, no element path.
        assert.equal(xml.json.detail, 'We couldn\'t read this file: line 1, the latitude "91" is not possible (out of range)');
        const late = await client.as(ana).upload(Buffer.from('<?xml version="1.0"?>\n<gpx version="1.1">\n<trk><trkseg>\n<trkpt lat="1" lon="2">\n<time>noon</time>\n</trkpt>\n</trkseg></trk>\n</gpx>\n'), { query: '?data_type=gpx' });
        assertProblem(late, 422);
        assert.equal(late.json.detail, 'We couldn\'t read this file: line 5, the time "noon" is not a date');
        assertProblem(await client.as(ana).upload(Buffer.from('hello'), {}), 422);
        assertProblem(await client.as(ana).upload(fit, { query: '?data_type=kml' }), 400, { field: 'data_type' });
        assertProblem(await client.as(ana).upload(fit, { query: '?sport=quidditch' }), 400, { field: 'sport' });
        assertProblem(await client.as(ana).upload(Buffer.alloc(0), { query: '?data_type=fit' }), 400, { field: 'file' });
        assertProblem(await client.as(ana).upload(Buffer.from('--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc'), { headers: { 'content-type': 'multipart/form-data; boundary=x' } }), 400);
        const bomb = gzipSync(Buffer.alloc(300 * 1024 * 1024, 32));
        const bombRes = await client.as(ana).upload(bomb, { query: '?data_type=gpx.gz' });
        assertProblem(bombRes, 422);
        assert.match(bombRes.json.detail, /decompress|limit/i);
        assertProblem(await client.as(ana).upload(Buffer.alloc(26 * 1024 * 1024, 1), { query: '?data_type=fit' }), 413);
        assert.deepEqual((await client.as(ana).get('/v1/athlete/activities')).json.activities, []);
        assertProblem(await client.as(ana).get('/v1/uploads/999999999'), 404);
        assertProblem(await client.as(ana).get('/v1/uploads/abc'), 404);
    });

    test('manual activities, edit, delete, lists with cursors, stats; others get 404', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const bob = await client.signUp();
        const make = (body) => client.as(ana).post('/v1/activities', body);
        const created = [];
        for (let i = 0; i < 5; i++) {
            const res = await make({ sport: i % 2 ? 'ride' : 'run', start_time: `2026-0${i + 1}-10T07:00:00Z`, elapsed_s: 3600, distance_m: 10000 + i, elevation_gain_m: 50, perceived_exertion: 5 });
            assert.equal(res.status, 201, res.text);
            assert.equal(res.json.manual, true);
            created.push(res.json);
        }
        assert.equal(created[0].name, 'Morning Run', 'named from the local hour and sport');
        assert.equal(created[0].avg_pace_s_per_km, 360);
        assertProblem(await make({ sport: 'run', start_time: 'yesterday', elapsed_s: 10 }), 400, { field: 'start_time' });
        assertProblem(await make({ sport: 'run', start_time: '2026-01-01T00:00:00Z', elapsed_s: 0 }), 400, { field: 'elapsed_s' });
        assertProblem(await make({ sport: 'run', start_time: '2026-01-01T00:00:00Z', elapsed_s: 10, perceived_exertion: 11 }), 400, { field: 'perceived_exertion' });
        assertProblem(await make({ sport: 'run', start_time: '2026-01-01T00:00:00Z', elapsed_s: 10, admin: true }), 400);
        const key = `manual-${Date.now()}`;
        const once = await client.as(ana).post('/v1/activities', { sport: 'walk', start_time: '2026-06-01T12:00:00Z', elapsed_s: 600 }, { headers: { 'idempotency-key': key } });
        const twice = await client.as(ana).post('/v1/activities', { sport: 'walk', start_time: '2026-06-01T12:00:00Z', elapsed_s: 600 }, { headers: { 'idempotency-key': key } });
        assert.equal(twice.json.id, once.json.id);

        // Cursor pagination newest first, filters.
        const pages = [];
        let cursor = null;
        do {
            const res = await client.as(ana).get(`/v1/athlete/activities?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
            assert.equal(res.status, 200, res.text);
            pages.push(...res.json.activities.map((x) => x.id));
            cursor = res.json.next_cursor;
        } while (cursor);
        assert.deepEqual(pages, [once.json.id, ...created.map((c) => c.id).reverse()]);
        const rides = (await client.as(ana).get('/v1/athlete/activities?sport=ride')).json.activities;
        assert.deepEqual(rides.map((r) => r.sport), ['ride', 'ride']);
        const window = (await client.as(ana).get('/v1/athlete/activities?after=2026-02-01T00:00:00Z&before=1775000000')).json.activities;
        assert.deepEqual(window.map((r) => r.id), [created[2].id, created[1].id]);
        assertProblem(await client.as(ana).get('/v1/athlete/activities?limit=0'), 400, { field: 'limit' });
        assertProblem(await client.as(ana).get('/v1/athlete/activities?cursor=nonsense'), 400, { field: 'cursor' });
        assertProblem(await client.as(ana).get('/v1/athlete/activities?before=soon'), 400, { field: 'before' });

        // Visibility: only_me hides from Bob exactly like a missing id.
        const hidden = created[0].id;
        const patched = await client.as(ana).patch(`/v1/activities/${hidden}`, { visibility: 'only_me', name: 'Secret', hidden_metrics: ['calories'] });
        assert.equal(patched.status, 200, patched.text);
        assert.equal(patched.json.visibility, 'only_me');
        assert.deepEqual(patched.json.hidden_metrics, ['calories']);
        const missing = await client.as(bob).get('/v1/activities/999999999');
        const invisible = await client.as(bob).get(`/v1/activities/${hidden}`);
        assertProblem(invisible, 404);
        assert.equal(invisible.json.detail, missing.json.detail);
        for (const sub of ['streams', 'laps', 'splits', 'lengths', 'zones', 'best-efforts', 'export.gpx', 'original']) {
            assertProblem(await client.as(bob).get(`/v1/activities/${hidden}/${sub}`), 404);
        }
        const bobsView = (await client.as(bob).get(`/v1/users/${ana.id}/activities?limit=100`)).json.activities;
        assert.ok(!bobsView.some((x) => x.id === hidden));
        assert.equal(bobsView.length, 5);
        assertProblem(await client.as(bob).patch(`/v1/activities/${created[1].id}`, { name: 'Mine now' }), 404);
        assertProblem(await client.as(bob).delete(`/v1/activities/${created[1].id}`), 404);
        assertProblem(await client.as(ana).patch(`/v1/activities/${hidden}`, { visibility: 'friends' }), 400, { field: 'visibility' });
        assertProblem(await client.as(ana).patch(`/v1/activities/${hidden}`, { name: null }), 400, { field: 'name' });
        assertProblem(await client.as(ana).patch(`/v1/activities/${hidden}`, { hidden_metrics: ['mood'] }), 400, { field: 'hidden_metrics' });
        assertProblem(await client.as(ana).patch(`/v1/activities/${hidden}`, { hide_endpoints_m: 5000 }), 400, { field: 'hide_endpoints_m' });

        // Hidden metrics are null for Bob and present for Ana.
        await client.as(ana).patch(`/v1/activities/${created[2].id}`, { hidden_metrics: ['pace', 'start_time'] });
        const seen = (await client.as(bob).get(`/v1/activities/${created[2].id}`)).json;
        assert.equal(seen.avg_pace_s_per_km, null);
        assert.equal(seen.avg_speed_mps, null);
        assert.equal(seen.start_time, null);
        assert.equal(seen.start_date, '2026-03-10');
        assert.deepEqual(seen.hidden_metrics, []);
        assert.equal(seen.hide_endpoints_m, null);
        const own = (await client.as(ana).get(`/v1/activities/${created[2].id}`)).json;
        assert.ok(Math.abs(own.avg_pace_s_per_km - 3600 / 10.002) < 1e-6, `pace ${own.avg_pace_s_per_km}: 3600 s over 10.002 km`);
        assert.equal(own.start_time, '2026-03-10T07:00:00Z');

        // Stats: Bob sees the visible ones, Ana all of hers.
        const mine = (await client.as(ana).get(`/v1/users/${ana.id}/stats`)).json;
        assert.equal(mine.all.run.count, 3);
        assert.equal(mine.all.ride.count, 2);
        assert.equal(mine.all.walk.count, 1);
        const bobs = (await client.as(bob).get(`/v1/users/${ana.id}/stats`)).json;
        assert.equal(bobs.all.run.count, 2);
        assert.equal(bobs.all.run.distance_m, 10002 + 10004);
        assertProblem(await client.as(bob).get('/v1/users/999999999/stats'), 404);
        assertProblem(await client.as(bob).get('/v1/users/999999999/activities'), 404);

        assert.equal((await client.as(ana).delete(`/v1/activities/${created[4].id}`)).status, 204);
        assertProblem(await client.as(ana).get(`/v1/activities/${created[4].id}`), 404);
        assertProblem(await client.as(ana).delete(`/v1/activities/${created[4].id}`), 404);
    });

    test('personal records are updated when beaten and recomputed when an activity is deleted', async (t) => {
        if (!server) return t.skip('no server');
        const fit = testdata(t, 'fit/2067489619.fit');
        const tcx = testdata(t, 'tcx/test.tcx');
        if (!fit || !tcx) return;
        const ana = await client.signUp();
        const first = await client.as(ana).uploadReady(fit);
        const second = await client.as(ana).uploadReady(tcx);
        const records = (await client.as(ana).get('/v1/me/records')).json.records;
        const byName = Object.fromEntries(records.map((r) => [r.name, r]));
        const e1 = Object.fromEntries((await client.as(ana).get(`/v1/activities/${first}/best-efforts`)).json.best_efforts.map((e) => [e.name, e]));
        const e2 = Object.fromEntries((await client.as(ana).get(`/v1/activities/${second}/best-efforts`)).json.best_efforts.map((e) => [e.name, e]));
        for (const name of Object.keys(e1).filter((n) => n in e2)) {
            const best = Math.min(e1[name].time_s, e2[name].time_s);
            assert.equal(byName[name].time_s, best, name);
            assert.equal(byName[name].activity_id, e1[name].time_s <= e2[name].time_s ? first : second, name);
        }
        // Delete whichever holds the 1k record: the other's effort becomes the record.
        const holder = byName['1k'].activity_id;
        const other = holder === first ? second : first;
        assert.equal((await client.as(ana).delete(`/v1/activities/${holder}`)).status, 204);
        const after1k = (await client.as(ana).get('/v1/me/records')).json.records.find((r) => r.name === '1k');
        assert.equal(after1k.activity_id, other);
        const otherEfforts = (await client.as(ana).get(`/v1/activities/${other}/best-efforts`)).json.best_efforts;
        // The only activity left holds every record, each of its efforts ranked first.
        assert.deepEqual(otherEfforts.map((e) => e.pr_rank), otherEfforts.map(() => 1));
        const recordsLeft = (await client.as(ana).get('/v1/me/records')).json.records;
        assert.deepEqual(recordsLeft.map((r) => [r.name, r.activity_id, r.time_s]), otherEfforts.map((e) => [e.name, other, e.time_s]));
    });

    test('privacy zones: CRUD and validation', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const bob = await client.signUp();
        const z = await client.as(ana).post('/v1/me/privacy-zones', { lat: 46.05, lng: 14.5, radius_m: 500 });
        assert.equal(z.status, 201, z.text);
        assert.deepEqual((await client.as(ana).get('/v1/me/privacy-zones')).json.zones, [z.json]);
        assert.deepEqual((await client.as(bob).get('/v1/me/privacy-zones')).json.zones, []);
        assertProblem(await client.as(ana).post('/v1/me/privacy-zones', { lat: 95, lng: 0, radius_m: 500 }), 400, { field: 'lat' });
        assertProblem(await client.as(ana).post('/v1/me/privacy-zones', { lat: 0, lng: 0, radius_m: 10 }), 400, { field: 'radius_m' });
        assertProblem(await client.as(bob).delete(`/v1/me/privacy-zones/${z.json.id}`), 404);
        assert.equal((await client.as(ana).delete(`/v1/me/privacy-zones/${z.json.id}`)).status, 204);
        assertProblem(await client.as(ana).delete(`/v1/me/privacy-zones/${z.json.id}`), 404);
    });

    test('privacy: 20 activities from one home point never reveal it to another user', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const bob = await client.signUp();
        // The profile's default radius: validated, and given to each new activity.
        assertProblem(await client.as(ana).patch('/v1/me', { hide_endpoints_m: 2000 }), 400, { field: 'hide_endpoints_m' });
        assertProblem(await client.as(ana).patch('/v1/me', { hide_endpoints_m: null }), 400, { field: 'hide_endpoints_m' });
        assert.equal((await client.as(ana).get('/v1/me')).json.hide_endpoints_m, 200);
        const home = [46.0569, 14.5058];
        const ids = [];
        for (let i = 0; i < 20; i++) {
            const day = String(1 + i).padStart(2, '0');
            ids.push(await client.as(ana).uploadReady(gpxLoop(home, 1000 + i * 7919, `2026-10-${day}T06:30:00Z`), '?data_type=gpx'));
        }
        // A privacy zone around a point on the way hides that too.
        assert.equal((await client.as(ana).get(`/v1/activities/${ids[0]}`)).json.hide_endpoints_m, 200);
        const ownFirst = await client.as(ana).get(`/v1/activities/${ids[0]}/streams?keys=latlng`);
        const waypoint = ownFirst.json.streams.latlng[150];
        assert.ok(distanceM(ownFirst.json.streams.latlng[0], home) < 1, 'the owner sees the real start');
        await client.as(ana).post('/v1/me/privacy-zones', { lat: waypoint[0], lng: waypoint[1], radius_m: 150 });

        const kHidden = 200;
        let mapsHidden = 0;
        const ends = [];
        const everyPoint = [];
        const list = (await client.as(bob).get(`/v1/users/${ana.id}/activities?limit=100`)).json.activities;
        assert.equal(list.length, 20);
        for (const row of list) {
            if (row.summary_polyline) everyPoint.push(...decodePolyline(row.summary_polyline), row.start_latlng, row.end_latlng);
        }
        for (const id of ids) {
            const detail = (await client.as(bob).get(`/v1/activities/${id}`)).json;
            const s = (await client.as(bob).get(`/v1/activities/${id}/streams?keys=latlng`)).json;
            if (!s.streams.latlng) {
                // The guard withheld this map: nothing of it may leak anywhere.
                mapsHidden += 1;
                assert.equal(detail.polyline, null);
                assert.equal(detail.start_latlng, null);
                assert.equal((await client.as(bob).get(`/v1/activities/${id}/export.gpx`)).status, 404);
                continue;
            }
            everyPoint.push(...decodePolyline(detail.polyline), ...decodePolyline(detail.summary_polyline));
            const latlng = s.streams.latlng.filter((p) => p);
            const own = (await client.as(ana).get(`/v1/activities/${id}`)).json;
            assert.ok(latlng.length < own.point_count, 'some points are withheld');
            assert.equal(detail.point_count, s.original_size, 'Bob is told how many samples he is shown, no more');
            assert.equal(s.original_size, s.size, 'the streams count only what Bob may see');
            everyPoint.push(...latlng);
            if (latlng.length) ends.push(latlng[0], latlng.at(-1));
            const gpx = (await client.as(bob).get(`/v1/activities/${id}/export.gpx`)).text;
            for (const m of gpx.matchAll(/lat="([-\d.]+)" lon="([-\d.]+)"/g)) everyPoint.push([Number(m[1]), Number(m[2])]);
        }
        const nearest = Math.min(...everyPoint.map((p) => distanceM(p, home)));
        assert.ok(nearest > kHidden, `closest visible point ${nearest.toFixed(0)} m from home`);
        const nearZone = Math.min(...everyPoint.map((p) => distanceM(p, waypoint)));
        assert.ok(nearZone > 150, `closest visible point ${nearZone.toFixed(0)} m from the zone centre`);
        const c = centroid(ends);
        const fit = circleFitCentre(ends, c);
        const centroidError = distanceM(c, home);
        const fitError = distanceM(fit, home);
        process.stdout.write(`# home-point estimates: centroid ${centroidError.toFixed(0)} m off, circle fit ${fitError.toFixed(0)} m off, nearest visible point ${nearest.toFixed(0)} m, ${mapsHidden} of 20 maps withheld\n`);
        assert.ok(mapsHidden <= 6, 'most maps stay visible');
        assert.ok(centroidError > 200, `centroid of visible ends is ${centroidError.toFixed(0)} m from home`);
        assert.ok(fitError > 200, `circle fit of visible ends is ${fitError.toFixed(0)} m from home`);

        assert.equal((await client.as(ana).patch('/v1/me', { hide_endpoints_m: 400 })).json.hide_endpoints_m, 400);
        const later = await client.as(ana).uploadReady(gpxLoop(home, 424242, '2026-11-05T06:30:00Z'), '?data_type=gpx');
        assert.equal((await client.as(ana).get(`/v1/activities/${later}`)).json.hide_endpoints_m, 400);

        // The owner turning hiding off shows the real start to others; turning it up hides more.
        await client.as(ana).patch(`/v1/activities/${ids[0]}`, { hide_endpoints_m: 0 });
        const open = (await client.as(bob).get(`/v1/activities/${ids[0]}/streams?keys=latlng`)).json.streams.latlng;
        assert.ok(distanceM(open[0], home) < 1);
        await client.as(ana).patch(`/v1/activities/${ids[0]}`, { hide_endpoints_m: 1600 });
        const wide = ((await client.as(bob).get(`/v1/activities/${ids[0]}/streams?keys=latlng`)).json.streams.latlng ?? []).filter((p) => p);
        assert.ok(wide.every((p) => distanceM(p, home) > 1600));
    });

    test('every file in the test data becomes exactly its expected activity, duplicate or precise 4xx, never a 5xx', async (t) => {
        if (!server) return t.skip('no server');
        if (!requireOrSkip(t, existsSync(testdataDir), `the test data is missing at ${testdataDir} (../shared/testdata, or set STRAVA1_TESTDATA)`)) return;
        const ana = await client.signUp();
        const fileOf = new Map();  // activity id -> the file it came from
        const outcome = {};
        for (const dir of ['gpx', 'tcx', 'fit']) {
            for (const name of readdirSync(join(testdataDir, dir)).sort()) {
                if (!name.endsWith(`.${dir}`)) continue;
                const file = `${dir}/${name}`;
                const bytes = readFileSync(join(testdataDir, dir, name));
                const res = await client.as(ana).upload(bytes, { query: `?data_type=${dir}` });
                if (bytes.length === 0) {
                    assertProblem(res, 400, { field: 'file' });
                    outcome[file] = '400 empty file';
                    continue;
                }
                assert.ok(res.status === 201 || res.status === 422, `${file}: ${res.status} ${res.text}`);
                if (res.status === 422) {
                    const expected = kExpectedOutcome[file] ?? '';
                    const reason = expected.startsWith('422 ') ? expected.slice(4) : '';
                    outcome[file] = reason && res.json.detail.includes(reason) ? expected : `422 ${res.json.detail}`;
                    continue;
                }
                const done = await client.as(ana).pollUpload(res.json.id);
                if (done.status === 'ready') {
                    for (const id of done.activity_ids) fileOf.set(id, file);
                    outcome[file] = `ready ${done.activity_ids.length}`;
                } else {
                    outcome[file] = done.status === 'duplicate' ? `duplicate of ${fileOf.get(done.duplicate_of)}` : JSON.stringify(done);
                }
            }
        }
        assert.deepEqual(outcome, kExpectedOutcome);
    });

    test('strava1 import adds files for a user from the command line', async (t) => {
        if (!server) return t.skip('no server');
        const path = join(testdataDir, 'fit', '2067489619.fit');
        if (!testdata(t, 'fit/2067489619.fit')) return;
        const ana = await client.signUp();
        const run = (args) => spawnSync(binaryPath(), ['import', ...args, `--database-url=${server.databaseUrl}`, `--data-dir=${server.dataDir}`], { encoding: 'utf8', env: kCliEnv });
        const first = run([`--user=${ana.email}`, path]);
        assert.equal(first.status, 0, first.stdout + first.stderr);
        const id = Number(first.stdout.match(/activity (\d+)/)[1]);
        assert.equal((await client.as(ana).get(`/v1/activities/${id}`)).json.sport, 'run');
        const dup = run([`--user=${ana.email}`, path]);
        assert.equal(dup.status, 0);
        assert.match(dup.stdout, new RegExp(`duplicate of activity ${id}`));
        const missing = run(['--user=nobody@example.com', path]);
        assert.equal(missing.status, 2);
        const bad = run([`--user=${ana.email}`, join(repoRoot, 'README.md')]);
        assert.equal(bad.status, 1);
        assert.match(bad.stdout, /refused/);
        // The server serves the imported original too (same data dir).
        const original = await client.as(ana).get(`/v1/activities/${id}/original`);
        assert.equal(original.status, 200);
    });
});
