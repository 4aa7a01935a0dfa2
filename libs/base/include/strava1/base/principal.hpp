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
};

}  // namespace strava1
