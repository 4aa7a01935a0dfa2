// Clubs in two browser contexts: A creates a club and an event from the Clubs screen, B finds the
// club by name, joins it, sees the event and answers "going", and writes a post in the club, which A
// reads on the club page (with a Delete: A runs the club) and in the home feed; the server agrees. Screenshots of the
// club page go to test-artifacts/browser/.
import assert from 'node:assert/strict';
import test from 'node:test';
import { api, requireServices } from '../../../tests/e2e/kit.mjs';
import { screenshot, startSuite, watchConsole } from './browser.mjs';

async function openAs(browser, server, user, hash) {
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-US', timezoneId: 'UTC', serviceWorkers: 'block', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
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

test('Clubs: create a club and an event; a second user joins, sees the event and RSVPs', async (t) => {
    if (!requireServices(t)) return;
    const { server, browser } = await startSuite(t, 'clubs-server.log');
    const client = api(server);
    const ownerUser = await client.signUp({ displayName: 'Ana Owner' });
    const joinerUser = await client.signUp({ displayName: 'Bo Joiner' });
    const clubName = `Riverside Runners ${Date.now()}`;

    const a = await openAs(browser, server, ownerUser, '#/you');
    const aProblems = watchConsole(a.page);
    await a.page.getByTestId('clubs').click();
    await a.page.getByRole('link', { name: 'New club' }).click();
    await a.page.getByLabel('Name').fill(clubName);
    await a.page.getByLabel('City').fill('Ljubljana');
    await a.page.getByRole('button', { name: 'Create club' }).click();
    await a.page.getByTestId('club-card').waitFor();
    const clubId = Number(new URL(a.page.url()).hash.match(/club\/(\d+)/)[1]);
    assert.ok(clubId > 0, a.page.url());
    // The event form: the club page also holds the challenge form, with fields of the same names.
    const eventForm = a.page.locator('form', { has: a.page.getByRole('button', { name: 'Create event' }) });
    await eventForm.getByLabel('Title').fill('Tuesday intervals');
    const start = new Date(Date.now() + 2 * 86_400_000);
    const local = start.toISOString().slice(0, 16);  // the context's time zone is UTC
    await eventForm.getByLabel('Starts').fill(local);
    await eventForm.getByLabel('Place').fill('Stadium');
    await a.page.getByRole('button', { name: 'Create event' }).click();
    await a.page.getByText('Tuesday intervals').waitFor();
    await screenshot(a.page, 'club-owner');

    const b = await openAs(browser, server, joinerUser, '#/clubs');
    const bProblems = watchConsole(b.page);
    await b.page.getByLabel('Find a club').fill(clubName);
    await b.page.getByRole('button', { name: 'Search' }).click();
    await b.page.getByTestId(`found-club-${clubId}`).click();
    await b.page.getByTestId('join-club').click();
    const event = b.page.locator('[data-testid^="event-"]', { hasText: 'Tuesday intervals' });
    await event.waitFor();
    const eventId = Number((await event.getAttribute('data-testid')).slice('event-'.length));
    await b.page.getByTestId(`rsvp-going-${eventId}`).click();
    await b.page.locator(`[data-testid="rsvp-going-${eventId}"][aria-pressed="true"]`).waitFor();
    assert.match(await event.innerText(), /1 going/);

    // B posts in the club from its page; the club's feed shows it at once.
    await b.page.getByTestId('club-compose').click();
    const composer = b.page.getByTestId('post-composer');
    await composer.getByLabel("What's new?").fill('Who is in for Sunday long run?');
    await composer.getByTestId('post-send').click();
    const bPost = b.page.getByTestId('club-feed').locator('[data-testid^="feed-post-"]', { hasText: 'Sunday long run' });
    await bPost.waitFor();
    assert.equal(await bPost.getByTestId('post-club').innerText(), clubName);
    await screenshot(b.page, 'club-member');

    // A, who runs the club, reads it in the club and in the home feed (with the club named), and may delete it.
    await a.page.reload();
    const aPost = a.page.getByTestId('club-feed').locator('[data-testid^="feed-post-"]', { hasText: 'Sunday long run' });
    await aPost.waitFor();
    assert.equal(await aPost.getByTestId('post-delete').count(), 1);
    await screenshot(a.page, 'club-owner-posts');
    await a.page.goto('/#/');
    const inFeed = a.page.locator('[data-testid^="feed-post-"]', { hasText: 'Sunday long run' });
    await inFeed.waitFor();
    assert.equal(await inFeed.getByTestId('post-club').innerText(), clubName);
    const postId = Number((await inFeed.getAttribute('data-testid')).slice('feed-post-'.length));
    const asOwner = await client.as(ownerUser).get(`/v1/posts/${postId}`);
    assert.equal(asOwner.status, 200, asOwner.text);
    assert.equal(asOwner.json.club.id, clubId);

    const attendees = await client.as(ownerUser).get(`/v1/clubs/${clubId}/events/${eventId}/attendees`);
    assert.equal(attendees.status, 200, attendees.text);
    assert.deepEqual(attendees.json.attendees.map((x) => [x.user_id, x.answer]), [[joinerUser.id, 'going']]);
    const card = await client.as(ownerUser).get(`/v1/clubs/${clubId}`);
    assert.equal(card.json.member_count, 2);
    assert.deepEqual(aProblems, []);
    assert.deepEqual(bProblems, []);
    await a.context.close();
    await b.context.close();
});
