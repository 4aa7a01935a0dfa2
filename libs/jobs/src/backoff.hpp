#pragma once

#include <algorithm>
#include <chrono>

namespace strava1::jobs {

/// How long a job waits before its next attempt after `attempt` failed (1 = the first run):
/// base·2^(attempt−1), capped at `cap`, with "equal jitter" — half of it fixed, the other half
/// scaled by `unit` in [0, 1) — so jobs that failed together do not all come back together, and
/// none comes back sooner than half its delay. Pure, for tests; callers pass a random `unit`.
inline std::chrono::milliseconds RetryDelay(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                            double unit) {
    const int doublings = std::clamp(attempt - 1, 0, 40);
    // In double: base · 2^40 overflows nothing there, and the cap applies before converting back.
    const double full = std::min(static_cast<double>(base.count()) * static_cast<double>(1LL << doublings),
                                 static_cast<double>(cap.count()));
    const double jittered = full / 2 + full / 2 * std::clamp(unit, 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(jittered));
}

}  // namespace strava1::jobs
