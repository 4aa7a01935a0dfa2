// Checks on the API contract (docs/api/openapi.yaml) and on the generated client types.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const yamlPath = join(here, '../../../docs/api/openapi.yaml');
const generatedPath = join(here, '../../src/api/schema.gen.ts');
const doc = parse(readFileSync(yamlPath, 'utf8'));

type Json = Record<string, unknown>;
const kMethods = ['get', 'put', 'post', 'patch', 'delete'] as const;

function operations(): { path: string; method: string; op: Json }[] {
    const out: { path: string; method: string; op: Json }[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
        for (const method of kMethods) {
            if (item[method]) {
                out.push({ path, method, op: item[method] as Json });
            }
        }
    }
    return out;
}

function resolve(node: Json): Json {
    const ref = node.$ref;
    if (typeof ref !== 'string') {
        return node;
    }
    return ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<Json>((at, key) => at[key] as Json, doc as Json);
}

describe('openapi.yaml', () => {
    it('is OpenAPI 3.1 with exactly the routes the server implements', () => {
        expect(doc.openapi).toBe('3.1.0');
        expect(operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`).sort()).toEqual(
            [
                'GET /healthz',
                'GET /readyz',
                'GET /metrics',
                'GET /openapi.json',
                'GET /docs',
                'POST /v1/auth/signup',
                'POST /v1/auth/login',
                'POST /v1/auth/refresh',
                'POST /v1/auth/logout',
                'POST /v1/auth/password',
                'GET /v1/auth/sessions',
                'DELETE /v1/auth/sessions/{session_id}',
                'GET /v1/feed',
                'GET /v1/me',
                'PATCH /v1/me',
                'DELETE /v1/me',
                'GET /v1/users/{user_id}',
                'POST /v1/uploads',
                'GET /v1/uploads/{upload_id}',
                'POST /v1/activities',
                'GET /v1/activities/{activity_id}',
                'PATCH /v1/activities/{activity_id}',
                'DELETE /v1/activities/{activity_id}',
                'GET /v1/athlete/activities',
                'GET /v1/users/{user_id}/activities',
                'GET /v1/activities/{activity_id}/streams',
                'GET /v1/activities/{activity_id}/laps',
                'GET /v1/activities/{activity_id}/splits',
                'GET /v1/activities/{activity_id}/lengths',
                'GET /v1/activities/{activity_id}/zones',
                'GET /v1/activities/{activity_id}/curves',
                'GET /v1/activities/{activity_id}/best-efforts',
                'GET /v1/activities/{activity_id}/export.gpx',
                'GET /v1/activities/{activity_id}/original',
                'GET /v1/me/records',
                'GET /v1/users/{user_id}/stats',
                'GET /v1/me/privacy-zones',
                'POST /v1/me/privacy-zones',
                'PATCH /v1/me/privacy-zones/{zone_id}',
                'DELETE /v1/me/privacy-zones/{zone_id}',
                'GET /v1/objects/{key}',
                'GET /v1/tiles',
                'GET /v1/tiles/{z}/{x}/{y}',
                'POST /v1/users/{user_id}/follow',
                'DELETE /v1/users/{user_id}/follow',
                'GET /v1/users/{user_id}/feed',
                'GET /v1/clubs/{club_id}/feed',
                'POST /v1/clubs/{club_id}/posts',
                'DELETE /v1/activities/{activity_id}/kudos',
                'DELETE /v1/comments/{comment_id}',
                'DELETE /v1/comments/{comment_id}/likes',
                'DELETE /v1/posts/{post_id}',
                'DELETE /v1/posts/{post_id}/likes',
                'GET /v1/activities/{activity_id}/comments',
                'GET /v1/activities/{activity_id}/kudos',
                'GET /v1/comments/{comment_id}/likes',
                'GET /v1/posts/{post_id}',
                'GET /v1/posts/{post_id}/comments',
                'GET /v1/posts/{post_id}/likes',
                'GET /v1/users/{user_id}/posts',
                'PATCH /v1/comments/{comment_id}',
                'PATCH /v1/posts/{post_id}',
                'POST /v1/activities/{activity_id}/comments',
                'POST /v1/posts',
                'POST /v1/posts/{post_id}/comments',
                'PUT /v1/activities/{activity_id}/kudos',
                'PUT /v1/comments/{comment_id}/likes',
                'PUT /v1/posts/{post_id}/likes',
                'GET /v1/users/{user_id}/followers',
                'GET /v1/users/{user_id}/following',
                'POST /v1/users/{user_id}/block',
                'DELETE /v1/users/{user_id}/block',
                'POST /v1/users/{user_id}/mute',
                'DELETE /v1/users/{user_id}/mute',
                'GET /v1/me/blocks',
                'GET /v1/users/search',
                'GET /v1/me/suggestions',
                'POST /v1/me/suggestions/{user_id}/dismiss',
                'GET /v1/me/follow-requests',
                'POST /v1/me/follow-requests/{user_id}/accept',
                'POST /v1/me/follow-requests/{user_id}/decline',
                'DELETE /v1/me/followers/{user_id}',
                'GET /v1/notifications',
                'GET /v1/notifications/unread-count',
                'POST /v1/notifications/{notification_id}/read',
                'POST /v1/notifications/read-all',
                'POST /v1/clubs',
                'GET /v1/clubs',
                'GET /v1/clubs/{club_id}',
                'PATCH /v1/clubs/{club_id}',
                'DELETE /v1/clubs/{club_id}',
                'POST /v1/clubs/{club_id}/join',
                'DELETE /v1/clubs/{club_id}/membership',
                'POST /v1/clubs/{club_id}/invites',
                'GET /v1/clubs/{club_id}/members',
                'PATCH /v1/clubs/{club_id}/members/{user_id}',
                'DELETE /v1/clubs/{club_id}/members/{user_id}',
                'POST /v1/clubs/{club_id}/members/{user_id}/accept',
                'POST /v1/clubs/{club_id}/events',
                'GET /v1/clubs/{club_id}/events',
                'GET /v1/clubs/{club_id}/events/{event_id}',
                'PATCH /v1/clubs/{club_id}/events/{event_id}',
                'DELETE /v1/clubs/{club_id}/events/{event_id}',
                'PUT /v1/clubs/{club_id}/events/{event_id}/rsvp',
                'DELETE /v1/clubs/{club_id}/events/{event_id}/rsvp',
                'GET /v1/clubs/{club_id}/events/{event_id}/attendees',
                'GET /v1/clubs/{club_id}/leaderboard',
                'POST /v1/reports',
                'GET /v1/me/warnings',
                'GET /v1/admin/reports',
                'POST /v1/admin/reports/{report_id}/resolve',
                'POST /v1/admin/users/{user_id}/unsuspend',
                'POST /v1/clubs/{club_id}/challenges',
                'GET /v1/clubs/{club_id}/challenges',
                'GET /v1/challenges/{challenge_id}',
                'PUT /v1/challenges/{challenge_id}/participation',
                'DELETE /v1/challenges/{challenge_id}/participation',
                'GET /v1/challenges/{challenge_id}/leaderboard',
                'GET /v1/me/challenges',
            ].sort(),
        );
    });

    it('closes every object schema with additionalProperties: false', () => {
        const open: string[] = [];
        const walk = (node: unknown, where: string) => {
            if (Array.isArray(node)) {
                node.forEach((child, i) => walk(child, `${where}[${i}]`));
                return;
            }
            if (typeof node !== 'object' || node === null) {
                return;
            }
            const schema = node as Json;
            const type = schema.type;
            const isObject = type === 'object' || (Array.isArray(type) && type.includes('object'));
            // The whole document served at /openapi.json is deliberately free-form.
            if (isObject && schema.additionalProperties !== false && !where.includes('/openapi.json')) {
                open.push(where);
            }
            for (const [key, child] of Object.entries(schema)) {
                walk(child, `${where}/${key}`);
            }
        };
        walk(doc.components.schemas, '#/components/schemas');
        walk(doc.paths, '#/paths');
        expect(open).toEqual([]);
    });

    it('answers every /v1 error as problem+json and documents 401 on bearer routes', () => {
        const problemRef = '#/components/schemas/Problem';
        for (const { path, method, op } of operations().filter(({ path: p }) => p.startsWith('/v1/'))) {
            const responses = op.responses as Record<string, Json>;
            const codes = Object.keys(responses);
            expect(codes.some((code) => /^4\d\d$/.test(code)), `${method} ${path} has a 4xx`).toBe(true);
            for (const code of codes.filter((c) => c === 'default' || Number(c) >= 400)) {
                const content = resolve(responses[code] as Json).content as Record<string, Json>;
                expect(Object.keys(content), `${method} ${path} ${code}`).toEqual(['application/problem+json']);
                expect((content['application/problem+json']?.schema as Json).$ref).toBe(problemRef);
            }
            const isPublic = Array.isArray(op.security) && op.security.length === 0;
            if (!isPublic) {
                expect(codes, `${method} ${path} needs bearer, documents 401`).toContain('401');
            }
        }
    });

    it('keeps the auth routes that need no token public, and the rest behind bearer', () => {
        const publicOps = operations()
            .filter(({ op }) => Array.isArray(op.security) && op.security.length === 0)
            .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
            .sort();
        expect(publicOps).toEqual(
            ['GET /docs', 'GET /healthz', 'GET /metrics', 'GET /openapi.json', 'GET /readyz', 'GET /v1/objects/{key}', 'GET /v1/tiles/{z}/{x}/{y}', 'POST /v1/auth/login', 'POST /v1/auth/refresh', 'POST /v1/auth/signup'].sort(),
        );
        expect(doc.security).toEqual([{ bearer: [] }]);
        expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    });

    it('lists one problem type per error kind', () => {
        const types = doc.components.schemas.Problem.properties.type.enum as string[];
        expect(types.map((t) => t.replace('urn:strava1:problem:', ''))).toEqual([
            'invalid-argument',
            'unauthenticated',
            'permission-denied',
            'not-found',
            'method-not-allowed',
            'conflict',
            'gone',
            'too-large',
            'unsupported-media-type',
            'unprocessable',
            'rate-limited',
            'headers-too-large',
            'internal',
            'unavailable',
            'timeout',
        ]);
    });

    it('sends the rate-limit headers with every 429', () => {
        const rateLimited = doc.components.responses.RateLimited.headers as Json;
        expect(Object.keys(rateLimited).sort()).toEqual(['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']);
    });

    it('makes MeUpdate exactly the writable fields of Me', () => {
        const me = Object.keys(doc.components.schemas.Me.properties);
        const update = Object.keys(doc.components.schemas.MeUpdate.properties);
        expect(update.sort()).toEqual(me.filter((f) => !['id', 'email', 'created_at', 'updated_at'].includes(f)).sort());
        expect(doc.components.schemas.MeUpdate.required).toBeUndefined();
        expect([...doc.components.schemas.Me.required].sort()).toEqual([...me].sort());
    });
});

describe('activities in openapi.yaml', () => {
    const schemas = doc.components.schemas;

    it('makes ActivityDetail exactly ActivitySummary plus the detail-only fields, all required but the owner-only one', () => {
        const summary = Object.keys(schemas.ActivitySummary.properties);
        const detail = Object.keys(schemas.ActivityDetail.properties);
        expect(detail).toEqual([...summary, 'hidden_metrics', 'hide_endpoints_m', 'polyline', 'polyline_breaks', 'has_original', 'is_owner', 'hide_from_feed', 'route_partly_hidden']);
        expect(schemas.ActivitySummary.required).toEqual(summary);
        // hide_from_feed is the owner's alone: absent, not null, for anyone else.
        expect(schemas.ActivityDetail.required).toEqual(detail.filter((field) => field !== 'hide_from_feed'));
        // The shared fields must not drift apart in type either.
        for (const field of summary) {
            expect(schemas.ActivityDetail.properties[field].$ref ?? schemas.ActivityDetail.properties[field].type, field).toEqual(
                schemas.ActivitySummary.properties[field].$ref ?? schemas.ActivitySummary.properties[field].type,
            );
        }
    });

    it('has one Totals entry per sport, and the sports the server knows', () => {
        const sports = schemas.Sport.enum as string[];
        expect([...sports].sort()).toEqual(
            ['run', 'trail_run', 'walk', 'hike', 'ride', 'mountain_bike', 'virtual_ride', 'swim', 'rowing', 'ski', 'transition', 'other', 'unknown'].sort(),
        );
        expect(Object.keys(schemas.Totals.properties)).toEqual(sports);
    });

    it('offers the same optional fields to raw and multipart uploads', () => {
        const upload = doc.paths['/v1/uploads'].post;
        const query = (upload.parameters as Json[]).filter((p) => p.in === 'query').map((p) => p.name);
        const form = Object.keys(schemas.UploadForm.properties).filter((f) => f !== 'file');
        expect(query).toEqual(form);
        expect(Object.keys(upload.requestBody.content).sort()).toEqual(['application/octet-stream', 'multipart/form-data']);
    });

    it('lets PATCH change exactly the writable activity fields', () => {
        expect(Object.keys(schemas.ActivityUpdate.properties).sort()).toEqual(
            ['name', 'description', 'sport', 'visibility', 'hidden_metrics', 'hide_endpoints_m', 'perceived_exertion', 'hide_from_feed'].sort(),
        );
        expect(schemas.ActivityUpdate.required).toBeUndefined();
    });
});

describe('schema.gen.ts', () => {
    it('is up to date with openapi.yaml (run `npm run gen:api`)', () => {
        const require = createRequire(import.meta.url);
        const cli = join(dirname(require.resolve('openapi-typescript/package.json')), 'bin', 'cli.js');
        const dir = mkdtempSync(join(tmpdir(), 'strava1-gen-'));
        try {
            const out = join(dir, 'schema.gen.ts');
            execFileSync(process.execPath, [cli, yamlPath, '--output', out], { stdio: 'pipe' });
            expect(readFileSync(generatedPath, 'utf8')).toBe(readFileSync(out, 'utf8'));
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    }, 30_000);
});
