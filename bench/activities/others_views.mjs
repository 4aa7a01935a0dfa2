// What another viewer's requests cost (issue 7 review, item 4): one activity whose start and end
// are hidden by the default 200 m, recorded every second for --points samples, is read by another
// user --requests times per endpoint (laps, splits, best efforts, the activity), one request after
// another. Reports per endpoint the mean latency and the server's CPU time per request (user +
// system, from /proc/<pid>/stat), which do not depend on how busy the rest of the machine is. Then
// the owner uploads --activities in all and adds a privacy zone, which computes again what others
// are shown of each of them: reports how long that request takes.
//   scripts/with-services.sh node bench/activities/others_views.mjs --binary=build/release/apps/strava1/strava1 \
//       [--points=3600] [--requests=200] [--activities=50]
// Prints one JSON line.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
process.env.STRAVA1_BIN = resolve(args.binary ?? 'build/release/apps/strava1/strava1');
for (const name of Object.keys(process.env)) {
    if (name.startsWith('STRAVA1_BENCH_')) delete process.env[name];
}
const { startServer, request } = await import('../../tests/e2e/harness.mjs');
const points = Number(args.points ?? 3600);
const requests = Number(args.requests ?? 200);
const activities = Number(args.activities ?? 50);
const kRoomy = ['--rate-limit-user-per-minute=10000000', '--rate-limit-user-burst=10000000',
    '--rate-limit-auth-per-minute=100000', '--rate-limit-auth-burst=100000'];

const kEarthR = 6371008.8;
/** A run from home every second: out east 3 m/s, with a gentle wiggle so laps and splits vary. */
function gpx(home, startIso) {
    const t0 = Date.parse(startIso);
    const pts = [];
    for (let i = 0; i < points; i++) {
        const east = 3 * i;
        const north = 40 * Math.sin(i / 120);
        const lat = home[0] + (north / kEarthR) * (180 / Math.PI);
        const lng = home[1] + (east / (kEarthR * Math.cos((home[0] * Math.PI) / 180))) * (180 / Math.PI);
        pts.push(`<trkpt lat="${lat.toFixed(7)}" lon="${lng.toFixed(7)}"><ele>${(300 + 10 * Math.sin(i / 300)).toFixed(1)}</ele>` +
            `<time>${new Date(t0 + i * 1000).toISOString()}</time></trkpt>`);
    }
    return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="bench" xmlns="http://www.topografix.com/GPX/1/1">` +
        `<trk><name>Bench run</name><type>running</type><trkseg>\n${pts.join('\n')}\n</trkseg></trk></gpx>\n`);
}

function cpuSeconds(pid) {
    // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime and stime in ticks.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
}

const server = await startServer({ args: ['--password-hash=argon2id-fast-insecure', '--log-level=warn', ...kRoomy] });
const result = { binary: process.env.STRAVA1_BIN, points, requests, endpoints: {}, activities };
try {
    const users = [];
    for (const name of ['owner', 'other']) {
        const res = await request(server.url, 'POST', '/v1/auth/signup', {
            body: { email: `${name}@example.com`, password: 'correct horse battery', display_name: name },
        });
        users.push(res.json.access_token);
    }
    const [owner, other] = users;
    const up = await request(server.url, 'POST', '/v1/uploads?data_type=gpx', {
        token: owner, raw: gpx([46.0569, 14.5058], '2026-06-01T06:00:00Z'), headers: { 'content-type': 'application/octet-stream' },
    });
    if (up.status !== 201 || up.json.status !== 'ready') throw new Error(`upload: ${up.text}`);
    const id = up.json.activity_id;
    for (const path of ['laps', 'splits', 'best-efforts', '']) {
        const url = `/v1/activities/${id}${path ? `/${path}` : ''}`;
        for (let i = 0; i < 5; i++) await request(server.url, 'GET', url, { token: other });  // warm-up
        const cpuBefore = cpuSeconds(server.proc.pid);
        const began = process.hrtime.bigint();
        for (let i = 0; i < requests; i++) {
            const res = await request(server.url, 'GET', url, { token: other });
            if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.text}`);
        }
        const ms = Number(process.hrtime.bigint() - began) / 1e6;
        const cpuMs = (cpuSeconds(server.proc.pid) - cpuBefore) * 1000;
        result.endpoints[path || 'activity'] = {
            mean_ms: Number((ms / requests).toFixed(3)),
            server_cpu_ms_per_request: Number((cpuMs / requests).toFixed(3)),
        };
    }
    for (let i = 1; i < activities; i++) {
        // A day apart, so none is a duplicate of another.
        const start = new Date(Date.parse('2026-06-01T06:00:00Z') + i * 86_400_000).toISOString();
        const more = await request(server.url, 'POST', '/v1/uploads?data_type=gpx', {
            token: owner, raw: gpx([46.0569, 14.5058], start), headers: { 'content-type': 'application/octet-stream' },
        });
        if (more.status !== 201) throw new Error(`upload: ${more.text}`);
    }
    const began = process.hrtime.bigint();
    const zone = await request(server.url, 'POST', '/v1/me/privacy-zones', {
        token: owner, body: { lat: 46.0569, lng: 14.5058, radius_m: 500 },
    });
    if (zone.status !== 201) throw new Error(`zone: ${zone.text}`);
    result.privacy_zone_ms = Number((Number(process.hrtime.bigint() - began) / 1e6).toFixed(1));
} finally {
    await server.stop();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
