-- Hiding an activity by moderation (owned by features/activities; docs/adr/0024-moderation.md).
--
-- A moderator's "hide" makes the activity visible to its owner alone: its visibility becomes only_me
-- (so every path the privacy function and the SQL filters guard already keeps it from everyone else,
-- and the feed withdraws it on the change event), and `moderated_at` locks it there: the owner may
-- not make it visible again. `visibility_before_moderation` keeps what the owner had chosen.
ALTER TABLE activities
    ADD COLUMN moderated_at timestamptz,
    ADD COLUMN visibility_before_moderation text;
