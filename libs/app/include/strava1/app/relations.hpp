#pragma once

// The relation between two users that every feature showing one user's things to another must ask
// (ADR 0020): whether the viewer follows the owner, and whether a block stands between them. The
// social feature implements it (social::FollowStore); accounts, activities and the features after
// them ask it through this interface, so none of them reads social's tables and social may itself
// depend on them.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace strava1::app {

/// What a viewer is to an owner, as privacy decisions need it.
enum class Relation : std::uint8_t {
    kNone,      ///< no accepted follow, no block
    kFollower,  ///< the viewer is an accepted follower of the owner
    kBlocked,   ///< one of the two blocked the other: the owner's things answer 404 to the viewer
};

/// The relation as a profile shows it to its viewer (GET /v1/users/{user_id}).
struct Relationship {
    std::string following = "none";  ///< the viewer's follow of the user: "none" | "pending" | "accepted"
    bool followed_by = false;        ///< the user is an accepted follower of the viewer
    bool blocked = false;            ///< a block stands between the two, either way
    bool muted = false;              ///< the viewer muted the user (their feed only)
    std::int64_t follower_count = 0;
    std::int64_t following_count = 0;
};

/// Thread-safe; each call is one statement. Viewer and owner the same user: kNone.
class Relations {
public:
    virtual ~Relations() = default;
    virtual boost::asio::awaitable<Relation> RelationOf(std::int64_t viewer_id, std::int64_t owner_id) = 0;
    /// RelationOf for many owners in one statement (lists, feeds): an entry for every owner asked.
    virtual boost::asio::awaitable<std::unordered_map<std::int64_t, Relation>> RelationsOf(
        std::int64_t viewer_id, std::vector<std::int64_t> owner_ids) = 0;
    virtual boost::asio::awaitable<Relationship> RelationshipOf(std::int64_t viewer_id, std::int64_t user_id) = 0;
    /// RelationshipOf for many users in one statement (people search): an entry for every user asked.
    virtual boost::asio::awaitable<std::unordered_map<std::int64_t, Relationship>> RelationshipsOf(
        std::int64_t viewer_id, std::vector<std::int64_t> user_ids) = 0;
    /// Every user a block stands between the viewer and, either way (left out of people search).
    virtual boost::asio::awaitable<std::vector<std::int64_t>> BlockedWith(std::int64_t viewer_id) = 0;
};

/// The relation where there is no social feature (unit tests, tools): nobody follows or blocks
/// anybody, and nothing is queried.
class NoRelations final : public Relations {
public:
    boost::asio::awaitable<Relation> RelationOf(std::int64_t, std::int64_t) override { co_return Relation::kNone; }
    boost::asio::awaitable<std::unordered_map<std::int64_t, Relation>> RelationsOf(
        std::int64_t, std::vector<std::int64_t> owner_ids) override {
        std::unordered_map<std::int64_t, Relation> out;
        for (std::int64_t id : owner_ids) {
            out.emplace(id, Relation::kNone);
        }
        co_return out;
    }
    boost::asio::awaitable<Relationship> RelationshipOf(std::int64_t, std::int64_t) override {
        co_return Relationship{};
    }
    boost::asio::awaitable<std::unordered_map<std::int64_t, Relationship>> RelationshipsOf(
        std::int64_t, std::vector<std::int64_t> user_ids) override {
        std::unordered_map<std::int64_t, Relationship> out;
        for (std::int64_t id : user_ids) {
            out.emplace(id, Relationship{});
        }
        co_return out;
    }
    boost::asio::awaitable<std::vector<std::int64_t>> BlockedWith(std::int64_t) override {
        co_return std::vector<std::int64_t>{};
    }
};

}  // namespace strava1::app
