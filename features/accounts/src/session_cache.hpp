#pragma once

// What the authenticator remembers between requests, and what the service forgets when a session
// ends: per process, bounded, behind one short mutex never held across co_await.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "account_standing.hpp"
#include "strava1/auth/local_tokens.hpp"
#include "strava1/base/clock.hpp"

namespace strava1::accounts {

class SessionCache {
public:
    struct SessionState {
        bool live = false;
        std::int64_t user_id = 0;
        SystemTime auth_time{};
        StandingRow standing;
        std::chrono::steady_clock::time_point checked;
    };
    /// A Firebase identity's account, re-read like a session's state (role, suspension).
    struct FirebaseState {
        std::int64_t user_id = 0;
        StandingRow standing;
        std::chrono::steady_clock::time_point checked;
    };

    /// A session's state checked less than `ttl` ago, if known.
    std::optional<SessionState> Session(std::int64_t session_id, std::chrono::steady_clock::time_point now,
                                        std::chrono::milliseconds ttl);
    void StoreSession(std::int64_t session_id, SessionState state);
    /// The session ended (logout, revocation, refresh-token reuse): the next request checks again.
    void ForgetSession(std::int64_t session_id);

    /// A Firebase identity's state checked less than `ttl` ago, if known.
    std::optional<FirebaseState> FirebaseUser(const std::string& uid, std::chrono::steady_clock::time_point now,
                                              std::chrono::milliseconds ttl);
    void StoreFirebaseUser(const std::string& uid, FirebaseState state);

    /// Claims of a local token whose signature verified, while they have not expired (`now`).
    std::optional<auth::LocalTokenClaims> VerifiedToken(const std::string& token, SystemTime now);
    void StoreVerifiedToken(const std::string& token, auth::LocalTokenClaims claims);

    /// The account is gone: no session of anyone's stays cached, nor its Firebase identity.
    void ForgetUser(std::int64_t user_id);

private:
    static constexpr std::size_t kMaxSessions = 100000;
    static constexpr std::size_t kMaxVerifiedTokens = 50000;

    std::mutex mutex_;
    std::unordered_map<std::int64_t, SessionState> sessions_;
    std::unordered_map<std::string, FirebaseState> firebase_users_;
    // A token's signature check is deterministic, so a hit skips the ECDSA verification (the
    // dominant cost of an authenticated request). Expiry is still checked on use.
    std::unordered_map<std::string, auth::LocalTokenClaims> verified_tokens_;
};

}  // namespace strava1::accounts
