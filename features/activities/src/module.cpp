#include "strava1/activities/module.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <unordered_map>

#include "decode_budget.hpp"
#include "duplicates.hpp"
#include "manual_checks.hpp"
#include "output.hpp"
#include "pipeline.hpp"
#include "privacy_guard.hpp"
#include "public_view.hpp"
#include "strava1/accounts/profiles.hpp"
#include "strava1/app/policy.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/base/json_writer.hpp"
#include "strava1/base/field_errors.hpp"
#include "strava1/base/log.hpp"
#include "strava1/base/offload.hpp"
#include "strava1/base/text.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/formats/stream_codec.hpp"
#include "strava1/geo/polyline.hpp"
#include "strava1/http/multipart.hpp"
#include "strava1/http/paging.hpp"
#include "view.hpp"
#include "wire.hpp"

namespace strava1::activities {
namespace asio = boost::asio;
using db::Params;
using http::RequestPtr;
using http::Response;

namespace {

constexpr const char* kIsoUtc = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";
constexpr int kMaxPrivacyZones = 20;

std::string IsoColumn(const std::string& expr) { return "to_char(" + expr + " AT TIME ZONE 'UTC', " + kIsoUtc + ")"; }

// Columns of an activity as its writers read them (ActivityRow's order), from activities a.
const std::string kActivityColumns =
    "a.id, a.owner_id, a.name, a.description, a.sport, a.sub_sport, " + IsoColumn("a.start_time") +
    ", "
    "(extract(epoch FROM a.start_time) * 1000000)::bigint, a.manual, a.visibility, a.hide_endpoints_m, "
    "a.hidden_metrics, a.start_disc, a.end_disc, a.distance_m, a.elapsed_s, a.moving_s, a.elevation_gain_m, "
    "a.elevation_loss_m, a.avg_speed_mps, a.max_speed_mps, a.avg_pace_s_per_km, a.gap_s_per_km, a.avg_heart_rate_bpm, "
    "a.max_heart_rate_bpm, a.avg_cadence, a.avg_power_w, a.max_power_w, a.normalized_power_w, a.calories_kcal, "
    "a.trimp, a.tss, a.intensity_factor, a.perceived_exertion, a.summary_polyline, a.device, a.point_count, "
    "(SELECT count(*) FROM best_efforts e WHERE e.activity_id = a.id AND NOT EXISTS (SELECT 1 FROM best_efforts o "
    "WHERE o.owner_id = e.owner_id AND o.sport = e.sport AND o.distance_m = e.distance_m AND o.time_s < e.time_s "
    "AND (o.start_time, o.activity_id) < (e.start_time, e.activity_id))), " +
    IsoColumn("a.created_at") + ", " + IsoColumn("a.updated_at") +
    ", a.upload_id IS NOT NULL, EXISTS (SELECT 1 FROM activity_streams s WHERE s.activity_id = a.id), a.map_hidden, "
    "a.public_areas, a.public_summary::text, "
    // PRs among the efforts inside the window others see (public_view.hpp): all when it has none.
    "(SELECT count(*) FROM best_efforts e WHERE e.activity_id = a.id AND (NOT a.public_summary ? 'first' OR "
    "(e.start_index >= (a.public_summary ->> 'first')::bigint AND e.end_index <= (a.public_summary ->> 'last')::bigint)) "
    "AND NOT EXISTS (SELECT 1 FROM best_efforts o WHERE o.owner_id = e.owner_id AND o.sport = e.sport AND "
    "o.distance_m = e.distance_m AND o.time_s < e.time_s AND (o.start_time, o.activity_id) < (e.start_time, e.activity_id)))";

enum Col : int {
    kId,
    kOwnerId,
    kName,
    kDescription,
    kSport,
    kSubSport,
    kStartIso,
    kStartMicros,
    kManual,
    kVisibility,
    kHideEndpoints,
    kHiddenMetrics,
    kStartDisc,
    kEndDisc,
    kDistance,
    kElapsed,
    kMoving,
    kGain,
    kLoss,
    kAvgSpeed,
    kMaxSpeed,
    kAvgPace,
    kGap,
    kAvgHr,
    kMaxHr,
    kAvgCadence,
    kAvgPower,
    kMaxPower,
    kNp,
    kCaloriesCol,
    kTrimp,
    kTss,
    kIf,
    kRpe,
    kSummaryPolyline,
    kDevice,
    kPointCount,
    kPrCount,
    kCreated,
    kUpdated,
    kHasOriginal,
    kHasStreams,
    kMapHidden,
    kPublicAreas,
    kPublicSummary,
    kPrCountShown,
    kColumnCount
};

/// One activity row plus what decides its audience.
struct ActivityRow {
    const db::Result* result = nullptr;
    int row = 0;
    Audience audience;

    bool Null(int col) const { return result->IsNull(row, col); }
    std::string_view Text(int col) const { return result->Text(row, col); }
    double Double(int col) const { return result->Double(row, col); }
    std::int64_t Int(int col) const { return result->Int(row, col); }
};

std::uint32_t MetricBits(std::string_view pg_array) {
    std::uint32_t bits = 0;
    for (const auto& name : ParseTextArray(pg_array)) {
        if (auto m = ParseMetric(name)) {
            bits |= *m;
        }
    }
    return bits;
}

ActivityRow ReadRow(const db::Result& r, int row, const std::vector<geo::Disc>& zones) {
    ActivityRow a{&r, row, {}};
    a.audience.owner_id = r.Int(row, kOwnerId);
    a.audience.visibility = ParseVisibility(r.Text(row, kVisibility)).value_or(Visibility::kOnlyMe);
    a.audience.hidden_metrics = MetricBits(r.Text(row, kHiddenMetrics));
    a.audience.map_hidden = r.Text(row, kMapHidden) == "t";
    for (int col : {kStartDisc, kEndDisc}) {
        if (!r.IsNull(row, col)) {
            if (auto disc = ParseDiscArray(r.Text(row, col))) {
                a.audience.hidden_areas.push_back(*disc);
            }
        }
    }
    a.audience.hidden_areas.insert(a.audience.hidden_areas.end(), zones.begin(), zones.end());
    return a;
}

std::optional<geo::LatLng> FirstPoint(const std::string& polyline, bool last) {
    if (polyline.empty()) {
        return std::nullopt;
    }
    auto points = geo::DecodePolyline(polyline);
    if (!points || points->empty()) {
        return std::nullopt;
    }
    return last ? points->back() : points->front();
}

void LatLngValue(json::Writer& w, const std::optional<geo::LatLng>& p) {
    if (!p) {
        w.Null();
        return;
    }
    w.BeginArray().Double(std::round(p->lat_deg * 1e5) / 1e5).Double(std::round(p->lng_deg * 1e5) / 1e5).EndArray();
}

/// What a rendering shows of the activity's owner (accounts' profile facts) and its local day.
struct OwnerShown {
    const accounts::ProfileFacts* owner = nullptr;
    std::string_view start_date;  ///< the start's calendar day in the owner's time zone
};

/// The members every rendering of an activity has (list rows, detail, later feeds). `shown`: for
/// another viewer not shown every sample, the figures they are shown instead of the stored ones
/// (public_view.hpp `summary`; a figure it lacks is the stored one).
void WriteSummaryMembers(json::Writer& w, const ActivityRow& a, const View& view, const boost::json::object* shown,
                         OwnerShown who) {
    // A figure as this viewer is shown it: from `shown` when it has it (maybe null), else stored.
    auto figure = [&](const char* key, const char* shown_key, int col, bool hidden, bool required) {
        w.Key(key);
        const boost::json::value* v = shown != nullptr ? shown->if_contains(shown_key) : nullptr;
        if (hidden || (v != nullptr ? v->is_null() : a.Null(col))) {
            required ? w.Int(0) : w.Null();
        } else if (v != nullptr) {
            w.Double(v->to_number<double>());
        } else {
            w.Double(a.Double(col));
        }
    };
    w.Key("id").Int(a.Int(kId));
    w.Key("owner").BeginObject();
    w.Key("id").Int(a.Int(kOwnerId));
    w.Key("username");
    who.owner->username ? w.String(*who.owner->username) : w.Null();
    w.Key("display_name").String(who.owner->display_name);
    w.EndObject();
    w.Key("name").String(a.Text(kName));
    w.Key("description").String(a.Text(kDescription));
    w.Key("sport").String(a.Text(kSport));
    w.Key("sub_sport");
    a.Null(kSubSport) ? w.Null() : w.String(a.Text(kSubSport));
    w.Key("start_time");
    view.Hides(kStartTime) ? w.Null() : w.String(a.Text(kStartIso));
    w.Key("start_date").String(who.start_date);
    w.Key("manual").Bool(a.Text(kManual) == "t");
    w.Key("visibility").String(a.Text(kVisibility));
    figure("distance_m", "distance_m", kDistance, false, true);
    figure("elapsed_s", "elapsed_s", kElapsed, false, true);
    figure("moving_s", "moving_s", kMoving, false, true);
    figure("elevation_gain_m", "elevation_gain_m", kGain, false, true);
    figure("elevation_loss_m", "elevation_loss_m", kLoss, false, true);
    const bool pace = view.Hides(kPace);
    figure("avg_speed_mps", "avg_speed_mps", kAvgSpeed, pace, false);
    figure("max_speed_mps", "max_speed_mps", kMaxSpeed, pace, false);
    figure("avg_pace_s_per_km", "avg_pace_s_per_km", kAvgPace, pace, false);
    figure("grade_adjusted_pace_s_per_km", "gap_s_per_km", kGap, pace, false);
    const bool hr = view.Hides(kHeartRate);
    figure("avg_heart_rate_bpm", "avg_heart_rate_bpm", kAvgHr, hr, false);
    figure("max_heart_rate_bpm", "max_heart_rate_bpm", kMaxHr, hr, false);
    figure("avg_cadence", "avg_cadence", kAvgCadence, false, false);
    const bool power = view.Hides(kPower);
    figure("avg_power_w", "avg_power_w", kAvgPower, power, false);
    figure("max_power_w", "max_power_w", kMaxPower, power, false);
    figure("normalized_power_w", "normalized_power_w", kNp, power, false);
    figure("calories_kcal", "calories_kcal", kCaloriesCol, view.Hides(kCalories), false);
    figure("trimp", "trimp", kTrimp, hr, false);
    figure("training_stress_score", "tss", kTss, power, false);
    figure("intensity_factor", "intensity_factor", kIf, power, false);
    w.Key("perceived_exertion");
    a.Null(kRpe) ? w.Null() : w.Int(a.Int(kRpe));
    std::string polyline = a.Null(kSummaryPolyline) ? std::string() : MaskPolyline(view, a.Text(kSummaryPolyline));
    w.Key("summary_polyline");
    polyline.empty() ? w.Null() : w.String(polyline);
    w.Key("start_latlng");
    LatLngValue(w, FirstPoint(polyline, false));
    w.Key("end_latlng");
    LatLngValue(w, FirstPoint(polyline, true));
    w.Key("device");
    a.Null(kDevice) || a.Text(kDevice).empty() ? w.Null() : w.String(a.Text(kDevice));
    w.Key("has_streams").Bool(a.Text(kHasStreams) == "t");
    const boost::json::value* points = shown != nullptr ? shown->if_contains("point_count") : nullptr;
    w.Key("point_count").Int(points != nullptr ? points->to_number<std::int64_t>() : a.Int(kPointCount));
    w.Key("pr_count").Int(pace ? 0 : a.Int(shown != nullptr ? kPrCountShown : kPrCount));
    w.Key("created_at").String(a.Text(kCreated));
    w.Key("updated_at").String(a.Text(kUpdated));
}

std::optional<std::string> SportProblem(std::string_view name) {
    if (!formats::ParseSportName(name)) {
        return "is not a known sport";
    }
    return std::nullopt;
}

// The shared text rules (libs/base text.hpp) for JSON, query and multipart fields alike: lengths in
// characters, no control characters; the description is the one multi-line field.
void CheckText(FieldErrors& errors, const char* field, const std::string& value, std::size_t min,
               std::size_t max) {
    auto lines = std::string_view(field) == "description" ? text::Lines::kMulti : text::Lines::kSingle;
    if (auto problem = text::Check(value, lines, min, max)) {
        errors.Add(field, std::move(*problem));
    }
}

std::string BytesToPgHex(std::string_view bytes) {
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    out.reserve(2 + bytes.size() * 2);
    out += "\\x";
    for (unsigned char c : bytes) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 15]);
    }
    return out;
}

std::optional<std::string> PgHexToBytes(std::string_view text) {
    if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
        return std::nullopt;
    }
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    };
    std::string out;
    out.resize((text.size() - 2) / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        int hi = nibble(text[2 + 2 * i]);
        int lo = nibble(text[3 + 2 * i]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out[i] = static_cast<char>(hi * 16 + lo);
    }
    return out;
}

std::string Int64ArrayText(const std::vector<std::int64_t>& ids) {
    std::string out = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        out += (i ? "," : "") + std::to_string(ids[i]);
    }
    return out + "}";
}

std::vector<std::int64_t> ParseInt64Array(std::string_view text) {
    std::vector<std::int64_t> out;
    for (const auto& item : ParseTextArray(text)) {
        out.push_back(std::stoll(item));
    }
    return out;
}

std::string TextArrayText(const std::vector<std::string>& items) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += (i ? "," : "") + items[i];  // metric names: plain lower-case words
    }
    return out + "}";
}

std::uint64_t RandomU64() {
    std::string bytes = crypto::RandomBytes(8);
    std::uint64_t v = 0;
    for (unsigned char c : bytes) {
        v = (v << 8) | c;
    }
    return v;
}

/// Upload as GET /v1/uploads/{id} answers it. Columns: id, status, data_type, external_id,
/// activity_ids, duplicate_of, error, created_at.
constexpr const char* kUploadColumns =
    "id, status, data_type, external_id, activity_ids, duplicate_of, error, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

std::string UploadJson(const db::Result& r) {
    std::string out;
    json::Writer w(out);
    auto ids = ParseInt64Array(r.Text(0, 4));
    w.BeginObject();
    w.Key("id").Int(r.Int(0, 0));
    w.Key("status").String(r.Text(0, 1));
    w.Key("data_type").String(r.Text(0, 2));
    w.Key("external_id");
    r.IsNull(0, 3) ? w.Null() : w.String(r.Text(0, 3));
    w.Key("activity_id");
    ids.empty() ? w.Null() : w.Int(ids.front());
    w.Key("activity_ids").BeginArray();
    for (auto id : ids) {
        w.Int(id);
    }
    w.EndArray();
    w.Key("duplicate_of");
    r.IsNull(0, 5) ? w.Null() : w.Int(r.Int(0, 5));
    w.Key("error");
    r.IsNull(0, 6) ? w.Null() : w.String(r.Text(0, 6));
    w.Key("created_at").String(r.Text(0, 7));
    w.EndObject();
    return out;
}

UploadStatus StatusOf(const db::Result& r) {
    UploadStatus s;
    s.id = r.Int(0, 0);
    s.status = r.String(0, 1);
    s.activity_ids = ParseInt64Array(r.Text(0, 4));
    s.duplicate_of = r.OptInt(0, 5);
    s.error = r.OptString(0, 6);
    return s;
}

const char* ContentTypeFor(std::string_view data_type) {
    if (data_type.ends_with(".gz")) {
        return "application/gzip";
    }
    if (data_type == "gpx") {
        return "application/gpx+xml";
    }
    if (data_type == "tcx") {
        return "application/vnd.garmin.tcx+xml";
    }
    return "application/vnd.ant.fit";
}

/// Whether `view` is another viewer's who is not shown every sample of the activity in row `a` (a
/// hidden area, a track with samples to hide): what they see then is its public view
/// (public_view.hpp), not the stored figures and indexes.
bool NeedsPublicView(const ActivityRow& a, const View& view) {
    return !view.owner && view.MasksPositions() && !view.map_hidden && a.Text(kHasStreams) == "t";
}

/// Whether the stored public view of row `a` was computed for the hidden areas `view` has.
bool PublicViewIsCurrent(const ActivityRow& a, const View& view) {
    return !a.Null(kPublicAreas) && a.Text(kPublicAreas) == HiddenAreasFingerprint(view.hidden_areas);
}

/// Frees what decoding needed and storing does not (the analysis' per-sample columns, intervals
/// and curves are already in the stream blob and the analysis JSON), and returns the memory the
/// prepared activities still hold: what their upload keeps of its decode budget until it is stored.
std::size_t TrimForStoring(std::vector<PreparedActivity>& list) {
    std::size_t held = 0;
    for (auto& p : list) {
        auto& a = p.analysis;
        for (auto* column : {&a.distance_m, &a.time_s}) {
            std::vector<double>().swap(*column);
        }
        std::vector<geo::LatLng>().swap(a.geometry);
        for (auto* intervals : {&a.splits_km, &a.splits_mile, &a.laps}) {
            std::vector<analytics::IntervalStats>().swap(*intervals);
        }
        for (auto* curve : {&a.power_curve, &a.speed_curve, &a.heart_rate_curve}) {
            std::vector<analytics::CurvePoint>().swap(*curve);
        }
        held += sizeof(PreparedActivity) + p.stream_blob.capacity() + p.analysis_json.capacity() +
                p.summary_polyline.capacity() + p.polyline.capacity() + a.summary_polyline.capacity() +
                p.file_name.capacity() + p.description.capacity() + p.device.capacity() +
                (p.lat_e7.capacity() + p.lng_e7.capacity()) * sizeof(std::int32_t) +
                a.best_efforts.capacity() * sizeof(analytics::BestEffort);
    }
    return held;
}

/// The JSON for intervals/zones etc. stored in activities.analysis, with what the viewer may not
/// see set to null (heart rate, power, speeds).
void RedactIntervals(boost::json::array& intervals, const View& view) {
    for (auto& v : intervals) {
        auto& o = v.as_object();
        if (view.Hides(kHeartRate)) {
            o["avg_heart_rate_bpm"] = nullptr;
        }
        if (view.Hides(kPower)) {
            o["avg_power_w"] = nullptr;
        }
        if (view.Hides(kPace)) {
            o["avg_speed_mps"] = nullptr;
            o["grade_adjusted_speed_mps"] = nullptr;
        }
    }
}

/// What analysis needs of the owner's profile (accounts' facts).
analytics::AthleteProfile AthleteProfileOf(const accounts::ProfileFacts& facts) {
    analytics::AthleteProfile p;
    if (facts.weight_kg) {
        p.weight_kg = *facts.weight_kg;
    }
    p.max_hr_bpm = facts.max_hr_bpm;
    p.resting_hr_bpm = facts.resting_hr_bpm;
    p.ftp_w = facts.ftp_w;
    if (facts.sex) {
        p.sex = *facts.sex == "male" ? analytics::Sex::kMale : *facts.sex == "female" ? analytics::Sex::kFemale
                                                                                       : analytics::Sex::kUnknown;
    }
    p.age_years = facts.age_years;
    return p;
}

}  // namespace

struct Module::Impl final : ActivityReader, storage::ObjectReferences {
    Deps deps;
    Options options;
    DecodeBudget decode_budget;
    NobodyFollows nobody_follows;
    FollowGraph& follows;

    Impl(Deps d, Options o)
        : deps(d),
          options(o),
          decode_budget(o.decode_budget_bytes),
          follows(d.follows != nullptr ? *d.follows : nobody_follows) {}

    // --- Other features' contracts -----------------------------------------------------------
    /// The facts of `user_id` (accounts' contract) with the calendar days of `local_dates_of_us`
    /// in their time zone; 404 naming `what` when there is no such user.
    asio::awaitable<accounts::ProfileFacts> OwnerFacts(std::int64_t user_id, std::vector<std::int64_t> local_dates_of_us,
                                                       std::string what) {
        co_return app::Found(co_await deps.profiles.FindOne(user_id, std::move(local_dates_of_us)), what);
    }

    /// Whether the follow relation matters for this viewer and audience, and holds.
    asio::awaitable<bool> FollowsOwner(std::int64_t viewer_id, std::int64_t owner_id, Visibility visibility) {
        if (viewer_id == owner_id || visibility != Visibility::kFollowers) {
            co_return false;
        }
        co_return co_await follows.Follows(viewer_id, owner_id);
    }

    /// For lists of one owner's activities: whether the viewer follows them (SQL parameter).
    asio::awaitable<bool> FollowsForList(std::int64_t viewer_id, std::int64_t owner_id) {
        co_return viewer_id != owner_id && co_await follows.Follows(viewer_id, owner_id);
    }

    // --- storage::ObjectReferences: the object route serves an original while an upload names it.
    asio::awaitable<bool> IsReferenced(std::string key) override {
        db::Result live =
            co_await deps.pool.QueryPipelined("SELECT 1 FROM uploads WHERE original_key = $1 LIMIT 1", Params::Of(key));
        co_return !live.Empty();
    }

    /// The CPU-pool hand-off (base/offload.hpp) onto this module's pool.
    template <class F>
    asio::awaitable<std::invoke_result_t<F&>> OnCpu(F& f) {
        co_return co_await strava1::OnCpu(deps.cpu, f);
    }

    // --- Loading and deciding ----------------------------------------------------------------
    asio::awaitable<std::unordered_map<std::int64_t, std::vector<geo::Disc>>> LoadZones(std::vector<std::int64_t> owners) {
        std::unordered_map<std::int64_t, std::vector<geo::Disc>> zones;
        if (owners.empty()) {
            co_return zones;
        }
        std::sort(owners.begin(), owners.end());
        owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
        db::Result r = co_await deps.pool.Query(
            "SELECT owner_id, lat, lng, radius_m FROM privacy_zones WHERE owner_id = ANY($1::bigint[])",
            Params::Of(Int64ArrayText(owners)));
        for (int i = 0; i < r.Rows(); ++i) {
            zones[r.Int(i, 0)].push_back(geo::Disc{geo::LatLng{r.Double(i, 1), r.Double(i, 2)}, r.Double(i, 3)});
        }
        co_return zones;
    }

    struct Loaded {
        db::Result result;
        std::vector<geo::Disc> zones;
        std::optional<View> view;
        ActivityRow Row() const { return ReadRow(result, 0, zones); }
    };

    /// Loads one activity with `extra` columns appended and decides the caller's view; throws
    /// 404 when it is missing or hidden from the caller (the same answer for both).
    asio::awaitable<Loaded> LoadVisible(std::int64_t viewer_id, std::int64_t activity_id, std::string extra = {}) {
        Loaded loaded;
        loaded.result = co_await deps.pool.Query("SELECT " + kActivityColumns + extra + " FROM activities a WHERE a.id = $1",
                                                 Params::Of(activity_id));
        if (loaded.result.Empty()) {
            throw NotFound("activity");
        }
        std::int64_t owner = loaded.result.Int(0, kOwnerId);
        if (owner != viewer_id) {
            // A named vector: GCC 12 cannot keep an initializer list alive across co_await.
            std::vector<std::int64_t> owners(1, owner);
            auto zones = co_await LoadZones(std::move(owners));
            loaded.zones = std::move(zones[owner]);
        }
        const Audience audience = loaded.Row().audience;
        const bool follows_owner = co_await FollowsOwner(viewer_id, owner, audience.visibility);
        loaded.view = app::RequireVisible(Decide(viewer_id, audience, follows_owner), "activity");
        co_return loaded;
    }

    asio::awaitable<formats::Track> LoadTrack(std::int64_t activity_id) {
        db::Result r = co_await deps.pool.Query("SELECT data FROM activity_streams WHERE activity_id = $1",
                                                Params::Of(activity_id));
        if (r.Empty()) {
            co_return formats::Track{};
        }
        std::string hex = r.String(0, 0);
        auto work = [hex = std::move(hex)]() -> formats::Result<formats::Track> {
            auto bytes = PgHexToBytes(hex);
            if (!bytes) {
                formats::ParseError e;
                e.reason = "stored stream is not bytea hex";
                return e;
            }
            return formats::DecodeTrack(*bytes);
        };
        auto decoded = co_await OnCpu(work);
        if (!decoded) {
            throw Error(ErrorKind::kInternal, "stored streams are unreadable", {}, decoded.error().Describe());
        }
        co_return std::move(decoded).value();
    }

    // --- What others are shown (public_view.hpp) ----------------------------------------------
    /// A public view as stored: the hidden areas it was computed for, and what it holds.
    struct StoredPublicView {
        std::string areas;
        std::optional<std::string> summary;
        std::optional<std::string> analysis;
    };
    using PublicViews = std::unordered_map<std::int64_t, StoredPublicView>;

    /// Computes and stores what others are shown of the activities `ids` of `owner_id` that have
    /// streams, inside `tx`, which must hold the owner's advisory lock: every change of what hides
    /// their samples recomputes under it, so two computations for different areas cannot cross.
    asio::awaitable<PublicViews> RefreshPublicViews(db::Transaction& tx, std::int64_t owner_id,
                                                    std::vector<std::int64_t> ids, analytics::AthleteProfile profile) {
        PublicViews out;
        if (ids.empty()) {
            co_return out;
        }
        db::Result z =
            co_await tx.Query("SELECT lat, lng, radius_m FROM privacy_zones WHERE owner_id = $1", Params::Of(owner_id));
        std::vector<geo::Disc> zones;
        zones.reserve(static_cast<std::size_t>(z.Rows()));
        for (int i = 0; i < z.Rows(); ++i) {
            zones.push_back(geo::Disc{geo::LatLng{z.Double(i, 0), z.Double(i, 1)}, z.Double(i, 2)});
        }
        struct Job {
            std::int64_t id = 0;
            std::optional<std::string> hex;  ///< the stream blob; absent when nothing can be hidden
            PublicViewInput input;
            std::string analysis_json;
            StoredPublicView result;
        };
        // A few at a time: each brings its stream blob.
        constexpr std::size_t kBatch = 16;
        for (std::size_t from = 0; from < ids.size(); from += kBatch) {
            std::vector<std::int64_t> batch(
                ids.begin() + static_cast<std::ptrdiff_t>(from),
                ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), from + kBatch)));
            db::Result r = co_await tx.Query(
                "SELECT a.id, a.sport, a.start_disc, a.end_disc, a.analysis::text, CASE WHEN a.start_disc IS NOT NULL "
                "OR a.end_disc IS NOT NULL OR $3 THEN s.data END FROM activities a JOIN activity_streams s ON "
                "s.activity_id = a.id WHERE a.id = ANY($1::bigint[]) AND a.owner_id = $2",
                Params::Of(Int64ArrayText(batch), owner_id, !zones.empty()));
            db::Result e = co_await tx.Query(
                "SELECT activity_id, start_index, end_index FROM best_efforts WHERE activity_id = ANY($1::bigint[])",
                Params::Of(Int64ArrayText(batch)));
            std::vector<Job> jobs(static_cast<std::size_t>(r.Rows()));
            for (int i = 0; i < r.Rows(); ++i) {
                Job& job = jobs[static_cast<std::size_t>(i)];
                job.id = r.Int(i, 0);
                job.input.sport = formats::ParseSportName(r.Text(i, 1)).value_or(formats::Sport::kUnknown);
                job.input.profile = profile;
                for (int col : {2, 3}) {
                    if (!r.IsNull(i, col)) {
                        if (auto disc = ParseDiscArray(r.Text(i, col))) {
                            job.input.hidden_areas.push_back(*disc);
                        }
                    }
                }
                job.input.hidden_areas.insert(job.input.hidden_areas.end(), zones.begin(), zones.end());
                job.analysis_json = r.String(i, 4);
                job.hex = r.OptString(i, 5);
                for (int k = 0; k < e.Rows(); ++k) {
                    if (e.Int(k, 0) == job.id) {
                        job.input.efforts.emplace_back(static_cast<std::size_t>(e.Int(k, 1)),
                                                       static_cast<std::size_t>(e.Int(k, 2)));
                    }
                }
            }
            auto work = [&jobs]() -> std::optional<std::string> {
                for (Job& job : jobs) {
                    job.result.areas = HiddenAreasFingerprint(job.input.hidden_areas);
                    if (!job.hex) {
                        continue;
                    }
                    auto bytes = PgHexToBytes(*job.hex);
                    auto track =
                        bytes ? formats::DecodeTrack(*bytes) : formats::Result<formats::Track>(formats::ParseError{});
                    if (!track) {
                        return "activity " + std::to_string(job.id) + ": " + track.error().Describe();
                    }
                    job.input.track = std::move(track).value();
                    boost::json::value stored = json::Parse(job.analysis_json, 64);
                    job.input.laps = Field(stored.as_object(), "laps");
                    job.input.splits_km = Field(stored.as_object(), "splits_km");
                    job.input.splits_mile = Field(stored.as_object(), "splits_mile");
                    PublicView view = ComputePublicView(job.input);
                    job.result.summary = std::move(view.summary);
                    job.result.analysis = std::move(view.analysis);
                    job.input.track = formats::Track{};
                }
                return std::nullopt;
            };
            if (auto problem = co_await OnCpu(work)) {
                throw Error(ErrorKind::kInternal, "stored streams are unreadable", {}, *problem);
            }
            for (Job& job : jobs) {
                co_await tx.Query(
                    "UPDATE activities SET public_areas = $2, public_summary = $3::jsonb, public_analysis = $4::jsonb "
                    "WHERE id = $1",
                    Params::Of(job.id, job.result.areas, job.result.summary, job.result.analysis));
                out[job.id] = std::move(job.result);
            }
        }
        co_return out;
    }

    /// RefreshPublicViews in a transaction of its own.
    asio::awaitable<PublicViews> RefreshPublicViewsNow(std::int64_t owner_id, std::vector<std::int64_t> ids) {
        const analytics::AthleteProfile profile = co_await LoadProfile(owner_id);
        co_return co_await db::RunInTransaction<PublicViews>(
            deps.pool, [&](db::Transaction& tx) -> asio::awaitable<PublicViews> {
                co_await tx.Query("SELECT pg_advisory_xact_lock(7301, $1::int)", Params::Of(owner_id % 2147483647));
                co_return co_await RefreshPublicViews(tx, owner_id, ids, profile);
            });
    }

    /// The activities of `owner_id` with streams, whose public views a change of their privacy
    /// zones makes stale.
    static asio::awaitable<std::vector<std::int64_t>> WithStreams(db::Transaction& tx, std::int64_t owner_id) {
        db::Result r = co_await tx.Query(
            "SELECT a.id FROM activities a JOIN activity_streams s ON s.activity_id = a.id WHERE a.owner_id = $1 ORDER BY a.id",
            Params::Of(owner_id));
        std::vector<std::int64_t> ids;
        ids.reserve(static_cast<std::size_t>(r.Rows()));
        for (int i = 0; i < r.Rows(); ++i) {
            ids.push_back(r.Int(i, 0));
        }
        co_return ids;
    }

    static std::string DetailJson(const ActivityRow& a, const View& view, int polyline_col,
                                  const boost::json::object* shown, OwnerShown who) {
        std::string out;
        out.reserve(2048);
        json::Writer w(out);
        w.BeginObject();
        WriteSummaryMembers(w, a, view, shown, who);
        w.Key("hidden_metrics").BeginArray();
        for (const auto& name : MetricNames(view.owner ? a.audience.hidden_metrics : 0)) {
            w.String(name);
        }
        w.EndArray();
        w.Key("hide_endpoints_m");
        view.owner ? w.Int(a.Int(kHideEndpoints)) : w.Null();
        std::string polyline = a.Null(polyline_col) ? std::string() : MaskPolyline(view, a.Text(polyline_col));
        w.Key("polyline");
        polyline.empty() ? w.Null() : w.String(polyline);
        w.Key("has_original").Bool(view.owner && a.Text(kHasOriginal) == "t");
        w.Key("is_owner").Bool(view.owner);
        w.EndObject();
        return out;
    }

    asio::awaitable<std::string> LoadDetailJson(std::int64_t viewer_id, std::int64_t activity_id) {
        Loaded l = co_await LoadVisible(viewer_id, activity_id, ", a.polyline");
        std::vector<std::int64_t> start(1, l.result.Int(0, kStartMicros));
        // An owner deleted since the activity was read: the activity went with them.
        const accounts::ProfileFacts owner =
            co_await OwnerFacts(l.result.Int(0, kOwnerId), std::move(start), "activity");
        std::vector<std::pair<ActivityRow, View>> rows(1, {l.Row(), *l.view});
        std::vector<std::optional<boost::json::object>> shown = co_await SummariesShown(rows);
        co_return DetailJson(l.Row(), *l.view, kColumnCount, shown[0] ? &*shown[0] : nullptr,
                             OwnerShown{&owner, owner.local_dates.at(0)});
    }

    /// For each row (all of one owner) and its viewer's view: the figures the viewer is shown
    /// instead of the stored ones (public_view.hpp `summary`), or nullopt for the stored ones. A
    /// public view computed for other hidden areas than the viewer's is computed now, and stored.
    asio::awaitable<std::vector<std::optional<boost::json::object>>> SummariesShown(
        std::vector<std::pair<ActivityRow, View>> rows) {
        std::vector<std::optional<boost::json::object>> out(rows.size());
        std::map<std::int64_t, std::vector<std::int64_t>> stale;  // by owner
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto& [a, view] = rows[i];
            if (!NeedsPublicView(a, view)) {
                continue;
            }
            if (!PublicViewIsCurrent(a, view)) {
                stale[a.Int(kOwnerId)].push_back(a.Int(kId));
            } else if (!a.Null(kPublicSummary)) {
                out[i] = std::move(json::Parse(a.Text(kPublicSummary), 8).as_object());
            }
        }
        for (auto& [owner, ids] : stale) {
            PublicViews fresh = co_await RefreshPublicViewsNow(owner, std::move(ids));
            for (std::size_t i = 0; i < rows.size(); ++i) {
                auto it = fresh.find(rows[i].first.Int(kId));
                if (it != fresh.end() && it->second.summary) {
                    out[i] = std::move(json::Parse(*it->second.summary, 8).as_object());
                }
            }
        }
        co_return out;
    }

    // --- Uploads -----------------------------------------------------------------------------
    struct ParsedUpload {
        std::string_view bytes;
        UploadFields fields;
    };

    static ParsedUpload ParseUploadRequest(const http::Request& req) {
        ParsedUpload out;
        std::string_view type = req.Header("content-type");
        auto field = [&](const char* name) { return req.QueryParam(name); };
        if (http::MultipartBoundary(type)) {
            auto parts = http::ParseMultipart(type, req.body);
            bool found = false;
            for (const auto& part : parts) {
                if (part.name == "file") {
                    out.bytes = part.body;
                    found = true;
                } else if (part.name == "data_type") {
                    out.fields.data_type = std::string(part.body);
                } else if (part.name == "name") {
                    out.fields.name = std::string(part.body);
                } else if (part.name == "description") {
                    out.fields.description = std::string(part.body);
                } else if (part.name == "sport") {
                    out.fields.sport = std::string(part.body);
                } else if (part.name == "external_id") {
                    out.fields.external_id = std::string(part.body);
                } else {
                    throw InvalidField(part.name, "is not a known upload field");
                }
            }
            if (!found) {
                throw InvalidField("file", "is required (a multipart part named \"file\")");
            }
        } else {
            out.bytes = req.body;
            out.fields = UploadFields{field("data_type"), field("name"), field("description"), field("sport"),
                                      field("external_id")};
        }
        if (out.bytes.empty()) {
            throw InvalidField("file", "is empty");
        }
        return out;
    }

    /// A planned decode with its room in the decode budget, or why the file cannot be decoded
    /// (`error`: unreadable, 422) or not within the budget (`too_large`: 413).
    struct Admitted {
        std::optional<formats::ParseError> error;
        std::optional<std::string> too_large;
        DecodePlan plan;
        std::optional<DecodeBudget::Lease> lease;
    };

    /// Sizes the decoding of `bytes` on the CPU pool (a .gz is counted through, never held whole,
    /// so a bomb is refused here having cost one 64 KiB buffer) and waits for room in the
    /// server-wide decode budget: 503 when none frees up in time. A file whose decoding alone would
    /// take more than the whole budget is refused: running it would break the bound the budget is.
    asio::awaitable<Admitted> AdmitDecode(std::string_view bytes, formats::DataType type) {
        const std::size_t cap = options.max_upload_bytes * options.max_gzip_expansion;
        auto work = [bytes, type, cap]() { return PlanDecode(bytes, type, cap); };
        auto plan = co_await OnCpu(work);
        Admitted out;
        if (!plan) {
            out.error = plan.error();
            if (out.error->reason.starts_with("gzip bomb")) {
                out.error->reason += " (" + std::to_string(options.max_gzip_expansion) + " times the upload limit)";
            }
            co_return out;
        }
        out.plan = plan.value();
        if (out.plan.memory_bytes > decode_budget.Capacity()) {
            const bool fit = out.plan.plain_type == formats::DataType::kFit;
            const std::size_t most = decode_budget.Capacity() / (fit ? kFitMemoryPerByte : kXmlMemoryPerByte);
            std::string kind = formats::DataTypeName(out.plan.plain_type);
            std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return std::toupper(c); });
            out.too_large = "the file is too large to decode on this server: a " + kind + " file may hold at most " +
                            std::to_string(most) + " bytes" +
                            (out.plan.plain_type != out.plan.type ? " once decompressed" : "") + " (this one holds " +
                            std::to_string(out.plan.plain_bytes) + ") with a decode budget of " +
                            std::to_string(decode_budget.Capacity() >> 20) + " MiB (STRAVA1_DECODE_BUDGET_MB)";
            co_return out;
        }
        auto lease = co_await decode_budget.Acquire(out.plan.memory_bytes, options.decode_queue_timeout);
        if (!lease) {
            throw Error(ErrorKind::kUnavailable, "the server is busy decoding other uploads; try again in a moment")
                .WithRetryAfter(5);
        }
        out.lease.emplace(std::move(*lease));
        co_return out;
    }

    /// Validates the fields, decodes and analyses the file (422 with the parser's reason when it
    /// cannot be read), stores the original, inserts the upload row and stores the activities.
    /// Returns the upload id; its row says ready or duplicate.
    asio::awaitable<std::int64_t> AcceptUpload(std::int64_t owner_id, std::string_view bytes, UploadFields fields) {
        if (bytes.size() > options.max_upload_bytes) {
            throw Error(ErrorKind::kTooLarge, "the file exceeds " + std::to_string(options.max_upload_bytes) + " bytes");
        }
        FieldErrors errors;
        std::optional<formats::DataType> type;
        if (fields.data_type) {
            type = formats::ParseDataType(*fields.data_type);
            if (!type) {
                errors.Add("data_type", "must be one of gpx, tcx, fit, gpx.gz, tcx.gz, fit.gz");
            }
        } else {
            type = formats::SniffDataType(bytes);
            if (!type) {
                throw Error(ErrorKind::kUnprocessable,
                            "the file is not GPX, TCX or FIT (or their .gz): give data_type or check the file");
            }
        }
        if (fields.name) {
            CheckText(errors, "name", *fields.name, 1, 255);
        }
        if (fields.description) {
            CheckText(errors, "description", *fields.description, 0, 10000);
        }
        if (fields.external_id) {
            CheckText(errors, "external_id", *fields.external_id, 1, 255);
        }
        if (fields.sport) {
            if (auto problem = SportProblem(*fields.sport)) {
                errors.Add("sport", *problem);
            }
        }
        errors.ThrowIfAny();
        const std::string type_name = formats::DataTypeName(*type);
        const accounts::ProfileFacts owner = co_await OwnerFacts(owner_id, {}, "user");
        const analytics::AthleteProfile profile = AthleteProfileOf(owner);
        struct Decoded {
            std::string sha;
            std::string key;
            std::int64_t size = 0;
            std::size_t held = 0;  ///< TrimForStoring of the activities
            std::optional<formats::ParseError> error;
            std::vector<PreparedActivity> activities;
        };
        Admitted admitted = co_await AdmitDecode(bytes, *type);
        if (admitted.error) {
            throw Error(ErrorKind::kUnprocessable, "the file cannot be read: " + admitted.error->Describe());
        }
        if (admitted.too_large) {
            throw Error(ErrorKind::kTooLarge, *admitted.too_large);
        }
        const DecodePlan plan = admitted.plan;
        auto work = [owner_id, bytes, type_name, plan, profile]() {
            Decoded out;
            auto prepared = PrepareFile(bytes, plan, profile);
            if (!prepared) {
                out.error = prepared.error();
                return out;
            }
            out.activities = std::move(prepared).value();
            out.held = TrimForStoring(out.activities);
            out.sha = crypto::Hex(crypto::Sha256(bytes));
            out.key = Module::kOriginalKeyPrefix + std::to_string(owner_id) + "-" + out.sha + "." + type_name;
            out.size = static_cast<std::int64_t>(bytes.size());
            return out;
        };
        Decoded d = co_await OnCpu(work);
        if (d.error) {
            throw Error(ErrorKind::kUnprocessable, "the file cannot be read: " + d.error->Describe());
        }
        // Decoding is over: what is still held is the result, far less than the estimate. Storing
        // the original (fsync) and the activities (the owner's lock, the pool) can wait on others,
        // and other uploads must not wait for that.
        admitted.lease->ShrinkTo(d.held);
        auto put = [this, &d, bytes, type_name]() {
            // Durable before the row that names it, so a crash never leaves an upload without its file.
            deps.store.Put(d.key, bytes, ContentTypeFor(type_name));
            return 0;
        };
        co_await OnCpu(put);
        db::Result r = co_await deps.pool.Query(
            "INSERT INTO uploads (owner_id, status, data_type, file_sha256, size_bytes, original_key, external_id, "
            "name, description, sport) VALUES ($1, 'processing', $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            Params::Of(owner_id, type_name, d.sha, d.size, d.key, fields.external_id, fields.name, fields.description,
                       fields.sport));
        const std::int64_t upload_id = r.Int(0, 0);
        co_await StoreActivities(upload_id, owner, d.sha, fields, d.activities);
        co_return upload_id;
    }

    asio::awaitable<db::Result> LoadUpload(std::int64_t owner_id, std::int64_t upload_id) {
        db::Result r = co_await deps.pool.Query(std::string("SELECT ") + kUploadColumns +
                                                    " FROM uploads WHERE id = $1 AND owner_id = $2",
                                                Params::Of(upload_id, owner_id));
        if (r.Empty()) {
            throw NotFound("upload");
        }
        co_return r;
    }

    asio::awaitable<analytics::AthleteProfile> LoadProfile(std::int64_t owner_id) {
        auto facts = co_await deps.profiles.FindOne(owner_id);
        co_return facts ? AthleteProfileOf(*facts) : analytics::AthleteProfile{};
    }

    /// The hidden disc of one endpoint: the owner's anchor near it (created on first use).
    struct AnchoredDisc {
        geo::Disc disc;
        std::int64_t anchor_id = 0;
        geo::LatLng home;
    };

    /// The hidden disc of one endpoint, from the owner's anchor nearest to it (created on first use).
    static asio::awaitable<std::optional<AnchoredDisc>> EndpointDisc(db::Transaction& tx, std::int64_t owner_id,
                                                                     int radius_m, std::optional<geo::LatLng> point,
                                                                     std::uint64_t seed, geo::Endpoint endpoint) {
        if (!point || radius_m <= 0) {
            co_return std::nullopt;
        }
        // Anchors are kept across changes of R: two anchors for one place would let an observer
        // intersect their rings.
        db::Result anchors = co_await tx.Query(
            "SELECT id, home_lat, home_lng, offset_north_m, offset_east_m FROM privacy_anchors WHERE owner_id = $1",
            Params::Of(owner_id));
        std::optional<AnchoredDisc> best;
        double best_distance = 0;
        for (int i = 0; i < anchors.Rows(); ++i) {
            geo::Anchor anchor{geo::LatLng{anchors.Double(i, 1), anchors.Double(i, 2)}, anchors.Double(i, 3), anchors.Double(i, 4)};
            if (!geo::AnchorCovers(anchor, *point, radius_m)) {
                continue;
            }
            double d = geo::LocalDistanceM(anchor.home, *point);
            if (!best || d < best_distance) {
                best = AnchoredDisc{geo::EndpointDisc(anchor, radius_m, seed, endpoint), anchors.Int(i, 0), anchor.home};
                best_distance = d;
            }
        }
        if (best) {
            co_return best;
        }
        geo::Anchor anchor = geo::NewAnchor(*point, radius_m, RandomU64());
        db::Result r = co_await tx.Query(
            "INSERT INTO privacy_anchors (owner_id, hide_radius_m, home_lat, home_lng, offset_north_m, offset_east_m) "
            "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            Params::Of(owner_id, radius_m, anchor.home.lat_deg, anchor.home.lng_deg, anchor.offset_north_m,
                       anchor.offset_east_m));
        co_return AnchoredDisc{geo::EndpointDisc(anchor, radius_m, seed, endpoint), r.Int(0, 0), anchor.home};
    }

    /// Every public end already published near an anchor (other activities than `exclude_id`).
    static asio::awaitable<std::vector<geo::LatLng>> PublicEndsAt(db::Transaction& tx, std::int64_t anchor_id,
                                                                  std::int64_t exclude_id) {
        db::Result r = co_await tx.Query(
            "SELECT public_start FROM activities WHERE start_anchor_id = $1 AND id <> $2 AND public_start IS NOT NULL "
            "UNION ALL SELECT public_end FROM activities WHERE end_anchor_id = $1 AND id <> $2 AND public_end IS NOT NULL",
            Params::Of(anchor_id, exclude_id));
        std::vector<geo::LatLng> out;
        for (int i = 0; i < r.Rows(); ++i) {
            if (auto p = ParsePointArray(r.Text(i, 0))) {
                out.push_back(*p);
            }
        }
        co_return out;
    }

    /// Where one activity's start and end are hidden, after the guard.
    struct EndpointPlan {
        std::optional<std::string> start_disc;
        std::optional<std::string> end_disc;
        std::optional<std::int64_t> start_anchor;
        std::optional<std::int64_t> end_anchor;
        std::optional<std::string> public_start;
        std::optional<std::string> public_end;
        bool map_hidden = false;
    };

    static asio::awaitable<EndpointPlan> PlanEndpoints(db::Transaction& tx, std::int64_t owner_id, int radius_m,
                                                       const std::vector<std::int32_t>& lat_e7,
                                                       const std::vector<std::int32_t>& lng_e7, std::uint64_t seed,
                                                       std::int64_t activity_id) {
        std::optional<geo::LatLng> first;
        std::optional<geo::LatLng> last;
        for (std::size_t i = 0; i < lat_e7.size(); ++i) {
            if (lat_e7[i] != formats::kNoPosition) {
                geo::LatLng here{formats::E7ToDegrees(lat_e7[i]), formats::E7ToDegrees(lng_e7[i])};
                if (!first) {
                    first = here;
                }
                last = here;
            }
        }
        EndpointPlan plan;
        auto start = co_await EndpointDisc(tx, owner_id, radius_m, first, seed, geo::Endpoint::kStart);
        auto end = co_await EndpointDisc(tx, owner_id, radius_m, last, seed, geo::Endpoint::kEnd);
        GuardedEndpoint gs;
        GuardedEndpoint ge;
        if (start) {
            gs.disc = start->disc;
            gs.home = start->home;
            gs.earlier_ends = co_await PublicEndsAt(tx, start->anchor_id, activity_id);
            plan.start_anchor = start->anchor_id;
        }
        if (end) {
            ge.disc = end->disc;
            ge.home = end->home;
            ge.earlier_ends = co_await PublicEndsAt(tx, end->anchor_id, activity_id);
            plan.end_anchor = end->anchor_id;
        }
        // A 10 % margin: observers' distance formulas and the zones (applied on the way out) move
        // the public ends by metres.
        GuardDecision decision = Guard(lat_e7, lng_e7, gs, ge, radius_m * 1.1);
        if (start) {
            plan.start_disc = DiscArrayText(geo::Disc{start->disc.centre, start->disc.radius_m * decision.scale});
        }
        if (end) {
            plan.end_disc = DiscArrayText(geo::Disc{end->disc.centre, end->disc.radius_m * decision.scale});
        }
        plan.map_hidden = decision.hide_map;
        if (decision.ends.first) {
            plan.public_start = PointArrayText(*decision.ends.first);
            plan.public_end = PointArrayText(*decision.ends.last);
        }
        co_return plan;
    }

    /// Inserts one analysed activity inside `tx`; returns its id.
    static asio::awaitable<std::int64_t> InsertActivity(db::Transaction& tx, const accounts::ProfileFacts& owner,
                                                        std::optional<std::int64_t> upload_id, const PreparedActivity& p,
                                                        const UploadFields& fields, const std::string& sha) {
        const std::int64_t owner_id = owner.user_id;
        std::string visibility = owner.default_visibility;
        int radius = owner.hide_endpoints_m;
        std::int64_t seed = static_cast<std::int64_t>(RandomU64() >> 1);
        EndpointPlan plan = co_await PlanEndpoints(tx, owner_id, radius, p.lat_e7, p.lng_e7, static_cast<std::uint64_t>(seed), 0);
        const auto& a = p.analysis;
        std::string sport = fields.sport ? *fields.sport : formats::SportName(p.sport);
        std::optional<std::string> name = fields.name;
        if (!name && !p.file_name.empty() && p.file_name.size() <= 255) {
            name = p.file_name;
        }
        std::string description = fields.description.value_or(p.description.size() <= 10000 ? p.description : "");
        Params params;
        params.Add(owner_id).Add(upload_id).Add(sport).Add(p.sub_sport.empty() ? std::nullopt : std::optional(p.sub_sport));
        params.Add(name).Add(description).Add(static_cast<double>(p.start_ms) / 1000.0).Add(static_cast<double>(p.end_ms) / 1000.0);
        params.Add(visibility).Add(radius).Add(seed).Add(plan.start_disc).Add(plan.end_disc).Add(sha);
        params.Add(p.device.empty() ? std::nullopt : std::optional(p.device)).Add(fields.external_id);
        params.Add(p.distance_m).Add(p.elapsed_s).Add(p.moving_s).Add(p.timer_s).Add(p.elevation_gain_m).Add(p.elevation_loss_m);
        params.Add(p.moving_s > 0 ? std::optional(a.avg_speed_mps) : std::nullopt);
        params.Add(a.max_speed_mps > 0 ? std::optional(a.max_speed_mps) : std::nullopt);
        params.Add(a.avg_pace_s_per_km).Add(a.grade_adjusted_pace_s_per_km).Add(a.avg_heart_rate_bpm).Add(a.max_heart_rate_bpm);
        params.Add(a.avg_cadence_spm ? a.avg_cadence_spm : a.avg_cadence_rpm).Add(a.avg_power_w).Add(a.max_power_w);
        params.Add(a.normalized_power_w).Add(p.calories_kcal).Add(a.trimp).Add(a.training_stress_score).Add(a.intensity_factor);
        params.Add(static_cast<std::int64_t>(p.point_count)).Add(p.summary_polyline.empty() ? std::nullopt : std::optional(p.summary_polyline));
        params.Add(p.polyline.empty() ? std::nullopt : std::optional(p.polyline)).Add(p.analysis_json);
        params.Add(plan.start_anchor).Add(plan.end_anchor).Add(plan.public_start).Add(plan.public_end).Add(plan.map_hidden);
        params.Add(owner.time_zone);
        // Without a name: "Morning Run" etc. from the local hour in the owner's time zone.
        db::Result r = co_await tx.Query(
            "INSERT INTO activities (owner_id, upload_id, sport, sub_sport, name, description, start_time, end_time, "
            "visibility, hide_endpoints_m, privacy_seed, start_disc, end_disc, file_sha256, device, external_id, "
            "distance_m, elapsed_s, moving_s, timer_s, elevation_gain_m, elevation_loss_m, avg_speed_mps, max_speed_mps, "
            "avg_pace_s_per_km, gap_s_per_km, avg_heart_rate_bpm, max_heart_rate_bpm, avg_cadence, avg_power_w, "
            "max_power_w, normalized_power_w, calories_kcal, trimp, tss, intensity_factor, point_count, "
            "summary_polyline, polyline, analysis, start_anchor_id, end_anchor_id, public_start, public_end, map_hidden) "
            "SELECT $1, $2, $3, $4, COALESCE($5, (SELECT CASE WHEN h < 5 THEN 'Night' WHEN h < 12 THEN 'Morning' "
            "WHEN h < 17 THEN 'Afternoon' WHEN h < 21 THEN 'Evening' ELSE 'Night' END FROM (SELECT extract(hour FROM "
            "to_timestamp($7::float8) AT TIME ZONE $46) AS h) hh) || ' ' || CASE WHEN $3 IN ('unknown', 'other') THEN 'Activity' ELSE initcap(replace($3, '_', ' ')) END), "
            "$6, to_timestamp($7::float8), to_timestamp($8::float8), $9, $10, $11, $12::float8[], $13::float8[], $14, "
            "$15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, "
            "$36, $37, $38, $39, $40::jsonb, $41, $42, $43::float8[], $44::float8[], $45 RETURNING id",
            std::move(params));
        std::int64_t id = r.Int(0, 0);
        if (!p.stream_blob.empty() && p.point_count > 0) {
            co_await tx.Query("INSERT INTO activity_streams (activity_id, data) VALUES ($1, $2::bytea)",
                              Params::Of(id, BytesToPgHex(p.stream_blob)));
        }
        for (const auto& e : a.best_efforts) {
            co_await tx.Query(
                "INSERT INTO best_efforts (activity_id, owner_id, sport, distance_m, name, time_s, start_index, end_index, "
                "start_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::float8))",
                Params::Of(id, owner_id, sport, e.distance_m, std::string(e.name), e.time_s,
                           static_cast<std::int64_t>(e.start_index), static_cast<std::int64_t>(e.end_index),
                           static_cast<double>(p.start_ms) / 1000.0));
        }
        co_return id;
    }

    asio::awaitable<void> FinishUpload(std::int64_t upload_id, std::string status, std::optional<std::string> error,
                                       std::vector<std::int64_t> ids, std::optional<std::int64_t> duplicate_of) {
        co_await deps.pool.Query(
            "UPDATE uploads SET status = $2, error = $3, activity_ids = $4::bigint[], duplicate_of = $5, "
            "finished_at = now() WHERE id = $1",
            Params::Of(upload_id, status, error, Int64ArrayText(ids), duplicate_of));
    }

    /// Decodes, analyses and stores one upload; every outcome ends in its status.
    asio::awaitable<void> Process(std::int64_t upload_id) {
        db::Result u = co_await deps.pool.Query(
            "SELECT owner_id, data_type, original_key, file_sha256, name, description, sport, external_id "
            "FROM uploads WHERE id = $1 AND status = 'processing'",
            Params::Of(upload_id));
        if (u.Empty()) {
            co_return;
        }
        const std::int64_t owner_id = u.Int(0, 0);
        const auto type = formats::ParseDataType(u.Text(0, 1));
        const std::string key = u.String(0, 2);
        const std::string sha = u.String(0, 3);
        UploadFields fields{std::nullopt, u.OptString(0, 4), u.OptString(0, 5), u.OptString(0, 6), u.OptString(0, 7)};
        const accounts::ProfileFacts owner = co_await OwnerFacts(owner_id, {}, "user");
        const analytics::AthleteProfile profile = AthleteProfileOf(owner);
        auto read = [this, key]() { return deps.store.Get(key); };
        std::optional<std::string> bytes = co_await OnCpu(read);
        if (!bytes) {
            co_await FinishUpload(upload_id, "error", "the uploaded file is missing from storage", {}, std::nullopt);
            co_return;
        }
        Admitted admitted = co_await AdmitDecode(*bytes, *type);
        if (admitted.error || admitted.too_large) {
            co_await FinishUpload(upload_id, "error", admitted.error ? admitted.error->Describe() : *admitted.too_large,
                                  {}, std::nullopt);
            co_return;
        }
        const DecodePlan plan = admitted.plan;
        std::size_t held = 0;
        auto work = [&bytes, &held, plan, profile]() {
            auto prepared = PrepareFile(*bytes, plan, profile);
            if (prepared) {
                held = TrimForStoring(prepared.value());
            }
            return prepared;
        };
        auto prepared = co_await OnCpu(work);
        if (!prepared) {
            co_await FinishUpload(upload_id, "error", prepared.error().Describe(), {}, std::nullopt);
            co_return;
        }
        bytes.reset();
        admitted.lease->ShrinkTo(held);
        co_await StoreActivities(upload_id, owner, sha, fields, prepared.value());
    }

    /// The owner's earliest activity that is the same workout as `range` (duplicates.hpp), other
    /// than those of upload `exclude_upload`. Call under the owner's advisory lock.
    static asio::awaitable<std::optional<std::int64_t>> FindSameWorkout(db::Transaction& tx, std::int64_t owner_id,
                                                                        TimeRange range,
                                                                        std::optional<std::int64_t> exclude_upload) {
        db::Result r = co_await tx.Query(
            "SELECT id, (extract(epoch FROM start_time) * 1000)::bigint, (extract(epoch FROM end_time) * 1000)::bigint "
            "FROM activities WHERE owner_id = $1 AND start_time < to_timestamp($3::float8 / 1000) AND "
            "end_time > to_timestamp($2::float8 / 1000) AND ($4::bigint IS NULL OR upload_id IS DISTINCT FROM $4) ORDER BY id",
            Params::Of(owner_id, range.start_ms, range.end_ms, exclude_upload));
        for (int i = 0; i < r.Rows(); ++i) {
            if (IsSameWorkout(range, TimeRange{r.Int(i, 1), r.Int(i, 2)})) {
                co_return r.Int(i, 0);
            }
        }
        co_return std::nullopt;
    }

    /// Stores the activities of one upload in one transaction, unless they duplicate earlier ones,
    /// and records the outcome on the upload.
    asio::awaitable<void> StoreActivities(std::int64_t upload_id, const accounts::ProfileFacts& owner,
                                          const std::string& sha,
                                          const UploadFields& fields, const std::vector<PreparedActivity>& list) {
        struct Outcome {
            std::vector<std::int64_t> ids;
            std::optional<std::int64_t> duplicate_of;
        };
        const std::int64_t owner_id = owner.user_id;
        const analytics::AthleteProfile profile = AthleteProfileOf(owner);
        Outcome outcome = co_await db::RunInTransaction<Outcome>(deps.pool, [&](db::Transaction& tx) -> asio::awaitable<Outcome> {
            // One owner's uploads are checked for duplicates and inserted one at a time.
            co_await tx.Query("SELECT pg_advisory_xact_lock(7301, $1::int)", Params::Of(owner_id % 2147483647));
            Outcome o;
            db::Result same = co_await tx.Query(
                "SELECT id FROM activities WHERE owner_id = $1 AND file_sha256 = $2 ORDER BY id LIMIT 1", Params::Of(owner_id, sha));
            if (!same.Empty()) {
                o.duplicate_of = same.Int(0, 0);
                co_return o;
            }
            for (const auto& p : list) {
                // Whatever device or format recorded it: the legs of one multisport file follow
                // each other, so only other uploads' and manual activities are compared.
                if (auto earlier = co_await FindSameWorkout(tx, owner_id, TimeRange{p.start_ms, p.end_ms}, upload_id)) {
                    o.ids.clear();
                    o.duplicate_of = earlier;
                    co_return o;  // the transaction rolls back what this file inserted so far
                }
                o.ids.push_back(co_await InsertActivity(tx, owner, upload_id, p, fields, sha));
            }
            co_await RefreshPublicViews(tx, owner_id, o.ids, profile);
            co_return o;
        });
        if (outcome.duplicate_of) {
            co_await FinishUpload(upload_id, "duplicate", std::nullopt, {}, outcome.duplicate_of);
        } else {
            co_await FinishUpload(upload_id, "ready", std::nullopt, outcome.ids, std::nullopt);
        }
    }

    asio::awaitable<void> ProcessLogged(std::int64_t upload_id) {
        try {
            co_await Process(upload_id);
        } catch (const std::exception& e) {
            // Left in "processing": ResumePendingUploads retries it at the next start.
            log::Error("upload processing failed", {{"upload_id", upload_id}, {"error", e.what()}});
        }
    }

    // --- Routes --------------------------------------------------------------------------------
    asio::awaitable<Response> PostUpload(RequestPtr req) {
        const std::int64_t owner = req->Caller().user_id;
        ParsedUpload parsed = ParseUploadRequest(*req);
        std::int64_t id = co_await AcceptUpload(owner, parsed.bytes, std::move(parsed.fields));
        db::Result r = co_await LoadUpload(owner, id);
        Response resp = Response::Text(201, "application/json", UploadJson(r));
        resp.SetHeader("Location", "/v1/uploads/" + std::to_string(id));
        co_return resp;
    }

    asio::awaitable<Response> GetUpload(RequestPtr req) {
        std::int64_t id = req->PathId("upload_id", "upload");
        db::Result r = co_await LoadUpload(req->Caller().user_id, id);
        co_return Response::Text(200, "application/json", UploadJson(r));
    }

    asio::awaitable<Response> PostManual(RequestPtr req) {
        const std::int64_t owner = req->Caller().user_id;
        auto body = json::ReadBody<ManualActivityBody>(req->body);
        FieldErrors errors;
        if (auto problem = SportProblem(body.sport)) {
            errors.Add("sport", *problem);
        }
        auto start = ParseTimestampMicros(body.start_time);
        if (!start) {
            errors.Add("start_time", "must be an RFC 3339 time with a zone, e.g. 2026-11-30T07:12:03Z");
        }
        auto range = [&](const char* field, const std::optional<double>& v, double lo, double hi) {
            if (v && (!std::isfinite(*v) || *v < lo || *v > hi)) {
                errors.Add(field, "must be between " + std::to_string(static_cast<long long>(lo)) + " and " +
                                             std::to_string(static_cast<long long>(hi)));
            }
        };
        range("elapsed_s", body.elapsed_s, 1, 30 * 86400);
        range("moving_s", body.moving_s, 0, body.elapsed_s);
        range("distance_m", body.distance_m, 0, 10'000'000);
        range("elevation_gain_m", body.elevation_gain_m, 0, 100'000);
        range("calories_kcal", body.calories_kcal, 0, 100'000);
        if (body.perceived_exertion && (*body.perceived_exertion < 1 || *body.perceived_exertion > 10)) {
            errors.Add("perceived_exertion", "must be between 1 and 10");
        }
        if (body.name) {
            CheckText(errors, "name", *body.name, 1, 255);
        }
        if (body.description) {
            CheckText(errors, "description", *body.description, 0, 10000);
        }
        if (body.visibility && !ParseVisibility(*body.visibility)) {
            errors.Add("visibility", "must be one of everyone, followers, only_me");
        }
        double moving = body.moving_s.value_or(body.elapsed_s);
        double distance = body.distance_m.value_or(0);
        if (start && errors.Empty()) {
            const std::int64_t now_us =
                std::chrono::duration_cast<std::chrono::microseconds>(deps.clock.Now().time_since_epoch()).count();
            CheckManualPlausibility(*formats::ParseSportName(body.sport), *start, now_us, body.elapsed_s, moving,
                                    distance, errors);
        }
        errors.ThrowIfAny();
        std::optional<double> speed;
        std::optional<double> pace;
        if (distance > 0 && moving > 0) {
            speed = distance / moving;
            pace = moving / (distance / 1000.0);
        }
        // The owner's defaults (visibility, hidden radius) and time zone (the default name).
        const accounts::ProfileFacts facts = co_await OwnerFacts(owner, {}, "user");
        Params p;
        p.Add(owner).Add(body.sport).Add(body.name).Add(body.description.value_or("")).Add(static_cast<double>(*start) / 1e6);
        p.Add(body.elapsed_s).Add(moving).Add(distance).Add(body.elevation_gain_m.value_or(0)).Add(body.calories_kcal);
        p.Add(body.perceived_exertion ? std::optional<std::int64_t>(*body.perceived_exertion) : std::nullopt);
        p.Add(body.visibility).Add(static_cast<std::int64_t>(RandomU64() >> 1)).Add(speed).Add(pace);
        p.Add(facts.default_visibility).Add(facts.hide_endpoints_m).Add(facts.time_zone);
        const TimeRange when{*start / 1000,
                             *start / 1000 + static_cast<std::int64_t>(std::llround(body.elapsed_s * 1000))};
        // Manual entries take their time like recorded ones: one athlete, one activity at a time.
        auto insert = [&](db::Transaction& tx) -> asio::awaitable<db::Result> {
            co_await tx.Query("SELECT pg_advisory_xact_lock(7301, $1::int)", Params::Of(owner % 2147483647));
            if (auto same = co_await FindSameWorkout(tx, owner, when, std::nullopt)) {
                std::string reason = "overlaps your activity " + std::to_string(*same) +
                                     "; one athlete cannot do two activities at once";
                throw Error(ErrorKind::kConflict, "start_time: " + reason, {{"start_time", reason}});
            }
            co_return co_await tx.Query(
                "INSERT INTO activities (owner_id, sport, name, description, start_time, end_time, manual, elapsed_s, "
                "moving_s, timer_s, distance_m, elevation_gain_m, calories_kcal, perceived_exertion, visibility, "
                "hide_endpoints_m, privacy_seed, avg_speed_mps, avg_pace_s_per_km) "
                "SELECT $1, $2, COALESCE($3, (SELECT CASE WHEN h < 5 THEN 'Night' WHEN h < 12 THEN 'Morning' "
                "WHEN h < 17 THEN 'Afternoon' WHEN h < 21 THEN 'Evening' ELSE 'Night' END FROM (SELECT extract(hour FROM "
                "to_timestamp($5::float8) AT TIME ZONE $18) AS h) hh) || ' ' || CASE WHEN $2 IN ('unknown', 'other') THEN 'Activity' ELSE initcap(replace($2, '_', ' ')) END), "
                "$4, to_timestamp($5::float8), to_timestamp($5::float8) + $6 * interval '1 second', true, $6, $7, $7, $8, "
                "$9, $10, $11, COALESCE($12, $16), $17, $13, $14, $15 RETURNING id",
                Params(p));  // a copy: the body may run again
        };
        db::Result r = co_await db::RunInTransaction<db::Result>(deps.pool, insert);
        std::string out = co_await LoadDetailJson(owner, r.Int(0, 0));
        Response resp = Response::Text(201, "application/json", std::move(out));
        resp.SetHeader("Location", "/v1/activities/" + std::to_string(r.Int(0, 0)));
        co_return resp;
    }

    asio::awaitable<Response> GetActivity(RequestPtr req) {
        std::int64_t id = req->PathId("activity_id", "activity");
        co_return Response::Text(200, "application/json", co_await LoadDetailJson(req->Caller().user_id, id));
    }

    /// The activity's id when the caller owns it; 404 otherwise (others may not learn it exists).
    asio::awaitable<std::int64_t> RequireOwned(const http::Request& req) {
        std::int64_t id = req.PathId("activity_id", "activity");
        db::Result r = co_await deps.pool.Query("SELECT owner_id FROM activities WHERE id = $1", Params::Of(id));
        app::RequireOwner(req.Caller(), app::Found(r.Empty() ? std::nullopt : r.OptInt(0, 0), "activity"), "activity");
        co_return id;
    }

    asio::awaitable<Response> PatchActivity(RequestPtr req) {
        const std::int64_t owner = req->Caller().user_id;
        std::int64_t id = co_await RequireOwned(*req);
        auto body = json::ReadBody<PatchActivityBody>(req->body);
        FieldErrors errors;
        errors.NotNull("name", body.name.present, body.name.value.has_value());
        errors.NotNull("description", body.description.present, body.description.value.has_value());
        errors.NotNull("sport", body.sport.present, body.sport.value.has_value());
        errors.NotNull("visibility", body.visibility.present, body.visibility.value.has_value());
        errors.NotNull("hidden_metrics", body.hidden_metrics.present, body.hidden_metrics.value.has_value());
        errors.NotNull("hide_endpoints_m", body.hide_endpoints_m.present, body.hide_endpoints_m.value.has_value());
        if (body.name.value) {
            CheckText(errors, "name", *body.name.value, 1, 255);
        }
        if (body.description.value) {
            CheckText(errors, "description", *body.description.value, 0, 10000);
        }
        if (body.sport.value) {
            if (auto problem = SportProblem(*body.sport.value)) {
                errors.Add("sport", *problem);
            }
        }
        if (body.visibility.value && !ParseVisibility(*body.visibility.value)) {
            errors.Add("visibility", "must be one of everyone, followers, only_me");
        }
        std::optional<std::string> metrics;
        if (body.hidden_metrics.value) {
            std::uint32_t bits = 0;
            for (const auto& name : *body.hidden_metrics.value) {
                if (auto m = ParseMetric(name)) {
                    bits |= *m;
                } else {
                    errors.Add("hidden_metrics", "must contain only heart_rate, power, pace, calories, start_time");
                    break;
                }
            }
            metrics = TextArrayText(MetricNames(bits));
        }
        if (body.hide_endpoints_m.value && (*body.hide_endpoints_m.value < 0 || *body.hide_endpoints_m.value > 1600)) {
            errors.Add("hide_endpoints_m", "must be between 0 and 1600");
        }
        if (body.perceived_exertion.value && (*body.perceived_exertion.value < 1 || *body.perceived_exertion.value > 10)) {
            errors.Add("perceived_exertion", "must be between 1 and 10");
        }
        errors.ThrowIfAny();

        // A new radius needs new discs, from the activity's real endpoints.
        std::optional<formats::Track> track;
        if (body.hide_endpoints_m.value) {
            track = co_await LoadTrack(id);
        }
        // What others are shown is measured again with the owner's profile when what hides samples changes.
        analytics::AthleteProfile profile;
        if (body.hide_endpoints_m.value || body.sport.value) {
            profile = co_await LoadProfile(owner);
        }
        co_await db::RunInTransaction<void>(deps.pool, [&](db::Transaction& tx) -> asio::awaitable<void> {
            if (body.sport.value) {
                // A manual entry's figures are the athlete's word: a 43 km "ride" in 30 minutes must
                // not become a run by changing its sport afterwards.
                db::Result m = co_await tx.Query(
                    "SELECT manual, distance_m, elapsed_s, moving_s FROM activities WHERE id = $1 FOR UPDATE",
                    Params::Of(id));
                if (!m.Empty() && m.Text(0, 0) == "t") {
                    if (auto problem = ManualSpeedProblem(*formats::ParseSportName(*body.sport.value), m.Double(0, 2),
                                                          m.Double(0, 3), m.Double(0, 1))) {
                        throw Error(ErrorKind::kInvalidArgument, "sport: " + *problem, {{"sport", *problem}});
                    }
                }
            }
            EndpointPlan plan;
            if (body.hide_endpoints_m.value) {
                db::Result seed = co_await tx.Query("SELECT privacy_seed FROM activities WHERE id = $1 FOR UPDATE", Params::Of(id));
                auto s = static_cast<std::uint64_t>(seed.Int(0, 0));
                // One owner's endpoint plans are made one at a time (the guard reads the others').
                co_await tx.Query("SELECT pg_advisory_xact_lock(7301, $1::int)", Params::Of(owner % 2147483647));
                plan = co_await PlanEndpoints(tx, owner, *body.hide_endpoints_m.value, track->lat_e7, track->lng_e7, s, id);
            }
            Params p;
            p.Add(id);
            p.Add(body.name.present).Add(body.name.value);
            p.Add(body.description.present).Add(body.description.value);
            p.Add(body.sport.present).Add(body.sport.value);
            p.Add(body.visibility.present).Add(body.visibility.value);
            p.Add(metrics.has_value()).Add(metrics);
            p.Add(body.hide_endpoints_m.present);
            p.Add(body.hide_endpoints_m.value ? std::optional<std::int64_t>(*body.hide_endpoints_m.value) : std::nullopt);
            p.Add(plan.start_disc).Add(plan.end_disc);
            p.Add(body.perceived_exertion.present);
            p.Add(body.perceived_exertion.value ? std::optional<std::int64_t>(*body.perceived_exertion.value) : std::nullopt);
            p.Add(plan.start_anchor).Add(plan.end_anchor).Add(plan.public_start).Add(plan.public_end).Add(plan.map_hidden);
            co_await tx.Query(
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
                "updated_at = now() WHERE id = $1",
                std::move(p));
            if (body.sport.value) {
                co_await tx.Query("UPDATE best_efforts SET sport = $2 WHERE activity_id = $1", Params::Of(id, *body.sport.value));
            }
            if (body.hide_endpoints_m.value || body.sport.value) {
                // New discs hide other samples; another sport measures the visible ones otherwise.
                co_await tx.Query("SELECT pg_advisory_xact_lock(7301, $1::int)", Params::Of(owner % 2147483647));
                std::vector<std::int64_t> ids(1, id);
                co_await RefreshPublicViews(tx, owner, std::move(ids), profile);
            }
        });
        co_return Response::Text(200, "application/json", co_await LoadDetailJson(owner, id));
    }

    asio::awaitable<Response> DeleteActivity(RequestPtr req) {
        std::int64_t id = co_await RequireOwned(*req);
        db::Result r = co_await deps.pool.Query(
            "WITH gone AS (DELETE FROM activities WHERE id = $1 RETURNING upload_id) "
            "SELECT up.original_key FROM gone JOIN uploads up ON up.id = gone.upload_id "
            "WHERE NOT EXISTS (SELECT 1 FROM activities o WHERE o.upload_id = gone.upload_id AND o.id <> $1)",
            Params::Of(id));
        if (!r.Empty()) {
            // The original goes with the last activity made from it; a failure here only leaves an
            // unreferenced object behind, never a dangling reference.
            std::string key = r.String(0, 0);
            try {
                auto work = [this, key]() {
                    deps.store.Delete(key);
                    return 0;
                };
                co_await OnCpu(work);
            } catch (const std::exception& e) {
                log::Warn("could not delete an original file", {{"key", key}, {"error", e.what()}});
            }
        }
        co_return Response::NoContent();
    }

    asio::awaitable<Response> ListFor(const http::Request& req, const accounts::ProfileFacts& owner) {
        const std::int64_t viewer = req.Caller().user_id;
        const std::int64_t owner_id = owner.user_id;
        FieldErrors errors;
        http::Page page;
        page.limit = http::ReadLimit(req, errors);
        std::optional<std::int64_t> before;
        std::optional<std::int64_t> after;
        if (auto b = req.QueryParam("before"); b && !(before = ParseTimestampMicros(*b))) {
            errors.Add("before", "must be an RFC 3339 time or Unix seconds");
        }
        if (auto a = req.QueryParam("after"); a && !(after = ParseTimestampMicros(*a))) {
            errors.Add("after", "must be an RFC 3339 time or Unix seconds");
        }
        auto sport = req.QueryParam("sport");
        if (sport) {
            if (auto problem = SportProblem(*sport)) {
                errors.Add("sport", *problem);
            }
        }
        // The cursor is the last row's (start time in µs, id); ids are positive.
        page.after = http::ReadCursor(req, 2, errors);
        if (page.after && (*page.after)[1] <= 0) {
            errors.Add("cursor", "is not a cursor this server gave out");
        }
        errors.ThrowIfAny();
        Params p;
        p.Add(viewer).Add(owner_id).Add(before).Add(after).Add(sport);
        p.Add(page.after ? std::optional((*page.after)[0]) : std::nullopt);
        p.Add(page.after ? std::optional((*page.after)[1]) : std::nullopt);
        p.Add(page.FetchCount());
        const bool follows_owner = co_await FollowsForList(viewer, owner_id);
        p.Add(owner.time_zone).Add(follows_owner);
        // The start's calendar day in the owner's time zone comes last (kColumnCount).
        db::Result r = co_await deps.pool.Query(
            "SELECT " + kActivityColumns + ", to_char(a.start_time AT TIME ZONE $9, 'YYYY-MM-DD') FROM activities a "
                "WHERE a.owner_id = $2 AND " + VisibleToViewerSql(1, 10) +
                " AND ($3::bigint IS NULL OR a.start_time < timestamptz 'epoch' + $3::bigint * interval '1 microsecond')"
                " AND ($4::bigint IS NULL OR a.start_time > timestamptz 'epoch' + $4::bigint * interval '1 microsecond')"
                " AND ($5::text IS NULL OR a.sport = $5)"
                " AND ($6::bigint IS NULL OR (a.start_time, a.id) < (timestamptz 'epoch' + $6::bigint * interval '1 microsecond', $7::bigint))"
                " ORDER BY a.start_time DESC, a.id DESC LIMIT $8",
            std::move(p));
        std::unordered_map<std::int64_t, std::vector<geo::Disc>> zones;
        if (owner_id != viewer) {
            std::vector<std::int64_t> owners(1, owner_id);
            zones = co_await LoadZones(std::move(owners));
        }
        const int rows = page.Shown(r.Rows());
        std::string out;
        out.reserve(512 + static_cast<std::size_t>(rows) * 1200);
        std::vector<std::pair<ActivityRow, View>> shown_rows;
        for (int i = 0; i < rows; ++i) {
            ActivityRow a = ReadRow(r, i, zones[owner_id]);
            auto view = Decide(viewer, a.audience, follows_owner);
            if (!view) {
                continue;  // the SQL filter and Decide agree; this keeps the function the only judge
            }
            shown_rows.emplace_back(std::move(a), std::move(*view));
        }
        std::vector<std::optional<boost::json::object>> shown = co_await SummariesShown(shown_rows);
        json::Writer w(out);
        w.BeginObject();
        w.Key("activities").BeginArray();
        for (std::size_t i = 0; i < shown_rows.size(); ++i) {
            w.BeginObject();
            const ActivityRow& a = shown_rows[i].first;
            WriteSummaryMembers(w, a, shown_rows[i].second, shown[i] ? &*shown[i] : nullptr,
                                OwnerShown{&owner, a.result->Text(a.row, kColumnCount)});
            w.EndObject();
        }
        w.EndArray();
        w.Key("next_cursor");
        std::optional<std::string> next;
        if (rows > 0) {
            const std::int64_t last[] = {r.Int(rows - 1, kStartMicros), r.Int(rows - 1, kId)};
            next = page.NextCursor(r.Rows(), last);
        }
        next ? w.String(*next) : w.Null();
        w.EndObject();
        co_return Response::Text(200, "application/json", std::move(out));
    }

    asio::awaitable<Response> ListMine(RequestPtr req) {
        const accounts::ProfileFacts me = co_await OwnerFacts(req->Caller().user_id, {}, "user");
        co_return co_await ListFor(*req, me);
    }

    asio::awaitable<Response> ListUser(RequestPtr req) {
        std::int64_t user_id = req->PathId("user_id", "user");
        const accounts::ProfileFacts owner = co_await OwnerFacts(user_id, {}, "user");
        co_return co_await ListFor(*req, owner);
    }

    asio::awaitable<Response> Streams(RequestPtr req) {
        std::int64_t id = req->PathId("activity_id", "activity");
        std::string out = co_await StreamsFor(req->Caller().user_id, id, req->QueryParam("keys").value_or(""),
                                              req->QueryParam("resolution").value_or("all"));
        co_return Response::Text(200, "application/json", std::move(out));
    }

    /// The streams document for the viewer; 400 naming a bad key or resolution, 404 when hidden.
    asio::awaitable<std::string> StreamsFor(std::int64_t viewer_id, std::int64_t id, std::string keys_text,
                                            std::string resolution) {
        std::string bad;
        auto keys = ParseStreamKeys(keys_text, bad);
        if (!keys) {
            throw InvalidField("keys", "unknown stream \"" + bad + "\"");
        }
        std::size_t max_points = 10000;
        if (resolution != "all") {
            auto points = ResolutionPoints(resolution);
            if (!points) {
                throw InvalidField("resolution", "must be low, medium or high");
            }
            max_points = *points;
        }
        Loaded l = co_await LoadVisible(viewer_id, id);
        formats::Track track = co_await LoadTrack(id);
        View view = *l.view;
        auto work = [&track, &view, &keys, &resolution, max_points]() {
            return StreamsJson(track, view, *keys, resolution, max_points);
        };
        co_return co_await OnCpu(work);
    }

    /// Parts of an activity's analysis as the caller is shown them, with what decides how.
    struct AnalysisView {
        View view;
        std::int64_t id = 0;
        /// The caller is another viewer not shown every sample, with a public view (public_view.hpp).
        bool public_view = false;
        /// Per key asked for, its JSON text ("[]" when there is none): from the public view when
        /// there is one and it has the key, else from the stored analysis.
        std::vector<std::string> parts;
        /// The whole stored analysis, when asked for without keys.
        boost::json::object analysis;
    };

    /// The whole stored analysis, for what no public view replaces (what has no samples to hide,
    /// or no index into them).
    asio::awaitable<AnalysisView> LoadAnalysis(const http::Request& req) {
        std::int64_t id = req.PathId("activity_id", "activity");
        Loaded l = co_await LoadVisible(req.Caller().user_id, id, ", a.analysis::text");
        AnalysisView out{*l.view, id, false, {}, {}};
        out.analysis = std::move(json::Parse(l.result.Text(0, kColumnCount), 64).as_object());
        co_return out;
    }

    /// Loads the parts `keys` (this file's constants) of an activity's analysis as the caller is
    /// shown them, as stored: nothing is parsed or measured again. Another viewer's public view is
    /// computed now (and stored) only when it was computed for other hidden areas (a zone changed
    /// under a crash, an activity older than public views).
    asio::awaitable<AnalysisView> LoadAnalysis(const http::Request& req, std::vector<std::string> keys) {
        std::int64_t id = req.PathId("activity_id", "activity");
        std::string extra = ", a.public_analysis IS NOT NULL";
        for (const auto& key : keys) {
            extra.append(", a.analysis -> '").append(key).append("', a.public_analysis -> '").append(key).append("'");
        }
        Loaded l = co_await LoadVisible(req.Caller().user_id, id, extra);
        AnalysisView out{*l.view, id, false, {}, {}};
        const ActivityRow row = l.Row();
        const bool others = NeedsPublicView(row, out.view);
        std::optional<boost::json::object> fresh;
        if (others && !PublicViewIsCurrent(row, out.view)) {
            std::vector<std::int64_t> ids(1, id);
            PublicViews views = co_await RefreshPublicViewsNow(row.Int(kOwnerId), std::move(ids));
            if (const auto& text = views[id].analysis) {
                fresh = std::move(json::Parse(*text, 64).as_object());
            }
            out.public_view = fresh.has_value();
        } else if (others) {
            out.public_view = l.result.Text(0, kColumnCount) == "t";
        }
        for (std::size_t k = 0; k < keys.size(); ++k) {
            const int stored_col = kColumnCount + 1 + 2 * static_cast<int>(k);
            std::optional<std::string> part;
            if (fresh) {
                if (const auto* v = fresh->if_contains(keys[k])) {
                    part = boost::json::serialize(*v);
                }
            } else if (others) {
                part = l.result.OptString(0, stored_col + 1);
            }
            if (!part) {
                part = l.result.OptString(0, stored_col);
            }
            out.parts.push_back(part.value_or("[]"));
        }
        co_return out;
    }

    static boost::json::array Field(boost::json::object& o, const char* key) {
        if (auto* v = o.if_contains(key); v && v->is_array()) {
            return v->as_array();
        }
        return {};
    }

    /// Laps or splits (a JSON array) with what the viewer may not see nulled; the text unchanged
    /// when they may see it all.
    static std::string Redacted(const std::string& intervals, const View& view) {
        if (!view.Hides(kHeartRate) && !view.Hides(kPower) && !view.Hides(kPace)) {
            return intervals;
        }
        boost::json::value v = json::Parse(intervals, 64);
        if (!v.is_array()) {
            return "[]";
        }
        RedactIntervals(v.as_array(), view);
        return boost::json::serialize(v);
    }

    asio::awaitable<Response> Laps(RequestPtr req) {
        // Named: GCC 12 cannot keep an initializer list alive across co_await.
        std::vector<std::string> keys{"laps"};
        AnalysisView a = co_await LoadAnalysis(*req, std::move(keys));
        co_return Response::Text(200, "application/json", "{\"laps\":" + Redacted(a.parts[0], a.view) + "}");
    }

    asio::awaitable<Response> Splits(RequestPtr req) {
        // Named: GCC 12 cannot keep an initializer list alive across co_await.
        std::vector<std::string> keys{"splits_km", "splits_mile"};
        AnalysisView a = co_await LoadAnalysis(*req, std::move(keys));
        co_return Response::Text(200, "application/json",
                                 "{\"splits_km\":" + Redacted(a.parts[0], a.view) +
                                     ",\"splits_mile\":" + Redacted(a.parts[1], a.view) + "}");
    }

    /// A pool swim's lengths (empty for anything else), with what the viewer may not see nulled.
    asio::awaitable<Response> Lengths(RequestPtr req) {
        AnalysisView a = co_await LoadAnalysis(*req);
        boost::json::object& analysis = a.analysis;
        auto lengths = Field(analysis, "lengths");
        if (a.view.Hides(kPace)) {
            for (auto& length : lengths) {
                length.as_object()["avg_speed_mps"] = nullptr;
            }
        }
        const auto* pool = analysis.if_contains("pool_length_m");
        const auto* unit = analysis.if_contains("pool_length_unit");
        co_return Response::Json(200,
                                 boost::json::object{{"pool_length_m", pool ? *pool : boost::json::value(nullptr)},
                                                     {"pool_length_unit", unit ? *unit : boost::json::value(nullptr)},
                                                     {"lengths", std::move(lengths)}});
    }

    asio::awaitable<Response> Zones(RequestPtr req) {
        // Named: GCC 12 cannot keep an initializer list alive across co_await.
        std::vector<std::string> keys{"heart_rate_zones", "power_zones"};
        AnalysisView a = co_await LoadAnalysis(*req, std::move(keys));
        co_return Response::Text(200, "application/json",
                                 std::string("{\"heart_rate\":") + (a.view.Hides(kHeartRate) ? "[]" : a.parts[0]) +
                                     ",\"power\":" + (a.view.Hides(kPower) ? "[]" : a.parts[1]) + "}");
    }

    asio::awaitable<Response> BestEfforts(RequestPtr req) {
        // Named: GCC 12 cannot keep an initializer list alive across co_await.
        std::vector<std::string> keys{"best_efforts"};
        AnalysisView a = co_await LoadAnalysis(*req, std::move(keys));
        boost::json::array efforts;
        // Another viewer not shown every sample sees the efforts wholly inside what they are shown
        // (all of them unless the start or end is hidden), indexed in their streams.
        std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::int64_t, std::int64_t>> shown;
        if (a.public_view) {
            const boost::json::value mapping = json::Parse(a.parts[0], 64);
            for (const auto& v : mapping.as_array()) {
                const auto& e = v.as_array();
                shown[{e.at(0).as_int64(), e.at(1).as_int64()}] = {e.at(2).as_int64(), e.at(3).as_int64()};
            }
        }
        if (!a.view.Hides(kPace)) {
            // Rank among the owner's efforts over the same distance in this sport up to this
            // activity: 1 is a PR at the time it was run.
            db::Result r = co_await deps.pool.Query(
                "SELECT e.name, e.distance_m, e.time_s, e.start_index, e.end_index, "
                "(SELECT count(*) FROM best_efforts o WHERE o.owner_id = e.owner_id AND o.sport = e.sport AND "
                "o.distance_m = e.distance_m AND o.time_s < e.time_s AND (o.start_time, o.activity_id) < "
                "(e.start_time, e.activity_id)) + 1 FROM best_efforts e WHERE e.activity_id = $1 ORDER BY e.distance_m",
                Params::Of(a.id));
            for (int i = 0; i < r.Rows(); ++i) {
                std::int64_t rank = r.Int(i, 5);
                std::pair<std::int64_t, std::int64_t> indexes{r.Int(i, 3), r.Int(i, 4)};
                if (a.public_view) {
                    auto it = shown.find(indexes);
                    if (it == shown.end()) {
                        continue;
                    }
                    indexes = it->second;
                }
                boost::json::object e{{"name", r.String(i, 0)},
                                      {"distance_m", r.Double(i, 1)},
                                      {"time_s", r.Double(i, 2)},
                                      {"start_index", indexes.first},
                                      {"end_index", indexes.second}};
                e["pr_rank"] = rank <= 3 ? boost::json::value(rank) : boost::json::value(nullptr);
                efforts.push_back(std::move(e));
            }
        }
        co_return Response::Json(200, boost::json::object{{"best_efforts", std::move(efforts)}});
    }

    asio::awaitable<Response> ExportGpxRoute(RequestPtr req) {
        std::int64_t id = req->PathId("activity_id", "activity");
        Loaded l = co_await LoadVisible(req->Caller().user_id, id);
        formats::Track track = co_await LoadTrack(id);
        if (track.empty() || !track.HasPositions() || l.view->map_hidden) {
            throw Error(ErrorKind::kNotFound, "this activity has no GPS track to export");
        }
        View view = *l.view;
        std::string name(l.result.Text(0, kName));
        std::string sport(l.result.Text(0, kSport));
        auto work = [&track, &view, &name, &sport]() { return ExportGpx(track, view, name, sport); };
        std::string gpx = co_await OnCpu(work);
        Response resp = Response::Text(200, "application/gpx+xml", std::move(gpx));
        resp.SetHeader("Content-Disposition", "attachment; filename=\"activity-" + std::to_string(id) + ".gpx\"");
        co_return resp;
    }

    asio::awaitable<Response> Original(RequestPtr req) {
        std::int64_t id = co_await RequireOwned(*req);
        db::Result r = co_await deps.pool.Query(
            "SELECT up.original_key, up.data_type FROM activities a JOIN uploads up ON up.id = a.upload_id WHERE a.id = $1",
            Params::Of(id));
        if (r.Empty()) {
            throw Error(ErrorKind::kNotFound, "this activity was not made from an uploaded file");
        }
        std::string key = r.String(0, 0);
        std::string filename = "activity-" + std::to_string(id) + "." + r.String(0, 1);
        auto work = [this, key, filename]() {
            return deps.store.SignedGetUrl(key, options.original_url_ttl, filename);
        };
        auto url = co_await OnCpu(work);
        Response resp;
        resp.status = 302;
        resp.SetHeader("Location", url.url);
        resp.SetHeader("Cache-Control", "no-store");
        co_return resp;
    }

    asio::awaitable<Response> Records(RequestPtr req) {
        db::Result r = co_await deps.pool.Query(
            "SELECT DISTINCT ON (sport, distance_m) sport, name, distance_m, time_s, activity_id, " +
                IsoColumn("start_time") +
                " FROM best_efforts WHERE owner_id = $1 ORDER BY sport, distance_m, time_s, start_time, activity_id",
            Params::Of(req->Caller().user_id));
        boost::json::array records;
        for (int i = 0; i < r.Rows(); ++i) {
            records.push_back(boost::json::object{{"sport", r.String(i, 0)},
                                                  {"name", r.String(i, 1)},
                                                  {"distance_m", r.Double(i, 2)},
                                                  {"time_s", r.Double(i, 3)},
                                                  {"activity_id", r.Int(i, 4)},
                                                  {"start_time", r.String(i, 5)}});
        }
        co_return Response::Json(200, boost::json::object{{"records", std::move(records)}});
    }

    asio::awaitable<Response> Stats(RequestPtr req) {
        std::int64_t user_id = req->PathId("user_id", "user");
        const accounts::ProfileFacts owner = co_await OwnerFacts(user_id, {}, "user");
        const bool follows_owner = co_await FollowsForList(req->Caller().user_id, user_id);
        // Totals over what the caller may see of the athlete's activities: another viewer adds up the
        // figures they are shown of each (public_view.hpp; all of an activity whose map the guard
        // withheld: they get all its samples), so no total measures a hidden end either.
        auto shown = [](const char* column) {
            return std::string("sum(CASE WHEN a.owner_id = $1 OR a.map_hidden THEN a.") + column +
                   " ELSE COALESCE((a.public_summary ->> '" + column + "')::float8, a." + column + ") END)";
        };
        db::Result r = co_await deps.pool.Query(
            "SELECT a.sport, b.bucket, count(*), " + shown("distance_m") + ", " + shown("moving_s") + ", " +
                shown("elapsed_s") + ", " + shown("elevation_gain_m") +
                " FROM activities a "
                "CROSS JOIN LATERAL (VALUES ('all'), ('recent'), ('ytd')) b(bucket) WHERE a.owner_id = $2 AND " +
                VisibleToViewerSql(1, 4) +
                " AND (b.bucket = 'all' OR (b.bucket = 'recent' AND a.start_time >= now() - interval '28 days') OR "
                "(b.bucket = 'ytd' AND a.start_time >= (date_trunc('year', now() AT TIME ZONE $3) AT TIME ZONE "
                "$3))) GROUP BY a.sport, b.bucket ORDER BY a.sport",
            Params::Of(req->Caller().user_id, user_id, owner.time_zone, follows_owner));
        boost::json::object buckets{{"recent", boost::json::object{}}, {"ytd", boost::json::object{}}, {"all", boost::json::object{}}};
        for (int i = 0; i < r.Rows(); ++i) {
            buckets[r.String(i, 1)].as_object()[r.String(i, 0)] = boost::json::object{{"count", r.Int(i, 2)},
                                                                                      {"distance_m", r.Double(i, 3)},
                                                                                      {"moving_s", r.Double(i, 4)},
                                                                                      {"elapsed_s", r.Double(i, 5)},
                                                                                      {"elevation_gain_m", r.Double(i, 6)}};
        }
        co_return Response::Json(200, buckets);
    }

    static boost::json::object ZoneJson(const db::Result& r, int i) {
        return boost::json::object{{"id", r.Int(i, 0)}, {"lat", r.Double(i, 1)}, {"lng", r.Double(i, 2)}, {"radius_m", r.Double(i, 3)}};
    }

    asio::awaitable<Response> ListPrivacyZones(RequestPtr req) {
        db::Result r = co_await deps.pool.Query(
            "SELECT id, lat, lng, radius_m FROM privacy_zones WHERE owner_id = $1 ORDER BY id", Params::Of(req->Caller().user_id));
        boost::json::array zones;
        for (int i = 0; i < r.Rows(); ++i) {
            zones.push_back(ZoneJson(r, i));
        }
        co_return Response::Json(200, boost::json::object{{"zones", std::move(zones)}});
    }

    asio::awaitable<Response> CreatePrivacyZone(RequestPtr req) {
        auto body = json::ReadBody<PrivacyZoneBody>(req->body);
        FieldErrors errors;
        if (!std::isfinite(body.lat) || body.lat < -90 || body.lat > 90) {
            errors.Add("lat", "must be between -90 and 90");
        }
        if (!std::isfinite(body.lng) || body.lng < -180 || body.lng > 180) {
            errors.Add("lng", "must be between -180 and 180");
        }
        if (!std::isfinite(body.radius_m) || body.radius_m < 100 || body.radius_m > 5000) {
            errors.Add("radius_m", "must be between 100 and 5000");
        }
        errors.ThrowIfAny();
        const std::int64_t owner = req->Caller().user_id;
        const analytics::AthleteProfile profile = co_await LoadProfile(owner);
        // With what others are shown of every activity it changes (public_view.hpp), at once.
        auto insert = [&](db::Transaction& tx) -> asio::awaitable<db::Result> {
            co_await tx.Query("SELECT pg_advisory_xact_lock(7301, $1::int)", Params::Of(owner % 2147483647));
            db::Result inserted = co_await tx.Query(
                "INSERT INTO privacy_zones (owner_id, lat, lng, radius_m) SELECT $1, $2, $3, $4 "
                "WHERE (SELECT count(*) FROM privacy_zones WHERE owner_id = $1) < $5 RETURNING id, lat, lng, radius_m",
                Params::Of(owner, body.lat, body.lng, body.radius_m, kMaxPrivacyZones));
            if (!inserted.Empty()) {
                std::vector<std::int64_t> ids = co_await WithStreams(tx, owner);
                co_await RefreshPublicViews(tx, owner, std::move(ids), profile);
            }
            co_return inserted;
        };
        db::Result r = co_await db::RunInTransaction<db::Result>(deps.pool, insert);
        if (r.Empty()) {
            throw Error(ErrorKind::kConflict, "at most " + std::to_string(kMaxPrivacyZones) + " privacy zones");
        }
        co_return Response::Json(201, ZoneJson(r, 0));
    }

    // --- ActivityReader: what other features read, through the privacy function ----------------
    asio::awaitable<std::vector<VisibleSummary>> Summaries(std::int64_t viewer_id,
                                                          std::vector<std::int64_t> activity_ids) override {
        std::vector<VisibleSummary> out;
        if (activity_ids.empty()) {
            co_return out;
        }
        db::Result r = co_await deps.pool.Query("SELECT " + kActivityColumns +
                                                    " FROM activities a WHERE a.id = ANY($1::bigint[])",
                                                Params::Of(Int64ArrayText(activity_ids)));
        std::vector<std::int64_t> owners;
        std::vector<std::int64_t> starts;
        for (int i = 0; i < r.Rows(); ++i) {
            owners.push_back(r.Int(i, kOwnerId));
            starts.push_back(r.Int(i, kStartMicros));
        }
        auto zones = co_await LoadZones(owners);
        std::vector<accounts::ProfileFacts> facts = co_await deps.profiles.Find(owners, starts);
        std::unordered_map<std::int64_t, const accounts::ProfileFacts*> facts_of;
        for (const auto& f : facts) {
            facts_of[f.user_id] = &f;
        }
        std::vector<std::pair<ActivityRow, View>> rows;
        std::vector<int> row_index;  // of r, per entry of rows
        for (int i = 0; i < r.Rows(); ++i) {
            const std::int64_t owner = r.Int(i, kOwnerId);
            if (!facts_of.contains(owner)) {
                continue;  // its owner is being deleted
            }
            ActivityRow a = ReadRow(r, i, owner == viewer_id ? std::vector<geo::Disc>() : zones[owner]);
            const bool follows_owner = co_await FollowsOwner(viewer_id, owner, a.audience.visibility);
            if (auto view = Decide(viewer_id, a.audience, follows_owner)) {
                rows.emplace_back(std::move(a), std::move(*view));
                row_index.push_back(i);
            }
        }
        std::vector<std::optional<boost::json::object>> shown = co_await SummariesShown(rows);
        std::unordered_map<std::int64_t, VisibleSummary> by_id;
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const ActivityRow& a = rows[k].first;
            const accounts::ProfileFacts& owner = *facts_of.at(a.Int(kOwnerId));
            VisibleSummary summary{a.Int(kId), a.Int(kOwnerId), std::string(a.Text(kSport)), {}};
            json::Writer w(summary.json);
            w.BeginObject();
            WriteSummaryMembers(w, a, rows[k].second, shown[k] ? &*shown[k] : nullptr,
                                OwnerShown{&owner, owner.local_dates.at(static_cast<std::size_t>(row_index[k]))});
            w.EndObject();
            by_id.emplace(summary.id, std::move(summary));
        }
        for (std::int64_t id : activity_ids) {
            if (auto it = by_id.find(id); it != by_id.end()) {
                out.push_back(std::move(it->second));
                by_id.erase(it);
            }
        }
        co_return out;
    }

    asio::awaitable<std::optional<std::string>> Polyline(std::int64_t viewer_id, std::int64_t activity_id) override {
        std::optional<std::string> out;
        try {
            Loaded l = co_await LoadVisible(viewer_id, activity_id, ", a.polyline");
            out = l.result.IsNull(0, kColumnCount) ? std::string() : MaskPolyline(*l.view, l.result.Text(0, kColumnCount));
        } catch (const Error& e) {
            if (e.Kind() != ErrorKind::kNotFound) {
                throw;
            }
        }
        co_return out;
    }

    asio::awaitable<std::optional<std::string>> Streams(std::int64_t viewer_id, std::int64_t activity_id,
                                                        std::string keys, std::string resolution) override {
        std::optional<std::string> out;
        try {
            out = co_await StreamsFor(viewer_id, activity_id, std::move(keys), std::move(resolution));
        } catch (const Error& e) {
            if (e.Kind() != ErrorKind::kNotFound) {
                throw;
            }
        }
        co_return out;
    }

    asio::awaitable<Response> DeletePrivacyZone(RequestPtr req) {
        std::int64_t id = req->PathId("zone_id", "privacy zone");
        const std::int64_t owner = req->Caller().user_id;
        const analytics::AthleteProfile profile = co_await LoadProfile(owner);
        auto remove = [&](db::Transaction& tx) -> asio::awaitable<db::Result> {
            co_await tx.Query("SELECT pg_advisory_xact_lock(7301, $1::int)", Params::Of(owner % 2147483647));
            db::Result removed = co_await tx.Query(
                "DELETE FROM privacy_zones WHERE id = $1 AND owner_id = $2 RETURNING id", Params::Of(id, owner));
            if (!removed.Empty()) {
                std::vector<std::int64_t> ids = co_await WithStreams(tx, owner);
                co_await RefreshPublicViews(tx, owner, std::move(ids), profile);
            }
            co_return removed;
        };
        db::Result r = co_await db::RunInTransaction<db::Result>(deps.pool, remove);
        if (r.Empty()) {
            throw NotFound("privacy zone");
        }
        co_return Response::NoContent();
    }
};

Module::Module(Deps deps, Options options) : impl_(std::make_unique<Impl>(deps, options)) {}
Module::~Module() = default;

ActivityReader& Module::Reader() { return *impl_; }

storage::ObjectReferences& Module::OriginalReferences() { return *impl_; }

asio::awaitable<std::optional<VisibleSummary>> ActivityReader::Summary(std::int64_t viewer_id,
                                                                      std::int64_t activity_id) {
    std::vector<std::int64_t> ids(1, activity_id);
    std::vector<VisibleSummary> found = co_await Summaries(viewer_id, std::move(ids));
    if (found.empty()) {
        co_return std::nullopt;
    }
    co_return std::move(found.front());
}

asio::awaitable<UploadStatus> Module::ImportAndWait(std::int64_t owner_id, std::string bytes, UploadFields fields) {
    std::int64_t id = co_await impl_->AcceptUpload(owner_id, bytes, std::move(fields));
    db::Result r = co_await impl_->LoadUpload(owner_id, id);
    co_return StatusOf(r);
}

asio::awaitable<int> Module::ResumePendingUploads() {
    db::Result r = co_await impl_->deps.pool.Query("SELECT id FROM uploads WHERE status = 'processing' ORDER BY id");
    for (int i = 0; i < r.Rows(); ++i) {
        co_await impl_->ProcessLogged(r.Int(i, 0));
    }
    // Activities stored before their public views existed, or by an older computation of them:
    // until then another viewer's request computes theirs itself.
    db::Result stale = co_await impl_->deps.pool.Query(
        "SELECT a.owner_id, array_agg(a.id ORDER BY a.id)::text FROM activities a JOIN activity_streams s ON "
        "s.activity_id = a.id WHERE a.public_areas IS NULL OR NOT starts_with(a.public_areas, $1) GROUP BY a.owner_id",
        Params::Of(std::string(kPublicViewVersion)));
    for (int i = 0; i < stale.Rows(); ++i) {
        std::vector<std::int64_t> ids = ParseInt64Array(stale.Text(i, 1));
        co_await impl_->RefreshPublicViewsNow(stale.Int(i, 0), std::move(ids));
    }
    co_return r.Rows();
}

asio::awaitable<int> Module::PurgeDeletedOriginals() {
    Impl& impl = *impl_;
    db::Result r = co_await impl.deps.pool.Query(
        "SELECT key, EXISTS (SELECT 1 FROM uploads u WHERE u.original_key = d.key) FROM object_deletions d "
        "ORDER BY requested_at LIMIT 1000");
    int removed = 0;
    for (int i = 0; i < r.Rows(); ++i) {
        std::string key = r.String(i, 0);
        if (r.Text(i, 1) != "t") {  // the same file uploaded again since is still referenced
            auto work = [&impl, &key]() {
                impl.deps.store.Delete(key);
                return 0;
            };
            co_await impl.OnCpu(work);
            ++removed;
        }
        co_await impl.deps.pool.Query("DELETE FROM object_deletions WHERE key = $1", Params::Of(key));
    }
    co_return removed;
}

namespace {

asio::awaitable<void> ResumeAndReport(Module* module) {
    if (int resumed = co_await module->ResumePendingUploads(); resumed > 0) {
        log::Info("unfinished uploads processed", {{"count", resumed}});
    }
}

asio::awaitable<void> PurgeAndReport(Module* module) {
    if (int removed = co_await module->PurgeDeletedOriginals(); removed > 0) {
        log::Info("deleted originals removed from storage", {{"count", removed}});
    }
}

}  // namespace

void Module::Register(app::Registry& registry) {
    using http::AuthPolicy;
    using http::Body;
    using http::Method;
    using Member = asio::awaitable<Response> (Impl::*)(RequestPtr);
    auto bind = [impl = impl_.get()](Member member) -> http::Handler {
        return [impl, member](RequestPtr r) { return (impl->*member)(std::move(r)); };
    };
    // A file as the raw body, or multipart/form-data the handler parses (ParseUploadRequest); the
    // limit leaves room for the multipart framing around the largest file.
    const Body upload = Body::Raw(impl_->options.max_upload_bytes + 64 * 1024);
    const http::Route routes[] = {
        {.method = Method::kPost, .path = "/v1/uploads", .summary = "Upload a GPX, TCX or FIT file", .auth = AuthPolicy::kUser, .body = upload, .idempotent = true, .handler = bind(&Impl::PostUpload)},
        {.method = Method::kGet, .path = "/v1/uploads/{upload_id}", .summary = "An upload's processing status", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::GetUpload)},
        {.method = Method::kPost, .path = "/v1/activities", .summary = "Create a manual activity", .auth = AuthPolicy::kUser, .body = Body::Json(), .idempotent = true, .handler = bind(&Impl::PostManual)},
        {.method = Method::kGet, .path = "/v1/activities/{activity_id}", .summary = "An activity", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::GetActivity)},
        {.method = Method::kPatch, .path = "/v1/activities/{activity_id}", .summary = "Edit an activity", .auth = AuthPolicy::kUser, .body = Body::Json(), .handler = bind(&Impl::PatchActivity)},
        {.method = Method::kDelete, .path = "/v1/activities/{activity_id}", .summary = "Delete an activity", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::DeleteActivity)},
        {.method = Method::kGet, .path = "/v1/athlete/activities", .summary = "The caller's activities", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::ListMine)},
        {.method = Method::kGet, .path = "/v1/users/{user_id}/activities", .summary = "A user's activities", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::ListUser)},
        {.method = Method::kGet, .path = "/v1/activities/{activity_id}/streams", .summary = "An activity's streams", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::Streams)},
        {.method = Method::kGet, .path = "/v1/activities/{activity_id}/laps", .summary = "An activity's laps", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::Laps)},
        {.method = Method::kGet, .path = "/v1/activities/{activity_id}/splits", .summary = "An activity's splits", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::Splits)},
        {.method = Method::kGet, .path = "/v1/activities/{activity_id}/lengths", .summary = "A pool swim's lengths", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::Lengths)},
        {.method = Method::kGet, .path = "/v1/activities/{activity_id}/zones", .summary = "Time in heart-rate and power zones", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::Zones)},
        {.method = Method::kGet, .path = "/v1/activities/{activity_id}/best-efforts", .summary = "An activity's best efforts", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::BestEfforts)},
        {.method = Method::kGet, .path = "/v1/activities/{activity_id}/export.gpx", .summary = "Export an activity as GPX", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::ExportGpxRoute)},
        {.method = Method::kGet, .path = "/v1/activities/{activity_id}/original", .summary = "Download the original file", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::Original)},
        {.method = Method::kGet, .path = "/v1/me/records", .summary = "The caller's personal records", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::Records)},
        {.method = Method::kGet, .path = "/v1/users/{user_id}/stats", .summary = "A user's activity totals", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::Stats)},
        {.method = Method::kGet, .path = "/v1/me/privacy-zones", .summary = "The caller's privacy zones", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::ListPrivacyZones)},
        {.method = Method::kPost, .path = "/v1/me/privacy-zones", .summary = "Add a privacy zone", .auth = AuthPolicy::kUser, .body = Body::Json(), .handler = bind(&Impl::CreatePrivacyZone)},
        {.method = Method::kDelete, .path = "/v1/me/privacy-zones/{zone_id}", .summary = "Remove a privacy zone", .auth = AuthPolicy::kUser, .body = Body::None(), .handler = bind(&Impl::DeletePrivacyZone)},
    };
    for (const auto& route : routes) {
        registry.Route(route);
    }
    registry.AtStart("activities.resume-uploads", [this] { return ResumeAndReport(this); });
    registry.Recurring("activities.purge-deleted-originals", std::chrono::minutes(1),
                       [this] { return PurgeAndReport(this); });
}

}  // namespace strava1::activities
