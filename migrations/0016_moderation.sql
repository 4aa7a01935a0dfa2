-- Reports, moderation actions and warnings (owned by features/social; docs/adr/0024-moderation.md).
--
-- A report names its object by kind and id (an activity, post, comment or user; no foreign key, as
-- the object may go) and the object's author, resolved when it was filed. One open report per
-- reporter and object: reporting again answers the same one. A moderator's decision resolves every
-- open report of the object at once and is recorded in moderation_actions (who, what, when); a
-- "warn" is a row in user_warnings that the warned user reads with GET /v1/me/warnings. Reports per
-- hour per user are counted in social_budget (kind 'report'), like comments and mentions.

CREATE TABLE reports (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reporter_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    object_kind      text NOT NULL CHECK (object_kind IN ('activity', 'post', 'comment', 'user')),
    object_id        bigint NOT NULL,
    object_author_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason           text NOT NULL CHECK (reason IN ('spam', 'abuse', 'harassment', 'inappropriate', 'other')),
    note             text NOT NULL DEFAULT '',
    state            text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    action           text CHECK (action IN ('dismiss', 'hide', 'warn', 'suspend')),
    resolution_note  text,
    resolved_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    resolved_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX reports_one_open ON reports (reporter_id, object_kind, object_id) WHERE state = 'open';
-- The queue, newest first per state; the reports of one object (counts, resolving them together).
CREATE INDEX reports_queue ON reports (state, id DESC);
CREATE INDEX reports_object ON reports (object_kind, object_id, state);

CREATE TABLE moderation_actions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    admin_id       bigint REFERENCES users (id) ON DELETE SET NULL,
    action         text NOT NULL CHECK (action IN ('dismiss', 'hide', 'warn', 'suspend', 'unsuspend')),
    object_kind    text NOT NULL,
    object_id      bigint NOT NULL,
    target_user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    report_id      bigint REFERENCES reports (id) ON DELETE SET NULL,
    note           text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_warnings (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    report_id  bigint REFERENCES reports (id) ON DELETE SET NULL,
    reason     text NOT NULL,
    note       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_warnings_user ON user_warnings (user_id, id DESC);
