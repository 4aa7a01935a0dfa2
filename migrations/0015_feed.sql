-- features/social (issue 10): the home feed, fanned out on write (ADR 0023).
--
-- feed_items: one row per (reader, item) — the reader's own items and those of the authors they
-- follow, written when the item is made (or its visibility changes) and when a follow starts
-- (backfill). `at` is the item's time (an activity's start). Rows only say "this may belong in the
-- feed": what the reader is shown is decided at read time by the item's owner feature (privacy,
-- blocks), and mutes are applied at read time.
CREATE TABLE feed_items (
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL,
    kind      smallint NOT NULL,  -- 1 activity (2 post, later)
    item_id   bigint NOT NULL,
    author_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, at, kind, item_id)  -- read backwards: newest first
);
-- A deleted or re-fanned item finds its rows in every reader's feed.
CREATE INDEX feed_items_item ON feed_items (item_id, kind);

-- Every item of an author, newest first: the profile feed, the backfill of a new follow, and the
-- read-time merge of authors with too many followers to fan out to. in_feeds: it goes to followers'
-- home feeds (false for hide_from_feed and only_me activities).
CREATE TABLE feed_authored (
    author_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL,
    kind      smallint NOT NULL,
    item_id   bigint NOT NULL,
    in_feeds  boolean NOT NULL,
    PRIMARY KEY (author_id, at, kind, item_id)
);
CREATE INDEX feed_authored_item ON feed_authored (item_id, kind);

-- Authors whose followers' feeds are not written on each item (more than the fan-out limit when
-- last fanned out): their followers' feeds merge their feed_authored rows at read time.
CREATE TABLE feed_wide_authors (
    author_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE
);
