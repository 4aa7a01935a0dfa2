#pragma once

// Private to libs/analytics: the cleaned per-point streams every metric is computed from, and the
// 1 Hz resampling the curves and NP use. Exposed to this module's tests so they can run oracles on
// exactly what the analysis sees.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "strava1/analytics/analysis.hpp"
#include "strava1/formats/activity.hpp"

namespace strava1::analytics::internal {

/// Beyond this gap between samples (timer running), power counts as 0 and HR as missing in the
/// 1 Hz series instead of holding the last value.
inline constexpr double kHoldCapS = 30.0;
/// Altitude smoothing: centred moving average over this many seconds (points ±2 without times).
inline constexpr double kAltitudeWindowS = 10.0;
/// Elevation gain/loss hysteresis: smoothed altitude must move this far from the last turning
/// reference before the change is counted.
inline constexpr double kElevationHysteresisM = 1.0;
/// Grade for grade-adjusted pace: over the last at least this many metres.
inline constexpr double kGradeWindowM = 20.0;
/// Grades are clamped to ±45 %, the range Minetti's polynomial was fitted on.
inline constexpr double kMaxGrade = 0.45;
/// Receiver wander: a position within this distance of the last one the distance was measured to
/// adds nothing yet (standing still adds no distance; moving adds all of it, measured from there).
inline constexpr double kJitterRadiusM = 2.0;
/// A device's distance at its first record is kept when covered at the sport's spike ceiling in the
/// time since the start plus this much (devices count a moment before they write a record).
inline constexpr double kDistanceOffsetSlackS = 3.0;
/// After this many consecutive rejected positions the spike filter trusts the new position again
/// (the earlier anchor was the outlier, or the receiver re-acquired), adding no distance for the jump.
inline constexpr int kMaxConsecutiveSpikes = 5;

struct PreparedTrack {
    std::size_t n = 0;
    bool has_time = false;
    std::int64_t origin_ms = 0;  ///< UTC of t = 0 (the first time) when has_time
    DistanceSource source = DistanceSource::kNone;
    std::size_t spikes = 0;
    std::vector<double> t;                  ///< seconds since the first point, non-decreasing
    std::vector<double> d;                  ///< cumulative distance (m), non-decreasing; stopped segments add 0
    std::vector<std::uint8_t> position_ok;  ///< position present and accepted by the spike filter
    std::vector<double> run_s;              ///< per segment (i-1, i], index i >= 1: timer seconds in it
    std::vector<double> hard_run_s;         ///< likewise, by the device's own stops only (no inferred ones)
    std::vector<std::uint8_t> running;      ///< per segment: run_s > 0
    std::vector<std::uint8_t> moving;       ///< per segment, index i >= 1
    std::vector<double> speed;              ///< per segment, index i >= 1: windowed speed (m/s)
    std::vector<std::uint8_t> speed_full;   ///< per segment: the speed window reached speed_window_s
    std::vector<double> timer;              ///< cumulative timer-running seconds
    std::vector<double> moving_time;        ///< cumulative moving seconds
    std::vector<double> altitude;           ///< smoothed altitude per point; empty without altitude
};

PreparedTrack Prepare(const formats::Activity& activity, const SportParameters& parameters);

/// The activity on a 1 Hz grid: second s = 0 .. floor(elapsed). Each second takes the sample that
/// ends the segment containing it (devices report a value for the interval just ended); distance is
/// interpolated linearly in time.
struct Series1Hz {
    std::vector<double> distance_m;
    std::vector<double> power_w;  ///< 0 while paused, in gaps > kHoldCapS, or when missing
    std::vector<double> heart_rate_bpm;
    std::vector<std::uint8_t> heart_rate_valid;  ///< 0 while paused, in gaps > kHoldCapS, or when missing
    std::vector<std::uint8_t> running;
    bool has_power = false;
    bool has_heart_rate = false;
};

/// Refuses (returns an empty series) beyond this many seconds: 31 days.
inline constexpr std::size_t kMaxResampledSeconds = 31u * 86'400u;

Series1Hz Resample1Hz(const formats::Track& track, const PreparedTrack& prepared);

/// Heart rate and power plausibility, shared by the analysis and the resampling.
inline bool ValidHeartRate(std::uint16_t bpm) { return bpm >= 20 && bpm <= 250; }
inline bool ValidPower(std::uint16_t watts) { return watts != formats::kNoValue16 && watts <= 4000; }

}  // namespace strava1::analytics::internal
