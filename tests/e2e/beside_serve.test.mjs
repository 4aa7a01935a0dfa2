// Operator commands beside a running `strava1 serve` that uses the embedded PostgreSQL (ADR 0003,
// "Commands beside a running server"): from the same folder with the same settings, `jobs`, `import`,
// `migrate` and `worker` connect through the server's postmaster instead of trying to start the
// cluster (whose data dir the server holds), and leave it running; with no server they start the
// cluster themselves and stop it when done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
    api,
    binaryPath,
    clusterFolder,
    processAlive as alive,
    requireEmbeddedPostgres,
    serverEnv,
    startEmbeddedServer,
    testdata,
    testdataDir,
    until,
} from './kit.mjs';

/** The running postmaster of the data dir, from its postmaster.pid: pid and socket directory; null when none. */
async function postmaster(dataDir) {
    try {
        const lines = (await readFile(join(await clusterFolder(dataDir), 'pg', 'postmaster.pid'), 'utf8')).split('\n');
        return { pid: Number(lines[0]), socketDir: lines[4], port: lines[3] };
    } catch {
        return null;
    }
}

function cli(cwd, ...args) {
    const res = spawnSync(binaryPath(), args, { cwd, encoding: 'utf8', timeout: 120_000, env: serverEnv() });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr, all: `${res.stdout}${res.stderr}` };
}

function psql(pm, statement) {
    return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', pm.socketDir, '-p', pm.port,
        '-U', 'strava1', '-d', 'strava1', '-c', statement], { encoding: 'utf8', timeout: 30_000 }).trim();
}

test('jobs, import, migrate and worker run beside serve on its embedded cluster and leave it running', async (t) => {
    if (!requireEmbeddedPostgres(t)) return;
    const fitRel = 'fit/2067489619.fit';
    if (!testdata(t, fitRel)) return;
    const cwd = await mkdtemp(join(tmpdir(), 'strava1-beside-'));
    t.after(() => rm(cwd, { recursive: true, force: true }));
    // With no server, a command starts the cluster itself (here the first start: initdb) and stops it
    // when done.
    let res = cli(cwd, 'jobs', 'list', '--json');
    assert.equal(res.status, 0, res.all);
    assert.deepEqual(JSON.parse(res.stdout), []);
    assert.equal(await postmaster(join(cwd, 'var')), null, 'the command stopped the cluster it started');

    const server = await startEmbeddedServer({ cwd });
    t.after(() => server.stop());
    const pm = await postmaster(server.dataDir);
    assert.ok(pm && alive(pm.pid), 'serve runs its postmaster');

    const id = psql(pm, `INSERT INTO jobs_queue (queue, kind, payload, last_error) VALUES ('e2e', 'e2e.nobody-runs-this',
        '{"n": 7}', 'failed once') RETURNING id`);
    res = cli(cwd, 'jobs', 'list', '--json', '--queue=e2e');
    assert.equal(res.status, 0, res.all);
    assert.deepEqual(JSON.parse(res.stdout).map((row) => [row.id, row.state, row.kind, row.payload]),
        [[Number(id), 'waiting', 'e2e.nobody-runs-this', { n: 7 }]]);
    res = cli(cwd, 'jobs', 'discard', id);
    assert.equal(res.status, 0, res.all);
    assert.equal(res.stdout, `job ${id} discarded\n`);
    assert.equal(psql(pm, `SELECT reason FROM jobs_dead WHERE id = ${id}`), 'discarded');
    res = cli(cwd, 'jobs', 'show', '999999');
    assert.equal(res.status, 1, res.all);
    assert.match(res.stderr, /no job 999999/);

    const user = await api(server).signUp();
    res = cli(cwd, 'import', `--user=${user.email}`, join(testdataDir, fitRel));
    assert.equal(res.status, 0, res.all);
    const activity = Number(res.stdout.match(/: activity (\d+) \(upload \d+\)$/m)?.[1]);
    assert.ok(activity > 0, res.stdout);
    const got = await api(server).as(user).get(`/v1/activities/${activity}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.sport, 'run');
    assert.equal((await api(server).as(user).get(`/v1/activities/${activity}/original`)).status, 200,
        'serve has the original the command stored (same data dir)');

    res = cli(cwd, 'migrate');
    assert.equal(res.status, 0, res.all);
    assert.equal(res.stdout, 'migrations applied\n');

    const worker = spawn(binaryPath(), ['worker', '--worker-concurrency=1'], { cwd, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    worker.stdout.on('data', (chunk) => (logs += chunk.toString('utf8')));
    worker.stderr.on('data', (chunk) => (logs += chunk.toString('utf8')));
    const exited = new Promise((done) => worker.on('exit', (code, signal) => done({ code, signal })));
    t.after(() => worker.kill('SIGKILL'));
    await until('the worker started', () => /"msg":"worker started".*"database":"embedded"/.test(logs) || null);
    worker.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null }, logs);

    // None of them stopped or replaced the server's postmaster, and the server still works.
    assert.deepEqual(await postmaster(server.dataDir), pm);
    assert.ok(alive(pm.pid));
    assert.equal((await api(server).as(user).get('/v1/me')).status, 200);

    const stopped = await server.stop();
    assert.deepEqual([stopped.code, stopped.killed], [0, false], server.logs());
    await until('the postmaster stopped with serve', () => !alive(pm.pid) || null, { timeoutMs: 30_000 });
});
