// `strava1 serve` as a person starts it: in a folder of their own, with the embedded PostgreSQL and
// the web app compiled in. CI runs these as root, which is what `make run` on a fresh Debian machine
// does: root's home and every `mktemp -d` folder are 0700, where the postgres user cannot go.
// Then the supervision of that PostgreSQL: a `kill -9` of the postmaster is survived, /healthz fails
// once the database stays down longer than the limit, but not while it is in crash recovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, lstat, mkdtemp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { api, assertProblem, clusterFolder, processAlive as alive, requireEmbeddedPostgres, startEmbeddedServer, until } from './kit.mjs';

async function postmasterPid(dataDir) {
    const folder = await clusterFolder(dataDir);
    const lines = (await readFile(join(folder, 'pg', 'postmaster.pid'), 'utf8')).split('\n');
    return Number(lines[0]);
}

async function checkServesEverything(server) {
    const user = await api(server).signUp();
    const me = await api(server).as(user).get('/v1/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.email, user.email);
    const page = await api(server).get('/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /text\/html/);
    return user;
}

/** A fresh 0700 folder, as `mktemp -d` makes; `name` makes a subfolder (e.g. with spaces) the cwd. */
async function workFolder(t, name) {
    const base = await mkdtemp(join(tmpdir(), 'strava1-first-'));
    t.after(() => rm(base, { recursive: true, force: true }));
    assert.equal((await stat(base)).mode & 0o777, 0o700);
    if (!name) return base;
    const cwd = join(base, name);
    await mkdir(cwd, { mode: 0o700 });
    return cwd;
}

test('serve starts from a 0700 folder (as root: the postgres user cannot enter it) and survives kill -9 of its postmaster', async (t) => {
    if (!requireEmbeddedPostgres(t)) return;
    const cwd = await workFolder(t);
    const server = await startEmbeddedServer({ cwd });
    t.after(() => server.stop());
    const user = await checkServesEverything(server);

    const dataDir = server.dataDir;
    assert.equal((await stat(dataDir)).mode & 0o777, 0o700, 'the data dir stays private');
    if (process.getuid() === 0) {
        const folder = await clusterFolder(dataDir);
        assert.notEqual(folder, dataDir, 'as root the cluster lives outside the data dir (var/pg.cluster)');
        assert.ok(!folder.startsWith(cwd), `${folder} is outside the 0700 folder`);
        assert.equal((await stat(join(folder, 'pg', 'PG_VERSION'))).isFile(), true);
        assert.equal((await readFile(join(folder, 'data-dir'), 'utf8')).trim(), dataDir, 'the folder points back');
        assert.equal((await stat(cwd)).mode & 0o777, 0o700, 'nothing outside the data dir was opened up');
        // Root keeps the folder and its parent (the postgres user can replace nothing in them); only
        // the cluster and the socket directory are postgres's (ADR 0003, "Ownership as root").
        for (const dir of [dirname(folder), folder]) {
            const info = await lstat(dir);
            assert.equal(info.uid, 0, `${dir} belongs to root`);
            assert.equal(info.mode & 0o7777, 0o711, `${dir} is 0711`);
        }
        for (const dir of [join(folder, 'pg'), join(folder, 'run')]) {
            const info = await lstat(dir);
            assert.ok(info.isDirectory() && info.uid !== 0, `${dir} is a directory of the postgres user`);
            assert.equal(info.mode & 0o7777, 0o700, `${dir} is 0700`);
        }
    }

    // kill -9 of the postmaster: the server restarts it (crash recovery) and requests work again.
    const killed = await postmasterPid(dataDir);
    process.kill(killed, 'SIGKILL');
    await until('the postmaster to die', () => !alive(killed));
    const unavailable = [];
    const me = await until('GET /v1/me to answer 200 again', async () => {
        const res = await api(server).as(user).get('/v1/me');
        if (res.status === 503) unavailable.push(res);
        else assert.equal(res.status, 200, `while the database restarts: 200 or 503, not ${res.status}: ${res.text}`);
        return res.status === 200 ? res : null;
    });
    assert.equal(me.json.email, user.email, 'committed data survives the crash');
    for (const res of unavailable) {
        assert.ok(Number(res.headers.get('retry-after')) >= 1, 'every 503 carries Retry-After');
    }
    assert.notEqual(await postmasterPid(dataDir), killed, 'a new postmaster runs');
    assert.equal((await api(server).get('/healthz')).status, 200, 'a restarted database is healthy');
    // Counted once the supervisor's own poll sees it ready (the pool may have got there first).
    await until('the restart to be counted', async () =>
        /^strava1_db_restarts_total 1$/m.test((await api(server).get('/metrics')).text),
    );
    // A new account afterwards: writes go through the pool's new connections.
    await api(server).signUp();

    const stopped = await server.stop();
    assert.equal(stopped.code, 0, server.logs());
    assert.equal(stopped.killed, false);
});

test('serve starts from a folder with spaces in its name', async (t) => {
    if (!requireEmbeddedPostgres(t)) return;
    const cwd = await workFolder(t, 'My Strava plus one');
    const server = await startEmbeddedServer({ cwd });
    t.after(() => server.stop());
    await checkServesEverything(server);
    assert.equal((await server.stop()).code, 0, server.logs());
});

test('/healthz fails once the embedded database has been down and unrestartable longer than the limit', async (t) => {
    if (!requireEmbeddedPostgres(t)) return;
    const cwd = await workFolder(t);
    const limitS = 3;
    const server = await startEmbeddedServer({ cwd, args: [`--db-unreachable-limit-s=${limitS}`] });
    t.after(() => server.stop());
    const user = await api(server).signUp();

    // A cluster that cannot start again: without PG_VERSION, the restart refuses the directory.
    const pgDir = join(await clusterFolder(server.dataDir), 'pg');
    await rename(join(pgDir, 'PG_VERSION'), join(pgDir, 'PG_VERSION.away'));
    const killed = await postmasterPid(server.dataDir);
    const killedAt = Date.now();
    process.kill(killed, 'SIGKILL');

    const early = await api(server).get('/healthz');
    if (Date.now() - killedAt < limitS * 1000) {
        assert.equal(early.status, 200, 'within the limit the process still counts as alive');
    }
    const failing = await until('/healthz to fail', async () => {
        const res = await api(server).get('/healthz');
        return res.status === 503 ? res : null;
    });
    assert.ok(Date.now() - killedAt >= limitS * 1000, 'not before the limit');
    assertProblem(failing, 503, { detail: /unreachable/ });
    assert.ok(Number(failing.headers.get('retry-after')) >= 1);
    const answer = await api(server).as(user).get('/v1/me');
    assertProblem(answer, 503);
    assert.ok(Number(answer.headers.get('retry-after')) >= 1);
    assert.match(server.logs(), /restart failed/);

    // Once the cluster can start again, the next attempt brings everything back.
    await rename(join(pgDir, 'PG_VERSION.away'), join(pgDir, 'PG_VERSION'));
    await until('/healthz to pass again', async () => (await api(server).get('/healthz')).status === 200);
    const me = await until('GET /v1/me to answer 200 again', async () => {
        const res = await api(server).as(user).get('/v1/me');
        return res.status === 200 ? res : null;
    });
    assert.equal(me.json.email, user.email);
    assert.equal((await server.stop()).code, 0, server.logs());
});

test('/healthz stays 200 while the embedded database is in crash recovery, however long it takes', async (t) => {
    if (!requireEmbeddedPostgres(t)) return;
    const cwd = await workFolder(t);
    const limitS = 1;
    const server = await startEmbeddedServer({ cwd, args: [`--db-unreachable-limit-s=${limitS}`] });
    t.after(() => server.stop());
    const user = await api(server).signUp();

    // The restart after this kill stays in recovery until promoted (a standby that gets no WAL and
    // lets nobody in), as a long crash recovery after a crash under write load would.
    const pgDir = join(await clusterFolder(server.dataDir), 'pg');
    await appendFile(join(pgDir, 'postgresql.conf'), '\nhot_standby = off\n');
    await writeFile(join(pgDir, 'standby.signal'), '');
    const killed = await postmasterPid(server.dataDir);
    const killedAt = Date.now();
    process.kill(killed, 'SIGKILL');

    await until('/healthz to report the recovery', async () => {
        const res = await api(server).get('/healthz');
        assert.equal(res.status, 200, `a recovering database is no reason to restart the process: ${res.text}`);
        return res.json?.database === 'recovering';
    });
    // Well past the limit, still alive: restarting the process would only begin the recovery again.
    await until('the limit to pass twice over', async () => {
        const res = await api(server).get('/healthz');
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json, { status: 'ok', database: 'recovering' });
        return Date.now() - killedAt > 2 * limitS * 1000 + 1000;
    });
    const metrics = await api(server).get('/metrics');
    assert.match(metrics.text, /^strava1_db_recovering 1$/m);
    assert.match(metrics.text, /^strava1_db_unreachable_seconds [1-9]\d*$/m, 'it is unreachable all the same');
    assert.equal((await api(server).get('/readyz')).status, 503, 'no traffic meanwhile');
    const answer = await api(server).as(user).get('/v1/me');
    assertProblem(answer, 503);
    assert.ok(Number(answer.headers.get('retry-after')) >= 1);

    // The recovery ends: the same postmaster (never killed meanwhile) serves again.
    const recovering = await postmasterPid(server.dataDir);
    assert.notEqual(recovering, killed);
    await writeFile(join(pgDir, 'promote'), '');
    process.kill(recovering, 'SIGUSR1');
    const me = await until('GET /v1/me to answer 200 again', async () => {
        const res = await api(server).as(user).get('/v1/me');
        return res.status === 200 ? res : null;
    });
    assert.equal(me.json.email, user.email);
    assert.equal(await postmasterPid(server.dataDir), recovering);
    // The supervisor sees it within its next poll (the pool may have been quicker).
    await until('/healthz to drop the recovery note', async () => {
        const res = await api(server).get('/healthz');
        assert.equal(res.status, 200, res.text);
        return res.json.database === undefined;
    });
    assert.match((await api(server).get('/metrics')).text, /^strava1_db_recovering 0$/m);
    assert.equal((await server.stop()).code, 0, server.logs());
});
