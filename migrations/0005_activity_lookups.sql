-- Lookups of features/activities (issue 7): the signed object route asks whether an upload still
-- references a key (none once the owner's account is deleted: the URL answers 404 at once), and the
-- duplicate rule looks for the owner's activities overlapping a time range.

CREATE INDEX uploads_original_key_idx ON uploads (original_key);
CREATE INDEX activities_owner_end_idx ON activities (owner_id, end_time);
