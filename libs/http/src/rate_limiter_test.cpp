#include "strava1/http/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace strava1::http {
namespace {

TEST(RateLimiter, AllowsBurstThenRefusesWithRetryAfter) {
    RateLimiter limiter;
    Budget budget{2, 5};
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) {
        auto d = limiter.Take("user:1", budget, t0);
        EXPECT_TRUE(d.allowed);
        EXPECT_EQ(d.remaining, 4 - i);
        EXPECT_EQ(d.limit, 5);
    }
    auto refused = limiter.Take("user:1", budget, t0);
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after_s, 1);
    // Another key has its own bucket.
    EXPECT_TRUE(limiter.Take("user:2", budget, t0).allowed);
    // Half a second refills one token at 2/s.
    EXPECT_TRUE(limiter.Take("user:1", budget, t0 + std::chrono::milliseconds(500)).allowed);
    EXPECT_FALSE(limiter.Take("user:1", budget, t0 + std::chrono::milliseconds(500)).allowed);
}

TEST(RateLimiter, SlowBudgetsReportLongerRetryAfter) {
    RateLimiter limiter;
    Budget budget{0.1, 1};
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(limiter.Take("ip:x", budget, t0).allowed);
    auto d = limiter.Take("ip:x", budget, t0);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.retry_after_s, 10);
}

}  // namespace
}  // namespace strava1::http
