// Workouts in the web app against the real server: a GPX upload shown in detail (figures, map,
// charts, splits, edit, duplicate detection by drag and drop, GPX download), a manual activity,
// and a GPS recording driven by Playwright's
// mocked geolocation along a real track, with a pause, a reload in the middle, an offline finish
// and a lost upload answer, ending in exactly one activity. Run with `npm run test:browser`.
//
// The tracks are read in place from the shared test data (../shared/testdata, or STRAVA1_TESTDATA;
// several files there are copyleft and are never copied into this repository).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
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

/** A 1×1 grey PNG, the stand-in for every map tile. */
const kTilePng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGO4BwAA7QDsaJ6+KAAAAABJRU5ErkJggg==', 'base64');

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

            const route = page.getByTestId('route-path');
            await route.waitFor();
            const d = (await route.getAttribute('d')) ?? '';
            // One segment per point of the activity's route (its polyline, else its summary).
            const routePoints = decodePolyline(activity.polyline ?? activity.summary_polyline);
            assert.equal((d.match(/L/g) ?? []).length, routePoints.length - 1, `the route path: ${d.slice(0, 80)}`);
            await page.getByTestId('chart-elevation').waitFor();
            await page.getByTestId('chart-heart-rate').waitFor();
            const splitRows = page.getByTestId('splits-table').locator('tbody tr');
            await splitRows.first().waitFor();
            const { splits_km: kmSplits } = await splits;
            assert.equal(kmSplits.length, Math.ceil(activity.distance_m / 1000), `${kmSplits.length} km splits for ${activity.distance_m} m`);
            assert.equal(await splitRows.count(), kmSplits.length);
            assert.equal(await textOf(splitRows.first().locator('th')), '1');
            await screenshot(page, '21-activity-detail');

            // With a tile server configured, tiles of one zoom are laid under the same route.
            const tileRequests = [];
            await page.route('https://tiles.test/**', (route) => {
                tileRequests.push(new URL(route.request().url()).pathname);
                return route.fulfill({ status: 200, contentType: 'image/png', body: kTilePng });
            });
            await page.evaluate(() => localStorage.setItem('strava1.tile_url', 'https://tiles.test/{z}/{x}/{y}.png'));
            await page.reload();
            await page.getByTestId('route-path').waitFor();
            const tiles = page.getByTestId('route-map').locator('image');
            await tiles.first().waitFor({ state: 'attached' });
            const hrefs = await tiles.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('href')));
            // A bound, not a figure: how many tiles cover the route depends on where its bounding box
            // falls on the tile grid; which ones is checked exactly below (drawn = fetched).
            assert.ok(hrefs.length >= 1 && hrefs.length <= 12, `${hrefs.length} tiles`);
            const zooms = new Set(hrefs.map((href) => /^https:\/\/tiles\.test\/(\d+)\/\d+\/\d+\.png$/.exec(href)?.[1]));
            assert.equal(zooms.size, 1, `one zoom for every tile: ${hrefs.join(' ')}`);
            assert.ok(!zooms.has(undefined));
            for (const deadline = Date.now() + 5_000; tileRequests.length < hrefs.length && Date.now() < deadline; ) {
                await sleep(50);
            }
            assert.deepEqual([...new Set(tileRequests)].sort(), hrefs.map((href) => new URL(href).pathname).sort(), 'the browser fetched exactly the tiles drawn');
            await screenshot(page, '21b-activity-map-tiles', { fullPage: false });
            await page.evaluate(() => localStorage.removeItem('strava1.tile_url'));

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
            const moveTo = (point) => context.setGeolocation({ latitude: point.lat, longitude: point.lng, accuracy: 5 });
            await moveTo(stretch[0]);
            const page = await context.newPage();
            const errors = watchConsole(page);
            await signUp(page, 'Rita Recorder');

            await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Record' }).click();
            await page.getByRole('radio', { name: 'Run', exact: true }).check();
            await screenshot(page, '23-record-start');
            await page.getByRole('button', { name: 'Start' }).click();
            await page.getByRole('button', { name: 'Pause' }).waitFor();

            // Chromium stamps each mocked fix with the wall clock, so the GPS moves in real time:
            // one point of the 1 Hz track per second.
            const half = 30;
            for (const point of stretch.slice(1, half)) {
                await sleep(1000);
                await moveTo(point);
            }
            await sleep(1000);
            await page.getByRole('button', { name: 'Pause' }).click();
            await page.getByTestId('record-paused').waitFor();
            const before = await textOf(page.getByTestId('live-distance'));
            assert.notEqual(before, '0.00 km');
            await screenshot(page, '24-record-paused');

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
            const left = await page.evaluate(
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
            assert.equal(left, 0);
            // The aborted upload shows up as a failed request in the console; nothing else may.
            assert.deepEqual(
                errors.filter((e) => !/Failed to load resource|net::ERR_/.test(e)),
                [],
            );
        });
    });
});
