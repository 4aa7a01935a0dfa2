-- Seeds and measures; see run.sh. Prints one line per figure (NOTICE).
\set ON_ERROR_STOP 1
SET client_min_messages = notice;

-- Users 1..followers follow the wide author (user followers + 1); authors are the next `authors`
-- users, readers the `readers` after them.
INSERT INTO users (display_name) SELECT 'u' || g FROM generate_series(1, :followers + 1 + :authors + :readers) g;
INSERT INTO follows (follower_id, followee_id, state, accepted_at)
SELECT g, :followers + 1, 'accepted', now() FROM generate_series(1, :followers) g;
-- Each author's items over two years, in feed_authored.
INSERT INTO feed_authored (author_id, at, kind, item_id, in_feeds)
SELECT a, now() - (random() * interval '730 days'), 1, (a - 1) * :items + i, true
FROM generate_series(:followers + 2, :followers + 1 + :authors) a, generate_series(1, :items) i;
-- Each reader follows `followees` authors (a window of the authors, shifted per reader).
INSERT INTO follows (follower_id, followee_id, state, accepted_at)
SELECT r, :followers + 2 + ((r * 37 + k) % :authors), 'accepted', now()
FROM generate_series(:followers + 2 + :authors, :followers + 1 + :authors + :readers) r, generate_series(0, :followees - 1) k
ON CONFLICT DO NOTHING;
-- What fan-out on write left in their feeds: every item of every followee.
INSERT INTO feed_items (user_id, at, kind, item_id, author_id)
SELECT f.follower_id, a.at, a.kind, a.item_id, a.author_id
FROM follows f JOIN feed_authored a ON a.author_id = f.followee_id
WHERE f.follower_id > :followers + 1 + :authors;
ANALYZE;

CREATE TEMP TABLE bench_params AS
SELECT :followers AS followers, :authors AS authors, :readers AS readers, :pages AS pages,
       :followers + 2 + :authors AS first_reader;

-- 1. Fan-out of one activity by the author with `followers` followers, as FeedService::FanOut runs
-- it (one INSERT … SELECT per chunk of 1000 followers), five times with a new item each.
DO $$
DECLARE
    p record;
    t0 timestamptz;
    last_id bigint;
    n int;
    total int;
    item bigint;
    ms double precision[] := '{}';
BEGIN
    SELECT * INTO p FROM bench_params;
    FOR round IN 1..5 LOOP
        item := 900000000 + round;
        t0 := clock_timestamp();
        last_id := 0;
        total := 0;
        LOOP
            WITH f AS (SELECT follower_id FROM follows WHERE followee_id = p.followers + 1 AND state = 'accepted'
                         AND follower_id > last_id ORDER BY follower_id LIMIT 1000),
            ins AS (INSERT INTO feed_items (user_id, at, kind, item_id, author_id)
                    SELECT follower_id, now(), 1, item, p.followers + 1 FROM f ON CONFLICT DO NOTHING)
            SELECT COALESCE(max(follower_id), 0), count(*) INTO last_id, n FROM f;
            total := total + n;
            EXIT WHEN n < 1000;
        END LOOP;
        ms := ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
        IF total <> p.followers THEN
            RAISE EXCEPTION 'fanned out to % feeds, expected %', total, p.followers;
        END IF;
    END LOOP;
    RAISE NOTICE 'fan-out of one activity to % followers: % ms (each of 5 runs)', p.followers,
        (SELECT string_agg(round(x::numeric, 1)::text, ' / ') FROM unnest(ms) x);
END $$;

-- 2. A feed page (30 items) for random readers: first pages and pages deep in the feed (a cursor
-- 300 items down), fanned out on write (kHome) and fanned out on read (LATERAL per followee).
CREATE TEMP TABLE page_ms (how text, ms double precision);
DO $$
DECLARE
    p record;
    reader bigint;
    t0 timestamptz;
    c_at timestamptz;
    c_kind smallint;
    c_item bigint;
    deep boolean;
BEGIN
    SELECT * INTO p FROM bench_params;
    FOR i IN 1..p.pages LOOP
        reader := p.first_reader + (i * 7919) % p.readers;
        deep := i % 2 = 0;
        c_at := NULL;
        IF deep THEN
            SELECT at, kind, item_id INTO c_at, c_kind, c_item FROM feed_items WHERE user_id = reader
            ORDER BY at DESC, kind DESC, item_id DESC OFFSET 300 LIMIT 1;
        END IF;
        t0 := clock_timestamp();
        PERFORM * FROM (
            (SELECT x.at, x.kind, x.item_id, x.author_id FROM feed_items x WHERE x.user_id = reader
               AND (c_at IS NULL OR (x.at, x.kind, x.item_id) < (c_at, c_kind, c_item))
             ORDER BY x.at DESC, x.kind DESC, x.item_id DESC LIMIT 31)
            UNION
            (SELECT s.at, s.kind, s.item_id, s.author_id FROM follows f
             JOIN feed_wide_authors w ON w.author_id = f.followee_id
             CROSS JOIN LATERAL (SELECT a.at, a.kind, a.item_id, a.author_id FROM feed_authored a
               WHERE a.author_id = f.followee_id AND a.in_feeds
                 AND (c_at IS NULL OR (a.at, a.kind, a.item_id) < (c_at, c_kind, c_item))
               ORDER BY a.at DESC, a.kind DESC, a.item_id DESC LIMIT 31) s
             WHERE f.follower_id = reader AND f.state = 'accepted')) u
        WHERE NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = reader AND m.muted_id = u.author_id)
        ORDER BY u.at DESC, u.kind DESC, u.item_id DESC LIMIT 31;
        INSERT INTO page_ms VALUES (CASE WHEN deep THEN 'write, deep' ELSE 'write, first' END,
                                    extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        PERFORM s.* FROM follows f
        CROSS JOIN LATERAL (SELECT a.at, a.kind, a.item_id, a.author_id FROM feed_authored a
          WHERE a.author_id = f.followee_id AND a.in_feeds
            AND (c_at IS NULL OR (a.at, a.kind, a.item_id) < (c_at, c_kind, c_item))
          ORDER BY a.at DESC, a.kind DESC, a.item_id DESC LIMIT 31) s
        WHERE f.follower_id = reader AND f.state = 'accepted'
          AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = reader AND m.muted_id = f.followee_id)
        ORDER BY s.at DESC, s.kind DESC, s.item_id DESC LIMIT 31;
        INSERT INTO page_ms VALUES (CASE WHEN deep THEN 'read, deep' ELSE 'read, first' END,
                                    extract(epoch FROM clock_timestamp() - t0) * 1000);
    END LOOP;
END $$;
SELECT how AS "feed page (30 items), fan-out on", count(*) AS pages,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3) AS p50_ms,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 3) AS p99_ms,
       round(max(ms)::numeric, 3) AS max_ms
FROM page_ms GROUP BY how ORDER BY how DESC;
SELECT pg_size_pretty(pg_total_relation_size('feed_items')) AS feed_items_size,
       (SELECT count(*) FROM feed_items) AS feed_rows;
