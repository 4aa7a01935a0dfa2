/* Strava+1 service worker. The build (scripts/pwa.ts) fills in VERSION and PRECACHE and writes the
 * result to dist/sw.js; this file is not loaded as it stands.
 *
 * - The app shell (index.html, the hashed assets, manifest, icons) is precached at install, so the
 *   app opens offline. Each build gets its own cache; older ones are deleted on activation.
 * - Navigations go to the network first and fall back to the cached shell.
 * - The API (/v1/...) is never intercepted and never cached: requests go straight to the network,
 *   and the page reports a failure itself. The server's own pages (/docs, /openapi.json, /metrics,
 *   /healthz, /readyz) are not intercepted either.
 */
const VERSION = __VERSION__;
const PRECACHE = __PRECACHE__;

const CACHE_PREFIX = 'strava1-shell-';
const CACHE = CACHE_PREFIX + VERSION;
const SHELL = '/index.html';
const PASS_THROUGH = ['/v1/', '/docs', '/openapi.json', '/metrics', '/healthz', '/readyz'];

self.addEventListener('install', (event) => {
    event.waitUntil(
        (async () => {
            const cache = await caches.open(CACHE);
            // `reload` skips the HTTP cache so the shell matches this build exactly.
            await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' })));
            await self.skipWaiting();
        })(),
    );
});

self.addEventListener('activate', (event) => {
    event.waitUntil(
        (async () => {
            for (const key of await caches.keys()) {
                if (key.startsWith(CACHE_PREFIX) && key !== CACHE) {
                    await caches.delete(key);
                }
            }
            await self.clients.claim();
        })(),
    );
});

function passesThrough(pathname) {
    return PASS_THROUGH.some((prefix) => pathname === prefix || pathname.startsWith(prefix));
}

async function networkFirstShell(request) {
    try {
        return await fetch(request);
    } catch (error) {
        const cached = await caches.match(SHELL, { cacheName: CACHE });
        if (cached) {
            return cached;
        }
        throw error;
    }
}

async function cacheFirst(request) {
    const cached = await caches.match(request, { cacheName: CACHE });
    return cached || fetch(request);
}

self.addEventListener('fetch', (event) => {
    const request = event.request;
    if (request.method !== 'GET') {
        return;
    }
    const url = new URL(request.url);
    if (url.origin !== self.location.origin || passesThrough(url.pathname)) {
        return;
    }
    if (request.mode === 'navigate') {
        event.respondWith(networkFirstShell(request));
        return;
    }
    if (PRECACHE.includes(url.pathname)) {
        event.respondWith(cacheFirst(request));
    }
});
