// The job queue benchmark (bench/README.md, "Job queue"): strava1's queue (strava1_jobs_bench) beside
// graphile-worker (graphile_peer.mjs), with and without its batching, in the same run on the same
// PostgreSQL, no-op tasks, the same concurrency. Each round measures every system on fresh databases,
// the order rotating from round to round; the table shows medians over rounds.
//
//   node bench/jobs/run.mjs --binary=build/release/bench/jobs/strava1_jobs_bench [--rounds=3]
//       [--jobs=50000] [--concurrency=16] [--rate=200] [--seconds=10] [--out=bench/results/jobs-latest.md]
//
// STRAVA1_TEST_PG_DSN names a server where databases may be created (scripts/with-services.sh sets it).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((arg) => {
    const [key, value = 'true'] = arg.replace(/^--/, '').split('=');
    return [key, value];
}));
const adminDsn = process.env.STRAVA1_TEST_PG_DSN;
if (!adminDsn || !args.binary) {
    process.stderr.write('usage: STRAVA1_TEST_PG_DSN=… node bench/jobs/run.mjs --binary=strava1_jobs_bench [...]\n');
    process.exit(2);
}
const rounds = Number(args.rounds ?? 3);
const jobs = Number(args.jobs ?? 50000);
const concurrency = Number(args.concurrency ?? 16);
const rate = Number(args.rate ?? 200);
const seconds = Number(args.seconds ?? 10);
const out = args.out ?? join(here, '..', 'results', 'jobs-latest.md');

function psql(dsn, sql) {
    return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', dsn, '-c', sql], { encoding: 'utf8' }).trim();
}

function withDatabase(dsn, name) {
    const url = new URL(dsn);
    url.pathname = `/${name}`;
    return url.toString();
}

/** Busy and total jiffies of the whole machine (/proc/stat), to tell a quiet machine from a busy one. */
function cpuTimes() {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + fields[4];
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
}

// Each system in its default setting and with its local queue (jobs fetched ahead of free slots).
const systems = [
    { name: 'strava1', command: (mode, dsn) => [resolve(args.binary), [mode, `--dsn=${dsn}`]] },
    { name: 'strava1 (prefetch)', command: (mode, dsn) => [resolve(args.binary), [mode, `--dsn=${dsn}`, `--prefetch=${concurrency}`]] },
    { name: 'graphile-worker', command: (mode, dsn) => ['node', [join(here, 'graphile_peer.mjs'), mode, `--dsn=${dsn}`]] },
    { name: 'graphile-worker (batched)', command: (mode, dsn) => ['node', [join(here, 'graphile_peer.mjs'), mode, `--dsn=${dsn}`, '--batched']] },
];

function measure(system, mode) {
    const name = `bench_jobs_${process.pid}_${Math.random().toString(16).slice(2, 10)}`;
    psql(adminDsn, `CREATE DATABASE ${name}`);
    const dsn = withDatabase(adminDsn, name);
    const [program, base] = system.command(mode, dsn);
    const extra = mode === 'throughput' ? [`--jobs=${jobs}`] : [`--rate=${rate}`, `--seconds=${seconds}`];
    const before = cpuTimes();
    try {
        const stdout = execFileSync(program, [...base, `--concurrency=${concurrency}`, ...extra],
            { encoding: 'utf8', cwd: here, timeout: 600_000, stdio: ['ignore', 'pipe', 'inherit'] });
        const after = cpuTimes();
        const result = JSON.parse(stdout.trim().split('\n').pop());
        result.machine_busy = (after.busy - before.busy) / Math.max(1, after.total - before.total);
        return result;
    } finally {
        psql(adminDsn, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
}

function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const results = Object.fromEntries(systems.map((s) => [s.name, { throughput: [], latency: [] }]));
for (let round = 0; round < rounds; round += 1) {
    const order = systems.map((_, idx) => systems[(idx + round) % systems.length]);
    for (const system of order) {
        const t = measure(system, 'throughput');
        results[system.name].throughput.push(t);
        process.stderr.write(`round ${round + 1} ${system.name}: ${t.jobs_per_second.toFixed(0)} jobs/s\n`);
    }
    for (const system of order) {
        const l = measure(system, 'latency');
        results[system.name].latency.push(l);
        process.stderr.write(`round ${round + 1} ${system.name}: p50 ${l.p50_ms.toFixed(2)} ms, p99 ${l.p99_ms.toFixed(2)} ms (${l.jobs} jobs)\n`);
    }
}

const rows = systems.map((s) => {
    const r = results[s.name];
    return {
        name: r.throughput[0]?.system ?? s.name,
        key: s.name,
        jobsPerSecond: median(r.throughput.map((x) => x.jobs_per_second)),
        p50: median(r.latency.map((x) => x.p50_ms)),
        p99: median(r.latency.map((x) => x.p99_ms)),
        max: median(r.latency.map((x) => x.max_ms)),
        busy: median([...r.throughput, ...r.latency].map((x) => x.machine_busy)),
        delivered: Math.min(...r.latency.map((x) => x.jobs)),
    };
});
// Per-round ratios, then the median (as the HTTP benchmark does): each of our settings against the
// peer's setting of the same kind, and our best against the peer's best.
const ratio = (oursKey, peerKey, pick, invert) => median(results[oursKey][pick].map((x, idx) => {
    const peer = results[peerKey][pick][idx];
    const field = pick === 'throughput' ? 'jobs_per_second' : 'p99_ms';
    return invert ? peer[field] / x[field] : x[field] / peer[field];
}));
const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
const verdicts = [];
for (const [oursKey, peerKey] of [['strava1', 'graphile-worker'], ['strava1 (prefetch)', 'graphile-worker (batched)']]) {
    const t = ratio(oursKey, peerKey, 'throughput', false);
    const p = ratio(oursKey, peerKey, 'latency', true);
    verdicts.push(`| ${byKey[oursKey].name}: throughput ≥ 1.5× ${byKey[peerKey].name} | ${t.toFixed(2)}× | ${t >= 1.5 ? 'PASS' : 'FAIL'} |`);
    verdicts.push(`| ${byKey[oursKey].name}: p99 enqueue-to-start below ${byKey[peerKey].name}'s | ${p.toFixed(2)}× lower | ${p > 1 ? 'PASS' : 'FAIL'} |`);
}
const best = byKey['strava1 (prefetch)'];
verdicts.push(`| ≥ 10,000 jobs/s with batched claims (${best.name}) | ${best.jobsPerSecond.toFixed(0)} jobs/s | ${best.jobsPerSecond >= 10000 ? 'PASS' : 'FAIL'} |`);
const allDelivered = rows.every((r) => r.delivered === rate * seconds);

const md = [
    '## Job queue: strava1 vs graphile-worker',
    '',
    `${new Date().toISOString()}, ${rounds} rounds; ${jobs} no-op jobs for throughput; latency at ${rate} jobs/s for ${seconds} s; ` +
        `concurrency ${concurrency} for every system; one PostgreSQL (${psql(adminDsn, 'SHOW server_version')}), a fresh database per measurement. ` +
        `Load average at the start: ${load}.`,
    '',
    '| System | jobs/s (median) | p50 ms | p99 ms | max ms | machine CPU busy |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.jobsPerSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(2)} | ${(100 * r.busy).toFixed(0)} % |`),
    '',
    '| Target | Measured | Verdict |',
    '|---|---|---|',
    ...verdicts,
    '',
    allDelivered ? 'Every system ran every latency job.' : `**Not every latency job ran**: ${rows.map((r) => `${r.name} ${r.delivered}`).join(', ')} of ${rate * seconds}.`,
    '',
];
writeFileSync(out, md.join('\n'));
writeFileSync(out.replace(/\.md$/, '.json'), JSON.stringify({ rounds, jobs, concurrency, rate, seconds, load, results }, null, 1));
process.stdout.write(md.join('\n'));
process.exit(verdicts.some((v) => v.endsWith('FAIL |')) || !allDelivered ? 1 : 0);
