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

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The methods a path defines (openapi-typescript marks the others `never`). */
export type MethodsOf<P extends keyof paths> = {
    [M in Method]: [paths[P][M]] extends [never] ? never : paths[P][M] extends undefined ? never : M;
}[Method];

type JsonOf<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type RequestBodyOf<Op> = Op extends { requestBody: infer R } ? JsonOf<R> : Op extends { requestBody?: infer R } ? JsonOf<NonNullable<R>> : never;
type PathParamsOf<Op> = Op extends { parameters: { path: infer PP } } ? PP : never;
type SuccessOf<Op> = Op extends { responses: infer R }
    ? R extends { 200: infer S }
        ? JsonOf<S>
        : R extends { 201: infer S }
          ? JsonOf<S>
          : undefined
    : never;

export type CallOptions<Op> = ([PathParamsOf<Op>] extends [never] ? { path?: never } : { path: PathParamsOf<Op> }) &
    ([RequestBodyOf<Op>] extends [never] ? { body?: never } : { body: RequestBodyOf<Op> }) & {
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

    async function send(method: Method, url: string, body: unknown, auth: boolean, idempotencyKey?: string, signal?: AbortSignal): Promise<Response> {
        const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
        if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
        }
        if (auth && accessToken) {
            headers.Authorization = `Bearer ${accessToken}`;
        }
        if (idempotencyKey) {
            headers['Idempotency-Key'] = idempotencyKey;
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
            throw new ApiError(synthesizeProblem(503, "Can't reach the server", 'Check your connection and try again.', url), { network: true });
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

    /** Calls an operation of the API. Resolves to its success body; rejects with ApiError. */
    async function call<P extends keyof paths, M extends MethodsOf<P>>(
        method: M,
        path: P,
        options: CallOptions<paths[P][M]>,
    ): Promise<SuccessOf<paths[P][M]>> {
        const auth = options.auth ?? true;
        const url = expandPath(path, options.path as Record<string, string | number> | undefined);
        let refreshed = false;
        if (auth && (accessToken === null || now() >= accessExpiresAt - kExpirySlackMs)) {
            await refreshTokens();
            refreshed = true;
        }
        let response = await send(method, url, options.body, auth, options.idempotencyKey, options.signal);
        if (response.status === 401 && auth && !refreshed) {
            await refreshTokens();
            response = await send(method, url, options.body, auth, options.idempotencyKey, options.signal);
        }
        return (await read(response, url)) as SuccessOf<paths[P][M]>;
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

/** The app's client: same origin, browser storage and locks. */
export const client: Client = createClient({
    fetch: (input, init) => fetch(input, init),
    storage: typeof localStorage === 'undefined' ? memoryStorage() : localStorage,
    withLock: browserLock,
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
