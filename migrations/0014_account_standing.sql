-- The site role and suspension of an account (owned by features/accounts; docs/adr/0024-moderation.md).
--
-- `role` is 'admin' for site administrators (granted with `strava1 user grant-admin EMAIL`): the
-- admin API (Access::SiteAdmin) lets them in. `suspended_at` is set by a moderator's "suspend": the
-- account cannot sign in and its sessions are revoked; unsuspending clears it.

ALTER TABLE users
    ADD COLUMN role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    ADD COLUMN suspended_at timestamptz;
