-- Club challenges and their participants (owned by features/groups; ADR 0026).

-- A time-bound goal in a club: `individual` (each participant against the goal) or `club` (the
-- participants' progress summed against one shared goal). goal_value is in the type's unit: metres
-- (total_distance, longest_activity) or seconds (total_time, fastest_effort: the time to beat over
-- effort_m).
CREATE TABLE club_challenges (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    club_id     bigint NOT NULL REFERENCES clubs (id) ON DELETE CASCADE,
    created_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    title       text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('total_distance', 'total_time', 'longest_activity', 'fastest_effort')),
    sport       text,  -- null: every sport
    effort_m    double precision CHECK ((kind = 'fastest_effort') = (effort_m IS NOT NULL)),
    goal_value  double precision NOT NULL CHECK (goal_value > 0),
    mode        text NOT NULL CHECK (mode IN ('individual', 'club')),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
    completed_at timestamptz,  -- a club-mode challenge: when the shared goal was first reached
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX club_challenges_club ON club_challenges (club_id, ends_at DESC, id DESC);

-- One row per participant; completed_at is set once, by the job that first finds the goal reached
-- (individual mode), and never cleared.
CREATE TABLE club_challenge_participants (
    challenge_id bigint NOT NULL REFERENCES club_challenges (id) ON DELETE CASCADE,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at    timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    PRIMARY KEY (challenge_id, user_id)
);
-- "My challenges", and the challenges an activity's owner takes part in (the progress job).
CREATE INDEX club_challenge_participants_user ON club_challenge_participants (user_id, challenge_id);
