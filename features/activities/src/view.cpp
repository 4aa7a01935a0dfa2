#include "view.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <numbers>
#include <utility>

#include "strava1/geo/polyline.hpp"

namespace strava1::activities {
namespace {

// geo sits below formats and repeats its "no position" marker; the masks read formats' tracks.
static_assert(geo::kNoPositionE7 == formats::kNoPosition);

constexpr std::array<std::pair<std::string_view, Metric>, 5> kMetricNames{{
    {"heart_rate", kHeartRate},
    {"power", kPower},
    {"pace", kPace},
    {"calories", kCalories},
    {"start_time", kStartTime},
}};

}  // namespace

std::optional<Visibility> ParseVisibility(std::string_view name) noexcept {
    if (name == "everyone") {
        return Visibility::kEveryone;
    }
    if (name == "followers") {
        return Visibility::kFollowers;
    }
    if (name == "only_me") {
        return Visibility::kOnlyMe;
    }
    return std::nullopt;
}

const char* VisibilityName(Visibility v) noexcept {
    switch (v) {
        case Visibility::kEveryone:
            return "everyone";
        case Visibility::kFollowers:
            return "followers";
        case Visibility::kOnlyMe:
            return "only_me";
    }
    return "only_me";
}

std::optional<Relation> ParseRelation(std::string_view name) noexcept {
    if (name == "stranger") {
        return Relation::kStranger;
    }
    if (name == "follower") {
        return Relation::kFollower;
    }
    return std::nullopt;
}

std::optional<Metric> ParseMetric(std::string_view name) noexcept {
    for (const auto& [n, m] : kMetricNames) {
        if (n == name) {
            return m;
        }
    }
    return std::nullopt;
}

std::vector<std::string> MetricNames(std::uint32_t bits) {
    std::vector<std::string> out;
    for (const auto& [n, m] : kMetricNames) {
        if ((bits & m) != 0) {
            out.emplace_back(n);
        }
    }
    return out;
}

std::optional<View> Decide(std::int64_t viewer_id, const Audience& audience, bool follows_owner) {
    View view;
    if (viewer_id == audience.owner_id) {
        view.owner = true;
        return view;
    }
    switch (audience.visibility) {
        case Visibility::kEveryone:
            break;
        case Visibility::kFollowers:
            if (!follows_owner) {
                return std::nullopt;
            }
            break;
        case Visibility::kOnlyMe:
            return std::nullopt;
    }
    view.hidden_metrics = audience.hidden_metrics;
    view.hidden_areas = audience.hidden_areas;
    view.map_hidden = audience.map_hidden;
    return view;
}

std::string VisibleToViewerSql(int viewer_param, int follows_param) {
    std::string viewer = "$" + std::to_string(viewer_param);
    std::string follows = "$" + std::to_string(follows_param) + "::boolean";
    return "(a.owner_id = " + viewer + " OR a.visibility = 'everyone' OR (a.visibility = 'followers' AND " + follows +
           "))";
}

std::string VisibleToViewerAmongSql(int viewer_param, int followed_param) {
    std::string viewer = "$" + std::to_string(viewer_param);
    std::string followed = "$" + std::to_string(followed_param) + "::bigint[]";
    return "(a.owner_id = " + viewer +
           " OR a.visibility = 'everyone' OR (a.visibility = 'followers' AND a.owner_id = ANY(" + followed + ")))";
}

std::vector<std::uint8_t> VisibleSamples(const View& view, const formats::Track& track) {
    if (!view.MasksPositions() || view.map_hidden) {
        return std::vector<std::uint8_t>(track.size(), 1);
    }
    if (!track.HasPositions()) {
        // No positions means nothing to locate; the start/end trim still needs positions to
        // anchor on, so without them every sample is shown.
        return std::vector<std::uint8_t>(track.size(), 1);
    }
    return geo::VisibleMask(track.lat_e7, track.lng_e7, view.hidden_areas);
}

namespace {

/// Whether the segment a-b comes within a disc, on the plane tangent at the disc's centre (zones
/// are at most a few kilometres across, where the plane is exact to well under a metre).
bool SegmentMeetsDisc(const geo::LatLng& a, const geo::LatLng& b, const geo::Disc& disc) {
    constexpr double kMetresPerDegree = 111'320.0;
    const double cos_lat = std::cos(disc.centre.lat_deg * std::numbers::pi / 180.0);
    const double ax = (a.lng_deg - disc.centre.lng_deg) * kMetresPerDegree * cos_lat;
    const double ay = (a.lat_deg - disc.centre.lat_deg) * kMetresPerDegree;
    const double bx = (b.lng_deg - disc.centre.lng_deg) * kMetresPerDegree * cos_lat;
    const double by = (b.lat_deg - disc.centre.lat_deg) * kMetresPerDegree;
    const double dx = bx - ax;
    const double dy = by - ay;
    const double length2 = dx * dx + dy * dy;
    const double t = length2 > 0 ? std::clamp(-(ax * dx + ay * dy) / length2, 0.0, 1.0) : 0.0;
    const double px = ax + t * dx;
    const double py = ay + t * dy;
    return px * px + py * py <= disc.radius_m * disc.radius_m;
}

}  // namespace

MaskedPolyline MaskPolylineRuns(const View& view, std::string_view encoded) {
    if (view.map_hidden) {
        return {};
    }
    if (!view.MasksPositions() || encoded.empty()) {
        return {std::string(encoded), {}};
    }
    auto points = geo::DecodePolyline(encoded);
    if (!points) {
        return {};
    }
    std::vector<std::int32_t> lat(points->size());
    std::vector<std::int32_t> lng(points->size());
    for (std::size_t i = 0; i < points->size(); ++i) {
        lat[i] = formats::DegreesToE7((*points)[i].lat_deg);
        lng[i] = formats::DegreesToE7((*points)[i].lng_deg);
    }
    auto mask = geo::VisibleMask(lat, lng, view.hidden_areas);
    MaskedPolyline out;
    std::vector<geo::LatLng> kept;
    kept.reserve(points->size());
    std::size_t previous = 0;
    for (std::size_t i = 0; i < points->size(); ++i) {
        if (mask[i] == 0) {
            continue;
        }
        if (!kept.empty()) {
            bool cut = i != previous + 1;
            for (std::size_t disc_idx = 0; !cut && disc_idx < view.hidden_areas.size(); ++disc_idx) {
                const geo::Disc& disc = view.hidden_areas[disc_idx];
                cut = disc.radius_m > 0 && SegmentMeetsDisc(kept.back(), (*points)[i], disc);
            }
            if (cut) {
                out.breaks.push_back(kept.size());
            }
        }
        kept.push_back((*points)[i]);
        previous = i;
    }
    if (kept.empty()) {
        return {};
    }
    out.encoded = geo::EncodePolyline(kept);
    return out;
}

std::string MaskPolyline(const View& view, std::string_view encoded) { return MaskPolylineRuns(view, encoded).encoded; }

std::optional<std::vector<double>> ParseFloatArray(std::string_view s, std::size_t count) {
    if (s.size() < 2 || s.front() != '{' || s.back() != '}') {
        return std::nullopt;
    }
    s = s.substr(1, s.size() - 2);
    std::vector<double> out;
    while (out.size() < count) {
        std::size_t comma = s.find(',');
        std::string_view item = s.substr(0, comma);
        double v = 0;
        auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (ec != std::errc() || ptr != item.data() + item.size()) {
            return std::nullopt;
        }
        out.push_back(v);
        if ((out.size() < count) == (comma == std::string_view::npos)) {
            return std::nullopt;  // too few, or too many, elements
        }
        s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    }
    return out;
}

std::string FloatArrayText(std::initializer_list<double> values) {
    std::string out = "{";
    char buf[32];
    for (double v : values) {
        if (out.size() > 1) {
            out.push_back(',');
        }
        out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    }
    out.push_back('}');
    return out;
}

std::optional<geo::Disc> ParseDiscArray(std::string_view s) {
    auto v = ParseFloatArray(s, 3);
    if (!v) {
        return std::nullopt;
    }
    return geo::Disc{geo::LatLng{(*v)[0], (*v)[1]}, (*v)[2]};
}

std::string DiscArrayText(const geo::Disc& d) {
    return FloatArrayText({d.centre.lat_deg, d.centre.lng_deg, d.radius_m});
}

std::optional<geo::LatLng> ParsePointArray(std::string_view s) {
    auto v = ParseFloatArray(s, 2);
    if (!v) {
        return std::nullopt;
    }
    return geo::LatLng{(*v)[0], (*v)[1]};
}

std::string PointArrayText(const geo::LatLng& p) { return FloatArrayText({p.lat_deg, p.lng_deg}); }

std::vector<std::string> ParseTextArray(std::string_view s) {
    std::vector<std::string> out;
    if (s.size() < 2 || s.front() != '{' || s.back() != '}') {
        return out;
    }
    s = s.substr(1, s.size() - 2);
    while (!s.empty()) {
        std::size_t comma = s.find(',');
        std::string_view item = s.substr(0, comma);
        if (item.size() >= 2 && item.front() == '"') {
            item = item.substr(1, item.size() - 2);
        }
        out.emplace_back(item);
        if (comma == std::string_view::npos) {
            break;
        }
        s = s.substr(comma + 1);
    }
    return out;
}

}  // namespace strava1::activities
