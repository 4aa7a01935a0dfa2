#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

/// Mean-maximal curves ("power curve", "pace curve"): for each duration, the best average over any
/// window of that length. Pure functions, thread-safe, O(n) per duration.
namespace strava1::analytics {

/// 1, 2, 3, 5, 10, 15, 20, 30, 45 s, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 45 min,
/// 1, 1.25, 1.5, 2, 2.5, 3, 4, 5 h (in seconds, ascending).
std::span<const int> MeanMaxDurations() noexcept;

struct CurvePoint {
    int duration_s = 0;
    double value = 0;         ///< the best mean over `duration_s` seconds
    std::size_t start_s = 0;  ///< the window's first second (the earliest best window)
};

/// For a 1 Hz series: for each duration that fits, the best mean over a window of consecutive
/// seconds. `valid` (empty = all valid, else the same size) marks seconds that may be used: a window
/// containing an invalid second is skipped; a duration with no valid window is left out.
std::vector<CurvePoint> MeanMaxCurve(std::span<const double> series_1hz, std::span<const std::uint8_t> valid = {},
                                     std::span<const int> durations = MeanMaxDurations());

/// The speed curve from cumulative distance sampled at 1 Hz: for each duration D, the best
/// (distance[s + D] - distance[s]) / D in m/s.
std::vector<CurvePoint> MaxSpeedCurve(std::span<const double> distance_1hz_m,
                                      std::span<const int> durations = MeanMaxDurations());

}  // namespace strava1::analytics
