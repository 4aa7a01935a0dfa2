// Deleting an account end to end: the rows go with DELETE /v1/me, and the originals of its uploads
// leave the disk soon after, through accounts' user.deleted event and activities' originals relay
// (the job kind activities.delete-originals, ADR 0013). What others could see of the account answers
// 404 exactly like a missing object, and its token stops working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, assertProblem, kFastHash, kPassword, kRoomyLimits, requireServices, sql, startServer, testdata, until } from './kit.mjs';

/** The files under `dir` (recursively) whose bytes are `bytes`: where the object store keeps a file. */
function copiesOf(dir, bytes) {
    const found = [];
    const walk = (at) => {
        let entries;
        try {
            entries = readdirSync(at, { withFileTypes: true });
        } catch (error) {
            if (error.code === 'ENOENT') return;
            throw error;
        }
        for (const entry of entries) {
            const path = join(at, entry.name);
            if (entry.isDirectory()) walk(path);
            else if (entry.isFile() && readFileSync(path).equals(bytes)) found.push(path);
        }
    };
    walk(dir);
    return found;
}

test('deleting an account removes its uploaded originals from disk and ends what others and its token could reach', async (t) => {
    if (!requireServices(t)) return;
    const fit = testdata(t, 'fit/2067489619.fit');
    if (!fit) return;
    const server = await startServer({ args: [kFastHash, ...kRoomyLimits] });
    t.after(() => server.stop());
    const client = api(server);
    const [ana, bob] = await client.users(2);

    const activityId = await client.as(ana).uploadReady(fit, '?data_type=fit');
    // Originals live in the object store under the data dir (serve: <data-dir>/objects), kept byte for byte.
    const objects = join(server.dataDir, 'objects');
    const stored = copiesOf(objects, fit);
    assert.equal(stored.length, 1, `one stored copy of the original under ${objects}: ${stored}`);
    // The upload reached its outcome, so its resume job went with it (ADR 0013).
    assert.equal(await sql(server, "SELECT count(*) FROM jobs_queue WHERE kind = 'activities.resume-upload'"), '0');
    // Others see the activity (everyone, by default) until the account goes.
    assert.equal((await client.as(bob).get(`/v1/activities/${activityId}`)).status, 200);
    const link = await client.as(ana).get(`/v1/activities/${activityId}/original`, { redirect: 'manual' });
    assert.equal(link.status, 302, link.text);
    const signed = link.headers.get('location');

    assert.equal((await client.as(ana).delete('/v1/me', { password: kPassword })).status, 204);

    // The relay runs on the user.deleted event, not on the 10-minute safety net: seconds, not minutes.
    const started = Date.now();
    await until('the original to leave the disk', () => copiesOf(objects, fit).length === 0, { timeoutMs: 30_000, intervalMs: 50 });
    t.diagnostic(`original removed ${Date.now() - started} ms after DELETE /v1/me`);
    assert.equal(await sql(server, 'SELECT count(*) FROM object_deletions'), '0', 'the outbox is drained');

    assertProblem(await client.as(bob).get(`/v1/activities/${activityId}`), 404);
    assertProblem(await client.as(bob).get(`/v1/activities/${activityId}/streams`), 404);
    assertProblem(await client.as(bob).get(`/v1/users/${ana.id}`), 404);
    assertProblem(await client.get(signed), 404, { why: 'a signed link handed out before the deletion no longer serves the file' });
    await until('the deleted account\'s token to be refused', async () =>
        (await client.as(ana).get('/v1/me')).status === 401, { timeoutMs: 1500, intervalMs: 100 });
    assertProblem(await client.as(ana).get(`/v1/activities/${activityId}`), 401);
});
