// /metrics is for operators. Without STRAVA1_METRICS_TOKEN it answers only a client on this machine
// that reaches it directly: the server listens on loopback only, STRAVA1_TRUSTED_PROXIES is empty
// (with proxies configured, requests come through one), the TCP peer is loopback, and the request
// carries none of the headers a reverse proxy adds (X-Forwarded-For, Forwarded, X-Real-IP). Anything
// else is refused (403) to everyone, or needs the bearer token when one is set. A proxy on the same
// machine that adds none of those headers and is not listed as trusted cannot be told apart from a
// local client: behind such a proxy, set a token or do not proxy /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, requireServices, startServer } from './kit.mjs';

const kToken = 'metrics-token-0123456789abcdef';

function metrics(server, headers = {}) {
    return api(server).get('/metrics', { headers });
}

test('listening on loopback, /metrics is open', async (t) => {
    if (!requireServices(t)) return;
    const server = await startServer();
    t.after(() => server.stop());
    const res = await metrics(server);
    assert.equal(res.status, 200);
    assert.match(res.text, /^strava1_db_queries_total \d+$/m);
});

test('listening beyond loopback without a token, /metrics is refused, and the refusal says what to set', async (t) => {
    if (!requireServices(t)) return;
    const server = await startServer({ args: ['--listen=0.0.0.0:0'] });
    t.after(() => server.stop());
    const res = await metrics(server);
    assertProblem(res, 403, { detail: /STRAVA1_METRICS_TOKEN/ });
    assert.doesNotMatch(res.text, /strava1_db/);
    assert.equal((await api(server).get('/healthz')).status, 200, 'the probes stay open');
    assert.equal((await api(server).get('/readyz')).status, 200);
});

test('with a token, /metrics answers only to that bearer token', async (t) => {
    if (!requireServices(t)) return;
    const server = await startServer({ args: ['--listen=0.0.0.0:0', `--metrics-token=${kToken}`] });
    t.after(() => server.stop());
    const none = await metrics(server);
    assertProblem(none, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const wrong = await metrics(server, { authorization: `Bearer ${kToken}x` });
    assertProblem(wrong, 401);
    const right = await metrics(server, { authorization: `Bearer ${kToken}` });
    assert.equal(right.status, 200, right.text);
    assert.match(right.text, /^strava1_db_queries_total \d+$/m);
});

test('a metrics token too short to protect anything is refused at start', async (t) => {
    if (!requireServices(t)) return;
    await assert.rejects(startServer({ args: ['--metrics-token=short'] }), /--metrics-token: must be at least 16 characters/);
});

test('with trusted proxies set, /metrics needs a token even on loopback: requests come through a proxy', async (t) => {
    if (!requireServices(t)) return;
    const server = await startServer({ args: ['--trusted-proxies=127.0.0.1'] });
    t.after(() => server.stop());
    for (const headers of [{}, { 'x-forwarded-for': '203.0.113.9' }]) {
        const res = await metrics(server, headers);
        assertProblem(res, 403, { detail: /STRAVA1_METRICS_TOKEN/, why: JSON.stringify(headers) });
        assert.doesNotMatch(res.text, /strava1_db/);
    }
    assert.equal((await api(server).get('/healthz')).status, 200, 'the probes stay open');
});

test('with trusted proxies and a token, the token opens /metrics whatever the headers', async (t) => {
    if (!requireServices(t)) return;
    const server = await startServer({ args: ['--trusted-proxies=127.0.0.1', `--metrics-token=${kToken}`] });
    t.after(() => server.stop());
    assertProblem(await metrics(server, { 'x-forwarded-for': '203.0.113.9' }), 401);
    const right = await metrics(server, { authorization: `Bearer ${kToken}`, 'x-forwarded-for': '203.0.113.9' });
    assert.equal(right.status, 200, right.text);
});

test('on loopback without a token, a request relayed by a proxy (forwarding headers) is refused', async (t) => {
    if (!requireServices(t)) return;
    const server = await startServer();
    t.after(() => server.stop());
    for (const headers of [
        { 'x-forwarded-for': '203.0.113.9' },
        { forwarded: 'for=203.0.113.9;proto=https' },
        { 'x-real-ip': '203.0.113.9' },
    ]) {
        const res = await metrics(server, headers);
        assertProblem(res, 403, { detail: /STRAVA1_METRICS_TOKEN/, why: JSON.stringify(headers) });
        assert.doesNotMatch(res.text, /strava1_db/);
    }
    assert.equal((await metrics(server)).status, 200, 'a direct local request still gets them');
});
