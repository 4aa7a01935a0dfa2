#pragma once

// Who shares a club with a user: follow suggestions ("Member of Riverside Runners", ADR 0027) ask
// it through this contract, never clubs' tables.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace strava1::groups {

struct Clubmate {
    std::int64_t user_id = 0;
    std::string club_name;  ///< one club the two share (the first by name)
};

/// Thread-safe; one statement a call.
class Clubmates {
public:
    virtual ~Clubmates() = default;
    /// Active members of the active clubs of `user_id` (at most `clubs` of them, `per_club` members
    /// from each: the work is bounded whatever the clubs' sizes), each once, without the user.
    virtual boost::asio::awaitable<std::vector<Clubmate>> Of(std::int64_t user_id, int clubs, int per_club) = 0;
};

}  // namespace strava1::groups
