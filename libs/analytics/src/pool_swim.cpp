#include "pool_swim.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace strava1::analytics::internal {
namespace {

using formats::kNoTime;

std::int64_t EndMs(const formats::PoolLength& length) {
    return length.start_time_ms + static_cast<std::int64_t>(std::llround(length.elapsed_s * 1000.0));
}

bool HasPositions(const formats::Track& track) {
    return std::any_of(track.lat_e7.begin(), track.lat_e7.end(),
                       [](std::int32_t lat) { return lat != formats::kNoPosition; });
}

/// Active lengths as non-overlapping [start, end) intervals in ms (a length that starts before the
/// previous one ended, by a rounding of the device's clock, starts where that one ended).
std::vector<std::pair<std::int64_t, std::int64_t>> ActiveIntervals(const PoolSwim& swim) {
    std::vector<std::pair<std::int64_t, std::int64_t>> intervals;
    std::int64_t previous_end = std::numeric_limits<std::int64_t>::min();
    for (const formats::PoolLength& length : swim.lengths) {
        if (!length.active || length.elapsed_s <= 0) {
            continue;
        }
        const std::int64_t start = std::max(length.start_time_ms, previous_end);
        const std::int64_t end = std::max(start, EndMs(length));
        intervals.emplace_back(start, end);
        previous_end = end;
    }
    return intervals;
}

std::size_t PointAtOrBefore(const PreparedTrack& p, double t) {
    const auto it = std::upper_bound(p.t.begin(), p.t.end(), t);
    return it == p.t.begin() ? 0 : static_cast<std::size_t>(it - p.t.begin()) - 1;
}

std::size_t PointAtOrAfter(const PreparedTrack& p, double t) {
    const auto it = std::lower_bound(p.t.begin(), p.t.end(), t);
    return it == p.t.end() ? p.n - 1 : static_cast<std::size_t>(it - p.t.begin());
}

}  // namespace

std::optional<PoolSwim> ReadPoolSwim(const formats::Activity& activity) {
    if (activity.sport != formats::Sport::kSwim || !activity.pool_length_m || *activity.pool_length_m <= 0 ||
        activity.lengths.empty() || HasPositions(activity.track)) {
        return std::nullopt;
    }
    PoolSwim swim;
    swim.pool_length_m = *activity.pool_length_m;
    swim.yards = activity.pool_in_yards;
    for (const formats::PoolLength& length : activity.lengths) {
        if (length.start_time_ms != kNoTime && std::isfinite(length.elapsed_s) && length.elapsed_s >= 0) {
            swim.lengths.push_back(length);
        }
    }
    if (swim.lengths.empty()) {
        return std::nullopt;
    }
    std::stable_sort(
        swim.lengths.begin(), swim.lengths.end(),
        [](const formats::PoolLength& a, const formats::PoolLength& b) { return a.start_time_ms < b.start_time_ms; });
    swim.first_start_ms = swim.lengths.front().start_time_ms;
    swim.last_end_ms = swim.first_start_ms;
    for (const formats::PoolLength& length : swim.lengths) {
        swim.last_end_ms = std::max(swim.last_end_ms, EndMs(length));
        swim.longest_ms = std::max(swim.longest_ms, EndMs(length) - length.start_time_ms);
        if (length.active) {
            swim.distance_m += swim.pool_length_m;
            swim.active_s += length.elapsed_s;
        }
    }
    return swim;
}

void ApplyLengths(const PoolSwim& swim, PreparedTrack& p) {
    const auto intervals = ActiveIntervals(swim);
    const auto at_ms = [&](std::size_t point_idx) {
        return static_cast<double>(p.origin_ms) + p.t[point_idx] * 1000.0;
    };
    // Distance: whole active lengths ended before the point, plus the part of the one it is in.
    std::size_t next = 0;  // the first interval not yet ended at the point
    for (std::size_t point_idx = 0; point_idx < p.n; ++point_idx) {
        const double now = at_ms(point_idx);
        while (next < intervals.size() && static_cast<double>(intervals[next].second) <= now) {
            ++next;
        }
        double lengths = static_cast<double>(next);
        if (next < intervals.size() && static_cast<double>(intervals[next].first) < now) {
            const auto [start, end] = intervals[next];
            lengths += (now - static_cast<double>(start)) / static_cast<double>(end - start);
        }
        p.d[point_idx] = lengths * swim.pool_length_m;
    }
    // Motion: a segment is moving for its overlap with the active lengths.
    std::size_t first = 0;  // the first interval that ends after the segment starts
    for (std::size_t point_idx = 1; point_idx < p.n; ++point_idx) {
        const double from = at_ms(point_idx - 1);
        const double to = at_ms(point_idx);
        while (first < intervals.size() && static_cast<double>(intervals[first].second) <= from) {
            ++first;
        }
        double overlap_ms = 0;
        for (std::size_t interval_idx = first;
             interval_idx < intervals.size() && static_cast<double>(intervals[interval_idx].first) < to;
             ++interval_idx) {
            overlap_ms += std::min(to, static_cast<double>(intervals[interval_idx].second)) -
                          std::max(from, static_cast<double>(intervals[interval_idx].first));
        }
        const double moving = std::min(std::max(0.0, overlap_ms / 1000.0), p.run_s[point_idx]);
        p.moving[point_idx] = moving > 0 ? 1 : 0;
        p.moving_time[point_idx] = p.moving_time[point_idx - 1] + moving;
        const double dt = p.t[point_idx] - p.t[point_idx - 1];
        p.speed[point_idx] = moving > 0 && dt > 0 ? (p.d[point_idx] - p.d[point_idx - 1]) / moving : 0.0;
        p.speed_full[point_idx] = 0;  // the maximum comes from whole lengths (MaxLengthSpeed)
    }
    p.source = DistanceSource::kLengths;
}

std::vector<SwimLength> DescribeLengths(const PoolSwim& swim, std::int64_t activity_start_ms) {
    std::vector<SwimLength> out;
    out.reserve(swim.lengths.size());
    const std::int64_t start = activity_start_ms != kNoTime ? activity_start_ms : swim.first_start_ms;
    for (const formats::PoolLength& length : swim.lengths) {
        SwimLength described;
        described.index = out.size() + 1;
        described.start_s = static_cast<double>(length.start_time_ms - start) / 1000.0;
        described.elapsed_s = length.elapsed_s;
        described.active = length.active;
        described.distance_m = length.active ? swim.pool_length_m : 0.0;
        if (length.active) {
            described.stroke = length.stroke;
            described.strokes = length.strokes;
            if (length.strokes && length.elapsed_s > 0) {
                described.stroke_rate_spm = *length.strokes * 60.0 / length.elapsed_s;
                // SWOLF: seconds for the length plus its strokes (lower is better).
                described.swolf = std::round(length.elapsed_s) + *length.strokes;
            }
            if (length.elapsed_s > 0) {
                described.avg_speed_mps = swim.pool_length_m / length.elapsed_s;
            }
        }
        out.push_back(std::move(described));
    }
    return out;
}

std::vector<BestEffort> LengthEfforts(const PoolSwim& swim, const PreparedTrack& p) {
    std::vector<const formats::PoolLength*> active;
    for (const formats::PoolLength& length : swim.lengths) {
        if (length.active) {
            active.push_back(&length);
        }
    }
    const std::int64_t axis_ms = p.n > 0 ? p.origin_ms : swim.first_start_ms;
    std::vector<BestEffort> efforts;
    for (const EffortDistance& target : SwimEffortDistances(swim.yards)) {
        const double count = target.distance_m / swim.pool_length_m;
        const auto k = static_cast<std::size_t>(std::llround(count));
        if (k == 0 || std::fabs(count - static_cast<double>(k)) > 1e-6 * count || k > active.size()) {
            continue;  // not a whole number of lengths in this pool, or longer than the swim
        }
        std::optional<BestEffort> best;
        for (std::size_t first = 0; first + k <= active.size(); ++first) {
            const std::int64_t start = active[first]->start_time_ms;
            const std::int64_t end = EndMs(*active[first + k - 1]);
            const double time_s = static_cast<double>(end - start) / 1000.0;
            if (time_s <= 0 || target.distance_m / time_s > kMaxSwimSpeedMps) {
                continue;
            }
            if (!best || time_s < best->time_s) {
                BestEffort effort;
                effort.distance_m = target.distance_m;
                effort.name = target.name;
                effort.time_s = time_s;
                effort.start_time_s = static_cast<double>(start - axis_ms) / 1000.0;
                effort.end_time_s = static_cast<double>(end - axis_ms) / 1000.0;
                best = effort;
            }
        }
        if (best) {
            if (p.n > 0) {
                best->start_index = PointAtOrBefore(p, best->start_time_s);
                best->end_index = std::max(best->start_index, PointAtOrAfter(p, best->end_time_s));
            }
            efforts.push_back(*best);
        }
    }
    return efforts;
}

void LapFromLengths(const PoolSwim& swim, std::int64_t lap_start_ms, std::int64_t lap_end_ms, IntervalStats& stats) {
    double distance = 0;
    double moving = 0;
    // Lengths are in start order: a length whose middle is in the lap starts at most the longest
    // length before the lap does.
    const auto from =
        std::lower_bound(swim.lengths.begin(), swim.lengths.end(), lap_start_ms - swim.longest_ms,
                         [](const formats::PoolLength& length, std::int64_t t) { return length.start_time_ms < t; });
    for (auto it = from; it != swim.lengths.end() && it->start_time_ms < lap_end_ms; ++it) {
        const formats::PoolLength& length = *it;
        const std::int64_t middle =
            length.start_time_ms + static_cast<std::int64_t>(std::llround(length.elapsed_s * 500.0));
        if (length.active && middle >= lap_start_ms && middle < lap_end_ms) {
            distance += swim.pool_length_m;
            moving += length.elapsed_s;
        }
    }
    stats.distance_m = distance;
    stats.moving_s = moving;
    stats.avg_speed_mps = moving > 0 ? distance / moving : 0.0;
    stats.rest = distance == 0;
    stats.grade_adjusted_speed_mps.reset();
}

double MaxLengthSpeed(const PoolSwim& swim) {
    double best = 0;
    for (const formats::PoolLength& length : swim.lengths) {
        if (length.active && length.elapsed_s > 0) {
            const double speed = swim.pool_length_m / length.elapsed_s;
            if (speed <= kMaxSwimSpeedMps) {
                best = std::max(best, speed);
            }
        }
    }
    return best;
}

}  // namespace strava1::analytics::internal
