#include "duplicates.hpp"

#include <algorithm>

namespace strava1::activities {

std::int64_t OverlapMs(TimeRange a, TimeRange b) noexcept {
    const std::int64_t from = std::max(a.start_ms, b.start_ms);
    const std::int64_t to = std::min(a.end_ms, b.end_ms);
    return to > from ? to - from : 0;
}

bool IsSameWorkout(TimeRange a, TimeRange b) noexcept {
    const std::int64_t shorter =
        std::min(std::max<std::int64_t>(0, a.end_ms - a.start_ms), std::max<std::int64_t>(0, b.end_ms - b.start_ms));
    return OverlapMs(a, b) > std::min(kOverlapToleranceMs, shorter / 2);
}

}  // namespace strava1::activities
