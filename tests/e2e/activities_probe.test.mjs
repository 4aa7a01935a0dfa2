// End-to-end probes of workouts found by trying the product (issue 7): the same workout uploaded in
// two formats, overlapping manual entries, implausible manual entries, gzip bombs against the
// server's memory, signed URLs after account deletion, and what others can measure of a hidden
// start from the streams, splits, laps, best efforts and the GPX export.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { api, assertProblem, kEarthRadiusM, kFastHash, kPassword, kRoomyLimits, offset, requireServices, sql, startServer, testdata } from './kit.mjs';

// The gzip bomb test's bound on the debug (ASan) server's peak RSS (see the test), in MB.
// How far above its RSS before the bombs the debug binary may peak (see the gzip bomb test).
const kDebugHeadroomMb = 70;

let server;
let client;

/** A GPX run from `home`, 10 m east every 3 s for `points` points (a straight line away from home). */
function gpxRun(home, startIso, points, { name = 'Probe run' } = {}) {
    const t0 = Date.parse(startIso);
    const pts = [];
    for (let i = 0; i < points; i++) {
        const q = offset(home, 0, 10 * i);
        pts.push(`<trkpt lat="${q[0].toFixed(7)}" lon="${q[1].toFixed(7)}"><ele>${(300 + 3 * Math.sin(i / 20)).toFixed(1)}</ele><time>${new Date(t0 + i * 3000).toISOString()}</time></trkpt>`);
    }
    return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="probe" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>${name}</name><type>running</type><trkseg>\n${pts.join('\n')}\n</trkseg></trk></gpx>\n`);
}

/** gzip of `bytes` spaces, streamed so the input never exists in memory. */
async function gzipBomb(bytes) {
    const gzip = createGzip({ level: 9 });
    const parts = [];
    gzip.on('data', (chunk) => parts.push(chunk));
    const done = new Promise((ok, fail) => { gzip.on('end', ok); gzip.on('error', fail); });
    const chunk = Buffer.alloc(16 << 20, 32);
    for (let written = 0; written < bytes; written += chunk.length) {
        if (!gzip.write(chunk.subarray(0, Math.min(chunk.length, bytes - written)))) await new Promise((ok) => gzip.once('drain', ok));
    }
    gzip.end();
    await done;
    return Buffer.concat(parts);
}

function memoryMb(pid) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)[1]);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Starts a new peak: VmHWM is reset to the current RSS (proc(5), clear_refs). */
function resetPeakRss(pid) {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

describe('workouts probes', () => {
    before(async (t) => {
        if (!requireServices(t)) return;
        server = await startServer({ args: [kFastHash, ...kRoomyLimits] });
        client = api(server);
    });
    after(async () => { await server?.stop(); });

    test('the same workout as FIT and as GPX is one activity, in either order (item 6)', async (t) => {
        if (!server) return t.skip('no server');
        const pairs = [['fit/3939576645.fit', 'gpx/3939576645.gpx'], ['gpx/2067489619.gpx', 'fit/2067489619.fit']];
        for (const [firstFile, secondFile] of pairs) {
            const first = testdata(t, firstFile);
            const second = testdata(t, secondFile);
            if (!first || !second) return;
            const ana = await client.signUp();
            const id = await client.as(ana).uploadReady(first);
            const dup = await client.as(ana).uploadDone(second);
            // The answer of a duplicate file: the upload is created, its status says duplicate and
            // names the activity it duplicates; no activity is added.
            assert.equal(dup.status, 'duplicate', `${secondFile}: ${JSON.stringify(dup)}`);
            assert.equal(dup.duplicate_of, id);
            assert.deepEqual(dup.activity_ids, []);
            const list = (await client.as(ana).get('/v1/athlete/activities')).json.activities;
            assert.deepEqual(list.map((a) => a.id), [id], 'one activity');
            const records = (await client.as(ana).get('/v1/me/records')).json.records;
            const efforts = (await client.as(ana).get(`/v1/activities/${id}/best-efforts`)).json.best_efforts;
            assert.deepEqual(records.map((r) => [r.name, r.activity_id, r.time_s]), efforts.map((e) => [e.name, id, e.time_s]),
                'best efforts count once: the records are the first file\'s efforts');
        }
    });

    test('a multisport file keeps its legs; a leg uploaded again is a duplicate of that leg (item 6)', async (t) => {
        if (!server) return t.skip('no server');
        const triathlon = testdata(t, 'fit/4623204522.fit');
        const swimLeg = testdata(t, 'gpx/4623204522-1.gpx');
        if (!triathlon || !swimLeg) return;
        const ana = await client.signUp();
        const done = await client.as(ana).uploadDone(triathlon);
        assert.equal(done.status, 'ready', JSON.stringify(done));
        // SOURCES.md: swim, transition, ride, transition, run; the transitions are not activities.
        const legs = await Promise.all(done.activity_ids.map(async (id) => (await client.as(ana).get(`/v1/activities/${id}`)).json));
        assert.deepEqual(legs.map((leg) => [leg.sport, leg.start_time]),
            [['swim', '2018-10-13T17:05:01Z'], ['ride', '2018-10-13T18:10:15Z'], ['run', '2018-10-13T22:57:45Z']]);
        assert.equal(legs[0].distance_m, 3933.3, 'SOURCES.md: the swim leg\'s 3933.3 m');
        const dup = await client.as(ana).uploadDone(swimLeg);
        assert.equal(dup.status, 'duplicate', JSON.stringify(dup));
        assert.equal(dup.duplicate_of, legs[0].id, 'the swim leg');
    });

    test('adjacent activities are not duplicates; overlapping ones are, whatever the device (item 6)', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const home = [46.0569, 14.5058];
        // 600 points, 3 s apart: 07:00:00 to 07:29:57.
        const first = await client.as(ana).uploadReady(gpxRun(home, '2026-05-04T07:00:00Z', 600), '?data_type=gpx');
        // Back to back, the second started 30 s before the first was stopped (within the tolerance).
        const second = await client.as(ana).uploadReady(gpxRun(offset(home, 500, 0), '2026-05-04T07:29:27Z', 300), '?data_type=gpx');
        assert.notEqual(first, second);
        // Starting a minute and a half before the first ended: more than the tolerance.
        const third = await client.as(ana).uploadDone(gpxRun(offset(home, 900, 0), '2026-05-04T07:28:27Z', 300, { name: 'Other watch' }), '?data_type=gpx');
        assert.equal(third.status, 'duplicate');
        assert.equal(third.duplicate_of, first);
        const list = (await client.as(ana).get('/v1/athlete/activities')).json.activities;
        assert.equal(list.length, 2);
    });

    test('manual activities count: they cannot overlap another activity, nor an upload them (item 6)', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const home = [46.0569, 14.5058];
        const uploaded = await client.as(ana).uploadReady(gpxRun(home, '2026-05-05T07:00:00Z', 600), '?data_type=gpx');
        const manual = (body) => client.as(ana).post('/v1/activities', { sport: 'run', elapsed_s: 1800, distance_m: 5000, ...body });
        const overlapping = await manual({ start_time: '2026-05-05T07:10:00Z' });
        assertProblem(overlapping, 409, { field: 'start_time' });
        assert.match(overlapping.json.errors[0].reason, new RegExp(`activity ${uploaded}\\b`));
        // Back to back with the upload is fine.
        const after = await manual({ start_time: '2026-05-05T07:30:00Z' });
        assert.equal(after.status, 201, after.text);
        // A file recorded while a manual entry says the athlete was busy is a duplicate of it.
        const entry = await manual({ start_time: '2026-05-06T18:00:00Z' });
        assert.equal(entry.status, 201, entry.text);
        const file = await client.as(ana).uploadDone(gpxRun(home, '2026-05-06T18:05:00Z', 200), '?data_type=gpx');
        assert.equal(file.status, 'duplicate');
        assert.equal(file.duplicate_of, entry.json.id);
        assertProblem(await manual({ start_time: '2026-05-06T18:20:00Z', sport: 'ride' }), 409, { field: 'start_time' });
    });

    test('manual activities in the future or faster than the sport allows are 400s naming the field (item 16)', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const make = (body) => client.as(ana).post('/v1/activities', body);
        const inTwoDays = new Date(Date.now() + 2 * 86400_000).toISOString();
        assertProblem(await make({ sport: 'run', start_time: inTwoDays, elapsed_s: 1800 }), 400, { field: 'start_time' });
        assertProblem(await make({ sport: 'run', start_time: '1850-06-01T07:00:00Z', elapsed_s: 1800 }), 400, { field: 'start_time' });
        const absurd = await make({ sport: 'ride', start_time: '2026-02-01T07:00:00Z', elapsed_s: 1800, distance_m: 10_000_000 });
        assertProblem(absurd, 400, { field: 'distance_m' });
        assert.match(absurd.json.errors.find((e) => e.field === 'distance_m').reason, /m\/s/);
        assertProblem(await make({ sport: 'run', start_time: '2026-02-02T07:00:00Z', elapsed_s: 3600, distance_m: 50_000 }), 400, { field: 'distance_m' });
        assertProblem(await make({ sport: 'swim', start_time: '2026-02-03T07:00:00Z', elapsed_s: 300, distance_m: 1500 }), 400, { field: 'distance_m' });
        // The moving time is what the speed is measured over.
        assertProblem(await make({ sport: 'walk', start_time: '2026-02-04T07:00:00Z', elapsed_s: 7200, moving_s: 600, distance_m: 6000 }), 400, { field: 'distance_m' });
        // Sane entries pass: today (a few hours ahead is allowed for time zones), a marathon, a long ride.
        const soon = new Date(Date.now() + 3 * 3600_000).toISOString();
        assert.equal((await make({ sport: 'run', start_time: soon, elapsed_s: 1800, distance_m: 6000 })).status, 201);
        assert.equal((await make({ sport: 'run', start_time: '2026-02-05T07:00:00Z', elapsed_s: 7300, distance_m: 42_195 })).status, 201);
        assert.equal((await make({ sport: 'ride', start_time: '2026-02-06T07:00:00Z', elapsed_s: 6 * 3600, distance_m: 200_000 })).status, 201);
        assert.equal((await make({ sport: 'swim', start_time: '2026-02-07T07:00:00Z', elapsed_s: 1500, distance_m: 1500 })).status, 201);
    });

    test('a manual activity cannot get past the bounds by changing its sport afterwards (item 16)', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        // 43.2 km in 30 minutes: 24 m/s, a fast but possible ride, an impossible run.
        const ride = await client.as(ana).post('/v1/activities', { sport: 'ride', start_time: '2026-03-01T07:00:00Z', elapsed_s: 1800, distance_m: 43_200 });
        assert.equal(ride.status, 201, ride.text);
        const id = ride.json.id;
        const patch = (body) => client.as(ana).patch(`/v1/activities/${id}`, body);
        const run = await patch({ sport: 'run' });
        assertProblem(run, 400, { field: 'sport' });
        assert.match(run.json.errors.find((e) => e.field === 'sport').reason, /24\.0 m\/s; a run averages at most 11 m\/s/);
        assertProblem(await patch({ sport: 'walk', name: 'Renamed' }), 400, { field: 'sport' });
        const kept = (await client.as(ana).get(`/v1/activities/${id}`)).json;
        assert.equal(kept.sport, 'ride');
        assert.equal(kept.name, ride.json.name, 'a refused PATCH changes nothing');
        // Another sport that allows the speed, and edits that leave the sport alone, still pass.
        const mtb = await patch({ sport: 'mountain_bike' });
        assert.equal(mtb.status, 200, mtb.text);
        assert.equal(mtb.json.sport, 'mountain_bike');
        assert.equal((await patch({ name: 'Fast one' })).status, 200);
    });

    test('six concurrent gzip bombs are each refused with a 422, and files too large to decode with a 413, without taking memory (item 13)', async (t) => {
        if (!server) return t.skip('no server');
        // A server of its own: the shared one's heap (and ASan's quarantine of what it freed) grows
        // with every earlier test, which would make any absolute bound depend on their order.
        const fresh = await startServer({ args: [kFastHash, ...kRoomyLimits] });
        t.after(() => fresh.stop());
        const freshClient = api(fresh);
        const signed = await freshClient.post('/v1/auth/signup', { email: `bombs${process.pid}@example.com`, password: kPassword, display_name: 'Bombs' });
        assert.equal(signed.status, 201, signed.text);
        const token = signed.json.access_token;
        // 512 MiB of spaces: over the 100 MiB ceiling (4 x the 25 MiB upload limit).
        const bomb = await gzipBomb(512 * 1024 * 1024);
        // 92 MiB: under that ceiling, but decoding that much GPX is estimated at 3 bytes a byte,
        // more than the whole 256 MiB decode budget.
        const nearCap = await gzipBomb(92 * 1024 * 1024);
        await freshClient.as(token).get('/v1/athlete/activities');
        // Start-up (migrations) has its own peak: measure this test's from here.
        resetPeakRss(fresh.proc.pid);
        const before = memoryMb(fresh.proc.pid);
        assert.ok(before.peak <= before.rss + 1, `the peak was reset: ${JSON.stringify(before)}`);
        const send = (bytes) => freshClient.as(token).post('/v1/uploads?data_type=gpx.gz', bytes, { headers: { 'content-type': 'application/octet-stream' } });
        const answers = await Promise.all([...Array(6).fill(bomb), ...Array(3).fill(nearCap)].map(send));
        const after = memoryMb(fresh.proc.pid);
        process.stdout.write(`# RSS ${before.rss.toFixed(1)} MB before, peak ${after.peak.toFixed(1)} MB under 6 concurrent bombs and 3 near the ceiling (this binary)\n`);
        for (const res of answers.slice(0, 6)) {
            assertProblem(res, 422);
            assert.equal(res.json.detail, "We couldn't read this file: the compressed file expands to far more than the upload limit");
        }
        // Before: they were decoded one at a time, each charged the whole budget but taking more.
        for (const res of answers.slice(6)) {
            assertProblem(res, 413);
            assert.match(res.json.detail, /a GPX file may hold at most 89478485 bytes once decompressed \(this one holds 96468992\) with a decode budget of 256 MiB/);
        }
        // The target is a peak below 150 MB for the release binary, which idles at about 17 MB and
        // peaks at about 30 MB here (bench/uploads/gzip_bombs.mjs). This is the debug binary, whose
        // ASan shadow memory and allocator make it idle far higher (90 MB, more as modules are added)
        // and peak a few MB above that: the bound is its RSS just before plus 70 MB, so even one
        // bomb's output held up to the 100 MiB ceiling fails it (a build that did so peaked at 733 MB).
        assert.ok(after.peak < before.rss + kDebugHeadroomMb, `peak RSS ${after.peak.toFixed(1)} MB (RSS before: ${before.rss.toFixed(1)} MB)`);
        assert.deepEqual((await freshClient.as(token).get('/v1/athlete/activities')).json.activities, []);
    });

    test('a signed URL answers 404 as soon as its owner\'s account is deleted (item 15)', async (t) => {
        if (!server) return t.skip('no server');
        const fit = testdata(t, 'fit/2067489619.fit');
        if (!fit) return;
        const ana = await client.signUp();
        const id = await client.as(ana).uploadReady(fit);
        const original = await client.as(ana).get(`/v1/activities/${id}/original`, { redirect: 'manual' });
        assert.equal(original.status, 302);
        const location = original.headers.get('location');
        assert.equal((await client.get(location)).status, 200);
        const gone = await client.as(ana).delete('/v1/me', { password: kPassword });
        assert.equal(gone.status, 204, gone.text);
        assertProblem(await client.get(location), 404);
    });

    test('others\' streams, splits, laps, best efforts and export begin at the first visible point (item 14)', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const bob = await client.signUp();
        const home = [46.0569, 14.5058];
        // 1500 points: 15 km east of home in 75 min; the default 200 m hides the start and the end.
        const id = await client.as(ana).uploadReady(gpxRun(home, '2026-06-01T06:00:00Z', 1500), '?data_type=gpx');
        const keys = 'time,distance,latlng';
        const own = (await client.as(ana).get(`/v1/activities/${id}/streams?keys=${keys}`)).json;
        const theirs = (await client.as(bob).get(`/v1/activities/${id}/streams?keys=${keys}`)).json;
        assert.equal(own.original_size, 1500);
        assert.equal(own.streams.time[0], 0);
        assert.ok(theirs.size < own.size, 'the ends are hidden from Bob');
        assert.equal(theirs.original_size, theirs.size, 'the count of hidden samples is not told');
        assert.equal(theirs.streams.time[0], 0, 'time starts at the first visible point');
        assert.equal(theirs.streams.distance[0], 0, 'distance starts at the first visible point');
        // The first visible point is where the owner's stream has it, and the spans agree.
        const skipped = own.streams.latlng.findIndex((p) => p[0] === theirs.streams.latlng[0][0] && p[1] === theirs.streams.latlng[0][1]);
        // Not a figure but the guarantee (libs/geo privacy.hpp, EndpointDisc): every point within 2R
        // of home is hidden, none beyond 7R (the anchor at most 2R off, its disc at most 5R wide);
        // where between is the athlete's secret. With R = 200 m and a point every 10 m: 41..140.
        assert.ok(skipped >= 41 && skipped <= 140, `first visible point: sample ${skipped}`);
        const last = theirs.size - 1;
        assert.ok(Math.abs(theirs.streams.time[last] - (own.streams.time[skipped + last] - own.streams.time[skipped])) < 0.01);
        assert.ok(Math.abs(theirs.streams.distance[last] - (own.streams.distance[skipped + last] - own.streams.distance[skipped])) < 0.02);
        const shownDistance = theirs.streams.distance[last];
        const shownTime = theirs.streams.time[last];

        // Splits and laps are measured from there: they add up to what Bob's streams show.
        const splits = (await client.as(bob).get(`/v1/activities/${id}/splits`)).json;
        const ownSplits = (await client.as(ana).get(`/v1/activities/${id}/splits`)).json;
        const sum = (xs, key) => xs.reduce((s, x) => s + x[key], 0);
        assert.ok(Math.abs(sum(splits.splits_km, 'distance_m') - shownDistance) < 1, `${sum(splits.splits_km, 'distance_m')} vs ${shownDistance}`);
        assert.ok(Math.abs(sum(splits.splits_km, 'elapsed_s') - shownTime) < 1);
        assert.ok(Math.abs(sum(ownSplits.splits_km, 'distance_m') - own.streams.distance.at(-1)) < 1);
        assert.equal(splits.splits_km[0].start_index, 0);
        assert.ok(Math.abs(splits.splits_km[0].distance_m - 1000) < 0.5, 'the first split is a whole km from the first visible point');
        assert.ok(splits.splits_km.every((s) => s.end_index <= last));
        assert.equal(splits.splits_km.length, Math.ceil(shownDistance / 1000), `${shownDistance} m shown`);
        const laps = (await client.as(bob).get(`/v1/activities/${id}/laps`)).json.laps;
        assert.ok(Math.abs(sum(laps, 'distance_m') - shownDistance) < 1);
        assert.equal(laps[0].start_index, 0);

        // Best efforts: only those wholly inside what Bob sees, indexed in his streams.
        const efforts = (await client.as(bob).get(`/v1/activities/${id}/best-efforts`)).json.best_efforts;
        const ownEfforts = (await client.as(ana).get(`/v1/activities/${id}/best-efforts`)).json.best_efforts;
        assert.deepEqual(efforts.map((e) => e.name), ownEfforts.filter((e) => e.distance_m <= shownDistance).map((e) => e.name),
            `every standard distance within the ${shownDistance} m shown`);
        for (const e of efforts) {
            assert.ok(e.start_index >= 0 && e.end_index <= last, JSON.stringify(e));
            const covered = theirs.streams.distance[e.end_index] - theirs.streams.distance[e.start_index];
            assert.ok(covered >= e.distance_m - 0.5, `${e.name}: ${covered} m between its indexes`);
        }

        // The export: the first visible point carries the activity's start time.
        const detail = (await client.as(bob).get(`/v1/activities/${id}`)).json;
        const gpx = (await client.as(bob).get(`/v1/activities/${id}/export.gpx`)).text;
        const firstTime = /<time>([^<]+)<\/time>/.exec(gpx)[1];
        assert.equal(Date.parse(firstTime), Date.parse(detail.start_time));
        const ownGpx = (await client.as(ana).get(`/v1/activities/${id}/export.gpx`)).text;
        assert.equal(Date.parse(/<time>([^<]+)<\/time>/.exec(ownGpx)[1]), Date.parse('2026-06-01T06:00:00Z'));
    });

    test('others\' laps, splits and best efforts are read as stored, not measured again per request (review item 4)', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const bob = await client.signUp();
        const home = [46.0569, 14.5058];
        const id = await client.as(ana).uploadReady(gpxRun(home, '2026-06-02T06:00:00Z', 1500), '?data_type=gpx');
        const views = async () => Object.fromEntries(await Promise.all(['laps', 'splits', 'best-efforts'].map(async (path) => {
            const res = await client.as(bob).get(`/v1/activities/${id}/${path}`);
            assert.equal(res.status, 200, `${path}: ${res.text}`);
            return [path, res.json];
        })));
        const first = await views();
        // What is compared below is worth comparing: a split per km and every standard distance Bob is shown.
        const shown = (await client.as(bob).get(`/v1/activities/${id}/streams?keys=distance`)).json.streams.distance.at(-1);
        const ownEfforts = (await client.as(ana).get(`/v1/activities/${id}/best-efforts`)).json.best_efforts;
        assert.equal(first.splits.splits_km.length, Math.ceil(shown / 1000), `${shown} m shown`);
        assert.deepEqual(first['best-efforts'].best_efforts.map((e) => e.name), ownEfforts.filter((e) => e.distance_m <= shown).map((e) => e.name));
        const computed = await sql(server, `SELECT public_areas FROM activities WHERE id = ${id}`);
        assert.match(computed, /^v2:[0-9a-f]{32}$/, 'computed when the activity was stored');

        // Computed for other areas (or never): the first read computes it again and stores it.
        await sql(server, `UPDATE activities SET public_areas = NULL, public_analysis = NULL WHERE id = ${id}`);
        assert.deepEqual(await views(), first);
        assert.equal(await sql(server, `SELECT public_areas FROM activities WHERE id = ${id}`), computed);

        // Reads do not touch the track any more: with its samples unreadable, they answer as before
        // (before, each decoded and analysed the track again, here a 500).
        const blob = await sql(server, `SELECT encode(data, 'hex') FROM activity_streams WHERE activity_id = ${id}`);
        await sql(server, `UPDATE activity_streams SET data = '\\x00'::bytea WHERE activity_id = ${id}`);
        try {
            assert.deepEqual(await views(), first);
        } finally {
            await sql(server, `UPDATE activity_streams SET data = decode('${blob}', 'hex') WHERE activity_id = ${id}`);
        }

        // A new privacy zone over the last 4 km (the end's own disc hides at most 1.4 km) is applied at
        // once: Bob is shown less of the run, and his splits still add up to his distance stream.
        const far = offset(home, 0, 14_990);
        const zone = await client.as(ana).post('/v1/me/privacy-zones', { lat: far[0], lng: far[1], radius_m: 4000 });
        assert.equal(zone.status, 201, zone.text);
        assert.notEqual(await sql(server, `SELECT public_areas FROM activities WHERE id = ${id}`), computed, 'recomputed with the zone');
        const after = await views();
        const streams = (await client.as(bob).get(`/v1/activities/${id}/streams?keys=distance`)).json;
        const sum = (xs) => xs.reduce((total, x) => total + x.distance_m, 0);
        assert.ok(sum(after.splits.splits_km) < sum(first.splits.splits_km) - 1500);
        assert.ok(Math.abs(sum(after.splits.splits_km) - streams.streams.distance.at(-1)) < 1);
        assert.ok(after['best-efforts'].best_efforts.every((e) => e.end_index < streams.original_size));
        // And removing it gives back what Bob saw before.
        assert.equal((await client.as(ana).delete(`/v1/me/privacy-zones/${zone.json.id}`)).status, 204);
        assert.equal(await sql(server, `SELECT public_areas FROM activities WHERE id = ${id}`), computed);
        assert.deepEqual(await views(), first);
    });

    test('no figure others are shown measures a hidden end, also when only one end is hidden (review item 1)', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const bob = await client.signUp();
        const home = [46.0469, 14.4958];
        // No hidden ends, but a privacy zone at home: only the start of a run away from home is hidden.
        assert.equal((await client.as(ana).patch('/v1/me', { hide_endpoints_m: 0 })).status, 200);
        const zone = await client.as(ana).post('/v1/me/privacy-zones', { lat: home[0], lng: home[1], radius_m: 500 });
        assert.equal(zone.status, 201, zone.text);
        const id = await client.as(ana).uploadReady(gpxRun(home, '2026-06-03T06:00:00Z', 1500), '?data_type=gpx');
        const own = (await client.as(ana).get(`/v1/activities/${id}`)).json;
        const theirs = (await client.as(bob).get(`/v1/activities/${id}`)).json;
        const streams = (await client.as(bob).get(`/v1/activities/${id}/streams?keys=time,distance`)).json;
        // 1499 steps of 10 m on the test's sphere, due east; the server measures on the WGS84
        // ellipsoid, whose east-west radius of curvature N(lat) is larger than the sphere's radius.
        const sin2 = Math.sin((home[0] * Math.PI) / 180) ** 2;
        const primeVerticalM = 6_378_137 / Math.sqrt(1 - 0.00669437999014 * sin2);
        const runM = 14_990 * (primeVerticalM / kEarthRadiusM);
        assert.ok(Math.abs(own.distance_m - runM) < 0.5, `the owner keeps the whole run: ${own.distance_m} m, ${runM.toFixed(2)} m expected`);
        assert.ok(own.distance_m - streams.streams.distance.at(-1) > 450, 'the start is hidden from Bob');
        // Before: distance_m - distance.at(-1) and elapsed_s - time.at(-1) were exactly the hidden start.
        assert.ok(Math.abs(theirs.distance_m - streams.streams.distance.at(-1)) < 0.5, `${theirs.distance_m} vs ${streams.streams.distance.at(-1)}`);
        assert.ok(Math.abs(theirs.elapsed_s - streams.streams.time.at(-1)) < 0.01, `${theirs.elapsed_s} vs ${streams.streams.time.at(-1)}`);
        assert.ok(theirs.moving_s <= theirs.elapsed_s + 0.01);
        assert.equal(theirs.point_count, streams.original_size);
        assert.ok(theirs.point_count < own.point_count);
        assert.ok(Math.abs(theirs.avg_speed_mps - theirs.distance_m / theirs.moving_s) < 1e-6);
        // The same in the list and in the stats, which add up what Bob is shown.
        const row = (await client.as(bob).get(`/v1/users/${ana.id}/activities`)).json.activities[0];
        for (const key of ['distance_m', 'elapsed_s', 'moving_s', 'elevation_gain_m', 'point_count', 'pr_count']) {
            assert.equal(row[key], theirs[key], key);
        }
        const stats = (await client.as(bob).get(`/v1/users/${ana.id}/stats`)).json.all.run;
        assert.ok(Math.abs(stats.distance_m - theirs.distance_m) < 1e-6 && Math.abs(stats.elapsed_s - theirs.elapsed_s) < 1e-6);
        const ownStats = (await client.as(ana).get(`/v1/users/${ana.id}/stats`)).json.all.run;
        assert.equal(ownStats.distance_m, own.distance_m);
        // PRs are counted among the efforts Bob is shown.
        const efforts = (await client.as(bob).get(`/v1/activities/${id}/best-efforts`)).json.best_efforts;
        assert.equal(theirs.pr_count, efforts.filter((e) => e.pr_rank === 1).length);
        assert.ok(theirs.pr_count < own.pr_count, 'an effort through the hidden start is not counted');

        // A run that never leaves the zone: Bob is shown none of it, and no figure of it.
        const inside = await client.as(ana).uploadReady(gpxRun(home, '2026-06-04T06:00:00Z', 30), '?data_type=gpx');
        const hidden = (await client.as(bob).get(`/v1/activities/${inside}`)).json;
        assert.deepEqual([hidden.distance_m, hidden.elapsed_s, hidden.moving_s, hidden.point_count, hidden.avg_speed_mps],
            [0, 0, 0, 0, null]);
        assert.equal((await client.as(ana).get(`/v1/activities/${inside}`)).json.point_count, 30);
    });
});
