// Report at a phone size (390×844): user B reports A's post from the feed with a reason and a note,
// gets the thanks, reports it again (the API answers the open report: the same thanks, no second
// report), and has no Report on their own post. The report is in the admin queue, read as a site
// administrator made with `strava1 user grant-admin`. axe finds no serious violation with the sheet
// open; screenshots go to test-artifacts/browser/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import test from 'node:test';
import { api, binaryPath, requireServices, serverEnv, until } from '../../../tests/e2e/kit.mjs';
import { screenshot, seriousAxeViolations, signedInContext, startSuite, watchConsole } from './browser.mjs';

const kThanks = 'Thanks — a moderator will review it';

test('Report: B reports A\'s post from the feed; once is enough, and it reaches the admin queue', async (t) => {
    if (!requireServices(t)) return;
    const { server, browser } = await startSuite(t, 'report-server.log');
    const client = api(server);
    const ana = await client.signUp({ displayName: 'Ana Author' });
    const bob = await client.signUp({ displayName: 'Bob Reporter' });
    const admin = await client.signUp({ displayName: 'Ada Admin' });
    const post = await client.as(ana).post('/v1/posts', { text: 'Buy cheap watches at example.com', visibility: 'everyone' });
    assert.equal(post.status, 201, post.text);
    const own = await client.as(bob).post('/v1/posts', { text: 'My own morning thoughts', visibility: 'everyone' });
    assert.equal(own.status, 201, own.text);
    assert.equal((await client.as(bob).post(`/v1/users/${ana.id}/follow`)).status, 200);

    const context = await signedInContext(browser, server, bob, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto('/#/feed');

    const card = page.getByTestId(`feed-post-${post.json.id}`);
    await card.waitFor();
    const mine = page.getByTestId(`feed-post-${own.json.id}`);
    await mine.waitFor();
    assert.equal(await mine.getByTestId('report-button').count(), 0, 'no Report on one\'s own post');

    await card.getByTestId('report-button').click();
    const sheet = page.getByTestId('report-sheet');
    await sheet.getByLabel('Why are you reporting it?').selectOption('spam');
    await sheet.getByLabel('Anything a moderator should know? (optional)').fill('Advertising in every post');
    assert.deepEqual(await seriousAxeViolations(page), []);
    await screenshot(page, 'report-sheet-phone');
    await sheet.getByTestId('report-send').click();
    await page.getByRole('status').filter({ hasText: kThanks }).first().waitFor();
    await sheet.getByTestId('report-form').waitFor({ state: 'detached' });
    await screenshot(page, 'report-thanks-phone');

    // Again: the API answers the open report (200), so the same thanks and still one report.
    await card.getByTestId('report-button').click();
    await sheet.getByLabel('Why are you reporting it?').selectOption('other');
    await sheet.getByTestId('report-send').click();
    await sheet.getByTestId('report-form').waitFor({ state: 'detached' });
    assert.ok((await page.getByRole('status').filter({ hasText: kThanks }).count()) >= 1);

    const granted = spawnSync(binaryPath(), ['user', 'grant-admin', admin.email, `--database-url=${server.databaseUrl}`, `--data-dir=${server.dataDir}`],
        { encoding: 'utf8', timeout: 120_000, env: serverEnv() });
    assert.equal(granted.status, 0, `${granted.stdout}${granted.stderr}`);
    // The server re-reads a session's role within its cache TTL (a second).
    await until('the role reaches the server', async () => (await client.as(admin).get('/v1/admin/reports')).status === 200);
    const queue = await client.as(admin).get('/v1/admin/reports?state=open');
    assert.equal(queue.status, 200, queue.text);
    const filed = queue.json.reports.filter((r) => r.kind === 'post' && r.object_id === post.json.id);
    assert.equal(filed.length, 1, queue.text);
    assert.equal(filed[0].reporter_id, bob.id);
    assert.equal(filed[0].author_id, ana.id);
    assert.equal(filed[0].reason, 'spam');
    assert.equal(filed[0].note, 'Advertising in every post');
    assert.equal(filed[0].object_report_count, 1);
    assert.deepEqual(problems, []);
    await context.close();
});
