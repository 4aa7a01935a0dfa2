#pragma once

// Activities' tables and nothing else — uploads, activities, activity_streams, best_efforts,
// privacy_anchors, privacy_zones, object_deletions: one named SQL statement per operation
// (repository.cpp, repository_owner.cpp), rows read by column name (db/columns.hpp). It runs what it is
// asked and decides nothing: who may see what is the privacy function's (view.hpp), the rest the
// service's.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "duplicates.hpp"
#include "pipeline.hpp"
#include "strava1/activities/reader.hpp"
#include "strava1/base/clock.hpp"
#include "strava1/db/columns.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/geo/privacy.hpp"
#include "view.hpp"
#include "wire.hpp"

namespace strava1::activities {

// --- activities ----------------------------------------------------------------------------------

/// An activity as its renderings read it (WriteSummaryMembers, DetailJson), from `activities a`.
inline constexpr std::array kActivityColumns = std::to_array<db::Column>({
    {"id", "a.id"},
    {"owner_id", "a.owner_id"},
    {"name", "a.name"},
    {"description", "a.description"},
    {"sport", "a.sport"},
    {"sub_sport", "a.sub_sport"},
    {"start_iso", "to_char(a.start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"start_us", "(extract(epoch FROM a.start_time) * 1000000)::bigint"},
    {"manual", "a.manual"},
    {"visibility", "a.visibility"},
    {"hide_endpoints_m", "a.hide_endpoints_m"},
    {"hidden_metrics", "a.hidden_metrics"},
    {"start_disc", "a.start_disc"},
    {"end_disc", "a.end_disc"},
    {"distance_m", "a.distance_m"},
    {"elapsed_s", "a.elapsed_s"},
    {"moving_s", "a.moving_s"},
    {"elevation_gain_m", "a.elevation_gain_m"},
    {"elevation_loss_m", "a.elevation_loss_m"},
    {"avg_speed_mps", "a.avg_speed_mps"},
    {"max_speed_mps", "a.max_speed_mps"},
    {"avg_pace_s_per_km", "a.avg_pace_s_per_km"},
    {"gap_s_per_km", "a.gap_s_per_km"},
    {"avg_heart_rate_bpm", "a.avg_heart_rate_bpm"},
    {"max_heart_rate_bpm", "a.max_heart_rate_bpm"},
    {"avg_cadence", "a.avg_cadence"},
    {"avg_power_w", "a.avg_power_w"},
    {"max_power_w", "a.max_power_w"},
    {"normalized_power_w", "a.normalized_power_w"},
    {"calories_kcal", "a.calories_kcal"},
    {"trimp", "a.trimp"},
    {"tss", "a.tss"},
    {"intensity_factor", "a.intensity_factor"},
    {"perceived_exertion", "a.perceived_exertion"},
    {"summary_polyline", "a.summary_polyline"},
    {"device", "a.device"},
    {"point_count", "a.point_count"},
    // PRs among the activity's efforts: ranks 1 among the owner's earlier efforts over that distance.
    {"pr_count",
     "(SELECT count(*) FROM best_efforts e WHERE e.activity_id = a.id AND NOT EXISTS (SELECT 1 FROM best_efforts o "
     "WHERE o.owner_id = e.owner_id AND o.sport = e.sport AND o.distance_m = e.distance_m AND o.time_s < e.time_s "
     "AND (o.start_time, o.activity_id) < (e.start_time, e.activity_id)))"},
    {"created_at", "to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"updated_at", "to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"has_original", "a.upload_id IS NOT NULL"},
    {"has_streams", "EXISTS (SELECT 1 FROM activity_streams s WHERE s.activity_id = a.id)"},
    {"map_hidden", "a.map_hidden"},
    {"hide_from_feed", "a.hide_from_feed"},
    {"public_areas", "a.public_areas"},
    {"public_summary", "a.public_summary::text"},
    // PRs among the efforts inside the window others see (public_view.hpp): all when it has none.
    {"pr_count_shown",
     "(SELECT count(*) FROM best_efforts e WHERE e.activity_id = a.id AND (NOT a.public_summary ? 'first' OR "
     "(e.start_index >= (a.public_summary ->> 'first')::bigint AND e.end_index <= (a.public_summary ->> "
     "'last')::bigint)) AND NOT EXISTS (SELECT 1 FROM best_efforts o WHERE o.owner_id = e.owner_id AND o.sport = "
     "e.sport AND o.distance_m = e.distance_m AND o.time_s < e.time_s AND (o.start_time, o.activity_id) < "
     "(e.start_time, e.activity_id)))"},
});
consteval int Col(std::string_view name) { return db::ColumnIndex(kActivityColumns, name); }
/// The first column after kActivityColumns: what a statement adds for one use (the detail's polyline…).
inline constexpr int kExtraCol = static_cast<int>(kActivityColumns.size());

/// One activity row of a result whose first columns are kActivityColumns, with what decides its
/// audience. A view: the result must outlive it.
struct ActivityRow {
    const db::Result* result = nullptr;
    int row = 0;
    Audience audience;

    bool Null(int col) const { return result->IsNull(row, col); }
    std::string_view Text(int col) const { return result->Text(row, col); }
    double Double(int col) const { return result->Double(row, col); }
    std::int64_t Int(int col) const { return result->Int(row, col); }
};

/// Row `row` of `result`; `zones` are the owner's privacy zones (empty for the owner's own view).
ActivityRow ReadRow(const db::Result& result, int row, const std::vector<geo::Disc>& zones);

/// What an activity load brings besides kActivityColumns (at kExtraCol on).
enum class Extra {
    kNone,
    kPolyline,     ///< the full polyline
    kAnalysis,     ///< the whole stored analysis as JSON text
    kLaps,         ///< public_analysis IS NOT NULL, then per part its stored and public JSON
    kSplits,       ///< … for splits_km and splits_mile
    kZones,        ///< … for heart_rate_zones and power_zones
    kBestEfforts,  ///< … for best_efforts (the index mapping in the public view)
    kCurves,       ///< … for power_curve, heart_rate_curve and speed_curve
};
/// The analysis keys an Extra part brings, in order (empty for kNone, kPolyline, kAnalysis).
std::vector<std::string_view> PartKeys(Extra extra);

/// One page of one owner's activities, newest first.
struct ListQuery {
    std::int64_t viewer_id = 0;
    std::int64_t owner_id = 0;
    bool follows_owner = false;
    std::string time_zone;  ///< the owner's: the start_date column (at kExtraCol)
    std::optional<std::int64_t> before_us;
    std::optional<std::int64_t> after_us;
    std::optional<std::string> sport;
    std::optional<std::vector<std::int64_t>> cursor;  ///< (start µs, id) of the last row of the previous page
    int fetch = 31;
};

/// What a stored public view is computed from, for one activity (public_view.hpp).
struct PublicViewSource {
    std::int64_t id = 0;
    std::string sport;
    std::optional<std::string> start_disc;
    std::optional<std::string> end_disc;
    std::string analysis_json;
    std::optional<std::string> stream_hex;  ///< absent when nothing can be hidden
};

/// One sport's totals in one bucket ("all", "recent": 28 days, "ytd": this year in the owner's zone).
struct StatsRow {
    std::string sport;
    std::string bucket;
    std::int64_t count = 0;
    double distance_m = 0;
    double moving_s = 0;
    double elapsed_s = 0;
    double elevation_gain_m = 0;
};

/// The owner's best effort over one distance in one sport.
struct RecordRow {
    std::string sport;
    std::string name;
    double distance_m = 0;
    double time_s = 0;
    std::int64_t activity_id = 0;
    std::string start_time;
};

/// A best effort of one activity with its rank among the owner's efforts up to it.
struct EffortRow {
    std::string name;
    double distance_m = 0;
    double time_s = 0;
    std::int64_t start_index = 0;
    std::int64_t end_index = 0;
    std::int64_t rank = 0;
};

/// Where one activity's start and end are hidden, after the privacy guard (privacy_guard.hpp); the
/// arrays in PostgreSQL's text form.
struct EndpointPlan {
    std::optional<std::string> start_disc;
    std::optional<std::string> end_disc;
    std::optional<std::int64_t> start_anchor;
    std::optional<std::int64_t> end_anchor;
    std::optional<std::string> public_start;
    std::optional<std::string> public_end;
    bool map_hidden = false;
};

/// The insert of one analysed activity of a file. Without a name, the statement names it from the
/// local hour in `time_zone` and the sport ("Morning Run").
struct NewActivity {
    std::int64_t owner_id = 0;
    std::optional<std::int64_t> upload_id;
    const PreparedActivity* prepared = nullptr;  ///< every figure the analysis gave
    std::string sport;
    std::optional<std::string> name;
    std::string description;
    std::string visibility;
    int hide_endpoints_m = 0;
    std::int64_t privacy_seed = 0;
    EndpointPlan plan;
    std::string file_sha256;
    std::optional<std::string> external_id;
    std::string time_zone;
    bool hide_from_feed = false;
};

/// The insert of one manual activity (named like NewActivity when it has no name).
struct NewManualActivity {
    std::int64_t owner_id = 0;
    std::string sport;
    std::optional<std::string> name;
    std::string description;
    double start_s = 0;
    double elapsed_s = 0;
    double moving_s = 0;
    double distance_m = 0;
    double elevation_gain_m = 0;
    std::optional<double> calories_kcal;
    std::optional<std::int64_t> perceived_exertion;
    std::optional<std::string> visibility;  ///< as asked; nullopt: default_visibility
    std::string default_visibility;
    int hide_endpoints_m = 0;
    std::int64_t privacy_seed = 0;
    std::optional<double> avg_speed_mps;
    std::optional<double> avg_pace_s_per_km;
    std::string time_zone;
};

/// A PATCH of an activity: the body's present members, the hidden metrics in text[] form, and the
/// new endpoint plan when the radius changes.
struct ActivityChanges {
    std::int64_t id = 0;
    const PatchActivityBody* body = nullptr;
    std::optional<std::string> hidden_metrics;
    EndpointPlan plan;
};

// --- uploads, privacy zones and anchors, object deletions -----------------------------------------

/// GET /v1/uploads/{id}, rendered by UploadJson.
inline constexpr std::array kUploadColumns = std::to_array<db::Column>({
    {"id", "id"},
    {"status", "status"},
    {"data_type", "data_type"},
    {"external_id", "external_id"},
    {"activity_ids", "activity_ids"},
    {"duplicate_of", "duplicate_of"},
    {"error", "error"},
    {"created_at", "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
});
consteval int UploadCol(std::string_view name) { return db::ColumnIndex(kUploadColumns, name); }

/// An upload still to be processed (a crash left it so), with the fields it was sent with.
struct PendingUpload {
    std::int64_t owner_id = 0;
    std::string data_type;
    std::string original_key;
    std::string file_sha256;
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> sport;
    std::optional<std::string> external_id;
    bool hide_from_feed = false;
};

struct PrivacyZone {
    std::int64_t id = 0;
    double lat = 0;
    double lng = 0;
    double radius_m = 0;
};

struct AnchorRow {
    std::int64_t id = 0;
    geo::Anchor anchor;
};

class Repository {
public:
    explicit Repository(db::Pool& pool) : pool_(pool) {}
    db::Pool& Pool() { return pool_; }

    /// Serialises one owner's duplicate checks, inserts and public-view computations (held to the
    /// transaction's end).
    static boost::asio::awaitable<void> LockOwner(db::Transaction tx, std::int64_t owner_id);

    // activities
    boost::asio::awaitable<db::Result> FindActivity(std::int64_t id, Extra extra);
    boost::asio::awaitable<db::Result> FindActivities(std::vector<std::int64_t> ids);
    boost::asio::awaitable<db::Result> ListActivities(ListQuery query);
    boost::asio::awaitable<std::optional<std::int64_t>> OwnerOf(std::int64_t id);
    /// The owner's activities overlapping `range` (id, time range), oldest id first, but those of
    /// upload `exclude_upload`.
    static boost::asio::awaitable<std::vector<std::pair<std::int64_t, TimeRange>>> OverlappingActivities(
        db::Transaction tx, std::int64_t owner_id, TimeRange range, std::optional<std::int64_t> exclude_upload);
    static boost::asio::awaitable<std::optional<std::int64_t>> SameFile(db::Transaction tx, std::int64_t owner_id,
                                                                        std::string sha);
    static boost::asio::awaitable<std::int64_t> InsertActivity(db::Transaction tx, const NewActivity& activity);
    static boost::asio::awaitable<std::int64_t> InsertManual(db::Transaction tx, const NewManualActivity& activity);
    /// A manual activity's figures, locked: nullopt when it is not manual.
    struct ManualFigures {
        double distance_m = 0;
        double elapsed_s = 0;
        double moving_s = 0;
    };
    static boost::asio::awaitable<std::optional<ManualFigures>> LockManualFigures(db::Transaction tx, std::int64_t id);
    static boost::asio::awaitable<std::uint64_t> LockPrivacySeed(db::Transaction tx, std::int64_t id);
    static boost::asio::awaitable<void> UpdateActivity(db::Transaction tx, const ActivityChanges& changes);
    /// Deletes the activity; the key of its upload's original when it was the upload's last activity.
    static boost::asio::awaitable<std::optional<std::string>> DeleteActivity(db::Transaction tx, std::int64_t id);
    /// The payload of the activity events (events.hpp) as the activity stands in `tx`; nullopt when gone.
    static boost::asio::awaitable<std::optional<boost::json::object>> EventFacts(db::Transaction tx, std::int64_t id);
    /// Moderation's hide (migrations/0024): only_me for good, the owner's choice kept. False: no such
    /// activity. Hidden already: nothing changes.
    static boost::asio::awaitable<bool> HideByModeration(db::Transaction tx, std::int64_t id);
    /// Whether moderation hid the activity (its visibility is then locked).
    static boost::asio::awaitable<bool> Moderated(db::Transaction tx, std::int64_t id);
    /// The original file an activity was made from: its key and data type.
    boost::asio::awaitable<std::optional<std::pair<std::string, std::string>>> OriginalOf(std::int64_t id);
    /// Totals over what the viewer may see of the owner's activities, each figure as they are shown it.
    boost::asio::awaitable<std::vector<StatsRow>> Stats(std::int64_t viewer_id, std::int64_t owner_id,
                                                        std::string time_zone, bool follows_owner);
    /// Totals per owner of `owner_ids` over what the viewer may see of their `sport` activities that
    /// started in [from, to), each figure as the viewer is shown it (as Stats); `followed`: the owners
    /// the viewer follows.
    boost::asio::awaitable<std::vector<OwnerTotals>> Totals(std::int64_t viewer_id, std::vector<std::int64_t> owner_ids,
                                                            std::vector<std::int64_t> followed,
                                                            std::chrono::system_clock::time_point from,
                                                            std::chrono::system_clock::time_point to,
                                                            std::string sport);
    /// Challenge figures per owner (ActivityReader::Progress) under the rule of Totals.
    boost::asio::awaitable<std::vector<OwnerProgress>> Progress(std::int64_t viewer_id,
                                                                std::vector<std::int64_t> owner_ids,
                                                                std::vector<std::int64_t> followed,
                                                                ProgressQuery query);

    // stored public views
    static boost::asio::awaitable<std::vector<PublicViewSource>> PublicViewSources(db::Transaction tx,
                                                                                   std::int64_t owner_id,
                                                                                   std::vector<std::int64_t> ids,
                                                                                   bool with_zones);
    static boost::asio::awaitable<void> StorePublicView(db::Transaction tx, std::int64_t id, std::string areas,
                                                        std::optional<std::string> summary,
                                                        std::optional<std::string> analysis);
    static boost::asio::awaitable<std::vector<std::int64_t>> WithStreams(db::Transaction tx, std::int64_t owner_id);
    /// Activities whose public views are missing or of another version, per owner.
    boost::asio::awaitable<std::vector<std::pair<std::int64_t, std::vector<std::int64_t>>>> StalePublicViews(
        std::string version);

    // activity_streams and best_efforts
    boost::asio::awaitable<std::optional<std::string>> StreamHex(std::int64_t activity_id);
    static boost::asio::awaitable<void> InsertStreams(db::Transaction tx, std::int64_t activity_id, std::string hex);
    static boost::asio::awaitable<void> InsertBestEffort(db::Transaction tx, std::int64_t activity_id,
                                                         std::int64_t owner_id, std::string sport,
                                                         const analytics::BestEffort& effort, double start_s);
    /// (activity id, start index, end index) of the efforts of `ids`.
    static boost::asio::awaitable<std::vector<std::array<std::int64_t, 3>>> EffortIndexes(
        db::Transaction tx, std::vector<std::int64_t> ids);
    static boost::asio::awaitable<void> UpdateEffortSport(db::Transaction tx, std::int64_t id, std::string sport);
    boost::asio::awaitable<std::vector<EffortRow>> RankedEfforts(std::int64_t activity_id);
    boost::asio::awaitable<std::vector<RecordRow>> Records(std::int64_t owner_id);

    // uploads
    static boost::asio::awaitable<std::int64_t> InsertUpload(db::Transaction tx, std::int64_t owner_id,
                                                             std::string data_type, std::string sha, std::int64_t size,
                                                             std::string key, std::optional<std::string> external_id,
                                                             std::optional<std::string> name,
                                                             std::optional<std::string> description,
                                                             std::optional<std::string> sport, bool hide_from_feed);
    /// The upload (kUploadColumns) when `owner_id`'s.
    boost::asio::awaitable<std::optional<db::Result>> FindUpload(std::int64_t owner_id, std::int64_t upload_id);
    boost::asio::awaitable<std::optional<PendingUpload>> FindPendingUpload(std::int64_t upload_id);
    /// Uploads in "processing", with when each was accepted.
    boost::asio::awaitable<std::vector<std::pair<std::int64_t, SystemTime>>> PendingUploads();
    static boost::asio::awaitable<void> FinishUpload(db::Transaction tx, std::int64_t upload_id, std::string status,
                                                     std::optional<std::string> error, std::vector<std::int64_t> ids,
                                                     std::optional<std::int64_t> duplicate_of);
    /// Locks the upload's row when it is still "processing" (false otherwise): one outcome per upload,
    /// however many runs process it.
    static boost::asio::awaitable<bool> LockProcessing(db::Transaction tx, std::int64_t upload_id);
    boost::asio::awaitable<bool> OriginalReferenced(std::string key);

    // object_deletions: activities' outbox of originals to remove from the store, filled by a trigger
    // when an upload row goes (with its owner's account) and by QueueDeletion when an upload's last
    // activity is deleted; drained by the job "activities.delete-originals".
    static boost::asio::awaitable<void> QueueDeletion(db::Transaction tx, std::string key);
    /// (key, still needed by an upload of the same bytes) of the oldest requests, locked in `tx`
    /// (SKIP LOCKED: rows another relay holds are left to it).
    static boost::asio::awaitable<std::vector<std::pair<std::string, bool>>> ClaimDeletions(db::Transaction tx,
                                                                                            int limit);
    static boost::asio::awaitable<void> ForgetDeletions(db::Transaction tx, const std::vector<std::string>& keys);

    // privacy zones and anchors
    boost::asio::awaitable<std::unordered_map<std::int64_t, std::vector<geo::Disc>>> ZonesOf(
        std::vector<std::int64_t> owner_ids);
    static boost::asio::awaitable<std::vector<geo::Disc>> ZonesOf(db::Transaction tx, std::int64_t owner_id);
    boost::asio::awaitable<std::vector<PrivacyZone>> ListZones(std::int64_t owner_id);
    /// Adds a zone unless the owner has `max_zones` already (nullopt then).
    static boost::asio::awaitable<std::optional<PrivacyZone>> InsertZone(db::Transaction tx, std::int64_t owner_id,
                                                                         double lat, double lng, double radius_m,
                                                                         int max_zones);
    static boost::asio::awaitable<bool> DeleteZone(db::Transaction tx, std::int64_t id, std::int64_t owner_id);
    /// Sets the members given (nullopt: unchanged) of the owner's zone `id`; nullopt when they have none.
    static boost::asio::awaitable<std::optional<PrivacyZone>> UpdateZone(db::Transaction tx, std::int64_t id,
                                                                         std::int64_t owner_id,
                                                                         std::optional<double> lat,
                                                                         std::optional<double> lng,
                                                                         std::optional<double> radius_m);
    static boost::asio::awaitable<std::vector<AnchorRow>> Anchors(db::Transaction tx, std::int64_t owner_id);
    static boost::asio::awaitable<std::int64_t> InsertAnchor(db::Transaction tx, std::int64_t owner_id, int radius_m,
                                                             const geo::Anchor& anchor);
    /// Every public end already published near an anchor, by other activities than `exclude_id`.
    static boost::asio::awaitable<std::vector<geo::LatLng>> PublicEndsAt(db::Transaction tx, std::int64_t anchor_id,
                                                                         std::int64_t exclude_id);

private:
    db::Pool& pool_;
};

}  // namespace strava1::activities
