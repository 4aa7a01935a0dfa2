#include "strava1/http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace strava1::http {

RateDecision RateLimiter::Take(std::string_view key, const Budget& budget, std::chrono::steady_clock::time_point now) {
    Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
    std::lock_guard lock(shard.mutex);
    if (shard.buckets.size() >= kMaxBucketsPerShard) {
        // Bounded memory under a flood of distinct keys: forget buckets that have refilled.
        std::erase_if(shard.buckets, [&](const auto& kv) {
            double elapsed = std::chrono::duration<double>(now - kv.second.last).count();
            return kv.second.tokens + elapsed * budget.per_second >= budget.burst;
        });
    }
    auto [it, inserted] = shard.buckets.try_emplace(std::string(key), Bucket{budget.burst, now});
    Bucket& bucket = it->second;
    if (!inserted) {
        double elapsed = std::chrono::duration<double>(now - bucket.last).count();
        bucket.tokens = std::min(budget.burst, bucket.tokens + std::max(0.0, elapsed) * budget.per_second);
        bucket.last = now;
    }
    RateDecision d;
    d.limit = static_cast<int>(budget.burst);
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        d.allowed = true;
    } else {
        d.allowed = false;
        d.retry_after_s = std::max(1, static_cast<int>(std::ceil((1.0 - bucket.tokens) / budget.per_second)));
    }
    d.remaining = static_cast<int>(std::floor(bucket.tokens));
    d.reset_s = static_cast<int>(std::ceil((budget.burst - bucket.tokens) / budget.per_second));
    return d;
}

}  // namespace strava1::http
