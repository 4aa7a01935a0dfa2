#pragma once

// Social's tables and nothing else: one named statement per operation. It runs what it is asked
// and decides nothing.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strava1/db/pool.hpp"

namespace strava1::social {

/// One user of a list, with the list's sort key.
struct ListedUser {
    std::int64_t user_id = 0;
    std::int64_t sort_us = 0;  ///< when the row was made (µs since the epoch); lists by id leave it 0
    bool is_friend = false;    ///< the listed user and the list's user follow each other
    std::string at;            ///< the row's time, RFC 3339 UTC
};

/// A list page's key: rows strictly after it in the list's order.
struct After {
    std::int64_t sort_us = INT64_MAX;
    std::int64_t user_id = INT64_MAX;
};

class Repository {
public:
    explicit Repository(db::Pool& pool) : pool_(pool) {}
    db::Pool& Pool() { return pool_; }

    static boost::asio::awaitable<bool> BlockedEitherWay(db::Transaction& tx, std::int64_t a, std::int64_t b);
    static boost::asio::awaitable<std::optional<std::string>> FollowState(db::Transaction& tx, std::int64_t follower,
                                                                          std::int64_t followee);
    /// Counts one new follow against the user's hourly budget; {used in this window, seconds left in it}.
    static boost::asio::awaitable<std::pair<int, int>> SpendFollowBudget(db::Transaction& tx, std::int64_t user_id);
    /// The row's state after the insert (the existing one if another request made it first).
    static boost::asio::awaitable<std::string> InsertFollow(db::Transaction& tx, std::int64_t follower,
                                                            std::int64_t followee, bool pending);
    /// The state the deleted follow had ("pending" | "accepted"), nullopt when there was none.
    static boost::asio::awaitable<std::optional<std::string>> DeleteFollow(db::Transaction& tx, std::int64_t follower,
                                                                           std::int64_t followee);
    /// Each returns whether a row matched.
    static boost::asio::awaitable<bool> Accept(db::Transaction& tx, std::int64_t followee, std::int64_t follower);
    static boost::asio::awaitable<bool> Decline(db::Transaction& tx, std::int64_t followee, std::int64_t follower);
    static boost::asio::awaitable<bool> RemoveFollower(db::Transaction& tx, std::int64_t followee,
                                                       std::int64_t follower);

    boost::asio::awaitable<std::vector<ListedUser>> Requests(std::int64_t followee, After after, int fetch);
    /// Accepted followers of `user_id` (or whom it follows), leaving out users a block stands
    /// between with `viewer_id`; by user id, descending.
    boost::asio::awaitable<std::vector<ListedUser>> Followers(std::int64_t user_id, std::int64_t viewer_id, After after,
                                                              int fetch);
    boost::asio::awaitable<std::vector<ListedUser>> Following(std::int64_t user_id, std::int64_t viewer_id, After after,
                                                              int fetch);

    /// Blocks and removes the follows both ways, in `tx`.
    static boost::asio::awaitable<void> Block(db::Transaction& tx, std::int64_t blocker, std::int64_t blocked);
    boost::asio::awaitable<void> Unblock(std::int64_t blocker, std::int64_t blocked);
    boost::asio::awaitable<std::vector<ListedUser>> Blocks(std::int64_t blocker, After after, int fetch);
    boost::asio::awaitable<void> Mute(std::int64_t muter, std::int64_t muted);
    boost::asio::awaitable<void> Unmute(std::int64_t muter, std::int64_t muted);

private:
    db::Pool& pool_;
};

}  // namespace strava1::social
