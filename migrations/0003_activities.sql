-- Workouts: uploads, activities, their streams and best efforts, privacy (owned by features/activities),
-- and the profile's default hide-start/end radius (owned by features/accounts).

ALTER TABLE users ADD COLUMN hide_endpoints_m integer NOT NULL DEFAULT 200
    CHECK (hide_endpoints_m BETWEEN 0 AND 1600);

-- One uploaded file. The original bytes are in the object store under original_key before the row
-- exists, so an upload interrupted by a crash is finished from them at the next start.
CREATE TABLE uploads (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status        text NOT NULL CHECK (status IN ('processing', 'ready', 'error', 'duplicate')),
    data_type     text NOT NULL CHECK (data_type IN ('gpx', 'tcx', 'fit', 'gpx.gz', 'tcx.gz', 'fit.gz')),
    file_sha256   text NOT NULL,
    size_bytes    bigint NOT NULL,
    original_key  text NOT NULL,
    external_id   text CHECK (length(external_id) <= 255),
    name          text CHECK (length(name) <= 255),
    description   text CHECK (length(description) <= 10000),
    sport         text,
    error         text,
    activity_ids  bigint[] NOT NULL DEFAULT '{}',
    duplicate_of  bigint,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX uploads_owner_idx ON uploads (owner_id, id);
CREATE INDEX uploads_processing_idx ON uploads (id) WHERE status = 'processing';

-- A secret displacement of the hidden start/end disc for one place an athlete often starts from
-- (docs/analytics.md, "Privacy masking"). Never leaves the server.
CREATE TABLE privacy_anchors (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hide_radius_m   integer NOT NULL CHECK (hide_radius_m BETWEEN 1 AND 1600),
    home_lat        double precision NOT NULL,
    home_lng        double precision NOT NULL,
    offset_north_m  double precision NOT NULL,
    offset_east_m   double precision NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX privacy_anchors_owner_idx ON privacy_anchors (owner_id);

-- User-defined circles: no point inside leaves the server for anyone but the owner.
CREATE TABLE privacy_zones (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    lat         double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng         double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
    radius_m    double precision NOT NULL CHECK (radius_m BETWEEN 100 AND 5000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX privacy_zones_owner_idx ON privacy_zones (owner_id);

CREATE TABLE activities (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id            bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    upload_id           bigint REFERENCES uploads (id) ON DELETE SET NULL,
    sport               text NOT NULL,
    sub_sport           text,
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    description         text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    start_time          timestamptz NOT NULL,
    end_time            timestamptz NOT NULL,
    manual              boolean NOT NULL DEFAULT false,
    visibility          text NOT NULL CHECK (visibility IN ('everyone', 'followers', 'only_me')),
    hide_endpoints_m    integer NOT NULL CHECK (hide_endpoints_m BETWEEN 0 AND 1600),
    hidden_metrics      text[] NOT NULL DEFAULT '{}',
    privacy_seed        bigint NOT NULL,
    -- The hidden start and end discs (centre and radius), derived from an anchor; NULL when off.
    start_disc          double precision[],
    end_disc            double precision[],
    start_anchor_id     bigint REFERENCES privacy_anchors (id) ON DELETE SET NULL,
    end_anchor_id       bigint REFERENCES privacy_anchors (id) ON DELETE SET NULL,
    -- What others see as the first and last point ({lat,lng}), kept for the guard that checks the
    -- estimators over every public end near one home (features/activities/src/privacy_guard.hpp).
    public_start        double precision[],
    public_end          double precision[],
    map_hidden          boolean NOT NULL DEFAULT false,
    file_sha256         text,
    device              text,
    external_id         text,
    distance_m          double precision NOT NULL DEFAULT 0,
    elapsed_s           double precision NOT NULL DEFAULT 0,
    moving_s            double precision NOT NULL DEFAULT 0,
    timer_s             double precision NOT NULL DEFAULT 0,
    elevation_gain_m    double precision NOT NULL DEFAULT 0,
    elevation_loss_m    double precision NOT NULL DEFAULT 0,
    avg_speed_mps       double precision,
    max_speed_mps       double precision,
    avg_pace_s_per_km   double precision,
    gap_s_per_km        double precision,
    avg_heart_rate_bpm  double precision,
    max_heart_rate_bpm  double precision,
    avg_cadence         double precision,
    avg_power_w         double precision,
    max_power_w         double precision,
    normalized_power_w  double precision,
    calories_kcal       double precision,
    trimp               double precision,
    tss                 double precision,
    intensity_factor    double precision,
    perceived_exertion  smallint CHECK (perceived_exertion BETWEEN 1 AND 10),
    point_count         integer NOT NULL DEFAULT 0,
    -- Owner's view polylines (privacy is applied when others read them).
    summary_polyline    text,
    polyline            text,
    -- Laps, splits, zones and curves as computed (docs/analytics.md); small, read whole.
    analysis            jsonb NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activities_owner_start_idx ON activities (owner_id, start_time DESC, id DESC);
CREATE INDEX activities_start_anchor_idx ON activities (start_anchor_id) WHERE start_anchor_id IS NOT NULL;
CREATE INDEX activities_end_anchor_idx ON activities (end_anchor_id) WHERE end_anchor_id IS NOT NULL;
CREATE INDEX activities_owner_sha_idx ON activities (owner_id, file_sha256) WHERE file_sha256 IS NOT NULL;

-- Per-point samples, one compact blob per activity (formats::EncodeTrack; docs/formats.md).
CREATE TABLE activity_streams (
    activity_id  bigint PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
    data         bytea NOT NULL
);

-- Fastest times over standard distances; personal records are the best rows per owner, sport and
-- distance, so deleting an activity recomputes them by construction.
CREATE TABLE best_efforts (
    activity_id  bigint NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    owner_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sport        text NOT NULL,
    distance_m   double precision NOT NULL,
    name         text NOT NULL,
    time_s       double precision NOT NULL,
    start_index  integer NOT NULL,
    end_index    integer NOT NULL,
    start_time   timestamptz NOT NULL,
    PRIMARY KEY (activity_id, distance_m)
);
CREATE INDEX best_efforts_records_idx ON best_efforts (owner_id, sport, distance_m, time_s);

-- Originals to remove from the object store: an upload row can go with its owner's account (ON
-- DELETE CASCADE from users), and the store is outside the database, so the row's deletion queues
-- its file here for features/activities to delete.
CREATE TABLE object_deletions (
    key           text PRIMARY KEY,
    requested_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION queue_original_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO object_deletions (key) VALUES (OLD.original_key) ON CONFLICT DO NOTHING;
    RETURN OLD;
END;
$$;

CREATE TRIGGER uploads_queue_original_deletion AFTER DELETE ON uploads
    FOR EACH ROW EXECUTE FUNCTION queue_original_deletion();
