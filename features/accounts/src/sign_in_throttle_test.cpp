#include "sign_in_throttle.hpp"

#include <gtest/gtest.h>

#include "strava1/testing/pg.hpp"

namespace strava1::accounts {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

/// One wrong attempt: admitted (the caller would wait `delay`, verify, fail) or refused.
ThrottleVerdict Fail(SignInThrottle& throttle, std::string_view account, std::string_view source) {
    return throttle.Admit(account, source, false);
}

TEST(SignInThrottle, OneSourceOnOneAccountIsBackedOffExponentially) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    for (int idx = 0; idx < 5; ++idx) {
        EXPECT_EQ(Fail(throttle, "ana@x.org", "203.0.113.1").retry_after_s, 0);
    }
    EXPECT_EQ(Fail(throttle, "ana@x.org", "203.0.113.1").retry_after_s, 1);
    clock.Advance(seconds(1));
    EXPECT_EQ(Fail(throttle, "ana@x.org", "203.0.113.1").retry_after_s, 0);
    EXPECT_EQ(Fail(throttle, "ana@x.org", "203.0.113.1").retry_after_s, 2);
    // Another source, and the same source on another account, are not refused.
    EXPECT_EQ(throttle.Admit("ana@x.org", "192.0.2.1", false).retry_after_s, 0);
    EXPECT_EQ(throttle.Admit("bob@x.org", "203.0.113.1", false).retry_after_s, 0);
    // A recognised client is exempt even from the blocked source, and waits for nothing.
    ThrottleVerdict known = throttle.Admit("ana@x.org", "203.0.113.1", true);
    EXPECT_EQ(known.retry_after_s, 0);
    EXPECT_EQ(known.delay, milliseconds(0));
    for (int idx = 0; idx < 10; ++idx) {
        clock.Advance(seconds(15 * 60));
        EXPECT_EQ(Fail(throttle, "ana@x.org", "203.0.113.1").retry_after_s, 0) << idx;
    }
    EXPECT_EQ(Fail(throttle, "ana@x.org", "203.0.113.1").retry_after_s, 15 * 60) << "capped";
}

TEST(SignInThrottle, Ipv6AddressesOfOneSlash64AreOneSource) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    for (int idx = 1; idx <= 5; ++idx) {
        EXPECT_EQ(Fail(throttle, "ana@x.org", "2001:db8:7:7::" + std::to_string(idx)).retry_after_s, 0);
    }
    EXPECT_EQ(Fail(throttle, "ana@x.org", "2001:db8:7:7:ffff:ffff:ffff:ffff").retry_after_s, 1);
    EXPECT_EQ(Fail(throttle, "ana@x.org", "2001:db8:7:8::1").retry_after_s, 0) << "the next /64";
    // Spraying: 20 accounts from addresses of one /64 exhaust that /64's budget.
    for (int idx = 0; idx < 20; ++idx) {
        EXPECT_EQ(Fail(throttle, "user" + std::to_string(idx) + "@x.org", "2001:db8:9:9::" + std::to_string(idx + 1))
                      .retry_after_s,
                  0);
    }
    EXPECT_EQ(Fail(throttle, "next@x.org", "2001:db8:9:9:1234::1").retry_after_s, 1);
    // An IPv4-mapped IPv6 address is the IPv4 client.
    for (int idx = 0; idx < 5; ++idx) {
        Fail(throttle, "bob@x.org", "::ffff:198.51.100.9");
    }
    EXPECT_EQ(Fail(throttle, "bob@x.org", "198.51.100.9").retry_after_s, 1);
}

// The ceiling on one account: a burst from any number of sources is served in turns, 10 at once,
// then 100 ms, 200 ms ... apart up to 2 s; what would wait more than 10 s is refused.
TEST(SignInThrottle, ABurstFromManySourcesIsServedInTurnsWithABoundedQueue) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    std::vector<milliseconds> admitted;
    std::vector<int> refused;
    for (int idx = 0; idx < 100; ++idx) {
        ThrottleVerdict verdict = Fail(throttle, "ana@x.org", "2001:db8:" + std::to_string(idx + 1) + "::1");
        if (verdict.retry_after_s > 0) {
            refused.push_back(verdict.retry_after_s);
        } else {
            admitted.push_back(verdict.delay);
        }
    }
    std::vector<milliseconds> expected(10, milliseconds(0));
    for (int turn_ms : {100, 300, 700, 1500, 3100, 5100, 7100, 9100}) {
        expected.push_back(milliseconds(turn_ms));
    }
    EXPECT_EQ(admitted, expected);
    ASSERT_EQ(refused.size(), 82u);
    EXPECT_EQ(refused.front(), 2) << "the next turn (11.1 s) fits the 10 s queue in 1.1 s";
    // The owner's known device is not in the queue.
    EXPECT_EQ(throttle.Admit("ana@x.org", "2001:db8:ffff::1", true).delay, milliseconds(0));
    // The owner on a new device: refused while the queue is full, queued once Retry-After has passed.
    ThrottleVerdict owner = throttle.Admit("ana@x.org", "192.0.2.123", false);
    ASSERT_GT(owner.retry_after_s, 0);
    clock.Advance(seconds(owner.retry_after_s));
    owner = throttle.Admit("ana@x.org", "192.0.2.123", false);
    EXPECT_EQ(owner.retry_after_s, 0);
    EXPECT_EQ(owner.delay, milliseconds(11100 - 2000));
    // Other accounts are untouched.
    EXPECT_EQ(throttle.Admit("bob@x.org", "2001:db8:1::1", false).delay, milliseconds(0));
}

// A sustained attack that keeps the queue full from ever new sources: over any minute, the account
// sees at most one attempt per 2 s (plus the free ones and the ramp, once).
TEST(SignInThrottle, ASustainedAttackGetsOneAttemptPerTwoSecondsOnTheAccount) {
    testing::FakeClock clock;
    const SystemTime start = clock.Now();
    SignInThrottle throttle(clock);
    std::vector<SystemTime> starts;  // when each admitted attempt may start
    int sources = 0;
    for (int tick = 0; tick < 10 * 60 * 10; ++tick) {  // 10 minutes, 50 attempts a second
        for (int idx = 0; idx < 5; ++idx) {
            ++sources;
            std::string source = "10." + std::to_string(sources / 65536) + "." + std::to_string(sources / 256 % 256) +
                                 "." + std::to_string(sources % 256);
            ThrottleVerdict verdict = Fail(throttle, "ana@x.org", source);
            if (verdict.retry_after_s == 0) {
                starts.push_back(clock.Now() + verdict.delay);
            }
        }
        clock.Advance(milliseconds(100));
    }
    std::sort(starts.begin(), starts.end());
    for (std::size_t idx = 1; idx < starts.size(); ++idx) {
        if (idx >= 15) {
            EXPECT_GE(starts[idx] - starts[idx - 1], milliseconds(2000)) << idx;
        }
    }
    auto in_window = [&](SystemTime from, SystemTime to) {
        return std::count_if(starts.begin(), starts.end(), [&](SystemTime t) { return t >= from && t < to; });
    };
    EXPECT_LE(in_window(start, start + seconds(60)), 10 + 5 + 29);
    for (int minute = 1; minute < 10; ++minute) {
        EXPECT_LE(in_window(start + seconds(60 * minute), start + seconds(60 * (minute + 1))), 30) << minute;
        EXPECT_GE(in_window(start + seconds(60 * minute), start + seconds(60 * (minute + 1))), 29) << minute;
    }
    // And still: the owner's device at once, the owner's new device as soon as a turn is free.
    EXPECT_EQ(throttle.Admit("ana@x.org", "198.51.100.7", true).delay, milliseconds(0));
}

TEST(SignInThrottle, QueueRefusalsCountAgainstTheirSource) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    for (int idx = 0; idx < 19; ++idx) {
        Fail(throttle, "ana@x.org", "203.0.113." + std::to_string(idx));  // fills the queue
    }
    // One address keeps knocking at the full queue: 20 refusals, then its own back-off.
    for (int idx = 0; idx < 20; ++idx) {
        ThrottleVerdict verdict = Fail(throttle, "ana@x.org", "198.51.100.1");
        ASSERT_GT(verdict.retry_after_s, 0);
        EXPECT_LE(verdict.retry_after_s, 2);
    }
    EXPECT_EQ(Fail(throttle, "other@x.org", "198.51.100.1").retry_after_s, 1) << "the source is backed off";
}

TEST(SignInThrottle, ConcurrentAttemptsCountBeforeTheyFail) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    // Twenty at the same instant from one address: the first five pass, the rest are refused,
    // although none of them has been answered yet.
    int passed = 0;
    for (int idx = 0; idx < 20; ++idx) {
        passed += Fail(throttle, "ana@x.org", "203.0.113.1").retry_after_s == 0 ? 1 : 0;
    }
    EXPECT_EQ(passed, 5);
}

TEST(SignInThrottle, SuccessForgetsThePairAndTakesItsAttemptBack) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    for (int idx = 0; idx < 5; ++idx) {
        Fail(throttle, "ana@x.org", "203.0.113.1");
    }
    for (int idx = 0; idx < 7; ++idx) {
        Fail(throttle, "ana@x.org", "192.0.2." + std::to_string(idx));
    }
    EXPECT_GT(Fail(throttle, "ana@x.org", "203.0.113.1").retry_after_s, 0);
    throttle.Succeeded("ana@x.org", "203.0.113.1", false);  // 11 failures left on the account
    clock.Advance(seconds(10));
    ThrottleVerdict after = Fail(throttle, "ana@x.org", "203.0.113.1");
    EXPECT_EQ(after.retry_after_s, 0) << "the pair was forgotten";
    EXPECT_EQ(after.delay, milliseconds(0));
    // The account keeps its pace: with 12 failures on it, the next turn comes 400 ms after this one.
    ThrottleVerdict next = Fail(throttle, "ana@x.org", "192.0.2.1");
    EXPECT_EQ(next.delay, milliseconds(400));
    clock.Advance(seconds(60 * 60 + 1));
    EXPECT_EQ(Fail(throttle, "ana@x.org", "203.0.113.1").delay, milliseconds(0));
    // A recognised client's attempts are counted on its device, not here.
    for (int idx = 0; idx < 30; ++idx) {
        throttle.Admit("bob@x.org", "203.0.113.2", true);
    }
    ThrottleVerdict bob = Fail(throttle, "bob@x.org", "203.0.113.2");
    EXPECT_EQ(bob.retry_after_s, 0);
    EXPECT_EQ(bob.delay, milliseconds(0));
}

TEST(SignInThrottle, AKnownDeviceSigningInDoesNotClearTheBackOffOfItsAddress) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    // An attacker behind the owner's NAT has used up the address's guesses on the account.
    for (int idx = 0; idx < 5; ++idx) {
        Fail(throttle, "ana@x.org", "203.0.113.1");
    }
    ASSERT_EQ(throttle.Admit("ana@x.org", "203.0.113.1", true).retry_after_s, 0);
    throttle.Succeeded("ana@x.org", "203.0.113.1", true);
    EXPECT_EQ(Fail(throttle, "ana@x.org", "203.0.113.1").retry_after_s, 1) << "the owner's device skipped the "
                                                                              "counters; it does not reset them";
}

TEST(SignInThrottle, StaysBoundedAndKeepsTheCountersThatRestrict) {
    testing::FakeClock clock;
    ThrottlePolicy policy;
    policy.max_entries = 8;
    SignInThrottle throttle(clock, policy);
    for (int idx = 0; idx < 6; ++idx) {
        Fail(throttle, "ana@x.org", "203.0.113.1");
    }
    for (int idx = 0; idx < 100; ++idx) {
        Fail(throttle, "spray" + std::to_string(idx) + "@x.org", "10.0.0." + std::to_string(idx));
    }
    EXPECT_GT(Fail(throttle, "ana@x.org", "203.0.113.1").retry_after_s, 0) << "the active back-off survived";
}

TEST(SignInThrottle, AccountsThatFindTheTableFullArePacedTogether) {
    testing::FakeClock clock;
    ThrottlePolicy policy;
    policy.max_entries = 4;
    SignInThrottle throttle(clock, policy);
    // Four accounts under attack fill the table with counters that restrict.
    for (int account = 0; account < 4; ++account) {
        for (int idx = 0; idx < 12; ++idx) {
            Fail(throttle, "victim" + std::to_string(account) + "@x.org",
                 "10.1." + std::to_string(account) + "." + std::to_string(idx));
        }
    }
    // The next account is not tracked on its own, yet still served in turns.
    int waited = 0;
    for (int idx = 0; idx < 30; ++idx) {
        ThrottleVerdict verdict = Fail(throttle, "target@x.org", "10.2.0." + std::to_string(idx));
        waited += verdict.retry_after_s > 0 || verdict.delay > milliseconds(0) ? 1 : 0;
    }
    EXPECT_GE(waited, 19);
}

TEST(SignInThrottle, KeysStaySmallWhateverTheClientSends) {
    testing::FakeClock clock;
    SignInThrottle throttle(clock);
    std::string huge(1 << 20, 'a');
    for (int idx = 0; idx < 5; ++idx) {
        Fail(throttle, huge + std::to_string(idx), "203.0.113.1");
    }
    // Guesses longer than any email share their prefix's counter.
    EXPECT_EQ(Fail(throttle, huge, "203.0.113.1").retry_after_s, 1);
    EXPECT_EQ(Fail(throttle, huge.substr(0, 254), "203.0.113.1").retry_after_s, 1);
}

TEST(SignInThrottle, BackoffDoublesFromTheFirstStepUpToTheCap) {
    EXPECT_EQ(SignInThrottle::Backoff(4, 5, milliseconds(1000), milliseconds(900000)), milliseconds(0));
    EXPECT_EQ(SignInThrottle::Backoff(5, 5, milliseconds(1000), milliseconds(900000)), milliseconds(1000));
    EXPECT_EQ(SignInThrottle::Backoff(8, 5, milliseconds(1000), milliseconds(900000)), milliseconds(8000));
    EXPECT_EQ(SignInThrottle::Backoff(500, 5, milliseconds(1000), milliseconds(900000)), milliseconds(900000));
}

}  // namespace
}  // namespace strava1::accounts
