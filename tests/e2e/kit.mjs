// The test kit of the JavaScript tiers (tests/e2e, tests/firebase, web/tests/browser): what every
// suite needs besides the server itself (harness.mjs starts that): users, requests as a user,
// problem+json assertions, uploads, the shared test data, raw sockets and polling with a deadline.
// Plain Node ESM with builtins only.
//
//   import { api, assertProblem, kFastHash, kRoomyLimits, requireServices, startServer } from './kit.mjs';
//   const server = await startServer({ args: [kFastHash, ...kRoomyLimits] });
//   const client = api(server);
//   const [ana, bob] = await client.users(2);
//   const res = await client.as(ana).patch('/v1/me', { bio: 'x'.repeat(5000) });
//   assertProblem(res, 400, { field: 'bio' });
//   const other = await client.as(bob).get(`/v1/users/${ana.id}`);
//
// Every response is { status, headers, text, json, buffer }: `json` is the parsed body (undefined
// when the body is not JSON), `buffer` the raw bytes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { delay, repoRoot, request, requireOrSkip } from './harness.mjs';

export * from './harness.mjs';

const execFileAsync = promisify(execFile);

/** The password every kit user signs up with: long enough for the policy, on no common list. */
export const kPassword = 'correct horse battery';

/** Cheap password hashing: sign-ups take milliseconds instead of Argon2id's tuned second. */
export const kFastHash = '--password-hash=argon2id-fast-insecure';

/**
 * Budgets so high that a suite never meets the rate limiter by accident; a test of the limiter
 * starts its own server with its own budgets.
 */
export const kRoomyLimits = [
    '--rate-limit-auth-per-minute=100000', '--rate-limit-auth-burst=100000',
    '--rate-limit-anon-per-minute=100000', '--rate-limit-anon-burst=100000',
    '--rate-limit-user-per-minute=1000000', '--rate-limit-user-burst=1000000',
];

// ----- polling

/**
 * Polls `probe` every `intervalMs` until it returns a truthy value, which it resolves with; fails
 * naming `what` once `timeoutMs` has passed.
 */
export async function until(what, probe, { timeoutMs = 60_000, intervalMs = 50 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await delay(intervalMs);
    }
}

// ----- test data

/** ../shared/testdata beside the repository, or STRAVA1_TESTDATA. */
export const testdataDir = process.env.STRAVA1_TESTDATA || join(repoRoot, '..', 'shared', 'testdata');

/**
 * The bytes of `rel` under the shared test data (read in place: several files there are copyleft
 * and never copied into this repository), or null after a loud skip (a failure under
 * STRAVA1_REQUIRE_SERVICES=1) when it is missing.
 */
export function testdata(t, rel) {
    const path = join(testdataDir, rel);
    if (!requireOrSkip(t, existsSync(path), `test data ${path} is missing (../shared/testdata, or set STRAVA1_TESTDATA)`)) {
        return null;
    }
    return readFileSync(path);
}

// ----- addresses

let emailCounter = 0;

/** An address no other test of any run uses. */
export function uniqueEmail(prefix = 'user') {
    emailCounter += 1;
    return `${prefix}${process.pid}_${emailCounter}_${Date.now().toString(36)}@example.com`;
}

// ----- problem+json

/** The server's one mapping of problem types (libs/base/src/error.cpp): status and title per slug. */
export const kProblemTypes = {
    'invalid-argument': { status: 400, title: 'Invalid request' },
    unauthenticated: { status: 401, title: 'Authentication required' },
    'permission-denied': { status: 403, title: 'Not allowed' },
    'not-found': { status: 404, title: 'Not found' },
    'method-not-allowed': { status: 405, title: 'Method not allowed' },
    conflict: { status: 409, title: 'Conflict' },
    gone: { status: 410, title: 'Gone' },
    'too-large': { status: 413, title: 'Request body too large' },
    'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
    unprocessable: { status: 422, title: 'Unprocessable request' },
    'rate-limited': { status: 429, title: 'Too many requests' },
    'headers-too-large': { status: 431, title: 'Request header fields too large' },
    internal: { status: 500, title: 'Internal server error' },
    unavailable: { status: 503, title: 'Service unavailable' },
    timeout: { status: 504, title: 'Upstream timeout' },
};
const kProblemPrefix = 'urn:strava1:problem:';

/**
 * Asserts that `res` is the problem+json answer `status` (RFC 9457) the server gives: its content
 * type, `type` and `title` (the ones of that status unless `type` names another slug or URN), the
 * status in the body, a request id equal to the X-Request-Id header, and no internals (SQLSTATE,
 * stack, source file names, "null character"). Options:
 *   type    problem slug ('not-found') or full URN, when it is not the status's own;
 *   title   the exact title, when it is not the type's own;
 *   field   a field (or fields) that `errors` must name;
 *   reason  with `field`: that field's reason, exactly (string) or matching (RegExp);
 *   detail  the detail, exactly (string) or matching (RegExp);
 *   why     text (or a function returning it) added to every failure message, e.g. server logs.
 * Returns the parsed problem.
 */
export function assertProblem(res, status, { type, title, field, reason, detail, why } = {}) {
    const explain = (message) => {
        const extra = typeof why === 'function' ? why() : why;
        return extra ? `${message}\n${extra}` : message;
    };
    assert.equal(res.status, status, explain(`HTTP ${res.status}: ${res.text}`));
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, explain('a problem+json content type'));
    assert.ok(res.json && typeof res.json === 'object', explain(`a JSON problem body: ${res.text}`));
    const slug = type === undefined
        ? Object.keys(kProblemTypes).find((name) => kProblemTypes[name].status === status)
        : type.startsWith(kProblemPrefix) ? type.slice(kProblemPrefix.length) : type;
    assert.ok(slug, `no problem type is known for status ${status}`);
    assert.equal(res.json.type, `${kProblemPrefix}${slug}`, explain(`problem type: ${res.text}`));
    assert.equal(res.json.title, title ?? kProblemTypes[slug]?.title, explain(`problem title: ${res.text}`));
    assert.equal(res.json.status, status, explain('the body repeats the status'));
    assert.match(res.json.request_id ?? '', /\S/, explain('the problem carries the request id'));
    assert.equal(res.headers.get('x-request-id'), res.json.request_id, explain('X-Request-Id is the request id'));
    assert.doesNotMatch(res.text, /sqlstate|stack|\.cpp|null character/i, explain('no internals in error bodies'));
    if (detail !== undefined) {
        if (detail instanceof RegExp) assert.match(res.json.detail ?? '', detail, explain('problem detail'));
        else assert.equal(res.json.detail, detail, explain('problem detail'));
    }
    for (const name of field === undefined ? [] : [field].flat()) {
        const entry = res.json.errors?.find((e) => e.field === name);
        assert.ok(entry, explain(`errors name ${name}: ${res.text}`));
        if (reason !== undefined) {
            if (reason instanceof RegExp) assert.match(entry.reason, reason, explain(`reason for ${name}`));
            else assert.equal(entry.reason, reason, explain(`reason for ${name}`));
        }
    }
    return res.json;
}

// ----- requests as a user

/**
 * A client of one server: anonymous requests, users, and requests as one of them.
 * @param {{ url: string }} server
 */
export function api(server) {
    const call = (method, path, options = {}) => request(server.url, method, path, options);
    /** Verb helpers; `token` null sends no Authorization header. */
    const verbs = (token) => {
        const send = (method, path, body, options = {}) => {
            const viaBody = Buffer.isBuffer(body) || typeof body === 'string' ? { raw: body } : body === undefined ? {} : { body };
            return call(method, path, { token: token ?? undefined, ...viaBody, ...options });
        };
        return {
            token,
            /** GET `path`; options: headers, redirect. */
            get: (path, options) => send('GET', path, undefined, options),
            head: (path, options) => send('HEAD', path, undefined, options),
            options: (path, options) => send('OPTIONS', path, undefined, options),
            /** POST/PATCH/PUT `body`: a JSON value, or a Buffer or string sent as is (give its content type). */
            post: (path, body, options) => send('POST', path, body, options),
            patch: (path, body, options) => send('PATCH', path, body, options),
            put: (path, body, options) => send('PUT', path, body, options),
            /** DELETE `path`, with an optional JSON body (DELETE /v1/me takes the password). */
            delete: (path, body, options) => send('DELETE', path, body, options),
            request: (method, path, options = {}) => call(method, path, { token: token ?? undefined, ...options }),
        };
    };
    const anonymous = verbs(null);

    /**
     * Signs one user up (201 asserted) and returns { email, password, id, token, refreshToken,
     * user, access_token, refresh_token, token_type, expires_in }. `body` adds or replaces sign-up
     * fields; `headers` go with the request (e.g. X-Forwarded-For behind a trusted proxy).
     */
    async function signUp({ email = uniqueEmail(), password = kPassword, displayName = 'Ana', body = {}, headers } = {}) {
        const res = await anonymous.post('/v1/auth/signup', { email, password, display_name: displayName, ...body }, { headers });
        assert.equal(res.status, 201, res.text);
        return {
            email,
            password,
            id: res.json.user.id,
            token: res.json.access_token,
            refreshToken: res.json.refresh_token,
            response: res,
            ...res.json,
        };
    }

    /** Signs `n` users up, one after another, named "<prefix> 1" … "<prefix> n". */
    async function users(n, { prefix = 'Athlete', ...options } = {}) {
        const out = [];
        for (let i = 1; i <= n; i++) {
            out.push(await signUp({ displayName: `${prefix} ${i}`, ...options }));
        }
        return out;
    }

    /**
     * Requests as `user` (anything with a `token`, or a bearer token string): get, post, patch,
     * put, delete and request as above, plus the upload helpers.
     */
    function as(user) {
        const token = typeof user === 'string' ? user : user?.token;
        assert.ok(token, 'as(user) needs a user with a token');
        const v = verbs(token);
        /** POST /v1/uploads with `bytes` (raw, application/octet-stream unless headers say otherwise). */
        const upload = (bytes, { query = '', headers = {} } = {}) =>
            v.post(`/v1/uploads${query}`, bytes, { headers: { 'content-type': 'application/octet-stream', ...headers } });
        /** Polls an upload until it is no longer processing; resolves with its status body. */
        const pollUpload = async (id, { timeoutMs = 60_000 } = {}) =>
            until(`upload ${id} to finish processing`, async () => {
                const res = await v.get(`/v1/uploads/${id}`);
                assert.equal(res.status, 200, res.text);
                return res.json.status === 'processing' ? null : res.json;
            }, { timeoutMs, intervalMs: 25 });
        /** Uploads (201 asserted) and waits: the final upload status (ready, duplicate, failed). */
        const uploadDone = async (bytes, query = '', options = {}) => {
            const res = await upload(bytes, { query, ...options });
            assert.equal(res.status, 201, res.text);
            return pollUpload(res.json.id);
        };
        /** Uploads and waits for 'ready' (asserted): the id of its (first) activity. */
        const uploadReady = async (bytes, query = '', options = {}) => {
            const done = await uploadDone(bytes, query, options);
            assert.equal(done.status, 'ready', JSON.stringify(done));
            return done.activity_id;
        };
        return { ...v, user, upload, pollUpload, uploadDone, uploadReady };
    }

    return { server, ...anonymous, call, signUp, users, as };
}

/**
 * A multipart/form-data body: `fields` as text parts, then `file` (bytes) as the part named "file".
 * Returns { body, contentType }.
 */
export function multipart(fields, file, { boundary = `----strava1kit${Date.now().toString(36)}`, filename = 'upload.bin', fileHeaders = '' } = {}) {
    const parts = Object.entries(fields).map(([name, value]) =>
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    if (file !== undefined) {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n${fileHeaders}\r\n`),
            Buffer.from(file), Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

// ----- geometry (for tracks made up by the tests and the positions the API answers)

/** The mean Earth radius (IUGG), as the server's geodesy and the usual tools use it. */
export const kEarthRadiusM = 6_371_008.8;

/** Haversine distance in metres between two [lat, lng] points in degrees. */
export function distanceM(a, b) {
    const rad = Math.PI / 180;
    const dLat = (b[0] - a[0]) * rad;
    const dLng = (b[1] - a[1]) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLng / 2) ** 2;
    return 2 * kEarthRadiusM * Math.asin(Math.sqrt(h));
}

/** The [lat, lng] point `northM` metres north and `eastM` metres east of `p` (a local flat approximation). */
export function offset(p, northM, eastM) {
    const deg = 180 / Math.PI;
    return [p[0] + (northM / kEarthRadiusM) * deg, p[1] + (eastM / (kEarthRadiusM * Math.cos(p[0] / deg))) * deg];
}

/** The [lat, lng] points of an encoded polyline (precision 5, Google's format); [] for null or ''. */
export function decodePolyline(text) {
    if (!text) return [];
    const out = [];
    let i = 0;
    let lat = 0;
    let lng = 0;
    while (i < text.length) {
        for (const which of [0, 1]) {
            let shift = 0;
            let result = 0;
            let b;
            do {
                b = text.charCodeAt(i++) - 63;
                result |= (b & 0x1f) << shift;
                shift += 5;
            } while (b >= 0x20);
            const delta = result & 1 ? ~(result >> 1) : result >> 1;
            if (which === 0) lat += delta;
            else lng += delta;
        }
        out.push([lat / 1e5, lng / 1e5]);
    }
    return out;
}

// ----- below HTTP

/** Sends raw bytes on a fresh socket; resolves with everything received until close or timeout. */
export function rawExchange(port, payload, { timeoutMs = 5000 } = {}) {
    return new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        let data = '';
        const timer = setTimeout(() => {
            socket.destroy();
            resolve({ data, closed: false });
        }, timeoutMs);
        socket.on('data', (chunk) => {
            data += chunk.toString('latin1');
        });
        socket.on('close', () => {
            clearTimeout(timer);
            resolve({ data, closed: true });
        });
        socket.on('error', () => {});
        socket.write(payload);
    });
}

/** One SQL statement against a started server's database (psql); its rows as text, one per line. */
export async function sql(server, statement) {
    try {
        const { stdout } = await execFileAsync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', server.databaseUrl, '-c', statement], { timeout: 30_000 });
        return stdout.trim();
    } catch (error) {
        throw new Error(`psql failed for: ${statement}\n${error.stderr || error.message}`);
    }
}
