#pragma once

// Password-guessing limits for POST /v1/auth/login (docs/adr/0002-authentication.md). Three
// counters of sign-in attempts that did not succeed, each keyed differently:
//   - per (account, source): one client guessing one account is backed off exponentially (429);
//   - per source: one client spraying many accounts is backed off exponentially (429);
//   - per account, from clients it does not recognise: attempts take turns, so the account's guess
//     rate is capped whatever the number of sources; a bounded queue, beyond which 429.
// A source is a client network (http::ClientNetwork: an IPv4 address, an IPv6 /64). A client that
// proves an earlier successful sign-in to the account (a device cookie) is exempt from all three;
// its own failures are counted on the device instead (features/accounts module).

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "strava1/base/clock.hpp"

namespace strava1::accounts {

struct ThrottlePolicy {
    int pair_free_failures = 5;  ///< per (account, source) before the back-off starts
    std::chrono::seconds pair_max_wait{15 * 60};
    int source_free_failures = 20;  ///< per source, over all accounts
    std::chrono::seconds source_max_wait{60 * 60};
    /// Per account, unrecognised attempts: this many start at once; each later one starts at least
    /// `account_first_spacing` after the one before, the spacing doubling up to `account_max_spacing`.
    int account_free_attempts = 10;
    std::chrono::milliseconds account_first_spacing{100};
    std::chrono::milliseconds account_max_spacing{2000};
    /// An attempt whose turn is further away than this is refused (429) instead of waiting.
    std::chrono::milliseconds account_max_queue{10000};
    std::chrono::seconds forget_after{60 * 60};  ///< a counter with no failure for this long starts over
    std::size_t max_entries = 100000;            ///< per counter table (memory bound)
};

struct ThrottleVerdict {
    int retry_after_s = 0;               ///< > 0: refuse (429) with this Retry-After
    std::chrono::milliseconds delay{0};  ///< otherwise: the attempt's turn; wait this long, then verify
};

/// In-memory, per process (like the HTTP rate limits). Thread-safe. `clock` must outlive it.
class SignInThrottle {
public:
    explicit SignInThrottle(const Clock& clock, ThrottlePolicy policy = {}) : clock_(clock), policy_(policy) {}

    /// Decides whether a sign-in attempt may go ahead and when. `account` is the normalised email,
    /// whether or not an account has it (so answers do not tell which emails exist); `source` the
    /// client address (Request::remote_ip); `recognised` whether the client proved an earlier
    /// successful sign-in to this account (then nothing is counted and nothing waits).
    /// An admitted unrecognised attempt counts as a failure from this moment, on all three counters,
    /// so a burst of concurrent attempts cannot pass before any of them has failed; `Succeeded`
    /// takes it back. A refused one counts only against its source (it spent no guess).
    ThrottleVerdict Admit(std::string_view account, std::string_view source, bool recognised);
    /// The admitted attempt signed in. For an unrecognised one: forgets this source's failures on
    /// the account and takes back the failure `Admit` counted (the account's pace stays). A
    /// recognised one changes nothing: it was never counted, and others may share its address.
    void Succeeded(std::string_view account, std::string_view source, bool recognised);

    /// The wait after `failures` failures: 0 up to `free_failures`, then 1, 2, 4, ... capped at `cap`.
    static std::chrono::milliseconds Backoff(int failures, int free_failures, std::chrono::milliseconds first,
                                             std::chrono::milliseconds cap);

private:
    struct Counter {
        int failures = 0;
        SystemTime last{};  ///< the latest failure
        SystemTime turn{};  ///< accounts: when the latest admitted attempt started
    };
    using Table = std::unordered_map<std::string, Counter>;

    /// The live counter for `key`, or null (none, or forgotten).
    const Counter* Find(const Table& table, const std::string& key, SystemTime now) const;
    /// The live counter for `key`, created or started over as needed; null when the table is full
    /// of counters that restrict someone.
    Counter* Live(Table& table, const std::string& key, int free_failures, SystemTime now);
    int RetryAfter(const Counter* counter, int free_failures, std::chrono::seconds cap, SystemTime now) const;

    const Clock& clock_;
    ThrottlePolicy policy_;
    std::mutex mutex_;
    Table pairs_;
    Table sources_;
    Table accounts_;
    // Paces the accounts that find accounts_ full (all of them together): failing closed, so filling
    // the table cannot switch pacing off for the account an attacker cares about.
    Counter overflow_account_;
};

}  // namespace strava1::accounts
