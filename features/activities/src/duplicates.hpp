#pragma once

// The duplicate rule for one owner's activities: one athlete cannot do two activities at once, so
// two that share more than a moment are the same workout recorded (or entered) twice, whichever
// device or format each came from.

#include <cstdint>

namespace strava1::activities {

/// When an activity took place: [start_ms, end_ms], Unix milliseconds.
struct TimeRange {
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
};

/// Overlap two activities may share and still be two workouts: clocks of two devices disagree by
/// seconds, and one leg of a race may be stopped a little after the next is started.
inline constexpr std::int64_t kOverlapToleranceMs = 60'000;

/// Milliseconds `a` and `b` share (0 when they are apart or only touch).
std::int64_t OverlapMs(TimeRange a, TimeRange b) noexcept;

/// True when `a` and `b` are the same workout: they share more than kOverlapToleranceMs, or more
/// than half of the shorter one (so two copies of a 40 s sprint are caught too). Symmetric.
/// Activities that follow each other (triathlon legs, two runs back to back) are not: they share
/// nothing, or less than the tolerance.
bool IsSameWorkout(TimeRange a, TimeRange b) noexcept;

}  // namespace strava1::activities
