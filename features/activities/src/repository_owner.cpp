// Activities' tables around the activities themselves: uploads, object deletions, privacy zones and
// anchors (repository.hpp).
#include "repository.hpp"
#include "strava1/db/arrays.hpp"

namespace strava1::activities {
namespace asio = boost::asio;
using db::Params;

namespace {

// --- uploads ---
constexpr const char* kInsertUpload =
    "INSERT INTO uploads (owner_id, status, data_type, file_sha256, size_bytes, original_key, external_id, "
    "name, description, sport, hide_from_feed) VALUES ($1, 'processing', $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "RETURNING id";
const std::string kFindUpload =
    "SELECT " + db::SelectList(kUploadColumns) + " FROM uploads WHERE id = $1 AND owner_id = $2";
inline constexpr std::array kPendingColumns = std::to_array<db::Column>({
    {"owner_id", "owner_id"},
    {"data_type", "data_type"},
    {"original_key", "original_key"},
    {"file_sha256", "file_sha256"},
    {"name", "name"},
    {"description", "description"},
    {"sport", "sport"},
    {"external_id", "external_id"},
    {"hide_from_feed", "hide_from_feed"},
});
consteval int PendingCol(std::string_view name) { return db::ColumnIndex(kPendingColumns, name); }
const std::string kFindPendingUpload =
    "SELECT " + db::SelectList(kPendingColumns) + " FROM uploads WHERE id = $1 AND status = 'processing'";
constexpr const char* kPendingUploads =
    "SELECT id, extract(epoch FROM created_at)::float8 FROM uploads WHERE status = 'processing' ORDER BY id";
constexpr const char* kFinishUpload =
    "UPDATE uploads SET status = $2, error = $3, activity_ids = $4::bigint[], duplicate_of = $5, "
    "finished_at = now() WHERE id = $1";
constexpr const char* kLockProcessing = "SELECT 1 FROM uploads WHERE id = $1 AND status = 'processing' FOR UPDATE";
constexpr const char* kOriginalReferenced = "SELECT 1 FROM uploads WHERE original_key = $1 LIMIT 1";

// --- object_deletions ---
constexpr const char* kQueueDeletion = "INSERT INTO object_deletions (key) VALUES ($1) ON CONFLICT DO NOTHING";
// Locked SKIP LOCKED, so two relays running at once take different rows. An original is still
// needed while an upload of the same bytes (the key names owner and hash) is processing or has an
// activity: the same file uploaded again after its activity was deleted.
constexpr const char* kClaimDeletions =
    "SELECT d.key, EXISTS (SELECT 1 FROM uploads u WHERE u.original_key = d.key AND (u.status = 'processing' OR "
    "EXISTS (SELECT 1 FROM activities a WHERE a.owner_id = u.owner_id AND a.upload_id = u.id))) AS referenced "
    "FROM object_deletions d ORDER BY d.requested_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED";
constexpr const char* kForgetDeletions = "DELETE FROM object_deletions WHERE key = ANY($1::text[])";

// --- privacy_zones ---
inline constexpr std::array kZoneColumns = std::to_array<db::Column>({
    {"id", "id"},
    {"lat", "lat"},
    {"lng", "lng"},
    {"radius_m", "radius_m"},
});
consteval int ZoneCol(std::string_view name) { return db::ColumnIndex(kZoneColumns, name); }
constexpr const char* kZonesOfOwners =
    "SELECT owner_id, lat, lng, radius_m FROM privacy_zones WHERE owner_id = ANY($1::bigint[])";
constexpr const char* kZonesOfOwner = "SELECT lat, lng, radius_m FROM privacy_zones WHERE owner_id = $1";
const std::string kListZones =
    "SELECT " + db::SelectList(kZoneColumns) + " FROM privacy_zones WHERE owner_id = $1 ORDER BY id";
const std::string kInsertZone =
    "INSERT INTO privacy_zones (owner_id, lat, lng, radius_m) SELECT $1, $2, $3, $4 "
    "WHERE (SELECT count(*) FROM privacy_zones WHERE owner_id = $1) < $5 RETURNING " +
    db::SelectList(kZoneColumns);
constexpr const char* kDeleteZone = "DELETE FROM privacy_zones WHERE id = $1 AND owner_id = $2 RETURNING id";
const std::string kUpdateZone =
    "UPDATE privacy_zones SET lat = COALESCE($3, lat), lng = COALESCE($4, lng), radius_m = COALESCE($5, radius_m) "
    "WHERE id = $1 AND owner_id = $2 RETURNING " +
    db::SelectList(kZoneColumns);

// --- privacy_anchors ---
inline constexpr std::array kAnchorColumns = std::to_array<db::Column>({
    {"id", "id"},
    {"home_lat", "home_lat"},
    {"home_lng", "home_lng"},
    {"offset_north_m", "offset_north_m"},
    {"offset_east_m", "offset_east_m"},
});
consteval int AnchorCol(std::string_view name) { return db::ColumnIndex(kAnchorColumns, name); }
const std::string kAnchors = "SELECT " + db::SelectList(kAnchorColumns) + " FROM privacy_anchors WHERE owner_id = $1";
constexpr const char* kInsertAnchor =
    "INSERT INTO privacy_anchors (owner_id, hide_radius_m, home_lat, home_lng, offset_north_m, offset_east_m) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
constexpr const char* kPublicEndsAt =
    "SELECT public_start FROM activities WHERE start_anchor_id = $1 AND id <> $2 AND public_start IS NOT NULL "
    "UNION ALL SELECT public_end FROM activities WHERE end_anchor_id = $1 AND id <> $2 AND public_end IS NOT NULL";

}  // namespace

asio::awaitable<std::int64_t> Repository::InsertUpload(db::Transaction tx, std::int64_t owner_id, std::string data_type,
                                                       std::string sha, std::int64_t size, std::string key,
                                                       std::optional<std::string> external_id,
                                                       std::optional<std::string> name,
                                                       std::optional<std::string> description,
                                                       std::optional<std::string> sport, bool hide_from_feed) {
    db::Result r = co_await tx.Query(kInsertUpload, Params::Of(owner_id, data_type, sha, size, key, external_id, name,
                                                               description, sport, hide_from_feed));
    co_return r.Int(0, 0);
}

asio::awaitable<std::optional<db::Result>> Repository::FindUpload(std::int64_t owner_id, std::int64_t upload_id) {
    db::Result r = co_await pool_.Query(kFindUpload, Params::Of(upload_id, owner_id));
    co_return r.Empty() ? std::nullopt : std::optional<db::Result>(std::move(r));
}

asio::awaitable<std::optional<PendingUpload>> Repository::FindPendingUpload(std::int64_t upload_id) {
    db::Result r = co_await pool_.Query(kFindPendingUpload, Params::Of(upload_id));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    PendingUpload u;
    u.owner_id = r.Int(0, PendingCol("owner_id"));
    u.data_type = r.String(0, PendingCol("data_type"));
    u.original_key = r.String(0, PendingCol("original_key"));
    u.file_sha256 = r.String(0, PendingCol("file_sha256"));
    u.name = r.OptString(0, PendingCol("name"));
    u.description = r.OptString(0, PendingCol("description"));
    u.sport = r.OptString(0, PendingCol("sport"));
    u.external_id = r.OptString(0, PendingCol("external_id"));
    u.hide_from_feed = r.Text(0, PendingCol("hide_from_feed")) == "t";
    co_return u;
}

asio::awaitable<std::vector<std::pair<std::int64_t, SystemTime>>> Repository::PendingUploads() {
    db::Result r = co_await pool_.Query(kPendingUploads);
    std::vector<std::pair<std::int64_t, SystemTime>> out;
    for (int row = 0; row < r.Rows(); ++row) {
        const auto since_epoch = std::chrono::duration<double>(r.Double(row, 1));
        out.emplace_back(r.Int(row, 0), SystemTime{std::chrono::duration_cast<SystemTime::duration>(since_epoch)});
    }
    co_return out;
}

asio::awaitable<void> Repository::FinishUpload(db::Transaction tx, std::int64_t upload_id, std::string status,
                                               std::optional<std::string> error, std::vector<std::int64_t> ids,
                                               std::optional<std::int64_t> duplicate_of) {
    co_await tx.Query(kFinishUpload, Params::Of(upload_id, status, error, db::Int64Array(ids), duplicate_of));
}

asio::awaitable<bool> Repository::LockProcessing(db::Transaction tx, std::int64_t upload_id) {
    db::Result r = co_await tx.Query(kLockProcessing, Params::Of(upload_id));
    co_return !r.Empty();
}

asio::awaitable<bool> Repository::OriginalReferenced(std::string key) {
    db::Result live = co_await pool_.QueryPipelined(kOriginalReferenced, Params::Of(key));
    co_return !live.Empty();
}

asio::awaitable<void> Repository::QueueDeletion(db::Transaction tx, std::string key) {
    co_await tx.Query(kQueueDeletion, Params::Of(key));
}

asio::awaitable<std::vector<std::pair<std::string, bool>>> Repository::ClaimDeletions(db::Transaction tx, int limit) {
    db::Result r = co_await tx.Query(kClaimDeletions, Params::Of(limit));
    std::vector<std::pair<std::string, bool>> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.emplace_back(r.String(row, 0), r.Text(row, 1) == "t");
    }
    co_return out;
}

asio::awaitable<void> Repository::ForgetDeletions(db::Transaction tx, const std::vector<std::string>& keys) {
    co_await tx.Query(kForgetDeletions, Params::Of(db::TextArray(keys)));
}

asio::awaitable<std::unordered_map<std::int64_t, std::vector<geo::Disc>>> Repository::ZonesOf(
    std::vector<std::int64_t> owner_ids) {
    std::unordered_map<std::int64_t, std::vector<geo::Disc>> zones;
    if (owner_ids.empty()) {
        co_return zones;
    }
    std::sort(owner_ids.begin(), owner_ids.end());
    owner_ids.erase(std::unique(owner_ids.begin(), owner_ids.end()), owner_ids.end());
    db::Result r = co_await pool_.Query(kZonesOfOwners, Params::Of(db::Int64Array(owner_ids)));
    for (int row = 0; row < r.Rows(); ++row) {
        zones[r.Int(row, 0)].push_back(geo::Disc{geo::LatLng{r.Double(row, 1), r.Double(row, 2)}, r.Double(row, 3)});
    }
    co_return zones;
}

asio::awaitable<std::vector<geo::Disc>> Repository::ZonesOf(db::Transaction tx, std::int64_t owner_id) {
    db::Result r = co_await tx.Query(kZonesOfOwner, Params::Of(owner_id));
    std::vector<geo::Disc> zones;
    zones.reserve(static_cast<std::size_t>(r.Rows()));
    for (int row = 0; row < r.Rows(); ++row) {
        zones.push_back(geo::Disc{geo::LatLng{r.Double(row, 0), r.Double(row, 1)}, r.Double(row, 2)});
    }
    co_return zones;
}

asio::awaitable<std::vector<PrivacyZone>> Repository::ListZones(std::int64_t owner_id) {
    db::Result r = co_await pool_.Query(kListZones, Params::Of(owner_id));
    std::vector<PrivacyZone> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(PrivacyZone{r.Int(row, ZoneCol("id")), r.Double(row, ZoneCol("lat")),
                                  r.Double(row, ZoneCol("lng")), r.Double(row, ZoneCol("radius_m"))});
    }
    co_return out;
}

asio::awaitable<std::optional<PrivacyZone>> Repository::InsertZone(db::Transaction tx, std::int64_t owner_id,
                                                                   double lat, double lng, double radius_m,
                                                                   int max_zones) {
    db::Result r = co_await tx.Query(kInsertZone, Params::Of(owner_id, lat, lng, radius_m, max_zones));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return PrivacyZone{r.Int(0, ZoneCol("id")), r.Double(0, ZoneCol("lat")), r.Double(0, ZoneCol("lng")),
                          r.Double(0, ZoneCol("radius_m"))};
}

asio::awaitable<bool> Repository::DeleteZone(db::Transaction tx, std::int64_t id, std::int64_t owner_id) {
    db::Result r = co_await tx.Query(kDeleteZone, Params::Of(id, owner_id));
    co_return !r.Empty();
}

asio::awaitable<std::optional<PrivacyZone>> Repository::UpdateZone(db::Transaction tx, std::int64_t id,
                                                                   std::int64_t owner_id, std::optional<double> lat,
                                                                   std::optional<double> lng,
                                                                   std::optional<double> radius_m) {
    db::Result r = co_await tx.Query(kUpdateZone, Params::Of(id, owner_id, lat, lng, radius_m));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return PrivacyZone{r.Int(0, ZoneCol("id")), r.Double(0, ZoneCol("lat")), r.Double(0, ZoneCol("lng")),
                          r.Double(0, ZoneCol("radius_m"))};
}

asio::awaitable<std::vector<AnchorRow>> Repository::Anchors(db::Transaction tx, std::int64_t owner_id) {
    db::Result r = co_await tx.Query(kAnchors, Params::Of(owner_id));
    std::vector<AnchorRow> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(AnchorRow{
            r.Int(row, AnchorCol("id")),
            geo::Anchor{geo::LatLng{r.Double(row, AnchorCol("home_lat")), r.Double(row, AnchorCol("home_lng"))},
                        r.Double(row, AnchorCol("offset_north_m")), r.Double(row, AnchorCol("offset_east_m"))}});
    }
    co_return out;
}

asio::awaitable<std::int64_t> Repository::InsertAnchor(db::Transaction tx, std::int64_t owner_id, int radius_m,
                                                       const geo::Anchor& anchor) {
    db::Result r =
        co_await tx.Query(kInsertAnchor, Params::Of(owner_id, radius_m, anchor.home.lat_deg, anchor.home.lng_deg,
                                                    anchor.offset_north_m, anchor.offset_east_m));
    co_return r.Int(0, 0);
}

asio::awaitable<std::vector<geo::LatLng>> Repository::PublicEndsAt(db::Transaction tx, std::int64_t anchor_id,
                                                                   std::int64_t exclude_id) {
    db::Result r = co_await tx.Query(kPublicEndsAt, Params::Of(anchor_id, exclude_id));
    std::vector<geo::LatLng> out;
    for (int row = 0; row < r.Rows(); ++row) {
        if (auto p = ParsePointArray(r.Text(row, 0))) {
            out.push_back(*p);
        }
    }
    co_return out;
}

}  // namespace strava1::activities
