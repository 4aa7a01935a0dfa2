// The build plugin's pure parts, and the generated service worker run against fake browser APIs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { docsPage, isPrecached, offlineRedoc, openapiJson, precacheList, renderServiceWorker } from '../../scripts/pwa';

const template = readFileSync(fileURLToPath(new URL('../../src/service-worker/sw.js', import.meta.url)), 'utf8');
const kOrigin = 'https://strava1.test';
const kPrecache = ['/assets/index-abc.js', '/assets/index-def.css', '/icons/icon-192.png', '/index.html', '/manifest.webmanifest'];

describe('precache list', () => {
    it('holds the shell and leaves out docs, maps, the API document and the worker itself', () => {
        const files = ['index.html', 'assets/index-abc.js', 'assets/index-abc.js.map', 'docs/index.html', 'docs/redoc.standalone.js', 'openapi.json', 'sw.js', 'icons/icon-192.png'];
        expect(precacheList(files)).toEqual(['/assets/index-abc.js', '/icons/icon-192.png', '/index.html']);
        expect(isPrecached('manifest.webmanifest')).toBe(true);
    });
});

describe('api docs', () => {
    it('converts the YAML document to JSON', () => {
        expect(JSON.parse(openapiJson('openapi: 3.1.0\ninfo: {title: t, version: "1"}\n'))).toEqual({ openapi: '3.1.0', info: { title: 't', version: '1' } });
        expect(() => openapiJson('a: [unclosed')).toThrow();
    });

    it('loads Redoc and the document from this server only', () => {
        const page = docsPage();
        expect(page).toContain('spec-url="/openapi.json"');
        expect(page).toContain('src="/docs/redoc.standalone.js"');
        expect(page).not.toMatch(/https?:\/\//);
    });

    it('keeps Redoc from loading its logo from a CDN', () => {
        expect(offlineRedoc('a={src:"https://cdn.redoc.ly/redoc/logo-mini.svg"}')).toBe('a={src:"data:,"}');
    });
});

type Listener = (event: Record<string, unknown>) => void;

/** Runs the rendered worker in a sandbox with in-memory caches and a scripted network. */
function loadWorker(network: (url: string) => Promise<Response>) {
    const listeners: Record<string, Listener> = {};
    const stores = new Map<string, Map<string, Response>>();
    const keyOf = (request: string | { url: string }) => new URL(typeof request === 'string' ? request : request.url, kOrigin).pathname;
    const caches = {
        open: async (name: string) => {
            const store = stores.get(name) ?? new Map<string, Response>();
            stores.set(name, store);
            return {
                addAll: async (requests: { url: string }[]) => {
                    for (const request of requests) {
                        store.set(keyOf(request), new Response(`cached ${keyOf(request)}`));
                    }
                },
            };
        },
        keys: async () => [...stores.keys()],
        delete: async (name: string) => stores.delete(name),
        match: async (request: string | { url: string }, options: { cacheName: string }) => stores.get(options.cacheName)?.get(keyOf(request))?.clone(),
    };
    class FakeRequest {
        url: string;
        constructor(url: string) {
            this.url = new URL(url, kOrigin).toString();
        }
    }
    const self = {
        location: { origin: kOrigin },
        addEventListener: (type: string, listener: Listener) => {
            listeners[type] = listener;
        },
        skipWaiting: async () => undefined,
        clients: { claim: async () => undefined },
    };
    const code = renderServiceWorker(template, kPrecache, 'v2');
    vm.runInNewContext(code, { self, caches, Request: FakeRequest, URL, fetch: (r: { url: string }) => network(r.url) });

    async function lifecycle(type: 'install' | 'activate') {
        const pending: Promise<unknown>[] = [];
        listeners[type]?.({ waitUntil: (p: Promise<unknown>) => pending.push(p) });
        await Promise.all(pending);
    }

    /** Dispatches a fetch event; resolves to the response body text, or null when not intercepted. */
    async function request(path: string, { method = 'GET', mode = 'cors' } = {}) {
        const answers: Promise<Response>[] = [];
        listeners.fetch?.({ request: { url: new URL(path, kOrigin).toString(), method, mode }, respondWith: (p: Promise<Response>) => answers.push(p) });
        const [answer] = answers;
        return answer === undefined ? null : (await answer).text();
    }

    return { stores, lifecycle, request };
}

const offline = async (): Promise<Response> => {
    throw new TypeError('Failed to fetch');
};

describe('service worker', () => {
    it('renders with its version and precache list', () => {
        const code = renderServiceWorker(template, kPrecache, 'abc123');
        expect(code).toContain('const VERSION = "abc123";');
        expect(code).toContain('"/index.html"');
    });

    it('precaches the shell on install and drops older shells on activate', async () => {
        const worker = loadWorker(offline);
        worker.stores.set('strava1-shell-v1', new Map());
        worker.stores.set('someone-else', new Map());
        await worker.lifecycle('install');
        expect([...(worker.stores.get('strava1-shell-v2')?.keys() ?? [])].sort()).toEqual(kPrecache);
        await worker.lifecycle('activate');
        expect([...worker.stores.keys()].sort()).toEqual(['someone-else', 'strava1-shell-v2']);
    });

    it('serves the cached shell for navigations when the network is down', async () => {
        const worker = loadWorker(offline);
        await worker.lifecycle('install');
        expect(await worker.request('/', { mode: 'navigate' })).toBe('cached /index.html');
        expect(await worker.request('/assets/index-abc.js')).toBe('cached /assets/index-abc.js');
    });

    it('prefers the network for navigations when it is up', async () => {
        const worker = loadWorker(async (url) => new Response(`network ${new URL(url).pathname}`));
        await worker.lifecycle('install');
        expect(await worker.request('/', { mode: 'navigate' })).toBe('network /');
    });

    it('never intercepts the API, the server pages, writes or other origins', async () => {
        const worker = loadWorker(offline);
        await worker.lifecycle('install');
        expect(await worker.request('/v1/me')).toBeNull();
        expect(await worker.request('/v1/auth/sessions', { mode: 'navigate' })).toBeNull();
        expect(await worker.request('/docs', { mode: 'navigate' })).toBeNull();
        expect(await worker.request('/openapi.json')).toBeNull();
        expect(await worker.request('/metrics')).toBeNull();
        expect(await worker.request('/index.html', { method: 'POST' })).toBeNull();
        expect(await worker.request('https://tiles.example/1/2/3.png')).toBeNull();
        expect(await worker.request('/not-in-the-shell.js')).toBeNull();
    });
});
