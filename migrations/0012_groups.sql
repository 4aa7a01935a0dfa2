-- Clubs, their memberships and events with RSVPs (owned by features/groups).

CREATE TABLE clubs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    sport        text NOT NULL,
    city         text NOT NULL DEFAULT '',
    privacy      text NOT NULL CHECK (privacy IN ('public', 'private')),
    member_count integer NOT NULL DEFAULT 0,  -- active members, kept in each membership change's transaction
    created_at   timestamptz NOT NULL DEFAULT now()
);
-- Search by the start of the name, case-insensitively.
CREATE INDEX clubs_name_prefix ON clubs (lower(name) text_pattern_ops);

-- One row per user and club: an active member (owner, admin or member), a request to join a private
-- club, or an invitation not yet answered. Exactly one active owner per club.
CREATE TABLE club_members (
    club_id    bigint NOT NULL REFERENCES clubs (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
    state      text NOT NULL CHECK (state IN ('active', 'requested', 'invited')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (club_id, user_id)
);
-- The caller's clubs, and the member list by state and role.
CREATE INDEX club_members_user ON club_members (user_id, club_id) WHERE state = 'active';
CREATE INDEX club_members_list ON club_members (club_id, state, role, user_id);
CREATE UNIQUE INDEX club_members_one_owner ON club_members (club_id) WHERE role = 'owner';

CREATE TABLE club_events (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    club_id           bigint NOT NULL REFERENCES clubs (id) ON DELETE CASCADE,
    created_by        bigint REFERENCES users (id) ON DELETE SET NULL,
    title             text NOT NULL,
    description       text NOT NULL DEFAULT '',
    starts_at         timestamptz NOT NULL,
    ends_at           timestamptz NOT NULL CHECK (ends_at > starts_at),
    place             text NOT NULL DEFAULT '',
    lat               double precision CHECK (lat BETWEEN -90 AND 90),
    lng               double precision CHECK (lng BETWEEN -180 AND 180),
    route_activity_id bigint,  -- shown through the activities reader, so never more than the viewer may see
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX club_events_upcoming ON club_events (club_id, starts_at, id);

CREATE TABLE club_event_rsvps (
    event_id   bigint NOT NULL REFERENCES club_events (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    answer     text NOT NULL CHECK (answer IN ('going', 'maybe')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX club_event_rsvps_user ON club_event_rsvps (user_id);
