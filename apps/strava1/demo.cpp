// `strava1 demo --users=N`: synthetic data for the benchmarks, the screenshots and a newcomer's first
// look (docs/adr/0028-demo-data.md). Templates go through the real import; everything else is made by
// set-based SQL inside PostgreSQL (INSERT … SELECT over generate_series), because row-at-a-time
// inserts from here could not load 100k users and 1M activities in minutes on two cores.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>

#include "bootstrap.hpp"
#include "strava1/geo/polyline.hpp"

namespace strava1::app {
namespace asio = boost::asio;

namespace {

constexpr const char* kDemoUsage =
    "usage: strava1 demo --users=N [--seed=S] [--tracks=DIR] [--feed-days=D] [settings]\n"
    "Fills an empty database (the one serve uses: same settings) with N synthetic users named demoK\n"
    "(email demoK@demo.strava1.example, password \"demo-password\"), their follows (power law), clubs,\n"
    "posts, comments, kudos, about 10 activities each over two years made from the GPX/TCX/FIT files\n"
    "under DIR, and their home-feed rows. Refuses a database that already has users.\n";

// argon2id (libsodium's interactive cost, as sign-up uses) of "demo-password", made once: hashing it
// per user would take hours at 100k users. Every demo user signs in with it.
constexpr const char* kDemoPasswordHash =
    "$argon2id$v=19$m=65536,t=2,p=1$wXKSLPAT3damrkDRtrgbiA$M6g7zbicuxiShac7sDpwF6LkB6ApBMR2iBgrLSm3pGI";

// Per template, this many displaced copies of its track: activity k of user u uses variant u % kVariants,
// so up to kVariants users never share a track (ADR 0028).
constexpr int kVariants = 1000;
constexpr std::size_t kMaxTemplates = 24;

struct DemoOptions {
    std::int64_t users = 0;
    std::int64_t seed = 1;
    int feed_days = 90;
    std::filesystem::path tracks;
};

std::string JsonString(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

/// The track rotated about its first point by `degrees` and moved by (north_m, east_m): another
/// plausible route of the same shape and length.
std::vector<geo::LatLng> Displace(const std::vector<geo::LatLng>& points, double degrees, double north_m,
                                  double east_m) {
    std::vector<geo::LatLng> out;
    if (points.empty()) {
        return out;
    }
    const geo::LatLng origin = points.front();
    const double m_per_deg_lat = 111320.0;
    const double m_per_deg_lng = 111320.0 * std::cos(origin.lat_deg * std::numbers::pi / 180.0);
    const double a = degrees * std::numbers::pi / 180.0;
    out.reserve(points.size());
    for (const auto& p : points) {
        const double n = (p.lat_deg - origin.lat_deg) * m_per_deg_lat;
        const double e = (p.lng_deg - origin.lng_deg) * m_per_deg_lng;
        const double rn = n * std::cos(a) - e * std::sin(a) + north_m;
        const double re = n * std::sin(a) + e * std::cos(a) + east_m;
        out.push_back({origin.lat_deg + rn / m_per_deg_lat, origin.lng_deg + re / m_per_deg_lng});
    }
    return out;
}

using Clock = std::chrono::steady_clock;

struct Step {
    db::Lease& lease;
    Clock::time_point start = Clock::now();

    asio::awaitable<void> Run(const char* what, std::string sql) {
        const auto t0 = Clock::now();
        co_await lease.ExecuteScript(std::move(sql));
        Report(what, t0);
    }

    void Report(const char* what, Clock::time_point t0) const {
        const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
        std::printf("demo: %-28s %8.1f s (total %.1f s)\n", what, ms(Clock::now() - t0) / 1000.0,
                    ms(Clock::now() - start) / 1000.0);
        std::fflush(stdout);
    }
};

// The tables the bulk steps fill. Their foreign keys and non-unique indexes are dropped before the
// load and made again after it (ADR 0028): checking a foreign key is one trigger query per row (tens
// of millions at 100k users) and a B-tree grown row by row in random order costs far more than one
// sorted build. Unique indexes stay: ON CONFLICT and the primary keys need them during the load.
constexpr const char* kBulkTables =
    "ARRAY['users', 'local_credentials', 'follows', 'activities', 'clubs', 'club_members', 'posts', 'kudos', "
    "'comments', 'feed_authored', 'feed_items']::regclass[]";

// Each dropped object with the definition that makes it again: pg_get_indexdef is a complete CREATE
// INDEX, pg_get_constraintdef the constraint's clause.
std::string SaveDeferredSql() {
    return std::string(R"SQL(
CREATE TEMP TABLE demo_deferred AS
SELECT 'index'::text AS kind, c.oid::regclass::text AS tbl, i.oid::regclass::text AS name, pg_get_indexdef(i.oid) AS def
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
WHERE c.oid = ANY ()SQL") +
           kBulkTables + R"SQL() AND NOT x.indisunique
UNION ALL
SELECT 'fkey', conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY ()SQL" +
           kBulkTables + R"SQL();
DO $$ DECLARE d record; BEGIN
    FOR d IN SELECT * FROM demo_deferred LOOP
        IF d.kind = 'index' THEN EXECUTE 'DROP INDEX ' || d.name;
        ELSE EXECUTE 'ALTER TABLE ' || d.tbl || ' DROP CONSTRAINT ' || d.name; END IF;
    END LOOP;
END $$;
)SQL";
}

// Indexes first (sorted builds), then the foreign keys: adding one validates all rows in one join.
constexpr const char* kRestoreDeferredSql = R"SQL(
DO $$ DECLARE d record; BEGIN
    FOR d IN SELECT * FROM demo_deferred ORDER BY kind DESC, tbl, name LOOP
        IF d.kind = 'index' THEN EXECUTE d.def;
        ELSE EXECUTE 'ALTER TABLE ' || d.tbl || ' ADD CONSTRAINT ' || d.name || ' ' || d.def; END IF;
    END LOOP;
END $$;
)SQL";

// What was dropped and is not back exactly as it was (empty when the restore is complete).
constexpr const char* kMissingDeferredSql = R"SQL(
SELECT d.kind || ' ' || d.name FROM demo_deferred d
WHERE NOT EXISTS (SELECT 1 FROM pg_index x WHERE d.kind = 'index' AND x.indexrelid::regclass::text = d.name
                  AND pg_get_indexdef(x.indexrelid) = d.def AND x.indisvalid)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE d.kind = 'fkey' AND c.contype = 'f' AND c.convalidated
                  AND c.conrelid::regclass::text = d.tbl AND quote_ident(c.conname) = d.name
                  AND pg_get_constraintdef(c.oid) = d.def)
)SQL";

std::vector<std::filesystem::path> TrackFiles(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    if (dir.empty() || !std::filesystem::is_directory(dir)) {
        return files;
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        const std::string ext = entry.path().extension().string();
        if (entry.is_regular_file() && (ext == ".gpx" || ext == ".tcx" || ext == ".fit") && entry.file_size() > 8000 &&
            entry.file_size() < 3'000'000) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

/// The rows themselves: every step after the empty-database check. 2 when --tracks has no template.
asio::awaitable<int> Fill(CommandContext* context, const DemoOptions& o, db::Lease& lease, Step& step) {
    const std::string n = std::to_string(o.users);
    co_await lease.Query("SELECT setseed($1::float8)", db::Params::Of(std::to_string(1.0 / (2 + o.seed))));

    // Users: ids 1..N (the table is empty), names and cities from small lists, privacy defaults mostly
    // open as on Strava. The start/end radius is 0: the cloned activities carry no hidden discs.
    co_await step.Run("users", R"SQL(
CREATE TEMP TABLE demo_first (i int PRIMARY KEY, v text);
INSERT INTO demo_first SELECT ordinality - 1, v FROM unnest(ARRAY['Ana','Luka','Maja','Jan','Eva','Nik','Sara','Tim','Lea','Marko','Nina','Peter','Zala','Matej','Tina','Rok','Iva','Ben','Mia','Leo','Ella','Noah','Emma','Liam','Olivia','Lucas','Sofia','Hugo','Clara','Felix','Ines','Oscar'])
    WITH ORDINALITY AS t(v, ordinality);
CREATE TEMP TABLE demo_last (i int PRIMARY KEY, v text);
INSERT INTO demo_last SELECT ordinality - 1, v FROM unnest(ARRAY['Novak','Horvat','Kranjc','Zupan','Potocnik','Kovac','Mlakar','Vidmar','Smith','Jones','Garcia','Muller','Rossi','Dubois','Nilsson','Jensen','Silva','Kowalski','Svoboda','Nagy','Popescu','Ivanov','Berg','Moreau'])
    WITH ORDINALITY AS t(v, ordinality);
CREATE TEMP TABLE demo_city (i int PRIMARY KEY, city text, country text);
INSERT INTO demo_city SELECT row_number() OVER () - 1, city, country FROM (VALUES
    ('Ljubljana','SI'),('Maribor','SI'),('Bled','SI'),('Vienna','AT'),('Graz','AT'),('Munich','DE'),('Berlin','DE'),
    ('Zurich','CH'),('Milan','IT'),('Trieste','IT'),('Zagreb','HR'),('Paris','FR'),('Lyon','FR'),('London','GB'),
    ('Amsterdam','NL'),('Copenhagen','DK'),('Stockholm','SE'),('Madrid','ES'),('Lisbon','PT'),('Prague','CZ')) v(city, country);
INSERT INTO users (id, email, username, display_name, city, country, default_visibility, approve_followers,
                   hide_endpoints_m, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT g, 'demo' || g || '@demo.strava1.example', 'demo' || g,
       f.v || ' ' || l.v, c.city, c.country,
       CASE WHEN r < 0.85 THEN 'everyone' WHEN r < 0.97 THEN 'followers' ELSE 'only_me' END,
       random() < 0.05, 0, t, t
FROM (SELECT g, random() AS r, now() - interval '760 days' + random() * interval '30 days' AS t
      FROM generate_series(1, )SQL" +
                                   n + R"SQL() g) u
JOIN demo_first f ON f.i = (hashint8(g) & 1023) % 32
JOIN demo_last l ON l.i = ((hashint8(g) >> 10) & 1023) % 24
JOIN demo_city c ON c.i = ((hashint8(g) >> 20) & 1023) % 20;
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
INSERT INTO local_credentials (user_id, password_hash) SELECT id, ')SQL" +
                                   std::string(kDemoPasswordHash) +
                                   R"SQL(' FROM users;
)SQL");

    // Templates: the test data's tracks through the real import (parse, analysis, public views,
    // streams), as activities of demo1.
    const auto templates_start = Clock::now();
    std::size_t imported = 0;
    for (const auto& path : TrackFiles(o.tracks)) {
        if (imported >= kMaxTemplates) {
            break;
        }
        std::ifstream in(path, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        try {
            activities::UploadStatus s =
                co_await context->Compose().Activities().ImportAndWait(1, std::move(bytes), activities::UploadFields{});
            imported += s.status == "ready" ? 1 : 0;
        } catch (const Error& e) {
            // A file the import refuses is simply not a template.
            std::fprintf(stderr, "demo: %s is no template: %s\n", path.filename().c_str(), e.Detail().c_str());
        }
    }
    db::Result templates = co_await lease.Query(
        "SELECT id, summary_polyline FROM activities WHERE owner_id = 1 AND summary_polyline IS NOT NULL "
        "AND distance_m > 1000 AND elapsed_s > 300 ORDER BY id");
    if (templates.Rows() == 0) {
        std::fprintf(stderr, "strava1: no usable track under --tracks=%s (GPX/TCX/FIT files of > 1 km)\n",
                     o.tracks.string().c_str());
        co_return 2;
    }
    co_await lease.ExecuteScript(
        "CREATE TEMP TABLE demo_template (t int PRIMARY KEY, activity_id bigint NOT NULL);"
        "CREATE TEMP TABLE demo_variant (t int, v int, poly text NOT NULL, PRIMARY KEY (t, v))");
    for (int t = 0; t < templates.Rows(); ++t) {
        co_await lease.Query("INSERT INTO demo_template VALUES ($1, $2)",
                             db::Params::Of(std::int64_t{t}, templates.Int(t, 0)));
        auto points = geo::DecodePolyline(templates.Text(t, 1)).value_or(std::vector<geo::LatLng>{});
        std::string json = "[";
        for (int v = 0; v < kVariants; ++v) {
            // Spread over a ~40 km square and every heading; variant 0 is the original.
            const double north = v == 0 ? 0 : ((v * 7919) % 401 - 200) * 100.0;
            const double east = v == 0 ? 0 : ((v * 104729) % 401 - 200) * 100.0;
            const double angle = v == 0 ? 0 : (v * 137) % 360;
            json += (v ? ",{" : "{") + std::string("\"v\":") + std::to_string(v) +
                    ",\"p\":" + JsonString(geo::EncodePolyline(Displace(points, angle, north, east))) + "}";
        }
        json += "]";
        co_await lease.Query(
            "INSERT INTO demo_variant SELECT $1, x.v, x.p FROM json_to_recordset($2::json) AS x(v int, p text)",
            db::Params::Of(std::int64_t{t}, json));
    }
    const std::string t_count = std::to_string(templates.Rows());
    step.Report((std::to_string(templates.Rows()) + " templates").c_str(), templates_start);

    // Follows: each user follows 10..90 others; whom follows a power law over the ids (followee =
    // 1 + floor(N·u^2.5)), so demo1, demo2… have 10k+ followers at 100k users and most have 20–100.
    co_await step.Run("follows", R"SQL(
INSERT INTO follows (follower_id, followee_id, state, created_at, accepted_at)
SELECT g, followee, state, t, CASE WHEN state = 'accepted' THEN t END
FROM (SELECT f.g, f.followee, f.t,
             CASE WHEN u.approve_followers AND random() < 0.2 THEN 'pending' ELSE 'accepted' END AS state
FROM (SELECT DISTINCT ON (g, followee) g, followee, t FROM (
          SELECT g, 1 + floor()SQL" + n +
                                     R"SQL( * power(random(), 2.5))::bigint AS followee,
                 now() - random() * interval '700 days' AS t
          FROM generate_series(1, )SQL" +
                                     n + R"SQL() g
          CROSS JOIN LATERAL generate_series(1, 10 + (abs(hashint8(g + 7)) % 81)) k) x
      WHERE followee <> g) f
JOIN users u ON u.id = f.followee) s;
)SQL");

    // Activities: 5..15 per user (10 on average), over the last two years, one template variant each
    // (time-scaled ±15 %: the summary's times and speeds scale, the distance stays).
    co_await step.Run("activities", R"SQL(
CREATE TEMP TABLE demo_act AS
SELECT g AS owner_id, k, (abs(hashint8(g * 31 + k)) % )SQL" +
                                        t_count + R"SQL()::int AS t,
       (g % )SQL" + std::to_string(kVariants) +
                                        R"SQL()::int AS v,
       date_trunc('hour', now() - random() * interval '730 days') + (random() * 3600) * interval '1 second' AS start_time,
       0.85 + random() * 0.3 AS scale, random() AS r
FROM generate_series(1, )SQL" + n + R"SQL() g
CROSS JOIN LATERAL generate_series(1, 5 + (abs(hashint8(g + 11)) % 11)) k;
INSERT INTO activities (owner_id, sport, sub_sport, name, description, start_time, end_time, visibility,
    hide_endpoints_m, hidden_metrics, privacy_seed, device, distance_m, elapsed_s, moving_s, timer_s,
    elevation_gain_m, elevation_loss_m, avg_speed_mps, max_speed_mps, avg_pace_s_per_km, gap_s_per_km,
    avg_heart_rate_bpm, max_heart_rate_bpm, avg_cadence, avg_power_w, max_power_w, normalized_power_w,
    calories_kcal, trimp, tss, intensity_factor, point_count, summary_polyline, polyline, analysis,
    public_areas, public_summary, public_analysis, hide_from_feed, created_at, updated_at)
SELECT d.owner_id, a.sport, a.sub_sport,
       CASE WHEN extract(hour FROM d.start_time) < 12 THEN 'Morning ' WHEN extract(hour FROM d.start_time) < 18
            THEN 'Afternoon ' ELSE 'Evening ' END || initcap(replace(a.sport, '_', ' ')),
       '', d.start_time, d.start_time + a.elapsed_s * d.scale * interval '1 second',
       CASE WHEN u.default_visibility = 'only_me' OR d.r < 0.02 THEN 'only_me'
            WHEN u.default_visibility = 'followers' OR d.r < 0.1 THEN 'followers' ELSE 'everyone' END,
       0, '{}', (random() * 9e18)::bigint, a.device, a.distance_m, a.elapsed_s * d.scale, a.moving_s * d.scale,
       a.timer_s * d.scale, a.elevation_gain_m, a.elevation_loss_m, a.avg_speed_mps / d.scale,
       a.max_speed_mps / d.scale, a.avg_pace_s_per_km * d.scale, a.gap_s_per_km * d.scale, a.avg_heart_rate_bpm,
       a.max_heart_rate_bpm, a.avg_cadence, a.avg_power_w, a.max_power_w, a.normalized_power_w,
       a.calories_kcal, a.trimp, a.tss, a.intensity_factor, a.point_count, p.poly, p.poly, a.analysis,
       a.public_areas, a.public_summary, a.public_analysis, d.r > 0.98, d.start_time, d.start_time
FROM demo_act d
JOIN users u ON u.id = d.owner_id
JOIN demo_template dt ON dt.t = d.t
JOIN activities a ON a.id = dt.activity_id
JOIN demo_variant p ON p.t = d.t AND p.v = d.v
ORDER BY d.owner_id, d.start_time;
)SQL");

    // Clubs: one per 100 users (at least 3), owned by a user, 20 % private; every user in 0..3 clubs.
    co_await step.Run("clubs", R"SQL(
INSERT INTO clubs (id, name, description, sport, city, privacy, created_at)
OVERRIDING SYSTEM VALUE
SELECT c, x.city || ' ' || (ARRAY['Runners','Riders','Trail Club','Cycling Club','Hikers','Tri Team'])[1 + c % 6]
          || CASE WHEN c > 20 THEN ' ' || c ELSE '' END,
       'A demo club.', (ARRAY['run','ride','run','ride','hike','run'])[1 + c % 6], x.city,
       CASE WHEN c % 5 = 0 THEN 'private' ELSE 'public' END, now() - interval '700 days'
FROM generate_series(1, greatest(3, )SQL" +
                                   n + R"SQL( / 100)) c
JOIN demo_city x ON x.i = c % 20;
SELECT setval(pg_get_serial_sequence('clubs', 'id'), (SELECT max(id) FROM clubs));
INSERT INTO club_members (club_id, user_id, role, state, created_at)
SELECT c.id, 1 + (c.id * 7919) % )SQL" +
                                   n + R"SQL(, 'owner', 'active', c.created_at FROM clubs c;
INSERT INTO club_members (club_id, user_id, role, state, created_at)
SELECT DISTINCT ON (club, g) club, g, 'member', 'active', now() - random() * interval '600 days'
FROM (SELECT g, 1 + floor((SELECT count(*) FROM clubs) * power(random(), 2))::bigint AS club
      FROM generate_series(1, )SQL" +
                                   n + R"SQL() g
      CROSS JOIN LATERAL generate_series(1, abs(hashint8(g + 13)) % 4) k) x
ON CONFLICT DO NOTHING;
UPDATE clubs c SET member_count = m.n
FROM (SELECT club_id, count(*) AS n FROM club_members WHERE state = 'active' GROUP BY club_id) m
WHERE m.club_id = c.id;
)SQL");

    // Posts (one per two users), comments on a third of the activities, kudos on most, from followers.
    co_await step.Run("posts", R"SQL(
INSERT INTO posts (author_id, body, visibility, created_at, updated_at)
SELECT g, (ARRAY['Great weather for a long one today!','New personal best on the hill climb.',
                 'Who is up for a group ride on Saturday?','Recovery week. Easy miles only.',
                 'Finally back after the injury.','Trying the new trail tomorrow morning.'])[1 + g % 6],
       'everyone', t, t
FROM (SELECT g, now() - random() * interval '700 days' AS t FROM generate_series(1, )SQL" +
                                   n + R"SQL( / 2) g) x;
-- One post in five of an author in a club is a club post (ADR 0022), in the first club they joined.
UPDATE posts p SET club_id = m.club_id
FROM (SELECT DISTINCT ON (user_id) user_id, club_id FROM club_members WHERE state = 'active'
      ORDER BY user_id, club_id) m
WHERE m.user_id = p.author_id AND p.id % 5 = 0;
)SQL");
    co_await step.Run("kudos", R"SQL(
CREATE TEMP TABLE demo_followers AS
SELECT followee_id AS author, array_agg(follower_id) AS ids FROM follows WHERE state = 'accepted'
GROUP BY followee_id;
CREATE TEMP TABLE demo_reactions AS
SELECT a.id AS activity_id, a.owner_id, a.start_time, f.ids[1 + floor(random() * cardinality(f.ids))::int] AS user_id,
       random() AS r
FROM activities a JOIN demo_followers f ON f.author = a.owner_id
CROSS JOIN LATERAL generate_series(1, least(cardinality(f.ids), abs(hashint8(a.id)) % 6)) k
WHERE a.visibility <> 'only_me';
INSERT INTO kudos (activity_id, user_id, created_at)
SELECT activity_id, user_id, start_time + interval '3 hours' FROM demo_reactions ON CONFLICT DO NOTHING;
)SQL");
    co_await step.Run("comments", R"SQL(
INSERT INTO comments (author_id, activity_id, parent_owner_id, body, created_at, updated_at)
SELECT user_id, activity_id, owner_id,
       (ARRAY['Nice one!','Strong pace.','Looks like a beautiful route.','Chapeau!','See you next week.'])[1 + floor(r * 5)::int],
       start_time + interval '4 hours', start_time + interval '4 hours'
FROM demo_reactions WHERE r < 0.3;
)SQL");

    // The feed as the fan-out would have written it (ADR 0023); beside a running serve, its jobs may
    // have written the templates' rows already: every item in feed_authored (a post at its creation
    // to the second, as its event says; a club post in its club's feed, not to followers); authors
    // with more than 5000 accepted followers marked wide (read-time merge); the others' items of the
    // last --feed-days days copied to each accepted follower and to the author (older items: profile
    // only, see ADR 0028). In primary-key order: the key's B-tree then grows at its right edge.
    co_await step.Run("feed_authored", R"SQL(
INSERT INTO feed_authored (author_id, at, kind, item_id, in_feeds)
SELECT owner_id, start_time, 1, id, visibility <> 'only_me' AND NOT hide_from_feed FROM activities
ON CONFLICT DO NOTHING;
INSERT INTO feed_authored (author_id, at, kind, item_id, in_feeds)
SELECT author_id, date_trunc('second', created_at), 2, id, club_id IS NULL AND visibility <> 'only_me' FROM posts
ON CONFLICT DO NOTHING;
INSERT INTO feed_club_items (club_id, at, kind, item_id, author_id)
SELECT club_id, date_trunc('second', created_at), 2, id, author_id FROM posts WHERE club_id IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO feed_wide_authors (author_id)
SELECT followee_id FROM follows WHERE state = 'accepted' GROUP BY followee_id HAVING count(*) > 5000
ON CONFLICT DO NOTHING;
)SQL");
    co_await step.Run("feed_items", R"SQL(
INSERT INTO feed_items (user_id, at, kind, item_id, author_id)
SELECT author_id, at, kind, item_id, author_id FROM feed_authored
WHERE at > now() - )SQL" + std::to_string(o.feed_days) +
                                        R"SQL( * interval '1 day';
INSERT INTO feed_items (user_id, at, kind, item_id, author_id)
SELECT f.follower_id, a.at, a.kind, a.item_id, a.author_id
FROM feed_authored a
JOIN follows f ON f.followee_id = a.author_id AND f.state = 'accepted'
WHERE a.in_feeds AND a.at > now() - )SQL" +
                                        std::to_string(o.feed_days) + R"SQL( * interval '1 day'
  AND NOT EXISTS (SELECT 1 FROM feed_wide_authors w WHERE w.author_id = a.author_id)
ORDER BY 1, 2, 3, 4
ON CONFLICT DO NOTHING;
)SQL");
    co_return 0;
}

asio::awaitable<int> Generate(CommandContext* context, DemoOptions o) {
    db::Pool& pool = context->Pool();
    db::Lease lease = co_await pool.Acquire();
    Step step{lease};
    // Whole-table statements run for minutes; random() is reproducible only without parallel workers.
    co_await lease.ExecuteScript(
        "SET statement_timeout = 0; SET synchronous_commit = off; SET max_parallel_workers_per_gather = 0; "
        "SET work_mem = '256MB'; SET maintenance_work_mem = '1GB'");
    // A clone row is over the toast threshold, so PostgreSQL tries to compress its two polylines, which
    // hardly compress: with lz4 that failed try costs a fraction of pglz's (a third of the activities
    // step). Readers decompress either transparently; the copied analysis keeps the template's own
    // compression. A server built without lz4 keeps its default.
    co_await lease.ExecuteScript(
        "DO $$ BEGIN SET default_toast_compression = 'lz4'; EXCEPTION WHEN OTHERS THEN NULL; END $$");
    if ((co_await lease.Query("SELECT 1 FROM users LIMIT 1")).Rows() > 0) {
        std::fprintf(stderr, "strava1: demo needs an empty database (this one has users)\n");
        co_return 2;
    }
    co_await lease.ExecuteScript(SaveDeferredSql());
    // The dropped indexes and foreign keys come back whatever happens below: a failed run leaves a
    // partial data set, never a schema without them.
    int status = 0;
    std::exception_ptr failure;
    try {
        status = co_await Fill(context, o, lease, step);
    } catch (...) {
        failure = std::current_exception();
    }
    const auto restore_start = Clock::now();
    try {
        co_await lease.ExecuteScript(kRestoreDeferredSql);
        db::Result missing = co_await lease.Query(kMissingDeferredSql);
        if (missing.Rows() > 0) {
            throw std::runtime_error("demo: " + std::string(missing.Text(0, 0)) + " was not made again");
        }
    } catch (...) {
        if (!failure) {
            throw;
        }
    }
    step.Report("indexes, foreign keys", restore_start);
    if (failure) {
        std::rethrow_exception(failure);
    }
    if (status != 0) {
        co_return status;
    }
    co_await step.Run("analyze", "ANALYZE");
    db::Result c = co_await lease.Query(
        "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM activities), (SELECT count(*) FROM follows), "
        "(SELECT count(*) FROM feed_items), (SELECT count(*) FROM clubs), (SELECT count(*) FROM kudos), "
        "(SELECT count(*) FROM comments), (SELECT count(*) FROM posts)");
    std::printf(
        "demo: %lld users, %lld activities, %lld follows, %lld feed rows, %lld clubs, %lld kudos, %lld comments, "
        "%lld posts; sign in as demo1@demo.strava1.example … demo%lld@demo.strava1.example, password "
        "\"demo-password\"\n",
        static_cast<long long>(c.Int(0, 0)), static_cast<long long>(c.Int(0, 1)), static_cast<long long>(c.Int(0, 2)),
        static_cast<long long>(c.Int(0, 3)), static_cast<long long>(c.Int(0, 4)), static_cast<long long>(c.Int(0, 5)),
        static_cast<long long>(c.Int(0, 6)), static_cast<long long>(c.Int(0, 7)), static_cast<long long>(o.users));
    co_return 0;
}

}  // namespace

int Demo(const std::vector<std::string>& args) {
    std::vector<std::string> settings_args;
    DemoOptions o;
    try {
        for (const auto& arg : args) {
            auto value = [&arg](std::string_view flag) { return FlagValue(arg, flag); };
            if (arg == "--help" || arg == "-h") {
                std::fputs(kDemoUsage, stdout);
                return 0;
            }
            if (auto v = value("--users")) {
                o.users = std::stoll(*v);
            } else if (auto s = value("--seed")) {
                o.seed = std::stoll(*s);
            } else if (auto t = value("--tracks")) {
                o.tracks = *t;
            } else if (auto d = value("--feed-days")) {
                o.feed_days = std::stoi(*d);
            } else {
                settings_args.push_back(arg);
            }
        }
    } catch (const std::exception&) {
        std::fputs(kDemoUsage, stderr);
        return 2;
    }
    if (o.users < 2 || o.users > 10'000'000 || o.feed_days < 1 || o.tracks.empty()) {
        std::fputs(kDemoUsage, stderr);
        return 2;
    }
    return RunReportingFailures([&] {
        // Sized as serve is: the template imports need connections beside the one the bulk steps hold.
        CommandOptions options;
        options.serve_sized = true;
        CommandContext context(settings_args, options);
        return context.Run(Generate(&context, o));
    });
}

}  // namespace strava1::app
