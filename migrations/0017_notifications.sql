-- In-app notifications (owned by features/notifications; docs/adr/0025-notifications.md).
--
-- One row per notification a user is shown. Rows are written only by the module's event subscribers,
-- never by the handler of the change. `object_kind`/`object_id` is what tapping it opens; a comment,
-- reply or mention also names its `comment_id`, so that deleting the comment removes it. Kudos and
-- likes are grouped: while a group is unread, a new one updates that row (a partial unique index),
-- keeping `actor_count` and the latest actors (`actor_ids`, newest first, at most 3). `position`
-- orders the list (newest first) and moves to the top when a group gets a new actor.

CREATE SEQUENCE notifications_position;

CREATE TABLE notifications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('follow_request', 'new_follower', 'follow_accepted', 'kudos', 'like',
                                              'comment', 'reply', 'mention', 'club_invite', 'join_request',
                                              'event_reminder', 'challenge_completed')),
    object_kind text NOT NULL CHECK (object_kind IN ('user', 'activity', 'post', 'comment', 'club', 'challenge')),
    object_id   bigint NOT NULL,
    comment_id  bigint,
    actor_ids   bigint[] NOT NULL DEFAULT '{}',
    actor_count integer NOT NULL DEFAULT 0,
    data        jsonb NOT NULL DEFAULT '{}',
    position    bigint NOT NULL DEFAULT nextval('notifications_position'),
    read_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- A user's list, newest first (cursor by position).
CREATE INDEX notifications_list ON notifications (user_id, position DESC);
-- The unread badge.
CREATE INDEX notifications_unread ON notifications (user_id, position DESC) WHERE read_at IS NULL;
-- At most one unread group per recipient, kind and object.
CREATE UNIQUE INDEX notifications_group ON notifications (user_id, kind, object_kind, object_id)
    WHERE read_at IS NULL AND kind IN ('kudos', 'like');
CREATE INDEX notifications_object ON notifications (object_kind, object_id);
CREATE INDEX notifications_comment ON notifications (comment_id) WHERE comment_id IS NOT NULL;

-- The events already turned into notifications, per recipient: a redelivered event (the jobs
-- library delivers at least once) writes nothing twice. Pruned after 30 days.
CREATE TABLE notification_deliveries (
    event_id     bigint NOT NULL,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    delivered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX notification_deliveries_age ON notification_deliveries (delivered_at);
