-- Follows, blocks and mutes (owned by features/social; docs/adr/0020-relations-contract.md).
--
-- Following is one-way: a row is a request ('pending') until the followee accepts it, or at once
-- 'accepted' when the followee does not approve followers (users.approve_followers, accounts').
-- A block removes the follows both ways in the same transaction and hides each from the other.

CREATE TABLE follows (
    follower_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    followee_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state       text NOT NULL CHECK (state IN ('pending', 'accepted')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    accepted_at timestamptz,
    PRIMARY KEY (follower_id, followee_id),
    CHECK (follower_id <> followee_id)
);
-- Followers of a user (lists, counts, incoming requests); the primary key serves "following".
CREATE INDEX follows_followee ON follows (followee_id, state, follower_id);

CREATE TABLE blocks (
    blocker_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
);
-- "Did anyone block me": the other direction of every relation check.
CREATE INDEX blocks_blocked ON blocks (blocked_id, blocker_id);

CREATE TABLE mutes (
    muter_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    muted_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (muter_id, muted_id),
    CHECK (muter_id <> muted_id)
);

-- The abuse limit on follow requests: one counter row per user and fixed one-hour window, kept in
-- PostgreSQL so that it holds across every serving process.
CREATE TABLE follow_request_budget (
    user_id      bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    window_start timestamptz NOT NULL,
    used         integer NOT NULL
);
