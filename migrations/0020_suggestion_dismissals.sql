-- Follow suggestions a user dismissed (owned by features/social; docs/adr/0027-people-search-and-suggestions.md).
--
-- A dismissal is for good: the dismissed user is never suggested again to this user (following,
-- blocking or muting them hides them from suggestions anyway).

CREATE TABLE suggestion_dismissals (
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dismissed_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, dismissed_id),
    CHECK (user_id <> dismissed_id)
);
