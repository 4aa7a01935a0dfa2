import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { Me, Session } from '../../src/api';
import { accountsApi } from '../../src/api/accounts';
import { activitiesApi } from '../../src/api/activities';
import { createCore, kRefreshTokenKey, type CoreDeps } from '../../src/api/core';
import { dispositionFilename, expandPath, queryString, type ByteRequest } from '../../src/api/http';
import { ApiError, normalizeProblem } from '../../src/api/problem';
import { fakeFetch, jsonResponse, kMe, memoryStore, problemBody, tokens } from './fake-fetch';

/** The fetch core with every feature's API over it, as the app builds them (src/api/index.ts). */
function createClient(deps: CoreDeps) {
    const core = createCore(deps);
    return { core, api: { ...accountsApi(core), ...activitiesApi(core) } };
}

function setup(stored: Record<string, string> = {}) {
    const server = fakeFetch();
    const storage = memoryStore(stored);
    let clock = 1_000_000;
    const client = createClient({ fetch: server.fetch, storage, now: () => clock });
    return { server, storage, client, advance: (ms: number) => (clock += ms) };
}

describe('api client', () => {
    it('keeps the access token in memory and the refresh token in storage after login', async () => {
        const { server, storage, client } = setup();
        server.on('POST', '/v1/auth/login', () => jsonResponse(200, tokens(1)));
        server.on('GET', '/v1/me', () => jsonResponse(200, kMe));

        await client.api.login({ email: 'ada@example.test', password: 'pw-long-enough' });
        expect(storage.data.get(kRefreshTokenKey)).toBe('refresh-1');
        expect(server.calls[0]?.headers.Authorization).toBeUndefined();

        const me = await client.api.getMe();
        expect(me.display_name).toBe('Ada');
        expect(server.calls[1]?.headers.Authorization).toBe('Bearer access-1');
    });

    it('refreshes once on 401 and retries the request with the new token', async () => {
        const { server, storage, client } = setup();
        server.on('POST', '/v1/auth/login', () => jsonResponse(200, tokens(1)));
        await client.api.login({ email: 'a@b.c', password: 'x' });

        server.on('GET', '/v1/me', (r) => (r.headers.Authorization === 'Bearer access-2' ? jsonResponse(200, kMe) : jsonResponse(401, problemBody(401, 'unauthenticated'))));
        server.on('POST', '/v1/auth/refresh', (r) => {
            expect(r.body).toEqual({ refresh_token: 'refresh-1' });
            return jsonResponse(200, tokens(2));
        });

        await expect(client.api.getMe()).resolves.toMatchObject({ id: 7 });
        expect(server.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /v1/auth/login', 'GET /v1/me', 'POST /v1/auth/refresh', 'GET /v1/me']);
        expect(storage.data.get(kRefreshTokenKey)).toBe('refresh-2');
    });

    it('does not refresh a second time when the retried request is refused again', async () => {
        const { server, client } = setup();
        server.on('POST', '/v1/auth/login', () => jsonResponse(200, tokens(1)));
        await client.api.login({ email: 'a@b.c', password: 'x' });
        server.on('GET', '/v1/me', () => jsonResponse(401, problemBody(401, 'unauthenticated')));
        server.on('POST', '/v1/auth/refresh', () => jsonResponse(200, tokens(2)));

        const error = await client.api.getMe().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).status).toBe(401);
        expect(server.calls.filter((c) => c.url === '/v1/auth/refresh')).toHaveLength(1);
    });

    it('shares one refresh between concurrent requests (a rotated token must not be spent twice)', async () => {
        const { server, client } = setup({ [kRefreshTokenKey]: 'refresh-0' });
        let refreshes = 0;
        server.on('POST', '/v1/auth/refresh', async () => {
            refreshes += 1;
            await new Promise((done) => setTimeout(done, 5));
            return jsonResponse(200, tokens(1));
        });
        server.on('GET', '/v1/me', () => jsonResponse(200, kMe));
        server.on('GET', '/v1/auth/sessions', () => jsonResponse(200, { sessions: [] }));

        await Promise.all([client.api.getMe(), client.api.listSessions(), client.api.getMe()]);
        expect(refreshes).toBe(1);
    });

    it('ends the session when the refresh token is refused', async () => {
        const { server, storage, client } = setup({ [kRefreshTokenKey]: 'spent' });
        const ended = vi.fn();
        client.core.onSessionEnded(ended);
        server.on('POST', '/v1/auth/refresh', () => jsonResponse(401, problemBody(401, 'unauthenticated')));

        await expect(client.api.getMe()).rejects.toBeInstanceOf(ApiError);
        expect(ended).toHaveBeenCalledOnce();
        expect(storage.data.has(kRefreshTokenKey)).toBe(false);
    });

    it('refreshes ahead of an access token that is about to expire', async () => {
        const { server, client, advance } = setup();
        server.on('POST', '/v1/auth/login', () => jsonResponse(200, tokens(1, 60)));
        server.on('POST', '/v1/auth/refresh', () => jsonResponse(200, tokens(2, 60)));
        server.on('GET', '/v1/me', () => jsonResponse(200, kMe));
        await client.api.login({ email: 'a@b.c', password: 'x' });

        advance(10_000);
        await client.api.getMe();
        expect(server.calls.at(-1)?.headers.Authorization).toBe('Bearer access-1');

        advance(25_000); // 35 s in: within the 30 s slack of the 60 s lifetime
        await client.api.getMe();
        expect(server.calls.at(-2)?.url).toBe('/v1/auth/refresh');
        expect(server.calls.at(-1)?.headers.Authorization).toBe('Bearer access-2');
    });

    it('restores a stored session, and keeps the token when the server is unreachable', async () => {
        const { server, storage, client } = setup({ [kRefreshTokenKey]: 'refresh-0' });
        server.on('POST', '/v1/auth/refresh', () => {
            throw new TypeError('Failed to fetch');
        });
        const offline = await client.core.restore().catch((e: unknown) => e);
        expect(offline).toBeInstanceOf(ApiError);
        expect((offline as ApiError).network).toBe(true);
        expect(storage.data.get(kRefreshTokenKey)).toBe('refresh-0');

        server.on('POST', '/v1/auth/refresh', () => jsonResponse(200, tokens(1)));
        await expect(client.core.restore()).resolves.toMatchObject({ user: { id: 7 } });
    });

    it('restore answers null without a stored session or when it was revoked', async () => {
        const empty = setup();
        await expect(empty.client.core.restore()).resolves.toBeNull();
        expect(empty.server.calls).toHaveLength(0);

        const revoked = setup({ [kRefreshTokenKey]: 'old' });
        revoked.server.on('POST', '/v1/auth/refresh', () => jsonResponse(401, problemBody(401, 'unauthenticated')));
        await expect(revoked.client.core.restore()).resolves.toBeNull();
    });

    it('sends the Idempotency-Key on sign-up and no bearer token', async () => {
        const { server, client } = setup();
        server.on('POST', '/v1/auth/signup', () => jsonResponse(201, tokens(1)));
        await client.api.signup({ email: 'a@b.c', password: 'long-enough-pw', display_name: 'A' }, 'key-123');
        expect(server.calls[0]?.headers['Idempotency-Key']).toBe('key-123');
        expect(server.calls[0]?.headers['Content-Type']).toBe('application/json');
        expect(server.calls[0]?.headers.Authorization).toBeUndefined();
    });

    it('turns problem+json answers into ApiError with field errors and Retry-After', async () => {
        const { server, client } = setup();
        server.on('POST', '/v1/auth/login', () =>
            jsonResponse(429, problemBody(429, 'rate-limited', { errors: [{ field: 'email', reason: 'too many attempts' }] }), { 'Retry-After': '30' }),
        );
        const error = (await client.api.login({ email: 'a@b.c', password: 'x' }).catch((e: unknown) => e)) as ApiError;
        expect(error).toBeInstanceOf(ApiError);
        expect(error.is('rate-limited')).toBe(true);
        expect(error.retryAfterS).toBe(30);
        expect(error.problem.errors).toEqual([{ field: 'email', reason: 'too many attempts' }]);
        expect(error.problem.request_id).toBe('req-1');
    });

    it('synthesises a problem for answers without one (a proxy error page)', async () => {
        const { server, client } = setup();
        server.on('POST', '/v1/auth/login', () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html' } }));
        const error = (await client.api.login({ email: 'a@b.c', password: 'x' }).catch((e: unknown) => e)) as ApiError;
        expect(error.status).toBe(502);
        expect(error.problem.type).toBe('urn:strava1:problem:internal');
        expect(error.problem.title).toBe('Bad Gateway');
    });

    it('reports an unreachable server as a network ApiError', async () => {
        const { server, client } = setup();
        server.on('POST', '/v1/auth/login', () => {
            throw new TypeError('Failed to fetch');
        });
        const error = (await client.api.login({ email: 'a@b.c', password: 'x' }).catch((e: unknown) => e)) as ApiError;
        expect(error.network).toBe(true);
        expect(error.is('unavailable')).toBe(true);
    });

    it('fills path parameters and resolves 204 to undefined', async () => {
        const { server, client } = setup({ [kRefreshTokenKey]: 'r' });
        server.on('POST', '/v1/auth/refresh', () => jsonResponse(200, tokens(1)));
        server.on('DELETE', '/v1/auth/sessions/42', () => new Response(null, { status: 204 }));
        await expect(client.api.revokeSession(42)).resolves.toBeUndefined();
    });

    it('forgets the tokens on logout even when the server call fails', async () => {
        const { server, storage, client } = setup();
        server.on('POST', '/v1/auth/login', () => jsonResponse(200, tokens(1)));
        server.on('POST', '/v1/auth/logout', () => jsonResponse(500, problemBody(500, 'internal')));
        await client.api.login({ email: 'a@b.c', password: 'x' });
        await expect(client.api.logout()).rejects.toBeInstanceOf(ApiError);
        expect(storage.data.has(kRefreshTokenKey)).toBe(false);
    });

    it('is typed by the OpenAPI document', () => {
        const { client } = setup();
        expectTypeOf(client.api.getMe).returns.resolves.toEqualTypeOf<Me>();
        expectTypeOf(client.api.listSessions).returns.resolves.toEqualTypeOf<{ sessions: Session[] }>();
        expectTypeOf(client.api.logout).returns.resolves.toBeVoid();
        expectTypeOf(client.core.call<'/v1/auth/sessions/{session_id}', 'delete'>).parameter(2).toHaveProperty('path');
    });
});

describe('expandPath', () => {
    it('encodes values and refuses missing ones', () => {
        expect(expandPath('/v1/users/{user_id}', { user_id: 5 })).toBe('/v1/users/5');
        expect(expandPath('/v1/x/{name}', { name: 'a/b' })).toBe('/v1/x/a%2Fb');
        expect(() => expandPath('/v1/users/{user_id}', {})).toThrow(/user_id/);
    });
});

describe('normalizeProblem', () => {
    it('keeps valid fields, drops malformed errors and fills the rest', () => {
        const problem = normalizeProblem({ title: 'Nope', errors: [{ field: 'a', reason: 'b' }, { field: 1 }] }, 400, '/v1/me');
        expect(problem).toEqual({
            type: 'urn:strava1:problem:invalid-argument',
            title: 'Nope',
            status: 400,
            detail: '',
            instance: '/v1/me',
            request_id: '',
            errors: [{ field: 'a', reason: 'b' }],
        });
    });
});

describe('queryString', () => {
    it('leaves out absent values and comma-joins arrays', () => {
        expect(queryString({ limit: 20, cursor: undefined, sport: null, keys: ['time', 'latlng'], empty: [] })).toBe('?limit=20&keys=time%2Clatlng');
        expect(queryString({ name: 'Run & ride' })).toBe('?name=Run%20%26%20ride');
        expect(queryString({})).toBe('');
        expect(queryString(undefined)).toBe('');
    });
});

describe('workout calls', () => {
    async function signedIn() {
        const server = fakeFetch();
        const sent: ByteRequest[] = [];
        let answers: Response[] = [];
        const client = createClient({
            fetch: server.fetch,
            storage: memoryStore(),
            now: () => 1_000_000,
            sendBytes: async (request) => {
                sent.push(request);
                request.onProgress?.(5, 10);
                return answers.shift() ?? jsonResponse(500, {});
            },
        });
        server.on('POST', '/v1/auth/login', () => jsonResponse(200, tokens(1)));
        await client.api.login({ email: 'a@b.c', password: 'x' });
        return { server, client, sent, answer: (...responses: Response[]) => (answers = responses) };
    }

    const upload = { id: 3, status: 'processing', data_type: 'gpx', external_id: null, activity_id: null, duplicate_of: null, error: null, activity_ids: [], created_at: '2026-11-30T07:00:00Z' };

    it('lists activities with the cursor in the query', async () => {
        const { server, client } = await signedIn();
        server.on('GET', '/v1/athlete/activities?limit=20&cursor=abc', () => jsonResponse(200, { activities: [], next_cursor: null }));
        await expect(client.api.listMyActivities({ limit: 20, cursor: 'abc' })).resolves.toEqual({ activities: [], next_cursor: null });
        server.on('GET', '/v1/activities/9/streams?resolution=medium', () => jsonResponse(200, { resolution: 'medium', original_size: 0, size: 0, streams: {} }));
        await expect(client.api.getActivityStreams(9, { resolution: 'medium' })).resolves.toMatchObject({ size: 0 });
    });

    it('uploads a file as the raw body with the bearer token, key and query, reporting progress', async () => {
        const { client, sent, answer } = await signedIn();
        answer(jsonResponse(201, upload));
        const progress: number[] = [];
        const file = new Blob(['<gpx/>']);
        const result = await client.api.createUpload(file, { query: { data_type: 'gpx', sport: 'run' }, idempotencyKey: 'k-1', onProgress: (done, total) => progress.push(done / total) });
        expect(result).toEqual(upload);
        expect(sent).toHaveLength(1);
        expect(sent[0]).toMatchObject({ method: 'POST', url: '/v1/uploads?data_type=gpx&sport=run', body: file });
        expect(sent[0]!.headers).toMatchObject({ Authorization: 'Bearer access-1', 'Idempotency-Key': 'k-1', 'Content-Type': 'application/octet-stream' });
        expect(progress).toEqual([0.5]);
    });

    it('refreshes once when an upload is refused with 401, and sends the file again with the new token', async () => {
        const { server, client, sent, answer } = await signedIn();
        server.on('POST', '/v1/auth/refresh', () => jsonResponse(200, tokens(2)));
        answer(jsonResponse(401, problemBody(401, 'unauthenticated')), jsonResponse(201, upload));
        await expect(client.api.createUpload(new Blob(['x']), { idempotencyKey: 'k' })).resolves.toMatchObject({ id: 3 });
        expect(sent.map((r) => r.headers.Authorization)).toEqual(['Bearer access-1', 'Bearer access-2']);
        expect(sent.map((r) => r.headers['Idempotency-Key'])).toEqual(['k', 'k']);
    });

    it('turns upload failures into ApiError: the parser’s 422, and an unreachable server', async () => {
        const { client, answer } = await signedIn();
        answer(jsonResponse(422, problemBody(422, 'unprocessable', { detail: 'line 1, column 1: not XML' })));
        const refused = await client.api.createUpload(new Blob(['x'])).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(ApiError);
        expect((refused as ApiError).problem.detail).toBe('line 1, column 1: not XML');

        const offline = createClient({ fetch: fakeFetch().fetch, storage: memoryStore({ [kRefreshTokenKey]: 'r' }), sendBytes: () => Promise.reject(new TypeError('network error')) });
        const error = await offline.api.createUpload(new Blob(['x'])).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApiError);
    });

    it('downloads files with the bearer token and the server’s file name', async () => {
        const { server, client } = await signedIn();
        server.on('GET', '/v1/activities/4/export.gpx', (r) => {
            expect(r.headers.Authorization).toBe('Bearer access-1');
            return new Response('<gpx/>', { status: 200, headers: { 'Content-Type': 'application/gpx+xml', 'Content-Disposition': 'attachment; filename="activity-4.gpx"' } });
        });
        const file = await client.api.exportActivityGpx(4);
        expect(file.filename).toBe('activity-4.gpx');
        expect(await file.blob.text()).toBe('<gpx/>');
        server.on('GET', '/v1/activities/5/original', () => jsonResponse(404, problemBody(404, 'not-found')));
        await expect(client.api.getActivityOriginal(5)).rejects.toBeInstanceOf(ApiError);
    });
});

describe('dispositionFilename', () => {
    it('reads plain and RFC 5987 file names', () => {
        expect(dispositionFilename('attachment; filename="a b.gpx"')).toBe('a b.gpx');
        expect(dispositionFilename('attachment; filename=run.fit')).toBe('run.fit');
        expect(dispositionFilename("attachment; filename=\"x.gpx\"; filename*=UTF-8''Tek%20%C5%A1.gpx")).toBe('Tek š.gpx');
        expect(dispositionFilename('attachment')).toBeNull();
        expect(dispositionFilename(null)).toBeNull();
    });
});
