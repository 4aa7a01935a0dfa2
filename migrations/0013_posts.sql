-- Posts, comments, kudos and likes (owned by features/social; docs/adr/0022-posts-comments-kudos.md).
--
-- A comment hangs off exactly one parent, an activity or a post, and is visible exactly when that
-- parent is: for an activity social asks activities' reader, never its table (the foreign key only
-- names the id). `parent_owner_id` is copied at creation so that the parent's owner may delete any
-- comment under it without another lookup. `mention_ids` are the users the text @mentions, resolved
-- when it was written. `hidden_at` is set by moderation: hidden content answers 404 as if missing.

CREATE TABLE posts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body        text NOT NULL,
    activity_id bigint REFERENCES activities (id) ON DELETE SET NULL,
    visibility  text NOT NULL CHECK (visibility IN ('everyone', 'followers', 'only_me')),
    mention_ids bigint[] NOT NULL DEFAULT '{}',
    hidden_at   timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- A user's posts, newest first (ids grow with time).
CREATE INDEX posts_author ON posts (author_id, id DESC);

CREATE TABLE comments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    activity_id     bigint REFERENCES activities (id) ON DELETE CASCADE,
    post_id         bigint REFERENCES posts (id) ON DELETE CASCADE,
    parent_owner_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- One level of replies: a reply names a top-level comment of the same parent.
    reply_to        bigint REFERENCES comments (id) ON DELETE CASCADE,
    body            text NOT NULL,
    mention_ids     bigint[] NOT NULL DEFAULT '{}',
    hidden_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((activity_id IS NULL) <> (post_id IS NULL))
);
-- A parent's comments in order (cursor by id).
CREATE INDEX comments_activity ON comments (activity_id, id) WHERE activity_id IS NOT NULL;
CREATE INDEX comments_post ON comments (post_id, id) WHERE post_id IS NOT NULL;

-- One kudos per user per activity; one like per user per post or comment.
CREATE TABLE kudos (
    activity_id bigint NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (activity_id, user_id)
);
CREATE TABLE post_likes (
    post_id    bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, user_id)
);
CREATE TABLE comment_likes (
    comment_id bigint NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (comment_id, user_id)
);

-- Abuse limits other than follows (comments, mentions, reports): a counter per user, kind and
-- fixed one-hour window, in PostgreSQL so that it holds across every serving process.
CREATE TABLE social_budget (
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         text NOT NULL,
    window_start timestamptz NOT NULL,
    used         integer NOT NULL,
    PRIMARY KEY (user_id, kind)
);
