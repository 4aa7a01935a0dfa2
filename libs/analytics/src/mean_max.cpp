#include "strava1/analytics/mean_max.hpp"

#include <array>

namespace strava1::analytics {
namespace {

constexpr std::array<int, 33> kDurations = {1,    2,    3,    5,    10,   15,   20,   30,   45,    60,    90,
                                            120,  180,  240,  300,  360,  480,  600,  720,  900,   1200,  1500,
                                            1800, 2400, 2700, 3600, 4500, 5400, 7200, 9000, 10800, 14400, 18000};

}  // namespace

std::span<const int> MeanMaxDurations() noexcept { return kDurations; }

std::vector<CurvePoint> MeanMaxCurve(std::span<const double> series, std::span<const std::uint8_t> valid,
                                     std::span<const int> durations) {
    std::vector<CurvePoint> curve;
    const std::size_t n = series.size();
    const bool masked = !valid.empty();
    if (n == 0 || (masked && valid.size() != n)) {
        return curve;
    }
    // Prefix sums of the values and of the invalid seconds, so each window costs O(1).
    std::vector<double> sum(n + 1, 0.0);
    std::vector<std::uint32_t> invalid(masked ? n + 1 : 0, 0);
    for (std::size_t second = 0; second < n; ++second) {
        const bool ok = !masked || valid[second] != 0;
        sum[second + 1] = sum[second] + (ok ? series[second] : 0.0);
        if (masked) {
            invalid[second + 1] = invalid[second] + (ok ? 0 : 1);
        }
    }
    for (const int duration : durations) {
        if (duration <= 0 || static_cast<std::size_t>(duration) > n) {
            continue;
        }
        const auto window = static_cast<std::size_t>(duration);
        bool found = false;
        double best = 0;
        std::size_t best_start = 0;
        for (std::size_t start = 0; start + window <= n; ++start) {
            if (masked && invalid[start + window] != invalid[start]) {
                continue;
            }
            const double total = sum[start + window] - sum[start];
            if (!found || total > best) {
                found = true;
                best = total;
                best_start = start;
            }
        }
        if (found) {
            curve.push_back(CurvePoint{duration, best / duration, best_start});
        }
    }
    return curve;
}

std::vector<CurvePoint> MaxSpeedCurve(std::span<const double> distance, std::span<const int> durations) {
    std::vector<CurvePoint> curve;
    const std::size_t n = distance.size();
    for (const int duration : durations) {
        if (duration <= 0 || static_cast<std::size_t>(duration) >= n) {
            continue;
        }
        const auto window = static_cast<std::size_t>(duration);
        double best = distance[window] - distance[0];
        std::size_t best_start = 0;
        for (std::size_t start = 1; start + window < n; ++start) {
            const double covered = distance[start + window] - distance[start];
            if (covered > best) {
                best = covered;
                best_start = start;
            }
        }
        curve.push_back(CurvePoint{duration, best / duration, best_start});
    }
    return curve;
}

}  // namespace strava1::analytics
