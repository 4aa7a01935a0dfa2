// People search (#/people) at a phone and a desktop size: a typo'd name finds the user, the follow
// button follows them, an empty field shows suggestions with their reason, and dismissing one
// removes it. axe finds no serious violation; screenshots go to test-artifacts/browser/.
import assert from 'node:assert/strict';
import test from 'node:test';
import { api, requireServices } from '../../../tests/e2e/kit.mjs';
import { screenshot, seriousAxeViolations, signedInContext, startSuite, watchConsole } from './browser.mjs';


const kSizes = [
    { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
    { name: 'desktop', viewport: { width: 1366, height: 900 }, isMobile: false, hasTouch: false },
];

test('People: a typo finds a user to follow; suggestions show their reason and can be dismissed', async (t) => {
    if (!requireServices(t)) return;
    const { server, browser } = await startSuite(t, 'people-server.log');
    const client = api(server);
    const tag = Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 6);
    const city = `Town${tag}`;
    for (const size of kSizes) {
        const me = await client.signUp({ displayName: `Mia ${size.name}` });
        const john = await client.signUp({ displayName: `John Quill${tag}${size.name}` });
        const local = await client.signUp({ displayName: `Lee Local${size.name}` });
        assert.equal((await client.as(me).patch('/v1/me', { city })).status, 200);
        assert.equal((await client.as(local).patch('/v1/me', { city })).status, 200);

        const context = await signedInContext(browser, server, me, size);
        const page = await context.newPage();
        const problems = watchConsole(page);
        await page.goto('/#/you');
        await page.getByTestId('find-people').click();

        // Suggestions while the field is empty: the neighbour, with the reason; dismiss removes it.
        const suggested = page.getByTestId(`person-${local.id}`);
        await suggested.waitFor();
        assert.match(await suggested.innerText(), new RegExp(`Also in ${city}`));
        assert.deepEqual(await seriousAxeViolations(page), []);
        await screenshot(page, `people-suggestions-${size.name}`);
        await page.getByTestId(`dismiss-${local.id}`).click();
        await suggested.waitFor({ state: 'detached' });

        // A typo'd search, then follow from the result.
        await page.getByLabel('Search people').fill(`jonh quill${tag}${size.name}`);
        const hit = page.getByTestId(`person-${john.id}`);
        await hit.waitFor();
        await hit.getByTestId('follow-button').click();
        await hit.getByRole('button', { name: 'Following' }).waitFor();
        assert.deepEqual(await seriousAxeViolations(page), []);
        await screenshot(page, `people-search-${size.name}`);

        const profile = await client.as(me).get(`/v1/users/${john.id}`);
        assert.equal(profile.json.relationship.following, 'accepted');
        assert.deepEqual(problems, []);
        await context.close();
    }
});
