#pragma once

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace strava1::http {

/// A token-bucket budget: `burst` requests at once, refilled at `per_second`.
struct Budget {
    double per_second = 20;
    double burst = 200;
};

struct RateDecision {
    bool allowed = true;
    int limit = 0;          ///< X-RateLimit-Limit (the burst)
    int remaining = 0;      ///< X-RateLimit-Remaining
    int reset_s = 0;        ///< X-RateLimit-Reset: seconds until the bucket is full again
    int retry_after_s = 0;  ///< Retry-After when refused
};

/// In-memory token buckets keyed by principal or client network ("user:42", "ip:127.0.0.1",
/// "auth:2001:db8:1:2::/64"; http::ClientNetwork). Thread-safe (sharded locks). Per process: with
/// several API nodes each enforces its own share.
class RateLimiter {
public:
    RateDecision Take(std::string_view key, const Budget& budget,
                      std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

private:
    struct Bucket {
        double tokens = 0;
        std::chrono::steady_clock::time_point last;
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::string, Bucket> buckets;
    };
    static constexpr std::size_t kShards = 16;
    static constexpr std::size_t kMaxBucketsPerShard = 65536;
    std::array<Shard, kShards> shards_;
};

}  // namespace strava1::http
