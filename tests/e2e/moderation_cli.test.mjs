// `strava1 user grant-admin|revoke-admin EMAIL` beside a running server on the same database (ADR
// 0024): the role takes effect on the user's next request, with the token they already hold; the
// admin API answers anyone else as a path that does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, assertProblem, binaryPath, requireServices, serverEnv, startServer, until } from './kit.mjs';

function cli(cwd, ...args) {
    const res = spawnSync(binaryPath(), args, { cwd, encoding: 'utf8', timeout: 120_000, env: serverEnv() });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr, all: `${res.stdout}${res.stderr}` };
}

test('user grant-admin opens the admin API to that user; revoke-admin closes it', async (t) => {
    if (!requireServices(t)) return;
    const server = await startServer({ webDir: false });
    t.after(() => server.stop());
    const client = api(server);
    const user = await client.signUp();
    const as = client.as(user.token);

    const hidden = await as.get('/v1/admin/reports');
    assertProblem(hidden, 404);
    const nowhere = await as.get('/v1/admin/nothing-here');
    assert.deepEqual({ ...hidden.json, instance: 0, request_id: 0 }, { ...nowhere.json, instance: 0, request_id: 0 },
        'the admin API answers a user as a path that does not exist');

    const settings = [`--database-url=${server.databaseUrl}`, `--data-dir=${server.dataDir}`];
    let res = cli(process.cwd(), 'user', 'grant-admin', user.email.toUpperCase(), ...settings);
    assert.equal(res.status, 0, res.all);
    assert.match(res.stdout, new RegExp(`^user ${user.id} \\(.*\\) is a site administrator\\n$`));
    // The server's session cache holds a role for at most a second.
    await until('the role reaches the server', async () => (await as.get('/v1/admin/reports')).status === 200);
    const queue = await as.get('/v1/admin/reports?state=open');
    assert.equal(queue.status, 200, queue.text);
    assert.deepEqual(queue.json, { reports: [], next_cursor: null });

    res = cli(process.cwd(), 'user', 'revoke-admin', user.email, ...settings);
    assert.equal(res.status, 0, res.all);
    await until('the role is gone', async () => (await as.get('/v1/admin/reports')).status === 404);

    res = cli(process.cwd(), 'user', 'grant-admin', 'nobody@example.invalid', ...settings);
    assert.equal(res.status, 2, res.all);
    assert.match(res.stderr, /no user with the email nobody@example.invalid/);
    res = cli(process.cwd(), 'user', 'promote', user.email, ...settings);
    assert.equal(res.status, 2, res.all);
    assert.match(res.stderr, /usage: strava1 user grant-admin\|revoke-admin EMAIL/);
});
