// The web app against the real server: sign-up, profile editing, reload, sign-out, problem+json
// field errors, and the offline shell. Run with `npm run test:browser` (builds web/dist first).
import assert from 'node:assert/strict';
import test from 'node:test';
import { requireServices } from '../../../tests/e2e/kit.mjs';
import { screenshot, startSuite, uniqueEmail, watchConsole, withPhone } from './browser.mjs';

// Random enough to stay clear of any common-password list, and long enough for the policy.
const kPassword = `Trail-${Math.random().toString(36).slice(2, 10)}-run`;

async function signUp(page, { name, email, password }) {
    await page.goto('/');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
}

test('web app in a phone browser', async (t) => {
    if (!requireServices(t)) {
        return;
    }
    const { server, browser } = await startSuite(t, 'server.log');

    await t.test('sign up, edit profile, reload, sign out', () =>
        withPhone(browser, server.url, 'profile', async (context) => {
            const page = await context.newPage();
            const errors = watchConsole(page);
            await page.goto('/');
            await page.getByRole('heading', { name: 'Strava+1', exact: true }).waitFor();
            assert.equal(new URL(page.url()).hash, '#/login');
            await screenshot(page, '01-login');

            await signUp(page, { name: 'Ada Lovelace', email: uniqueEmail('ada'), password: kPassword });
            await page.getByRole('navigation', { name: 'Main' }).waitFor();
            await page.getByRole('heading', { name: 'Feed', exact: true }).waitFor();
            await screenshot(page, '02-feed');

            await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'You' }).click();
            await assertText(page.getByTestId('profile-name'), 'Ada Lovelace');
            await page.getByTestId('edit-profile').click();
            await page.getByRole('heading', { name: 'Edit profile', exact: true }).waitFor();

            await page.getByLabel('Display name').fill('Ada Runner');
            await page.getByLabel('Units').selectOption('imperial');
            await page.getByLabel('Weight').fill('150');
            await screenshot(page, '03-edit-profile');
            const saved = page.waitForResponse((r) => r.url().endsWith('/v1/me') && r.request().method() === 'PATCH');
            await page.getByRole('button', { name: 'Save changes' }).click();
            const body = await (await saved).json();
            assert.equal(body.display_name, 'Ada Runner');
            assert.equal(body.units, 'imperial');
            assert.ok(Math.abs(body.weight_kg - 68.039) < 0.01, `weight_kg ${body.weight_kg} should be 150 lb in kg`);

            await assertText(page.getByTestId('profile-name'), 'Ada Runner');
            await assertText(page.getByTestId('profile-weight'), '150 lb');
            await screenshot(page, '04-you');

            // A reload starts from nothing but the refresh token in localStorage.
            await page.reload();
            await assertText(page.getByTestId('profile-name'), 'Ada Runner');
            await assertText(page.getByTestId('profile-weight'), '150 lb');
            await page.getByTestId('edit-profile').click();
            assert.equal(await page.getByLabel('Units').inputValue(), 'imperial');
            assert.equal(await page.getByLabel('Weight').inputValue(), '150');
            await page.getByRole('link', { name: 'Back' }).click();

            await page.getByTestId('sign-out').click();
            await page.getByRole('button', { name: 'Log in' }).waitFor();
            assert.equal(new URL(page.url()).hash, '#/login');
            assert.equal(await page.evaluate(() => localStorage.getItem('strava1.refresh_token')), null);
            await page.reload();
            await page.getByRole('button', { name: 'Log in' }).waitFor();
            await screenshot(page, '05-signed-out');
            assert.deepEqual(errors, []);
        }));

    await t.test('a rejected sign-up shows the server field error next to the field', () =>
        withPhone(browser, server.url, 'signup-error', async (context) => {
            const page = await context.newPage();
            const answer = page.waitForResponse((r) => r.url().endsWith('/v1/auth/signup'));
            // Long enough for the browser's own check; the server refuses a single repeated letter.
            await signUp(page, { name: 'Repeated Password', email: uniqueEmail('repeat'), password: 'aaaaaaaaaaaa' });
            const response = await answer;
            assert.equal(response.status(), 400);
            assert.match(response.headers()['content-type'], /^application\/problem\+json/);
            const problem = await response.json();
            const reason = problem.errors?.find((e) => e.field === 'password')?.reason;
            assert.equal(reason, 'must not repeat a single character', `the password's errors[] entry in ${JSON.stringify(problem)}`);

            const fieldError = page.locator('[data-field="password"] .field__error');
            await fieldError.waitFor();
            const shown = (await fieldError.textContent()) ?? '';
            assert.equal(shown.toLowerCase(), reason.toLowerCase());
            assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
            await page.locator('.problem').waitFor();
            assert.equal(new URL(page.url()).hash, '#/signup');
            await screenshot(page, '06-signup-error');
        }));

    await t.test('sessions: a second device shows up and can be revoked', () => {
        const email = uniqueEmail('grace');
        return withPhone(browser, server.url, 'sessions-phone', (phone) =>
            withPhone(browser, server.url, 'sessions-tablet', async (tablet) => {
                const page = await phone.newPage();
                await signUp(page, { name: 'Grace Hopper', email, password: kPassword });
                await page.getByRole('navigation', { name: 'Main' }).waitFor();

                const other = await tablet.newPage();
                await other.goto('/');
                await other.getByLabel('Email').fill(email);
                await other.getByLabel('Password').fill(kPassword);
                await other.getByRole('button', { name: 'Log in' }).click();
                await other.getByRole('navigation', { name: 'Main' }).waitFor();

                await page.goto('/#/you/sessions');
                const rows = page.locator('[data-testid^="session-"]');
                await page.getByText('2 active sessions').waitFor();
                assert.equal(await rows.count(), 2);
                await page.getByText('This device').waitFor();
                await screenshot(page, '07-sessions');

                await rows.filter({ hasNotText: 'This device' }).getByRole('button', { name: 'Revoke' }).click();
                await page.getByText('1 active session').waitFor();

                // The revoked device is signed out at its next request (its refresh is refused too).
                await other.goto('/#/you/sessions');
                await other.reload();
                await other.getByRole('button', { name: 'Log in' }).waitFor();

                // Signing this device out asks first, in the app's own sheet: "Cancel" keeps the session.
                const signOut = page.getByRole('button', { name: 'Sign out', exact: true });
                await signOut.click();
                const sheet = page.getByRole('alertdialog', { name: 'Sign out of this device?' });
                await sheet.getByRole('button', { name: 'Cancel' }).click();
                await sheet.waitFor({ state: 'detached' });
                await page.getByText('1 active session').waitFor();
                await signOut.click();
                await sheet.getByRole('button', { name: 'Sign out' }).click();
                await page.getByRole('button', { name: 'Log in' }).waitFor();
                assert.equal(await page.evaluate(() => localStorage.getItem('strava1.refresh_token')), null);
            }),
        );
    });

    await t.test('deleting the account asks in the confirm sheet; cancelling sends nothing', () =>
        withPhone(browser, server.url, 'delete-account', async (context) => {
            const page = await context.newPage();
            const errors = watchConsole(page);
            await signUp(page, { name: 'Dora Delete', email: uniqueEmail('dora'), password: kPassword });
            await page.getByRole('navigation', { name: 'Main' }).waitFor();
            await page.goto('/#/you/account');
            const deletes = [];
            page.on('request', (request) => {
                if (request.method() === 'DELETE') {
                    deletes.push(new URL(request.url()).pathname);
                }
            });
            const form = page.getByRole('form', { name: 'Delete account' });
            await form.getByLabel('Password').fill(kPassword);
            await form.getByRole('button', { name: 'Delete my account' }).click();
            const sheet = page.getByRole('alertdialog', { name: 'Delete your account?' });
            await sheet.waitFor();
            await screenshot(page, '08-delete-account-confirm');
            await page.keyboard.press('Escape');
            await sheet.waitFor({ state: 'detached' });
            assert.deepEqual(deletes, [], 'Escape deletes nothing');
            await form.getByRole('button', { name: 'Delete my account' }).click();
            await sheet.getByRole('button', { name: 'Delete account' }).click();
            await page.getByRole('button', { name: 'Create account' }).waitFor();
            assert.deepEqual(deletes, ['/v1/me']);
            assert.deepEqual(errors, []);
        }));

    await t.test('the API docs at /docs render without leaving the server', () =>
        withPhone(browser, server.url, 'docs', async (context) => {
            const page = await context.newPage();
            const foreign = [];
            page.on('request', (request) => {
                if (!request.url().startsWith(server.url) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) {
                    foreign.push(request.url());
                }
            });
            // Its Content-Security-Policy must let Redoc work: a violation shows up as a console error.
            const errors = watchConsole(page);
            const response = await page.goto('/docs');
            assert.equal(response?.status(), 200);
            assert.match(response.headers()['content-security-policy'] ?? '', /default-src 'self'/);
            await page.getByRole('heading', { name: /Strava\+1 API/ }).first().waitFor();
            await screenshot(page, '08-api-docs', { fullPage: false });
            assert.deepEqual(foreign, []);
            assert.deepEqual(errors, []);
        }));

    await t.test('the service worker registers and the shell opens offline', () =>
        withPhone(browser, server.url, 'offline', async (context) => {
            const page = await context.newPage();
            await signUp(page, { name: 'Offline Olly', email: uniqueEmail('olly'), password: kPassword });
            await page.getByRole('navigation', { name: 'Main' }).waitFor();
            const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
            assert.equal(scope, `${server.url}/`);
            // clients.claim() makes the worker control this page without a reload.
            await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

            await context.setOffline(true);
            const response = await page.reload();
            assert.ok(response?.fromServiceWorker(), 'the shell should come from the service worker');
            await page.getByRole('navigation', { name: 'Main' }).waitFor();
            await page.getByTestId('offline-banner').waitFor();
            await screenshot(page, '09-offline-shell');

            // Back online, the app resumes the session by itself with the kept refresh token.
            // (No reload here: a refresh cut off by unloading the page would spend the token.)
            await context.setOffline(false);
            await page.getByTestId('offline-banner').waitFor({ state: 'detached' });
            await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'You' }).click();
            await assertText(page.getByTestId('profile-name'), 'Offline Olly');
            assert.equal(await page.getByTestId('offline-banner').count(), 0);
        }));
});

/** Waits for the locator to show exactly `expected` (trimmed). */
async function assertText(locator, expected) {
    await locator.waitFor();
    const deadline = Date.now() + 5_000;
    let actual = '';
    while (Date.now() < deadline) {
        actual = ((await locator.textContent()) ?? '').trim();
        if (actual === expected) {
            return;
        }
        await new Promise((done) => setTimeout(done, 50));
    }
    assert.equal(actual, expected);
}
