// End-to-end upload latency: a one-hour (3,600-record) FIT file, written by the official Garmin FIT
// SDK's encoder, POSTed to a release `strava1` on a real PostgreSQL until the activity is ready
// (decode, analysis, original stored with fsync, activity, streams and best efforts committed).
// Target (issue 3): p50 < 100 ms. Run by bench/run.sh inside scripts/with-services.sh.
//   node bench/uploads/run.mjs --binary=build/release/apps/strava1/strava1 [--uploads=40] [--out=FILE]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
process.env.STRAVA1_BIN = resolve(args.binary ?? 'build/release/apps/strava1/strava1');
// bench/run.sh's own variables are not server settings (the server refuses unknown STRAVA1_*).
for (const name of Object.keys(process.env)) {
    if (name.startsWith('STRAVA1_BENCH_')) delete process.env[name];
}
const { startServer } = await import('../../tests/e2e/harness.mjs');
const uploads = Number(args.uploads ?? 40);
const warmup = 3;

const work = mkdtempSync(join(tmpdir(), 'strava1-upload-bench-'));
const files = [];
for (let i = 0; i < uploads + warmup; i++) {
    const path = join(work, `run-${i}.fit`);
    // Two hours apart, so no upload is a duplicate of another.
    execFileSync('node', ['bench/formats/make_fit.mjs', path, '3600', new Date(Date.UTC(2024, 0, 1) + i * 7_200_000).toISOString()]);
    files.push(readFileSync(path));
}
const server = await startServer({ args: ['--password-hash=argon2id-fast-insecure', '--log-level=warn'] });
const results = [];
try {
    const signup = await fetch(`${server.url}/v1/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'bench@example.com', password: 'correct horse battery', display_name: 'Bench' }),
    });
    const token = (await signup.json()).access_token;
    for (let i = 0; i < files.length; i++) {
        const began = process.hrtime.bigint();
        const res = await fetch(`${server.url}/v1/uploads?data_type=fit`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
            body: files[i],
        });
        let upload = await res.json();
        while (upload.status === 'processing') {
            upload = await (await fetch(`${server.url}/v1/uploads/${upload.id}`, { headers: { authorization: `Bearer ${token}` } })).json();
        }
        const ms = Number(process.hrtime.bigint() - began) / 1e6;
        if (upload.status !== 'ready') throw new Error(`upload ${i}: ${JSON.stringify(upload)}`);
        if (i >= warmup) results.push(ms);
    }
} finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
}
results.sort((a, b) => a - b);
const at = (q) => results[Math.min(results.length - 1, Math.floor(q * results.length))];
const p50 = at(0.5);
const lines = [
    '## Upload to ready (one-hour FIT, 3,600 records)',
    '',
    `${results.length} sequential uploads after ${warmup} warm-up, release build, local PostgreSQL. ` +
        'Each is timed from the POST to an upload whose status is ready (the activity, its streams and ' +
        'best efforts committed, the original stored).',
    '',
    '| p50 | p90 | max | target |',
    '|---|---|---|---|',
    `| ${p50.toFixed(1)} ms | ${at(0.9).toFixed(1)} ms | ${results.at(-1).toFixed(1)} ms | p50 < 100 ms: ${p50 < 100 ? 'met' : 'NOT met'} |`,
    '',
];
process.stdout.write(lines.join('\n'));
if (args.out) writeFileSync(args.out, lines.join('\n'));
process.exit(p50 < 100 ? 0 : 1);
