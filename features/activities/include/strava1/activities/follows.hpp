#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>

namespace strava1::activities {

/// Who follows whom, as the privacy function needs it for activities visible to "followers". The
/// social feature implements it; until then NobodyFollows stands in, and a followers-only activity
/// is its owner's alone.
class FollowGraph {
public:
    virtual ~FollowGraph() = default;
    /// Whether `follower_id` is an accepted follower of `followee_id`.
    virtual boost::asio::awaitable<bool> Follows(std::int64_t follower_id, std::int64_t followee_id) = 0;
};

/// The follow relation while there is none: nobody follows anybody (and nothing is queried).
class NobodyFollows final : public FollowGraph {
public:
    boost::asio::awaitable<bool> Follows(std::int64_t, std::int64_t) override { co_return false; }
};

}  // namespace strava1::activities
