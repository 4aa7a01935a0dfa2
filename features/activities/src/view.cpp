#include "view.hpp"

#include <array>
#include <charconv>
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

std::string MaskPolyline(const View& view, std::string_view encoded) {
    if (view.map_hidden) {
        return {};
    }
    if (!view.MasksPositions() || encoded.empty()) {
        return std::string(encoded);
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
    std::vector<geo::LatLng> kept;
    kept.reserve(points->size());
    for (std::size_t i = 0; i < points->size(); ++i) {
        if (mask[i] != 0) {
            kept.push_back((*points)[i]);
        }
    }
    return kept.empty() ? std::string() : geo::EncodePolyline(kept);
}

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
