// End-to-end tests of the HTTP/JSON core and accounts against the real binary over real sockets:
// every bad-input class the foundation issue names gets a test that asserts the exact answer.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import {
    api, assertProblem, binaryPath, kFastHash, kPassword, kRoomyLimits, rawExchange, repoRoot, requireServices,
    serverEnv, sql, startServer, uniqueEmail, until,
} from './kit.mjs';

const requireFromWeb = createRequire(join(repoRoot, 'web', 'package.json'));

let server;
let client;

describe('HTTP core and accounts', () => {
    before(async (t) => {
        if (!requireServices(t)) return;
        server = await startServer({ args: [kFastHash, ...kRoomyLimits, '--header-timeout-s=2', '--idle-timeout-s=5'] });
        client = api(server);
    });
    after(async () => { await server?.stop(); });

    /** Polls until `token` is refused: revocation takes effect within a second. */
    const waitFor401 = (token) => until('the revocation to take effect', async () =>
        (await client.as(token).get('/v1/me')).status === 401, { timeoutMs: 1500, intervalMs: 100 });

    test('probes answer and metrics count requests per route', async (t) => {
        if (!server) return t.skip('no server');
        assert.deepEqual((await client.get('/healthz')).json, { status: 'ok' });
        assert.deepEqual((await client.get('/readyz')).json, { status: 'ready' });
        const metrics = await client.get('/metrics');
        assert.equal(metrics.status, 200);
        assert.match(metrics.text, /strava1_http_requests_total\{method="GET",route="\/healthz",status="2xx"\} \d+/);
        assert.match(metrics.text, /strava1_db_pool_connections \d+/);
    });

    test('sign-up, profile read and edit, public profile hides private fields', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        assert.equal(ana.token_type, 'Bearer');
        // The access token's lifetime: 15 minutes (kDefaultLocalTokenTtl).
        assert.equal(ana.expires_in, 900);
        assert.equal(ana.user.email, ana.email);
        const patched = await client.as(ana).patch('/v1/me',
            { weight_kg: 61.5, units: 'imperial', time_zone: 'Europe/Paris', bio: 'Trail runner', birthdate: '1990-04-02', max_hr_bpm: 190, resting_hr_bpm: 48 });
        assert.equal(patched.status, 200, patched.text);
        assert.equal(patched.json.weight_kg, 61.5);
        assert.equal(patched.json.units, 'imperial');
        assert.equal(patched.json.birthdate, '1990-04-02');
        const cleared = await client.as(ana).patch('/v1/me', { bio: null });
        assert.equal(cleared.json.bio, null);
        assert.equal(cleared.json.weight_kg, 61.5, 'absent fields are left alone');
        const bob = await client.signUp();
        const pub = await client.as(bob).get(`/v1/users/${ana.id}`);
        assert.equal(pub.status, 200);
        // The public fields and the social ones (the caller's relationship, the follower counts); nothing private.
        assert.deepEqual(Object.keys(pub.json).sort(),
            ['bio', 'city', 'country', 'created_at', 'display_name', 'follower_count', 'following_count', 'id', 'relationship', 'username']);
        assert.deepEqual(pub.json.relationship, { following: 'none', followed_by: false, blocked: false, muted: false });
    });

    test('malformed JSON, unknown fields, wrong types and missing fields name the field; nothing is written', async (t) => {
        if (!server) return t.skip('no server');
        const email = uniqueEmail('runner');
        const json = { headers: { 'content-type': 'application/json' } };
        const malformed = await client.post('/v1/auth/signup', '{"email": "x@y.z", ', json);
        assertProblem(malformed, 400, { field: 'body', detail: /invalid JSON at byte \d+/ });
        const unknown = await client.post('/v1/auth/signup', { email, password: kPassword, display_name: 'A', is_admin: true });
        assertProblem(unknown, 400, { field: 'is_admin' });
        const wrongType = await client.post('/v1/auth/signup', { email, password: 12345678901, display_name: 'A' });
        assertProblem(wrongType, 400, { field: 'password' });
        assert.equal(wrongType.json.errors[0].reason, 'must be a string');
        const missing = await client.post('/v1/auth/signup', { email });
        assertProblem(missing, 400, { field: 'password' });
        assertProblem(missing, 400, { field: 'display_name', reason: 'is required' });
        const weak = await client.post('/v1/auth/signup', { email, password: 'short', display_name: 'A' });
        assertProblem(weak, 400, { field: 'password' });
        // None of those created the account: logging in fails and signing up now succeeds.
        assertProblem(await client.post('/v1/auth/login', { email, password: kPassword }), 401);
        await client.signUp({ email });
        const ana = await client.signUp();
        const badPatch = await client.as(ana).patch('/v1/me', { weight_kg: 900, sex: 'robot', time_zone: 'Mars/Base', country: 'fra' });
        assertProblem(badPatch, 400, { field: ['weight_kg', 'sex', 'time_zone', 'country'] });
        const unchanged = await client.as(ana).get('/v1/me');
        assert.equal(unchanged.json.weight_kg, null, 'a rejected PATCH writes nothing');
        const textBody = await client.as(ana).patch('/v1/me', '{"bio":"x"}', { headers: { 'content-type': 'text/plain' } });
        assertProblem(textBody, 415);
    });

    test('duplicate email and username are conflicts', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const again = await client.post('/v1/auth/signup', { email: ana.email.toUpperCase(), password: kPassword, display_name: 'B' });
        assertProblem(again, 409, { field: 'email' });
        const name = `u${process.pid}${Date.now().toString(36)}`;
        assert.equal((await client.as(ana).patch('/v1/me', { username: name })).status, 200);
        const bob = await client.signUp();
        assertProblem(await client.as(bob).patch('/v1/me', { username: name.toUpperCase() }), 409, { field: 'username' });
    });

    test('oversized bodies get 413 and oversized headers 431', async (t) => {
        if (!server) return t.skip('no server');
        const big = JSON.stringify({ email: uniqueEmail('runner'), password: kPassword, display_name: 'x'.repeat(1024 * 1024) });
        assertProblem(await client.post('/v1/auth/signup', big, { headers: { 'content-type': 'application/json' } }), 413);
        const res = await rawExchange(server.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
        assert.match(res.data, /^HTTP\/1\.1 431 /);
    });

    test('ambiguous framing is refused (request smuggling)', async (t) => {
        if (!server) return t.skip('no server');
        const both = await rawExchange(server.port, 'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
        assert.match(both.data, /^HTTP\/1\.1 400 /);
        const dup = await rawExchange(server.port, 'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}');
        assert.match(dup.data, /^HTTP\/1\.1 400 /);
    });

    test('a slowloris client is cut off and does not starve others', async (t) => {
        if (!server) return t.skip('no server');
        const sockets = [];
        for (let i = 0; i < 50; i++) {
            const s = net.connect(server.port, '127.0.0.1');
            s.on('error', () => {});
            s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
            sockets.push(s);
        }
        const closed = sockets.map((s) => new Promise((resolve) => s.on('close', resolve)));
        const drip = setInterval(() => sockets.forEach((s) => s.writable && s.write('X-A: b\r\n')), 300);
        try {
            const started = Date.now();
            for (let i = 0; i < 20; i++) {
                assert.equal((await client.get('/healthz')).status, 200);
            }
            // A bound, not a figure: 20 loopback round trips take milliseconds; starved, they would
            // wait for the 2 s header deadline of the 50 dripping connections.
            assert.ok(Date.now() - started < 2000, 'normal requests stay fast');
            // The 2 s header deadline closes every dripping connection.
            await Promise.race([Promise.all(closed), new Promise((_, reject) => setTimeout(() => reject(new Error('slow clients were not cut off')), 6000))]);
        } finally {
            clearInterval(drip);
            sockets.forEach((s) => s.destroy());
        }
    });

    test('404 for unknown paths and missing objects alike, 405 with Allow, 410 for v0', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const missing = await client.as(ana).get('/v1/users/999999999');
        const garbage = await client.as(ana).get('/v1/users/not-a-number');
        assertProblem(missing, 404);
        assertProblem(garbage, 404);
        const strip = (p) => ({ ...p, request_id: undefined, instance: undefined });
        assert.deepEqual(strip(missing.json), strip(garbage.json));
        assertProblem(await client.get('/v1/nothing-here'), 404);
        const wrong = await client.as(ana).put('/v1/me', {});
        assertProblem(wrong, 405);
        assert.equal(wrong.headers.get('allow'), 'GET, HEAD, PATCH, DELETE');
        const trace = await rawExchange(server.port, 'TRACE /v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        assert.match(trace.data, /^HTTP\/1\.1 405 /);
        assertProblem(await client.get('/v0/athlete'), 410);
    });

    test('bad tokens are 401 with WWW-Authenticate, never 500', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const [h, p, s] = ana.token.split('.');
        const flip = (str) => (str[5] === 'A' ? `${str.slice(0, 5)}B${str.slice(6)}` : `${str.slice(0, 5)}A${str.slice(6)}`);
        const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
        const bad = ['garbage', `${h}.${p}`, `${h}.${p}.${s}.x`, `${h}.${flip(p)}.${s}`, `${flip(h)}.${p}.${s}`, `${h}.${p}.${flip(s)}`,
            none, `${h}=.${p}.${s}`, 'a'.repeat(9000)];
        for (const token of bad) {
            const res = await client.as(token).get('/v1/me');
            assertProblem(res, 401);
            assert.equal(res.headers.get('www-authenticate'), 'Bearer');
        }
        assertProblem(await client.get('/v1/me', { headers: { authorization: 'Basic abc' } }), 401);
        assert.equal((await client.as(ana).get('/v1/me')).status, 200);
    });

    test('Idempotency-Key replays, refuses a different body with 422, and creates once', async (t) => {
        if (!server) return t.skip('no server');
        const email = uniqueEmail('runner');
        const key = `key-${email}`;
        const body = { email, password: kPassword, display_name: 'Idem' };
        const first = await client.post('/v1/auth/signup', body, { headers: { 'idempotency-key': key } });
        assert.equal(first.status, 201);
        const second = await client.post('/v1/auth/signup', body, { headers: { 'idempotency-key': key } });
        assert.equal(second.status, 201);
        assert.equal(second.headers.get('idempotent-replayed'), 'true');
        assert.equal(second.json.user.id, first.json.user.id);
        const other = await client.post('/v1/auth/signup', { ...body, display_name: 'Other' }, { headers: { 'idempotency-key': key } });
        assertProblem(other, 422);
        assertProblem(await client.post('/v1/auth/signup', body, { headers: { 'idempotency-key': 'k'.repeat(256) } }), 400);
        // Without a key the same body is a plain conflict: only one account exists.
        assertProblem(await client.post('/v1/auth/signup', body), 409);
    });

    test('a key still in flight answers 409 with the lease left as Retry-After; a dead attempt\'s key is taken over', async (t) => {
        if (!server) return t.skip('no server');
        const email = uniqueEmail();
        const key = `inflight-${email}`;
        const body = { email, password: kPassword, display_name: 'In flight' };
        assert.equal((await client.post('/v1/auth/signup', body, { headers: { 'idempotency-key': key } })).status, 201);
        // The state a first attempt leaves while it runs, or when its process dies mid-request.
        const lease = (set) => sql(server, `UPDATE idempotency_keys SET state = 'in_flight', ${set} WHERE key = '${key}'`);
        const retry = () => client.post('/v1/auth/signup', body, { headers: { 'idempotency-key': key } });
        await lease("locked_until = now() + interval '50 seconds'");
        let res = await retry();
        assertProblem(res, 409);
        assert.match(res.json.detail, /still being processed/);
        assert.equal(res.headers.get('retry-after'), '5', 'capped: a live attempt ends long before the lease');
        await lease("locked_until = now() + interval '3.5 seconds'");
        res = await retry();
        assertProblem(res, 409);
        // The seconds left of the lease, rounded up: 4, or 3 when the round trip took over half a second.
        assert.ok(['4', '3'].includes(res.headers.get('retry-after')), res.headers.get('retry-after'));
        await lease("locked_until = now() - interval '1 second'");
        res = await retry();
        // The retry ran the handler again: the account exists, so sign-up itself answers 409.
        assertProblem(res, 409);
        assert.doesNotMatch(res.json.detail, /still being processed/);
        assert.equal(res.headers.get('retry-after'), null);
    });

    test('refresh tokens rotate; a reused one revokes the whole family', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const refresh = (token) => client.post('/v1/auth/refresh', { refresh_token: token });
        const r1 = await refresh(ana.refreshToken);
        assert.equal(r1.status, 200, r1.text);
        assert.notEqual(r1.json.refresh_token, ana.refreshToken);
        assert.equal((await client.as(r1.json.access_token).get('/v1/me')).status, 200);
        // Moments later (another tab) the old token gets the same successor; once the family has
        // moved on it is a theft signal (hardening.test.mjs covers the grace window itself).
        assert.equal((await refresh(ana.refreshToken)).json.refresh_token, r1.json.refresh_token);
        const r2 = await refresh(r1.json.refresh_token);
        assert.equal(r2.status, 200, r2.text);
        assertProblem(await refresh(ana.refreshToken), 401);
        assertProblem(await refresh(r2.json.refresh_token), 401);
        await waitFor401(r2.json.access_token);
    });

    test('log-out and password change revoke access tokens within a second', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const phone = await client.post('/v1/auth/login', { email: ana.email, password: kPassword });
        assert.equal(phone.status, 200);
        const sessions = await client.as(ana).get('/v1/auth/sessions');
        assert.equal(sessions.json.sessions.length, 2);
        assert.equal(sessions.json.sessions.filter((s) => s.current).length, 1);
        const changed = await client.as(ana).post('/v1/auth/password', { current_password: kPassword, new_password: 'a much better secret' });
        assert.equal(changed.status, 204, changed.text);
        await waitFor401(phone.json.access_token);
        assert.equal((await client.as(ana).get('/v1/me')).status, 200, 'the changing session survives');
        assertProblem(await client.post('/v1/auth/login', { email: ana.email, password: kPassword }), 401);
        assert.equal((await client.as(ana).post('/v1/auth/logout')).status, 204);
        await waitFor401(ana.token);
    });

    test('revoking another user\'s session answers 404', async (t) => {
        if (!server) return t.skip('no server');
        const [ana, bob] = await client.users(2);
        const bobSessions = await client.as(bob).get('/v1/auth/sessions');
        const id = bobSessions.json.sessions[0].id;
        assertProblem(await client.as(ana).delete(`/v1/auth/sessions/${id}`), 404);
        assert.equal((await client.as(bob).get('/v1/me')).status, 200);
    });

    test('deleting the account needs the password and erases it', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        assertProblem(await client.as(ana).delete('/v1/me', {}), 400, { field: 'password' });
        assertProblem(await client.as(ana).delete('/v1/me', { password: 'wrong password!' }), 400, { field: 'password' });
        assert.equal((await client.as(ana).delete('/v1/me', { password: kPassword })).status, 204);
        await waitFor401(ana.token);
        assertProblem(await client.post('/v1/auth/login', { email: ana.email, password: kPassword }), 401);
    });

    test('repeated failed log-ins slow down, then 429 with Retry-After', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        for (let i = 0; i < 5; i++) {
            assertProblem(await client.post('/v1/auth/login', { email: ana.email, password: 'wrong password!' }), 401);
        }
        const blocked = await client.post('/v1/auth/login', { email: ana.email, password: kPassword });
        assertProblem(blocked, 429);
        assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
    });

    test('API docs, OpenAPI document and the web app are served; the routes are exactly the documented operations', async (t) => {
        if (!server) return t.skip('no server');
        const spec = await client.get('/openapi.json');
        assert.equal(spec.status, 200, 'web/dist/openapi.json is built');
        const routes = JSON.parse(spawnSync(binaryPath(), ['routes'], { encoding: 'utf8' }).stdout).map((r) => `${r.method} ${r.path}`);
        assert.equal(new Set(routes).size, routes.length, `no route is declared twice: ${routes}`);
        // Every operation of docs/api/openapi.yaml is a route, and every route is documented; the
        // only exception is the API docs page, which the static file handler serves.
        const { parse } = requireFromWeb('yaml');
        const documented = Object.entries(parse(readFileSync(join(repoRoot, 'docs', 'api', 'openapi.yaml'), 'utf8')).paths)
            .flatMap(([path, item]) => Object.keys(item).filter((key) => /^(get|put|post|delete|patch|head|options)$/.test(key))
                .map((method) => `${method.toUpperCase()} ${path}`));
        const kServedOutsideTheRouter = ['GET /docs'];
        assert.deepEqual([...routes].sort(), documented.filter((op) => !kServedOutsideTheRouter.includes(op)).sort());
        const missing = routes.filter((r) => {
            const [method, path] = r.split(' ');
            return !spec.json.paths?.[path]?.[method.toLowerCase()];
        });
        assert.deepEqual(missing, [], 'the served /openapi.json documents every route');
        const docs = await client.get('/docs');
        assert.equal(docs.status, 200);
        assert.match(docs.headers.get('content-type'), /text\/html/);
        const index = await client.get('/you');
        assert.equal(index.status, 200);
        assert.match(index.text, /<div id="app"|<html/i);
        assertProblem(await client.get('/assets/does-not-exist.js'), 404);
        const traversal = await rawExchange(server.port, 'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        assert.doesNotMatch(traversal.data, /root:x:0:0/, 'never serves files outside web/dist');
        const encoded = await rawExchange(server.port, 'GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        assert.doesNotMatch(encoded.data, /root:x:0:0/);
        const gz = await fetch(`${server.url}/openapi.json`, { headers: { 'accept-encoding': 'gzip' } });
        assert.equal(gz.headers.get('content-encoding'), 'gzip');
        assert.deepEqual(await gz.json(), spec.json, 'the gzip body decodes to the same document');
    });

    test('a large answer to a reader that pauses arrives whole (writes that do not fit at once)', async (t) => {
        if (!server) return t.skip('no server');
        const assets = join(repoRoot, 'web', 'dist', 'assets');
        const [largest] = readdirSync(assets).map((name) => ({ name, size: statSync(join(assets, name)).size }))
            .sort((a, b) => b.size - a.size);
        // A precondition on the build, not a figure under test: the answer must be larger than the
        // socket buffers (a few hundred kB at most on loopback) for the server's write to block.
        assert.ok(largest.size > 100_000, `a web asset above 100 kB to send (largest: ${largest.name}, ${largest.size} B)`);
        const expected = readFileSync(join(assets, largest.name));
        const received = await new Promise((resolve, reject) => {
            const chunks = [];
            const socket = net.connect(server.port, '127.0.0.1', () => {
                socket.write(`GET /assets/${largest.name} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
                socket.pause();  // the server's first write fills the socket buffers and it must wait
                setTimeout(() => socket.resume(), 300);
            });
            socket.on('data', (c) => chunks.push(c));
            socket.on('end', () => resolve(Buffer.concat(chunks)));
            socket.on('error', reject);
        });
        const split = received.indexOf('\r\n\r\n');
        const head = received.subarray(0, split).toString();
        assert.match(head, /^HTTP\/1\.1 200 /);
        assert.match(head, new RegExp(`\r\ncontent-length: ${expected.length}(\r\n|$)`, 'i'));
        assert.ok(received.subarray(split + 4).equals(expected), 'body is byte for byte the file');
    });

    test('CORS answers listed origins only', async (t) => {
        if (!server) return t.skip('no server');
        const res = await client.options('/v1/me', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
        assertProblem(res, 403);
        assert.equal(res.headers.get('access-control-allow-origin'), null);
    });
});

describe('rate limits and settings', () => {
    test('anonymous callers over budget get 429 with Retry-After and X-RateLimit headers', async (t) => {
        if (!requireServices(t)) return;
        const s = await startServer({ args: [kFastHash, '--rate-limit-anon-per-minute=60', '--rate-limit-anon-burst=5'] });
        t.after(() => s.stop());
        const statuses = [];
        let last;
        for (let i = 0; i < 8; i++) {
            last = await fetch(`${s.url}/v1/users/1`);
            statuses.push(last.status);
        }
        assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
        assert.equal(statuses[7], 429);
        assert.equal(last.headers.get('retry-after'), '1');
        assert.equal(last.headers.get('x-ratelimit-limit'), '5');
        assert.equal(last.headers.get('x-ratelimit-remaining'), '0');
    });

    test('a bad setting stops the start with one line naming it', () => {
        for (const [env, args, pattern] of [
            [{ STRAVA1_LISTEN: 'nowhere' }, [], /STRAVA1_LISTEN: must be ADDRESS:PORT/],
            [{}, ['--db-pool-size=0'], /--db-pool-size: must be an integer in 1\.\.1000/],
            [{ STRAVA1_AUTH_MODE: 'ldap' }, [], /STRAVA1_AUTH_MODE: must be one of local, firebase/],
            [{ STRAVA1_NO_SUCH_SETTING: '1' }, [], /STRAVA1_NO_SUCH_SETTING: unknown setting/],
            [{ STRAVA1_AUTH_MODE: 'firebase' }, [], /STRAVA1_FIREBASE_PROJECT_ID: is required/],
        ]) {
            const res = spawnSync(binaryPath(), ['serve', ...args], { env: serverEnv(env), encoding: 'utf8', cwd: repoRoot, timeout: 20000 });
            assert.equal(res.status, 2, res.stderr);
            assert.match(res.stderr, pattern);
            assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
        }
    });
});
