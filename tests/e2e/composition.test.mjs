// What the composition root registers, as a running process shows it. `strava1 routes` prints every
// route's declaration (method, path, summary, auth policy, rate class, body kind and limit,
// idempotency), and docs/api/openapi.yaml agrees with each of them: the body a route states is the
// request body the document describes, an idempotent route takes the Idempotency-Key parameter, and
// a public route needs no bearer token. `strava1 serve` runs every start and recurring task the
// modules registered (counted on /metrics) and declares every recurring task as a job schedule.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { binaryPath, requireServices, startServer } from './harness.mjs';
import { sql, until } from './kit.mjs';

const kKinds = {
    auth: ['public', 'user', 'token'],
    access: ['anyone', 'signed-url', 'operator', 'signed-in', 'owner', 'viewer', 'member', 'scope-admin', 'site-admin'],
    rate: ['default', 'auth', 'probe'], body: ['none', 'json', 'raw', 'multipart'] };

function routeTable() {
    const run = spawnSync(binaryPath(), ['routes'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout);
}

describe('the route table', () => {
    let server;
    let spec;
    before(async () => {
        if (!requireServices({ name: 'the route table' })) return;
        server = await startServer();
        spec = await (await fetch(`${server.url}/openapi.json`)).json();
    });
    after(async () => server?.stop());

    test('every route states each part of its declaration', () => {
        const routes = routeTable();
        assert.ok(routes.length > 0);
        for (const route of routes) {
            const where = `${route.method} ${route.path}`;
            assert.deepEqual(Object.keys(route).sort(), ['access', 'auth', 'body', 'body_limit', 'idempotent', 'method', 'object', 'path', 'rate', 'summary'], where);
            assert.ok(route.summary.length > 0, where);
            for (const [key, allowed] of Object.entries(kKinds)) {
                assert.ok(allowed.includes(route[key]), `${where}: ${key} ${route[key]}`);
            }
            assert.equal(route.body === 'none', route.body_limit === 0, `${where}: a limit exactly when there is a body`);
            assert.equal(typeof route.idempotent, 'boolean', where);
            assert.equal(['owner', 'viewer', 'member', 'scope-admin'].includes(route.access), route.object !== '', `${where}: an object exactly when the access names one`);
        }
        const find = (method, path) => routes.find((r) => r.method === method && r.path === path);
        assert.deepEqual(find('POST', '/v1/uploads'), {
            method: 'POST', path: '/v1/uploads', summary: 'Upload a GPX, TCX or FIT file', auth: 'user', access: 'signed-in', object: '', rate: 'default',
            body: 'raw', body_limit: 25 * 1024 * 1024 + 64 * 1024, idempotent: true,
        });
        assert.equal(find('POST', '/v1/auth/login').rate, 'auth');
        assert.equal(find('POST', '/v1/auth/logout').body, 'none');
        assert.equal(find('DELETE', '/v1/me').body, 'json', 'the password comes in a JSON body');
        assert.equal(find('GET', '/metrics').auth, 'token');
        assert.deepEqual([find('PATCH', '/v1/activities/{activity_id}').access, find('PATCH', '/v1/activities/{activity_id}').object], ['owner', 'activity']);
        assert.equal(find('GET', '/v1/tiles/{z}/{x}/{y}').access, 'signed-url');
    });

    test('serve runs every start task once and declares every recurring task as a job schedule', async (t) => {
        if (!server) return t.skip('no server');
        const expected = ['activities.resume-uploads'];
        const runs = async () => {
            const text = await (await fetch(`${server.url}/metrics`)).text();
            return Object.fromEntries([...text.matchAll(/^strava1_background_task_runs_total\{task="([^"]+)"\} (\d+)$/gm)]
                .map((m) => [m[1], Number(m[2])]));
        };
        const seen = await until('the start tasks to run', async () => {
            const now = await runs();
            return expected.every((task) => now[task] >= 1) ? now : undefined;
        }, { timeoutMs: 20_000 });
        assert.deepEqual(Object.keys(seen).sort(), [...expected].sort(), 'exactly the registered start tasks');
        for (const task of expected) {
            assert.equal(seen[task], 1, `${task} ran once`);
        }
        const failures = await (await fetch(`${server.url}/metrics`)).text();
        assert.match(failures, /^strava1_background_task_failures_total\{task="activities.resume-uploads"\} 0$/m);
        // Recurring work is a job kind with a UTC schedule (ADR 0013), upserted when a worker starts,
        // so each slot runs once however many processes serve; none is a timer in serve any more.
        const features = ['activities.delete-originals|*/10 * * * *|UTC|activities.delete-originals', 'http.expire-idempotency-keys|@hourly|UTC|http.expire-idempotency-keys', 'notifications.prune-deliveries|17 4 * * *|UTC|notifications.prune-deliveries'];
        const schedules = await until('the recurring schedules', async () => {
            const rows = (await sql(server, 'SELECT name, cron, time_zone, kind FROM jobs_schedules ORDER BY name')).split('\n');
            return features.every((row) => rows.includes(row)) ? rows : undefined;
        }, { timeoutMs: 20_000 });
        assert.deepEqual(schedules.filter((row) => !row.startsWith('jobs.')), features);
    });

    test('docs/api/openapi.yaml describes each route as it is declared', (t) => {
        if (!server) return t.skip('no server');
        for (const route of routeTable()) {
            const where = `${route.method} ${route.path}`;
            const op = spec.paths?.[route.path]?.[route.method.toLowerCase()];
            assert.ok(op, `${where} is documented`);
            const types = Object.keys(op.requestBody?.content ?? {});
            switch (route.body) {
                case 'none':
                    assert.equal(op.requestBody, undefined, `${where} takes no body`);
                    break;
                case 'json':
                    assert.deepEqual(types, ['application/json'], where);
                    break;
                case 'raw':
                    assert.ok(types.some((type) => type !== 'application/json'), `${where} takes raw bytes`);
                    break;
                case 'multipart':
                    assert.ok(types.includes('multipart/form-data'), where);
                    break;
            }
            const idempotencyKey = (op.parameters ?? []).some((p) => p.$ref === '#/components/parameters/IdempotencyKey');
            assert.equal(idempotencyKey, route.idempotent, `${where}: Idempotency-Key documented exactly when honoured`);
            const security = op.security ?? spec.security;
            assert.equal(security.length === 0, route.auth !== 'user', `${where}: bearer token needed exactly for auth=user`);
        }
    });
});
