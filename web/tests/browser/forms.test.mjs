// Forms and errors, the kit's standard, against the real server: a failed submit focuses the first
// invalid field and says the errors in the polite live region without a request; a problem shows
// in plain words with the request id folded in "Details for support"; the upload screen refuses a
// file of unknown type without a request, shows sport, distance and time on a ready row, links a
// duplicate to the first activity, and says a broken file's line in plain words.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { requireOrSkip, requireServices, testdataDir } from '../../../tests/e2e/kit.mjs';
import { screenshot, startSuite, uniqueEmail, watchConsole, withPhone } from './browser.mjs';

const kPassword = `Trail-${Math.random().toString(36).slice(2, 10)}-run`;
/** A Garmin Connect run: 502 points, heart rate (SOURCES.md). */
const kGpx = join(testdataDir, 'gpx', '2067489619.gpx');

/** Every request the pages of `context` make, as "METHOD path". */
function recordRequests(context) {
    const seen = [];
    context.on('request', (request) => seen.push(`${request.method()} ${new URL(request.url()).pathname}`));
    return seen;
}

/** Polls `read` until it returns something truthy, or fails after `ms` with `what`. */
async function until(read, what, ms = 10_000) {
    const deadline = Date.now() + ms;
    for (;;) {
        const value = await read();
        if (value) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((resolve) => setImmediate(resolve));
    }
}

/** The app's metric distance ("4.40 km") and short duration ("45m 10s", "1h 02m"). */
function kmText(m) {
    const km = m / 1000;
    return `${km.toFixed(km < 10 ? 2 : 1)} km`;
}

function durationText(seconds) {
    const total = Math.round(seconds);
    const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
    return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s).padStart(2, '0')}s`;
}

async function signUp(page, name) {
    await page.goto('/#/signup');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Email').fill(uniqueEmail(name.split(' ')[0].toLowerCase()));
    await page.getByLabel('Password').fill(kPassword);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

test('forms and errors in a phone browser', async (t) => {
    if (!requireServices(t)) {
        return;
    }
    const { server, browser } = await startSuite(t, 'server-forms.log');

    await t.test('a sign-up with a bad email and a short password focuses the email and says why, sending nothing', () =>
        withPhone(browser, server.url, 'forms-signup', async (context) => {
            const requests = recordRequests(context);
            const page = await context.newPage();
            const errors = watchConsole(page);
            await page.goto('/#/signup');
            await page.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
            await page.getByLabel('Email').fill('ada.example.com');
            await page.getByLabel('Password').fill('short');
            // Focus sits on the button: the failure must move it to the first invalid field.
            await page.getByRole('button', { name: 'Create account' }).click();

            const focusedName = () => page.evaluate(() => document.activeElement?.getAttribute('name') ?? null);
            await until(async () => (await focusedName()) === 'email', 'focus on the email input');
            assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
            assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
            const live = page.getByTestId('live-polite');
            assert.equal(await live.getAttribute('aria-live'), 'polite');
            const said = await until(async () => (await live.textContent()) || null, 'the live region to speak');
            assert.equal(said, 'Email: Enter an email address like name@example.com. Password: Use at least 10 characters (this one has 5).');
            assert.deepEqual(requests.filter((r) => r.startsWith('POST ')), [], 'the browser checks before sending');
            await screenshot(page, '40-signup-checked');

            // The server stays the authority: a password it refuses (one repeated letter) comes back on its field.
            await page.getByLabel('Email').fill(uniqueEmail('ada'));
            await page.getByLabel('Password').fill('aaaaaaaaaaaa');
            const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/auth/signup');
            await page.getByRole('button', { name: 'Create account' }).click();
            assert.equal((await answer).status(), 400);
            await until(async () => (await focusedName()) === 'password', 'focus on the password the server refused');
            assert.equal(await page.locator('[data-field="password"] .field__error').textContent(), 'Must not repeat a single character');
            // The banner: plain words, no field paths, no "Reference:", the request id folded away.
            const banner = page.locator('.problem');
            assert.equal(await banner.getAttribute('role'), 'alert');
            const text = await banner.innerText();
            assert.match(text, /^Please check what you entered\.\s+The highlighted fields need another look\.\s+Details for support\s*$/, text);
            assert.equal(await banner.locator('details').getAttribute('open'), null, 'support details start collapsed');
            const requestId = (await banner.getByTestId('problem-request-id').textContent()) ?? '';
            assert.match(requestId, /\S{8,}/);
            assert.ok(!text.includes(requestId), 'the request id is not shown until asked for');
            await banner.getByText('Details for support').click();
            assert.match(await banner.locator('details').innerText(), /Status\s*400[\s\S]*Type\s*invalid-argument/);
            await screenshot(page, '41-signup-server-error');
            // The browser logs the refused sign-up's 400 itself; anything else is a fault.
            assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
        }));

    await t.test('upload: a .txt is refused without a request; a GPX shows sport, distance, time; again, it links to the first', (tt) => {
        if (!requireOrSkip(tt, existsSync(kGpx), `test data ${kGpx} not found (set STRAVA1_TESTDATA)`)) {
            return;
        }
        return withPhone(browser, server.url, 'forms-upload', async (context) => {
            const requests = recordRequests(context);
            const page = await context.newPage();
            const errors = watchConsole(page);
            await signUp(page, 'Uma Upload');
            await page.goto('/#/upload');
            await page.getByRole('heading', { name: 'Upload', exact: true }).waitFor();
            const posts = () => requests.filter((r) => r === 'POST /v1/uploads');

            await page.getByLabel('Choose files').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a workout\n') });
            const refused = page.getByTestId('upload-item').nth(0);
            await page.locator('[data-testid="upload-item"][data-phase="error"]').first().waitFor();
            assert.equal(await refused.locator('.upload-item__error').textContent(), "This isn't a workout file. Choose a GPX, TCX or FIT file (or one of them gzipped, .gz).");
            // A .gpx whose bytes are not XML is refused too, by its first bytes.
            await page.getByLabel('Choose files').setInputFiles({ name: 'renamed.gpx', mimeType: 'application/gpx+xml', buffer: Buffer.from('PK\x03\x04 a zip really') });
            await page.locator('[data-testid="upload-item"][data-phase="error"]').nth(1).waitFor();
            assert.equal(await page.getByTestId('upload-item').nth(1).locator('.upload-item__error').textContent(), 'This file is named .gpx but is not a GPX file.');
            assert.deepEqual(posts(), [], 'no upload request left the page');

            const first = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/uploads');
            const read = page.waitForResponse((r) => r.request().method() === 'GET' && /^\/v1\/activities\/\d+$/.test(new URL(r.url()).pathname), { timeout: 30_000 });
            await page.getByLabel('Choose files').setInputFiles(kGpx);
            assert.equal((await first).status(), 201);
            const ready = page.getByTestId('upload-item').nth(2);
            const summary = ready.getByTestId('upload-summary');
            await summary.waitFor({ timeout: 30_000 });
            const view = ready.getByTestId('upload-view');
            const firstId = Number(/(\d+)$/.exec((await view.getAttribute('href')) ?? '')?.[1]);
            assert.ok(firstId > 0, 'the ready row links its activity');
            // The row's figures are the activity's: its sport, distance and moving time as the list shows them.
            const activity = await (await read).json();
            assert.equal(activity.id, firstId);
            assert.equal(activity.sport, 'run', 'SOURCES.md: a run');
            assert.equal(await summary.textContent(), `Run · ${kmText(activity.distance_m)} · ${durationText(activity.moving_s || activity.elapsed_s)}`);
            await screenshot(page, '42-upload-ready-summary');

            const second = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/uploads');
            await page.getByLabel('Choose files').setInputFiles(kGpx);
            await second;
            const duplicate = page.getByTestId('upload-item').nth(3).getByTestId('upload-duplicate');
            await duplicate.waitFor({ timeout: 30_000 });
            assert.equal(await duplicate.getAttribute('href'), `#/activity/${firstId}`);
            await screenshot(page, '43-upload-duplicate');

            // A broken file: the server's plain sentence, with the line the XML parser knows.
            const broken = readFileSync(kGpx, 'utf8').replace(/<time>[^<]+<\/time>/g, (match, offset, whole) => (offset > whole.indexOf('<trkpt') ? '<time>noon</time>' : match));
            const line = broken.slice(0, broken.indexOf('<time>noon')).split('\n').length;
            await page.getByLabel('Choose files').setInputFiles({ name: 'broken.gpx', mimeType: 'application/gpx+xml', buffer: Buffer.from(broken) });
            const failed = page.locator('[data-testid="upload-item"][data-phase="error"]').nth(2);
            await failed.waitFor({ timeout: 30_000 });
            assert.equal(await failed.locator('.upload-item__error').textContent(), `We couldn't read this file: line ${line}, the time "noon" is not a date.`);
            await screenshot(page, '44-upload-broken');
            assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), []);
        });
    });
});
