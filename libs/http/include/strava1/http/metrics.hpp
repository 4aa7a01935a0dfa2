#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strava1/http/router.hpp"

namespace strava1::http {

/// Request counters and latency histograms per route, rendered as Prometheus text. Lock-free on
/// the request path (one slot per route, created from the router before serving).
class Metrics {
public:
    explicit Metrics(const Router& router);
    /// `route_index` from RouteMatch, or kUnmatched for static files, 404s and early errors.
    void Observe(std::size_t route_index, int status, double seconds);
    /// Prometheus exposition; `extra` appends more families (e.g. the database pool's).
    std::string Render(const std::function<std::string()>& extra = {}) const;

    static constexpr std::size_t kUnmatched = static_cast<std::size_t>(-1);

private:
    static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
    struct Slot {
        std::string method;
        std::string route;
        std::array<std::atomic<std::uint64_t>, 6> by_class{};  // 1xx..5xx, index 0 unused
        std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};
        std::atomic<std::uint64_t> sum_us{0};
        std::atomic<std::uint64_t> count{0};
    };
    std::vector<std::unique_ptr<Slot>> slots_;  // last one: unmatched
};

}  // namespace strava1::http
