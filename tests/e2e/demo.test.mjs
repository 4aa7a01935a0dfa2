// `strava1 demo` (issue 10, ADR 0028): a small demo data set in a throwaway database, checked for
// its shape and served: counts, a power-law follower distribution, a distinct track per user, the
// documented demo password, and a home feed with items.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { api, kRoomyLimits, requireServices, serverEnv, startServer, binaryPath, testdataDir } from './kit.mjs';

const kUsers = 300;

function sql(dbUrl, statement) {
    return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl, '-c', statement],
        { encoding: 'utf8', timeout: 30_000 }).trim();
}

test('strava1 demo --users=300 fills the database that serve then shows', async (t) => {
    if (!requireServices(t)) return;
    const server = await startServer({ args: kRoomyLimits });
    t.after(() => server.stop());

    // The demo drops the filled tables' foreign keys and non-unique indexes for the load and makes
    // them again (ADR 0028): afterwards the schema's indexes and constraints are exactly the migrations'.
    const schema = () => sql(server.databaseUrl, `SELECT string_agg(x, E'\\n' ORDER BY x) FROM (
        SELECT indexdef AS x FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL SELECT i.indexrelid::regclass || ' valid ' || i.indisvalid FROM pg_index i
            JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace
        UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' validated '
            || convalidated FROM pg_constraint WHERE connamespace = 'public'::regnamespace) s`);
    const schemaBefore = schema();
    assert.match(schemaBefore, /FOREIGN KEY \(follower_id\) REFERENCES users\(id\) ON DELETE CASCADE validated true/);

    const run = spawnSync(binaryPath(), ['demo', `--users=${kUsers}`, '--seed=7', `--tracks=${testdataDir}`,
        `--database-url=${server.databaseUrl}`, `--data-dir=${server.dataDir}`],
    { encoding: 'utf8', timeout: 120_000, cwd: tmpdir(), env: serverEnv() });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /demo: 300 users, \d+ activities/);
    for (const step of ['users', 'templates', 'follows', 'activities', 'clubs', 'posts', 'kudos', 'comments',
        'feed_authored', 'feed_items', 'indexes, foreign keys', 'analyze']) {
        assert.match(run.stdout, new RegExp(`demo: [\\d ]*${step} +\\d+\\.\\d s \\(total`), `${step} timed`);
    }
    assert.equal(schema(), schemaBefore);

    const count = (statement) => Number(sql(server.databaseUrl, statement));
    assert.equal(count('SELECT count(*) FROM users'), kUsers);
    assert.equal(count('SELECT count(*) FROM local_credentials'), kUsers);
    const activities = count('SELECT count(*) FROM activities');
    assert.ok(activities >= kUsers * 5 && activities <= kUsers * 15 + 30, `${activities} activities`);
    // Summaries come from the imported templates: every clone has a distance, a time and a track.
    assert.equal(count('SELECT count(*) FROM activities WHERE upload_id IS NULL AND (distance_m <= 1000 OR elapsed_s <= 0 OR summary_polyline IS NULL)'), 0);
    const follows = count('SELECT count(*) FROM follows');
    assert.ok(follows >= kUsers * 10 * 0.8, `${follows} follows`);
    assert.equal(count('SELECT count(*) FROM follows WHERE follower_id = followee_id'), 0);
    assert.ok(count('SELECT count(*) FROM clubs') >= 3);
    assert.ok(count('SELECT count(*) FROM club_members') > kUsers / 2);
    assert.equal(count('SELECT count(*) FROM clubs c WHERE member_count <> (SELECT count(*) FROM club_members m WHERE m.club_id = c.id AND state = \'active\')'), 0);
    assert.equal(count('SELECT count(*) FROM posts'), kUsers / 2);
    assert.ok(count('SELECT count(*) FROM kudos') > activities / 2);
    assert.ok(count('SELECT count(*) FROM comments') > 0);

    // Power law: the most followed account has many times the median's followers.
    const [max, median] = sql(server.databaseUrl, `SELECT max(n), percentile_disc(0.5) WITHIN GROUP (ORDER BY n)
        FROM (SELECT u.id, count(f.follower_id) AS n FROM users u LEFT JOIN follows f ON f.followee_id = u.id
              AND f.state = 'accepted' GROUP BY u.id) x`).split('|').map(Number);
    assert.ok(max >= 5 * median && median >= 5, `max ${max} followers, median ${median}`);

    // Distinct tracks: no two users share a track, and a user's own activities differ by template.
    assert.equal(count(`SELECT count(*) FROM (SELECT summary_polyline FROM activities WHERE upload_id IS NULL
        GROUP BY summary_polyline HAVING count(DISTINCT owner_id) > 1) x`), 0);
    assert.ok(count('SELECT count(DISTINCT summary_polyline) FROM activities') > kUsers);

    // The feed rows as the fan-out writes them: an in-feed item of a followed author is in the
    // follower's feed, and only_me items are in no one's but the author's.
    assert.equal(count(`SELECT count(*) FROM feed_items i JOIN activities a ON a.id = i.item_id AND i.kind = 1
        WHERE a.visibility = 'only_me' AND i.user_id <> a.owner_id`), 0);
    assert.equal(count('SELECT count(*) FROM activities a WHERE NOT EXISTS (SELECT 1 FROM feed_authored f WHERE f.item_id = a.id AND f.kind = 1)'), 0);
    // Posts too; club posts (written by members) go to their club's feed, not to followers.
    assert.equal(count('SELECT count(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM feed_authored f WHERE f.item_id = p.id AND f.kind = 2)'), 0);
    const clubPosts = count('SELECT count(*) FROM posts WHERE club_id IS NOT NULL');
    assert.ok(clubPosts > 0);
    assert.equal(count('SELECT count(*) FROM feed_club_items WHERE kind = 2'), clubPosts);
    assert.equal(count(`SELECT count(*) FROM posts p WHERE club_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM club_members m
        WHERE m.club_id = p.club_id AND m.user_id = p.author_id AND m.state = 'active')`), 0);
    assert.equal(count(`SELECT count(*) FROM feed_items i JOIN posts p ON p.id = i.item_id AND i.kind = 2
        WHERE p.club_id IS NOT NULL AND i.user_id <> p.author_id`), 0);

    // A demo user signs in with the documented password and reads a home feed with items.
    const reader = sql(server.databaseUrl, `SELECT u.email FROM users u JOIN feed_items i ON i.user_id = u.id
        AND i.author_id <> u.id GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1`);
    const anonymous = api(server);
    const wrong = await anonymous.post('/v1/auth/login', { email: reader, password: 'not-the-password' });
    assert.equal(wrong.status, 401);
    const login = await anonymous.post('/v1/auth/login', { email: reader, password: 'demo-password' });
    assert.equal(login.status, 200, login.text);
    const feed = await anonymous.as(login.json.access_token).get('/v1/feed');
    assert.equal(feed.status, 200, feed.text);
    assert.ok(feed.json.items.length > 0, feed.text);
    assert.ok(feed.json.items.some((item) => item.author.id !== login.json.user.id),
        'the feed holds items of people the reader follows');

    // Run again: the database is not empty any more, so it refuses instead of doubling the data.
    const again = spawnSync(binaryPath(), ['demo', '--users=10', `--tracks=${testdataDir}`,
        `--database-url=${server.databaseUrl}`, `--data-dir=${server.dataDir}`],
    { encoding: 'utf8', timeout: 60_000, cwd: tmpdir(), env: serverEnv() });
    assert.equal(again.status, 2, again.stderr);
    assert.match(again.stderr, /empty database/);
    assert.equal(count('SELECT count(*) FROM users'), kUsers);
});
