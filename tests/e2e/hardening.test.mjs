// End-to-end tests of the hardening of the HTTP core, JSON, text fields, idempotency and sign-in
// (issue 7, items 10, 11, 12 and 16) against the real binary: raw sockets for framing, the client
// address behind a trusted proxy to simulate an attack from rotating addresses, and the refresh
// grace window checked against the database the server uses.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
    api, assertProblem, kFastHash, kPassword, kRoomyLimits, multipart, rawExchange, requireServices, sql, startServer, uniqueEmail, until,
} from './kit.mjs';

const kWrong = 'wrong password!!';

/** The device cookie a sign-in answer sets, as "name=value" for a Cookie header. */
function deviceCookie(res) {
    const cookies = res.headers.getSetCookie();
    const found = cookies.find((c) => c.startsWith('strava1_device='));
    assert.ok(found, `a device cookie is set: ${JSON.stringify(cookies)}`);
    assert.match(found, /HttpOnly/i);
    assert.match(found, /SameSite=Strict/i);
    assert.match(found, /Path=\/v1\/auth/);
    return found.split(';')[0];
}

function tinyGpx(minutes = 3) {
    const points = [];
    for (let i = 0; i <= minutes * 6; i++) {
        const t = new Date(Date.UTC(2026, 4, 1, 7, 0, i * 10)).toISOString();
        points.push(`<trkpt lat="${(45.2 + i * 0.0002).toFixed(6)}" lon="${(13.6 + i * 0.0002).toFixed(6)}"><ele>${100 + i}</ele><time>${t}</time></trkpt>`);
    }
    return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="e2e" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>${points.join('')}</trkseg></trk></gpx>`);
}

describe('HTTP framing, JSON and text hardening', () => {
    let server;
    let client;
    async function stillServing() {
        assert.equal((await client.get('/healthz')).status, 200, 'the server keeps serving');
    }

    before(async (t) => {
        if (!requireServices(t)) return;
        server = await startServer({ args: [kFastHash, ...kRoomyLimits] });
        client = api(server);
    });
    after(async () => { await server?.stop(); });

    test('Host must appear exactly once on HTTP/1.1 and at most once on HTTP/1.0', async (t) => {
        if (!server) return t.skip('no server');
        const two = await rawExchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n');
        assert.match(two.data, /^HTTP\/1\.1 400 /);
        assert.match(two.data, /Host/);
        assert.ok(two.closed, 'the connection is closed after a framing error');
        const none = await rawExchange(server.port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
        assert.match(none.data, /^HTTP\/1\.1 400 /);
        const twoOld = await rawExchange(server.port, 'GET /healthz HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n');
        assert.match(twoOld.data, /^HTTP\/1\.1 400 /);
        const badValue = await rawExchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n');
        assert.match(badValue.data, /^HTTP\/1\.1 400 /);
        const old = await rawExchange(server.port, 'GET /healthz HTTP/1.0\r\n\r\n');
        assert.match(old.data, /^HTTP\/1\.1 200 /, 'HTTP/1.0 needs no Host');
        const one = await rawExchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n');
        assert.match(one.data, /^HTTP\/1\.1 200 /);
        await stillServing();
    });

    test('Transfer-Encoding on HTTP/1.0 and obsolete line folding are refused', async (t) => {
        if (!server) return t.skip('no server');
        const te = await rawExchange(server.port, 'POST /v1/auth/login HTTP/1.0\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
        assert.match(te.data, /^HTTP\/1\.1 400 /);
        assert.match(te.data, /Transfer-Encoding/);
        const fold = await rawExchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-Long: first\r\n second\r\nConnection: close\r\n\r\n');
        assert.match(fold.data, /^HTTP\/1\.1 400 /);
        assert.match(fold.data, /line folding/);
        const foldTab = await rawExchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-Long: first\r\n\tsecond\r\nConnection: close\r\n\r\n');
        assert.match(foldTab.data, /^HTTP\/1\.1 400 /);
        await stillServing();
    });

    test('the header block as a whole is bounded, not only each line', async (t) => {
        if (!server) return t.skip('no server');
        const lines = Array.from({ length: 100 }, (_, i) => `X-Filler-${String(i).padStart(3, '0')}: ${'a'.repeat(184)}\r\n`).join('');
        assert.equal(lines.length, 100 * 200);
        const res = await rawExchange(server.port, `GET /healthz HTTP/1.1\r\nHost: a\r\n${lines}\r\n`);
        assert.match(res.data, /^HTTP\/1\.1 431 /);
        // Just under the bound still works.
        const fewer = lines.slice(0, 70 * 200);
        const ok = await rawExchange(server.port, `GET /healthz HTTP/1.1\r\nHost: a\r\n${fewer}Connection: close\r\n\r\n`);
        assert.match(ok.data, /^HTTP\/1\.1 200 /);
        await stillServing();
    });

    test('duplicate JSON keys are refused, naming the key', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const dup = await client.as(ana).patch('/v1/me', '{"city":"Pula","city":"Rijeka"}', { headers: { 'content-type': 'application/json' } });
        assertProblem(dup, 400, { field: 'city' });
        assert.match(dup.json.detail, /duplicate/);
        const nested = await client.post('/v1/auth/signup', `{"email":"${uniqueEmail('hard')}","password":"${kPassword}","display_name":"A","x":{"a":1,"a":2}}`, { headers: { 'content-type': 'application/json' } });
        assertProblem(nested, 400, { field: 'x.a' });
        // The same key in two different objects is fine (it is the unknown field that fails here).
        const distinct = await client.post('/v1/auth/signup', `{"email":"${uniqueEmail('hard')}","password":"${kPassword}","display_name":"A","x":{"email":1}}`, { headers: { 'content-type': 'application/json' } });
        assertProblem(distinct, 400, { field: 'x' });
        assert.equal((await client.as(ana).get('/v1/me')).json.city, null, 'nothing was written');
    });

    test('doubles are written as the shortest decimal that reads back the same', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const patched = await client.as(ana).patch('/v1/me', { weight_kg: 45.205299, height_cm: 172 });
        assert.equal(patched.status, 200, patched.text);
        assert.match(patched.text, /"weight_kg":45\.205299[,}]/);
        // The sign-in answer is built as a Boost.JSON value; it must read the same.
        const login = await client.post('/v1/auth/login', { email: ana.email, password: kPassword });
        assert.equal(login.status, 200, login.text);
        assert.match(login.text, /"weight_kg":45\.205299[,}]/);
        assert.match(login.text, /"height_cm":172[,}]/);
        // Numbers only: random tokens in strings can hold "4E5" by chance.
        const numbersOnly = (text) => text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
        assert.doesNotMatch(numbersOnly(login.text), /\d[eE][+-]?\d/, 'no exponent notation for ordinary numbers');
        const manual = await client.as(ana).post('/v1/activities', { sport: 'run', start_time: '2026-03-01T07:00:00Z', elapsed_s: 3000, distance_m: 10000.5 });
        assert.equal(manual.status, 201, manual.text);
        assert.doesNotMatch(numbersOnly(manual.text), /\d[eE][+-]?\d/);
    });

    test('control characters and lengths in characters, the same in every feature', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const me = (body) => client.as(ana).patch('/v1/me', body);
        assertProblem(await me({ bio: 'public\u0000secret' }), 400, { field: 'bio' });
        assertProblem(await me({ display_name: '\u0000' }), 400, { field: 'display_name' });
        assertProblem(await me({ display_name: 'Ana\tB' }), 400, { field: 'display_name' });
        assertProblem(await me({ city: 'Pula\nRijeka' }), 400, { field: 'city' });
        assertProblem(await me({ bio: 'lone\rreturn' }), 400, { field: 'bio' });
        assertProblem(await me({ bio: 'next line\u0085here' }), 400, { field: 'bio' });
        const multi = await me({ bio: 'line one\r\nline two\n\tindented', display_name: 'é'.repeat(80) });
        assert.equal(multi.status, 200, multi.text);
        assert.equal(multi.json.bio, 'line one\r\nline two\n\tindented');
        assertProblem(await me({ display_name: 'é'.repeat(81) }), 400, { field: 'display_name' });

        const make = (body) => client.as(ana).post('/v1/activities', { sport: 'run', start_time: '2026-03-01T07:00:00Z', elapsed_s: 600, ...body });
        const nul = await make({ name: 'public\u0000secret' });
        assertProblem(nul, 400, { field: 'name' });
        assert.match(nul.json.errors.find((e) => e.field === 'name').reason, /control character/);
        assertProblem(await make({ name: '\u0000' }), 400, { field: 'name' });
        assertProblem(await make({ name: 'two\nlines' }), 400, { field: 'name' });
        assertProblem(await make({ description: 'bell\u0007' }), 400, { field: 'description' });
        const long = await make({ name: 'é'.repeat(255), description: 'a\n\tb\r\nc' });
        assert.equal(long.status, 201, long.text);
        assert.equal(long.json.name, 'é'.repeat(255));
        assertProblem(await make({ name: 'é'.repeat(256) }), 400, { field: 'name' });

        // Query parameters and multipart fields used as text go through the same check.
        const gpx = tinyGpx();
        const upload = (query, raw = gpx, headers = { 'content-type': 'application/octet-stream' }) =>
            client.as(ana).post(`/v1/uploads${query}`, raw, { headers });
        assertProblem(await upload('?data_type=gpx&name=public%00secret'), 400, { field: 'name' });
        assertProblem(await upload('?data_type=gpx&external_id=a%0Ab'), 400, { field: 'external_id' });
        assertProblem(await upload('?data_type=gpx&name=%FF%FE'), 400, { field: 'name' });
        const form = multipart({ name: 'bad\u0000name' }, gpx, { boundary: 'hardening-boundary', filename: 'a.gpx' });
        assertProblem(await upload('', form.body, { 'content-type': form.contentType }), 400, { field: 'name' });
        assert.deepEqual((await client.as(ana).get('/v1/athlete/activities')).json.activities.map((a) => a.name), ['é'.repeat(255)]);
    });

    test('Idempotency-Key: the query counts, JSON compares by value, a 400 is not stored', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const gpx = tinyGpx();
        const upload = (key, query, raw = gpx, type = 'application/octet-stream') => client.as(ana).post(`/v1/uploads${query}`, raw, { headers: { 'content-type': type, 'idempotency-key': key } });
        const key = `up-${Date.now()}`;
        const first = await upload(key, '?data_type=gpx&name=Morning');
        assert.equal(first.status, 201, first.text);
        for (const other of ['?data_type=gpx&name=Evening', '?data_type=gpx&name=Morning&sport=ride', '?data_type=gpx&name=Morning&description=x',
            '?data_type=gpx&name=Morning&external_id=e1', '?name=Morning']) {
            const res = await upload(key, other);
            assertProblem(res, 422);
            assert.equal(res.json.errors[0].field, 'Idempotency-Key');
        }
        // Same parameters, spelt differently (order, encoding): the same request.
        const replay = await upload(key, '?name=Morning&data_type=gpx');
        assert.equal(replay.status, 201, replay.text);
        assert.equal(replay.headers.get('idempotent-replayed'), 'true');
        assert.equal(replay.json.id, first.json.id);
        assert.equal((await upload(key, '?data_type=gpx&name=Mor%6Eing')).json.id, first.json.id);

        // A multipart retry gets a new boundary from the browser: still the same request.
        const parts = (boundary, name) => multipart({ name }, tinyGpx(4), { boundary, filename: 'a.gpx' }).body;
        const mkey = `mp-${Date.now()}`;
        const m1 = await upload(mkey, '', parts('b1', 'Lunch'), 'multipart/form-data; boundary=b1');
        assert.equal(m1.status, 201, m1.text);
        const m2 = await upload(mkey, '', parts('other-boundary', 'Lunch'), 'multipart/form-data; boundary=other-boundary');
        assert.equal(m2.status, 201, m2.text);
        assert.equal(m2.json.id, m1.json.id);
        assertProblem(await upload(mkey, '', parts('b3', 'Dinner'), 'multipart/form-data; boundary=b3'), 422);

        // JSON bodies compare by value: other spacing, key order and escapes are the same request.
        const jkey = `json-${Date.now()}`;
        const manual = (raw) => client.as(ana).post('/v1/activities', raw, { headers: { 'content-type': 'application/json', 'idempotency-key': jkey } });
        const j1 = await manual('{"sport":"walk","start_time":"2026-06-01T12:00:00Z","elapsed_s":600,"name":"Caf\u00e9"}');
        assert.equal(j1.status, 201, j1.text);
        const j2 = await manual('{\n  "name": "Caf\\u00e9",\n  "elapsed_s": 600.0,\n  "start_time": "2026-06-01T12:00:00Z",\n  "sport": "walk"\n}');
        assert.equal(j2.status, 201, j2.text);
        assert.equal(j2.headers.get('idempotent-replayed'), 'true');
        assert.equal(j2.json.id, j1.json.id);
        assertProblem(await manual('{"sport":"walk","start_time":"2026-06-01T12:00:00Z","elapsed_s":601,"name":"Café"}'), 422);

        // Refused with 400 before it started: not stored, so the corrected retry runs.
        const bkey = `bad-${Date.now()}`;
        assertProblem(await upload(bkey, '?data_type=gpx&sport=quidditch'), 400, { field: 'sport' });
        const fixed = await upload(bkey, '?data_type=gpx&sport=run');
        assert.equal(fixed.status, 201, fixed.text);
        assert.equal(fixed.headers.get('idempotent-replayed'), null);
        const badJson = `bj-${Date.now()}`;
        const bad = await client.as(ana).post('/v1/activities', { sport: 'walk', start_time: 'yesterday', elapsed_s: 60 }, { headers: { 'idempotency-key': badJson } });
        assertProblem(bad, 400, { field: 'start_time' });
        const good = await client.as(ana).post('/v1/activities', { sport: 'walk', start_time: '2026-06-02T12:00:00Z', elapsed_s: 60 }, { headers: { 'idempotency-key': badJson } });
        assert.equal(good.status, 201, good.text);
    });

    test('refresh: concurrent tabs get the same new pair; reuse after the grace window revokes the family', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const refresh = (token) => client.post('/v1/auth/refresh', { refresh_token: token });
        const tabs = await Promise.all(Array.from({ length: 5 }, () => refresh(ana.refreshToken)));
        for (const res of tabs) {
            assert.equal(res.status, 200, res.text);
            assert.equal(res.json.refresh_token, tabs[0].json.refresh_token, 'every tab gets the same new refresh token');
            assert.notEqual(res.json.refresh_token, ana.refreshToken);
            assert.equal((await client.as(res.json.access_token).get('/v1/me')).status, 200);
        }
        const next = tabs[0].json.refresh_token;
        // Still inside the window, a late tab gets the same pair again.
        assert.equal((await refresh(ana.refreshToken)).json.refresh_token, next);

        // Past the window (aged in the database rather than waited for), the old token is a theft signal.
        const hash = createHash('sha256').update(ana.refreshToken).digest('hex');
        await sql(server, `UPDATE refresh_tokens SET spent_at = spent_at - interval '1 hour' WHERE token_hash = '${hash}'`);
        assertProblem(await refresh(ana.refreshToken), 401);
        assertProblem(await refresh(next), 401);
        await until('the family to be revoked', async () =>
            (await client.as(tabs[0].json.access_token).get('/v1/me')).status === 401, { timeoutMs: 1500, intervalMs: 100 });
    });

    test('refresh: an old token whose successor was already rotated revokes the family', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await client.signUp();
        const refresh = (token) => client.post('/v1/auth/refresh', { refresh_token: token });
        const r1 = await refresh(ana.refreshToken);
        assert.equal(r1.status, 200, r1.text);
        const r2 = await refresh(r1.json.refresh_token);
        assert.equal(r2.status, 200, r2.text);
        assertProblem(await refresh(ana.refreshToken), 401);
        assertProblem(await refresh(r2.json.refresh_token), 401);
        assertProblem(await refresh('not-a-token'), 401);
    });
});

describe('sign-in throttling behind a trusted proxy', () => {
    let server;
    let client;
    const from = (ip, extra = {}) => ({ 'x-forwarded-for': ip, ...extra });
    const login = (email, password, headers) => client.post('/v1/auth/login', { email, password }, { headers });

    async function owner() {
        const email = uniqueEmail('owner');
        const res = await client.post('/v1/auth/signup', { email, password: kPassword, display_name: 'Owner' }, { headers: from('198.51.100.7') });
        assert.equal(res.status, 201, res.text);
        return { email, cookie: deviceCookie(res) };
    }

    before(async (t) => {
        if (!requireServices(t)) return;
        server = await startServer({ args: [kFastHash, '--trusted-proxies=127.0.0.1/32,::1'] });
        client = api(server);
    });
    after(async () => { await server?.stop(); });

    test('an attack from rotating addresses never locks the owner out', async (t) => {
        if (!server) return t.skip('no server');
        const { email, cookie } = await owner();
        // 15 wrong passwords, each from another address: the old per-account lock answered the
        // owner 429 after the fifth.
        for (let i = 1; i <= 15; i++) {
            assertProblem(await login(email, kWrong, from(`203.0.113.${i}`)), 401);
        }
        // The owner's known device signs in at once, even from an address the attacker used.
        const known = await login(email, kPassword, from('203.0.113.1', { cookie }));
        assert.equal(known.status, 200, known.text);
        assert.equal(deviceCookie(known), cookie, 'the device keeps its cookie');
        // A new device of the owner is only slowed down, never refused.
        const fresh = await login(email, kPassword, from('192.0.2.55'));
        assert.equal(fresh.status, 200, fresh.text);
        // While the attack goes on.
        assertProblem(await login(email, kWrong, from('203.0.113.99')), 401);
        assert.equal((await login(email, kPassword, from('198.51.100.7', { cookie }))).status, 200);
    });

    test('one address guessing one account is backed off; others are not', async (t) => {
        if (!server) return t.skip('no server');
        const { email, cookie } = await owner();
        for (let i = 0; i < 5; i++) {
            assertProblem(await login(email, kWrong, from('203.0.113.200')), 401);
        }
        const blocked = await login(email, kPassword, from('203.0.113.200'));
        assertProblem(blocked, 429);
        assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
        assert.equal((await login(email, kPassword, from('192.0.2.77'))).status, 200, 'another address signs in');
        const known = await login(email, kPassword, from('203.0.113.200', { cookie }));
        assert.equal(known.status, 200, 'a known device is exempt even from the blocked address');
    });

    test('one address spraying many accounts is backed off', async (t) => {
        if (!server) return t.skip('no server');
        const statuses = [];
        for (let i = 0; i < 25; i++) {
            const res = await login(uniqueEmail('spray'), kWrong, from('203.0.113.250'));
            statuses.push(res.status);
        }
        assert.deepEqual(statuses.slice(0, 20), Array(20).fill(401));
        assert.equal(statuses.at(-1), 429);
        const { email } = await owner();
        assert.equal((await login(email, kPassword, from('192.0.2.88'))).status, 200, 'other addresses are unaffected');
    });

    test('a distributed attack on one account is paced; the known device gets in at once, a new one in turn', async (t) => {
        if (!server) return t.skip('no server');
        const { email, cookie } = await owner();
        // The policy (ADR 0002): 10 unrecognised attempts on an account are free; from the 11th on,
        // attempts take turns, each starting at least 100 ms after the previous one, doubling up to
        // 2 s; an attempt whose turn is more than 10 s away is refused (429). So the n-th attempt of
        // a burst cannot start before turns[n], and no more than turns.filter(<= 10 s) can start.
        const kFree = 10;
        const kMaxQueueMs = 10_000;
        const kBurst = 40;
        const turns = [];
        for (let i = 0, at = 0; i < kBurst; i++) {
            if (i >= kFree) at += Math.min(2000, 100 * 2 ** (i - kFree));
            turns.push(at);
        }
        const startedBy = (ms) => turns.filter((turn) => turn <= ms).length;
        const t0 = performance.now();
        const timed = async (promise) => { const res = await promise; return { res, at: performance.now() - t0 }; };
        // Each attempt from another address (and /64): per-address limits never apply.
        const attack = Array.from({ length: kBurst }, (_, i) => timed(login(email, kWrong, from(`2001:db8:${(i + 1).toString(16)}::1`))));
        const known = await timed(login(email, kPassword, from('2001:db8:ffff::1', { cookie })));
        const results = await Promise.all(attack);
        const admitted = results.filter((r) => r.res.status === 401).map((r) => r.at).sort((a, b) => a - b);
        const refused = results.filter((r) => r.res.status === 429);
        assert.equal(admitted.length + refused.length, kBurst, JSON.stringify(results.map((r) => r.res.status)));
        for (const r of refused) {
            assertProblem(r.res, 429);
            assert.ok(Number(r.res.headers.get('retry-after')) >= 1, 'a refusal says when to come back');
        }
        // Within any window from the start of the burst, no more answers than turns in it.
        admitted.forEach((at, idx) => assert.ok(idx + 1 <= startedBy(at),
            `${idx + 1} attempts answered within ${Math.round(at)} ms; the policy allows ${startedBy(at)}`));
        assert.ok(admitted.length <= startedBy(kMaxQueueMs), `${admitted.length} admitted of ${kBurst}`);
        t.diagnostic(`burst of ${kBurst}: ${admitted.length} verified over ${Math.round(admitted.at(-1))} ms, ${refused.length} refused`);
        // The owner's known device did not wait for its turn.
        assert.equal(known.res.status, 200, known.res.text);
        assert.ok(known.at < admitted.at(-1), 'the known device was answered while the queue was still draining');
        // The owner on a new device gets in, following Retry-After while the queue is full.
        const deadline = Date.now() + 60_000;
        for (;;) {
            const res = await login(email, kPassword, from('192.0.2.123'));
            if (res.status === 200) break;
            assertProblem(res, 429);
            assert.ok(Date.now() < deadline, 'the owner on a new device signs in during the attack');
            await new Promise((resolve) => setTimeout(resolve, Number(res.headers.get('retry-after')) * 1000));
        }
    });

    test('IPv6 clients in one /64 are one source; IPv4-mapped addresses are IPv4', async (t) => {
        if (!server) return t.skip('no server');
        const { email } = await owner();
        for (let i = 1; i <= 5; i++) {
            assertProblem(await login(email, kWrong, from(`2001:db8:77:77::${i}`)), 401);
        }
        assertProblem(await login(email, kPassword, from('2001:db8:77:77:ffff:1:2:3')), 429);
        assert.equal((await login(email, kPassword, from('2001:db8:77:78::1'))).status, 200, 'the next /64 is another source');
        const other = await owner();
        for (let i = 0; i < 5; i++) {
            assertProblem(await login(other.email, kWrong, from('::ffff:203.0.113.160')), 401);
        }
        assertProblem(await login(other.email, kPassword, from('203.0.113.160')), 429);
    });

    test('a stolen device cookie buys at most 5 guesses without throttling, even in one concurrent burst', async (t) => {
        if (!server) return t.skip('no server');
        const { email, cookie } = await owner();
        const burst = await Promise.all(Array.from({ length: 20 }, () => login(email, kWrong, from('203.0.113.170', { cookie }))));
        const statuses = burst.map((r) => r.status);
        // 5 guesses on the device; the others are this address's 5 free guesses on the account, then 429.
        const count = (status) => statuses.filter((s) => s === status).length;
        assert.deepEqual({ 401: count(401), 429: count(429) }, { 401: 10, 429: 10 }, JSON.stringify(statuses));
        const hash = createHash('sha256').update(cookie.split('=')[1]).digest('hex');
        const failed = () => sql(server, `SELECT failed_attempts FROM known_devices WHERE token_hash = '${hash}'`);
        assert.equal(await failed(), '5', 'the device was charged exactly its 5 trusted guesses');
        // The owner with the right password still signs in on that device (from elsewhere), which resets it.
        assert.equal((await login(email, kPassword, from('198.51.100.171', { cookie }))).status, 200);
        assert.equal(await failed(), '0');
    });

    test('a password change forgets every other device', async (t) => {
        if (!server) return t.skip('no server');
        const { email, cookie: desk } = await owner();
        const laptopLogin = await login(email, kPassword, from('198.51.100.180'));
        assert.equal(laptopLogin.status, 200, laptopLogin.text);
        const laptop = deviceCookie(laptopLogin);
        assert.notEqual(laptop, desk);
        // A known device keeps its cookie when it signs in.
        assert.equal(deviceCookie(await login(email, kPassword, from('198.51.100.181', { cookie: laptop }))), laptop);
        // The laptop is lost: the owner changes the password at the desk, whose browser sends its cookie.
        const deskSession = await login(email, kPassword, from('198.51.100.7', { cookie: desk }));
        const kNew = 'a brand new passphrase';
        const changed = await client.as(deskSession.json.access_token).post('/v1/auth/password', { current_password: kPassword, new_password: kNew }, { headers: from('198.51.100.7', { cookie: desk }) });
        assert.equal(changed.status, 204, changed.text);
        const known = await sql(server, `SELECT count(*) FROM known_devices d JOIN users u ON u.id = d.user_id WHERE u.email = '${email}'`);
        assert.equal(known, '1', 'only the desk is still known');
        // The laptop's cookie is not recognised any more: signing in there makes it a new device.
        const again = await login(email, kNew, from('198.51.100.181', { cookie: laptop }));
        assert.equal(again.status, 200, again.text);
        assert.notEqual(deviceCookie(again), laptop);
        assert.equal(deviceCookie(await login(email, kNew, from('198.51.100.7', { cookie: desk }))), desk, 'the desk is still known');
    });

    test('the device cookie is Secure when the request came over HTTPS through a trusted proxy', async (t) => {
        if (!server) return t.skip('no server');
        const email = uniqueEmail('secure');
        const https = await client.post('/v1/auth/signup', { email, password: kPassword, display_name: 'S' }, { headers: from('198.51.100.190', { 'x-forwarded-proto': 'https' }) });
        assert.equal(https.status, 201, https.text);
        deviceCookie(https);
        assert.match(https.headers.getSetCookie().find((c) => c.startsWith('strava1_device=')), /;\s*Secure(;|$)/i);
        const plain = await login(email, kPassword, from('198.51.100.190', { 'x-forwarded-proto': 'http' }));
        assert.equal(plain.status, 200, plain.text);
        deviceCookie(plain);
        assert.doesNotMatch(plain.headers.getSetCookie().find((c) => c.startsWith('strava1_device=')), /Secure/i);
        const tls = await login(email, kPassword, from('198.51.100.190', { 'x-forwarded-proto': 'https' }));
        assert.match(tls.headers.getSetCookie().find((c) => c.startsWith('strava1_device=')), /;\s*Secure(;|$)/i);
    });

    test('a forged or garbage X-Forwarded-For from a trusted proxy falls back sensibly', async (t) => {
        if (!server) return t.skip('no server');
        const { email } = await owner();
        // The rightmost untrusted entry is the client; entries left of it are the client's own claims.
        for (let i = 0; i < 5; i++) {
            assertProblem(await login(email, kWrong, from(`10.9.9.${i}, 203.0.113.210`)), 401);
        }
        assertProblem(await login(email, kPassword, from('10.9.9.200, 203.0.113.210')), 429);
        assert.equal((await login(email, kPassword, from('not-an-ip, 192.0.2.99'))).status, 200);
    });
});

describe('X-Forwarded-For is not trusted by default', () => {
    test('rotating X-Forwarded-For without a trusted proxy is one source', async (t) => {
        if (!requireServices(t)) return;
        const server = await startServer({ args: [kFastHash] });
        t.after(() => server.stop());
        const client = api(server);
        const email = uniqueEmail('notrust');
        const signup = await client.post('/v1/auth/signup', { email, password: kPassword, display_name: 'N' });
        assert.equal(signup.status, 201, signup.text);
        for (let i = 0; i < 5; i++) {
            const res = await client.post('/v1/auth/login', { email, password: kWrong }, { headers: { 'x-forwarded-for': `203.0.113.${i}` } });
            assertProblem(res, 401);
        }
        const res = await client.post('/v1/auth/login', { email, password: kPassword }, { headers: { 'x-forwarded-for': '203.0.113.100' } });
        assertProblem(res, 429);
        // Nor is X-Forwarded-Proto: a client cannot claim HTTPS by itself.
        const other = await client.post('/v1/auth/signup', { email: uniqueEmail('notrust'), password: kPassword, display_name: 'N' }, { headers: { 'x-forwarded-proto': 'https' } });
        assert.equal(other.status, 201, other.text);
        assert.doesNotMatch(other.headers.getSetCookie().find((c) => c.startsWith('strava1_device=')), /Secure/i);
    });
});

describe('HTTP rate limits count an IPv6 /64 as one client', () => {
    test('addresses of one /64 share the budget of the auth routes', async (t) => {
        if (!requireServices(t)) return;
        const server = await startServer({ args: [kFastHash, '--trusted-proxies=127.0.0.1/32,::1',
            '--rate-limit-auth-burst=3', '--rate-limit-auth-per-minute=1'] });
        t.after(() => server.stop());
        const client = api(server);
        const refresh = (ip) => client.post('/v1/auth/refresh', { refresh_token: 'not-a-token' }, { headers: { 'x-forwarded-for': ip } });
        for (let i = 1; i <= 3; i++) {
            assertProblem(await refresh(`2001:db8:5:5::${i}`), 401);
        }
        assertProblem(await refresh('2001:db8:5:5:8000::1'), 429);
        assertProblem(await refresh('2001:db8:5:6::1'), 401);
        for (let i = 0; i < 3; i++) {
            assertProblem(await refresh('::ffff:192.0.2.60'), 401);
        }
        assertProblem(await refresh('192.0.2.60'), 429);
    });
});
