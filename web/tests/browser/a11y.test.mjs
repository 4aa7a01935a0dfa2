// Accessibility of every screen, checked by axe-core (WCAG 2.0/2.1/2.2 A and AA rules) in Chromium,
// at a phone's 390×844 (light and dark) and a laptop's 1366×900: a serious or critical violation anywhere fails,
// and every violation found (also the minor ones) is written to test-artifacts/browser/a11y.json
// for review. The screens hold real content: a signed-in user with an uploaded GPX run and a
// manual activity, so figures, charts, lists and forms are all on the page when axe looks.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import test from 'node:test';
import { api, requireOrSkip, requireServices, testdataDir } from '../../../tests/e2e/kit.mjs';
import { saveText, screenshot, startSuite, watchConsole } from './browser.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const kTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const kBlocking = new Set(['serious', 'critical']);

const kViewports = [
    { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    { name: 'phone-dark', colorScheme: 'dark', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    { name: 'desktop', viewport: { width: 1366, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 },
];

/** Runs axe on the page as it is; resolves with its violations, summarised. */
async function axeViolations(page) {
    if (!(await page.evaluate(() => 'axe' in window))) {
        await page.addScriptTag({ path: axePath });
    }
    const result = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
        kTags,
    );
    return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
}

/** The screen is drawn: its title set, no "Loading" left in the main region. */
async function settle(page, hash, title) {
    try {
        await page.waitForFunction((t) => document.title.startsWith(t), title);
        // (The style guide shows a busy button on purpose.)
        await page.waitForFunction((h) => h === '#/styleguide' || !document.querySelector('[aria-busy="true"]'), hash);
        // Colours are measured at rest, not halfway through an entrance animation.
        await page.evaluate(() => Promise.all(document.getAnimations()
            .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity))
            .map((a) => a.finished.catch(() => undefined))));
    } catch (error) {
        throw new Error(`${hash} did not settle (title "${await page.title()}", wanted "${title}"): ${error.message}`);
    }
}

test('axe-core finds no serious or critical violation on any screen, on a phone and on a desktop', async (t) => {
    if (!requireServices(t)) return;
    const gpx = join(testdataDir, 'gpx', '2067489619.gpx');
    if (!requireOrSkip(t, existsSync(gpx), `test data ${gpx} not found (set STRAVA1_TESTDATA)`)) return;
    const { server, browser } = await startSuite(t, 'a11y-server.log');
    const client = api(server);
    const user = await client.signUp({ displayName: 'Ana Axe' });
    const ana = client.as(user);
    const uploaded = await ana.uploadReady(readFileSync(gpx), '?name=Morning%20run');
    const manual = await ana.post('/v1/activities', {
        sport: 'swim', start_time: '2026-03-01T07:00:00Z', elapsed_s: 1800, distance_m: 1500, name: 'Pool',
    });
    assert.equal(manual.status, 201, manual.text);
    // A zone, so the privacy zones screen shows its list.
    const zone = await ana.post('/v1/me/privacy-zones', { lat: 45.1, lng: 13.6, radius_m: 400 });
    assert.equal(zone.status, 201, zone.text);
    // Another athlete, whose profile (follow, block) Ana opens.
    const bea = await client.signUp({ displayName: 'Bea Axe' });
    // A club with an event and a leaderboard line, so the club page shows every part.
    const club = await ana.post('/v1/clubs', { name: 'Axe Runners', sport: 'run', privacy: 'public' });
    assert.equal(club.status, 201, club.text);
    const event = await ana.post(`/v1/clubs/${club.json.id}/events`, {
        title: 'Track night', starts_at: new Date(Date.now() + 86_400_000).toISOString(), ends_at: new Date(Date.now() + 90_000_000).toISOString(),
    });
    assert.equal(event.status, 201, event.text);

    // [hash path, the title the screen sets, signed in?]
    const screens = [
        ['#/login', 'Log in', false],
        ['#/signup', 'Sign up', false],
        ['#/feed', 'Feed', true],
        ['#/record', 'Record', true],
        ['#/you', 'You', true],
        ['#/you/edit', 'Edit profile', true],
        ['#/you/sessions', 'Sessions', true],
        ['#/you/account', 'Password & account', true],
        ['#/you/privacy-zones', 'Privacy zones', true],
        ['#/you/follow-requests', 'Follow requests', true],
        ['#/notifications', 'Notifications', true],
        [`#/user/${bea.id}`, 'Profile', true],
        ['#/activities', 'Your activities', true],
        ['#/activities/new', 'Manual activity', true],
        [`#/activity/${uploaded}`, 'Morning run', true],
        [`#/activity/${manual.json.id}`, 'Pool', true],
        [`#/activity/${uploaded}/edit`, 'Edit activity', true],
        ['#/upload', 'Upload', true],
        ['#/clubs', 'Clubs', true],
        ['#/clubs/new', 'New club', true],
        [`#/club/${club.json.id}`, 'Axe Runners', true],
        ['#/styleguide', 'Style guide', true],
    ];

    const report = {};
    const blocking = [];
    for (const device of kViewports) {
        const context = await browser.newContext({
            baseURL: server.url, locale: 'en-US', timezoneId: 'UTC', serviceWorkers: 'block',
            // axe is injected as a script; the app's CSP (script-src 'self') would refuse it.
            bypassCSP: true,
            viewport: device.viewport, isMobile: device.isMobile, hasTouch: device.hasTouch,
            deviceScaleFactor: device.deviceScaleFactor, colorScheme: device.colorScheme ?? 'light',
        });
        context.setDefaultTimeout(15_000);
        try {
            const page = await context.newPage();
            const problems = watchConsole(page);
            for (const signedIn of [false, true]) {
                await page.goto('/');
                if (signedIn) {
                    // The app resumes a session from the refresh token it keeps, as after a reload. A
                    // session of its own per device: a refresh token already rotated by the previous
                    // device counts as reused once its 30 s grace is over, and ends the session.
                    const login = await client.post('/v1/auth/login', { email: user.email, password: user.password });
                    assert.equal(login.status, 200, login.text);
                    await page.evaluate((token) => localStorage.setItem('strava1.refresh_token', token), login.json.refresh_token);
                } else {
                    await page.evaluate(() => localStorage.clear());
                }
                await page.reload();
                for (const [hash, title, needsUser] of screens.filter((s) => s[2] === signedIn)) {
                    await page.goto(`/${hash}`);
                    await settle(page, hash, title);
                    const violations = await axeViolations(page);
                    const key = `${device.name} ${hash}`;
                    report[key] = violations;
                    for (const v of violations.filter((x) => kBlocking.has(x.impact))) {
                        blocking.push(`${key}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target).join(', ')}`);
                    }
                    if (violations.some((x) => kBlocking.has(x.impact))) {
                        await screenshot(page, `a11y-FAILED-${device.name}-${hash.replace(/[^a-z0-9]+/gi, '_')}`);
                    }
                    assert.equal(needsUser, signedIn);
                }
                if (signedIn) {
                    // The Record screen's states that only a workout reaches: live, paused, the
                    // Save sheet, the confirm sheet (no location permission: the GPS state shows).
                    const check = async (name) => {
                        // Measured at rest, after the sheet's entrance animation.
                        await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
                        const violations = await axeViolations(page);
                        const key = `${device.name} #/record (${name})`;
                        report[key] = violations;
                        for (const v of violations.filter((x) => kBlocking.has(x.impact))) {
                            blocking.push(`${key}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target).join(', ')}`);
                        }
                    };
                    await page.goto('/#/record');
                    await page.getByRole('button', { name: 'Start' }).click();
                    await page.getByRole('button', { name: 'Pause' }).waitFor();
                    await check('recording');
                    await page.getByRole('button', { name: 'Pause' }).click();
                    await page.getByTestId('record-paused').waitFor();
                    await check('paused');
                    await page.getByRole('button', { name: 'Finish' }).click();
                    await page.getByTestId('save-sheet').waitFor();
                    await check('save sheet');
                    await page.keyboard.press('Escape');
                    await page.getByTestId('save-sheet').waitFor({ state: 'detached' });
                    await page.getByRole('button', { name: 'Discard' }).click();
                    await page.getByRole('alertdialog').waitFor();
                    await check('confirm sheet');
                    await page.getByRole('button', { name: 'Discard recording' }).click();
                    await page.getByRole('button', { name: 'Start' }).waitFor();
                }
            }
            assert.deepEqual(problems, [], 'no JavaScript errors on any screen');
        } finally {
            await context.close();
        }
    }
    await saveText('a11y.json', `${JSON.stringify(report, null, 2)}\n`);
    assert.deepEqual(blocking, [], 'serious or critical accessibility violations (all in test-artifacts/browser/a11y.json)');
});
