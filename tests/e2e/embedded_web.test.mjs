// One file is the product: a binary started in an empty folder, with no web dir, serves the web app,
// the API docs page and the OpenAPI document it was built with. HTML pages carry the security
// headers (Content-Security-Policy and friends); web/tests/browser checks the app runs under them.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { api, assertProblem, repoRoot, requireServices, startServer } from './kit.mjs';

const requireFromWeb = createRequire(join(repoRoot, 'web', 'package.json'));

describe('a binary started without a web dir', () => {
    let server;
    before(async () => {
        if (!requireServices({ name: 'embedded web app' })) return;
        server = await startServer({ webDir: false });
        // The harness starts it in a fresh temporary folder: nothing there but its port file.
        const files = readdirSync(join(server.dataDir, '..')).filter((name) => name !== 'port' && name !== 'data');
        assert.deepEqual(files, [], 'the working directory holds no web app');
    });
    after(() => server?.stop());

    const get = (path, headers = {}) => api(server).get(path, { headers });

    function assertPageHeaders(res) {
        const csp = res.headers.get('content-security-policy');
        assert.ok(csp, 'HTML pages carry a Content-Security-Policy');
        assert.match(csp, /default-src 'self'/);
        assert.match(csp, /script-src 'self'(;|$)/, 'scripts only from this server: no inline, no eval');
        assert.match(csp, /frame-ancestors 'none'/);
        assert.match(csp, /object-src 'none'/);
        assert.equal(res.headers.get('x-frame-options'), 'DENY');
        assert.equal(res.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    }

    test('serves the web app at / with revalidation, and app routes fall back to it', async (t) => {
        if (!server) return t.skip('no server');
        const page = await get('/');
        assert.equal(page.status, 200);
        assert.match(page.headers.get('content-type'), /^text\/html/);
        assert.match(page.text, /<div id="app">/);
        assert.doesNotMatch(page.text, /not built/);
        assert.equal(page.headers.get('cache-control'), 'no-cache');
        assertPageHeaders(page);
        assert.match(page.headers.get('content-security-policy'), /style-src 'self';/, 'the app needs no inline styles');
        const etag = page.headers.get('etag');
        assert.match(etag, /^"[0-9a-f]{20}(-gz)?"$/);
        const again = await get('/', { 'if-none-match': etag });
        assert.equal(again.status, 304);
        assert.equal(again.text, '');

        for (const route of ['/you', '/activity/42/edit', '/feed/']) {
            const res = await get(route);
            assert.equal(res.status, 200, route);
            assert.equal(res.text, page.text, `${route} is the app shell`);
        }
        const head = await api(server).head('/');
        assert.equal(head.status, 200);
        assert.equal(head.text, '');
    });

    test('hashed assets are immutable, precompressed, and a missing one is a 404', async (t) => {
        if (!server) return t.skip('no server');
        const page = await get('/');
        const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
        assert.ok(script, 'index.html loads a hashed script');
        const plain = await get(script, { 'accept-encoding': 'identity' });
        assert.equal(plain.status, 200);
        assert.equal(plain.headers.get('content-type'), 'text/javascript; charset=utf-8');
        assert.equal(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.equal(plain.headers.get('content-encoding'), null);
        // The bytes of the build the binary embeds (apps/strava1/CMakeLists.txt: web/dist at build time).
        const built = join(repoRoot, 'web', 'dist', script);
        assert.ok(existsSync(built), `${built} is missing: the binary embeds another build of web/dist (rebuild it)`);
        assert.ok(plain.buffer.equals(readFileSync(built)), 'the script is the built file, byte for byte');

        // fetch() would decode gzip itself; a raw request shows what is sent.
        const zipped = await new Promise((resolve, reject) => {
            import('node:http').then(({ get: httpGet }) => {
                httpGet(`${server.url}${script}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
                    const chunks = [];
                    res.on('data', (c) => chunks.push(c));
                    res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
                }).on('error', reject);
            });
        });
        assert.equal(zipped.headers['content-encoding'], 'gzip');
        assert.equal(zipped.headers.vary, 'Accept-Encoding');
        // A bound by design: minified JavaScript compresses to about a third; half is a loose ceiling
        // that only a copy stored uncompressed (or compressed badly) exceeds.
        assert.ok(zipped.body.length < plain.buffer.length / 2, 'the gzip copy is much smaller');
        assert.deepEqual(gunzipSync(zipped.body), plain.buffer, 'and decodes to the same bytes');
        assert.notEqual(zipped.headers.etag, plain.headers.get('etag'), 'each representation has its own ETag');

        assertProblem(await get('/assets/index-00000000.js'), 404);
        assertProblem(await get('/assets/whatever'), 404, { why: 'never the app shell under /assets/' });
        assertProblem(await get('/v1/no-such-thing'), 404);

        const worker = await get('/sw.js');
        assert.equal(worker.status, 200);
        assert.equal(worker.headers.get('cache-control'), 'no-cache', 'the service worker always revalidates');
        const manifest = await get('/manifest.webmanifest');
        assert.equal(manifest.headers.get('content-type'), 'application/manifest+json');
        const icon = await get('/icons/icon-192.png');
        assert.equal(icon.headers.get('content-type'), 'image/png');
        assert.equal(icon.buffer.subarray(1, 4).toString('latin1'), 'PNG');
    });

    test('serves the API docs page and the OpenAPI document compiled in', async (t) => {
        if (!server) return t.skip('no server');
        const docs = await get('/docs');
        assert.equal(docs.status, 200);
        assert.match(docs.headers.get('content-type'), /^text\/html/);
        assert.match(docs.text, /<redoc spec-url="\/openapi.json"/);
        assertPageHeaders(docs);
        const redoc = await get('/docs/redoc.standalone.js');
        assert.equal(redoc.status, 200);
        assert.match(redoc.headers.get('content-type'), /^text\/javascript/);

        const spec = await get('/openapi.json');
        assert.equal(spec.status, 200);
        assert.equal(spec.headers.get('content-type'), 'application/json');
        assert.equal(spec.headers.get('cache-control'), 'no-cache');
        const { parse } = requireFromWeb('yaml');
        const expected = parse(readFileSync(join(repoRoot, 'docs', 'api', 'openapi.yaml'), 'utf8'));
        assert.deepEqual(spec.json, JSON.parse(JSON.stringify(expected)), 'docs/api/openapi.yaml as the web build reads it');
        const etag = spec.headers.get('etag');
        assert.equal((await get('/openapi.json', { 'if-none-match': etag })).status, 304);
    });
});
