// Workouts in the web app against the real server: a GPX upload shown in detail (figures, the
// live map with its metric colours, chart cursor and tile fallback, charts, splits, edit,
// duplicate detection by drag and drop, GPX download), a manual activity, and a GPS recording
// (with its live map) driven by Playwright's
// mocked geolocation along a real track, with a pause, a reload in the middle, an offline finish
// and a lost upload answer, ending in exactly one activity. Run with `npm run test:browser`.
//
// The tracks are read in place from the shared test data (../shared/testdata, or STRAVA1_TESTDATA;
// several files there are copyleft and are never copied into this repository).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { decodePolyline, distanceM as kitDistanceM, requireOrSkip, requireServices, testdataDir } from '../../../tests/e2e/kit.mjs';
import { screenshot, startSuite, uniqueEmail, watchConsole, withPhone } from './browser.mjs';

const kPassword = `Trail-${Math.random().toString(36).slice(2, 10)}-run`;

/** A Garmin Connect run: 502 points, heart rate. */
const kUploadFile = join(testdataDir, 'gpx', '2067489619.gpx');
/** A Strava export sampled every second: the route the mocked GPS walks along. */
const kRecordFile = join(testdataDir, 'gpx', 'strava.gpx');

/** Missing test data: a loud skip locally, a failure when CI demands everything. */
function requireTestdata(t, file) {
    return requireOrSkip(t, existsSync(file), `test data ${file} not found (set STRAVA1_TESTDATA to the shared testdata folder)`);
}

/** Track points of a GPX file, read with a regular expression (these files are well-formed). */
function readTrack(file) {
    const text = readFileSync(file, 'utf8');
    const points = [];
    for (const match of text.matchAll(/<trkpt\s+lat="([-\d.]+)"\s+lon="([-\d.]+)"[^>]*>([\s\S]*?)<\/trkpt>/g)) {
        const time = /<time>([^<]+)<\/time>/.exec(match[3]);
        points.push({ lat: Number(match[1]), lng: Number(match[2]), time_ms: time ? Date.parse(time[1]) : null });
    }
    return points;
}

/** Haversine on the mean sphere, as the app and the usual tools measure ({lat, lng} points). */
function distanceM(a, b) {
    return kitDistanceM([a.lat, a.lng], [b.lat, b.lng]);
}

function lengthM(points) {
    let total = 0;
    for (let i = 1; i < points.length; i++) {
        total += distanceM(points[i - 1], points[i]);
    }
    return total;
}

/** The app's metric distance format ("4.40 km", "12.3 km"), to compare the screen with the API. */
function kmText(m) {
    const km = m / 1000;
    return `${km.toFixed(km < 10 ? 2 : 1)} km`;
}

/**
 * `count` consecutive points, one second apart in the file, at a steady running pace (2–6 m/s
 * between every two points): a stretch the recorder must keep whole.
 */
function steadyStretch(points, count) {
    for (let start = 0; start + count <= points.length; start++) {
        let ok = true;
        for (let i = start + 1; i < start + count && ok; i++) {
            const dt = (points[i].time_ms - points[i - 1].time_ms) / 1000;
            const speed = distanceM(points[i - 1], points[i]) / dt;
            ok = dt === 1 && speed >= 2 && speed <= 6;
        }
        if (ok) {
            return points.slice(start, start + count);
        }
    }
    throw new Error(`no steady stretch of ${count} points in the track`);
}

/** A 256×256 greyscale PNG: pale land with a darker street every 64 px, the stand-in for every map tile. */
function fakeTilePng() {
    const size = 256;
    const rows = [];
    for (let y = 0; y < size; y++) {
        const row = Buffer.alloc(1 + size);
        for (let x = 0; x < size; x++) {
            row[1 + x] = x % 64 < 6 || y % 64 < 6 ? 0xd8 : 0xf0;
        }
        rows.push(row);
    }
    const chunk = (type, data) => {
        const head = Buffer.alloc(8);
        head.writeUInt32BE(data.length, 0);
        head.write(type, 4, 'latin1');
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
        return Buffer.concat([head, data, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(size, 0);
    header.writeUInt32BE(size, 4);
    header[8] = 8; // bit depth
    header[9] = 0; // greyscale
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}
const kTilePng = fakeTilePng();

/**
 * Serves every tile of the server's tile proxy (`/v1/tiles/z/x/y`) from the test, so maps have
 * tiles without the network; returns the paths asked for. `status` other than 200 fails them.
 */
async function fakeTiles(context, { status = 200 } = {}) {
    const asked = [];
    await context.route(/\/v1\/tiles\/\d+\/\d+\/\d+\?exp=\d+&sig=[\w-]+$/, (route) => {
        asked.push(new URL(route.request().url()).pathname);
        return status === 200 ? route.fulfill({ status, contentType: 'image/png', body: kTilePng }) : route.fulfill({ status, contentType: 'application/problem+json', body: '{"title":"Tiles are off","status":503}' });
    });
    return asked;
}

/** Every URL the context requests, to check that nothing leaves the server's origin. */
function recordRequests(context) {
    const urls = [];
    context.on('request', (request) => urls.push(request.url()));
    return urls;
}

function offOrigin(urls, origin) {
    return urls.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin);
}

/** The stroke colour of every coloured run on the map, in drawing order. */
function runColours(page) {
    return page.getByTestId('route-run').evaluateAll((paths) => paths.map((p) => p.getAttribute('stroke')));
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function signUp(page, name) {
    await page.goto('/');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Email').fill(uniqueEmail(name.split(' ')[0].toLowerCase()));
    await page.getByLabel('Password').fill(kPassword);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** The activity GET the detail screen makes next, as JSON. */
function nextActivityAnswer(page) {
    return page
        .waitForResponse((r) => r.request().method() === 'GET' && /^\/v1\/activities\/\d+$/.test(new URL(r.url()).pathname) && r.status() === 200)
        .then((r) => r.json());
}

/** How many recordings the phone keeps in IndexedDB. */
function storedRecordings(page) {
    return page.evaluate(
        () =>
            new Promise((resolve, reject) => {
                const open = indexedDB.open('strava1-recordings');
                open.onerror = () => reject(open.error);
                open.onsuccess = () => {
                    const request = open.result.transaction('recordings').objectStore('recordings').count();
                    request.onsuccess = () => resolve(request.result);
                    request.onerror = () => reject(request.error);
                };
            }),
    );
}

/** The Save sheet's name prefix for a local start hour (the rule of src/record/naming.ts, restated). */
function partOfDayAt(hour) {
    return hour >= 4 && hour < 11 ? 'Morning' : hour >= 11 && hour < 14 ? 'Lunch' : hour >= 14 && hour < 18 ? 'Afternoon' : hour >= 18 && hour < 22 ? 'Evening' : 'Night';
}

/** Screenshots at the phone's size and at 1366×900 (then back to the phone). */
async function bothSizes(page, name) {
    const phone = page.viewportSize();
    await screenshot(page, `${name}-390`, { fullPage: false });
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await screenshot(page, `${name}-1366`, { fullPage: false });
    await page.setViewportSize(phone);
}

async function textOf(locator) {
    await locator.waitFor();
    return ((await locator.textContent()) ?? '').trim();
}

test('workouts in a phone browser', async (t) => {
    if (!requireServices(t)) {
        return;
    }
    const { server, browser } = await startSuite(t, 'server-activities.log');

    await t.test('upload a GPX file, see it in detail, and as a duplicate the second time', (tt) => {
        if (!requireTestdata(tt, kUploadFile)) {
            return;
        }
        return withPhone(browser, server.url, 'upload', async (context) => {
            const requests = recordRequests(context);
            const tilesAsked = await fakeTiles(context);
            const page = await context.newPage();
            const errors = watchConsole(page);
            await signUp(page, 'Una Uploader');
            await page.goto('/#/upload');
            await page.getByRole('heading', { name: 'Upload', exact: true }).waitFor();

            const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/uploads');
            await page.getByLabel('Choose files').setInputFiles(kUploadFile);
            const createdAnswer = await created;
            assert.equal(createdAnswer.status(), 201);
            assert.ok(createdAnswer.request().headers()['idempotency-key'], 'each file is sent with an Idempotency-Key');
            const view = page.getByTestId('upload-view');
            await view.waitFor({ timeout: 30_000 });
            await screenshot(page, '20-upload-ready');

            const detail = nextActivityAnswer(page);
            const splits = page.waitForResponse((r) => /^\/v1\/activities\/\d+\/splits$/.test(new URL(r.url()).pathname)).then((r) => r.json());
            await view.click();
            const activity = await detail;
            assert.equal(await textOf(page.getByTestId('activity-name')), activity.name);
            assert.equal(await textOf(page.getByTestId('activity-distance')), kmText(activity.distance_m));
            // The server's distance agrees with the file's own geometry.
            const fileLength = lengthM(readTrack(kUploadFile));
            assert.ok(Math.abs(activity.distance_m / fileLength - 1) < 0.05, `distance ${activity.distance_m} m vs the file's ${fileLength.toFixed(0)} m`);
            tt.diagnostic(`uploaded: ${activity.distance_m.toFixed(1)} m by the server, ${fileLength.toFixed(1)} m by haversine over the file`);

            // The map: Leaflet loaded (its own chunk), the route drawn point for point as the API sent it.
            const map = page.getByTestId('route-map');
            await page.locator('[data-testid="route-map"][data-state="ready"]').waitFor();
            assert.equal(await map.getByRole('region', { name: `Route of ${activity.name}` }).count(), 1, 'the map has an accessible name');
            const route = map.getByTestId('route-path');
            await route.waitFor();
            const d = (await route.getAttribute('d')) ?? '';
            // One segment per point of the activity's route (its polyline, else its summary).
            const routePoints = decodePolyline(activity.polyline ?? activity.summary_polyline);
            assert.equal((d.match(/L/g) ?? []).length, routePoints.length - 1, `the route path: ${d.slice(0, 80)}`);
            // The owner sees the start and finish (another viewer gets what the privacy function leaves).
            assert.ok(activity.start_latlng && activity.end_latlng);
            assert.equal(await map.getByTestId('map-start').count(), 1);
            assert.equal(await map.getByTestId('map-finish').count(), 1);
            // Tiles come from this server's tile proxy only.
            await page.locator('[data-testid="route-map"] .leaflet-container[data-tiles="on"]').waitFor();
            const tileSources = await map.locator('img.leaflet-tile').evaluateAll((imgs) => imgs.map((img) => img.src));
            assert.ok(tileSources.length >= 1, 'tiles under the route');
            for (const src of tileSources) {
                assert.match(src, new RegExp(`^${server.url}/v1/tiles/\\d+/\\d+/\\d+\\?exp=\\d+&sig=[\\w-]+$`), 'the signed template of GET /v1/tiles');
            }
            assert.ok(tilesAsked.length >= tileSources.length);

            await page.getByTestId('chart-elevation').waitFor();
            await page.getByTestId('chart-heart-rate').waitFor();
            // Coloured by pace at first; the switch offers only what the file has (no power here).
            const switcher = page.getByRole('group', { name: 'Colour the route by' });
            assert.deepEqual(await switcher.getByRole('button').allTextContents(), ['Pace', 'Heart rate', 'Elevation']);
            assert.equal(await switcher.getByRole('button', { name: 'Pace' }).getAttribute('aria-pressed'), 'true');
            await map.getByTestId('route-run').first().waitFor({ state: 'attached' });
            const paceColours = await runColours(page);
            assert.ok(new Set(paceColours).size >= 3, `pace colours: ${[...new Set(paceColours)].join(' ')}`);
            await switcher.getByRole('button', { name: 'Heart rate' }).click();
            assert.equal(await switcher.getByRole('button', { name: 'Heart rate' }).getAttribute('aria-pressed'), 'true');
            const hrColours = await runColours(page);
            assert.notDeepEqual(hrColours, paceColours, 'heart rate colours the route differently');
            assert.match(await textOf(page.getByTestId('route-legend')), /\d+ bpm.*\d+ bpm/);
            // A mark at each whole kilometre.
            assert.equal(await map.locator('.livemap__mark').count(), Math.floor(activity.distance_m / 1000));

            // Scrubbing a chart moves a marker along the route, with the mouse and by touch.
            const chart = page.getByTestId('chart-elevation').locator('svg');
            await chart.scrollIntoViewIfNeeded();
            const box = await chart.boundingBox();
            const cursor = map.getByTestId('map-cursor');
            const cursorAt = async () => {
                await cursor.waitFor({ state: 'attached' });
                return cursor.getAttribute('d');
            };
            const scrub = async (fraction, pointerType) => {
                const init = { pointerType, isPrimary: true, bubbles: true, clientX: box.x + box.width * fraction, clientY: box.y + box.height / 2 };
                await chart.dispatchEvent('pointerdown', init);
                await chart.dispatchEvent('pointermove', init);
            };
            await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
            const early = await cursorAt();
            await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
            for (const deadline = Date.now() + 5_000; (await cursorAt()) === early && Date.now() < deadline; ) {
                await sleep(50);
            }
            const late = await cursorAt();
            assert.notEqual(late, early, 'the map marker follows the mouse on the chart');
            await scrub(0.5, 'touch');
            for (const deadline = Date.now() + 5_000; (await cursorAt()) === late && Date.now() < deadline; ) {
                await sleep(50);
            }
            assert.notEqual(await cursorAt(), late, 'the map marker follows a finger on the chart');
            // Every chart shows the same cursor.
            assert.equal(await page.locator('.chart__cursor').count(), await page.locator('.chart').count());

            const splitRows = page.getByTestId('splits-table').locator('tbody tr');
            await splitRows.first().waitFor();
            const { splits_km: kmSplits } = await splits;
            assert.equal(kmSplits.length, Math.ceil(activity.distance_m / 1000), `${kmSplits.length} km splits for ${activity.distance_m} m`);
            assert.equal(await splitRows.count(), kmSplits.length);
            assert.equal(await textOf(splitRows.first().locator('th')), '1');
            await page.mouse.move(0, 0);
            await page.evaluate(() => window.scrollTo(0, 0));
            await screenshot(page, '21-activity-detail');
            await screenshot(page, '21b-activity-map', { fullPage: false });
            await page.setViewportSize({ width: 1366, height: 900 });
            // The map re-frames the route for its new width and fetches the tiles it now needs.
            await page.waitForFunction(() => {
                const container = document.querySelector('[data-testid="route-map"] .leaflet-container');
                const tiles = [...document.querySelectorAll('[data-testid="route-map"] img.leaflet-tile')];
                const right = Math.max(...tiles.map((tile) => tile.getBoundingClientRect().right));
                return container && tiles.length > 0 && tiles.every((tile) => tile.complete) && right >= container.getBoundingClientRect().right;
            });
            await screenshot(page, '21c-activity-detail-1366', { fullPage: false });
            await page.setViewportSize({ width: 390, height: 844 });

            // Tiles failing (the proxy off, the upstream down, offline): the route stays, on the grid.
            await context.unrouteAll();
            await fakeTiles(context, { status: 503 });
            await page.reload();
            await page.locator('[data-testid="route-map"] .leaflet-container[data-tiles="off"]').waitFor();
            await map.getByTestId('route-path').waitFor();
            assert.ok((await map.locator('.livemap__grid-tile').count()) >= 1, 'the grid shows where tiles would be');
            assert.equal(await map.locator('img.leaflet-tile').count(), 0, 'no tile left on the map');
            await screenshot(page, '21d-activity-map-no-tiles', { fullPage: false });
            await context.unrouteAll();
            await fakeTiles(context);

            const download = page.waitForEvent('download');
            await page.getByRole('button', { name: 'Download GPX' }).click();
            const file = await download;
            assert.match(file.suggestedFilename(), /\.gpx$/);

            // The owner edits it: a new name, heart rate hidden from others.
            await page.getByRole('link', { name: 'Edit', exact: true }).click();
            await page.getByLabel('Name', { exact: true }).fill('Sunday long run');
            await page.getByRole('checkbox', { name: 'Heart rate' }).check();
            const patched = page.waitForResponse((r) => r.request().method() === 'PATCH');
            await page.getByRole('button', { name: 'Save', exact: true }).click();
            const afterEdit = await (await patched).json();
            assert.equal(afterEdit.name, 'Sunday long run');
            assert.deepEqual(afterEdit.hidden_metrics, ['heart_rate']);
            assert.equal(await textOf(page.getByTestId('activity-name')), 'Sunday long run');

            // The same file again, dropped this time, is recognised and leads to the activity there.
            await page.goto('/#/upload');
            const dropped = await page.evaluateHandle(
                ({ name, content }) => {
                    const transfer = new DataTransfer();
                    transfer.items.add(new File([content], name, { type: 'application/gpx+xml' }));
                    return transfer;
                },
                { name: '2067489619.gpx', content: readFileSync(kUploadFile, 'utf8') },
            );
            await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dropped });
            const duplicate = page.getByTestId('upload-duplicate');
            await duplicate.waitFor({ timeout: 30_000 });
            assert.equal(await duplicate.getAttribute('href'), `#/activity/${activity.id}`);

            // The list shows it once, with its route as a thumbnail.
            const listed = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/athlete/activities');
            await page.goto('/#/activities');
            const list = await (await listed).json();
            assert.deepEqual(
                list.activities.map((a) => a.id),
                [activity.id],
            );
            await page.getByTestId(`activity-${activity.id}`).getByTestId('route-thumb').waitFor();
            await screenshot(page, '22-activity-list');
            assert.deepEqual(errors, []);
            assert.deepEqual(offOrigin(requests, server.url), [], 'no request leaves the server');
            assert.ok(requests.length > 20);
        });
    });

    await t.test('log a manual activity in the user’s units', () =>
        withPhone(browser, server.url, 'manual', async (context) => {
            const page = await context.newPage();
            const errors = watchConsole(page);
            await signUp(page, 'Manu Manual');
            await page.goto('/#/activities/new');
            await page.getByLabel('Sport').selectOption('ride');
            await page.getByLabel('Duration, hours').fill('1');
            await page.getByLabel('Duration, minutes').fill('5');
            await page.getByLabel('Distance').fill('32.5');
            await page.getByLabel('Elevation gain').fill('410');
            await page.getByLabel('Perceived exertion').selectOption('6');
            const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/activities');
            await page.getByRole('button', { name: 'Save activity' }).click();
            const answer = await created;
            assert.equal(answer.status(), 201);
            const sent = answer.request().postDataJSON();
            assert.equal(sent.elapsed_s, 3900);
            assert.equal(sent.distance_m, 32500);
            assert.ok(answer.request().headers()['idempotency-key']);
            const activity = await answer.json();
            assert.equal(activity.manual, true);
            assert.equal(activity.sport, 'ride');
            await page.getByTestId('activity-name').waitFor();
            assert.equal(await textOf(page.getByTestId('activity-distance')), '32.5 km');
            assert.equal(await textOf(page.getByTestId('activity-elevation')), '410 m');
            assert.equal(await page.getByTestId('route-map').count(), 0, 'no map without a route');
            await screenshot(page, '27-manual-activity');
            assert.deepEqual(errors, []);
        }));

    await t.test('record along a real track: pause, reload, resume, finish offline, one activity', (tt) => {
        if (!requireTestdata(tt, kRecordFile)) {
            return;
        }
        const stretch = steadyStretch(readTrack(kRecordFile), 60);
        const routeLength = lengthM(stretch);
        return withPhone(browser, server.url, 'record', async (context) => {
            await context.grantPermissions(['geolocation'], { origin: server.url });
            await fakeTiles(context);
            const moveTo = (point) => context.setGeolocation({ latitude: point.lat, longitude: point.lng, accuracy: 5 });
            await moveTo(stretch[0]);
            const page = await context.newPage();
            const errors = watchConsole(page);
            await signUp(page, 'Rita Recorder');

            await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Record' }).click();
            await page.getByRole('radio', { name: 'Run', exact: true }).check();
            await bothSizes(page, '23-record-start');

            // A false start, thrown away through the app's confirm sheet: "Keep it" keeps it,
            // "Discard recording" removes it from the phone and brings the tab bar back.
            await page.getByRole('button', { name: 'Start' }).click();
            await page.getByRole('button', { name: 'Pause' }).click();
            await page.getByTestId('record-paused').waitFor();
            const discard = page.getByRole('button', { name: 'Discard', exact: true });
            await discard.click();
            const sheet = page.getByRole('alertdialog', { name: 'Discard this recording?' });
            await sheet.waitFor();
            assert.match((await sheet.getAttribute('aria-describedby')) ?? '', /confirm-sheet-message/);
            // Cancel has the first focus (Enter must not destroy), and Escape answers "no".
            assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Keep it');
            await page.keyboard.press('Escape');
            await sheet.waitFor({ state: 'detached' });
            assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Discard', 'focus is back on the button that opened the sheet');
            await page.getByTestId('record-paused').waitFor();
            await discard.click();
            await sheet.getByRole('button', { name: 'Keep it' }).click();
            await page.getByTestId('record-paused').waitFor();
            await discard.click();
            await sheet.getByRole('button', { name: 'Discard recording' }).click();
            await page.getByRole('button', { name: 'Start' }).waitFor();
            await page.getByRole('navigation', { name: 'Main' }).waitFor();
            assert.equal(await storedRecordings(page), 0, 'the discarded recording is gone from the phone');

            await page.getByRole('button', { name: 'Start' }).click();
            await page.getByRole('button', { name: 'Pause' }).waitFor();
            const startHour = await page.evaluate(() => new Date().getHours());
            // Nothing to tap away to while recording: the tab bar is hidden.
            assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);

            // Chromium stamps each mocked fix with the wall clock, so the GPS moves in real time:
            // one point of the 1 Hz track per second.
            const half = 30;
            for (const point of stretch.slice(1, half)) {
                await sleep(1000);
                await moveTo(point);
            }
            await sleep(1000);
            // The live map draws the track so far and where the athlete is.
            const liveMap = page.getByTestId('record-map');
            await page.locator('[data-testid="record-map"][data-state="ready"]').waitFor();
            assert.equal(await liveMap.getByRole('region', { name: 'Your route so far' }).count(), 1);
            await liveMap.getByTestId('map-position').waitFor({ state: 'attached' });
            const trackPath = (await liveMap.getByTestId('route-path').getAttribute('d')) ?? '';
            assert.ok((trackPath.match(/L/g) ?? []).length >= 10, `the track so far: ${trackPath.slice(0, 80)}`);
            assert.equal(await page.getByTestId('gps-status').getAttribute('data-quality'), 'good');
            assert.match(await textOf(page.getByTestId('gps-status')), /GPS ±5 m/);
            await bothSizes(page, '23b-record-recording');
            await page.getByRole('button', { name: 'Pause' }).click();
            await page.getByTestId('record-paused').waitFor();
            const before = await textOf(page.getByTestId('live-distance'));
            assert.notEqual(before, '0.00 km');
            await bothSizes(page, '24-record-paused');

            // Every kept point is in IndexedDB: a reload brings the recording back, paused.
            await page.reload();
            await page.getByTestId('record-paused').waitFor();
            assert.equal(await textOf(page.getByTestId('live-distance')), before);

            await page.getByRole('button', { name: 'Resume' }).click();
            await page.getByRole('button', { name: 'Pause' }).waitFor();
            for (const point of stretch.slice(half)) {
                await sleep(1000);
                await moveTo(point);
            }
            await sleep(1000);

            // The first upload reaches the server but its answer is lost; the retry (same
            // Idempotency-Key) must get the same upload back, not make a second activity.
            let lost = 0;
            let posts = 0;
            await page.route(/\/v1\/uploads(\?|$)/, async (route) => {
                if (route.request().method() !== 'POST') {
                    return route.continue();
                }
                posts += 1;
                if (lost === 0) {
                    try {
                        await route.fetch();
                        lost += 1;
                    } catch {
                        // Offline: the request never left, which is also a lost answer to the app.
                    }
                    return route.abort('connectionreset');
                }
                return route.continue();
            });

            await context.setOffline(true);
            await page.getByRole('button', { name: 'Pause' }).click();
            await page.getByRole('button', { name: 'Finish' }).click();
            // The Save sheet: the name is made from the time of day and the sport; changed here,
            // with an effort and a visibility the upload cannot carry (sent by PATCH after it).
            const saveSheet = page.getByRole('dialog', { name: 'Save activity' });
            await saveSheet.waitFor();
            const nameField = saveSheet.getByLabel('Name');
            assert.equal(await nameField.inputValue(), `${partOfDayAt(startHour)} Run`);
            await bothSizes(page, '24b-record-save-sheet');
            const chosenName = 'Riverside tempo with Rita';
            await nameField.fill(chosenName);
            await saveSheet.getByLabel('Description').fill('Steady along the river.');
            await saveSheet.getByLabel('Who can see it').selectOption('followers');
            await saveSheet.getByLabel('Perceived exertion').selectOption('7');
            await saveSheet.getByRole('switch', { name: /Hide from the home feed/ }).check();
            await saveSheet.getByRole('button', { name: 'Save activity' }).click();
            await page.getByTestId('upload-waiting').waitFor();
            await screenshot(page, '25-record-offline');

            const detail = nextActivityAnswer(page);
            await context.setOffline(false);
            const activity = await detail;
            await page.getByTestId('activity-name').waitFor({ timeout: 30_000 });
            assert.match(new URL(page.url()).hash, new RegExp(`^#/activity/${activity.id}$`));
            assert.equal(await textOf(page.getByTestId('activity-distance')), kmText(activity.distance_m));
            assert.ok(
                Math.abs(activity.distance_m / routeLength - 1) < 0.03,
                `recorded ${activity.distance_m.toFixed(1)} m, the route is ${routeLength.toFixed(1)} m long`,
            );
            tt.diagnostic(`recorded: ${activity.distance_m.toFixed(1)} m by the server, the route is ${routeLength.toFixed(1)} m; ${posts} upload attempts`);
            assert.equal(activity.sport, 'run');
            assert.equal(activity.name, chosenName);
            assert.equal(activity.description, 'Steady along the river.');
            assert.equal(activity.visibility, 'followers');
            assert.equal(activity.perceived_exertion, 7);
            assert.equal(activity.hide_from_feed, true, 'the Save sheet switch reached the upload');
            assert.equal(await textOf(page.getByTestId('activity-name')), chosenName);
            await page.getByRole('navigation', { name: 'Main' }).waitFor();
            assert.equal(lost, 1, 'one upload answer was lost on the way');
            // At least: how often the queue tries while offline depends on its back-off timing.
            assert.ok(posts >= 2, `the upload was retried (${posts} attempts)`);
            await screenshot(page, '26-recorded-activity');

            const listed = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/athlete/activities');
            await page.goto('/#/activities');
            const list = await (await listed).json();
            assert.deepEqual(
                list.activities.map((a) => a.id),
                [activity.id],
                'exactly one activity from the recording',
            );
            // Nothing is left in the queue on the phone.
            assert.equal(await storedRecordings(page), 0);
            // The aborted upload shows up as a failed request in the console; nothing else may.
            assert.deepEqual(
                errors.filter((e) => !/Failed to load resource|net::ERR_/.test(e)),
                [],
            );
        });
    });
});
