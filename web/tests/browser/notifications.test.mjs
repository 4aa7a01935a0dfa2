// Notifications: A follows B and gives kudos to B's activity through the API; the notifications
// feature's subscribers (the server's job workers) write B's notifications, B's tab bar shows the
// unread badge, the list says who did what, and "Mark all read" clears the badge. Screenshots at a
// phone's 390×844 and a laptop's 1366×900.
import assert from 'node:assert/strict';
import test from 'node:test';
import { api, requireServices, until } from '../../../tests/e2e/kit.mjs';
import { newPhoneContext, screenshot, startSuite, watchConsole } from './browser.mjs';

test('Notifications: B sees A\'s follow and kudos with an unread badge, then marks all read', async (t) => {
    if (!requireServices(t)) return;
    const { server, browser } = await startSuite(t, 'notifications-server.log');
    const client = api(server);
    const a = await client.signUp({ displayName: 'Ada Giver' });
    const b = await client.signUp({ displayName: 'Bea Runner' });
    const made = await client.as(b).post('/v1/activities', { sport: 'run', start_time: '2026-02-01T07:00:00Z', elapsed_s: 1800, distance_m: 5000, name: 'Dawn loop' });
    assert.equal(made.status, 201, made.text);
    assert.equal((await client.as(a).post(`/v1/users/${b.id}/follow`)).status, 200);
    assert.equal((await client.as(a).put(`/v1/activities/${made.json.id}/kudos`)).status, 200);
    // The notifications are written by job workers after the requests: wait for them.
    await until('B to have two unread notifications', async () => {
        const count = await client.as(b).get('/v1/notifications/unread-count');
        return count.json?.count === 2;
    }, { timeoutMs: 30_000 });

    const context = await newPhoneContext(browser, server.url);
    try {
        const page = await context.newPage();
        const problems = watchConsole(page);
        await page.context().addInitScript((token) => {
            if (!localStorage.getItem('strava1.refresh_token')) {
                localStorage.setItem('strava1.refresh_token', token);
            }
        }, b.refresh_token);
        await page.goto('/#/feed');
        const badge = page.getByTestId('tab-notifications-badge');
        await badge.waitFor();
        assert.equal((await badge.innerText()).trim(), '2');
        await page.getByTestId('tab-notifications').click();
        await page.waitForFunction(() => location.hash === '#/notifications');
        await page.getByText('Ada Giver gave you kudos').waitFor();
        await page.getByText('Ada Giver started following you').waitFor();
        const rows = await page.locator('[data-testid^="notification-"]').allInnerTexts();
        assert.equal(rows.length, 2, rows.join(' | '));
        assert.match(rows[0], /Ada Giver gave you kudos/);
        await screenshot(page, 'notifications-phone');
        await page.setViewportSize({ width: 1366, height: 900 });
        await screenshot(page, 'notifications-desktop');
        await page.setViewportSize({ width: 390, height: 844 });

        await page.getByRole('button', { name: 'Mark all read' }).click();
        await page.getByText('All read', { exact: true }).first().waitFor();
        await page.waitForFunction(() => !document.querySelector('[data-testid="tab-notifications-badge"]'));
        const count = await client.as(b).get('/v1/notifications/unread-count');
        assert.equal(count.json.count, 0, count.text);
        // Tapping the kudos notification opens the activity.
        await page.getByText('Ada Giver gave you kudos').click();
        await page.waitForFunction((id) => location.hash === `#/activity/${id}`, made.json.id);
        assert.deepEqual(problems, []);
    } finally {
        await context.close();
    }
});
