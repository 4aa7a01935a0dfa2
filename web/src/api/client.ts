// The one way the app talks to the server: same-origin JSON under /v1, typed by schema.gen.ts
// (generated from docs/api/openapi.yaml by `npm run gen:api`).
//
// Tokens: the access token lives only in memory; the refresh token is kept in localStorage so a
// reload stays signed in. Refresh tokens rotate and a spent one revokes the whole session, so
// refreshes are serialised: one at a time in this tab (a shared promise) and across tabs (a Web
// Lock, re-reading the stored token inside it).
import type { components, paths } from './schema.gen';

export type Schemas = components['schemas'];
export type Me = Schemas['Me'];
export type MeUpdate = Schemas['MeUpdate'];
export type AuthTokens = Schemas['AuthTokens'];
export type Session = Schemas['Session'];
export type PublicProfile = Schemas['PublicProfile'];
export type Problem = Schemas['Problem'];
export type ProblemType = Problem['type'];
export type Sport = Schemas['Sport'];
export type Visibility = Schemas['Visibility'];
export type HiddenMetric = Schemas['HiddenMetric'];
export type DataType = Schemas['DataType'];
export type Upload = Schemas['Upload'];
export type ActivitySummary = Schemas['ActivitySummary'];
export type ActivityDetail = Schemas['ActivityDetail'];
export type ActivityCreate = Schemas['ActivityCreate'];
export type ActivityUpdate = Schemas['ActivityUpdate'];
export type ActivityList = Schemas['ActivityList'];
export type StreamKey = Schemas['StreamKey'];
export type StreamSet = Schemas['StreamSet'];
export type Interval = Schemas['Interval'];
export type Zones = Schemas['Zones'];
export type ZoneBucket = Schemas['ZoneBucket'];
export type BestEffort = Schemas['BestEffort'];
export type UploadQuery = NonNullable<paths['/v1/uploads']['post']['parameters']['query']>;
export type ActivityListQuery = NonNullable<paths['/v1/athlete/activities']['get']['parameters']['query']>;
export type StreamQuery = NonNullable<paths['/v1/activities/{activity_id}/streams']['get']['parameters']['query']>;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The methods a path defines (openapi-typescript marks the others `never`). */
export type MethodsOf<P extends keyof paths> = {
    [M in Method]: [paths[P][M]] extends [never] ? never : paths[P][M] extends undefined ? never : M;
}[Method];

type JsonOf<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type RequestBodyOf<Op> = Op extends { requestBody: infer R } ? JsonOf<R> : Op extends { requestBody?: infer R } ? JsonOf<NonNullable<R>> : never;
type PathParamsOf<Op> = Op extends { parameters: { path: infer PP } } ? PP : never;
type QueryOf<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
type SuccessOf<Op> = Op extends { responses: infer R }
    ? R extends { 200: infer S }
        ? JsonOf<S>
        : R extends { 201: infer S }
          ? JsonOf<S>
          : undefined
    : never;

export type CallOptions<Op> = ([PathParamsOf<Op>] extends [never] ? { path?: never } : { path: PathParamsOf<Op> }) &
    ([RequestBodyOf<Op>] extends [never] ? { body?: never } : { body: RequestBodyOf<Op> }) &
    ([QueryOf<Op>] extends [never] ? { query?: never } : { query?: QueryOf<Op> }) & {
        /** Send the bearer token (default true). */
        auth?: boolean;
        idempotencyKey?: string;
        signal?: AbortSignal;
    };

const kProblemPrefix = 'urn:strava1:problem:';
const kSlugByStatus: Record<number, string> = {
    400: 'invalid-argument',
    401: 'unauthenticated',
    403: 'permission-denied',
    404: 'not-found',
    405: 'method-not-allowed',
    409: 'conflict',
    410: 'gone',
    413: 'too-large',
    415: 'unsupported-media-type',
    422: 'unprocessable',
    429: 'rate-limited',
    431: 'headers-too-large',
    500: 'internal',
    503: 'unavailable',
    504: 'timeout',
};

/** An error answer of the API (or a failure to reach it), always as a problem. */
export class ApiError extends Error {
    readonly problem: Problem;
    /** True when the server was not reached at all (offline, DNS, connection refused). */
    readonly network: boolean;
    /** Seconds from Retry-After, when the server sent one. */
    readonly retryAfterS: number | null;

    constructor(problem: Problem, options: { network?: boolean; retryAfterS?: number | null } = {}) {
        super(problem.detail || problem.title);
        this.name = 'ApiError';
        this.problem = problem;
        this.network = options.network ?? false;
        this.retryAfterS = options.retryAfterS ?? null;
    }

    get status(): number {
        return this.problem.status;
    }

    is(slug: string): boolean {
        return this.problem.type === kProblemPrefix + slug;
    }
}

/** Builds a problem for answers that did not carry one (a proxy's HTML 502, say). */
export function synthesizeProblem(status: number, title: string, detail: string, instance: string): Problem {
    const slug = kSlugByStatus[status] ?? (status >= 500 ? 'internal' : 'invalid-argument');
    return {
        type: (kProblemPrefix + slug) as ProblemType,
        title,
        status,
        detail,
        instance,
        request_id: '',
    };
}

/** Accepts anything JSON-shaped as a problem, filling what is missing so the UI can rely on it. */
export function normalizeProblem(value: unknown, status: number, instance: string): Problem {
    const fallback = synthesizeProblem(status, `Request failed (${status})`, '', instance);
    if (typeof value !== 'object' || value === null) {
        return fallback;
    }
    const v = value as Record<string, unknown>;
    const str = (key: string, otherwise: string) => (typeof v[key] === 'string' ? (v[key] as string) : otherwise);
    const errors = Array.isArray(v.errors)
        ? v.errors
              .filter((e): e is { field: string; reason: string } => typeof e?.field === 'string' && typeof e?.reason === 'string')
              .map((e) => ({ field: e.field, reason: e.reason }))
        : undefined;
    const problem: Problem = {
        type: str('type', fallback.type) as ProblemType,
        title: str('title', fallback.title),
        status: typeof v.status === 'number' ? v.status : status,
        detail: str('detail', ''),
        instance: str('instance', instance),
        request_id: str('request_id', ''),
    };
    if (errors && errors.length > 0) {
        problem.errors = errors;
    }
    return problem;
}

export function expandPath(template: string, params: Record<string, string | number> | undefined): string {
    return template.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
        const value = params?.[name];
        if (value === undefined) {
            throw new Error(`missing path parameter ${name} for ${template}`);
        }
        return encodeURIComponent(String(value));
    });
}

type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];

/** `?a=1&b=x,y` from a query object: absent values are left out, arrays are comma-joined (OpenAPI form, explode: false). */
export function queryString(query: Readonly<Record<string, QueryValue>> | undefined): string {
    const parts: string[] = [];
    for (const [key, value] of Object.entries(query ?? {})) {
        if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
            continue;
        }
        const text = Array.isArray(value) ? value.join(',') : String(value);
        parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
    }
    return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** A request with a non-JSON body (a file), reporting upload progress. */
export interface ByteRequest {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: Blob | ArrayBuffer | string;
    /** Bytes sent so far and in all; called as the body goes out. */
    onProgress?: ((sent: number, total: number) => void) | undefined;
    signal?: AbortSignal | undefined;
}

/** Sends a ByteRequest; rejects (like fetch) when the server cannot be reached. */
export type SendBytes = (request: ByteRequest) => Promise<Response>;

export interface KeyValueStorage {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
}

export interface ClientDeps {
    fetch: typeof fetch;
    storage: KeyValueStorage;
    /** Milliseconds since the epoch. */
    now?: () => number;
    /** Runs `task` while holding a lock shared with other tabs (navigator.locks in browsers). */
    withLock?: <T>(name: string, task: () => Promise<T>) => Promise<T>;
    /** Origin prefix for requests; empty for same-origin. */
    baseUrl?: string;
    /** Transport for file uploads (XMLHttpRequest in browsers, for its upload progress events). */
    sendBytes?: SendBytes;
}

/** A downloaded file. */
export interface Download {
    blob: Blob;
    /** From Content-Disposition, when the server named the file. */
    filename: string | null;
}

/** The file name of a Content-Disposition value (`attachment; filename="a.gpx"`), or null. */
export function dispositionFilename(header: string | null): string | null {
    if (!header) {
        return null;
    }
    const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
    if (extended?.[1]) {
        try {
            return decodeURIComponent(extended[1].trim());
        } catch {
            // A malformed escape: fall back to the plain parameter.
        }
    }
    const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(header);
    const name = (plain?.[1] ?? plain?.[2])?.trim();
    return name ? name : null;
}

export const kRefreshTokenKey = 'strava1.refresh_token';
/** Refresh this long before the access token's stated expiry. */
const kExpirySlackMs = 30_000;

export function createClient(deps: ClientDeps) {
    const now = deps.now ?? (() => Date.now());
    const withLock = deps.withLock ?? ((_name, task) => task());
    const baseUrl = deps.baseUrl ?? '';

    let accessToken: string | null = null;
    let accessExpiresAt = 0;
    let refreshing: Promise<AuthTokens> | null = null;
    const endedListeners = new Set<() => void>();

    function adopt(tokens: AuthTokens): AuthTokens {
        accessToken = tokens.access_token;
        accessExpiresAt = now() + tokens.expires_in * 1000;
        deps.storage.setItem(kRefreshTokenKey, tokens.refresh_token);
        return tokens;
    }

    function forget(): void {
        accessToken = null;
        accessExpiresAt = 0;
        deps.storage.removeItem(kRefreshTokenKey);
    }

    function sessionEnded(): void {
        forget();
        for (const listener of endedListeners) {
            listener();
        }
    }

    function unreachable(url: string): ApiError {
        return new ApiError(synthesizeProblem(503, "Can't reach the server", 'Check your connection and try again.', url), { network: true });
    }

    function baseHeaders(auth: boolean, idempotencyKey?: string): Record<string, string> {
        const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
        if (auth && accessToken) {
            headers.Authorization = `Bearer ${accessToken}`;
        }
        if (idempotencyKey) {
            headers['Idempotency-Key'] = idempotencyKey;
        }
        return headers;
    }

    async function send(method: Method, url: string, body: unknown, auth: boolean, idempotencyKey?: string, signal?: AbortSignal): Promise<Response> {
        const headers = baseHeaders(auth, idempotencyKey);
        if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
        }
        try {
            return await deps.fetch(baseUrl + url, {
                method: method.toUpperCase(),
                headers,
                body: body === undefined ? undefined : JSON.stringify(body),
                credentials: 'same-origin',
                cache: 'no-store',
                signal,
            });
        } catch (error) {
            if (error instanceof DOMException && error.name === 'AbortError') {
                throw error;
            }
            throw unreachable(url);
        }
    }

    async function read(response: Response, url: string): Promise<unknown> {
        if (response.ok) {
            if (response.status === 204) {
                return undefined;
            }
            const text = await response.text();
            return text === '' ? undefined : JSON.parse(text);
        }
        const retryHeader = response.headers.get('Retry-After');
        const retryAfterS = retryHeader !== null && /^\d+$/.test(retryHeader) ? Number(retryHeader) : null;
        const type = response.headers.get('Content-Type') ?? '';
        let payload: unknown = null;
        if (type.includes('json')) {
            try {
                payload = await response.json();
            } catch {
                payload = null;
            }
        }
        const problem =
            payload === null
                ? synthesizeProblem(response.status, response.statusText || `Request failed (${response.status})`, '', url)
                : normalizeProblem(payload, response.status, url);
        throw new ApiError(problem, { retryAfterS });
    }

    function refreshTokens(): Promise<AuthTokens> {
        refreshing ??= withLock('strava1.refresh', async () => {
            // Read inside the lock: another tab may have rotated the token meanwhile.
            const token = deps.storage.getItem(kRefreshTokenKey);
            if (!token) {
                throw new ApiError(synthesizeProblem(401, 'Authentication required', 'Please sign in.', '/v1/auth/refresh'));
            }
            const url = '/v1/auth/refresh';
            try {
                const response = await send('post', url, { refresh_token: token }, false);
                return adopt((await read(response, url)) as AuthTokens);
            } catch (error) {
                if (error instanceof ApiError && error.status === 401) {
                    sessionEnded();
                }
                throw error;
            }
        }).finally(() => {
            refreshing = null;
        });
        return refreshing;
    }

    /**
     * Runs `attempt` with a fresh enough access token; on a 401 refreshes once and runs it again.
     * `attempt` reads the token through baseHeaders(), so the retry carries the new one.
     */
    async function authorized(auth: boolean, attempt: () => Promise<Response>): Promise<Response> {
        let refreshed = false;
        if (auth && (accessToken === null || now() >= accessExpiresAt - kExpirySlackMs)) {
            await refreshTokens();
            refreshed = true;
        }
        let response = await attempt();
        if (response.status === 401 && auth && !refreshed) {
            await refreshTokens();
            response = await attempt();
        }
        return response;
    }

    /** Calls an operation of the API. Resolves to its success body; rejects with ApiError. */
    async function call<P extends keyof paths, M extends MethodsOf<P>>(
        method: M,
        path: P,
        options: CallOptions<paths[P][M]>,
    ): Promise<SuccessOf<paths[P][M]>> {
        const auth = options.auth ?? true;
        const url = expandPath(path, options.path as Record<string, string | number> | undefined) + queryString(options.query as Record<string, QueryValue> | undefined);
        const response = await authorized(auth, () => send(method, url, options.body, auth, options.idempotencyKey, options.signal));
        return (await read(response, url)) as SuccessOf<paths[P][M]>;
    }

    const sendBytes: SendBytes = deps.sendBytes ?? ((request) => deps.fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal: request.signal ?? null }));

    interface UploadOptions {
        query?: UploadQuery;
        contentType?: string;
        idempotencyKey?: string;
        onProgress?: (sent: number, total: number) => void;
        signal?: AbortSignal;
    }

    /** POST /v1/uploads with the file as the raw body. Resolves to the Upload; rejects with ApiError. */
    async function uploadFile(file: Blob, options: UploadOptions = {}): Promise<Upload> {
        const url = '/v1/uploads' + queryString(options.query);
        const response = await authorized(true, async () => {
            const headers = baseHeaders(true, options.idempotencyKey);
            headers['Content-Type'] = options.contentType ?? 'application/octet-stream';
            try {
                return await sendBytes({ method: 'POST', url: baseUrl + url, headers, body: file, onProgress: options.onProgress, signal: options.signal });
            } catch (error) {
                if (error instanceof DOMException && error.name === 'AbortError') {
                    throw error;
                }
                throw unreachable(url);
            }
        });
        return (await read(response, url)) as Upload;
    }

    /** GETs a file (export, original) with the bearer token; redirects are followed. */
    async function download(url: string): Promise<Download> {
        const response = await authorized(true, async () => {
            const headers = baseHeaders(true);
            headers.Accept = '*/*';
            try {
                return await deps.fetch(baseUrl + url, { method: 'GET', headers, credentials: 'same-origin', cache: 'no-store' });
            } catch {
                throw unreachable(url);
            }
        });
        if (!response.ok) {
            await read(response, url);
        }
        return { blob: await response.blob(), filename: dispositionFilename(response.headers.get('Content-Disposition')) };
    }

    const api = {
        signup: async (body: Schemas['SignupRequest'], idempotencyKey: string) =>
            adopt(await call('post', '/v1/auth/signup', { body, auth: false, idempotencyKey })),
        login: async (body: Schemas['LoginRequest']) => adopt(await call('post', '/v1/auth/login', { body, auth: false })),
        logout: async () => {
            try {
                if (accessToken !== null || deps.storage.getItem(kRefreshTokenKey)) {
                    await call('post', '/v1/auth/logout', {});
                }
            } finally {
                forget();
            }
        },
        changePassword: (body: Schemas['PasswordChangeRequest']) => call('post', '/v1/auth/password', { body }),
        listSessions: () => call('get', '/v1/auth/sessions', {}),
        revokeSession: (sessionId: number) => call('delete', '/v1/auth/sessions/{session_id}', { path: { session_id: sessionId } }),
        getMe: () => call('get', '/v1/me', {}),
        updateMe: (body: MeUpdate) => call('patch', '/v1/me', { body }),
        deleteMe: async (password: string) => {
            await call('delete', '/v1/me', { body: { password } });
            forget();
        },
        getUser: (userId: number) => call('get', '/v1/users/{user_id}', { path: { user_id: userId } }),

        uploadFile,
        getUpload: (uploadId: number, signal?: AbortSignal) => call('get', '/v1/uploads/{upload_id}', { path: { upload_id: uploadId }, signal }),
        listMyActivities: (query: ActivityListQuery = {}) => call('get', '/v1/athlete/activities', { query }),
        createActivity: (body: ActivityCreate, idempotencyKey: string) => call('post', '/v1/activities', { body, idempotencyKey }),
        getActivity: (activityId: number) => call('get', '/v1/activities/{activity_id}', { path: { activity_id: activityId } }),
        updateActivity: (activityId: number, body: ActivityUpdate) => call('patch', '/v1/activities/{activity_id}', { path: { activity_id: activityId }, body }),
        deleteActivity: (activityId: number) => call('delete', '/v1/activities/{activity_id}', { path: { activity_id: activityId } }),
        getStreams: (activityId: number, query: StreamQuery = {}) => call('get', '/v1/activities/{activity_id}/streams', { path: { activity_id: activityId }, query }),
        getLaps: (activityId: number) => call('get', '/v1/activities/{activity_id}/laps', { path: { activity_id: activityId } }),
        getSplits: (activityId: number) => call('get', '/v1/activities/{activity_id}/splits', { path: { activity_id: activityId } }),
        getZones: (activityId: number) => call('get', '/v1/activities/{activity_id}/zones', { path: { activity_id: activityId } }),
        getBestEfforts: (activityId: number) => call('get', '/v1/activities/{activity_id}/best-efforts', { path: { activity_id: activityId } }),
        downloadGpx: (activityId: number) => download(expandPath('/v1/activities/{activity_id}/export.gpx', { activity_id: activityId })),
        downloadOriginal: (activityId: number) => download(expandPath('/v1/activities/{activity_id}/original', { activity_id: activityId })),
    };

    return {
        api,
        call,
        /**
         * Resumes the stored session. Resolves to the tokens (with the user) or null when there is
         * no stored session or it was revoked; rejects with ApiError when the server can't be reached.
         */
        async restore(): Promise<AuthTokens | null> {
            if (!deps.storage.getItem(kRefreshTokenKey)) {
                return null;
            }
            try {
                return await refreshTokens();
            } catch (error) {
                if (error instanceof ApiError && error.status === 401) {
                    return null;
                }
                throw error;
            }
        },
        hasStoredSession: () => deps.storage.getItem(kRefreshTokenKey) !== null,
        /** Called when the server refuses the session (refresh answered 401): sign the UI out. */
        onSessionEnded(listener: () => void): () => void {
            endedListeners.add(listener);
            return () => endedListeners.delete(listener);
        },
        forget,
    };
}

export type Client = ReturnType<typeof createClient>;

function browserLock<T>(name: string, task: () => Promise<T>): Promise<T> {
    if (typeof navigator !== 'undefined' && navigator.locks) {
        return navigator.locks.request(name, task) as Promise<T>;
    }
    return task();
}

/** Response headers as XMLHttpRequest reports them, for a Response. */
function parseHeaders(raw: string): Headers {
    const headers = new Headers();
    for (const line of raw.trim().split(/[\r\n]+/)) {
        const colon = line.indexOf(':');
        if (colon > 0) {
            headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
        }
    }
    return headers;
}

/** SendBytes over XMLHttpRequest: fetch has no upload progress events. */
export const xhrSendBytes: SendBytes = (request) =>
    new Promise<Response>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open(request.method, request.url);
        for (const [name, value] of Object.entries(request.headers)) {
            xhr.setRequestHeader(name, value);
        }
        if (request.onProgress) {
            const report = request.onProgress;
            xhr.upload.addEventListener('progress', (event) => {
                if (event.lengthComputable) {
                    report(event.loaded, event.total);
                }
            });
        }
        xhr.addEventListener('load', () => {
            // A Response cannot carry a body with these statuses.
            const empty = xhr.status === 204 || xhr.status === 205 || xhr.status === 304;
            resolve(new Response(empty ? null : xhr.responseText, { status: xhr.status, statusText: xhr.statusText, headers: parseHeaders(xhr.getAllResponseHeaders()) }));
        });
        xhr.addEventListener('error', () => reject(new TypeError('network error')));
        xhr.addEventListener('timeout', () => reject(new TypeError('timeout')));
        xhr.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        request.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
        xhr.send(request.body);
    });

/** The app's client: same origin, browser storage and locks. */
export const client: Client = createClient({
    fetch: (input, init) => fetch(input, init),
    storage: typeof localStorage === 'undefined' ? memoryStorage() : localStorage,
    withLock: browserLock,
    ...(typeof XMLHttpRequest === 'undefined' ? {} : { sendBytes: xhrSendBytes }),
});

export const api = client.api;

export function memoryStorage(): KeyValueStorage {
    const map = new Map<string, string>();
    return {
        getItem: (key) => map.get(key) ?? null,
        setItem: (key, value) => void map.set(key, value),
        removeItem: (key) => void map.delete(key),
    };
}
