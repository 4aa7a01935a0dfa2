#include "timed_points.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

namespace strava1::formats {
namespace {

template <class T>
void Compact(std::vector<T>& column, const std::vector<std::uint8_t>& timed) {
    if (column.empty()) {
        return;
    }
    std::size_t kept = 0;
    for (std::size_t point_idx = 0; point_idx < column.size(); ++point_idx) {
        if (timed[point_idx] != 0) {
            column[kept++] = column[point_idx];
        }
    }
    column.resize(kept);
}

// The Track invariant wants a column that holds only markers empty.
template <class T, class IsMarker>
void DropIfOnlyMarkers(std::vector<T>& column, IsMarker is_marker) {
    if (!column.empty() && std::all_of(column.begin(), column.end(), is_marker)) {
        std::vector<T>().swap(column);
    }
}

bool DeviceDatesIt(const Activity& activity) {
    if (activity.start_time_ms == kNoTime) {
        return false;
    }
    const DeviceSummary& summary = activity.device_summary;
    const auto positive = [](const std::optional<double>& value) { return value && *value > 0; };
    return positive(summary.timer_s) || positive(summary.elapsed_s) || !activity.lengths.empty();
}

void DropUntimedPoints(Activity& activity) {
    Track& track = activity.track;
    const std::size_t n = track.size();
    std::vector<std::uint8_t> timed(n, 0);
    // Where each old index lands: the number of timed points before it.
    std::vector<std::size_t> new_index(n + 1, 0);
    for (std::size_t point_idx = 0; point_idx < n; ++point_idx) {
        timed[point_idx] = !track.time_ms.empty() && track.time_ms[point_idx] != kNoTime ? 1 : 0;
        new_index[point_idx + 1] = new_index[point_idx] + timed[point_idx];
    }
    Compact(track.time_ms, timed);
    Compact(track.lat_e7, timed);
    Compact(track.lng_e7, timed);
    Compact(track.altitude_m, timed);
    Compact(track.distance_m, timed);
    Compact(track.speed_mps, timed);
    Compact(track.heart_rate_bpm, timed);
    Compact(track.cadence_rpm, timed);
    Compact(track.power_w, timed);
    Compact(track.temperature_c, timed);
    track.point_count = new_index.back();
    DropIfOnlyMarkers(track.time_ms, [](std::int64_t v) { return v == kNoTime; });
    DropIfOnlyMarkers(track.lat_e7, [](std::int32_t v) { return v == kNoPosition; });
    if (track.lat_e7.empty()) {
        std::vector<std::int32_t>().swap(track.lng_e7);
    }
    DropIfOnlyMarkers(track.altitude_m, [](float v) { return std::isnan(v); });
    DropIfOnlyMarkers(track.distance_m, [](double v) { return std::isnan(v); });
    DropIfOnlyMarkers(track.speed_mps, [](float v) { return std::isnan(v); });
    DropIfOnlyMarkers(track.heart_rate_bpm, [](std::uint16_t v) { return v == kNoValue16; });
    DropIfOnlyMarkers(track.cadence_rpm, [](std::uint16_t v) { return v == kNoValue16; });
    DropIfOnlyMarkers(track.power_w, [](std::uint16_t v) { return v == kNoValue16; });
    DropIfOnlyMarkers(track.temperature_c, [](float v) { return std::isnan(v); });
    for (Lap& lap : activity.laps) {
        lap.first_index = new_index[std::min(lap.first_index, n)];
        lap.end_index = new_index[std::min(lap.end_index, n)];
    }
}

}  // namespace

void KeepTimedPoints(ImportedFile& file) {
    std::vector<Activity> kept;
    kept.reserve(file.activities.size());
    for (Activity& activity : file.activities) {
        const std::vector<std::int64_t>& times = activity.track.time_ms;
        const std::size_t timed = static_cast<std::size_t>(
            std::count_if(times.begin(), times.end(), [](std::int64_t t) { return t != kNoTime; }));
        if (timed == 0 && !activity.track.empty() && !DeviceDatesIt(activity)) {
            file.routes.push_back(std::move(activity));
            continue;
        }
        if (timed < activity.track.size()) {
            DropUntimedPoints(activity);
        }
        if (activity.start_time_ms == kNoTime && !activity.track.time_ms.empty()) {
            activity.start_time_ms = activity.track.time_ms.front();
        }
        kept.push_back(std::move(activity));
    }
    file.activities = std::move(kept);
}

}  // namespace strava1::formats
