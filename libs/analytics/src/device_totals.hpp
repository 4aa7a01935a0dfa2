#pragma once

// Private to libs/analytics: the activity's summary takes the device's own totals (FIT session, TCX
// lap totals) unless the samples contradict them beyond the tolerances below, as Garmin Connect and
// Strava show what the athlete's device showed (docs/analytics.md, "Device totals"). Change the
// constants and that section together.

#include <optional>

#include "strava1/analytics/analysis.hpp"
#include "strava1/formats/activity.hpp"

namespace strava1::analytics::internal {

/// The samples cover less than this share of the device's timer time: a partial recording
/// (kona2013.tcx: 5 points, 4 s, of an 18 930 s ride). They cannot contradict a larger total then.
inline constexpr double kPartialCoverage = 0.9;
/// Timer and elapsed time: the device's may be shorter than the samples' by this share (or
/// kTimeSlackS, whichever is larger); shorter still, its totals do not cover the recording.
inline constexpr double kTimeTolerance = 0.03;
inline constexpr double kTimeSlackS = 10.0;
/// Distance: the device's total over the samples' within this band (the band the device's
/// distance column is held to, section 1: chords between sparse points undercount).
inline constexpr double kDistanceMinRatio = 0.9;
inline constexpr double kDistanceMaxRatio = 1.15;
/// Moving time: the device's within this share (or kMovingSlackS) of the samples'.
inline constexpr double kMovingTolerance = 0.05;
inline constexpr double kMovingSlackS = 30.0;
/// Ascent and descent: the device's (often barometric, integrated at its own rate) within
/// [0.5 × smoothed − 10 m, 1.5 × raw + 10 m] of the samples' altitude.
inline constexpr double kClimbLowerRatio = 0.5;
inline constexpr double kClimbUpperRatio = 1.5;
inline constexpr double kClimbSlackM = 10.0;
/// Calories: the device's when positive and at most this many per hour of timer time.
inline constexpr double kMaxKcalPerHour = 2000.0;

/// What the samples gave that the summary does not keep.
struct SampleFacts {
    bool has_distance = false;  ///< the samples measure any distance (moving time needs one)
    bool has_altitude = false;
    std::optional<double> min_heart_rate_bpm;
    std::optional<double> max_heart_rate_bpm;
};

/// Chooses distance, elapsed, timer and moving time, ascent, descent and average heart rate
/// between the device's totals and `result`'s (from the samples) and records both in
/// `result.totals`.
void ApplyDeviceTotals(const formats::DeviceSummary& device, const SampleFacts& facts, ActivityAnalysis& result);

/// The device's calories when plausible, else `result`'s estimate; records both.
void ApplyDeviceCalories(const formats::DeviceSummary& device, ActivityAnalysis& result);

}  // namespace strava1::analytics::internal
