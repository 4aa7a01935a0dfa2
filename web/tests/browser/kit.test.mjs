// The web kit against the real server: the living style page compared with its committed
// screenshots, a long activity list paging in by itself as it scrolls (usePagedList), and a
// screen's read aborted when the user leaves it (useLoad). Run with `npm run test:browser`.
//
// The screenshots are made deterministic: a fixed viewport and scale, the page font pinned to
// DejaVu Sans (Debian's fonts-dejavu-core, which chromium depends on), no animations, no caret.
// After an intended change to the design system, refresh the baselines with
//   STRAVA1_TEST_UPDATE_BASELINES=1 npm run test:browser
// and look at the new PNGs before committing them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { requireServices } from '../../../tests/e2e/harness.mjs';
import { artifactsDir, screenshot, startSuite, uniqueEmail, watchConsole, withPhone } from './browser.mjs';
import { comparePngs } from './pixels.mjs';

const baselinesDir = join(dirname(fileURLToPath(import.meta.url)), 'baselines');
/**
 * Pixels allowed to differ (by more than pixels.mjs's channel tolerance) for anti-aliasing noise.
 * The same machine draws the page identically (0); 2 px less corner radius on cards is ~470.
 */
const kMaxDifferingPixels = 100;
const kPassword = `Trail-${Math.random().toString(36).slice(2, 10)}-run`;

/** True when the page draws text in `family` itself: then the fallback after it makes no difference. */
function fontInstalled(page, family) {
    return page.evaluate((name) => {
        const context = document.createElement('canvas').getContext('2d');
        const width = (font) => {
            context.font = font;
            return context.measureText('Morning run 10.2 km · Wg').width;
        };
        return width(`16px "${name}", monospace`) === width(`16px "${name}", serif`) && width('16px monospace') !== width('16px serif');
    }, family);
}

async function compareWithBaseline(t, browser, name, actual) {
    const baselinePath = join(baselinesDir, `${name}.png`);
    if (process.env.STRAVA1_TEST_UPDATE_BASELINES === '1') {
        await mkdir(baselinesDir, { recursive: true });
        await writeFile(baselinePath, actual);
        process.stderr.write(`\n*** wrote the baseline ${baselinePath}: look at it before committing ***\n\n`);
        return;
    }
    assert.ok(existsSync(baselinePath), `no baseline ${baselinePath}: run with STRAVA1_TEST_UPDATE_BASELINES=1 once`);
    const result = await comparePngs(browser, actual, await readFile(baselinePath));
    t.diagnostic(`${name}: ${result.differing} of ${result.total} pixels differ from the baseline`);
    if (result.sizeMismatch || result.differing > kMaxDifferingPixels) {
        await mkdir(artifactsDir, { recursive: true });
        await writeFile(join(artifactsDir, `${name}.actual.png`), actual);
        if (result.diff) {
            await writeFile(join(artifactsDir, `${name}.diff.png`), result.diff);
        }
    }
    assert.ok(!result.sizeMismatch, `${name}: the page is ${result.actual}, the baseline ${result.expected} (see test-artifacts/browser/${name}.actual.png)`);
    assert.ok(
        result.differing <= kMaxDifferingPixels,
        `${name}: ${result.differing} of ${result.total} pixels differ (${(result.ratio * 100).toFixed(3)}%); see test-artifacts/browser/${name}.diff.png`,
    );
}

async function json(response) {
    const body = await response.json();
    assert.ok(response.ok, `${response.status} ${JSON.stringify(body)}`);
    return body;
}

/** A user with `count` manual activities, one a day, made through the API. */
async function userWithActivities(serverUrl, count) {
    const email = uniqueEmail('paging');
    const signup = await json(
        await fetch(`${serverUrl}/v1/auth/signup`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `signup-${email}` },
            body: JSON.stringify({ email, password: kPassword, display_name: 'Paula Pager' }),
        }),
    );
    const ids = [];
    for (let day = 0; day < count; day++) {
        const created = await json(
            await fetch(`${serverUrl}/v1/activities`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${signup.access_token}`, 'Idempotency-Key': `paging-${email}-${day}` },
                body: JSON.stringify({ sport: 'run', start_time: new Date(Date.UTC(2026, 0, 1 + day, 7)).toISOString(), elapsed_s: 1800 + day, distance_m: 5000 + day, name: `Run ${day + 1}` }),
            }),
        );
        ids.push(created.id);
    }
    return { email, ids };
}

async function logIn(page, email) {
    await page.goto('/');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(kPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    // The feed has read its first page: later list reads are the test's own.
    await page.getByTestId('feed-list').or(page.getByText('Your feed is empty')).waitFor();
}

test('web kit in a browser', async (t) => {
    if (!requireServices(t)) {
        return;
    }
    const { server, browser } = await startSuite(t, 'server-kit.log');

    for (const colorScheme of ['light', 'dark']) {
        await t.test(`the style page looks as its baseline (${colorScheme})`, async (tt) => {
            // Pinning the font needs a style the app's Content-Security-Policy would refuse.
            const context = await browser.newContext({
                baseURL: server.url,
                viewport: { width: 390, height: 844 },
                deviceScaleFactor: 1,
                locale: 'en-US',
                timezoneId: 'UTC',
                colorScheme,
                reducedMotion: 'reduce',
                serviceWorkers: 'block',
                bypassCSP: true,
            });
            try {
                const page = await context.newPage();
                const errors = watchConsole(page);
                const apiCalls = [];
                page.on('request', (request) => {
                    if (new URL(request.url()).pathname.startsWith('/v1/')) {
                        apiCalls.push(request.url());
                    }
                });
                // Signed out: the style page is open to anybody.
                await page.goto('/#/styleguide');
                await page.getByTestId('styleguide').waitFor();
                assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Style guide');
                assert.equal(await page.title(), 'Style guide · Strava+1');
                for (const family of ['DejaVu Sans', 'DejaVu Sans Mono']) {
                    assert.ok(await fontInstalled(page, family), `the font "${family}" is not installed (Debian: fonts-dejavu-core); the baselines are drawn with it`);
                }
                await page.addStyleTag({ content: ":root { --font-sans: 'DejaVu Sans'; --font-mono: 'DejaVu Sans Mono'; }" });
                await page.evaluate(() => document.fonts.ready);
                // Nothing may stick out sideways on a phone.
                assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
                const actual = await page.screenshot({ fullPage: true, animations: 'disabled', caret: 'hide' });
                await compareWithBaseline(tt, browser, `styleguide-${colorScheme}`, actual);
                assert.deepEqual(apiCalls, [], 'the style page calls no API');
                assert.deepEqual(errors, []);
            } finally {
                await context.close();
            }
        });
    }

    await t.test('the confirm sheet is modal: focus inside, Tab wraps, Escape cancels, focus returns', async () => {
        await withPhone(browser, server.url, 'sheet', async (context) => {
            const page = await context.newPage();
            const errors = watchConsole(page);
            await page.goto('/#/styleguide');
            const opener = page.getByRole('button', { name: 'Open a confirm sheet' });
            await opener.click();
            const sheet = page.getByRole('alertdialog', { name: 'Sign out everywhere?' });
            await sheet.waitFor();
            assert.equal(await sheet.getAttribute('aria-modal'), 'true');
            const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
            // Cancel first; Tab goes to the danger button, and wraps instead of leaving the sheet.
            assert.equal(await focused(), 'Cancel');
            await page.keyboard.press('Shift+Tab');
            assert.equal(await focused(), 'Sign out everywhere');
            await page.keyboard.press('Shift+Tab');
            assert.equal(await focused(), 'Cancel');
            await page.keyboard.press('Tab');
            assert.equal(await focused(), 'Sign out everywhere');
            await page.keyboard.press('Escape');
            await sheet.waitFor({ state: 'detached' });
            assert.equal(await page.getByTestId('sheet-answer').textContent(), 'Cancelled');
            assert.equal(await focused(), 'Open a confirm sheet');
            await opener.click();
            await sheet.waitFor();
            // Shown modally: the page behind takes no clicks or focus.
            assert.equal(await page.evaluate(() => document.querySelector('dialog.sheet')?.matches(':modal')), true);
            await sheet.getByRole('button', { name: 'Sign out everywhere' }).click();
            await sheet.waitFor({ state: 'detached' });
            assert.equal(await page.getByTestId('sheet-answer').textContent(), 'Confirmed');
            assert.deepEqual(errors, []);
        });
    });

    await t.test('a long activity list loads its next page by itself as it scrolls', async () => {
        const { email, ids } = await userWithActivities(server.url, 27);
        const newestFirst = [...ids].reverse();
        await withPhone(browser, server.url, 'paging', async (context) => {
            const page = await context.newPage();
            const errors = watchConsole(page);
            await logIn(page, email);
            const pages = [];
            page.on('response', (response) => {
                const url = new URL(response.url());
                if (url.pathname === '/v1/athlete/activities') {
                    pages.push(url.searchParams.get('cursor'));
                }
            });
            await page.goto('/#/activities');
            const rows = page.getByTestId('activity-list').locator('li');
            await rows.nth(19).waitFor();
            assert.equal(await rows.count(), 20, 'the first page holds 20');
            assert.deepEqual(pages, [null]);

            // Scrolling to the end is all it takes; the button is never pressed.
            await page.getByRole('button', { name: 'Load more' }).scrollIntoViewIfNeeded();
            await rows.nth(26).waitFor();
            assert.equal(pages.length, 2);
            assert.ok(pages[1], 'the second page is asked for with the cursor of the first');
            const shown = await rows.locator('a').evaluateAll((links) => links.map((a) => Number(a.dataset.testid.replace('activity-', ''))));
            assert.deepEqual(shown, newestFirst);
            assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0, 'no button after the last page');
            await screenshot(page, '30-activity-list-paged');
            assert.deepEqual(errors, []);
        });
    });

    await t.test('leaving a screen aborts the read it was waiting for', async () => {
        const { email, ids } = await userWithActivities(server.url, 1);
        await withPhone(browser, server.url, 'abort', async (context) => {
            const page = await context.newPage();
            await logIn(page, email);
            const path = `/v1/activities/${ids[0]}`;
            let release;
            const held = new Promise((resolve) => {
                release = resolve;
            });
            // Hold the activity's answer until the user has gone elsewhere.
            await page.route((url) => url.pathname === path, async (route) => {
                await held;
                await route.continue().catch(() => undefined);
            });
            const aborted = page.waitForEvent('requestfailed', { predicate: (request) => new URL(request.url()).pathname === path });
            const asked = page.waitForRequest((request) => new URL(request.url()).pathname === path);
            await page.goto(`/#/activity/${ids[0]}`);
            await asked;
            await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'You' }).click();
            await page.getByTestId('profile-name').waitFor();
            const failed = await aborted;
            release();
            assert.match(failed.failure()?.errorText ?? '', /ERR_ABORTED/);
        });
    });
});
