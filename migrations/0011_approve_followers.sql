-- "Approve followers" profile setting (owned by features/accounts; docs/adr/0020-relations-contract.md).
--
-- A profile setting read and changed with GET and PATCH /v1/me, so accounts' column, as
-- default_visibility is; features/social reads it through accounts::ProfileFacts.approve_followers.

ALTER TABLE users ADD COLUMN approve_followers boolean NOT NULL DEFAULT false;
