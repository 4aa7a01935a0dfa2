#include "rebase.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>

#include "pipeline.hpp"
#include "strava1/analytics/analysis.hpp"

namespace strava1::activities {
namespace {

/// Samples [first, last] of `track` as a track of their own, without positions: the distance
/// channel (the stored analysis distance) is then what the analysis measures, so the viewer's
/// splits agree with the distance stream they are shown.
formats::Track Slice(const formats::Track& track, std::size_t first, std::size_t last) {
    formats::Track out;
    out.point_count = last - first + 1;
    auto copy = [first, last](const auto& column, auto& into) {
        if (!column.empty()) {
            into.assign(column.begin() + static_cast<std::ptrdiff_t>(first),
                        column.begin() + static_cast<std::ptrdiff_t>(last) + 1);
        }
    };
    copy(track.time_ms, out.time_ms);
    copy(track.altitude_m, out.altitude_m);
    copy(track.distance_m, out.distance_m);
    copy(track.speed_mps, out.speed_mps);
    copy(track.heart_rate_bpm, out.heart_rate_bpm);
    copy(track.cadence_rpm, out.cadence_rpm);
    copy(track.power_w, out.power_w);
    copy(track.temperature_c, out.temperature_c);
    return out;
}

std::size_t IndexOf(const boost::json::object& interval, const char* key) {
    const auto* v = interval.if_contains(key);
    if (v == nullptr || !v->is_int64() || v->as_int64() < 0) {
        return 0;
    }
    return static_cast<std::size_t>(v->as_int64());
}

/// Moves intervals' indexes to the viewer's streams; `offset` is the activity index of their 0.
void ToStreamIndexes(boost::json::array& intervals, const VisibleWindow& window, std::size_t offset) {
    for (auto& v : intervals) {
        auto& o = v.as_object();
        const std::size_t start = window.StreamIndexAtOrAfter(offset + IndexOf(o, "start_index"));
        const std::size_t end = window.StreamIndexAtOrBefore(offset + IndexOf(o, "end_index"));
        o["start_index"] = static_cast<std::int64_t>(start);
        o["end_index"] = static_cast<std::int64_t>(std::max(start, end));
    }
}

}  // namespace

std::size_t VisibleWindow::StreamIndexAtOrAfter(std::size_t index) const noexcept {
    index = std::clamp(index, first, last);
    return std::min(rank[index - first], VisibleCount() - 1);
}

std::size_t VisibleWindow::StreamIndexAtOrBefore(std::size_t index) const noexcept {
    index = std::clamp(index, first, last);
    const std::size_t through = rank[index - first + 1];  // visible samples in [first, index]
    return through == 0 ? 0 : through - 1;
}

std::optional<VisibleWindow> FindVisibleWindow(std::span<const std::uint8_t> visible) {
    const auto first = std::find_if(visible.begin(), visible.end(), [](std::uint8_t v) { return v != 0; });
    if (first == visible.end()) {
        return std::nullopt;
    }
    const auto last = std::find_if(visible.rbegin(), visible.rend(), [](std::uint8_t v) { return v != 0; });
    VisibleWindow w;
    w.first = static_cast<std::size_t>(first - visible.begin());
    w.last = visible.size() - 1 - static_cast<std::size_t>(last - visible.rbegin());
    w.size = visible.size();
    w.rank.reserve(w.last - w.first + 2);
    std::size_t count = 0;
    for (std::size_t i = w.first; i <= w.last; ++i) {
        w.rank.push_back(count);
        count += visible[i] != 0 ? 1 : 0;
    }
    w.rank.push_back(count);
    return w;
}

StreamOrigin OriginAt(const formats::Track& track, std::size_t first) {
    StreamOrigin origin;
    for (std::size_t i = first; i < track.time_ms.size(); ++i) {
        if (track.time_ms[i] != formats::kNoTime) {
            origin.time_ms = track.time_ms[i];
            break;
        }
    }
    if (first > 0) {
        for (std::size_t i = first; i < track.distance_m.size(); ++i) {
            if (std::isfinite(track.distance_m[i])) {
                origin.distance_m = track.distance_m[i];
                break;
            }
        }
    }
    return origin;
}

analytics::ActivityAnalysis AnalyseWindow(const formats::Track& track, formats::Sport sport,
                                          const VisibleWindow& window, const boost::json::array& stored_laps,
                                          const analytics::AthleteProfile& profile) {
    formats::Activity slice;
    slice.sport = sport;
    slice.track = Slice(track, window.first, window.last);
    for (const auto& v : stored_laps) {
        const auto* lap = v.if_object();
        if (lap == nullptr || !lap->contains("from_device") || !lap->at("from_device").is_bool() ||
            !lap->at("from_device").as_bool()) {
            continue;  // computed laps are 1 km splits: measured afresh
        }
        const std::size_t start = std::max(IndexOf(*lap, "start_index"), window.first);
        const std::size_t end = std::min(IndexOf(*lap, "end_index"), window.last);
        if (start >= end) {
            continue;
        }
        formats::Lap clipped;
        clipped.first_index = start - window.first;
        clipped.end_index = end - window.first;
        slice.laps.push_back(clipped);
    }
    return analytics::Analyse(slice, profile);
}

RebasedIntervals IntervalsOfWindow(const analytics::ActivityAnalysis& analysis, const VisibleWindow& window) {
    boost::json::value written = boost::json::parse(WriteAnalysisJson(analysis));
    auto& object = written.as_object();
    RebasedIntervals out;
    out.laps = std::move(object["laps"].as_array());
    out.splits_km = std::move(object["splits_km"].as_array());
    out.splits_mile = std::move(object["splits_mile"].as_array());
    out.heart_rate_zones = std::move(object["heart_rate_zones"].as_array());
    out.power_zones = std::move(object["power_zones"].as_array());
    ToStreamIndexes(out.laps, window, window.first);
    ToStreamIndexes(out.splits_km, window, window.first);
    ToStreamIndexes(out.splits_mile, window, window.first);
    return out;
}

RebasedIntervals RebaseIntervals(const formats::Track& track, formats::Sport sport, const VisibleWindow& window,
                                 const boost::json::array& stored_laps) {
    // Zones and calories are not read from these intervals, so the athlete's profile does not matter.
    return IntervalsOfWindow(AnalyseWindow(track, sport, window, stored_laps, analytics::AthleteProfile{}), window);
}

void IndexForViewer(boost::json::array& intervals, const VisibleWindow& window) {
    ToStreamIndexes(intervals, window, 0);
}

std::optional<std::pair<std::size_t, std::size_t>> RebaseEffort(const VisibleWindow& window, std::size_t start_index,
                                                                std::size_t end_index) {
    if (start_index < window.first || end_index > window.last || start_index > end_index) {
        return std::nullopt;
    }
    return std::make_pair(window.StreamIndexAtOrAfter(start_index), window.StreamIndexAtOrBefore(end_index));
}

}  // namespace strava1::activities
