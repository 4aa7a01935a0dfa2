#pragma once

// The accounts contract for moderation (ADR 0024): a user's site role and suspension. Accounts owns
// them (users.role, users.suspended_at) and the sessions a suspension ends; social's moderation and
// the `strava1 user` command change them only through this.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace strava1::accounts {

/// Changes a user's standing. Implemented by accounts::Module; thread-safe.
class Standing {
public:
    virtual ~Standing() = default;

    /// Makes the user with this email (compared case-insensitively) a site administrator, or a
    /// plain user again: their id, or nullopt when there is no such user. Takes effect on their next
    /// request (the session cache holds a role no longer than its TTL).
    virtual boost::asio::awaitable<std::optional<std::int64_t>> SetSiteAdmin(std::string email, bool admin) = 0;

    /// Suspends the user (they cannot sign in; every session is revoked, so their access tokens stop
    /// working on the next request and refresh fails) or lifts it (they may sign in again). False when
    /// there is no such user.
    virtual boost::asio::awaitable<bool> SetSuspended(std::int64_t user_id, bool suspended) = 0;
};

}  // namespace strava1::accounts
