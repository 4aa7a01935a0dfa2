#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

/// Best efforts: the fastest time over a fixed distance. Pure functions, thread-safe.
namespace strava1::analytics {

/// One of the distances efforts are searched for.
struct EffortDistance {
    double distance_m = 0;
    std::string_view name;  ///< "400m", "1/2 mile", "1k", "1 mile", ... (static storage)
};

/// 400 m, ½ mile, 1 km, 1 mile, 2 miles, 5 km, 10 km, 15 km, 10 miles, 20 km, half marathon, 30 km,
/// marathon, 50 km, 100 km, 100 miles; ascending.
std::span<const EffortDistance> StandardEffortDistances() noexcept;

/// Swimming's distances, ascending: 100, 200, 400, 800, 1000, 1500 m, 1 mile, 2000, 3000, 3800 m
/// (open water and metre pools); 100, 200, 500, 1000, 1650 yd (yard pools).
std::span<const EffortDistance> SwimEffortDistances(bool yards) noexcept;

/// The fastest stretch of exactly `distance_m`.
struct BestEffort {
    double distance_m = 0;
    std::string_view name;
    double time_s = 0;        ///< end_time_s - start_time_s
    double start_time_s = 0;  ///< on the given time axis, interpolated
    double end_time_s = 0;
    /// The points around the effort: start_index <= interpolated start, end_index >= interpolated end,
    /// both exact when the effort starts or ends on a point.
    std::size_t start_index = 0;
    std::size_t end_index = 0;
};

/// The fastest time over exactly `distance_m` (> 0), positions interpolated linearly in time between
/// samples, so an effort may start or end between two points. `time_s` and `distance_m_cumulative`
/// are per point, the same length, finite and non-decreasing (precondition). The optimum of a
/// piecewise-linear track always starts or ends on a sample, so two trailing-pointer passes (efforts
/// ending on a point, efforts starting on one) find it exactly. Blocks of 16 points (and runs of 8
/// blocks) whose lower bound (the stretch every effort of the block covers, plus the rest of the
/// distance at the track's top segment speed) cannot beat the best so far are skipped, with a
/// distance→point bucket index to place the pointers: O(n) typical, O(n + n/16·log n) worst case, no per-point
/// allocation. nullopt when the track is shorter.
std::optional<BestEffort> FindBestEffort(std::span<const double> time_s, std::span<const double> distance_m_cumulative,
                                         double distance_m, std::string_view name = {});

/// FindBestEffort for every `targets` entry (ascending; StandardEffortDistances() by default) the
/// track is long enough for (one index shared by all distances).
std::vector<BestEffort> FindBestEfforts(std::span<const double> time_s, std::span<const double> distance_m_cumulative,
                                        std::span<const EffortDistance> targets = StandardEffortDistances());

}  // namespace strava1::analytics
