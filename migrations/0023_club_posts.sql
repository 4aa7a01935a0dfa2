-- features/social (issue 10): posts in a club, and the club feed (docs/adr/0022-posts-comments-kudos.md,
-- docs/adr/0023-feed.md).
--
-- A club post is read by the club's active members (and its author), whatever the author's followers:
-- club_id set means the club is the audience and `visibility` is not consulted. Deleting the club deletes
-- its posts.
ALTER TABLE posts ADD COLUMN club_id bigint REFERENCES clubs (id) ON DELETE CASCADE;

-- A club's feed, newest first: its posts, written by the feed's subscriber like feed_authored (the same
-- `at` as the rows of the author's own feed, so the home feed's merge of the reader's clubs and the
-- author's own row are one item). Club posts are not fanned out to followers: a reader's home feed
-- merges the feeds of the clubs they belong to at read time, so joining or leaving a club shows at once.
CREATE TABLE feed_club_items (
    club_id   bigint NOT NULL REFERENCES clubs (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL,
    kind      smallint NOT NULL,
    item_id   bigint NOT NULL,
    author_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (club_id, at, kind, item_id)
);
CREATE INDEX feed_club_items_item ON feed_club_items (item_id, kind);
