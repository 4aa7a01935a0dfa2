// /metrics is for operators: open while the server listens on loopback only; beyond loopback it
// needs the bearer token of STRAVA1_METRICS_TOKEN, and without one it is refused to everyone
// (a reverse proxy on the same machine would otherwise hand it to the world).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, requireServices, startServer } from './harness.mjs';

const kToken = 'metrics-token-0123456789abcdef';

async function metrics(server, headers = {}) {
    return request(server.url, 'GET', '/metrics', { headers });
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
    assert.equal(res.status, 403, res.text);
    assert.equal(res.json.type, 'urn:strava1:problem:permission-denied');
    assert.match(res.json.detail, /STRAVA1_METRICS_TOKEN/);
    assert.doesNotMatch(res.text, /strava1_db/);
    assert.equal((await request(server.url, 'GET', '/healthz')).status, 200, 'the probes stay open');
    assert.equal((await request(server.url, 'GET', '/readyz')).status, 200);
});

test('with a token, /metrics answers only to that bearer token', async (t) => {
    if (!requireServices(t)) return;
    const server = await startServer({ args: ['--listen=0.0.0.0:0', `--metrics-token=${kToken}`] });
    t.after(() => server.stop());
    const none = await metrics(server);
    assert.equal(none.status, 401, none.text);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const wrong = await metrics(server, { authorization: `Bearer ${kToken}x` });
    assert.equal(wrong.status, 401);
    const right = await metrics(server, { authorization: `Bearer ${kToken}` });
    assert.equal(right.status, 200, right.text);
    assert.match(right.text, /^strava1_db_queries_total \d+$/m);
});

test('a metrics token too short to protect anything is refused at start', async (t) => {
    if (!requireServices(t)) return;
    await assert.rejects(startServer({ args: ['--metrics-token=short'] }), /--metrics-token: must be at least 16 characters/);
});
