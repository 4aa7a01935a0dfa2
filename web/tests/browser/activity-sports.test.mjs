// Activity pages that know the sport, against the real server with real files: a run with heart
// rate (grade-adjusted pace, cadence in spm, split pace bars, named zones or the hint to set a
// maximum heart rate), a ride with power (power curve, cadence in rpm, the FTP hint), a pool swim
// (distance and pace by the pool's unit, active and rest time, intervals with strokes, stroke rate
// and SWOLF, no map and no speed chart) and a manual activity; the owner's badges on each.
// Screenshots of each at 390×844 and 1366×900 go to test-artifacts/browser.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { requireOrSkip, requireServices, testdataDir } from '../../../tests/e2e/kit.mjs';
import { screenshot, startSuite, uniqueEmail, watchConsole, withPhone } from './browser.mjs';

const kPassword = `Pool-${Math.random().toString(36).slice(2, 10)}-lane`;
const kRun = join(testdataDir, 'gpx', '2067489619.gpx');
/** An Edge 530 ride with power (8823 records). */
const kRide = join(testdataDir, 'fit', 'tormoder_bpg_garmin.fit');
/** A Forerunner 935 pool swim: 50 m pool, 2300 m, 46 active lengths (SOURCES.md). */
const kSwim = join(testdataDir, 'fit', '6688025408.fit');

async function signUp(page, name) {
    await page.goto('/');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Email').fill(uniqueEmail(name.split(' ')[0].toLowerCase()));
    await page.getByLabel('Password').fill(kPassword);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

async function textOf(locator) {
    await locator.waitFor();
    return ((await locator.textContent()) ?? '').trim();
}

/** Uploads `file` on the upload screen and opens it; returns the activity as the API gave it. */
async function uploadAndOpen(page, file) {
    await page.goto('/#/upload');
    await page.getByLabel('Choose files').setInputFiles(file);
    const view = page.getByTestId('upload-view');
    await view.waitFor({ timeout: 60_000 });
    const detail = page.waitForResponse((r) => r.request().method() === 'GET' && /^\/v1\/activities\/\d+$/.test(new URL(r.url()).pathname) && r.status() === 200);
    await view.click();
    const activity = await (await detail).json();
    await page.getByTestId('activity-name').waitFor();
    return activity;
}

/** Every activity answer the page receives, by path, so the test compares the screen with what the API sent it. */
function collectAnswers(page) {
    const answers = new Map();
    page.on('response', (response) => {
        const path = new URL(response.url()).pathname;
        if (path.startsWith('/v1/activities/') && response.status() === 200 && response.request().method() === 'GET') {
            answers.set(path, response.json().catch(() => null));
        }
    });
    return answers;
}

/** The answer to `path` the page got, waiting for it with a deadline. */
async function answerOf(answers, path) {
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
        if (answers.has(path)) {
            return answers.get(path);
        }
        await new Promise((done) => setTimeout(done, 50));
    }
    throw new Error(`the page never fetched ${path}`);
}

/** Phone and desktop screenshots of the whole page. */
async function shoot(page, name) {
    await screenshot(page, `${name}-390`);
    await page.setViewportSize({ width: 1366, height: 900 });
    await screenshot(page, `${name}-1366`);
    await page.setViewportSize({ width: 390, height: 844 });
}

const kVisibility = { everyone: 'Everyone', followers: 'Followers', only_me: 'Only you' };

async function ownerBadges(page, activity) {
    assert.equal(await textOf(page.getByTestId('visibility-badge')), `Visible to: ${kVisibility[activity.visibility]}`);
    assert.equal(await page.getByTestId('hidden-badge').count(), activity.hidden_metrics.length + (activity.hide_endpoints_m > 0 ? 1 : 0));
}

test('activity pages that know the sport', async (t) => {
    if (!requireServices(t)) {
        return;
    }
    for (const file of [kRun, kRide, kSwim]) {
        if (!requireOrSkip(t, existsSync(file), `test data ${file} not found (set STRAVA1_TESTDATA)`)) {
            return;
        }
    }
    const { server, browser } = await startSuite(t, 'server-activity-sports.log');

    await t.test('a run with heart rate', () =>
        withPhone(browser, server.url, 'sport-run', async (context) => {
            const page = await context.newPage();
            const errors = watchConsole(page);
            const answers = collectAnswers(page);
            await signUp(page, 'Rhea Runner');
            const activity = await uploadAndOpen(page, kRun);
            assert.equal(activity.sport, 'run');
            await ownerBadges(page, activity);
            // Grade-adjusted pace from the API's seconds per km.
            const gap = activity.grade_adjusted_pace_s_per_km;
            assert.ok(gap > 0, 'the API has a grade-adjusted pace for this run');
            const clock = (s) => `${Math.floor(Math.round(s) / 60)}:${String(Math.round(s) % 60).padStart(2, '0')}`;
            assert.equal(await textOf(page.getByTestId('activity-gap')), `${clock(gap)} /km`);
            if (activity.avg_cadence !== null) {
                assert.equal(await textOf(page.getByTestId('activity-cadence')), `${Math.round(activity.avg_cadence)} spm`);
            }
            // A pace bar per split, the fastest full width, the others in proportion to their speed.
            const splits = (await answerOf(answers, `/v1/activities/${activity.id}/splits`)).splits_km;
            const bars = page.getByTestId('splits').getByTestId('split-bar');
            await bars.first().waitFor();
            assert.equal(await bars.count(), splits.length);
            const widths = await bars.evaluateAll((els) => els.map((el) => parseFloat(el.style.width)));
            const fastest = Math.max(...splits.map((s) => s.avg_speed_mps));
            splits.forEach((split, i) => assert.ok(Math.abs(widths[i] - (split.avg_speed_mps / fastest) * 100) < 0.1, `split ${i + 1}: ${widths[i]}%`));
            const table = await textOf(page.getByTestId('splits-table'));
            assert.doesNotMatch(table, /−0 (m|ft)/, 'no negative zero');
            // No maximum heart rate on a new profile: no HR zones, a hint to set it instead.
            const hint = page.getByTestId('zones-hint');
            assert.match(await textOf(hint), /Set your maximum heart rate to see heart-rate zones/);
            assert.equal(await hint.getByRole('link', { name: 'Edit profile' }).getAttribute('href'), '#/you/edit');
            await page.getByTestId('chart-heart-rate').waitFor();
            await shoot(page, '40-sport-run');
            assert.deepEqual(errors, []);
        }));

    await t.test("the owner's preview of what others see", () =>
        withPhone(browser, server.url, 'sport-preview', async (context) => {
            const page = await context.newPage();
            const errors = watchConsole(page);
            await signUp(page, 'Pia Preview');
            const activity = await uploadAndOpen(page, kRun);
            // Heart rate hidden from others, and the start and end hidden: the owner still sees both.
            await page.goto(`/#/activity/${activity.id}/edit`);
            await page.getByRole('checkbox', { name: 'Heart rate' }).check();
            await page.getByLabel('Hide start and end').selectOption({ index: 1 });
            await page.getByRole('button', { name: 'Save' }).click();
            await page.getByTestId('activity-name').waitFor();
            const avgHr = page.locator('.figure__label', { hasText: 'Avg heart rate' });
            await page.getByTestId('chart-heart-rate').waitFor();
            assert.equal(await avgHr.count(), 1, 'the owner sees the average heart rate');
            assert.equal(await page.getByTestId('route-hidden-note').count(), 0);
            assert.equal(await page.getByTestId('preview-banner').count(), 0);

            const switcher = page.getByRole('group', { name: 'See this activity as' });
            const preview = page.waitForResponse((r) => new URL(r.url()).pathname === `/v1/activities/${activity.id}` && new URL(r.url()).searchParams.get('view_as') === 'stranger');
            const previewStreams = page.waitForResponse((r) => new URL(r.url()).pathname === `/v1/activities/${activity.id}/streams` && new URL(r.url()).searchParams.get('view_as') === 'stranger');
            await switcher.getByRole('button', { name: 'Everyone' }).click();
            const seen = await (await preview).json();
            await previewStreams;
            assert.equal(seen.is_owner, false);
            assert.equal(seen.avg_heart_rate_bpm, null);
            assert.equal(seen.route_partly_hidden, true);
            assert.match(await textOf(page.getByTestId('preview-banner')), /Preview: what people who don't follow you see/);
            await page.getByTestId('route-hidden-note').waitFor();
            await page.getByTestId('charts').waitFor();
            assert.equal(await avgHr.count(), 0, 'the preview leaves the hidden heart rate out');
            assert.equal(await page.getByTestId('chart-heart-rate').count(), 0);
            assert.equal(await page.getByTestId('owner-badges').count(), 0);
            await shoot(page, '44-owner-preview');

            // Only followers may see it now: the preview as everyone else says they cannot.
            await switcher.getByRole('button', { name: 'You' }).click();
            await page.getByTestId('chart-heart-rate').waitFor();
            assert.equal(await avgHr.count(), 1);
            await page.goto(`/#/activity/${activity.id}/edit`);
            await page.getByLabel('Who can see it').selectOption('followers');
            await page.getByRole('button', { name: 'Save' }).click();
            await page.getByTestId('activity-name').waitFor();
            await page.getByRole('group', { name: 'See this activity as' }).getByRole('button', { name: 'Everyone' }).click();
            assert.match(await textOf(page.getByTestId('preview-hidden')), /A stranger cannot see this activity/);
            await page.getByRole('group', { name: 'See this activity as' }).getByRole('button', { name: 'Followers' }).click();
            assert.match(await textOf(page.getByTestId('preview-banner')), /Preview: what your followers see/);
            await page.getByTestId('route-hidden-note').waitFor();
            assert.deepEqual(errors.filter((e) => !/404/.test(e)), []);
        }));

    await t.test('a ride with power', () =>
        withPhone(browser, server.url, 'sport-ride', async (context) => {
            const page = await context.newPage();
            const errors = watchConsole(page);
            const answers = collectAnswers(page);
            await signUp(page, 'Rory Rider');
            const activity = await uploadAndOpen(page, kRide);
            assert.equal(activity.sport, 'ride');
            assert.ok(activity.avg_power_w > 0);
            await ownerBadges(page, activity);
            assert.equal(await page.getByTestId('activity-gap').count(), 0, 'no grade-adjusted pace on a ride');
            if (activity.avg_cadence !== null) {
                assert.equal(await textOf(page.getByTestId('activity-cadence')), `${Math.round(activity.avg_cadence)} rpm`);
            }
            // The power curve: the best second is the ride's maximum power; longer efforts never average more.
            const rows = page.getByTestId('power-curve-row');
            await rows.first().waitFor();
            const curve = (await rows.allTextContents()).map((text) => Number(/(\d+) W$/.exec(text.trim())[1]));
            assert.ok(curve.length >= 8, `power curve: ${curve.join(', ')}`);
            assert.match((await rows.first().textContent()).trim(), /^1 s/);
            assert.ok(Math.abs(curve[0] - activity.max_power_w) <= 1, `1 s best ${curve[0]} W vs max ${activity.max_power_w} W`);
            for (let i = 1; i < curve.length; i++) {
                assert.ok(curve[i] <= curve[i - 1], `power curve falls: ${curve.join(', ')}`);
            }
            // Read from the server's analysis (GET …/curves), not computed from samples in the browser:
            // each row is the served value at the card's durations.
            const served = new Map((await answerOf(answers, `/v1/activities/${activity.id}/curves`)).power.map((p) => [p.duration_s, p.value]));
            const expected = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600].filter((d) => served.has(d)).map((d) => Math.round(served.get(d)));
            assert.deepEqual(curve, expected);
            const hint = page.getByTestId('zones-hint');
            assert.match(await textOf(hint), /FTP/);
            await page.getByTestId('chart-power').waitFor();
            await shoot(page, '41-sport-ride');
            assert.deepEqual(errors, []);
        }));

    await t.test('a pool swim', () =>
        withPhone(browser, server.url, 'sport-swim', async (context) => {
            const page = await context.newPage();
            const errors = watchConsole(page);
            const answers = collectAnswers(page);
            await signUp(page, 'Sami Swimmer');
            const activity = await uploadAndOpen(page, kSwim);
            assert.equal(activity.sport, 'swim');
            await ownerBadges(page, activity);
            const lengths = await answerOf(answers, `/v1/activities/${activity.id}/lengths`);
            assert.equal(lengths.pool_length_m, 50);
            assert.equal(lengths.pool_length_unit, 'm');
            const active = lengths.lengths.filter((l) => l.active);
            assert.equal(active.length, 46);
            await page.getByTestId('swim-intervals').waitFor();
            assert.equal(await textOf(page.getByTestId('activity-distance')), '2,300 m');
            assert.equal(await textOf(page.getByTestId('activity-pool')), '50 m');
            assert.equal(await textOf(page.getByTestId('activity-lengths')), '46');
            const clock = (s) => {
                const t = Math.round(s);
                return t >= 3600 ? `${Math.floor(t / 3600)}:${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}` : `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
            };
            const activeS = active.reduce((sum, l) => sum + l.elapsed_s, 0);
            const restS = lengths.lengths.filter((l) => !l.active).reduce((sum, l) => sum + l.elapsed_s, 0);
            assert.equal(await textOf(page.getByTestId('activity-active-time')), clock(activeS));
            assert.equal(await textOf(page.getByTestId('activity-rest-time')), clock(restS));
            assert.equal(await textOf(page.getByTestId('activity-pace')), `${clock((100 * activeS) / 2300)} /100m`);
            // Intervals between rests; every length with its strokes and SWOLF when opened.
            const intervals = page.getByTestId('intervals-table');
            assert.ok((await intervals.locator('tbody tr').count()) >= 1);
            await page.getByRole('button', { name: /Show all \d+ lengths/ }).click();
            const lengthRows = page.getByTestId('lengths-table').locator('tbody tr');
            assert.equal(await lengthRows.count(), lengths.lengths.length);
            const firstActive = lengths.lengths.findIndex((l) => l.active);
            const cells = await lengthRows.nth(firstActive).locator('td').allTextContents();
            const first = lengths.lengths[firstActive];
            assert.equal(cells[2], String(first.strokes ?? '—'));
            assert.equal(cells[4], String(first.swolf ?? '—'));
            if (first.swolf !== null && first.strokes !== null) {
                assert.equal(first.swolf, Math.round(first.elapsed_s) + first.strokes, 'SWOLF is seconds plus strokes');
            }
            // No map and no speed or pace chart from positions interpolated between length ends.
            assert.equal(await page.getByTestId('route-map').count(), 0);
            assert.equal(await page.getByTestId('chart-pace').count(), 0);
            assert.equal(await page.getByTestId('chart-speed').count(), 0);
            assert.equal(await page.getByTestId('splits').count(), 0);
            await shoot(page, '42-sport-swim');
            assert.deepEqual(errors, []);
        }));

    await t.test('a manual activity', () =>
        withPhone(browser, server.url, 'sport-manual', async (context) => {
            const page = await context.newPage();
            const errors = watchConsole(page);
            const answers = collectAnswers(page);
            await signUp(page, 'Mona Manual');
            await page.goto('/#/activities/new');
            await page.getByLabel('Sport').selectOption('run');
            await page.getByLabel('Duration, hours').fill('0');
            await page.getByLabel('Duration, minutes').fill('50');
            await page.getByLabel('Distance').fill('8');
            const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/activities');
            await page.getByRole('button', { name: 'Save activity' }).click();
            const activity = await (await created).json();
            await page.getByTestId('activity-name').waitFor();
            await ownerBadges(page, activity);
            assert.equal(await textOf(page.getByTestId('activity-distance')), '8.00 km');
            assert.equal(await textOf(page.getByTestId('activity-pace')), '6:15 /km');
            assert.equal(await page.getByTestId('route-map').count(), 0);
            assert.equal(await page.getByTestId('charts').count(), 0);
            await shoot(page, '43-sport-manual');
            assert.deepEqual(errors, []);
        }));
});
