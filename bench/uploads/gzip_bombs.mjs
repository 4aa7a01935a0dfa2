// Peak memory under concurrent gzip bombs (issue 7, item 13): N uploads of a ~2 MB .gpx.gz that
// expands to about 2 GiB, sent at once to a `strava1 serve`, each of which must be refused: a 422
// past the gzip ceiling (4 times the upload limit), a 413 below it when decoding it would take more
// than the whole decode budget (--gib=0.09, 92 MiB of GPX: the near-cap case). Reports the server's
// VmRSS before and its VmHWM (peak resident set) after, from /proc/<pid>/status. Target: peak below
// 150 MB with 6 bombs on the release binary.
//   scripts/with-services.sh node bench/uploads/gzip_bombs.mjs --binary=build/release/apps/strava1/strava1 \
//       [--bombs=6] [--gib=2] [--max-mb=150] [--out=FILE.md]
// Prints one JSON line (and a Markdown table to --out); exits 1 when an upload is not refused (422 or
// 413) or when --max-mb is given and the peak is above it. The debug (ASan) binary's figures are
// inflated by the sanitizer.
import { createGzip } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
process.env.STRAVA1_BIN = resolve(args.binary ?? 'build/release/apps/strava1/strava1');
for (const name of Object.keys(process.env)) {
    if (name.startsWith('STRAVA1_BENCH_')) delete process.env[name];
}
const { startServer } = await import('../../tests/e2e/harness.mjs');
const bombs = Number(args.bombs ?? 6);
const gib = Number(args.gib ?? 2);
const maxMb = args['max-mb'] === undefined ? null : Number(args['max-mb']);

/** gzip of `bytes` spaces, streamed so the input never exists in memory at once. */
async function makeBomb(bytes) {
    const gzip = createGzip({ level: 9 });
    const parts = [];
    gzip.on('data', (chunk) => parts.push(chunk));
    const done = new Promise((ok, fail) => {
        gzip.on('end', ok);
        gzip.on('error', fail);
    });
    const chunk = Buffer.alloc(16 << 20, 32);
    for (let written = 0; written < bytes; written += chunk.length) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bytes - written));
        if (!gzip.write(piece)) await new Promise((ok) => gzip.once('drain', ok));
    }
    gzip.end();
    await done;
    return Buffer.concat(parts);
}

function memory(pid) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)[1]);
    return { rss_mb: kb('VmRSS') / 1024, hwm_mb: kb('VmHWM') / 1024 };
}

const bomb = await makeBomb(gib * 1024 * 1024 * 1024);
const server = await startServer({ args: ['--password-hash=argon2id-fast-insecure', '--log-level=warn'] });
let result;
try {
    const signup = await fetch(`${server.url}/v1/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'bombs@example.com', password: 'correct horse battery', display_name: 'Bombs' }),
    });
    const token = (await signup.json()).access_token;
    // One small request first so the figures compare a warmed-up server with itself.
    await fetch(`${server.url}/v1/athlete/activities`, { headers: { authorization: `Bearer ${token}` } });
    const before = memory(server.proc.pid);
    const began = process.hrtime.bigint();
    const answers = await Promise.all(
        Array.from({ length: bombs }, () =>
            fetch(`${server.url}/v1/uploads?data_type=gpx.gz`, {
                method: 'POST',
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
                body: bomb,
            }).then(async (res) => ({ status: res.status, body: await res.json() })),
        ),
    );
    const seconds = Number(process.hrtime.bigint() - began) / 1e9;
    const after = memory(server.proc.pid);
    result = {
        binary: process.env.STRAVA1_BIN,
        bombs,
        bomb_bytes: bomb.length,
        expands_to_bytes: gib * 1024 * 1024 * 1024,
        rss_before_mb: Number(before.rss_mb.toFixed(1)),
        hwm_before_mb: Number(before.hwm_mb.toFixed(1)),
        hwm_after_mb: Number(after.hwm_mb.toFixed(1)),
        seconds: Number(seconds.toFixed(2)),
        statuses: answers.map((a) => a.status),
        detail: answers[0].body.detail,
    };
} finally {
    await server.stop();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
const refused = result.statuses.every((s) => s === 422 || s === 413);
const within = maxMb === null || result.hwm_after_mb <= maxMb;
if (args.out) {
    const verdict = refused && within ? 'PASS' : 'FAIL';
    writeFileSync(args.out, [
        `## Gzip bombs (bench/uploads/gzip_bombs.mjs)`,
        '',
        `${bombs} concurrent uploads of a ${(bomb.length / 1e6).toFixed(1)} MB .gpx.gz expanding to ${gib} GiB.`,
        '',
        '| RSS before | peak RSS (VmHWM) after | answers | target | verdict |',
        '|---|---|---|---|---|',
        `| ${result.rss_before_mb} MB | ${result.hwm_after_mb} MB | ${result.statuses.join(', ')} | all 422 or 413, peak < ${maxMb ?? '—'} MB | ${verdict} |`,
        '',
    ].join('\n'));
}
if (!refused || !within) {
    process.exit(1);
}
