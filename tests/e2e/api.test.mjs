// End-to-end tests of the HTTP/JSON core and accounts against the real binary over real sockets:
// every bad-input class the foundation issue names gets a test that asserts the exact answer.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { requireServices, startServer, binaryPath, repoRoot, request } from './harness.mjs';

const execFileAsync = promisify(execFile);

const kFast = '--password-hash=argon2id-fast-insecure';
// Generous budgets so the suite itself is not rate limited; the rate-limit tests start their own server.
const kRoomy = ['--rate-limit-auth-per-minute=100000', '--rate-limit-auth-burst=100000',
    '--rate-limit-anon-per-minute=100000', '--rate-limit-anon-burst=100000'];
const kPassword = 'correct horse battery';

let server;
let counter = 0;

function uniqueEmail() {
    counter += 1;
    return `runner${process.pid}_${counter}_${Date.now()}@example.com`;
}

function call(method, path, options) {
    return request(server.url, method, path, options);
}

async function signup(email = uniqueEmail(), extra = {}) {
    const res = await call('POST', '/v1/auth/signup', { body: { email, password: kPassword, display_name: 'Ana', ...extra } });
    assert.equal(res.status, 201, res.text);
    return { email, ...res.json };
}

function assertProblem(res, status, slug, field) {
    assert.equal(res.status, status, res.text);
    assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
    assert.equal(res.json.status, status);
    assert.equal(res.json.type, `urn:strava1:problem:${slug}`);
    assert.ok(res.json.request_id, 'problem carries the request id');
    assert.equal(res.headers.get('x-request-id'), res.json.request_id);
    assert.doesNotMatch(res.text, /sqlstate|stack|\.cpp/i, 'no internals in error bodies');
    if (field) {
        assert.ok(res.json.errors?.some((e) => e.field === field), `errors name ${field}: ${res.text}`);
    }
}

/** Sends raw bytes on a fresh socket and resolves with everything received until close or timeout. */
function rawExchange(payload, { timeoutMs = 5000 } = {}) {
    return new Promise((resolve) => {
        const socket = net.connect(server.port, '127.0.0.1');
        let data = '';
        const timer = setTimeout(() => { socket.destroy(); resolve({ data, closed: false }); }, timeoutMs);
        socket.on('data', (chunk) => { data += chunk.toString('latin1'); });
        socket.on('close', () => { clearTimeout(timer); resolve({ data, closed: true }); });
        socket.on('error', () => {});
        socket.write(payload);
    });
}

describe('HTTP core and accounts', () => {
    before(async (t) => {
        if (!requireServices(t)) return;
        server = await startServer({ args: [kFast, ...kRoomy, '--header-timeout-s=2', '--idle-timeout-s=5'] });
    });
    after(async () => { await server?.stop(); });

    test('probes answer and metrics count requests per route', async (t) => {
        if (!server) return t.skip('no server');
        assert.deepEqual((await call('GET', '/healthz')).json, { status: 'ok' });
        assert.deepEqual((await call('GET', '/readyz')).json, { status: 'ready' });
        const metrics = await call('GET', '/metrics');
        assert.equal(metrics.status, 200);
        assert.match(metrics.text, /strava1_http_requests_total\{method="GET",route="\/healthz",status="2xx"\} \d+/);
        assert.match(metrics.text, /strava1_db_pool_connections \d+/);
    });

    test('sign-up, profile read and edit, public profile hides private fields', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await signup();
        assert.equal(ana.token_type, 'Bearer');
        assert.ok(ana.expires_in > 0 && ana.expires_in <= 900);
        assert.equal(ana.user.email, ana.email);
        const patched = await call('PATCH', '/v1/me', {
            token: ana.access_token,
            body: { weight_kg: 61.5, units: 'imperial', time_zone: 'Europe/Paris', bio: 'Trail runner', birthdate: '1990-04-02', max_hr_bpm: 190, resting_hr_bpm: 48 },
        });
        assert.equal(patched.status, 200, patched.text);
        assert.equal(patched.json.weight_kg, 61.5);
        assert.equal(patched.json.units, 'imperial');
        assert.equal(patched.json.birthdate, '1990-04-02');
        const cleared = await call('PATCH', '/v1/me', { token: ana.access_token, body: { bio: null } });
        assert.equal(cleared.json.bio, null);
        assert.equal(cleared.json.weight_kg, 61.5, 'absent fields are left alone');
        const bob = await signup();
        const pub = await call('GET', `/v1/users/${ana.user.id}`, { token: bob.access_token });
        assert.equal(pub.status, 200);
        assert.deepEqual(Object.keys(pub.json).sort(), ['bio', 'city', 'country', 'created_at', 'display_name', 'id', 'username']);
    });

    test('malformed JSON, unknown fields, wrong types and missing fields name the field; nothing is written', async (t) => {
        if (!server) return t.skip('no server');
        const email = uniqueEmail();
        const malformed = await call('POST', '/v1/auth/signup', { raw: '{"email": "x@y.z", ', headers: { 'content-type': 'application/json' } });
        assertProblem(malformed, 400, 'invalid-argument', 'body');
        assert.match(malformed.json.detail, /invalid JSON at byte \d+/);
        const unknown = await call('POST', '/v1/auth/signup', { body: { email, password: kPassword, display_name: 'A', is_admin: true } });
        assertProblem(unknown, 400, 'invalid-argument', 'is_admin');
        const wrongType = await call('POST', '/v1/auth/signup', { body: { email, password: 12345678901, display_name: 'A' } });
        assertProblem(wrongType, 400, 'invalid-argument', 'password');
        assert.equal(wrongType.json.errors[0].reason, 'must be a string');
        const missing = await call('POST', '/v1/auth/signup', { body: { email } });
        assertProblem(missing, 400, 'invalid-argument', 'password');
        assert.ok(missing.json.errors.some((e) => e.field === 'display_name' && e.reason === 'is required'));
        const weak = await call('POST', '/v1/auth/signup', { body: { email, password: 'short', display_name: 'A' } });
        assertProblem(weak, 400, 'invalid-argument', 'password');
        // None of those created the account: logging in fails and signing up now succeeds.
        assertProblem(await call('POST', '/v1/auth/login', { body: { email, password: kPassword } }), 401, 'unauthenticated');
        await signup(email);
        const ana = await signup();
        const badPatch = await call('PATCH', '/v1/me', { token: ana.access_token, body: { weight_kg: 900, sex: 'robot', time_zone: 'Mars/Base', country: 'fra' } });
        assertProblem(badPatch, 400, 'invalid-argument', 'weight_kg');
        for (const field of ['sex', 'time_zone', 'country']) {
            assert.ok(badPatch.json.errors.some((e) => e.field === field), field);
        }
        const unchanged = await call('GET', '/v1/me', { token: ana.access_token });
        assert.equal(unchanged.json.weight_kg, null, 'a rejected PATCH writes nothing');
        const textBody = await call('PATCH', '/v1/me', { token: ana.access_token, raw: '{"bio":"x"}', headers: { 'content-type': 'text/plain' } });
        assertProblem(textBody, 415, 'unsupported-media-type');
    });

    test('duplicate email and username are conflicts', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await signup();
        const again = await call('POST', '/v1/auth/signup', { body: { email: ana.email.toUpperCase(), password: kPassword, display_name: 'B' } });
        assertProblem(again, 409, 'conflict', 'email');
        const name = `u${process.pid}${counter}`;
        assert.equal((await call('PATCH', '/v1/me', { token: ana.access_token, body: { username: name } })).status, 200);
        const bob = await signup();
        assertProblem(await call('PATCH', '/v1/me', { token: bob.access_token, body: { username: name.toUpperCase() } }), 409, 'conflict', 'username');
    });

    test('oversized bodies get 413 and oversized headers 431', async (t) => {
        if (!server) return t.skip('no server');
        const big = JSON.stringify({ email: uniqueEmail(), password: kPassword, display_name: 'x'.repeat(1024 * 1024) });
        assertProblem(await call('POST', '/v1/auth/signup', { raw: big, headers: { 'content-type': 'application/json' } }), 413, 'too-large');
        const res = await rawExchange(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
        assert.match(res.data, /^HTTP\/1\.1 431 /);
    });

    test('ambiguous framing is refused (request smuggling)', async (t) => {
        if (!server) return t.skip('no server');
        const both = await rawExchange('POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
        assert.match(both.data, /^HTTP\/1\.1 400 /);
        const dup = await rawExchange('POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}');
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
                assert.equal((await call('GET', '/healthz')).status, 200);
            }
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
        const ana = await signup();
        const missing = await call('GET', '/v1/users/999999999', { token: ana.access_token });
        const garbage = await call('GET', '/v1/users/not-a-number', { token: ana.access_token });
        assertProblem(missing, 404, 'not-found');
        assertProblem(garbage, 404, 'not-found');
        const strip = (p) => ({ ...p, request_id: undefined, instance: undefined });
        assert.deepEqual(strip(missing.json), strip(garbage.json));
        assertProblem(await call('GET', '/v1/nothing-here'), 404, 'not-found');
        const wrong = await call('PUT', '/v1/me', { token: ana.access_token, body: {} });
        assertProblem(wrong, 405, 'method-not-allowed');
        assert.equal(wrong.headers.get('allow'), 'GET, HEAD, PATCH, DELETE');
        const trace = await rawExchange('TRACE /v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        assert.match(trace.data, /^HTTP\/1\.1 405 /);
        assertProblem(await call('GET', '/v0/athlete'), 410, 'gone');
    });

    test('bad tokens are 401 with WWW-Authenticate, never 500', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await signup();
        const [h, p, s] = ana.access_token.split('.');
        const flip = (str) => (str[5] === 'A' ? `${str.slice(0, 5)}B${str.slice(6)}` : `${str.slice(0, 5)}A${str.slice(6)}`);
        const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
        const bad = ['garbage', `${h}.${p}`, `${h}.${p}.${s}.x`, `${h}.${flip(p)}.${s}`, `${flip(h)}.${p}.${s}`, `${h}.${p}.${flip(s)}`,
            none, `${h}=.${p}.${s}`, 'a'.repeat(9000)];
        for (const token of bad) {
            const res = await call('GET', '/v1/me', { token });
            assertProblem(res, 401, 'unauthenticated');
            assert.equal(res.headers.get('www-authenticate'), 'Bearer');
        }
        assertProblem(await call('GET', '/v1/me', { headers: { authorization: 'Basic abc' } }), 401, 'unauthenticated');
        assert.equal((await call('GET', '/v1/me', { token: ana.access_token })).status, 200);
    });

    test('Idempotency-Key replays, refuses a different body with 422, and creates once', async (t) => {
        if (!server) return t.skip('no server');
        const email = uniqueEmail();
        const key = `key-${email}`;
        const body = { email, password: kPassword, display_name: 'Idem' };
        const first = await call('POST', '/v1/auth/signup', { body, headers: { 'idempotency-key': key } });
        assert.equal(first.status, 201);
        const second = await call('POST', '/v1/auth/signup', { body, headers: { 'idempotency-key': key } });
        assert.equal(second.status, 201);
        assert.equal(second.headers.get('idempotent-replayed'), 'true');
        assert.equal(second.json.user.id, first.json.user.id);
        const other = await call('POST', '/v1/auth/signup', { body: { ...body, display_name: 'Other' }, headers: { 'idempotency-key': key } });
        assertProblem(other, 422, 'unprocessable');
        assertProblem(await call('POST', '/v1/auth/signup', { body, headers: { 'idempotency-key': 'k'.repeat(256) } }), 400, 'invalid-argument');
        // Without a key the same body is a plain conflict: only one account exists.
        assertProblem(await call('POST', '/v1/auth/signup', { body }), 409, 'conflict');
    });

    test('a key still in flight answers 409 with the lease left as Retry-After; a dead attempt\'s key is taken over', async (t) => {
        if (!server) return t.skip('no server');
        const email = uniqueEmail();
        const key = `inflight-${email}`;
        const body = { email, password: kPassword, display_name: 'In flight' };
        assert.equal((await call('POST', '/v1/auth/signup', { body, headers: { 'idempotency-key': key } })).status, 201);
        // The state a first attempt leaves while it runs, or when its process dies mid-request.
        const lease = (sql) => execFileAsync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', server.databaseUrl, '-c',
            `UPDATE idempotency_keys SET state = 'in_flight', ${sql} WHERE key = '${key}'`]);
        const retry = () => call('POST', '/v1/auth/signup', { body, headers: { 'idempotency-key': key } });
        await lease("locked_until = now() + interval '50 seconds'");
        let res = await retry();
        assertProblem(res, 409, 'conflict');
        assert.match(res.json.detail, /still being processed/);
        assert.equal(res.headers.get('retry-after'), '5', 'capped: a live attempt ends long before the lease');
        await lease("locked_until = now() + interval '1.5 seconds'");
        res = await retry();
        assertProblem(res, 409, 'conflict');
        assert.equal(res.headers.get('retry-after'), '2', 'the seconds left of the lease, rounded up');
        await lease("locked_until = now() - interval '1 second'");
        res = await retry();
        // The retry ran the handler again: the account exists, so sign-up itself answers 409.
        assertProblem(res, 409, 'conflict');
        assert.doesNotMatch(res.json.detail, /still being processed/);
        assert.equal(res.headers.get('retry-after'), null);
    });

    test('refresh tokens rotate; a reused one revokes the whole family', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await signup();
        const r1 = await call('POST', '/v1/auth/refresh', { body: { refresh_token: ana.refresh_token } });
        assert.equal(r1.status, 200, r1.text);
        assert.notEqual(r1.json.refresh_token, ana.refresh_token);
        assert.equal((await call('GET', '/v1/me', { token: r1.json.access_token })).status, 200);
        // Moments later (another tab) the old token gets the same successor; once the family has
        // moved on it is a theft signal (hardening.test.mjs covers the grace window itself).
        assert.equal((await call('POST', '/v1/auth/refresh', { body: { refresh_token: ana.refresh_token } })).json.refresh_token, r1.json.refresh_token);
        const r2 = await call('POST', '/v1/auth/refresh', { body: { refresh_token: r1.json.refresh_token } });
        assert.equal(r2.status, 200, r2.text);
        assertProblem(await call('POST', '/v1/auth/refresh', { body: { refresh_token: ana.refresh_token } }), 401, 'unauthenticated');
        assertProblem(await call('POST', '/v1/auth/refresh', { body: { refresh_token: r2.json.refresh_token } }), 401, 'unauthenticated');
        await waitFor401(r2.json.access_token);
    });

    test('log-out and password change revoke access tokens within a second', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await signup();
        const phone = await call('POST', '/v1/auth/login', { body: { email: ana.email, password: kPassword } });
        assert.equal(phone.status, 200);
        const sessions = await call('GET', '/v1/auth/sessions', { token: ana.access_token });
        assert.equal(sessions.json.sessions.length, 2);
        assert.equal(sessions.json.sessions.filter((s) => s.current).length, 1);
        const changed = await call('POST', '/v1/auth/password', { token: ana.access_token, body: { current_password: kPassword, new_password: 'a much better secret' } });
        assert.equal(changed.status, 204, changed.text);
        await waitFor401(phone.json.access_token);
        assert.equal((await call('GET', '/v1/me', { token: ana.access_token })).status, 200, 'the changing session survives');
        assertProblem(await call('POST', '/v1/auth/login', { body: { email: ana.email, password: kPassword } }), 401, 'unauthenticated');
        assert.equal((await call('POST', '/v1/auth/logout', { token: ana.access_token })).status, 204);
        await waitFor401(ana.access_token);
    });

    test('revoking another user\'s session answers 404', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await signup();
        const bob = await signup();
        const bobSessions = await call('GET', '/v1/auth/sessions', { token: bob.access_token });
        const id = bobSessions.json.sessions[0].id;
        assertProblem(await call('DELETE', `/v1/auth/sessions/${id}`, { token: ana.access_token }), 404, 'not-found');
        assert.equal((await call('GET', '/v1/me', { token: bob.access_token })).status, 200);
    });

    test('deleting the account needs the password and erases it', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await signup();
        assertProblem(await call('DELETE', '/v1/me', { token: ana.access_token, body: {} }), 400, 'invalid-argument', 'password');
        assertProblem(await call('DELETE', '/v1/me', { token: ana.access_token, body: { password: 'wrong password!' } }), 400, 'invalid-argument', 'password');
        assert.equal((await call('DELETE', '/v1/me', { token: ana.access_token, body: { password: kPassword } })).status, 204);
        await waitFor401(ana.access_token);
        assertProblem(await call('POST', '/v1/auth/login', { body: { email: ana.email, password: kPassword } }), 401, 'unauthenticated');
    });

    test('repeated failed log-ins slow down, then 429 with Retry-After', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await signup();
        for (let i = 0; i < 5; i++) {
            assertProblem(await call('POST', '/v1/auth/login', { body: { email: ana.email, password: 'wrong password!' } }), 401, 'unauthenticated');
        }
        const blocked = await call('POST', '/v1/auth/login', { body: { email: ana.email, password: kPassword } });
        assertProblem(blocked, 429, 'rate-limited');
        assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
    });

    test('API docs, OpenAPI document and the web app are served; OpenAPI covers every route', async (t) => {
        if (!server) return t.skip('no server');
        const spec = await call('GET', '/openapi.json');
        assert.equal(spec.status, 200, 'web/dist/openapi.json is built');
        const routes = JSON.parse(spawnSync(binaryPath(), ['routes'], { encoding: 'utf8' }).stdout);
        assert.ok(routes.length >= 14);
        const missing = routes.filter((r) => !spec.json.paths?.[r.path]?.[r.method.toLowerCase()]);
        assert.deepEqual(missing, [], 'every route is documented in docs/api/openapi.yaml');
        const docs = await call('GET', '/docs');
        assert.equal(docs.status, 200);
        assert.match(docs.headers.get('content-type'), /text\/html/);
        const index = await call('GET', '/you');
        assert.equal(index.status, 200);
        assert.match(index.text, /<div id="app"|<html/i);
        assertProblem(await call('GET', '/assets/does-not-exist.js'), 404, 'not-found');
        const traversal = await rawExchange('GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        assert.doesNotMatch(traversal.data, /root:x:0:0/, 'never serves files outside web/dist');
        const encoded = await rawExchange('GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
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
        const res = await call('OPTIONS', '/v1/me', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
        assertProblem(res, 403, 'permission-denied');
        assert.equal(res.headers.get('access-control-allow-origin'), null);
    });
});

async function waitFor401(token) {
    const deadline = Date.now() + 1500;
    for (;;) {
        const res = await call('GET', '/v1/me', { token });
        if (res.status === 401) return;
        assert.ok(Date.now() < deadline, 'revocation took effect within 1 s');
        await new Promise((r) => setTimeout(r, 100));
    }
}

describe('rate limits and settings', () => {
    test('anonymous callers over budget get 429 with Retry-After and X-RateLimit headers', async (t) => {
        if (!requireServices(t)) return;
        const s = await startServer({ args: [kFast, '--rate-limit-anon-per-minute=60', '--rate-limit-anon-burst=5'] });
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
            const childEnv = { ...process.env, ...env };
            delete childEnv.STRAVA1_BIN;  // the harness's own variable, not a server setting
            const res = spawnSync(binaryPath(), ['serve', ...args], { env: childEnv, encoding: 'utf8', cwd: repoRoot, timeout: 20000 });
            assert.equal(res.status, 2, res.stderr);
            assert.match(res.stderr, pattern);
            assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
        }
    });
});
