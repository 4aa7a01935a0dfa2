#pragma once

// Password-guessing limits for POST /v1/auth/login (docs/adr/0002-authentication.md). Three
// counters of failed sign-ins, each keyed differently:
//   - per (account, source): one address guessing one account is backed off exponentially (429);
//   - per source: one address spraying many accounts is backed off exponentially (429);
//   - per account, from clients it does not recognise: only slowed down (a bounded delay before
//     the answer), never refused, so rotating addresses cannot lock the owner out.
// A client that proves an earlier successful sign-in to the account (a device cookie) is exempt
// from all three; its own failures are counted on the device instead (features/accounts module).

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
    int account_free_failures = 10;  ///< per account, unrecognised clients, before slowing down
    std::chrono::milliseconds account_first_delay{100};
    std::chrono::milliseconds account_max_delay{2000};
    std::chrono::seconds forget_after{60 * 60};  ///< a counter with no failure for this long starts over
    std::size_t max_entries = 100000;            ///< per counter table (memory bound)
};

struct ThrottleVerdict {
    int retry_after_s = 0;               ///< > 0: refuse (429) with this Retry-After
    std::chrono::milliseconds delay{0};  ///< otherwise: wait this long before answering
};

/// In-memory, per process (like the HTTP rate limits). Thread-safe. `clock` must outlive it.
class SignInThrottle {
public:
    explicit SignInThrottle(const Clock& clock, ThrottlePolicy policy = {}) : clock_(clock), policy_(policy) {}

    /// `account` is the normalised email, whether or not an account has it (so answers do not tell
    /// which emails exist); `source` the client address; `recognised` whether the client proved an
    /// earlier successful sign-in to this account.
    ThrottleVerdict Check(std::string_view account, std::string_view source, bool recognised);
    /// A wrong password (or an unknown email). Failures of recognised clients are not counted here.
    void RecordFailure(std::string_view account, std::string_view source, bool recognised);
    /// A successful sign-in forgets this source's failures on this account.
    void RecordSuccess(std::string_view account, std::string_view source);

    /// The wait after `failures` failures: 0 up to `free_failures`, then 1, 2, 4, ... capped at `cap`.
    static std::chrono::milliseconds Backoff(int failures, int free_failures, std::chrono::milliseconds first,
                                             std::chrono::milliseconds cap);

private:
    struct Counter {
        int failures = 0;
        SystemTime last{};
    };
    using Table = std::unordered_map<std::string, Counter>;

    /// The live counter for `key`, or null (none, or forgotten).
    const Counter* Find(const Table& table, const std::string& key, SystemTime now) const;
    void Bump(Table& table, std::string key, int free_failures, SystemTime now);
    int RetryAfter(const Counter* counter, int free_failures, std::chrono::seconds cap, SystemTime now) const;

    const Clock& clock_;
    ThrottlePolicy policy_;
    std::mutex mutex_;
    Table pairs_;
    Table sources_;
    Table accounts_;
};

}  // namespace strava1::accounts
