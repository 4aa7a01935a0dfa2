// The one fetch core every feature's API module calls through: same-origin JSON under /v1, typed
// by schema.gen.ts (generated from docs/api/openapi.yaml by `npm run gen:api`), with the bearer
// token, one refresh-and-retry on 401, problem+json → ApiError and Idempotency-Key headers.
//
// Tokens: the access token lives only in memory; the refresh token is kept in storage so a reload
// stays signed in. Refresh tokens rotate and a spent one revokes the whole session, so refreshes
// are serialised: one at a time in this tab (a shared promise) and across tabs (a Web Lock,
// re-reading the stored token inside it).
import { dispositionFilename, expandPath, queryString, type Download, type KeyValueStorage, type QueryValue, type SendBytes } from './http';
import { ApiError, normalizeProblem, synthesizeProblem } from './problem';
import type { components, paths } from './schema.gen';

export type Schemas = components['schemas'];
export type AuthTokens = Schemas['AuthTokens'];

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The methods a path defines (openapi-typescript marks the others `never`). */
export type MethodsOf<P extends keyof paths> = {
    [M in Method]: [paths[P][M]] extends [never] ? never : paths[P][M] extends undefined ? never : M;
}[Method];

type JsonOf<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type RequestBodyOf<Op> = Op extends { requestBody: infer R } ? JsonOf<R> : Op extends { requestBody?: infer R } ? JsonOf<NonNullable<R>> : never;
type PathParamsOf<Op> = Op extends { parameters: { path: infer PP } } ? PP : never;
type QueryOf<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
export type SuccessOf<Op> = Op extends { responses: infer R }
    ? R extends { 200: infer S }
        ? JsonOf<S>
        : R extends { 201: infer S }
          ? JsonOf<S>
          : undefined
    : never;

/** The query parameters of an operation. */
export type QueryParams<P extends keyof paths, M extends MethodsOf<P>> = QueryOf<paths[P][M]>;

export type CallOptions<Op> = ([PathParamsOf<Op>] extends [never] ? { path?: never } : { path: PathParamsOf<Op> }) &
    ([RequestBodyOf<Op>] extends [never] ? { body?: never } : { body: RequestBodyOf<Op> }) &
    ([QueryOf<Op>] extends [never] ? { query?: never } : { query?: QueryOf<Op> }) & {
        /** Send the bearer token (default true). */
        auth?: boolean;
        idempotencyKey?: string;
        signal?: AbortSignal | undefined;
    };

/** How a file goes up as the raw request body. */
export interface SendFileOptions<Q> {
    query?: Q;
    contentType?: string;
    idempotencyKey?: string;
    onProgress?: (sent: number, total: number) => void;
    signal?: AbortSignal;
}

export interface CoreDeps {
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

export const kRefreshTokenKey = 'strava1.refresh_token';
/** Refresh this long before the access token's stated expiry. */
const kExpirySlackMs = 30_000;

function isAbort(error: unknown): boolean {
    return error instanceof DOMException && error.name === 'AbortError';
}

export function createCore(deps: CoreDeps) {
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
                signal: signal ?? null,
            });
        } catch (error) {
            if (isAbort(error)) {
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
    async function call<P extends keyof paths, M extends MethodsOf<P>>(method: M, path: P, options: CallOptions<paths[P][M]>): Promise<SuccessOf<paths[P][M]>> {
        const auth = options.auth ?? true;
        const url = expandPath(path, options.path as Record<string, string | number> | undefined) + queryString(options.query as Record<string, QueryValue> | undefined);
        const response = await authorized(auth, () => send(method, url, options.body, auth, options.idempotencyKey, options.signal));
        return (await read(response, url)) as SuccessOf<paths[P][M]>;
    }

    const sendBytes: SendBytes = deps.sendBytes ?? ((request) => deps.fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal: request.signal ?? null }));

    /** POSTs a file as the raw body of an operation. Resolves to its success body; rejects with ApiError. */
    async function sendFile<P extends keyof paths>(path: P, file: Blob, options: SendFileOptions<QueryParams<P, 'post' & MethodsOf<P>>> = {}): Promise<SuccessOf<paths[P]['post']>> {
        const url = path + queryString(options.query as Record<string, QueryValue> | undefined);
        const response = await authorized(true, async () => {
            const headers = baseHeaders(true, options.idempotencyKey);
            headers['Content-Type'] = options.contentType ?? 'application/octet-stream';
            try {
                return await sendBytes({ method: 'POST', url: baseUrl + url, headers, body: file, onProgress: options.onProgress, signal: options.signal });
            } catch (error) {
                if (isAbort(error)) {
                    throw error;
                }
                throw unreachable(url);
            }
        });
        return (await read(response, url)) as SuccessOf<paths[P]['post']>;
    }

    /** GETs a file (an export, an original) with the bearer token; redirects are followed. */
    async function download<P extends keyof paths>(path: P, params: Record<string, string | number>): Promise<Download> {
        const url = expandPath(path, params);
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

    return {
        call,
        sendFile,
        download,
        /** Keeps the tokens of a sign-up, log-in or refresh. */
        adopt,
        /** Drops the tokens here (not on the server). */
        forget,
        /** True while this client holds an access token or a stored refresh token. */
        hasCredentials: () => accessToken !== null || deps.storage.getItem(kRefreshTokenKey) !== null,
        hasStoredSession: () => deps.storage.getItem(kRefreshTokenKey) !== null,
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
        /** Called when the server refuses the session (refresh answered 401): sign the UI out. */
        onSessionEnded(listener: () => void): () => void {
            endedListeners.add(listener);
            return () => endedListeners.delete(listener);
        },
    };
}

export type Core = ReturnType<typeof createCore>;
