#pragma once

// The privacy function: every output of an activity (this feature's endpoints and, later, feeds,
// chat previews, live views, leaderboards and exports) asks Decide() what a viewer may see and
// passes its View to the writers below. Nothing else reads positions or metrics for output.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/formats/activity.hpp"
#include "strava1/geo/privacy.hpp"

namespace strava1::activities {

enum class Visibility : std::uint8_t { kEveryone, kFollowers, kOnlyMe };
std::optional<Visibility> ParseVisibility(std::string_view name) noexcept;
const char* VisibilityName(Visibility v) noexcept;

/// Whom an owner previews their activity as ("what others see"): a signed-in viewer who does not
/// follow them, or an accepted follower. The preview asks Decide() as that viewer would.
enum class Relation : std::uint8_t { kStranger, kFollower };
/// "stranger", "follower".
std::optional<Relation> ParseRelation(std::string_view name) noexcept;

/// Metrics an owner can hide from others, as bits.
enum Metric : std::uint32_t {
    kHeartRate = 1u << 0,
    kPower = 1u << 1,
    kPace = 1u << 2,  ///< speed and pace: streams, splits, best efforts, averages
    kCalories = 1u << 3,
    kStartTime = 1u << 4,  ///< time of day (the date stays)
};
inline constexpr std::uint32_t kAllMetrics = kHeartRate | kPower | kPace | kCalories | kStartTime;
/// "heart_rate", "power", "pace", "calories", "start_time".
std::optional<Metric> ParseMetric(std::string_view name) noexcept;
std::vector<std::string> MetricNames(std::uint32_t bits);

/// What decides who sees what of one activity.
struct Audience {
    std::int64_t owner_id = 0;
    Visibility visibility = Visibility::kEveryone;
    std::uint32_t hidden_metrics = 0;
    /// Hidden start/end discs and the owner's privacy zones.
    std::vector<geo::Disc> hidden_areas;
    /// The privacy guard withheld every position from others (privacy_guard.hpp).
    bool map_hidden = false;
};

/// What one viewer may see of a visible activity.
struct View {
    bool owner = false;
    std::uint32_t hidden_metrics = 0;     ///< always 0 for the owner
    std::vector<geo::Disc> hidden_areas;  ///< always empty for the owner
    bool map_hidden = false;              ///< no position at all (always false for the owner)

    bool Hides(Metric m) const noexcept { return (hidden_metrics & m) != 0; }
    bool MasksPositions() const noexcept { return !hidden_areas.empty() || map_hidden; }
};

/// The decision. nullopt: the viewer may not see the activity at all (answer 404, as for a missing
/// one). `follows_owner`: the viewer is an accepted follower of the owner.
std::optional<View> Decide(std::int64_t viewer_id, const Audience& audience, bool follows_owner);

/// An SQL condition, true exactly for the activities (table alias `a`) that Decide would let the
/// viewer whose id is parameter $`viewer_param` see (lists, stats), when boolean parameter
/// $`follows_param` says whether that viewer follows the owner (FollowGraph; lists and stats are of
/// one owner's activities).
std::string VisibleToViewerSql(int viewer_param, int follows_param);
/// The same condition over many owners' activities: bigint[] parameter $`followed_param` lists the
/// owners the viewer follows.
std::string VisibleToViewerAmongSql(int viewer_param, int followed_param);

/// Per sample of `track`: 1 when the viewer may see it. All ones for the owner. With the map
/// hidden every sample stays (heart rate, pace... are not places) and the caller drops positions.
std::vector<std::uint8_t> VisibleSamples(const View& view, const formats::Track& track);

/// An encoded polyline with the points in hidden areas removed (unchanged for the owner). Empty
/// when nothing remains.
std::string MaskPolyline(const View& view, std::string_view encoded);

/// MaskPolyline's points and where its line must break: the indexes (into the kept points,
/// ascending) of the points that begin a run after removed points, or whose segment from the
/// previous kept point passes through a hidden area (a simplified polyline may have no vertex
/// inside a zone its route crosses). Drawn joined, the line would cross the hidden area.
struct MaskedPolyline {
    std::string encoded;
    std::vector<std::size_t> breaks;
};
MaskedPolyline MaskPolylineRuns(const View& view, std::string_view encoded);

/// Exactly `count` numbers from a PostgreSQL double precision[] text value ("{1.5,-2}"), or nullopt.
std::optional<std::vector<double>> ParseFloatArray(std::string_view pg_array, std::size_t count);
/// The text form ParseFloatArray reads, shortest round-trip digits.
std::string FloatArrayText(std::initializer_list<double> values);
/// `{lat,lng,radius}` and `{lat,lng}`.
std::optional<geo::Disc> ParseDiscArray(std::string_view pg_array);
std::string DiscArrayText(const geo::Disc& disc);
std::optional<geo::LatLng> ParsePointArray(std::string_view pg_array);
std::string PointArrayText(const geo::LatLng& point);
/// Elements of a PostgreSQL text[] value in text form ({a,b,"c d"}); names are plain words here.
std::vector<std::string> ParseTextArray(std::string_view pg_array);

}  // namespace strava1::activities
