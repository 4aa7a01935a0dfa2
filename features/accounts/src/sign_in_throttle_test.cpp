#include "sign_in_throttle.hpp"

#include <gtest/gtest.h>

#include "strava1/testing/pg.hpp"

namespace strava1::accounts {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(SignInThrottle, OneSourceOnOneAccountIsBackedOffExponentially) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    for (int idx = 0; idx < 5; ++idx) {
        EXPECT_EQ(throttle.Check("ana@x.org", "203.0.113.1", false).retry_after_s, 0);
        throttle.RecordFailure("ana@x.org", "203.0.113.1", false);
    }
    EXPECT_EQ(throttle.Check("ana@x.org", "203.0.113.1", false).retry_after_s, 1);
    clock.Advance(seconds(1));
    EXPECT_EQ(throttle.Check("ana@x.org", "203.0.113.1", false).retry_after_s, 0);
    throttle.RecordFailure("ana@x.org", "203.0.113.1", false);
    EXPECT_EQ(throttle.Check("ana@x.org", "203.0.113.1", false).retry_after_s, 2);
    // Another source, and the same source on another account, are not refused.
    EXPECT_EQ(throttle.Check("ana@x.org", "192.0.2.1", false).retry_after_s, 0);
    EXPECT_EQ(throttle.Check("bob@x.org", "203.0.113.1", false).retry_after_s, 0);
    // A recognised client is exempt even from the blocked source.
    EXPECT_EQ(throttle.Check("ana@x.org", "203.0.113.1", true).retry_after_s, 0);
    for (int idx = 0; idx < 20; ++idx) {
        throttle.RecordFailure("ana@x.org", "203.0.113.1", false);
    }
    EXPECT_EQ(throttle.Check("ana@x.org", "203.0.113.1", false).retry_after_s, 15 * 60) << "capped";
}

TEST(SignInThrottle, RotatingSourcesOnlySlowTheAccountDownAndNeverRefuse) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    std::vector<milliseconds> delays;
    for (int idx = 0; idx < 40; ++idx) {
        std::string source = "203.0.113." + std::to_string(idx);
        ThrottleVerdict verdict = throttle.Check("ana@x.org", source, false);
        EXPECT_EQ(verdict.retry_after_s, 0) << idx;
        delays.push_back(verdict.delay);
        throttle.RecordFailure("ana@x.org", source, false);
    }
    EXPECT_EQ(delays[9], milliseconds(0));
    EXPECT_EQ(delays[10], milliseconds(100));
    EXPECT_EQ(delays[11], milliseconds(200));
    EXPECT_EQ(delays[14], milliseconds(1600));
    EXPECT_EQ(delays[15], milliseconds(2000));
    EXPECT_EQ(delays[39], milliseconds(2000));
    // The owner: from a new address slowed down but let through; from a known device at once.
    ThrottleVerdict owner_new = throttle.Check("ana@x.org", "198.51.100.7", false);
    EXPECT_EQ(owner_new.retry_after_s, 0);
    EXPECT_EQ(owner_new.delay, milliseconds(2000));
    ThrottleVerdict owner_known = throttle.Check("ana@x.org", "198.51.100.7", true);
    EXPECT_EQ(owner_known.retry_after_s, 0);
    EXPECT_EQ(owner_known.delay, milliseconds(0));
    // Other accounts are untouched.
    EXPECT_EQ(throttle.Check("bob@x.org", "198.51.100.7", false).delay, milliseconds(0));
}

TEST(SignInThrottle, OneSourceSprayingManyAccountsIsBackedOff) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    for (int idx = 0; idx < 20; ++idx) {
        std::string account = "user" + std::to_string(idx) + "@x.org";
        EXPECT_EQ(throttle.Check(account, "203.0.113.9", false).retry_after_s, 0);
        throttle.RecordFailure(account, "203.0.113.9", false);
    }
    EXPECT_EQ(throttle.Check("next@x.org", "203.0.113.9", false).retry_after_s, 1);
    EXPECT_EQ(throttle.Check("next@x.org", "192.0.2.9", false).retry_after_s, 0);
    // A recognised client behind the same address (a shared NAT) still signs in.
    EXPECT_EQ(throttle.Check("owner@x.org", "203.0.113.9", true).retry_after_s, 0);
}

TEST(SignInThrottle, SuccessForgetsThePairAndQuietTimeForgetsEverything) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    for (int idx = 0; idx < 12; ++idx) {
        throttle.RecordFailure("ana@x.org", "203.0.113.1", false);
    }
    EXPECT_GT(throttle.Check("ana@x.org", "203.0.113.1", false).retry_after_s, 0);
    throttle.RecordSuccess("ana@x.org", "203.0.113.1");
    ThrottleVerdict after = throttle.Check("ana@x.org", "203.0.113.1", false);
    EXPECT_EQ(after.retry_after_s, 0);
    EXPECT_EQ(after.delay, milliseconds(400)) << "the account's slow-down is not reset by one success";
    clock.Advance(seconds(60 * 60 + 1));
    EXPECT_EQ(throttle.Check("ana@x.org", "203.0.113.1", false).delay, milliseconds(0));
    // A recognised client's failures are counted on its device, not here.
    for (int idx = 0; idx < 30; ++idx) {
        throttle.RecordFailure("bob@x.org", "203.0.113.2", true);
    }
    EXPECT_EQ(throttle.Check("bob@x.org", "203.0.113.2", false).retry_after_s, 0);
    EXPECT_EQ(throttle.Check("bob@x.org", "203.0.113.2", false).delay, milliseconds(0));
}

TEST(SignInThrottle, StaysBoundedAndKeepsTheCountersThatRestrict) {
    testing::FakeClock clock;
    ThrottlePolicy policy;
    policy.max_entries = 8;
    SignInThrottle throttle(clock, policy);
    for (int idx = 0; idx < 6; ++idx) {
        throttle.RecordFailure("ana@x.org", "203.0.113.1", false);
    }
    for (int idx = 0; idx < 100; ++idx) {
        throttle.RecordFailure("spray" + std::to_string(idx) + "@x.org", "10.0.0." + std::to_string(idx), false);
    }
    EXPECT_GT(throttle.Check("ana@x.org", "203.0.113.1", false).retry_after_s, 0) << "the active back-off survived";
}

TEST(SignInThrottle, KeysStaySmallWhateverTheClientSends) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    std::string huge(1 << 20, 'a');
    for (int idx = 0; idx < 5; ++idx) {
        throttle.RecordFailure(huge + std::to_string(idx), "203.0.113.1", false);
    }
    // Guesses longer than any email share their prefix's counter.
    EXPECT_EQ(throttle.Check(huge, "203.0.113.1", false).retry_after_s, 1);
    EXPECT_EQ(throttle.Check(huge.substr(0, 254), "203.0.113.1", false).retry_after_s, 1);
}

TEST(SignInThrottle, BackoffDoublesFromTheFirstStepUpToTheCap) {
    EXPECT_EQ(SignInThrottle::Backoff(4, 5, milliseconds(1000), milliseconds(900000)), milliseconds(0));
    EXPECT_EQ(SignInThrottle::Backoff(5, 5, milliseconds(1000), milliseconds(900000)), milliseconds(1000));
    EXPECT_EQ(SignInThrottle::Backoff(8, 5, milliseconds(1000), milliseconds(900000)), milliseconds(8000));
    EXPECT_EQ(SignInThrottle::Backoff(500, 5, milliseconds(1000), milliseconds(900000)), milliseconds(900000));
}

}  // namespace
}  // namespace strava1::accounts
