// The feed journey, on a phone (390×844) and a laptop (1366×900): A follows B through the API, B
// uploads a GPX track, A opens the Feed tab and sees B's card, gives kudos (the count says 1 and
// the server agrees), comments with "@<B's username>" (the comment shows the mention as a link to
// B's profile) and writes a post in the composer that appears on top of the feed (and deletes it). axe-core checks
// the feed and the open comments sheet. Then the activity page shows the kudos and who gave them,
// and B's profile its feed, its followers (A) and Mute. Screenshots go to test-artifacts/browser/.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import test from 'node:test';
import { api, requireServices, testdata, until } from '../../../tests/e2e/kit.mjs';
import { screenshot, startSuite, watchConsole } from './browser.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const kTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const kViewports = [
    { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, track: 'gpx/2067489619.gpx' },
    { name: 'desktop', viewport: { width: 1366, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1, track: 'gpx/3939576645.gpx' },
];

/** Serious and critical axe findings on the page as it is. */
async function seriousViolations(page) {
    if (!(await page.evaluate(() => 'axe' in window))) {
        await page.addScriptTag({ path: axePath });
    }
    const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), kTags);
    return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
}

/** The sheet's entrance animation has ended (screenshots at rest). */
function settled(page) {
    return page.evaluate(() => Promise.all(document.getAnimations().filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity)).map((a) => a.finished.catch(() => undefined))));
}

test('Feed: A sees B\'s activity, gives kudos, comments with a linked mention and posts', async (t) => {
    if (!requireServices(t)) return;
    const tracks = kViewports.map((device) => testdata(t, device.track));
    if (tracks.some((bytes) => bytes === null)) return;
    const { server, browser } = await startSuite(t, 'feed-server.log');
    const client = api(server);
    const a = await client.signUp({ displayName: 'Ada Feed' });
    const b = await client.signUp({ displayName: 'Bea Feed' });
    const username = `bea_${Date.now().toString(36)}`;
    const named = await client.as(b).patch('/v1/me', { username });
    assert.equal(named.status, 200, named.text);
    const follow = await client.as(a).post(`/v1/users/${b.id}/follow`);
    assert.ok(follow.status === 200 || follow.status === 201, follow.text);

    const uploaded = [];
    for (const [index, device] of kViewports.entries()) {
        const activityId = await client.as(b).uploadReady(tracks[index], '?data_type=gpx');
        uploaded.push(activityId);
        const context = await browser.newContext({
            baseURL: server.url, locale: 'en-US', timezoneId: 'UTC', serviceWorkers: 'block',
            // axe is injected as a script; the app's CSP (script-src 'self') would refuse it.
            bypassCSP: true,
            viewport: device.viewport, isMobile: device.isMobile, hasTouch: device.hasTouch, deviceScaleFactor: device.deviceScaleFactor,
        });
        context.setDefaultTimeout(15_000);
        try {
            // A session per context: a refresh token another context rotated would count as reused.
            const login = await client.post('/v1/auth/login', { email: a.email, password: a.password });
            assert.equal(login.status, 200, login.text);
            await context.addInitScript((token) => {
                if (!localStorage.getItem('strava1.refresh_token')) {
                    localStorage.setItem('strava1.refresh_token', token);
                }
            }, login.json.refresh_token);
            const page = await context.newPage();
            const problems = watchConsole(page);
            // Signed in, the app opens on the feed.
            await page.goto('/');
            await page.waitForFunction(() => location.hash === '#/feed');
            const card = page.getByTestId(`feed-activity-${activityId}`);
            await card.waitFor();
            assert.match(await card.getByTestId('feed-author').innerText(), /Bea Feed/);
            assert.equal(await card.getByTestId('feed-author').getAttribute('href'), `#/user/${b.id}`);
            assert.deepEqual(await seriousViolations(page), [], `axe on the feed (${device.name})`);
            await screenshot(page, `feed-${device.name}`);

            // Kudos: shown at once, and the server has it.
            await card.getByTestId('kudos-button').click();
            await page.waitForFunction((id) => {
                const c = document.querySelector(`[data-testid="feed-activity-${id}"]`);
                return c?.querySelector('[data-testid="kudos-button"]')?.getAttribute('aria-pressed') === 'true' && c.querySelector('[data-testid="kudos-count"]')?.textContent?.trim() === '1';
            }, activityId);
            const kudos = await until('the kudos to reach the server', async () => {
                const res = await client.as(a).get(`/v1/activities/${activityId}/kudos`);
                return res.json.users.length > 0 ? res.json : null;
            });
            assert.deepEqual(kudos.users.map((u) => u.id), [a.id]);

            // A comment mentioning B: the mention links to B's profile.
            await card.getByTestId('comments-button').click();
            const sheet = page.getByTestId('comments-sheet');
            await sheet.waitFor();
            await sheet.getByLabel('Add a comment').fill(`Great run @${username}!`);
            await sheet.getByTestId('comment-send').click();
            const mention = sheet.getByTestId('mention');
            await mention.waitFor();
            assert.equal((await mention.innerText()).trim(), `@${username}`);
            assert.equal(await mention.getAttribute('href'), `#/user/${b.id}`);
            const comments = await client.as(a).get(`/v1/activities/${activityId}/comments`);
            assert.equal(comments.json.comments.length, 1, comments.text);
            assert.deepEqual(comments.json.comments[0].mentions, [b.id]);
            assert.deepEqual(await seriousViolations(page), [], `axe on the comments sheet (${device.name})`);
            await settled(page);
            await screenshot(page, `feed-comments-${device.name}`, { fullPage: false });
            await sheet.getByRole('button', { name: 'Close' }).click();
            await page.waitForFunction((id) => document.querySelector(`[data-testid="feed-activity-${id}"] [data-testid="comments-button"]`)?.textContent?.trim() === '1', activityId);

            // A post from the composer, on top of the feed.
            const text = `Hello from the ${device.name} feed`;
            await page.getByTestId('compose-post').click();
            const composer = page.getByTestId('post-composer');
            await composer.getByLabel("What's new?").fill(text);
            await composer.getByTestId('post-send').click();
            await composer.waitFor({ state: 'detached' });
            const post = page.locator('[data-testid^="feed-post-"]').filter({ hasText: text });
            await post.waitFor();
            const posts = await client.as(a).get(`/v1/users/${a.id}/posts`);
            assert.ok(posts.json.posts.some((p) => p.text === text), posts.text);
            await screenshot(page, `feed-posted-${device.name}`);
            // Its author deletes it after the confirm sheet.
            await post.getByTestId('post-delete').click();
            await page.getByTestId('confirm-sheet-confirm').click();
            await post.waitFor({ state: 'detached' });
            const after = await client.as(a).get(`/v1/users/${a.id}/posts`);
            assert.ok(!after.json.posts.some((p) => p.text === text), after.text);
            assert.deepEqual(problems, []);
        } finally {
            await context.close();
        }
    }

    // The activity page has the kudos too; B's profile shows B's feed, the followers list (A) and
    // mutes after the confirm sheet.
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-US', timezoneId: 'UTC', serviceWorkers: 'block', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    context.setDefaultTimeout(15_000);
    try {
        const login = await client.post('/v1/auth/login', { email: a.email, password: a.password });
        assert.equal(login.status, 200, login.text);
        await context.addInitScript((token) => {
            if (!localStorage.getItem('strava1.refresh_token')) {
                localStorage.setItem('strava1.refresh_token', token);
            }
        }, login.json.refresh_token);
        const page = await context.newPage();
        const problems = watchConsole(page);
        await page.goto(`/#/activity/${uploaded[0]}`);
        const social = page.getByTestId('activity-social');
        await social.waitFor();
        assert.equal(await social.getByTestId('kudos-button').getAttribute('aria-pressed'), 'true');
        assert.equal((await social.getByTestId('kudos-count').innerText()).trim(), '1');
        await social.getByTestId('kudos-count').click();
        await page.getByTestId('kudos-sheet').getByTestId(`person-${a.id}`).waitFor();
        await page.getByTestId('kudos-sheet').getByRole('button', { name: 'Close' }).click();

        await page.goto(`/#/user/${b.id}`);
        await page.getByTestId('profile-feed').getByTestId(`feed-activity-${uploaded[1]}`).waitFor();
        await page.getByTestId('followers-open').click();
        await page.getByTestId('people-sheet').getByTestId(`person-${a.id}`).waitFor();
        await settled(page);
        await screenshot(page, 'feed-profile-followers', { fullPage: false });
        await page.getByTestId('people-sheet').getByRole('button', { name: 'Close' }).click();
        await page.getByTestId('profile-more').click();
        await page.getByTestId('mute-user').click();
        await page.getByTestId('confirm-sheet-confirm').click();
        await page.getByTestId('muted-note').waitFor();
        const seen = await client.as(a).get(`/v1/users/${b.id}`);
        assert.equal(seen.json.relationship.muted, true, seen.text);
        assert.deepEqual(problems, []);
    } finally {
        await context.close();
    }
});
