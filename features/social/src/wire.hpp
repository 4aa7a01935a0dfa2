#pragma once

#include <string>

#include "service.hpp"

namespace strava1::social {

/// {"user_id", "state"}: the caller's follow of a user.
std::string FollowJson(std::int64_t user_id, const std::string& state);
/// {"users": [{id, username, display_name, is_friend?, at_key?}], "next_cursor"}; `at_key` names the
/// row's time ("requested_at", "blocked_at"), and friends are shown only for follower lists.
std::string UserPageJson(const UserPage& page, const char* at_key, bool with_friend);

}  // namespace strava1::social
