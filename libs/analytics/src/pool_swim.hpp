#pragma once

// Private to libs/analytics: pool swims analysed from their lengths (docs/analytics.md, "Pool
// swims"). A pool swim has no positions and its records' distance moves in steps of a lap or a
// length at best; its lengths say exactly when the swimmer swam and how far.

#include <cstdint>
#include <optional>
#include <vector>

#include "prepared_track.hpp"
#include "strava1/analytics/analysis.hpp"
#include "strava1/analytics/best_efforts.hpp"
#include "strava1/formats/activity.hpp"

namespace strava1::analytics::internal {

/// No length is swum faster than this (the 50 m world record is about 2.4 m/s with the dive); a
/// faster one is a recording error and sets no maximum speed.
inline constexpr double kMaxSwimSpeedMps = 3.0;

struct PoolSwim {
    double pool_length_m = 0;
    bool yards = false;
    std::vector<formats::PoolLength> lengths;  ///< with a start time, in time order
    double distance_m = 0;                     ///< active lengths × pool length
    double active_s = 0;                       ///< time in active lengths
    std::int64_t first_start_ms = 0;           ///< the first length's start
    std::int64_t last_end_ms = 0;              ///< the last length's end
    std::int64_t longest_ms = 0;               ///< the longest length (rest included)
};

/// The activity's lengths when it is a pool swim: a swim without positions, with a pool length and
/// at least one length with a start time; nullopt otherwise (open water keeps its GPS distance).
std::optional<PoolSwim> ReadPoolSwim(const formats::Activity& activity);

/// Replaces the prepared distance and motion by the lengths': the distance grows linearly through
/// each active length and stands still in rest, a segment's moving time is its overlap with active
/// lengths (within the timer's running time), its speed that of the length it lies in.
void ApplyLengths(const PoolSwim& swim, PreparedTrack& p);

/// Every length for the lengths endpoint, `start_s` since `activity_start_ms`.
std::vector<SwimLength> DescribeLengths(const PoolSwim& swim, std::int64_t activity_start_ms);

/// The fastest run of whole consecutive active lengths for each swim distance that is a whole number
/// of lengths (rest between them counts: the clock runs). Times on the samples' axis when there are
/// samples (`p.n > 0`), else since the first length.
std::vector<BestEffort> LengthEfforts(const PoolSwim& swim, const PreparedTrack& p);

/// A device lap's distance, moving time and speed from the lengths whose middle falls inside it;
/// `rest` when none of them is active.
void LapFromLengths(const PoolSwim& swim, std::int64_t lap_start_ms, std::int64_t lap_end_ms, IntervalStats& stats);

/// The fastest active length's speed, ignoring implausible ones.
double MaxLengthSpeed(const PoolSwim& swim);

}  // namespace strava1::analytics::internal
