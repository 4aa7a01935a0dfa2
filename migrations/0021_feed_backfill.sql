-- features/social (issue 10): feed rows for posts written before the feed subscribed to posts'
-- events, as the fan-out (ADR 0023) would have written them: each post in its author's own feed and
-- in the feeds of their accepted followers, except for authors over the fan-out limit (5000, the
-- default of social::Options::feed_fan_out_limit), whose followers merge them at read time. Rows say
-- only what may belong in a feed; visibility and blocks are applied when a feed is read. A post's
-- time is its creation to the second, as its events carry it. (Activities are another module's
-- table: their rows come from their events, never from here.)

INSERT INTO feed_authored (author_id, at, kind, item_id, in_feeds)
SELECT author_id, date_trunc('second', created_at), 2, id, visibility <> 'only_me'
FROM posts
ON CONFLICT DO NOTHING;

INSERT INTO feed_wide_authors (author_id)
SELECT followee_id FROM follows WHERE state = 'accepted' GROUP BY followee_id HAVING count(*) > 5000
ON CONFLICT DO NOTHING;

INSERT INTO feed_items (user_id, at, kind, item_id, author_id)
SELECT author_id, at, kind, item_id, author_id FROM feed_authored WHERE kind = 2
ON CONFLICT DO NOTHING;

INSERT INTO feed_items (user_id, at, kind, item_id, author_id)
SELECT f.follower_id, a.at, a.kind, a.item_id, a.author_id
FROM feed_authored a
JOIN follows f ON f.followee_id = a.author_id AND f.state = 'accepted'
WHERE a.kind = 2 AND a.in_feeds AND NOT EXISTS (SELECT 1 FROM feed_wide_authors w WHERE w.author_id = a.author_id)
ON CONFLICT DO NOTHING;
