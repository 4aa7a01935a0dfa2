// Background jobs from the outside (ADR 0009): serve runs in-process workers, `strava1 worker` runs
// more against the same database, `strava1 jobs` shows the queue and lets an operator retry or
// discard a job, and /metrics reports the queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath, databaseUrl, requireServices, serverEnv, startServer } from './harness.mjs';

function sql(dbUrl, statement) {
    return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl, '-c', statement],
        { encoding: 'utf8', timeout: 30_000 }).trim();
}

function cli(dbUrl, ...args) {
    const res = spawnSync(binaryPath(), [...args, `--database-url=${dbUrl}`],
        { encoding: 'utf8', timeout: 60_000, cwd: tmpdir(), env: serverEnv() });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

async function eventually(check, what, limitMs = 20_000) {
    const deadline = Date.now() + limitMs;
    for (;;) {
        if (check()) return;
        assert.ok(Date.now() < deadline, `not within ${limitMs} ms: ${what}`);
        await new Promise((done) => setTimeout(done, 50));
    }
}

/** An old dead letter and a prune job due now: whichever worker runs the job deletes the letter. */
function queuePrune(dbUrl) {
    sql(dbUrl, `INSERT INTO jobs_dead (id, queue, kind, payload, priority, attempts, max_attempts, reason, last_error,
        created_at, died_at) VALUES (900001, 'default', 'e2e.old', '{}', 0, 25, 25, 'failed', 'old', now(),
        now() - interval '40 days')`);
    sql(dbUrl, `INSERT INTO jobs_queue (queue, kind, payload) VALUES ('jobs', 'jobs.prune_dead', '{"retention_hours": 720}')`);
}

test('serve runs jobs in-process and reports the queue on /metrics', async (t) => {
    if (!requireServices(t)) return;
    const server = await startServer();
    t.after(() => server.stop());
    // The housekeeping schedule is written by serve's worker when it starts.
    await eventually(() => sql(server.databaseUrl, "SELECT count(*) FROM jobs_schedules WHERE name = 'jobs.prune_dead'") === '1',
        'the prune schedule upserted');
    queuePrune(server.databaseUrl);
    await eventually(() => sql(server.databaseUrl, 'SELECT count(*) FROM jobs_dead WHERE id = 900001') === '0',
        'the in-process worker ran the prune job');
    assert.equal(sql(server.databaseUrl, 'SELECT count(*) FROM jobs_queue'), '0');

    sql(server.databaseUrl, "INSERT INTO jobs_queue (queue, kind) VALUES ('e2e', 'e2e.nobody-runs-this')");
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /^strava1_jobs_waiting\{queue="e2e"\} 1$/m);
    assert.match(text, /^strava1_jobs_oldest_waiting_seconds\{queue="e2e"\} [0-9.e+-]+$/m);
    assert.match(text, /^strava1_jobs_completed_total\{kind="jobs.prune_dead"\} 1$/m);
    assert.match(text, /^strava1_jobs_run_seconds_count\{kind="jobs.prune_dead"\} 1$/m);
});

test('strava1 jobs lists, shows, discards and retries jobs, and names what it refuses', async (t) => {
    if (!requireServices(t)) return;
    const server = await startServer();
    t.after(() => server.stop());
    const db = server.databaseUrl;
    const id = sql(db, `INSERT INTO jobs_queue (queue, kind, payload, last_error) VALUES ('e2e', 'e2e.nobody-runs-this',
        '{"n": 1}', 'it failed once') RETURNING id`);

    let res = cli(db, 'jobs', 'list', '--json', '--queue=e2e');
    assert.equal(res.status, 0, res.stderr);
    let rows = JSON.parse(res.stdout);
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0].id, rows[0].state, rows[0].kind, rows[0].attempt, rows[0].max_attempts, rows[0].payload],
        [Number(id), 'waiting', 'e2e.nobody-runs-this', 0, 25, { n: 1 }]);
    res = cli(db, 'jobs', 'list', '--queue=e2e');
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /^ID +STATE +QUEUE +KIND/);
    assert.match(res.stdout, new RegExp(`^${id} +waiting +e2e +e2e\\.nobody-runs-this +0/25 .*it failed once$`, 'm'));

    res = cli(db, 'jobs', 'show', id);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /^kind: +e2e\.nobody-runs-this$/m);
    assert.match(res.stdout, /^payload: +\{"n":1\}$/m);

    res = cli(db, 'jobs', 'discard', id);
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout, `job ${id} discarded\n`);
    rows = JSON.parse(cli(db, 'jobs', 'list', '--json', '--state=dead').stdout);
    assert.deepEqual(rows.map((r) => [r.id, r.state, r.last_error]), [[Number(id), 'discarded', 'it failed once; discarded by an operator']]);

    res = cli(db, 'jobs', 'retry', id);
    assert.equal(res.status, 0, res.stderr);
    assert.equal(JSON.parse(cli(db, 'jobs', 'show', id, '--json').stdout).state, 'waiting');

    res = cli(db, 'jobs', 'show', '999999');
    assert.equal(res.status, 1);
    assert.match(res.stderr, /no job 999999/);
    res = cli(db, 'jobs', 'list', '--state=lost');
    assert.equal(res.status, 2);
    assert.match(res.stderr, /--state: must be waiting, scheduled, running, dead, failed or discarded/);
    for (const args of [['jobs'], ['jobs', 'frobnicate'], ['jobs', 'show'], ['jobs', 'retry', 'x'], ['jobs', 'list', '--limit=0']]) {
        assert.equal(cli(db, ...args).status, 2, args.join(' '));
    }
    res = spawnSync(binaryPath(), ['jobs', '--help'], { encoding: 'utf8', env: serverEnv() });
    assert.equal(res.status, 0);
    assert.match(res.stdout, /^usage: strava1 jobs list/);
});

test('strava1 worker runs jobs against the same database, and stops cleanly on SIGTERM', async (t) => {
    if (!requireServices(t)) return;
    const dsn = process.env.STRAVA1_TEST_PG_DSN;
    const database = `e2e_worker_${process.pid}`;
    const db = databaseUrl(dsn, database);
    sql(dsn, `CREATE DATABASE "${database}"`);
    t.after(() => sql(dsn, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
    const dir = mkdtempSync(join(tmpdir(), 'strava1-worker-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));

    const refused = cli(db, 'worker', '--worker-concurrency=0');
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /STRAVA1_WORKER_CONCURRENCY: must be at least 1/);

    assert.equal(cli(db, 'migrate').status, 0);
    queuePrune(db);
    const proc = spawn(binaryPath(), ['worker', `--database-url=${db}`, '--worker-concurrency=2'],
        { cwd: dir, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    proc.stderr.on('data', (chunk) => (logs += chunk.toString('utf8')));
    const exited = new Promise((done) => proc.on('exit', (code, signal) => done({ code, signal })));
    t.after(() => proc.kill('SIGKILL'));
    await eventually(() => /"msg":"worker started"/.test(logs), 'the worker says it started');
    await eventually(() => sql(db, 'SELECT count(*) FROM jobs_dead WHERE id = 900001') === '0', 'the worker ran the job');
    assert.equal(sql(db, 'SELECT count(*) FROM jobs_queue'), '0');
    proc.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null }, logs);
    assert.match(logs, /"msg":"worker stopped"/);
});
