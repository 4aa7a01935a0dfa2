#include "repository.hpp"

#include "strava1/db/arrays.hpp"
#include "strava1/formats/stream_codec.hpp"

namespace strava1::activities {
namespace asio = boost::asio;
using db::Params;

namespace {

std::uint32_t MetricBits(std::string_view pg_array) {
    std::uint32_t bits = 0;
    for (const auto& name : ParseTextArray(pg_array)) {
        if (auto m = ParseMetric(name)) {
            bits |= *m;
        }
    }
    return bits;
}

const std::string kActivitySelect = "SELECT " + db::SelectList(kActivityColumns);

/// One analysis part's stored and public JSON (the public view replaces what others are shown).
std::string PartColumns(std::initializer_list<std::string_view> keys) {
    std::string out = ", a.public_analysis IS NOT NULL";
    for (auto key : keys) {
        out.append(", a.analysis -> '").append(key).append("', a.public_analysis -> '").append(key).append("'");
    }
    return out;
}

const std::string& ActivityStatement(Extra extra) {
    static const std::string kFrom = " FROM activities a WHERE a.id = $1";
    static const std::string kPlain = kActivitySelect + kFrom;
    static const std::string kPolyline = kActivitySelect + ", a.polyline" + kFrom;
    static const std::string kAnalysis = kActivitySelect + ", a.analysis::text" + kFrom;
    static const std::string kLaps = kActivitySelect + PartColumns({"laps"}) + kFrom;
    static const std::string kSplits = kActivitySelect + PartColumns({"splits_km", "splits_mile"}) + kFrom;
    static const std::string kZones = kActivitySelect + PartColumns({"heart_rate_zones", "power_zones"}) + kFrom;
    static const std::string kEfforts = kActivitySelect + PartColumns({"best_efforts"}) + kFrom;
    static const std::string kCurves =
        kActivitySelect + PartColumns({"power_curve", "heart_rate_curve", "speed_curve"}) + kFrom;
    switch (extra) {
        case Extra::kNone:
            return kPlain;
        case Extra::kPolyline:
            return kPolyline;
        case Extra::kAnalysis:
            return kAnalysis;
        case Extra::kLaps:
            return kLaps;
        case Extra::kSplits:
            return kSplits;
        case Extra::kZones:
            return kZones;
        case Extra::kBestEfforts:
            return kEfforts;
        case Extra::kCurves:
            return kCurves;
    }
    return kPlain;
}

const std::string kSelectActivities = kActivitySelect + " FROM activities a WHERE a.id = ANY($1::bigint[])";
// The start's calendar day in the owner's time zone comes last (kExtraCol).
const std::string kListActivities =
    kActivitySelect +
    ", to_char(a.start_time AT TIME ZONE $9, 'YYYY-MM-DD') FROM activities a WHERE a.owner_id = $2 AND " +
    VisibleToViewerSql(1, 10) +
    " AND ($3::bigint IS NULL OR a.start_time < timestamptz 'epoch' + $3::bigint * interval '1 microsecond')"
    " AND ($4::bigint IS NULL OR a.start_time > timestamptz 'epoch' + $4::bigint * interval '1 microsecond')"
    " AND ($5::text IS NULL OR a.sport = $5)"
    " AND ($6::bigint IS NULL OR (a.start_time, a.id) < (timestamptz 'epoch' + $6::bigint * interval '1 microsecond', "
    "$7::bigint)) ORDER BY a.start_time DESC, a.id DESC LIMIT $8";
constexpr const char* kOwnerOf = "SELECT owner_id FROM activities WHERE id = $1";
constexpr const char* kLockOwner = "SELECT pg_advisory_xact_lock(7301, $1::int)";
inline constexpr std::array kRangeColumns = std::to_array<db::Column>({
    {"id", "id"},
    {"start_ms", "(extract(epoch FROM start_time) * 1000)::bigint"},
    {"end_ms", "(extract(epoch FROM end_time) * 1000)::bigint"},
});
consteval int RangeCol(std::string_view name) { return db::ColumnIndex(kRangeColumns, name); }
const std::string kOverlapping =
    "SELECT " + db::SelectList(kRangeColumns) +
    " FROM activities WHERE owner_id = $1 AND start_time < to_timestamp($3::float8 / 1000) AND "
    "end_time > to_timestamp($2::float8 / 1000) AND ($4::bigint IS NULL OR upload_id IS DISTINCT FROM $4) ORDER BY id";
constexpr const char* kSameFile =
    "SELECT id FROM activities WHERE owner_id = $1 AND file_sha256 = $2 ORDER BY id LIMIT 1";
constexpr const char* kInsertActivity =
    "INSERT INTO activities (owner_id, upload_id, sport, sub_sport, name, description, start_time, end_time, "
    "visibility, hide_endpoints_m, privacy_seed, start_disc, end_disc, file_sha256, device, external_id, "
    "distance_m, elapsed_s, moving_s, timer_s, elevation_gain_m, elevation_loss_m, avg_speed_mps, max_speed_mps, "
    "avg_pace_s_per_km, gap_s_per_km, avg_heart_rate_bpm, max_heart_rate_bpm, avg_cadence, avg_power_w, "
    "max_power_w, normalized_power_w, calories_kcal, trimp, tss, intensity_factor, point_count, "
    "summary_polyline, polyline, analysis, start_anchor_id, end_anchor_id, public_start, public_end, map_hidden, "
    "hide_from_feed) "
    "SELECT $1, $2, $3, $4, COALESCE($5, (SELECT CASE WHEN h < 5 THEN 'Night' WHEN h < 12 THEN 'Morning' "
    "WHEN h < 17 THEN 'Afternoon' WHEN h < 21 THEN 'Evening' ELSE 'Night' END FROM (SELECT extract(hour FROM "
    "to_timestamp($7::float8) AT TIME ZONE $46) AS h) hh) || ' ' || CASE WHEN $3 IN ('unknown', 'other') THEN "
    "'Activity' ELSE initcap(replace($3, '_', ' ')) END), "
    "$6, to_timestamp($7::float8), to_timestamp($8::float8), $9, $10, $11, $12::float8[], $13::float8[], $14, "
    "$15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, "
    "$36, $37, $38, $39, $40::jsonb, $41, $42, $43::float8[], $44::float8[], $45, $47 RETURNING id";
constexpr const char* kInsertManual =
    "INSERT INTO activities (owner_id, sport, name, description, start_time, end_time, manual, elapsed_s, "
    "moving_s, timer_s, distance_m, elevation_gain_m, calories_kcal, perceived_exertion, visibility, "
    "hide_endpoints_m, privacy_seed, avg_speed_mps, avg_pace_s_per_km) "
    "SELECT $1, $2, COALESCE($3, (SELECT CASE WHEN h < 5 THEN 'Night' WHEN h < 12 THEN 'Morning' "
    "WHEN h < 17 THEN 'Afternoon' WHEN h < 21 THEN 'Evening' ELSE 'Night' END FROM (SELECT extract(hour FROM "
    "to_timestamp($5::float8) AT TIME ZONE $18) AS h) hh) || ' ' || CASE WHEN $2 IN ('unknown', 'other') THEN "
    "'Activity' ELSE initcap(replace($2, '_', ' ')) END), "
    "$4, to_timestamp($5::float8), to_timestamp($5::float8) + $6 * interval '1 second', true, $6, $7, $7, $8, "
    "$9, $10, $11, COALESCE($12, $16), $17, $13, $14, $15 RETURNING id";
inline constexpr std::array kManualColumns = std::to_array<db::Column>({
    {"manual", "manual"},
    {"distance_m", "distance_m"},
    {"elapsed_s", "elapsed_s"},
    {"moving_s", "moving_s"},
});
consteval int ManualCol(std::string_view name) { return db::ColumnIndex(kManualColumns, name); }
const std::string kLockManualFigures =
    "SELECT " + db::SelectList(kManualColumns) + " FROM activities WHERE id = $1 FOR UPDATE";
constexpr const char* kLockPrivacySeed = "SELECT privacy_seed FROM activities WHERE id = $1 FOR UPDATE";
constexpr const char* kUpdateActivity =
    "UPDATE activities SET name = CASE WHEN $2 THEN $3 ELSE name END, "
    "description = CASE WHEN $4 THEN $5 ELSE description END, "
    "sport = CASE WHEN $6 THEN $7 ELSE sport END, "
    "visibility = CASE WHEN $8 THEN $9 ELSE visibility END, "
    "hidden_metrics = CASE WHEN $10 THEN $11::text[] ELSE hidden_metrics END, "
    "hide_endpoints_m = CASE WHEN $12 THEN $13::int ELSE hide_endpoints_m END, "
    "start_disc = CASE WHEN $12 THEN $14::float8[] ELSE start_disc END, "
    "end_disc = CASE WHEN $12 THEN $15::float8[] ELSE end_disc END, "
    "perceived_exertion = CASE WHEN $16 THEN $17::smallint ELSE perceived_exertion END, "
    "start_anchor_id = CASE WHEN $12 THEN $18::bigint ELSE start_anchor_id END, "
    "end_anchor_id = CASE WHEN $12 THEN $19::bigint ELSE end_anchor_id END, "
    "public_start = CASE WHEN $12 THEN $20::float8[] ELSE public_start END, "
    "public_end = CASE WHEN $12 THEN $21::float8[] ELSE public_end END, "
    "map_hidden = CASE WHEN $12 THEN $22::boolean ELSE map_hidden END, "
    "hide_from_feed = CASE WHEN $23 THEN $24::boolean ELSE hide_from_feed END, "
    "updated_at = now() WHERE id = $1";
// The original goes with the last activity made from it.
constexpr const char* kDeleteActivity =
    "WITH gone AS (DELETE FROM activities WHERE id = $1 RETURNING upload_id) "
    "SELECT up.original_key FROM gone JOIN uploads up ON up.id = gone.upload_id "
    "WHERE NOT EXISTS (SELECT 1 FROM activities o WHERE o.upload_id = gone.upload_id AND o.id <> $1)";
constexpr const char* kHideByModeration =
    "UPDATE activities SET visibility_before_moderation = COALESCE(visibility_before_moderation, visibility), "
    "visibility = 'only_me', moderated_at = COALESCE(moderated_at, now()), updated_at = now() WHERE id = $1 "
    "RETURNING 1";
constexpr const char* kModerated = "SELECT moderated_at IS NOT NULL FROM activities WHERE id = $1";
constexpr const char* kEventFacts =
    "SELECT id, owner_id, to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), visibility, "
    "hide_from_feed FROM activities WHERE id = $1";
constexpr const char* kOriginalOf =
    "SELECT up.original_key, up.data_type FROM activities a JOIN uploads up ON up.id = a.upload_id WHERE a.id = $1";

// A stats figure as the viewer is shown it: the owner (and anyone of an activity whose map the guard
// withheld: they get all its samples) adds the stored figure, others what they are shown of it
// (public_view.hpp), so no total measures a hidden end either.
inline constexpr std::array kStatsColumns = std::to_array<db::Column>({
    {"sport", "a.sport"},
    {"bucket", "b.bucket"},
    {"count", "count(*)"},
    {"distance_m",
     "sum(CASE WHEN a.owner_id = $1 OR a.map_hidden THEN a.distance_m ELSE COALESCE((a.public_summary ->> "
     "'distance_m')::float8, a.distance_m) END)"},
    {"moving_s",
     "sum(CASE WHEN a.owner_id = $1 OR a.map_hidden THEN a.moving_s ELSE COALESCE((a.public_summary ->> "
     "'moving_s')::float8, a.moving_s) END)"},
    {"elapsed_s",
     "sum(CASE WHEN a.owner_id = $1 OR a.map_hidden THEN a.elapsed_s ELSE COALESCE((a.public_summary ->> "
     "'elapsed_s')::float8, a.elapsed_s) END)"},
    {"elevation_gain_m",
     "sum(CASE WHEN a.owner_id = $1 OR a.map_hidden THEN a.elevation_gain_m ELSE COALESCE((a.public_summary ->> "
     "'elevation_gain_m')::float8, a.elevation_gain_m) END)"},
});
consteval int StatsCol(std::string_view name) { return db::ColumnIndex(kStatsColumns, name); }
const std::string kStats =
    "SELECT " + db::SelectList(kStatsColumns) +
    " FROM activities a CROSS JOIN LATERAL (VALUES ('all'), ('recent'), ('ytd')) b(bucket) WHERE a.owner_id = $2 AND " +
    VisibleToViewerSql(1, 4) +
    " AND (b.bucket = 'all' OR (b.bucket = 'recent' AND a.start_time >= now() - interval '28 days') OR "
    "(b.bucket = 'ytd' AND a.start_time >= (date_trunc('year', now() AT TIME ZONE $3) AT TIME ZONE $3))) "
    "GROUP BY a.sport, b.bucket ORDER BY a.sport";

// Leaderboards: the figures as Stats shows them, per owner, over a window of start times.
inline constexpr std::array kTotalsColumns = std::to_array<db::Column>({
    {"owner_id", "a.owner_id"},
    {"count", "count(*)"},
    {"distance_m",
     "COALESCE(sum(CASE WHEN a.owner_id = $1 OR a.map_hidden THEN a.distance_m ELSE COALESCE((a.public_summary ->> "
     "'distance_m')::float8, a.distance_m) END), 0)"},
    {"moving_s",
     "COALESCE(sum(CASE WHEN a.owner_id = $1 OR a.map_hidden THEN a.moving_s ELSE COALESCE((a.public_summary ->> "
     "'moving_s')::float8, a.moving_s) END), 0)"},
    {"elevation_gain_m",
     "COALESCE(sum(CASE WHEN a.owner_id = $1 OR a.map_hidden THEN a.elevation_gain_m ELSE COALESCE((a.public_summary "
     "->> 'elevation_gain_m')::float8, a.elevation_gain_m) END), 0)"},
});
consteval int TotalsCol(std::string_view name) { return db::ColumnIndex(kTotalsColumns, name); }
const std::string kTotals =
    "SELECT " + db::SelectList(kTotalsColumns) + " FROM activities a WHERE a.owner_id = ANY($2::bigint[]) AND " +
    VisibleToViewerAmongSql(1, 3) +
    " AND a.sport = $4 AND a.start_time >= timestamptz 'epoch' + $5::bigint * interval '1 microsecond'"
    " AND a.start_time < timestamptz 'epoch' + $6::bigint * interval '1 microsecond' GROUP BY a.owner_id";

// Challenges: Totals' figures over any sport or one, the longest activity and the fastest effort over
// one distance; another viewer's effort counts only inside the window they are shown (pr_count_shown).
#define SHOWN_DISTANCE                                                                                 \
    "CASE WHEN a.owner_id = $1 OR a.map_hidden THEN a.distance_m ELSE COALESCE((a.public_summary ->> " \
    "'distance_m')::float8, a.distance_m) END"
inline constexpr std::array kProgressColumns = std::to_array<db::Column>({
    {"owner_id", "a.owner_id"},
    {"count", "count(*)"},
    {"distance_m", "COALESCE(sum(" SHOWN_DISTANCE "), 0)"},
    {"moving_s",
     "COALESCE(sum(CASE WHEN a.owner_id = $1 OR a.map_hidden THEN a.moving_s ELSE COALESCE((a.public_summary ->> "
     "'moving_s')::float8, a.moving_s) END), 0)"},
    {"longest_m", "COALESCE(max(" SHOWN_DISTANCE "), 0)"},
    {"fastest_s",
     "min((SELECT min(e.time_s) FROM best_efforts e WHERE e.activity_id = a.id AND e.distance_m = $7::float8 AND "
     "(a.owner_id = $1 OR NOT a.public_summary ? 'first' OR (e.start_index >= (a.public_summary ->> "
     "'first')::bigint AND e.end_index <= (a.public_summary ->> 'last')::bigint))))"},
});
#undef SHOWN_DISTANCE
consteval int ProgressCol(std::string_view name) { return db::ColumnIndex(kProgressColumns, name); }
const std::string kProgress =
    "SELECT " + db::SelectList(kProgressColumns) + " FROM activities a WHERE a.owner_id = ANY($2::bigint[]) AND " +
    VisibleToViewerAmongSql(1, 3) +
    " AND ($4::text IS NULL OR a.sport = $4) AND a.start_time >= timestamptz 'epoch' + $5::bigint * interval '1 "
    "microsecond' AND a.start_time < timestamptz 'epoch' + $6::bigint * interval '1 microsecond' GROUP BY a.owner_id";

// --- stored public views ---
inline constexpr std::array kSourceColumns = std::to_array<db::Column>({
    {"id", "a.id"},
    {"sport", "a.sport"},
    {"start_disc", "a.start_disc"},
    {"end_disc", "a.end_disc"},
    {"analysis", "a.analysis::text"},
    // The samples only when something can hide some of them.
    {"data", "CASE WHEN a.start_disc IS NOT NULL OR a.end_disc IS NOT NULL OR $3 THEN s.data END"},
});
consteval int SourceCol(std::string_view name) { return db::ColumnIndex(kSourceColumns, name); }
const std::string kPublicViewSources =
    "SELECT " + db::SelectList(kSourceColumns) +
    " FROM activities a JOIN activity_streams s ON s.activity_id = a.id WHERE a.id = ANY($1::bigint[]) AND "
    "a.owner_id = $2";
constexpr const char* kStorePublicView =
    "UPDATE activities SET public_areas = $2, public_summary = $3::jsonb, public_analysis = $4::jsonb WHERE id = $1";
constexpr const char* kWithStreams =
    "SELECT a.id FROM activities a JOIN activity_streams s ON s.activity_id = a.id WHERE a.owner_id = $1 ORDER BY a.id";
constexpr const char* kStalePublicViews =
    "SELECT a.owner_id, array_agg(a.id ORDER BY a.id)::text AS ids FROM activities a JOIN activity_streams s ON "
    "s.activity_id = a.id WHERE a.public_areas IS NULL OR NOT starts_with(a.public_areas, $1) GROUP BY a.owner_id";

// --- activity_streams and best_efforts ---
constexpr const char* kStreamHex = "SELECT data FROM activity_streams WHERE activity_id = $1";
constexpr const char* kInsertStreams = "INSERT INTO activity_streams (activity_id, data) VALUES ($1, $2::bytea)";
constexpr const char* kInsertBestEffort =
    "INSERT INTO best_efforts (activity_id, owner_id, sport, distance_m, name, time_s, start_index, end_index, "
    "start_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::float8))";
constexpr const char* kEffortIndexes =
    "SELECT activity_id, start_index, end_index FROM best_efforts WHERE activity_id = ANY($1::bigint[])";
constexpr const char* kUpdateEffortSport = "UPDATE best_efforts SET sport = $2 WHERE activity_id = $1";
inline constexpr std::array kEffortColumns = std::to_array<db::Column>({
    {"name", "e.name"},
    {"distance_m", "e.distance_m"},
    {"time_s", "e.time_s"},
    {"start_index", "e.start_index"},
    {"end_index", "e.end_index"},
    // Rank among the owner's efforts over the same distance in this sport up to this activity: 1 is a PR
    // at the time it was run.
    {"rank",
     "(SELECT count(*) FROM best_efforts o WHERE o.owner_id = e.owner_id AND o.sport = e.sport AND "
     "o.distance_m = e.distance_m AND o.time_s < e.time_s AND (o.start_time, o.activity_id) < "
     "(e.start_time, e.activity_id)) + 1"},
});
consteval int EffortCol(std::string_view name) { return db::ColumnIndex(kEffortColumns, name); }
const std::string kRankedEfforts =
    "SELECT " + db::SelectList(kEffortColumns) + " FROM best_efforts e WHERE e.activity_id = $1 ORDER BY e.distance_m";
inline constexpr std::array kRecordColumns = std::to_array<db::Column>({
    {"sport", "sport"},
    {"name", "name"},
    {"distance_m", "distance_m"},
    {"time_s", "time_s"},
    {"activity_id", "activity_id"},
    {"start_iso", "to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
});
consteval int RecordCol(std::string_view name) { return db::ColumnIndex(kRecordColumns, name); }
// The best row per sport and distance; ties go to the earliest.
const std::string kRecords = "SELECT DISTINCT ON (sport, distance_m) " + db::SelectList(kRecordColumns) +
                             " FROM best_efforts WHERE owner_id = $1 ORDER BY sport, distance_m, time_s, start_time, "
                             "activity_id";

}  // namespace

ActivityRow ReadRow(const db::Result& r, int row, const std::vector<geo::Disc>& zones) {
    ActivityRow a{&r, row, {}};
    a.audience.owner_id = r.Int(row, Col("owner_id"));
    a.audience.visibility = ParseVisibility(r.Text(row, Col("visibility"))).value_or(Visibility::kOnlyMe);
    a.audience.hidden_metrics = MetricBits(r.Text(row, Col("hidden_metrics")));
    a.audience.map_hidden = r.Text(row, Col("map_hidden")) == "t";
    for (int col : {Col("start_disc"), Col("end_disc")}) {
        if (!r.IsNull(row, col)) {
            if (auto disc = ParseDiscArray(r.Text(row, col))) {
                a.audience.hidden_areas.push_back(*disc);
            }
        }
    }
    a.audience.hidden_areas.insert(a.audience.hidden_areas.end(), zones.begin(), zones.end());
    return a;
}

std::vector<std::string_view> PartKeys(Extra extra) {
    switch (extra) {
        case Extra::kLaps:
            return {"laps"};
        case Extra::kSplits:
            return {"splits_km", "splits_mile"};
        case Extra::kZones:
            return {"heart_rate_zones", "power_zones"};
        case Extra::kBestEfforts:
            return {"best_efforts"};
        case Extra::kCurves:
            return {"power_curve", "heart_rate_curve", "speed_curve"};
        default:
            return {};
    }
}

asio::awaitable<void> Repository::LockOwner(db::Transaction tx, std::int64_t owner_id) {
    co_await tx.Query(kLockOwner, Params::Of(owner_id % 2147483647));
}

asio::awaitable<db::Result> Repository::FindActivity(std::int64_t id, Extra extra) {
    co_return co_await pool_.Query(ActivityStatement(extra), Params::Of(id));
}

asio::awaitable<db::Result> Repository::FindActivities(std::vector<std::int64_t> ids) {
    co_return co_await pool_.Query(kSelectActivities, Params::Of(db::Int64Array(ids)));
}

asio::awaitable<db::Result> Repository::ListActivities(ListQuery q) {
    Params p;
    p.Add(q.viewer_id).Add(q.owner_id).Add(q.before_us).Add(q.after_us).Add(q.sport);
    p.Add(q.cursor ? std::optional((*q.cursor)[0]) : std::nullopt);
    p.Add(q.cursor ? std::optional((*q.cursor)[1]) : std::nullopt);
    p.Add(q.fetch).Add(q.time_zone).Add(q.follows_owner);
    co_return co_await pool_.Query(kListActivities, std::move(p));
}

asio::awaitable<std::optional<std::int64_t>> Repository::OwnerOf(std::int64_t id) {
    db::Result r = co_await pool_.Query(kOwnerOf, Params::Of(id));
    co_return r.Empty() ? std::nullopt : std::optional<std::int64_t>(r.Int(0, 0));
}

asio::awaitable<std::vector<std::pair<std::int64_t, TimeRange>>> Repository::OverlappingActivities(
    db::Transaction tx, std::int64_t owner_id, TimeRange range, std::optional<std::int64_t> exclude_upload) {
    db::Result r = co_await tx.Query(kOverlapping, Params::Of(owner_id, range.start_ms, range.end_ms, exclude_upload));
    std::vector<std::pair<std::int64_t, TimeRange>> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.emplace_back(r.Int(row, RangeCol("id")),
                         TimeRange{r.Int(row, RangeCol("start_ms")), r.Int(row, RangeCol("end_ms"))});
    }
    co_return out;
}

asio::awaitable<std::optional<std::int64_t>> Repository::SameFile(db::Transaction tx, std::int64_t owner_id,
                                                                  std::string sha) {
    db::Result r = co_await tx.Query(kSameFile, Params::Of(owner_id, sha));
    co_return r.Empty() ? std::nullopt : std::optional<std::int64_t>(r.Int(0, 0));
}

asio::awaitable<std::int64_t> Repository::InsertActivity(db::Transaction tx, const NewActivity& n) {
    const PreparedActivity& p = *n.prepared;
    const auto& a = p.analysis;
    Params params;
    params.Add(n.owner_id).Add(n.upload_id).Add(n.sport);
    params.Add(p.sub_sport.empty() ? std::nullopt : std::optional(p.sub_sport));
    params.Add(n.name).Add(n.description).Add(static_cast<double>(p.start_ms) / 1000.0);
    params.Add(static_cast<double>(p.end_ms) / 1000.0);
    params.Add(n.visibility).Add(n.hide_endpoints_m).Add(n.privacy_seed).Add(n.plan.start_disc).Add(n.plan.end_disc);
    params.Add(n.file_sha256).Add(p.device.empty() ? std::nullopt : std::optional(p.device)).Add(n.external_id);
    params.Add(p.distance_m).Add(p.elapsed_s).Add(p.moving_s).Add(p.timer_s).Add(p.elevation_gain_m);
    params.Add(p.elevation_loss_m);
    params.Add(p.moving_s > 0 ? std::optional(a.avg_speed_mps) : std::nullopt);
    params.Add(a.max_speed_mps > 0 ? std::optional(a.max_speed_mps) : std::nullopt);
    params.Add(a.avg_pace_s_per_km).Add(a.grade_adjusted_pace_s_per_km).Add(a.avg_heart_rate_bpm);
    params.Add(a.max_heart_rate_bpm).Add(a.avg_cadence_spm ? a.avg_cadence_spm : a.avg_cadence_rpm);
    params.Add(a.avg_power_w).Add(a.max_power_w).Add(a.normalized_power_w).Add(p.calories_kcal).Add(a.trimp);
    params.Add(a.training_stress_score).Add(a.intensity_factor).Add(static_cast<std::int64_t>(p.point_count));
    params.Add(p.summary_polyline.empty() ? std::nullopt : std::optional(p.summary_polyline));
    params.Add(p.polyline.empty() ? std::nullopt : std::optional(p.polyline)).Add(p.analysis_json);
    params.Add(n.plan.start_anchor).Add(n.plan.end_anchor).Add(n.plan.public_start).Add(n.plan.public_end);
    params.Add(n.plan.map_hidden).Add(n.time_zone).Add(n.hide_from_feed);
    db::Result r = co_await tx.Query(kInsertActivity, std::move(params));
    co_return r.Int(0, 0);
}

asio::awaitable<std::int64_t> Repository::InsertManual(db::Transaction tx, const NewManualActivity& m) {
    Params p;
    p.Add(m.owner_id).Add(m.sport).Add(m.name).Add(m.description).Add(m.start_s).Add(m.elapsed_s).Add(m.moving_s);
    p.Add(m.distance_m).Add(m.elevation_gain_m).Add(m.calories_kcal).Add(m.perceived_exertion);
    // $12 the visibility asked for (NULL: the owner's default, $16).
    p.Add(m.visibility).Add(m.privacy_seed).Add(m.avg_speed_mps).Add(m.avg_pace_s_per_km);
    p.Add(m.default_visibility).Add(m.hide_endpoints_m).Add(m.time_zone);
    db::Result r = co_await tx.Query(kInsertManual, std::move(p));
    co_return r.Int(0, 0);
}

asio::awaitable<std::optional<Repository::ManualFigures>> Repository::LockManualFigures(db::Transaction tx,
                                                                                        std::int64_t id) {
    db::Result r = co_await tx.Query(kLockManualFigures, Params::Of(id));
    if (r.Empty() || r.Text(0, ManualCol("manual")) != "t") {
        co_return std::nullopt;
    }
    co_return ManualFigures{r.Double(0, ManualCol("distance_m")), r.Double(0, ManualCol("elapsed_s")),
                            r.Double(0, ManualCol("moving_s"))};
}

asio::awaitable<std::uint64_t> Repository::LockPrivacySeed(db::Transaction tx, std::int64_t id) {
    db::Result r = co_await tx.Query(kLockPrivacySeed, Params::Of(id));
    co_return static_cast<std::uint64_t>(r.Int(0, 0));
}

asio::awaitable<void> Repository::UpdateActivity(db::Transaction tx, const ActivityChanges& c) {
    const PatchActivityBody& body = *c.body;
    auto widen = [](const std::optional<std::int32_t>& v) {
        return v ? std::optional<std::int64_t>(*v) : std::nullopt;
    };
    Params p;
    p.Add(c.id);
    p.Add(body.name.present).Add(body.name.value);
    p.Add(body.description.present).Add(body.description.value);
    p.Add(body.sport.present).Add(body.sport.value);
    p.Add(body.visibility.present).Add(body.visibility.value);
    p.Add(c.hidden_metrics.has_value()).Add(c.hidden_metrics);
    p.Add(body.hide_endpoints_m.present).Add(widen(body.hide_endpoints_m.value));
    p.Add(c.plan.start_disc).Add(c.plan.end_disc);
    p.Add(body.perceived_exertion.present).Add(widen(body.perceived_exertion.value));
    p.Add(c.plan.start_anchor).Add(c.plan.end_anchor).Add(c.plan.public_start).Add(c.plan.public_end);
    p.Add(c.plan.map_hidden);
    p.Add(body.hide_from_feed.present).Add(body.hide_from_feed.value);
    co_await tx.Query(kUpdateActivity, std::move(p));
}

asio::awaitable<bool> Repository::HideByModeration(db::Transaction tx, std::int64_t id) {
    db::Result r = co_await tx.Query(kHideByModeration, Params::Of(id));
    co_return !r.Empty();
}

asio::awaitable<bool> Repository::Moderated(db::Transaction tx, std::int64_t id) {
    db::Result r = co_await tx.Query(kModerated, Params::Of(id));
    co_return !r.Empty() && r.Bool(0, 0);
}

asio::awaitable<std::optional<boost::json::object>> Repository::EventFacts(db::Transaction tx, std::int64_t id) {
    db::Result r = co_await tx.Query(kEventFacts, Params::Of(id));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return boost::json::object{{"id", r.Int(0, 0)},
                                  {"owner_id", r.Int(0, 1)},
                                  {"start_time", r.String(0, 2)},
                                  {"visibility", r.String(0, 3)},
                                  {"hide_from_feed", r.Bool(0, 4)}};
}

asio::awaitable<std::optional<std::string>> Repository::DeleteActivity(db::Transaction tx, std::int64_t id) {
    db::Result r = co_await tx.Query(kDeleteActivity, Params::Of(id));
    co_return r.Empty() ? std::nullopt : std::optional<std::string>(r.String(0, 0));
}

asio::awaitable<std::optional<std::pair<std::string, std::string>>> Repository::OriginalOf(std::int64_t id) {
    db::Result r = co_await pool_.Query(kOriginalOf, Params::Of(id));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return std::make_pair(r.String(0, 0), r.String(0, 1));
}

asio::awaitable<std::vector<OwnerTotals>> Repository::Totals(
    std::int64_t viewer_id, std::vector<std::int64_t> owner_ids, std::vector<std::int64_t> followed,
    std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to, std::string sport) {
    using std::chrono::duration_cast;
    using std::chrono::microseconds;
    const std::int64_t from_us = duration_cast<microseconds>(from.time_since_epoch()).count();
    const std::int64_t to_us = duration_cast<microseconds>(to.time_since_epoch()).count();
    db::Result r = co_await pool_.Query(
        kTotals, Params::Of(viewer_id, db::Int64Array(owner_ids), db::Int64Array(followed), sport, from_us, to_us));
    std::vector<OwnerTotals> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(OwnerTotals{r.Int(row, TotalsCol("owner_id")), r.Int(row, TotalsCol("count")),
                                  r.Double(row, TotalsCol("distance_m")), r.Double(row, TotalsCol("moving_s")),
                                  r.Double(row, TotalsCol("elevation_gain_m"))});
    }
    co_return out;
}

asio::awaitable<std::vector<OwnerProgress>> Repository::Progress(std::int64_t viewer_id,
                                                                 std::vector<std::int64_t> owner_ids,
                                                                 std::vector<std::int64_t> followed,
                                                                 ProgressQuery query) {
    using std::chrono::duration_cast;
    using std::chrono::microseconds;
    const std::int64_t from_us = duration_cast<microseconds>(query.from.time_since_epoch()).count();
    const std::int64_t to_us = duration_cast<microseconds>(query.to.time_since_epoch()).count();
    db::Params params;
    params.Add(viewer_id)
        .Add(db::Int64Array(owner_ids))
        .Add(db::Int64Array(followed))
        .Add(query.sport)
        .Add(from_us)
        .Add(to_us)
        .Add(query.effort_distance_m);
    db::Result r = co_await pool_.Query(kProgress, std::move(params));
    std::vector<OwnerProgress> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(OwnerProgress{r.Int(row, ProgressCol("owner_id")), r.Int(row, ProgressCol("count")),
                                    r.Double(row, ProgressCol("distance_m")), r.Double(row, ProgressCol("moving_s")),
                                    r.Double(row, ProgressCol("longest_m")),
                                    r.OptDouble(row, ProgressCol("fastest_s"))});
    }
    co_return out;
}

asio::awaitable<std::vector<StatsRow>> Repository::Stats(std::int64_t viewer_id, std::int64_t owner_id,
                                                         std::string time_zone, bool follows_owner) {
    db::Result r = co_await pool_.Query(kStats, Params::Of(viewer_id, owner_id, time_zone, follows_owner));
    std::vector<StatsRow> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(StatsRow{r.String(row, StatsCol("sport")), r.String(row, StatsCol("bucket")),
                               r.Int(row, StatsCol("count")), r.Double(row, StatsCol("distance_m")),
                               r.Double(row, StatsCol("moving_s")), r.Double(row, StatsCol("elapsed_s")),
                               r.Double(row, StatsCol("elevation_gain_m"))});
    }
    co_return out;
}

asio::awaitable<std::vector<PublicViewSource>> Repository::PublicViewSources(db::Transaction tx, std::int64_t owner_id,
                                                                             std::vector<std::int64_t> ids,
                                                                             bool with_zones) {
    db::Result r = co_await tx.Query(kPublicViewSources, Params::Of(db::Int64Array(ids), owner_id, with_zones));
    std::vector<PublicViewSource> out(static_cast<std::size_t>(r.Rows()));
    for (int row = 0; row < r.Rows(); ++row) {
        PublicViewSource& s = out[static_cast<std::size_t>(row)];
        s.id = r.Int(row, SourceCol("id"));
        s.sport = r.String(row, SourceCol("sport"));
        s.start_disc = r.OptString(row, SourceCol("start_disc"));
        s.end_disc = r.OptString(row, SourceCol("end_disc"));
        s.analysis_json = r.String(row, SourceCol("analysis"));
        s.stream_hex = r.OptString(row, SourceCol("data"));
    }
    co_return out;
}

asio::awaitable<void> Repository::StorePublicView(db::Transaction tx, std::int64_t id, std::string areas,
                                                  std::optional<std::string> summary,
                                                  std::optional<std::string> analysis) {
    co_await tx.Query(kStorePublicView, Params::Of(id, areas, summary, analysis));
}

asio::awaitable<std::vector<std::int64_t>> Repository::WithStreams(db::Transaction tx, std::int64_t owner_id) {
    db::Result r = co_await tx.Query(kWithStreams, Params::Of(owner_id));
    std::vector<std::int64_t> ids;
    ids.reserve(static_cast<std::size_t>(r.Rows()));
    for (int row = 0; row < r.Rows(); ++row) {
        ids.push_back(r.Int(row, 0));
    }
    co_return ids;
}

asio::awaitable<std::vector<std::pair<std::int64_t, std::vector<std::int64_t>>>> Repository::StalePublicViews(
    std::string version) {
    db::Result r = co_await pool_.Query(kStalePublicViews, Params::Of(version));
    std::vector<std::pair<std::int64_t, std::vector<std::int64_t>>> out;
    for (int row = 0; row < r.Rows(); ++row) {
        std::vector<std::int64_t> ids;
        for (const auto& item : ParseTextArray(r.Text(row, 1))) {
            ids.push_back(std::stoll(item));
        }
        out.emplace_back(r.Int(row, 0), std::move(ids));
    }
    co_return out;
}

asio::awaitable<std::optional<std::string>> Repository::StreamHex(std::int64_t activity_id) {
    db::Result r = co_await pool_.Query(kStreamHex, Params::Of(activity_id));
    co_return r.Empty() ? std::nullopt : std::optional<std::string>(r.String(0, 0));
}

asio::awaitable<void> Repository::InsertStreams(db::Transaction tx, std::int64_t activity_id, std::string hex) {
    co_await tx.Query(kInsertStreams, Params::Of(activity_id, hex));
}

asio::awaitable<void> Repository::InsertBestEffort(db::Transaction tx, std::int64_t activity_id, std::int64_t owner_id,
                                                   std::string sport, const analytics::BestEffort& e, double start_s) {
    co_await tx.Query(kInsertBestEffort, Params::Of(activity_id, owner_id, sport, e.distance_m, std::string(e.name),
                                                    e.time_s, static_cast<std::int64_t>(e.start_index),
                                                    static_cast<std::int64_t>(e.end_index), start_s));
}

asio::awaitable<std::vector<std::array<std::int64_t, 3>>> Repository::EffortIndexes(db::Transaction tx,
                                                                                    std::vector<std::int64_t> ids) {
    db::Result r = co_await tx.Query(kEffortIndexes, Params::Of(db::Int64Array(ids)));
    std::vector<std::array<std::int64_t, 3>> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back({r.Int(row, 0), r.Int(row, 1), r.Int(row, 2)});
    }
    co_return out;
}

asio::awaitable<void> Repository::UpdateEffortSport(db::Transaction tx, std::int64_t id, std::string sport) {
    co_await tx.Query(kUpdateEffortSport, Params::Of(id, sport));
}

asio::awaitable<std::vector<EffortRow>> Repository::RankedEfforts(std::int64_t activity_id) {
    db::Result r = co_await pool_.Query(kRankedEfforts, Params::Of(activity_id));
    std::vector<EffortRow> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(EffortRow{r.String(row, EffortCol("name")), r.Double(row, EffortCol("distance_m")),
                                r.Double(row, EffortCol("time_s")), r.Int(row, EffortCol("start_index")),
                                r.Int(row, EffortCol("end_index")), r.Int(row, EffortCol("rank"))});
    }
    co_return out;
}

asio::awaitable<std::vector<RecordRow>> Repository::Records(std::int64_t owner_id) {
    db::Result r = co_await pool_.Query(kRecords, Params::Of(owner_id));
    std::vector<RecordRow> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(RecordRow{r.String(row, RecordCol("sport")), r.String(row, RecordCol("name")),
                                r.Double(row, RecordCol("distance_m")), r.Double(row, RecordCol("time_s")),
                                r.Int(row, RecordCol("activity_id")), r.String(row, RecordCol("start_iso"))});
    }
    co_return out;
}

}  // namespace strava1::activities
