// The You tab's totals and 12-week chart with real uploads, the large-screen layout (side rail at
// 1366 px, tab bar at 390 px), the privacy zones screen (create, edit the radius, delete), the
// device's time zone on sign-up, and a zone crossed mid-route as another user sees it. Screenshots
// of every step at 390×844 and 1366×900 go to test-artifacts/browser/ for review.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { api, kPassword, requireOrSkip, requireServices, testdataDir, uniqueEmail, until } from '../../../tests/e2e/kit.mjs';
import { screenshot, startSuite, watchConsole } from './browser.mjs';

const kDevices = [
    { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    { name: 'desktop', viewport: { width: 1366, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 },
];

async function newContext(browser, server, device, extra = {}) {
    const context = await browser.newContext({
        baseURL: server.url, locale: 'en-US', timezoneId: 'UTC', serviceWorkers: 'block',
        viewport: device.viewport, isMobile: device.isMobile, hasTouch: device.hasTouch, deviceScaleFactor: device.deviceScaleFactor,
        ...extra,
    });
    context.setDefaultTimeout(20_000);
    return context;
}

/**
 * Opens the app signed in as `user` at `hash`: the refresh token is in storage before the app's
 * first script runs (set once: the app rotates it afterwards), so it resumes the session there.
 */
async function openAs(page, user, hash) {
    await page.context().addInitScript((token) => {
        if (!localStorage.getItem('strava1.refresh_token')) {
            localStorage.setItem('strava1.refresh_token', token);
        }
    }, user.refresh_token);
    await page.goto(`/${hash}`);
}

/** "12.34 km" as the app writes it (under 10 units two decimals, else one). */
function km(m) {
    const value = m / 1000;
    return `${value.toFixed(value < 10 ? 2 : 1)} km`;
}

test('You: totals and the 12-week chart from real uploads; side rail on a desktop, tab bar on a phone', async (t) => {
    if (!requireServices(t)) return;
    const run = join(testdataDir, 'gpx', '2067489619.gpx');
    const ride = join(testdataDir, 'gpx', '3939576645.gpx');
    if (!requireOrSkip(t, existsSync(run) && existsSync(ride), 'test data not found (set STRAVA1_TESTDATA)')) return;
    const { server, browser } = await startSuite(t, 'you-server.log');
    const client = api(server);
    const user = await client.signUp({ displayName: 'Ana You' });
    const ana = client.as(user);
    await ana.uploadReady(readFileSync(run), '?name=Morning%20run');
    await ana.uploadReady(readFileSync(ride), '?name=Long%20ride');
    // One this week, so "this week" and the chart's last bar have something real.
    const now = new Date(Date.now() - 3 * 3600_000);
    const manual = await ana.post('/v1/activities', { sport: 'run', start_time: now.toISOString(), elapsed_s: 1800, distance_m: 5250, name: 'Easy' });
    assert.equal(manual.status, 201, manual.text);
    const stats = await ana.get(`/v1/users/${user.id}/stats`);
    assert.equal(stats.status, 200, stats.text);
    const sum = (totals) => Object.values(totals).reduce((a, s) => ({ count: a.count + s.count, distance_m: a.distance_m + s.distance_m }), { count: 0, distance_m: 0 });
    const all = sum(stats.json.all);
    const ytd = sum(stats.json.ytd);
    assert.equal(all.count, 3);
    assert.ok(all.distance_m > 5250 + 4000, `all-time distance ${all.distance_m}`);

    for (const device of kDevices) {
        const context = await newContext(browser, server, device);
        try {
            const page = await context.newPage();
            const problems = watchConsole(page);
            await openAs(page, user, '#/you');
            await page.getByTestId('totals-all').waitFor();
            assert.match(await page.getByTestId('totals-all').innerText(), new RegExp(`${km(all.distance_m).replace('.', '\\.')}[\\s\\S]*3 activities`));
            assert.match(await page.getByTestId('totals-ytd').innerText(), new RegExp(`${km(ytd.distance_m).replace('.', '\\.')}[\\s\\S]*${ytd.count} activit`));
            const week = await page.getByTestId('totals-week').innerText();
            const bars = await page.locator('[data-testid="week-chart"] [data-week]').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-week'), Number(g.getAttribute('data-value'))]));
            assert.equal(bars.length, 12);
            const monday = (d) => {
                const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
                day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
                return day.toISOString().slice(0, 10);
            };
            // The manual run is this week's only activity (the files are years old), unless this
            // runs in the first 3 hours of a Monday (UTC), when it is last week's.
            const thisWeek = monday(now) === monday(new Date());
            assert.equal(bars[11][0], monday(new Date()));
            assert.equal(bars[thisWeek ? 11 : 10][1], 5.25);
            assert.match(week, thisWeek ? /5\.25 km[\s\S]*1 activity/ : /0\.00 km[\s\S]*No activities/);
            assert.equal(bars.reduce((a, b) => a + b[1], 0), 5.25, 'only the manual run falls in the last 12 weeks');
            assert.equal(await page.locator('.weeks__max').innerText(), 'Best week: 5.25 km');
            // Distance ⇄ time.
            await page.getByRole('button', { name: 'Time' }).click();
            assert.equal(await page.locator('[data-testid="week-chart"] [data-week]').evaluateAll((gs) => gs.reduce((a, g) => a + Number(g.getAttribute('data-value')), 0)), 0.5);
            await page.getByRole('button', { name: 'Distance' }).click();

            await screenshot(page, `you-${device.name}`);
            const bar = await page.locator('nav.tabbar').boundingBox();
            const body = await page.locator('main.screen__body').boundingBox();
            if (device.name === 'desktop') {
                // A side rail down the left edge, and the content using the rest of the width.
                assert.equal(bar.x, 0);
                assert.equal(bar.y, 0);
                assert.ok(bar.width <= 120, `rail width ${bar.width}`);
                assert.equal(bar.height, 900);
                assert.ok(body.x >= bar.width, 'content beside the rail');
                assert.ok(body.width >= 1366 - bar.width - 2, `content width ${body.width}`);
                // The profile and the training figures side by side.
                const card = await page.locator('.profile-card').boundingBox();
                const training = await page.locator('section.training').boundingBox();
                assert.ok(training.x > card.x + card.width - 1, `two columns: ${JSON.stringify([card, training])} ${await page.locator('main.screen__body').evaluate((m) => getComputedStyle(m).display + ' ' + m.className)}`);
            } else {
                assert.equal(bar.x, 0);
                assert.equal(bar.width, 390);
                assert.equal(Math.round(bar.y + bar.height), 844);
                assert.equal(body.width, 390);
            }
            assert.deepEqual(problems, []);
        } catch (error) {
            for (const [index, open] of context.pages().entries()) {
                await screenshot(open, `FAILED-you-${device.name}-${index}`).catch(() => undefined);
            }
            throw error;
        } finally {
            await context.close();
        }
    }
});

test('sign-up takes the time zone of the device', async (t) => {
    if (!requireServices(t)) return;
    const { server, browser } = await startSuite(t, 'you-signup-server.log');
    const context = await newContext(browser, server, kDevices[0], { timezoneId: 'Europe/Paris' });
    try {
        const page = await context.newPage();
        const email = uniqueEmail('tz');
        await page.goto('/#/signup');
        await page.getByLabel('Name').fill('Zoé Paris');
        await page.getByLabel('Email').fill(email);
        await page.getByLabel('Password').fill(kPassword);
        await page.getByRole('button', { name: /sign up|create/i }).click();
        await page.waitForFunction(() => location.hash === '#/feed');
        const login = await api(server).post('/v1/auth/login', { email, password: kPassword });
        assert.equal(login.status, 200, login.text);
        await until('the time zone to be set', async () => {
            const me = await api(server).as(login.json.access_token).get('/v1/me');
            return me.json.time_zone === 'Europe/Paris' ? true : null;
        }, { timeoutMs: 10_000 });
    } finally {
        await context.close();
    }
});

test('privacy zones: create on the map, edit the radius, delete; a zone crossed mid-route hides only that part from another user', async (t) => {
    if (!requireServices(t)) return;
    const gpx = join(testdataDir, 'gpx', '2067489619.gpx');
    if (!requireOrSkip(t, existsSync(gpx), `test data ${gpx} not found`)) return;
    const { server, browser } = await startSuite(t, 'zones-server.log');
    const client = api(server);
    const [anaUser, bobUser] = await client.users(2, { prefix: 'Zoner' });
    const ana = client.as(anaUser);
    const bob = client.as(bobUser);
    assert.equal((await ana.patch('/v1/me', { default_visibility: 'everyone', hide_endpoints_m: 0 })).status, 200);
    const activityId = await ana.uploadReady(readFileSync(gpx), '?name=Morning%20run');

    for (const device of kDevices) {
        const context = await newContext(browser, server, device);
        try {
            const page = await context.newPage();
            const problems = watchConsole(page);
            await openAs(page, anaUser, '#/you/privacy-zones');
            await page.getByTestId('zones-empty').waitFor();
            const map = page.getByTestId('zones-map');
            await page.waitForSelector('[data-testid="zones-map"][data-state="ready"]');
            // Framed on the latest activity's start: a tap there places a zone.
            const box = await map.boundingBox();
            await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
            await page.getByTestId('zone-editor').waitFor();
            await page.getByTestId('zone-circle-selected').waitFor();
            await page.getByTestId('zone-radius').fill('800');
            assert.equal(await page.getByTestId('zone-radius-value').innerText(), '800 m');
            await screenshot(page, `zones-new-${device.name}`);
            await page.getByTestId('zone-save').click();
            await page.getByText('Zone 1 · 800 m').waitFor();
            let zones = (await ana.get('/v1/me/privacy-zones')).json.zones;
            assert.equal(zones.length, 1);
            assert.equal(zones[0].radius_m, 800);

            // Edit: a new radius, and the handle dragged 60 px east moves the centre.
            await page.getByRole('button', { name: 'Edit zone 1' }).click();
            await page.getByTestId('zone-handle').waitFor();
            const handle = await page.getByTestId('zone-handle').boundingBox();
            await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
            await page.mouse.down();
            await page.mouse.move(handle.x + handle.width / 2 + 30, handle.y + handle.height / 2, { steps: 4 });
            await page.mouse.move(handle.x + handle.width / 2 + 60, handle.y + handle.height / 2, { steps: 4 });
            await page.mouse.up();
            await page.getByText(/^Centre /).filter({ hasNotText: `${zones[0].lng.toFixed(4)}` }).waitFor();
            await page.getByTestId('zone-radius').fill('1200');
            assert.equal(await page.getByTestId('zone-radius-value').innerText(), '1.2 km');
            await page.getByTestId('zone-save').click();
            await page.getByText('Zone 1 · 1.2 km').waitFor();
            const edited = (await ana.get('/v1/me/privacy-zones')).json.zones;
            assert.equal(edited.length, 1);
            assert.equal(edited[0].id, zones[0].id, 'edited in place (PATCH), not replaced');
            assert.equal(edited[0].radius_m, 1200);
            assert.ok(edited[0].lng > zones[0].lng, 'the drag moved the centre east');
            assert.ok(Math.abs(edited[0].lat - zones[0].lat) < 0.001);
            await screenshot(page, `zones-list-${device.name}`);

            await page.getByRole('button', { name: 'Delete zone 1' }).click();
            // The app's confirm sheet: Escape keeps the zone, "Delete zone" deletes it.
            const sheet = page.getByRole('alertdialog', { name: 'Delete this privacy zone?' });
            await sheet.waitFor();
            await page.keyboard.press('Escape');
            await sheet.waitFor({ state: 'detached' });
            assert.equal((await ana.get('/v1/me/privacy-zones')).json.zones.length, 1, 'Escape deletes nothing');
            await page.getByRole('button', { name: 'Delete zone 1' }).click();
            await page.getByRole('alertdialog', { name: 'Delete this privacy zone?' }).getByRole('button', { name: 'Delete zone' }).click();
            await page.getByTestId('zones-empty').waitFor();
            zones = (await ana.get('/v1/me/privacy-zones')).json.zones;
            assert.deepEqual(zones, []);

            // Without a pointer: "Add a zone" places one at the map's middle; arrow keys move the
            // map and "Move to the map's centre" follows it.
            await page.getByTestId('zone-new').focus();
            await page.keyboard.press('Enter');
            const placed = await page.getByText(/^Centre /).innerText();
            await page.locator('[data-testid="zones-map"] .livemap__host').focus();
            for (let i = 0; i < 3; i++) {
                await page.keyboard.press('ArrowRight');
            }
            // The map reports its centre when a pan ends (after its animation).
            await page.waitForFunction(() => !document.querySelector('[data-testid="zones-map"] .leaflet-pan-anim'));
            await page.getByTestId('zone-centre').focus();
            await page.keyboard.press('Enter');
            await page.getByText(/^Centre /).filter({ hasNotText: placed.slice('Centre '.length) }).waitFor();
            const [, lat1, lng1] = /Centre ([-\d.]+), ([-\d.]+)/.exec(placed).map(Number);
            const [, lat2, lng2] = /Centre ([-\d.]+), ([-\d.]+)/.exec(await page.getByText(/^Centre /).innerText()).map(Number);
            assert.ok(lng2 > lng1, `the map moved east: ${lng1} → ${lng2}`);
            assert.ok(Math.abs(lat2 - lat1) < 0.0005);
            await page.getByTestId('zone-save').focus();
            await page.keyboard.press('Enter');
            await page.getByText('Zone 1 · 400 m').waitFor();
            zones = (await ana.get('/v1/me/privacy-zones')).json.zones;
            assert.equal(zones.length, 1);
            assert.ok(Math.abs(zones[0].lng - lng2) < 0.0001);
            assert.equal((await ana.delete(`/v1/me/privacy-zones/${zones[0].id}`)).status, 204);
            assert.deepEqual(problems, []);
        } catch (error) {
            for (const [index, open] of context.pages().entries()) {
                await screenshot(open, `FAILED-you-${device.name}-${index}`).catch(() => undefined);
            }
            throw error;
        } finally {
            await context.close();
        }
    }

    // A 200 m zone on the middle of the run: Bob gets the route without that part only.
    const own = await ana.get(`/v1/activities/${activityId}/streams`);
    const ownLatlng = own.json.streams.latlng;
    // Sample 149: the run's farthest point from its start and end (a loop); a 200 m zone there
    // holds samples 86-170 only.
    const middle = ownLatlng[149];
    assert.equal((await ana.post('/v1/me/privacy-zones', { lat: middle[0], lng: middle[1], radius_m: 200 })).status, 201);
    const seen = await bob.get(`/v1/activities/${activityId}/streams`);
    assert.equal(seen.status, 200, seen.text);
    const latlng = seen.json.streams.latlng;
    assert.equal(latlng.length, ownLatlng.length - 85);
    assert.deepEqual(latlng[85], ownLatlng[85]);
    assert.deepEqual(latlng[86], ownLatlng[171]);
    assert.deepEqual(seen.json.breaks, [86]);
    assert.deepEqual(latlng[0], ownLatlng[0]);
    assert.deepEqual(latlng.at(-1), ownLatlng.at(-1));
    assert.ok(!latlng.some((p) => p[0] === middle[0] && p[1] === middle[1]));
    assert.equal(seen.json.streams.heartrate.length, latlng.length);
    const detail = await bob.get(`/v1/activities/${activityId}`);
    assert.equal(detail.json.route_partly_hidden, true);
    assert.equal((await ana.get(`/v1/activities/${activityId}`)).json.route_partly_hidden, false);

    for (const device of kDevices) {
        const context = await newContext(browser, server, device);
        try {
            const page = await context.newPage();
            const problems = watchConsole(page);
            await openAs(page, bobUser, `#/activity/${activityId}`);
            await page.waitForFunction(() => document.title.startsWith('Morning run'));
            // The route is drawn (what is left of it) as two lines, one each side of the zone, never
            // one across it; the charts keep their data and leave a gap there.
            await page.waitForSelector('[data-testid="route-map"][data-state="ready"]');
            await page.locator('[data-testid="route-path"]').first().waitFor();
            assert.equal(await page.locator('[data-testid="route-path"]').count(), 2);
            await page.locator('figure.chart').first().waitFor();
            const hrLine = await page.locator('[data-testid="chart-heart-rate"] [data-testid="chart-line"]').getAttribute('d');
            assert.equal(hrLine.match(/M/g).length, 2, 'the heart-rate line breaks once');
            // The page says why part of the route is missing.
            assert.equal(await page.getByTestId('route-hidden-note').innerText(), 'Part of this route is hidden');
            await screenshot(page, `zone-mid-route-other-${device.name}`);
            assert.deepEqual(problems, []);
        } catch (error) {
            for (const [index, open] of context.pages().entries()) {
                await screenshot(open, `FAILED-you-${device.name}-${index}`).catch(() => undefined);
            }
            throw error;
        } finally {
            await context.close();
        }
    }
});
