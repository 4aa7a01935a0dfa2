#pragma once

#include <cstdint>
#include <string>

#include "strava1/base/clock.hpp"

namespace strava1 {

/// Who is calling, once authentication succeeded. Plain data, copied freely.
struct Principal {
    std::int64_t user_id = 0;
    std::int64_t session_id = 0;  ///< local session; 0 for Firebase tokens
    SystemTime auth_time{};       ///< when the user last proved their credentials
    /// users.role is 'admin' (ADR 0024): the routes of Access::SiteAdmin let them in, and content
    /// moderation hid still answers them. Read with the session's state, so a revoked role ends
    /// within the session cache's TTL.
    bool site_admin = false;
};

}  // namespace strava1
