// Club challenges at 390×844 and 1366×900: an admin creates a challenge from the club page (an end
// before the start is refused next to the field), a member joins it, logs a run through the API, and
// sees the progress bar, the leaderboard sheet and "My challenges" from the You screen; axe finds
// no serious or critical violation on those screens. Screenshots go to test-artifacts/browser/.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import test from 'node:test';
import { api, requireServices } from '../../../tests/e2e/kit.mjs';
import { screenshot, startSuite, watchConsole } from './browser.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const kTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function blockingViolations(page) {
    if (!(await page.evaluate(() => 'axe' in window))) {
        await page.addScriptTag({ path: axePath });
    }
    const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), kTags);
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function openAs(browser, server, user, hash, viewport) {
    const context = await browser.newContext({
        baseURL: server.url, locale: 'en-US', timezoneId: 'UTC', serviceWorkers: 'block', bypassCSP: true,
        viewport, isMobile: viewport.width < 500, hasTouch: viewport.width < 500,
    });
    context.setDefaultTimeout(20_000);
    await context.addInitScript((token) => {
        if (!localStorage.getItem('strava1.refresh_token')) {
            localStorage.setItem('strava1.refresh_token', token);
        }
    }, user.refresh_token);
    const page = await context.newPage();
    await page.goto(`/${hash}`);
    return { context, page };
}

const local = (ms) => new Date(ms).toISOString().slice(0, 16);  // the context's time zone is UTC

for (const viewport of [{ width: 390, height: 844 }, { width: 1366, height: 900 }]) {
    test(`Challenges at ${viewport.width}×${viewport.height}: create, join, progress, leaderboard, My challenges`, async (t) => {
        if (!requireServices(t)) return;
        const { server, browser } = await startSuite(t, `challenges-${viewport.width}-server.log`);
        const client = api(server);
        const owner = await client.signUp({ displayName: 'Ana Admin' });
        const member = await client.signUp({ displayName: 'Bo Member' });
        const club = await client.as(owner).post('/v1/clubs', { name: `Challengers ${Date.now()}`, sport: 'run', privacy: 'public' });
        assert.equal(club.status, 201, club.text);
        assert.equal((await client.as(member).post(`/v1/clubs/${club.json.id}/join`)).status, 200);

        const a = await openAs(browser, server, owner, `#/club/${club.json.id}`, viewport);
        const aProblems = watchConsole(a.page);
        const form = a.page.getByRole('form', { name: 'New challenge' });
        await form.getByLabel('Title').fill('50 km in a week');
        await form.getByLabel('Goal (km)').fill('50');
        await form.getByLabel('Starts').fill(local(Date.now() + 86_400_000));
        await form.getByLabel('Ends').fill(local(Date.now() - 86_400_000));
        await form.getByRole('button', { name: 'Create challenge' }).click();
        await form.getByText('It must end after it starts.').waitFor();
        await form.getByLabel('Starts').fill(local(Date.now() - 86_400_000));
        await form.getByLabel('Ends').fill(local(Date.now() + 6 * 86_400_000));
        await form.getByRole('button', { name: 'Create challenge' }).click();
        const card = a.page.locator('[data-testid^="challenge-"]', { hasText: '50 km in a week' });
        await card.waitFor();
        const challengeId = Number((await card.getAttribute('data-testid')).slice('challenge-'.length));

        const run = await client.as(member).post('/v1/activities', { sport: 'run', start_time: new Date(Date.now() - 3_600_000).toISOString(), elapsed_s: 3600, distance_m: 12500 });
        assert.equal(run.status, 201, run.text);

        const b = await openAs(browser, server, member, `#/club/${club.json.id}`, viewport);
        const bProblems = watchConsole(b.page);
        await b.page.getByTestId(`join-challenge-${challengeId}`).click();
        await b.page.getByTestId(`leave-challenge-${challengeId}`).waitFor();
        const bar = b.page.getByRole('progressbar', { name: /50 km in a week/ });
        await bar.waitFor();
        assert.equal(await bar.getAttribute('value'), '25', 'a 12.5 km run is a quarter of 50 km');
        assert.deepEqual(await blockingViolations(b.page), []);
        await screenshot(b.page, `challenges-club-${viewport.width}`);
        await b.page.getByTestId(`board-${challengeId}`).click();
        const sheet = b.page.getByTestId('challenge-leaderboard');
        await sheet.getByText('Bo Member').waitFor();
        assert.match(await sheet.innerText(), /12\.5 km/);
        // axe measures colours mid-animation as blends: check the sheet once its entrance has ended.
        await b.page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
        assert.deepEqual(await blockingViolations(b.page), []);
        await screenshot(b.page, `challenges-leaderboard-${viewport.width}`, { fullPage: false });
        await sheet.getByRole('button', { name: 'Close' }).click();

        await b.page.goto('/#/you');
        await b.page.getByTestId('my-challenges').click();
        await b.page.getByTestId(`my-challenge-${challengeId}`).waitFor();
        assert.match(await b.page.getByTestId(`my-challenge-${challengeId}`).innerText(), /12\.5 km of 50\.0 km/);
        assert.deepEqual(await blockingViolations(b.page), []);
        await screenshot(b.page, `challenges-mine-${viewport.width}`);

        const board = await client.as(owner).get(`/v1/challenges/${challengeId}/leaderboard`);
        assert.equal(board.status, 200, board.text);
        assert.deepEqual(board.json.entries.map((e) => [e.user_id, e.progress]), [[member.id, 12500]]);
        assert.deepEqual(aProblems, []);
        assert.deepEqual(bProblems, []);
        await a.context.close();
        await b.context.close();
    });
}
