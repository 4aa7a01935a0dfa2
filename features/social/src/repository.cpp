#include "repository.hpp"

#include "strava1/db/result.hpp"

namespace strava1::social {
namespace asio = boost::asio;
using db::Params;

namespace {

#define SOCIAL_US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"
#define SOCIAL_UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

constexpr const char* kBlockedEitherWay =
    "SELECT EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) OR "
    "(blocker_id = $2 AND blocked_id = $1))";
constexpr const char* kFollowState = "SELECT state FROM follows WHERE follower_id = $1 AND followee_id = $2";
// A fixed one-hour window per user, opened by its first follow after the last one ran out.
constexpr const char* kSpendFollowBudget =
    "INSERT INTO follow_request_budget AS b (user_id, window_start, used) VALUES ($1, now(), 1) "
    "ON CONFLICT (user_id) DO UPDATE SET "
    "window_start = CASE WHEN b.window_start <= now() - interval '1 hour' THEN now() ELSE b.window_start END, "
    "used = CASE WHEN b.window_start <= now() - interval '1 hour' THEN 1 ELSE b.used + 1 END "
    "RETURNING used, ceil(extract(epoch FROM b.window_start + interval '1 hour' - now()))::int";
constexpr const char* kInsertFollow =
    "INSERT INTO follows (follower_id, followee_id, state, accepted_at) "
    "VALUES ($1, $2, CASE WHEN $3 THEN 'pending' ELSE 'accepted' END, CASE WHEN $3 THEN NULL ELSE now() END) "
    "ON CONFLICT (follower_id, followee_id) DO NOTHING RETURNING state";
constexpr const char* kDeleteFollow = "DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2 RETURNING state";
constexpr const char* kAccept =
    "UPDATE follows SET state = 'accepted', accepted_at = now() "
    "WHERE followee_id = $1 AND follower_id = $2 AND state = 'pending' RETURNING 1";
constexpr const char* kDecline =
    "DELETE FROM follows WHERE followee_id = $1 AND follower_id = $2 AND state = 'pending' RETURNING 1";
constexpr const char* kRemoveFollower =
    "DELETE FROM follows WHERE followee_id = $1 AND follower_id = $2 AND state = 'accepted' RETURNING 1";
constexpr const char* kRequests =
    "SELECT follower_id, " SOCIAL_US("created_at") ", false, " SOCIAL_UTC("created_at") " FROM follows "
    "WHERE followee_id = $1 AND state = 'pending' AND (" SOCIAL_US("created_at") ", follower_id) < ($2, $3) "
    "ORDER BY " SOCIAL_US("created_at") " DESC, follower_id DESC LIMIT $4";
// The viewer's blocks either way leave a user out of any list the viewer reads.
#define SOCIAL_NOT_BLOCKED(other)                                                                \
    " AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $2 AND b.blocked_id = " other \
    ") OR "                                                                                      \
    "(b.blocker_id = " other " AND b.blocked_id = $2)) "
constexpr const char* kFollowers =
    "SELECT f.follower_id, 0::bigint, EXISTS (SELECT 1 FROM follows r WHERE r.follower_id = $1 AND "
    "r.followee_id = f.follower_id AND r.state = 'accepted'), " SOCIAL_UTC("f.accepted_at") " FROM follows f "
    "WHERE f.followee_id = $1 AND f.state = 'accepted' AND f.follower_id < $3" SOCIAL_NOT_BLOCKED("f.follower_id")
    "ORDER BY f.follower_id DESC LIMIT $4";
constexpr const char* kFollowing =
    "SELECT f.followee_id, 0::bigint, EXISTS (SELECT 1 FROM follows r WHERE r.followee_id = $1 AND "
    "r.follower_id = f.followee_id AND r.state = 'accepted'), " SOCIAL_UTC("f.accepted_at") " FROM follows f "
    "WHERE f.follower_id = $1 AND f.state = 'accepted' AND f.followee_id < $3" SOCIAL_NOT_BLOCKED("f.followee_id")
    "ORDER BY f.followee_id DESC LIMIT $4";
constexpr const char* kBlock = "INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
constexpr const char* kDeleteFollowsBetween =
    "DELETE FROM follows WHERE (follower_id = $1 AND followee_id = $2) OR (follower_id = $2 AND followee_id = $1)";
constexpr const char* kUnblock = "DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2";
constexpr const char* kBlocks =
    "SELECT blocked_id, 0::bigint, false, " SOCIAL_UTC("created_at") " FROM blocks "
    "WHERE blocker_id = $1 AND blocked_id < $2 ORDER BY blocked_id DESC LIMIT $3";
constexpr const char* kMute = "INSERT INTO mutes (muter_id, muted_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
constexpr const char* kUnmute = "DELETE FROM mutes WHERE muter_id = $1 AND muted_id = $2";

std::vector<ListedUser> Listed(const db::Result& r) {
    std::vector<ListedUser> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(ListedUser{r.Int(row, 0), r.Int(row, 1), r.Bool(row, 2), r.OptString(row, 3).value_or("")});
    }
    return out;
}

}  // namespace

asio::awaitable<bool> Repository::BlockedEitherWay(db::Transaction& tx, std::int64_t a, std::int64_t b) {
    db::Result r = co_await tx.Query(kBlockedEitherWay, Params::Of(a, b));
    co_return r.Bool(0, 0);
}

asio::awaitable<std::optional<std::string>> Repository::FollowState(db::Transaction& tx, std::int64_t follower,
                                                                    std::int64_t followee) {
    db::Result r = co_await tx.Query(kFollowState, Params::Of(follower, followee));
    co_return r.Empty() ? std::nullopt : std::optional<std::string>(r.String(0, 0));
}

asio::awaitable<std::pair<int, int>> Repository::SpendFollowBudget(db::Transaction& tx, std::int64_t user_id) {
    db::Result r = co_await tx.Query(kSpendFollowBudget, Params::Of(user_id));
    co_return std::make_pair(static_cast<int>(r.Int(0, 0)), static_cast<int>(r.Int(0, 1)));
}

asio::awaitable<std::string> Repository::InsertFollow(db::Transaction& tx, std::int64_t follower, std::int64_t followee,
                                                      bool pending) {
    db::Result r = co_await tx.Query(kInsertFollow, Params::Of(follower, followee, pending));
    if (!r.Empty()) {
        co_return r.String(0, 0);
    }
    db::Result existing = co_await tx.Query(kFollowState, Params::Of(follower, followee));
    co_return existing.String(0, 0);
}

asio::awaitable<std::optional<std::string>> Repository::DeleteFollow(db::Transaction& tx, std::int64_t follower,
                                                                     std::int64_t followee) {
    db::Result r = co_await tx.Query(kDeleteFollow, Params::Of(follower, followee));
    co_return r.Empty() ? std::nullopt : std::optional<std::string>(r.String(0, 0));
}

asio::awaitable<bool> Repository::Accept(db::Transaction& tx, std::int64_t followee, std::int64_t follower) {
    db::Result r = co_await tx.Query(kAccept, Params::Of(followee, follower));
    co_return !r.Empty();
}

asio::awaitable<bool> Repository::Decline(db::Transaction& tx, std::int64_t followee, std::int64_t follower) {
    db::Result r = co_await tx.Query(kDecline, Params::Of(followee, follower));
    co_return !r.Empty();
}

asio::awaitable<bool> Repository::RemoveFollower(db::Transaction& tx, std::int64_t followee, std::int64_t follower) {
    db::Result r = co_await tx.Query(kRemoveFollower, Params::Of(followee, follower));
    co_return !r.Empty();
}

asio::awaitable<std::vector<ListedUser>> Repository::Requests(std::int64_t followee, After after, int fetch) {
    db::Result r = co_await pool_.Query(kRequests, Params::Of(followee, after.sort_us, after.user_id, fetch));
    co_return Listed(r);
}

asio::awaitable<std::vector<ListedUser>> Repository::Followers(std::int64_t user_id, std::int64_t viewer_id,
                                                               After after, int fetch) {
    db::Result r = co_await pool_.Query(kFollowers, Params::Of(user_id, viewer_id, after.user_id, fetch));
    co_return Listed(r);
}

asio::awaitable<std::vector<ListedUser>> Repository::Following(std::int64_t user_id, std::int64_t viewer_id,
                                                               After after, int fetch) {
    db::Result r = co_await pool_.Query(kFollowing, Params::Of(user_id, viewer_id, after.user_id, fetch));
    co_return Listed(r);
}

asio::awaitable<void> Repository::Block(db::Transaction& tx, std::int64_t blocker, std::int64_t blocked) {
    co_await tx.Query(kBlock, Params::Of(blocker, blocked));
    co_await tx.Query(kDeleteFollowsBetween, Params::Of(blocker, blocked));
}

asio::awaitable<void> Repository::Unblock(std::int64_t blocker, std::int64_t blocked) {
    co_await pool_.Query(kUnblock, Params::Of(blocker, blocked));
}

asio::awaitable<std::vector<ListedUser>> Repository::Blocks(std::int64_t blocker, After after, int fetch) {
    db::Result r = co_await pool_.Query(kBlocks, Params::Of(blocker, after.user_id, fetch));
    co_return Listed(r);
}

asio::awaitable<void> Repository::Mute(std::int64_t muter, std::int64_t muted) {
    co_await pool_.Query(kMute, Params::Of(muter, muted));
}

asio::awaitable<void> Repository::Unmute(std::int64_t muter, std::int64_t muted) {
    co_await pool_.Query(kUnmute, Params::Of(muter, muted));
}

}  // namespace strava1::social
