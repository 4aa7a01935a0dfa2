-- features/activities (issue 7 review): what other viewers are shown of an activity whose samples
-- are partly hidden from them (features/activities/src/public_view.hpp), computed when the activity
-- is stored and whenever what hides its samples changes, so their requests, lists and stats do not
-- decode and analyse the track again. Computed at the next start for activities stored before.
ALTER TABLE activities
    -- The hidden areas (and version) the columns below were computed for; NULL: not yet computed.
    ADD COLUMN public_areas text,
    -- The figures others are shown (from the first to the last visible sample); NULL: the stored ones.
    ADD COLUMN public_summary jsonb,
    -- Laps, splits, zones and best-effort indexes as others see them; NULL: the stored ones.
    ADD COLUMN public_analysis jsonb;
