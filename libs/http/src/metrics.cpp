#include "strava1/http/metrics.hpp"

#include <cstdio>

namespace strava1::http {

Metrics::Metrics(const Router& router) {
    for (const auto& route : router.Routes()) {
        auto slot = std::make_unique<Slot>();
        slot->method = MethodName(route.method);
        slot->route = route.path;
        slots_.push_back(std::move(slot));
    }
    auto other = std::make_unique<Slot>();
    other->method = "ANY";
    other->route = "other";
    slots_.push_back(std::move(other));
}

void Metrics::Observe(std::size_t route_index, int status, double seconds) {
    Slot& slot = route_index < slots_.size() - 1 ? *slots_[route_index] : *slots_.back();
    int cls = status / 100;
    if (cls >= 1 && cls <= 5) {
        slot.by_class[static_cast<std::size_t>(cls)].fetch_add(1, std::memory_order_relaxed);
    }
    std::size_t bucket = 0;
    while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) {
        ++bucket;
    }
    slot.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    slot.sum_us.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
    slot.count.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::Render(const std::function<std::string()>& extra) const {
    std::string out;
    out += "# HELP strava1_http_requests_total HTTP requests by route and status class.\n";
    out += "# TYPE strava1_http_requests_total counter\n";
    for (const auto& slot : slots_) {
        for (int cls = 1; cls <= 5; ++cls) {
            auto n = slot->by_class[static_cast<std::size_t>(cls)].load(std::memory_order_relaxed);
            if (n == 0) {
                continue;
            }
            out += "strava1_http_requests_total{method=\"" + slot->method + "\",route=\"" + slot->route +
                   "\",status=\"" + std::to_string(cls) + "xx\"} " + std::to_string(n) + "\n";
        }
    }
    out += "# HELP strava1_http_request_duration_seconds Request latency by route.\n";
    out += "# TYPE strava1_http_request_duration_seconds histogram\n";
    char le[32];
    for (const auto& slot : slots_) {
        auto count = slot->count.load(std::memory_order_relaxed);
        if (count == 0) {
            continue;
        }
        std::string labels = "method=\"" + slot->method + "\",route=\"" + slot->route + "\"";
        std::uint64_t cumulative = 0;
        for (std::size_t idx = 0; idx < kBuckets.size(); ++idx) {
            cumulative += slot->buckets[idx].load(std::memory_order_relaxed);
            std::snprintf(le, sizeof le, "%g", kBuckets[idx]);
            out += "strava1_http_request_duration_seconds_bucket{" + labels + ",le=\"" + le + "\"} " +
                   std::to_string(cumulative) + "\n";
        }
        cumulative += slot->buckets[kBuckets.size()].load(std::memory_order_relaxed);
        out += "strava1_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
               std::to_string(cumulative) + "\n";
        std::snprintf(le, sizeof le, "%.6f", static_cast<double>(slot->sum_us.load()) / 1e6);
        out += "strava1_http_request_duration_seconds_sum{" + labels + "} " + le + "\n";
        out += "strava1_http_request_duration_seconds_count{" + labels + "} " + std::to_string(count) + "\n";
    }
    if (extra) {
        out += extra();
    }
    return out;
}

}  // namespace strava1::http
