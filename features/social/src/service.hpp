#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "repository.hpp"
#include "strava1/base/principal.hpp"
#include "strava1/http/paging.hpp"
#include "strava1/social/module.hpp"

namespace strava1::social {

/// One page of users, with the names accounts gives them.
struct UserPage {
    std::vector<ListedUser> rows;
    std::vector<accounts::ProfileFacts> facts;  ///< of the rows' users (a deleted one is left out)
    std::optional<std::string> next_cursor;
};

/// The decisions of follows, blocks and mutes. It takes no HTTP type.
class Service {
public:
    Service(Deps deps, Options options, Repository& repository)
        : deps_(deps), options_(options), repository_(repository) {}

    /// Follows `user_id`: "accepted" at once, or "pending" when they approve followers; the same
    /// state again for a follow that exists. 400 for oneself, 404 for a missing user or a block
    /// either way, 429 past the hourly budget.
    boost::asio::awaitable<std::string> Follow(Principal who, std::int64_t user_id);
    /// Unfollows, or cancels a request (nothing to remove is not an error).
    boost::asio::awaitable<void> Unfollow(Principal who, std::int64_t user_id);
    boost::asio::awaitable<UserPage> Requests(Principal who, http::Page page);
    boost::asio::awaitable<void> Accept(Principal who, std::int64_t follower_id);
    boost::asio::awaitable<void> Decline(Principal who, std::int64_t follower_id);
    boost::asio::awaitable<void> RemoveFollower(Principal who, std::int64_t follower_id);
    /// `following` false: the user's followers; true: whom they follow. 404 also when the user
    /// approves followers and the viewer is neither them nor an accepted follower.
    boost::asio::awaitable<UserPage> Connections(std::int64_t viewer_id, std::int64_t user_id, bool following,
                                                 http::Page page);
    boost::asio::awaitable<void> Block(Principal who, std::int64_t user_id);
    boost::asio::awaitable<void> Unblock(Principal who, std::int64_t user_id);
    boost::asio::awaitable<UserPage> Blocks(Principal who, http::Page page);
    boost::asio::awaitable<void> Mute(Principal who, std::int64_t user_id, bool mute);

private:
    /// The user's facts when the viewer may see them: 404 for a missing user and under a block.
    boost::asio::awaitable<accounts::ProfileFacts> VisibleUser(std::int64_t viewer_id, std::int64_t user_id);
    boost::asio::awaitable<UserPage> Named(std::vector<ListedUser> rows, const http::Page& page, bool by_time);

    Deps deps_;
    Options options_;
    Repository& repository_;
};

}  // namespace strava1::social
