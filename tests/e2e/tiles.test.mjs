// The map tile proxy (issue 9, Maps: "tiles through the server"; libs/tiles, ADR 0014) against a
// local fake tile server: the first request of a tile goes upstream, the next comes from the disk
// cache; an upstream error serves the stale copy when there is one and a 503 when not; a body that
// is not an image is refused; concurrent requests for one tile share one fetch; the upstream sees
// the identifying User-Agent; the cache stays within its bound; STRAVA1_TILE_URL=none turns tiles
// off; z/x/y out of range are 400s naming the field; tile URLs work only as the signed template.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { api, assertProblem, kFastHash, kRoomyLimits, requireServices, startServer, until } from './kit.mjs';

const kPngMagic = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG-signed bytes unique to a tile path, `size` long. */
function pngFor(path, size = 200) {
    const body = Buffer.alloc(size, 0x20);
    kPngMagic.copy(body);
    body.write(path, 8);
    return body;
}

/**
 * A fake tile server on 127.0.0.1, port 0. Per path it answers what `modes` says (default 'png'):
 * 'png' (a PNG with an ETag, 304 on a matching If-None-Match), 'fail' (500), 'html' (text/html),
 * 'lying' (HTML labelled image/png), 'huge' (2 MiB PNG), 'big' (a 20 000-byte PNG); 'hold' keeps the
 * answer until release(). It counts requests per path and keeps their headers.
 */
async function fakeTileServer() {
    const seen = [];
    const modes = new Map();
    let held = [];
    const server = createServer((req, res) => {
        seen.push({ path: req.url, headers: req.headers });
        const answer = () => {
            const mode = modes.get(req.url) ?? 'png';
            const etag = `"${req.url}"`;
            if (mode === 'fail') {
                res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream broke');
            } else if (mode === 'html') {
                res.writeHead(200, { 'content-type': 'text/html' }).end('<html>please slow down</html>');
            } else if (mode === 'lying') {
                res.writeHead(200, { 'content-type': 'image/png' }).end('<html>please slow down</html>');
            } else if (mode === 'huge') {
                res.writeHead(200, { 'content-type': 'image/png' }).end(pngFor(req.url, 2 << 20));
            } else if (req.headers['if-none-match'] === etag) {
                res.writeHead(304, { etag }).end();
            } else {
                res.writeHead(200, {
                    'content-type': 'image/png', etag, 'last-modified': 'Mon, 24 Nov 2025 16:00:00 GMT',
                }).end(pngFor(req.url, mode === 'big' ? 20_000 : 200));
            }
        };
        if (modes.get(req.url) === 'hold') {
            modes.delete(req.url);
            held.push(answer);
        } else {
            answer();
        }
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    return {
        url: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`,
        modes,
        seen,
        count: (path) => seen.filter((s) => s.path === path).length,
        release: () => {
            const waiting = held;
            held = [];
            waiting.forEach((answer) => answer());
        },
        close: () => new Promise((resolve) => {
            server.closeAllConnections();
            server.close(resolve);
        }),
    };
}

/** A port nothing listens on: bound, read back, closed. */
async function closedPort() {
    const probe = net.createServer();
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address();
    await new Promise((resolve) => probe.close(resolve));
    return port;
}

/** Total bytes of the files under `dir` (0 when it does not exist). */
function bytesUnder(dir) {
    if (!existsSync(dir)) return 0;
    let total = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
        if (entry.isFile()) total += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
    }
    return total;
}

describe('the tile proxy in front of a fake upstream', () => {
    let upstream;
    let server;
    let client;
    let user;
    let template;
    const tile = (z, x, y) => template.replace('{z}', z).replace('{x}', x).replace('{y}', y);

    before(async (t) => {
        if (!requireServices(t)) return;
        upstream = await fakeTileServer();
        server = await startServer({
            args: [kFastHash, ...kRoomyLimits, '--tile-contact=ops@example.org', '--tile-cache-mb=1'],
            env: { STRAVA1_TILE_URL: upstream.url },
        });
        client = api(server);
        [user] = await client.users(1);
        const source = await client.as(user).get('/v1/tiles');
        assert.equal(source.status, 200, source.text);
        template = source.json.url;
    });
    after(async () => {
        await server?.stop();
        await upstream?.close();
    });

    test('a signed-in user gets the signed URL template, the attribution and the zoom range', async (t) => {
        if (!requireServices(t)) return;
        assertProblem(await client.get('/v1/tiles'), 401);
        const res = await client.as(user).get('/v1/tiles');
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.enabled, true);
        assert.match(res.json.url, /^\/v1\/tiles\/\{z\}\/\{x\}\/\{y\}\?exp=[1-9][0-9]*&sig=[A-Za-z0-9_-]{43}$/);
        assert.equal(res.json.attribution, '© OpenStreetMap contributors');
        assert.equal(res.json.min_zoom, 0);
        assert.equal(res.json.max_zoom, 19);
        assert.equal(res.json.tile_size, 256);
        // Valid 24 to 48 hours, and the same template for everybody all day (browser caching).
        const expires = Date.parse(res.json.expires_at);
        assert.ok(expires - Date.now() > 23 * 3600_000 && expires - Date.now() <= 48 * 3600_000, res.json.expires_at);
        const [other] = await client.users(1);
        assert.equal((await client.as(other).get('/v1/tiles')).json.url, res.json.url);
    });

    test('the first request goes upstream with our User-Agent, the next comes from the cache', async (t) => {
        if (!requireServices(t)) return;
        const first = await client.get(tile(3, 4, 5));
        assert.equal(first.status, 200, first.text);
        assert.equal(first.headers.get('content-type'), 'image/png');
        assert.deepEqual(first.buffer, pngFor('/3/4/5.png'));
        assert.equal(first.headers.get('x-tile-cache'), 'miss');
        assert.match(first.headers.get('cache-control'), /^public, max-age=[1-9][0-9]*$/);
        assert.equal(upstream.count('/3/4/5.png'), 1);
        const agent = upstream.seen.find((s) => s.path === '/3/4/5.png').headers['user-agent'];
        assert.match(agent, /^Strava\+1\/\d+\.\d+\.\d+ \(\+self-hosted; contact: ops@example\.org\)$/);

        const second = await client.get(tile(3, 4, 5));
        assert.equal(second.status, 200, second.text);
        assert.deepEqual(second.buffer, pngFor('/3/4/5.png'));
        assert.equal(second.headers.get('x-tile-cache'), 'hit');
        assert.equal(upstream.count('/3/4/5.png'), 1, 'served from the cache without asking upstream');
        assert.ok(existsSync(join(server.dataDir, 'tiles', '3', '4-5.tile')), 'cached under the data dir');
    });

    test('past its freshness a tile is revalidated, and served stale while upstream fails', async (t) => {
        if (!requireServices(t)) return;
        assert.equal((await client.get(tile(4, 1, 1))).status, 200);
        // Age the cached copy by eight days (the file's header keeps the fetch time; README).
        const file = join(server.dataDir, 'tiles', '4', '1-1.tile');
        const aged = readFileSync(file, 'latin1').replace(/^fetched: \d+$/m,
            `fetched: ${Math.floor(Date.now() / 1000) - 8 * 86400}`);
        writeFileSync(file, aged, 'latin1');

        upstream.modes.set('/4/1/1.png', 'fail');
        const stale = await client.get(tile(4, 1, 1));
        assert.equal(stale.status, 200, stale.text);
        assert.equal(stale.headers.get('x-tile-cache'), 'stale');
        assert.deepEqual(stale.buffer, pngFor('/4/1/1.png'));
        assert.equal(stale.headers.get('cache-control'), 'public, max-age=300');
        assert.equal(upstream.count('/4/1/1.png'), 2, 'upstream was asked');

        upstream.modes.delete('/4/1/1.png');
        const revalidated = await client.get(tile(4, 1, 1));
        assert.equal(revalidated.headers.get('x-tile-cache'), 'revalidated');
        assert.deepEqual(revalidated.buffer, pngFor('/4/1/1.png'));
        const last = upstream.seen.filter((s) => s.path === '/4/1/1.png').at(-1);
        assert.equal(last.headers['if-none-match'], '"/4/1/1.png"');
        assert.equal(last.headers['if-modified-since'], 'Mon, 24 Nov 2025 16:00:00 GMT');
        assert.equal((await client.get(tile(4, 1, 1))).headers.get('x-tile-cache'), 'hit');
        assert.equal(upstream.count('/4/1/1.png'), 3);
    });

    test('an upstream error without a cached copy is a 503 problem', async (t) => {
        if (!requireServices(t)) return;
        upstream.modes.set('/5/2/2.png', 'fail');
        const res = await client.get(tile(5, 2, 2));
        assertProblem(res, 503, { detail: 'the map tile server could not provide this tile; try again later' });
        assert.ok(Number(res.headers.get('retry-after')) > 0);
        assert.equal(existsSync(join(server.dataDir, 'tiles', '5', '2-2.tile')), false);
    });

    test('a body that is not an image, or is too large, is refused and not cached', async (t) => {
        if (!requireServices(t)) return;
        for (const [path, mode, x] of [['/6/1/0.png', 'html', 1], ['/6/2/0.png', 'lying', 2], ['/6/3/0.png', 'huge', 3]]) {
            upstream.modes.set(path, mode);
            assertProblem(await client.get(tile(6, x, 0)), 503);
            assert.equal(upstream.count(path), 1, path);
            assert.equal(existsSync(join(server.dataDir, 'tiles', '6', `${x}-0.tile`)), false, path);
        }
    });

    test('concurrent requests for one tile share one upstream fetch', async (t) => {
        if (!requireServices(t)) return;
        upstream.modes.set('/7/9/9.png', 'hold');
        const requests = Array.from({ length: 8 }, () => client.get(tile(7, 9, 9)));
        await until('the upstream fetch', () => upstream.count('/7/9/9.png') === 1);
        // A window for a second fetch to show up if requests were not coalesced (the proxy has two
        // fetch threads); nothing is awaited by it.
        await new Promise((resolve) => setTimeout(resolve, 300));
        upstream.release();
        const answers = await Promise.all(requests);
        for (const res of answers) {
            assert.equal(res.status, 200, res.text);
            assert.deepEqual(res.buffer, pngFor('/7/9/9.png'));
        }
        assert.equal(upstream.count('/7/9/9.png'), 1);
    });

    test('z, x and y out of range or not integers are 400s naming the field', async (t) => {
        if (!requireServices(t)) return;
        const signed = (path) => `${path}${tile(0, 0, 0).slice(tile(0, 0, 0).indexOf('?'))}`;
        assertProblem(await client.get(signed('/v1/tiles/20/0/0')), 400, { field: 'z', reason: 'must be an integer from 0 to 19' });
        assertProblem(await client.get(signed('/v1/tiles/3/8/0')), 400, { field: 'x', reason: 'must be an integer from 0 to 7 at zoom 3' });
        assertProblem(await client.get(signed('/v1/tiles/3/0/8')), 400, { field: 'y' });
        assertProblem(await client.get(signed('/v1/tiles/3/0/-1')), 400, { field: 'y', reason: 'must be an integer' });
        assertProblem(await client.get(signed('/v1/tiles/a/0/0')), 400, { field: 'z' });
        assertProblem(await client.get(signed('/v1/tiles/1.5/0/0')), 400, { field: 'z' });
        assertProblem(await client.get('/v1/tiles/2/5/5'), 400, { field: ['x', 'y'] });
        assert.equal(upstream.seen.some((s) => s.path.startsWith('/20/') || s.path.startsWith('/3/8/')), false);
    });

    test('a tile URL without a valid signature is refused', async (t) => {
        if (!requireServices(t)) return;
        assertProblem(await client.get('/v1/tiles/1/0/0'), 403);
        assertProblem(await client.as(user).get('/v1/tiles/1/0/0'), 403, { why: 'a token is no substitute for the signature' });
        const url = tile(1, 0, 0);
        assertProblem(await client.get(url.replace(/sig=./, 'sig=A')), 403);
        assertProblem(await client.get(url.replace(/exp=(\d+)/, (_, n) => `exp=${Number(n) + 86400}`)), 403);
        assert.equal(upstream.count('/1/0/0.png'), 0);
    });

    test('the disk cache stays within its bound', async (t) => {
        if (!requireServices(t)) return;
        const bound = 1 << 20;  // --tile-cache-mb=1
        for (let x = 0; x < 90; x++) {
            upstream.modes.set(`/10/${x}/0.png`, 'big');
            const res = await client.get(tile(10, x, 0));
            assert.equal(res.status, 200, res.text);
            assert.ok(bytesUnder(join(server.dataDir, 'tiles')) <= bound, `after tile ${x}: ${bytesUnder(join(server.dataDir, 'tiles'))} bytes`);
        }
        // 90 tiles of 20 000 bytes (1.7 MiB) went through; the oldest were evicted, the newest kept.
        assert.equal(existsSync(join(server.dataDir, 'tiles', '10', '0-0.tile')), false);
        assert.equal(existsSync(join(server.dataDir, 'tiles', '10', '89-0.tile')), true);
        assert.ok(bytesUnder(join(server.dataDir, 'tiles')) > bound / 2, 'the cache is used up to near its bound');
    });
});

describe('tile proxy settings', () => {
    test('STRAVA1_TILE_URL=none turns tiles off: the template says so and tiles are 404', async (t) => {
        if (!requireServices(t)) return;
        const server = await startServer({ args: [kFastHash], env: { STRAVA1_TILE_URL: 'none' } });
        t.after(() => server.stop());
        const client = api(server);
        const [user] = await client.users(1);
        const res = await client.as(user).get('/v1/tiles');
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.enabled, false);
        assert.equal(res.json.url, null);
        assert.equal(res.json.attribution, null);
        assertProblem(await client.get('/v1/tiles/1/0/0'), 404, { detail: 'map tiles are turned off on this server' });
        assert.equal(existsSync(join(server.dataDir, 'tiles')), false);
    });

    test('an unreachable upstream is a 503 problem', async (t) => {
        if (!requireServices(t)) return;
        const port = await closedPort();
        const server = await startServer({ args: [kFastHash], env: { STRAVA1_TILE_URL: `http://127.0.0.1:${port}/{z}/{x}/{y}.png` } });
        t.after(() => server.stop());
        const client = api(server);
        const [user] = await client.users(1);
        const template = (await client.as(user).get('/v1/tiles')).json.url;
        const res = await client.get(template.replace('{z}', 2).replace('{x}', 1).replace('{y}', 1));
        assertProblem(res, 503);
        assert.match(server.logs(), /tile fetch failed/);
    });

    test('a tile URL that is not a usable template stops the start naming the setting', async (t) => {
        if (!requireServices(t)) return;
        await assert.rejects(
            startServer({ args: [kFastHash], env: { STRAVA1_TILE_URL: 'ftp://tiles.example/{z}/{x}/{y}.png' }, timeoutMs: 20_000 }),
            /STRAVA1_TILE_URL: must start with http:\/\/ or https:\/\//);
    });
});
