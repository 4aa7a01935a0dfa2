-- features/activities (issue 9): "hide from the feed" (Strava's "mute activity"). The activity stays
-- on the owner's profile and in every list; the home feed of followers (issue 10) leaves it out.
-- Only the owner reads or sets it (upload field and PATCH /v1/activities/{id}).
ALTER TABLE activities ADD COLUMN hide_from_feed boolean NOT NULL DEFAULT false;
-- Kept with the upload's other fields until its activities are stored (an upload resumed after a crash).
ALTER TABLE uploads ADD COLUMN hide_from_feed boolean NOT NULL DEFAULT false;
