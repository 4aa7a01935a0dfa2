// Following from another athlete's profile: A opens B's (open) profile, taps Follow, and the button
// says Following (and B's follower count moved); B's follow requests screen opens from You. Blocking
// from the overflow menu asks first (ConfirmSheet), then B's profile is gone for A.
import assert from 'node:assert/strict';
import test from 'node:test';
import { api, requireServices } from '../../../tests/e2e/kit.mjs';
import { newPhoneContext, screenshot, startSuite, watchConsole } from './browser.mjs';

async function openAs(page, user, hash) {
    await page.context().addInitScript((token) => {
        if (!localStorage.getItem('strava1.refresh_token')) {
            localStorage.setItem('strava1.refresh_token', token);
        }
    }, user.refresh_token);
    await page.goto(`/${hash}`);
}

test('Profile: A follows B (open profile) and the button says Following; block asks first', async (t) => {
    if (!requireServices(t)) return;
    const { server, browser } = await startSuite(t, 'social-server.log');
    const client = api(server);
    const a = await client.signUp({ displayName: 'Ada Follower' });
    const b = await client.signUp({ displayName: 'Bea Athlete' });

    const context = await newPhoneContext(browser, server.url);
    try {
        const page = await context.newPage();
        const problems = watchConsole(page);
        await openAs(page, a, `#/user/${b.id}`);
        const button = page.getByTestId('follow-button');
        await button.waitFor();
        assert.equal((await button.innerText()).trim(), 'Follow');
        assert.match(await page.getByTestId('follow-counts').innerText(), /0 followers/);
        await screenshot(page, 'social-profile-before');
        await button.click();
        await page.waitForFunction(() => document.querySelector('[data-testid="follow-button"]')?.textContent?.trim() === 'Following');
        assert.match(await page.getByTestId('follow-counts').innerText(), /1 follower\b/);
        await screenshot(page, 'social-profile-following');
        // The server agrees, and a reload shows the same.
        const seen = await client.as(a).get(`/v1/users/${b.id}`);
        assert.equal(seen.json.relationship.following, 'accepted', seen.text);
        await page.reload();
        await page.waitForFunction(() => document.querySelector('[data-testid="follow-button"]')?.textContent?.trim() === 'Following');

        // Block: from the overflow menu, confirmed in the sheet; then B's profile answers 404 to A.
        await page.getByTestId('profile-more').click();
        await page.getByTestId('block-user').click();
        await page.getByTestId('confirm-sheet-confirm').click();
        await page.waitForFunction(() => location.hash === '#/feed');
        const hidden = await client.as(a).get(`/v1/users/${b.id}`);
        assert.equal(hidden.status, 404, hidden.text);
        assert.deepEqual(problems, []);
    } finally {
        await context.close();
    }

    // B's follow requests open from You.
    const other = await newPhoneContext(browser, server.url);
    try {
        const page = await other.newPage();
        await openAs(page, b, '#/you');
        await page.getByTestId('follow-requests').click();
        await page.getByText('No follow requests').waitFor();
        await screenshot(page, 'social-follow-requests');
    } finally {
        await other.close();
    }
});
