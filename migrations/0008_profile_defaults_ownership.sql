-- Profile defaults for what a user records (owned by features/accounts; docs/adr/0011-feature-shape.md).
--
-- 0003_activities.sql, a file of features/activities, added users.hide_endpoints_m. The column stays
-- on users and belongs to accounts, as default_visibility does: both are settings of the profile that
-- the user reads and changes with GET and PATCH /v1/me, which are accounts' routes. Moving the radius
-- to a table of activities would make /v1/me read another feature's table. Activities reads both
-- through accounts' contract (include/strava1/accounts/profiles.hpp, ProfileFacts), never from here.

COMMENT ON COLUMN users.hide_endpoints_m IS
    'Radius (m) hidden around the start and end of new activities. Owned by features/accounts; other features read it through accounts::Profiles.';
COMMENT ON COLUMN users.default_visibility IS
    'Visibility of new activities. Owned by features/accounts; other features read it through accounts::Profiles.';
