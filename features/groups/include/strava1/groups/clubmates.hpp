#pragma once

// Who shares a club with a user: follow suggestions ("Member of Riverside Runners", ADR 0027) and
// club posts (who may read them, the club's name on a card; ADR 0022) ask it through this contract,
// never clubs' tables.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace strava1::groups {

struct Clubmate {
    std::int64_t user_id = 0;
    std::string club_name;  ///< one club the two share (the first by name)
};

struct ClubName {
    std::int64_t club_id = 0;
    std::string name;
};

/// Thread-safe; one statement a call.
class Clubmates {
public:
    virtual ~Clubmates() = default;
    /// Active members of the active clubs of `user_id` (at most `clubs` of them, `per_club` members
    /// from each: the work is bounded whatever the clubs' sizes), each once, without the user.
    virtual boost::asio::awaitable<std::vector<Clubmate>> Of(std::int64_t user_id, int clubs, int per_club) = 0;
    /// The ids of the clubs `user_id` is an active member of (owner, admin or member), ascending.
    virtual boost::asio::awaitable<std::vector<std::int64_t>> ClubsOf(std::int64_t user_id) = 0;
    /// The names of those of `club_ids` that exist, in no particular order.
    virtual boost::asio::awaitable<std::vector<ClubName>> Names(std::vector<std::int64_t> club_ids) = 0;
};

}  // namespace strava1::groups
