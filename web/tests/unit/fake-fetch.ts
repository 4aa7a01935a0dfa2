// A scripted fetch for client tests: each call is answered by the next matching handler.
import type { KeyValueStorage } from '../../src/api/http';

export interface Recorded {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: unknown;
}

type Handler = (request: Recorded) => Response | Promise<Response>;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
    const type = status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': type, ...headers } });
}

export function problemBody(status: number, slug: string, extra: Record<string, unknown> = {}) {
    return { type: `urn:strava1:problem:${slug}`, title: slug, status, detail: `${slug} detail`, instance: '/x', request_id: 'req-1', ...extra };
}

export function fakeFetch() {
    const calls: Recorded[] = [];
    const routes: { method: string; url: string; handler: Handler }[] = [];
    const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
        const request: Recorded = {
            method: init?.method ?? 'GET',
            url: String(input),
            headers: (init?.headers ?? {}) as Record<string, string>,
            body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
        };
        calls.push(request);
        const route = routes.find((r) => r.method === request.method && r.url === request.url);
        if (!route) {
            throw new Error(`unexpected ${request.method} ${request.url}`);
        }
        return route.handler(request);
    };
    return {
        fetch: fetchImpl as typeof fetch,
        calls,
        on(method: string, url: string, handler: Handler) {
            routes.unshift({ method, url, handler });
        },
    };
}

export function memoryStore(initial: Record<string, string> = {}): KeyValueStorage & { data: Map<string, string> } {
    const data = new Map(Object.entries(initial));
    return {
        data,
        getItem: (key) => data.get(key) ?? null,
        setItem: (key, value) => void data.set(key, value),
        removeItem: (key) => void data.delete(key),
    };
}

export const kMe = {
    id: 7,
    email: 'ada@example.test',
    username: null,
    display_name: 'Ada',
    bio: null,
    city: null,
    country: null,
    sex: null,
    birthdate: null,
    weight_kg: null,
    height_cm: null,
    max_hr_bpm: null,
    resting_hr_bpm: null,
    ftp_w: null,
    units: 'metric',
    time_zone: 'UTC',
    default_visibility: 'everyone',
    hide_endpoints_m: 200,
    message_policy: 'followers',
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
    approve_followers: false,
} as const;

export function tokens(n: number, expiresIn = 900) {
    return { access_token: `access-${n}`, token_type: 'Bearer', expires_in: expiresIn, refresh_token: `refresh-${n}`, user: kMe };
}
