// The relation contract, answered from follows and blocks.
#include "strava1/social/follow_store.hpp"

#include "strava1/db/arrays.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/db/result.hpp"

namespace strava1::social {
namespace asio = boost::asio;
using db::Params;

namespace {

// 2: blocked either way, 1: accepted follower, 0: neither. A block outranks a follow (blocking
// removes follows, but the check must not depend on that having happened).
constexpr const char* kRelationOf =
    "SELECT o.id, CASE WHEN EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = o.id) "
    "OR (b.blocker_id = o.id AND b.blocked_id = $1)) THEN 2 "
    "WHEN EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = o.id AND f.state = 'accepted') "
    "THEN 1 ELSE 0 END FROM unnest($2::bigint[]) AS o(id)";

constexpr const char* kRelationshipOf =
    "SELECT (SELECT state FROM follows WHERE follower_id = $1 AND followee_id = $2), "
    "EXISTS (SELECT 1 FROM follows WHERE follower_id = $2 AND followee_id = $1 AND state = 'accepted'), "
    "EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = "
    "$1)), "
    "EXISTS (SELECT 1 FROM mutes WHERE muter_id = $1 AND muted_id = $2), "
    "(SELECT count(*) FROM follows WHERE followee_id = $2 AND state = 'accepted'), "
    "(SELECT count(*) FROM follows WHERE follower_id = $2 AND state = 'accepted')";

// RelationshipOf for each id of $2 (the same columns after the id).
constexpr const char* kRelationshipsOf =
    "SELECT o.id, (SELECT state FROM follows WHERE follower_id = $1 AND followee_id = o.id), "
    "EXISTS (SELECT 1 FROM follows WHERE follower_id = o.id AND followee_id = $1 AND state = 'accepted'), "
    "EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = $1 AND blocked_id = o.id) OR (blocker_id = o.id AND "
    "blocked_id = $1)), "
    "EXISTS (SELECT 1 FROM mutes WHERE muter_id = $1 AND muted_id = o.id), "
    "(SELECT count(*) FROM follows WHERE followee_id = o.id AND state = 'accepted'), "
    "(SELECT count(*) FROM follows WHERE follower_id = o.id AND state = 'accepted') "
    "FROM unnest($2::bigint[]) AS o(id)";

constexpr const char* kBlockedWith =
    "SELECT blocked_id FROM blocks WHERE blocker_id = $1 UNION SELECT blocker_id FROM blocks WHERE blocked_id = $1";

app::Relation RelationFrom(std::int64_t code) {
    return code == 2 ? app::Relation::kBlocked : code == 1 ? app::Relation::kFollower : app::Relation::kNone;
}

}  // namespace

asio::awaitable<app::Relation> FollowStore::RelationOf(std::int64_t viewer_id, std::int64_t owner_id) {
    if (viewer_id == owner_id) {
        co_return app::Relation::kNone;
    }
    // A point lookup on the hot path of every activity read: pipelined.
    db::Result r =
        co_await pool_.QueryPipelined(kRelationOf, Params::Of(viewer_id, "{" + std::to_string(owner_id) + "}"));
    co_return r.Empty() ? app::Relation::kNone : RelationFrom(r.Int(0, 1));
}

asio::awaitable<std::unordered_map<std::int64_t, app::Relation>> FollowStore::RelationsOf(
    std::int64_t viewer_id, std::vector<std::int64_t> owner_ids) {
    std::unordered_map<std::int64_t, app::Relation> out;
    if (owner_ids.empty()) {
        co_return out;
    }
    db::Result r = co_await pool_.Query(kRelationOf, Params::Of(viewer_id, db::Int64Array(owner_ids)));
    for (int row = 0; row < r.Rows(); ++row) {
        out[r.Int(row, 0)] = r.Int(row, 0) == viewer_id ? app::Relation::kNone : RelationFrom(r.Int(row, 1));
    }
    co_return out;
}

asio::awaitable<app::Relationship> FollowStore::RelationshipOf(std::int64_t viewer_id, std::int64_t user_id) {
    db::Result r = co_await pool_.QueryPipelined(kRelationshipOf, Params::Of(viewer_id, user_id));
    app::Relationship out;
    if (viewer_id != user_id) {
        out.following = r.OptString(0, 0).value_or("none");
        out.followed_by = r.Bool(0, 1);
        out.blocked = r.Bool(0, 2);
        out.muted = r.Bool(0, 3);
    }
    out.follower_count = r.Int(0, 4);
    out.following_count = r.Int(0, 5);
    co_return out;
}

asio::awaitable<std::unordered_map<std::int64_t, app::Relationship>> FollowStore::RelationshipsOf(
    std::int64_t viewer_id, std::vector<std::int64_t> user_ids) {
    std::unordered_map<std::int64_t, app::Relationship> out;
    if (user_ids.empty()) {
        co_return out;
    }
    db::Result r = co_await pool_.Query(kRelationshipsOf, Params::Of(viewer_id, db::Int64Array(user_ids)));
    for (int row = 0; row < r.Rows(); ++row) {
        app::Relationship rel;
        if (r.Int(row, 0) != viewer_id) {
            rel.following = r.OptString(row, 1).value_or("none");
            rel.followed_by = r.Bool(row, 2);
            rel.blocked = r.Bool(row, 3);
            rel.muted = r.Bool(row, 4);
        }
        rel.follower_count = r.Int(row, 5);
        rel.following_count = r.Int(row, 6);
        out[r.Int(row, 0)] = std::move(rel);
    }
    co_return out;
}

asio::awaitable<std::vector<std::int64_t>> FollowStore::BlockedWith(std::int64_t viewer_id) {
    db::Result r = co_await pool_.Query(kBlockedWith, Params::Of(viewer_id));
    std::vector<std::int64_t> out;
    out.reserve(r.Rows());
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(r.Int(row, 0));
    }
    co_return out;
}

}  // namespace strava1::social
