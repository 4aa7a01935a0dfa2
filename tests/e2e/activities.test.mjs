// End-to-end tests of workouts against the real binary: uploads (raw and multipart) of real files
// from ../shared/testdata, their processing, duplicates, idempotency, every activity endpoint with
// its bad-input, unauthorised and not-visible cases, and the privacy function through every
// endpoint another user can call (the 20-activities home-point test).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { requireServices, startServer, binaryPath, repoRoot, serverEnv, request } from './harness.mjs';

const kTestdata = join(repoRoot, '..', 'shared', 'testdata');
const kFast = '--password-hash=argon2id-fast-insecure';
const kRoomy = ['--rate-limit-auth-per-minute=100000', '--rate-limit-auth-burst=100000',
    '--rate-limit-user-per-minute=1000000', '--rate-limit-user-burst=1000000'];
const kPassword = 'correct horse battery';
// The binary refuses unknown STRAVA1_* settings, so the CLI gets the server's environment.
const kCliEnv = serverEnv();

let server;
let counter = 0;

function testdata(t, rel) {
    const path = join(kTestdata, rel);
    if (existsSync(path)) return readFileSync(path);
    const message = `${path} is missing (../shared/testdata)`;
    if (process.env.STRAVA1_REQUIRE_SERVICES === '1') throw new Error(message);
    process.stderr.write(`\n*** SKIPPED "${t.name}": ${message} ***\n\n`);
    t.skip(message);
    return null;
}

function call(method, path, options) {
    return request(server.url, method, path, options);
}

async function signup(extra = {}) {
    counter += 1;
    const email = `ath${process.pid}_${counter}_${Date.now()}@example.com`;
    const res = await call('POST', '/v1/auth/signup', { body: { email, password: kPassword, display_name: `Athlete ${counter}`, ...extra } });
    assert.equal(res.status, 201, res.text);
    return { email, token: res.json.access_token, id: res.json.user.id };
}

function assertProblem(res, status, slug, field) {
    assert.equal(res.status, status, res.text);
    assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
    assert.equal(res.json.type, `urn:strava1:problem:${slug}`);
    assert.doesNotMatch(res.text, /sqlstate|stack|\.cpp/i, 'no internals in error bodies');
    if (field) assert.ok(res.json.errors?.some((e) => e.field === field), `errors name ${field}: ${res.text}`);
}

async function upload(token, bytes, { query = '', headers = {} } = {}) {
    return call('POST', `/v1/uploads${query}`, { token, raw: bytes, headers: { 'content-type': 'application/octet-stream', ...headers } });
}

async function uploadReady(token, bytes, query = '') {
    const res = await upload(token, bytes, { query });
    assert.equal(res.status, 201, res.text);
    const status = await pollUpload(token, res.json.id);
    assert.equal(status.status, 'ready', JSON.stringify(status));
    return status.activity_id;
}

async function pollUpload(token, id) {
    for (let i = 0; i < 200; i++) {
        const res = await call('GET', `/v1/uploads/${id}`, { token });
        assert.equal(res.status, 200, res.text);
        if (res.json.status !== 'processing') return res.json;
        await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('upload still processing');
}

// --- geometry helpers for the privacy tests -----------------------------------------------------
const kEarthR = 6371008.8;
function distanceM(a, b) {
    const rad = Math.PI / 180;
    const dLat = (b[0] - a[0]) * rad;
    const dLng = (b[1] - a[1]) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLng / 2) ** 2;
    return 2 * kEarthR * Math.asin(Math.sqrt(h));
}
function offset(p, northM, eastM) {
    return [p[0] + (northM / kEarthR) * (180 / Math.PI), p[1] + (eastM / (kEarthR * Math.cos((p[0] * Math.PI) / 180))) * (180 / Math.PI)];
}
function decodePolyline(text) {
    if (!text) return [];
    const out = [];
    let i = 0, lat = 0, lng = 0;
    while (i < text.length) {
        for (const which of [0, 1]) {
            let shift = 0, result = 0, b;
            do { b = text.charCodeAt(i++) - 63; result |= (b & 0x1f) << shift; shift += 5; } while (b >= 0x20);
            const delta = result & 1 ? ~(result >> 1) : result >> 1;
            if (which === 0) lat += delta; else lng += delta;
        }
        out.push([lat / 1e5, lng / 1e5]);
    }
    return out;
}
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
    'fit/lezyne_super_gps-garmin_fit-sample-bad-endian.fit': '422 file CRC mismatch',
    'fit/mornindew-broken.fit': 'ready 1',
    'fit/nick.fit': '422 file CRC mismatch',
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
        server = await startServer({ args: [kFast, ...kRoomy] });
    });
    after(async () => { await server?.stop(); });

    test('a FIT upload is analysed: summary, streams, laps, splits, zones, best efforts', async (t) => {
        if (!server) return t.skip('no server');
        const fit = testdata(t, 'fit/2067489619.fit');
        if (!fit) return;
        const ana = await signup();
        await call('PATCH', '/v1/me', { token: ana.token, body: { max_hr_bpm: 190, resting_hr_bpm: 50, weight_kg: 70 } });
        const res = await upload(ana.token, fit, { query: '?data_type=fit&name=Lunch%20run' });
        assert.equal(res.status, 201, res.text);
        assert.match(res.headers.get('location'), new RegExp(`/v1/uploads/${res.json.id}$`));
        const done = await pollUpload(ana.token, res.json.id);
        assert.equal(done.status, 'ready');
        assert.equal(done.activity_ids.length, 1);
        const a = (await call('GET', `/v1/activities/${done.activity_id}`, { token: ana.token })).json;
        assert.equal(a.name, 'Lunch run');
        assert.equal(a.sport, 'run');
        assert.equal(a.is_owner, true);
        assert.equal(a.has_original, true);
        // sports-lib's expectations for this run (SOURCES.md): 4489 m, elapsed 47:04, avg/max HR 130/179.
        assert.ok(Math.abs(a.distance_m - 4489.39) / 4489.39 < 0.02, `distance ${a.distance_m}`);
        assert.ok(Math.abs(a.elapsed_s - (47 * 60 + 4)) <= 5, `elapsed ${a.elapsed_s}`);
        assert.ok(Math.abs(a.avg_heart_rate_bpm - 130) <= 3, `avg hr ${a.avg_heart_rate_bpm}`);
        assert.ok(Math.abs(a.max_heart_rate_bpm - 179) <= 1, `max hr ${a.max_heart_rate_bpm}`);
        assert.ok(a.summary_polyline.length > 10 && a.polyline.length >= a.summary_polyline.length);
        assert.equal(a.start_time.slice(0, 10), a.start_date);
        assert.ok(a.point_count > 400);

        const streams = await call('GET', `/v1/activities/${a.id}/streams?keys=time,latlng,heartrate,distance,velocity_smooth&resolution=low`, { token: ana.token });
        assert.equal(streams.status, 200, streams.text);
        assert.equal(streams.json.resolution, 'low');
        assert.equal(streams.json.original_size, a.point_count);
        assert.ok(streams.json.size <= 100 && streams.json.size >= 90);
        for (const key of ['time', 'latlng', 'heartrate', 'distance', 'velocity_smooth']) {
            assert.equal(streams.json.streams[key].length, streams.json.size, key);
        }
        assert.equal(streams.json.streams.time[0], 0);
        assert.ok(Math.abs(streams.json.streams.distance.at(-1) - a.distance_m) < 1);
        const all = await call('GET', `/v1/activities/${a.id}/streams`, { token: ana.token });
        assert.equal(all.json.size, a.point_count);
        assert.ok(!('watts' in all.json.streams), 'no power stream in a file without power');
        assertProblem(await call('GET', `/v1/activities/${a.id}/streams?keys=time,bogus`, { token: ana.token }), 400, 'invalid-argument', 'keys');
        assertProblem(await call('GET', `/v1/activities/${a.id}/streams?resolution=ultra`, { token: ana.token }), 400, 'invalid-argument', 'resolution');

        const laps = (await call('GET', `/v1/activities/${a.id}/laps`, { token: ana.token })).json.laps;
        assert.equal(laps.length, 3, 'the device recorded 3 laps');
        assert.ok(laps.every((l) => l.from_device));
        const splits = (await call('GET', `/v1/activities/${a.id}/splits`, { token: ana.token })).json;
        assert.equal(splits.splits_km.length, Math.ceil(a.distance_m / 1000));
        assert.ok(Math.abs(splits.splits_km.reduce((s, x) => s + x.distance_m, 0) - a.distance_m) < 1);
        const zones = (await call('GET', `/v1/activities/${a.id}/zones`, { token: ana.token })).json;
        assert.equal(zones.heart_rate.length, 5);
        assert.deepEqual(zones.power, []);
        const efforts = (await call('GET', `/v1/activities/${a.id}/best-efforts`, { token: ana.token })).json.best_efforts;
        assert.deepEqual(efforts.map((e) => e.name).slice(0, 4), ['400m', '1/2 mile', '1k', '1 mile']);
        assert.ok(efforts.every((e) => e.pr_rank === 1), 'the first run sets every PR');
        assert.ok(efforts.find((e) => e.name === '1k').time_s < efforts.find((e) => e.name === '1 mile').time_s);
        const records = (await call('GET', '/v1/me/records', { token: ana.token })).json.records;
        assert.equal(records.length, efforts.length);
        assert.ok(records.every((r) => r.activity_id === a.id && r.sport === 'run'));

        // The original comes back byte for byte through a signed URL; a tampered one is refused.
        const original = await call('GET', `/v1/activities/${a.id}/original`, { token: ana.token, redirect: 'manual' });
        assert.equal(original.status, 302);
        const location = original.headers.get('location');
        assert.match(location, /^\/v1\/objects\/[^?]+\?expires=\d+&.*sig=/);
        const file = await call('GET', location);
        assert.equal(file.status, 200);
        assert.ok(file.buffer.equals(fit), 'the original is returned unchanged');
        assert.match(file.headers.get('content-disposition'), /attachment; filename="activity-\d+\.fit"/);
        assertProblem(await call('GET', location.replace(/sig=[^&]+/, 'sig=AAAA')), 403, 'permission-denied');
        assertProblem(await call('GET', location.replace(/expires=\d+/, 'expires=1')), 403, 'permission-denied');

        const gpx = await call('GET', `/v1/activities/${a.id}/export.gpx`, { token: ana.token });
        assert.equal(gpx.status, 200);
        assert.match(gpx.headers.get('content-type'), /application\/gpx\+xml/);
        assert.equal((gpx.text.match(/<trkpt /g) || []).length, all.json.streams.latlng.filter((p) => p).length);
        assert.match(gpx.text, /<gpxtpx:hr>\d+<\/gpxtpx:hr>/);
    });

    test('a pool swim is measured by its lengths, which an endpoint lists behind the privacy rules', async (t) => {
        if (!server) return t.skip('no server');
        const fit = testdata(t, 'fit/6688025408.fit');
        if (!fit) return;
        const ana = await signup();
        const bob = await signup();
        const a = (await call('GET', `/v1/activities/${await uploadReady(ana.token, fit, '?data_type=fit')}`, { token: ana.token })).json;
        // SOURCES.md and the watch's session: 2300 m, 46 active lengths in 44:06, timer 1:06:03.
        assert.equal(a.sport, 'swim');
        assert.equal(a.distance_m, 2300);
        assert.ok(Math.abs(a.moving_s - 2645.8) < 30, `moving ${a.moving_s}`);
        assert.ok(Math.abs(100 / a.avg_speed_mps - 115) < 2, `pace ${100 / a.avg_speed_mps} s/100 m`);
        // The session's own totals (the records carry no heart rate): 126 bpm, 458 kcal, 1:06:23.
        assert.deepEqual([a.avg_heart_rate_bpm, a.calories_kcal, Math.round(a.elapsed_s)], [126, 458, 3983]);
        const lengths = (await call('GET', `/v1/activities/${a.id}/lengths`, { token: ana.token })).json;
        assert.equal(lengths.pool_length_m, 50);
        assert.equal(lengths.pool_length_unit, 'm');
        assert.equal(lengths.lengths.length, 64);
        assert.equal(lengths.lengths.filter((l) => l.active).length, 46);
        const first = lengths.lengths[0];
        assert.deepEqual([first.index, first.stroke, first.strokes, first.swolf], [1, 'freestyle', 22, 90]);
        assert.ok(Math.abs(first.stroke_rate_spm - 19.5) < 0.1);
        const laps = (await call('GET', `/v1/activities/${a.id}/laps`, { token: ana.token })).json.laps;
        assert.equal(laps.length, 36);
        assert.equal(laps.reduce((s, l) => s + l.distance_m, 0), 2300);
        assert.ok(laps.filter((l) => l.rest).every((l) => l.distance_m === 0));
        assert.ok(laps.filter((l) => !l.rest).every((l) => 100 / l.avg_speed_mps > 60), 'no lap at 0:02 /100 m');
        const efforts = (await call('GET', `/v1/activities/${a.id}/best-efforts`, { token: ana.token })).json.best_efforts;
        assert.deepEqual(efforts.map((e) => e.name).slice(0, 3), ['100m', '200m', '400m']);
        assert.ok(efforts.every((e) => e.distance_m / e.time_s < 2), 'no "400 m in 0:01"');
        // The velocity stream follows the lengths: no second of swimming at 0 between 50 m jumps.
        const velocity = (await call('GET', `/v1/activities/${a.id}/streams?keys=velocity_smooth`, { token: ana.token })).json.streams.velocity_smooth;
        assert.ok(Math.max(...velocity.filter((v) => v !== null)) < 1.5, 'no jump of a whole lap at once');

        // Others see it as they see the activity; hidden pace nulls the speeds; only_me is a 404.
        await call('PATCH', `/v1/activities/${a.id}`, { token: ana.token, body: { hidden_metrics: ['pace'] } });
        const seen = (await call('GET', `/v1/activities/${a.id}/lengths`, { token: bob.token })).json;
        assert.equal(seen.lengths.length, 64);
        assert.ok(seen.lengths.every((l) => l.avg_speed_mps === null));
        await call('PATCH', `/v1/activities/${a.id}`, { token: ana.token, body: { visibility: 'only_me' } });
        const missing = await call('GET', '/v1/activities/999999999/lengths', { token: bob.token });
        const hidden = await call('GET', `/v1/activities/${a.id}/lengths`, { token: bob.token });
        assertProblem(hidden, 404, 'not-found');
        assert.equal(hidden.json.detail, missing.json.detail);
        // Not a pool swim: an empty list.
        const run = testdata(t, 'fit/2067489619.fit');
        const other = await uploadReady(ana.token, run, '?data_type=fit');
        const none = (await call('GET', `/v1/activities/${other}/lengths`, { token: ana.token })).json;
        assert.deepEqual(none, { pool_length_m: null, pool_length_unit: null, lengths: [] });
    });

    test('GPX raw, TCX multipart and gzip uploads; duplicates; idempotency', async (t) => {
        if (!server) return t.skip('no server');
        const gpx = testdata(t, 'gpx/2067489619.gpx');
        const tcx = testdata(t, 'tcx/test.tcx');
        if (!gpx || !tcx) return;
        const ana = await signup();
        const id = await uploadReady(ana.token, gpx, '?data_type=gpx');
        const again = await upload(ana.token, gpx);
        assert.equal(again.status, 201);
        assert.equal((await pollUpload(ana.token, again.json.id)).status, 'duplicate');
        assert.equal((await pollUpload(ana.token, again.json.id)).duplicate_of, id);

        const boundary = '----strava1e2e';
        const multipart = Buffer.concat([
            Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nTCX run\r\n`),
            Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="data_type"\r\n\r\ntcx\r\n`),
            Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="run.tcx"\r\nContent-Type: application/octet-stream\r\n\r\n`),
            tcx, Buffer.from(`\r\n--${boundary}--\r\n`)]);
        const key = `upload-${Date.now()}`;
        const first = await upload(ana.token, multipart, { headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'idempotency-key': key } });
        assert.equal(first.status, 201, first.text);
        const second = await upload(ana.token, multipart, { headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'idempotency-key': key } });
        assert.equal(second.status, 201);
        assert.equal(second.json.id, first.json.id, 'a retried upload with the same key is the same upload');
        const tcxActivity = (await pollUpload(ana.token, first.json.id)).activity_id;
        assert.equal((await call('GET', `/v1/activities/${tcxActivity}`, { token: ana.token })).json.name, 'TCX run');
        const list = (await call('GET', '/v1/athlete/activities', { token: ana.token })).json.activities;
        assert.equal(list.length, 2, 'two distinct activities, no duplicates');

        const { gzipSync } = await import('node:zlib');
        const other = await signup();
        const gz = await uploadReady(other.token, gzipSync(gpx), '?data_type=gpx.gz');
        assert.ok(gz > 0);
        const sniffed = await uploadReady((await signup()).token, gpx);  // data_type sniffed
        assert.ok(sniffed > 0);
    });

    test('bad uploads get precise errors and create nothing', async (t) => {
        if (!server) return t.skip('no server');
        const fit = testdata(t, 'fit/2067489619.fit');
        if (!fit) return;
        const ana = await signup();
        assertProblem(await upload(null, fit), 401, 'unauthenticated');
        const corrupt = Buffer.from(fit);
        corrupt[corrupt.length - 1] ^= 0xff;
        const bad = await upload(ana.token, corrupt, { query: '?data_type=fit' });
        assertProblem(bad, 422, 'unprocessable');
        assert.match(bad.json.detail, /CRC/i, bad.json.detail);
        const xml = await upload(ana.token, Buffer.from('<?xml version="1.0"?><gpx version="1.1"><trk><trkseg><trkpt lat="91" lon="0"/></trkseg></trk></gpx>'), { query: '?data_type=gpx' });
        assertProblem(xml, 422, 'unprocessable');
        assert.match(xml.json.detail, /line 1/);
        assertProblem(await upload(ana.token, Buffer.from('hello'), {}), 422, 'unprocessable');
        assertProblem(await upload(ana.token, fit, { query: '?data_type=kml' }), 400, 'invalid-argument', 'data_type');
        assertProblem(await upload(ana.token, fit, { query: '?sport=quidditch' }), 400, 'invalid-argument', 'sport');
        assertProblem(await upload(ana.token, Buffer.alloc(0), { query: '?data_type=fit' }), 400, 'invalid-argument', 'file');
        assertProblem(await upload(ana.token, Buffer.from('--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc'), { headers: { 'content-type': 'multipart/form-data; boundary=x' } }), 400, 'invalid-argument');
        const bomb = (await import('node:zlib')).gzipSync(Buffer.alloc(300 * 1024 * 1024, 32));
        const bombRes = await upload(ana.token, bomb, { query: '?data_type=gpx.gz' });
        assertProblem(bombRes, 422, 'unprocessable');
        assert.match(bombRes.json.detail, /decompress|limit/i);
        assertProblem(await upload(ana.token, Buffer.alloc(26 * 1024 * 1024, 1), { query: '?data_type=fit' }), 413, 'too-large');
        assert.deepEqual((await call('GET', '/v1/athlete/activities', { token: ana.token })).json.activities, []);
        assertProblem(await call('GET', '/v1/uploads/999999999', { token: ana.token }), 404, 'not-found');
        assertProblem(await call('GET', '/v1/uploads/abc', { token: ana.token }), 404, 'not-found');
    });

    test('manual activities, edit, delete, lists with cursors, stats; others get 404', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await signup();
        const bob = await signup();
        const make = (body) => call('POST', '/v1/activities', { token: ana.token, body });
        const created = [];
        for (let i = 0; i < 5; i++) {
            const res = await make({ sport: i % 2 ? 'ride' : 'run', start_time: `2026-0${i + 1}-10T07:00:00Z`, elapsed_s: 3600, distance_m: 10000 + i, elevation_gain_m: 50, perceived_exertion: 5 });
            assert.equal(res.status, 201, res.text);
            assert.equal(res.json.manual, true);
            created.push(res.json);
        }
        assert.equal(created[0].name, 'Morning Run', 'named from the local hour and sport');
        assert.equal(created[0].avg_pace_s_per_km, 360);
        assertProblem(await make({ sport: 'run', start_time: 'yesterday', elapsed_s: 10 }), 400, 'invalid-argument', 'start_time');
        assertProblem(await make({ sport: 'run', start_time: '2026-01-01T00:00:00Z', elapsed_s: 0 }), 400, 'invalid-argument', 'elapsed_s');
        assertProblem(await make({ sport: 'run', start_time: '2026-01-01T00:00:00Z', elapsed_s: 10, perceived_exertion: 11 }), 400, 'invalid-argument', 'perceived_exertion');
        assertProblem(await make({ sport: 'run', start_time: '2026-01-01T00:00:00Z', elapsed_s: 10, admin: true }), 400, 'invalid-argument');
        const key = `manual-${Date.now()}`;
        const once = await call('POST', '/v1/activities', { token: ana.token, headers: { 'idempotency-key': key }, body: { sport: 'walk', start_time: '2026-06-01T12:00:00Z', elapsed_s: 600 } });
        const twice = await call('POST', '/v1/activities', { token: ana.token, headers: { 'idempotency-key': key }, body: { sport: 'walk', start_time: '2026-06-01T12:00:00Z', elapsed_s: 600 } });
        assert.equal(twice.json.id, once.json.id);

        // Cursor pagination newest first, filters.
        const pages = [];
        let cursor = null;
        do {
            const res = await call('GET', `/v1/athlete/activities?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: ana.token });
            assert.equal(res.status, 200, res.text);
            pages.push(...res.json.activities.map((x) => x.id));
            cursor = res.json.next_cursor;
        } while (cursor);
        assert.deepEqual(pages, [once.json.id, ...created.map((c) => c.id).reverse()]);
        const rides = (await call('GET', '/v1/athlete/activities?sport=ride', { token: ana.token })).json.activities;
        assert.deepEqual(rides.map((r) => r.sport), ['ride', 'ride']);
        const window = (await call('GET', '/v1/athlete/activities?after=2026-02-01T00:00:00Z&before=1775000000', { token: ana.token })).json.activities;
        assert.deepEqual(window.map((r) => r.id), [created[2].id, created[1].id]);
        assertProblem(await call('GET', '/v1/athlete/activities?limit=0', { token: ana.token }), 400, 'invalid-argument', 'limit');
        assertProblem(await call('GET', '/v1/athlete/activities?cursor=nonsense', { token: ana.token }), 400, 'invalid-argument', 'cursor');
        assertProblem(await call('GET', '/v1/athlete/activities?before=soon', { token: ana.token }), 400, 'invalid-argument', 'before');

        // Visibility: only_me hides from Bob exactly like a missing id.
        const hidden = created[0].id;
        const patched = await call('PATCH', `/v1/activities/${hidden}`, { token: ana.token, body: { visibility: 'only_me', name: 'Secret', hidden_metrics: ['calories'] } });
        assert.equal(patched.status, 200, patched.text);
        assert.equal(patched.json.visibility, 'only_me');
        assert.deepEqual(patched.json.hidden_metrics, ['calories']);
        const missing = await call('GET', '/v1/activities/999999999', { token: bob.token });
        const invisible = await call('GET', `/v1/activities/${hidden}`, { token: bob.token });
        assertProblem(invisible, 404, 'not-found');
        assert.equal(invisible.json.detail, missing.json.detail);
        for (const sub of ['streams', 'laps', 'splits', 'lengths', 'zones', 'best-efforts', 'export.gpx', 'original']) {
            assertProblem(await call('GET', `/v1/activities/${hidden}/${sub}`, { token: bob.token }), 404, 'not-found');
        }
        const bobsView = (await call('GET', `/v1/users/${ana.id}/activities?limit=100`, { token: bob.token })).json.activities;
        assert.ok(!bobsView.some((x) => x.id === hidden));
        assert.equal(bobsView.length, 5);
        assertProblem(await call('PATCH', `/v1/activities/${created[1].id}`, { token: bob.token, body: { name: 'Mine now' } }), 404, 'not-found');
        assertProblem(await call('DELETE', `/v1/activities/${created[1].id}`, { token: bob.token }), 404, 'not-found');
        assertProblem(await call('PATCH', `/v1/activities/${hidden}`, { token: ana.token, body: { visibility: 'friends' } }), 400, 'invalid-argument', 'visibility');
        assertProblem(await call('PATCH', `/v1/activities/${hidden}`, { token: ana.token, body: { name: null } }), 400, 'invalid-argument', 'name');
        assertProblem(await call('PATCH', `/v1/activities/${hidden}`, { token: ana.token, body: { hidden_metrics: ['mood'] } }), 400, 'invalid-argument', 'hidden_metrics');
        assertProblem(await call('PATCH', `/v1/activities/${hidden}`, { token: ana.token, body: { hide_endpoints_m: 5000 } }), 400, 'invalid-argument', 'hide_endpoints_m');

        // Hidden metrics are null for Bob and present for Ana.
        await call('PATCH', `/v1/activities/${created[2].id}`, { token: ana.token, body: { hidden_metrics: ['pace', 'start_time'] } });
        const seen = (await call('GET', `/v1/activities/${created[2].id}`, { token: bob.token })).json;
        assert.equal(seen.avg_pace_s_per_km, null);
        assert.equal(seen.avg_speed_mps, null);
        assert.equal(seen.start_time, null);
        assert.equal(seen.start_date, '2026-03-10');
        assert.deepEqual(seen.hidden_metrics, []);
        assert.equal(seen.hide_endpoints_m, null);
        const own = (await call('GET', `/v1/activities/${created[2].id}`, { token: ana.token })).json;
        assert.ok(own.avg_pace_s_per_km > 0);
        assert.equal(own.start_time, '2026-03-10T07:00:00Z');

        // Stats: Bob sees the visible ones, Ana all of hers.
        const mine = (await call('GET', `/v1/users/${ana.id}/stats`, { token: ana.token })).json;
        assert.equal(mine.all.run.count, 3);
        assert.equal(mine.all.ride.count, 2);
        assert.equal(mine.all.walk.count, 1);
        const bobs = (await call('GET', `/v1/users/${ana.id}/stats`, { token: bob.token })).json;
        assert.equal(bobs.all.run.count, 2);
        assert.equal(bobs.all.run.distance_m, 10002 + 10004);
        assertProblem(await call('GET', '/v1/users/999999999/stats', { token: bob.token }), 404, 'not-found');
        assertProblem(await call('GET', '/v1/users/999999999/activities', { token: bob.token }), 404, 'not-found');

        assert.equal((await call('DELETE', `/v1/activities/${created[4].id}`, { token: ana.token })).status, 204);
        assertProblem(await call('GET', `/v1/activities/${created[4].id}`, { token: ana.token }), 404, 'not-found');
        assertProblem(await call('DELETE', `/v1/activities/${created[4].id}`, { token: ana.token }), 404, 'not-found');
    });

    test('personal records are updated when beaten and recomputed when an activity is deleted', async (t) => {
        if (!server) return t.skip('no server');
        const fit = testdata(t, 'fit/2067489619.fit');
        const tcx = testdata(t, 'tcx/test.tcx');
        if (!fit || !tcx) return;
        const ana = await signup();
        const first = await uploadReady(ana.token, fit);
        const second = await uploadReady(ana.token, tcx);
        const records = (await call('GET', '/v1/me/records', { token: ana.token })).json.records;
        const byName = Object.fromEntries(records.map((r) => [r.name, r]));
        const e1 = Object.fromEntries((await call('GET', `/v1/activities/${first}/best-efforts`, { token: ana.token })).json.best_efforts.map((e) => [e.name, e]));
        const e2 = Object.fromEntries((await call('GET', `/v1/activities/${second}/best-efforts`, { token: ana.token })).json.best_efforts.map((e) => [e.name, e]));
        for (const name of Object.keys(e1).filter((n) => n in e2)) {
            const best = Math.min(e1[name].time_s, e2[name].time_s);
            assert.equal(byName[name].time_s, best, name);
            assert.equal(byName[name].activity_id, e1[name].time_s <= e2[name].time_s ? first : second, name);
        }
        // Delete whichever holds the 1k record: the other's effort becomes the record.
        const holder = byName['1k'].activity_id;
        const other = holder === first ? second : first;
        assert.equal((await call('DELETE', `/v1/activities/${holder}`, { token: ana.token })).status, 204);
        const after1k = (await call('GET', '/v1/me/records', { token: ana.token })).json.records.find((r) => r.name === '1k');
        assert.equal(after1k.activity_id, other);
        const otherEfforts = (await call('GET', `/v1/activities/${other}/best-efforts`, { token: ana.token })).json.best_efforts;
        assert.ok(otherEfforts.every((e) => e.pr_rank === 1 || e.pr_rank === 2));
    });

    test('privacy zones: CRUD and validation', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await signup();
        const bob = await signup();
        const z = await call('POST', '/v1/me/privacy-zones', { token: ana.token, body: { lat: 46.05, lng: 14.5, radius_m: 500 } });
        assert.equal(z.status, 201, z.text);
        assert.deepEqual((await call('GET', '/v1/me/privacy-zones', { token: ana.token })).json.zones, [z.json]);
        assert.deepEqual((await call('GET', '/v1/me/privacy-zones', { token: bob.token })).json.zones, []);
        assertProblem(await call('POST', '/v1/me/privacy-zones', { token: ana.token, body: { lat: 95, lng: 0, radius_m: 500 } }), 400, 'invalid-argument', 'lat');
        assertProblem(await call('POST', '/v1/me/privacy-zones', { token: ana.token, body: { lat: 0, lng: 0, radius_m: 10 } }), 400, 'invalid-argument', 'radius_m');
        assertProblem(await call('DELETE', `/v1/me/privacy-zones/${z.json.id}`, { token: bob.token }), 404, 'not-found');
        assert.equal((await call('DELETE', `/v1/me/privacy-zones/${z.json.id}`, { token: ana.token })).status, 204);
        assertProblem(await call('DELETE', `/v1/me/privacy-zones/${z.json.id}`, { token: ana.token }), 404, 'not-found');
    });

    test('privacy: 20 activities from one home point never reveal it to another user', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await signup();
        const bob = await signup();
        // The profile's default radius: validated, and given to each new activity.
        assertProblem(await call('PATCH', '/v1/me', { token: ana.token, body: { hide_endpoints_m: 2000 } }), 400, 'invalid-argument', 'hide_endpoints_m');
        assertProblem(await call('PATCH', '/v1/me', { token: ana.token, body: { hide_endpoints_m: null } }), 400, 'invalid-argument', 'hide_endpoints_m');
        assert.equal((await call('GET', '/v1/me', { token: ana.token })).json.hide_endpoints_m, 200);
        const home = [46.0569, 14.5058];
        const ids = [];
        for (let i = 0; i < 20; i++) {
            const day = String(1 + i).padStart(2, '0');
            ids.push(await uploadReady(ana.token, gpxLoop(home, 1000 + i * 7919, `2026-10-${day}T06:30:00Z`), '?data_type=gpx'));
        }
        // A privacy zone around a point on the way hides that too.
        assert.equal((await call('GET', `/v1/activities/${ids[0]}`, { token: ana.token })).json.hide_endpoints_m, 200);
        const ownFirst = await call('GET', `/v1/activities/${ids[0]}/streams?keys=latlng`, { token: ana.token });
        const waypoint = ownFirst.json.streams.latlng[150];
        assert.ok(distanceM(ownFirst.json.streams.latlng[0], home) < 1, 'the owner sees the real start');
        await call('POST', '/v1/me/privacy-zones', { token: ana.token, body: { lat: waypoint[0], lng: waypoint[1], radius_m: 150 } });

        const kHidden = 200;
        let mapsHidden = 0;
        const ends = [];
        const everyPoint = [];
        const list = (await call('GET', `/v1/users/${ana.id}/activities?limit=100`, { token: bob.token })).json.activities;
        assert.equal(list.length, 20);
        for (const row of list) {
            if (row.summary_polyline) everyPoint.push(...decodePolyline(row.summary_polyline), row.start_latlng, row.end_latlng);
        }
        for (const id of ids) {
            const detail = (await call('GET', `/v1/activities/${id}`, { token: bob.token })).json;
            const s = (await call('GET', `/v1/activities/${id}/streams?keys=latlng`, { token: bob.token })).json;
            if (!s.streams.latlng) {
                // The guard withheld this map: nothing of it may leak anywhere.
                mapsHidden += 1;
                assert.equal(detail.polyline, null);
                assert.equal(detail.start_latlng, null);
                assert.equal((await call('GET', `/v1/activities/${id}/export.gpx`, { token: bob.token })).status, 404);
                continue;
            }
            everyPoint.push(...decodePolyline(detail.polyline), ...decodePolyline(detail.summary_polyline));
            const latlng = s.streams.latlng.filter((p) => p);
            const own = (await call('GET', `/v1/activities/${id}`, { token: ana.token })).json;
            assert.ok(latlng.length < own.point_count, 'some points are withheld');
            assert.equal(detail.point_count, s.original_size, 'Bob is told how many samples he is shown, no more');
            assert.equal(s.original_size, s.size, 'the streams count only what Bob may see');
            everyPoint.push(...latlng);
            if (latlng.length) ends.push(latlng[0], latlng.at(-1));
            const gpx = (await call('GET', `/v1/activities/${id}/export.gpx`, { token: bob.token })).text;
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

        assert.equal((await call('PATCH', '/v1/me', { token: ana.token, body: { hide_endpoints_m: 400 } })).json.hide_endpoints_m, 400);
        const later = await uploadReady(ana.token, gpxLoop(home, 424242, '2026-11-05T06:30:00Z'), '?data_type=gpx');
        assert.equal((await call('GET', `/v1/activities/${later}`, { token: ana.token })).json.hide_endpoints_m, 400);

        // The owner turning hiding off shows the real start to others; turning it up hides more.
        await call('PATCH', `/v1/activities/${ids[0]}`, { token: ana.token, body: { hide_endpoints_m: 0 } });
        const open = (await call('GET', `/v1/activities/${ids[0]}/streams?keys=latlng`, { token: bob.token })).json.streams.latlng;
        assert.ok(distanceM(open[0], home) < 1);
        await call('PATCH', `/v1/activities/${ids[0]}`, { token: ana.token, body: { hide_endpoints_m: 1600 } });
        const wide = ((await call('GET', `/v1/activities/${ids[0]}/streams?keys=latlng`, { token: bob.token })).json.streams.latlng ?? []).filter((p) => p);
        assert.ok(wide.every((p) => distanceM(p, home) > 1600));
    });

    test('every file in the test data becomes exactly its expected activity, duplicate or precise 4xx, never a 5xx', async (t) => {
        if (!server) return t.skip('no server');
        if (!existsSync(kTestdata)) {
            testdata(t, 'gpx');
            return;
        }
        const { readdirSync } = await import('node:fs');
        const ana = await signup();
        const fileOf = new Map();  // activity id -> the file it came from
        const outcome = {};
        for (const dir of ['gpx', 'tcx', 'fit']) {
            for (const name of readdirSync(join(kTestdata, dir)).sort()) {
                if (!name.endsWith(`.${dir}`)) continue;
                const file = `${dir}/${name}`;
                const bytes = readFileSync(join(kTestdata, dir, name));
                const res = await upload(ana.token, bytes, { query: `?data_type=${dir}` });
                if (bytes.length === 0) {
                    assertProblem(res, 400, 'invalid-argument', 'file');
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
                const done = await pollUpload(ana.token, res.json.id);
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
        const path = join(kTestdata, 'fit', '2067489619.fit');
        if (!testdata(t, 'fit/2067489619.fit')) return;
        const ana = await signup();
        const run = (args) => spawnSync(binaryPath(), ['import', ...args, `--database-url=${server.databaseUrl}`, `--data-dir=${server.dataDir}`], { encoding: 'utf8', env: kCliEnv });
        const first = run([`--user=${ana.email}`, path]);
        assert.equal(first.status, 0, first.stdout + first.stderr);
        const id = Number(first.stdout.match(/activity (\d+)/)[1]);
        assert.equal((await call('GET', `/v1/activities/${id}`, { token: ana.token })).json.sport, 'run');
        const dup = run([`--user=${ana.email}`, path]);
        assert.equal(dup.status, 0);
        assert.match(dup.stdout, new RegExp(`duplicate of activity ${id}`));
        const missing = run(['--user=nobody@example.com', path]);
        assert.equal(missing.status, 2);
        const bad = run([`--user=${ana.email}`, join(repoRoot, 'README.md')]);
        assert.equal(bad.status, 1);
        assert.match(bad.stdout, /refused/);
        // The server serves the imported original too (same data dir).
        const original = await call('GET', `/v1/activities/${id}/original`, { token: ana.token });
        assert.equal(original.status, 200);
    });
});
