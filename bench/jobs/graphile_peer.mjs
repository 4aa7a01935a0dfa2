// The peer of the job queue benchmark: graphile-worker doing what strava1_jobs_bench does, on the same
// PostgreSQL, with the same concurrency and no-op tasks. Prints one JSON object.
//
//   node graphile_peer.mjs throughput --dsn=DSN [--jobs=50000] [--concurrency=16] [--batched]
//   node graphile_peer.mjs latency --dsn=DSN [--rate=200] [--seconds=10] [--concurrency=16] [--batched]
//
// Default: graphile-worker's defaults apart from the concurrency (and a 1 s poll, as ours). --batched:
// its batching options on (local queue of concurrency + 1 jobs per fetch, completions batched), the
// fastest setting its performance guide describes.
import { performance } from 'node:perf_hooks';
import { makeWorkerUtils, run } from 'graphile-worker';

const args = Object.fromEntries(process.argv.slice(3).map((arg) => {
    const [key, value = 'true'] = arg.replace(/^--/, '').split('=');
    return [key, value];
}));
const command = process.argv[2];
const dsn = args.dsn;
const concurrency = Number(args.concurrency ?? 16);
const batched = args.batched === 'true';

const seen = { runs: 0, latencies: [] };

const taskList = {
    noop: async (payload) => {
        seen.runs += 1;
        if (payload && typeof payload.t0 === 'number') {
            seen.latencies.push(performance.now() - payload.t0);
        }
    },
};

// Silence per-job logging: strava1 logs nothing per job either.
const logFactory = () => () => {};
const { Logger } = await import('graphile-worker');
const logger = new Logger(logFactory);

function options() {
    const worker = batched
        ? { localQueue: { size: concurrency + 1 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 }
        : {};
    return {
        connectionString: dsn,
        concurrency,
        maxPoolSize: Math.max(10, concurrency + 2),
        pollInterval: 1000,
        noHandleSignals: true,
        taskList,
        logger,
        preset: { worker },
    };
}

function sleep(ms) {
    return new Promise((done) => setTimeout(done, ms));
}

function percentile(values, p) {
    if (values.length === 0) return 0;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function throughput() {
    const count = Number(args.jobs ?? 50000);
    const utils = await makeWorkerUtils({ connectionString: dsn, logger });
    await utils.migrate();
    for (let start = 0; start < count; start += 5000) {
        const specs = [];
        for (let idx = start; idx < Math.min(count, start + 5000); idx += 1) {
            specs.push({ identifier: 'noop', payload: {} });
        }
        await utils.addJobs(specs);
    }
    await utils.withPgClient((client) => client.query('VACUUM ANALYZE graphile_worker._private_jobs'));
    const started = performance.now();
    const runner = await run(options());
    while (seen.runs < count) {
        await sleep(1);
    }
    const ranS = (performance.now() - started) / 1000;
    for (;;) {
        const { rows } = await utils.withPgClient((client) => client.query('SELECT count(*)::int AS n FROM graphile_worker._private_jobs'));
        if (rows[0].n === 0) break;
        await sleep(1);
    }
    const doneS = (performance.now() - started) / 1000;
    await runner.stop();
    await utils.release();
    return { jobs: count, seconds: doneS, jobs_per_second: count / doneS, handlers_done_seconds: ranS };
}

async function latency() {
    const rate = Number(args.rate ?? 200);
    const seconds = Number(args.seconds ?? 10);
    const utils = await makeWorkerUtils({ connectionString: dsn, logger });
    await utils.migrate();
    const runner = await run(options());
    await sleep(1000);
    const total = rate * seconds;
    const started = performance.now();
    for (let idx = 0; idx < total; idx += 1) {
        const slot = started + (idx * 1000) / rate;
        const wait = slot - performance.now();
        if (wait > 0) await sleep(wait);
        await utils.addJob('noop', { t0: performance.now() });
    }
    const deadline = performance.now() + 30_000;
    while (seen.latencies.length < total && performance.now() < deadline) {
        await sleep(5);
    }
    await runner.stop();
    await utils.release();
    return {
        jobs: seen.latencies.length,
        rate,
        p50_ms: percentile(seen.latencies, 0.5),
        p99_ms: percentile(seen.latencies, 0.99),
        max_ms: percentile(seen.latencies, 1),
    };
}

const result = command === 'throughput' ? await throughput() : await latency();
const { version } = JSON.parse(await (await import('node:fs/promises')).readFile(
    new URL('./node_modules/graphile-worker/package.json', import.meta.url), 'utf8'));
process.stdout.write(`${JSON.stringify({ ...result, system: `graphile-worker ${version}${batched ? ' (batched)' : ''}`, concurrency })}\n`);
process.exit(0);
