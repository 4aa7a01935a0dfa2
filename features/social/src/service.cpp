#include "service.hpp"

#include "feed_service.hpp"
#include "strava1/app/policy.hpp"
#include "strava1/base/error.hpp"

namespace strava1::social {
namespace asio = boost::asio;

namespace {

void NotSelf(const Principal& who, std::int64_t user_id, const char* what) {
    if (who.user_id == user_id) {
        throw InvalidField("user_id", std::string("you cannot ") + what + " yourself");
    }
}

After AfterOf(const http::Page& page, bool by_time) {
    After after;
    if (page.after) {
        if (by_time) {
            after.sort_us = page.after->at(0);
            after.user_id = page.after->at(1);
        } else {
            after.user_id = page.after->at(0);
        }
    }
    return after;
}

}  // namespace

asio::awaitable<accounts::ProfileFacts> Service::VisibleUser(std::int64_t viewer_id, std::int64_t user_id) {
    accounts::ProfileFacts facts = app::Found(co_await deps_.profiles.FindOne(user_id), "user");
    if (viewer_id != user_id) {
        const app::Relation relation = co_await deps_.follows.RelationOf(viewer_id, user_id);
        if (relation == app::Relation::kBlocked) {
            throw NotFound("user");
        }
    }
    co_return facts;
}

asio::awaitable<std::string> Service::Follow(Principal who, std::int64_t user_id) {
    NotSelf(who, user_id, "follow");
    const accounts::ProfileFacts facts = app::Found(co_await deps_.profiles.FindOne(user_id), "user");
    db::Transaction tx = co_await repository_.Pool().Begin();
    const bool blocked = co_await Repository::BlockedEitherWay(tx, who.user_id, user_id);
    if (blocked) {
        throw NotFound("user");  // as for a missing user: neither side learns of the block
    }
    // Asking again is not a new request: the same answer, no new row, nothing spent.
    std::optional<std::string> existing = co_await Repository::FollowState(tx, who.user_id, user_id);
    if (existing) {
        co_return *existing;
    }
    const auto [used, window_left_s] = co_await Repository::SpendFollowBudget(tx, who.user_id);
    if (used > options_.follow_requests_per_hour) {
        throw Error(ErrorKind::kRateLimited,
                    "at most " + std::to_string(options_.follow_requests_per_hour) + " follow requests an hour")
            .WithRetryAfter(std::max(1, window_left_s));
    }
    std::string state = co_await Repository::InsertFollow(tx, who.user_id, user_id, facts.approve_followers);
    if (state == "accepted") {
        co_await FeedService::EnqueueBackfill(tx, deps_.jobs, who.user_id, user_id);
    }
    // Built before the co_await: GCC 12 rejects string literals in a co_await's temporaries.
    jobs::Event event{state == "pending" ? kFollowRequested : kFollowed,
                      boost::json::object{{"follower_id", who.user_id}, {"followee_id", user_id}}};
    co_await deps_.jobs.Publish(tx, std::move(event));
    co_await tx.Commit();
    co_return state;
}

asio::awaitable<void> Service::Unfollow(Principal who, std::int64_t user_id) {
    NotSelf(who, user_id, "unfollow");
    co_await VisibleUser(who.user_id, user_id);
    // The feed forgets the author with the follow (a job in the same transaction).
    db::Transaction tx = co_await repository_.Pool().Begin();
    std::optional<std::string> was = co_await Repository::DeleteFollow(tx, who.user_id, user_id);
    co_await FeedService::EnqueueDrop(tx, deps_.jobs, who.user_id, user_id);
    if (was == "pending") {
        // A cancelled request: its notification to the followee goes (ADR 0025).
        jobs::Event event{kFollowCancelled,
                          boost::json::object{{"follower_id", who.user_id}, {"followee_id", user_id}}};
        co_await deps_.jobs.Publish(tx, std::move(event));
    }
    co_await tx.Commit();
}

asio::awaitable<UserPage> Service::Named(std::vector<ListedUser> rows, const http::Page& page, bool by_time) {
    UserPage out;
    const int fetched = static_cast<int>(rows.size());
    rows.resize(static_cast<std::size_t>(page.Shown(fetched)));
    if (!rows.empty()) {
        std::vector<std::int64_t> last;
        if (by_time) {
            last.push_back(rows.back().sort_us);
        }
        last.push_back(rows.back().user_id);
        out.next_cursor = page.NextCursor(fetched, last);
    }
    std::vector<std::int64_t> ids;
    for (const auto& row : rows) {
        ids.push_back(row.user_id);
    }
    out.facts = co_await deps_.profiles.Find(std::move(ids), {});
    out.rows = std::move(rows);
    co_return out;
}

asio::awaitable<UserPage> Service::Requests(Principal who, http::Page page) {
    std::vector<ListedUser> rows = co_await repository_.Requests(who.user_id, AfterOf(page, true), page.FetchCount());
    co_return co_await Named(std::move(rows), page, true);
}

asio::awaitable<void> Service::Accept(Principal who, std::int64_t follower_id) {
    db::Transaction tx = co_await repository_.Pool().Begin();
    const bool accepted = co_await Repository::Accept(tx, who.user_id, follower_id);
    if (!accepted) {
        throw NotFound("follow request");
    }
    co_await FeedService::EnqueueBackfill(tx, deps_.jobs, follower_id, who.user_id);
    jobs::Event event{kFollowAccepted, boost::json::object{{"follower_id", follower_id}, {"followee_id", who.user_id}}};
    co_await deps_.jobs.Publish(tx, std::move(event));
    co_await tx.Commit();
}

asio::awaitable<void> Service::Decline(Principal who, std::int64_t follower_id) {
    db::Transaction tx = co_await repository_.Pool().Begin();
    const bool declined = co_await Repository::Decline(tx, who.user_id, follower_id);
    if (!declined) {
        throw NotFound("follow request");
    }
    jobs::Event event{kFollowDeclined, boost::json::object{{"follower_id", follower_id}, {"followee_id", who.user_id}}};
    co_await deps_.jobs.Publish(tx, std::move(event));
    co_await tx.Commit();
}

asio::awaitable<void> Service::RemoveFollower(Principal who, std::int64_t follower_id) {
    db::Transaction tx = co_await repository_.Pool().Begin();
    const bool removed = co_await Repository::RemoveFollower(tx, who.user_id, follower_id);
    if (!removed) {
        throw NotFound("follower");
    }
    co_await FeedService::EnqueueDrop(tx, deps_.jobs, follower_id, who.user_id);
    co_await tx.Commit();
}

asio::awaitable<UserPage> Service::Connections(std::int64_t viewer_id, std::int64_t user_id, bool following,
                                               http::Page page) {
    const accounts::ProfileFacts facts = co_await VisibleUser(viewer_id, user_id);
    if (facts.approve_followers && viewer_id != user_id) {
        const app::Relation relation = co_await deps_.follows.RelationOf(viewer_id, user_id);
        if (relation != app::Relation::kFollower) {
            throw NotFound("user");
        }
    }
    std::vector<ListedUser> rows;
    if (following) {
        rows = co_await repository_.Following(user_id, viewer_id, AfterOf(page, false), page.FetchCount());
    } else {
        rows = co_await repository_.Followers(user_id, viewer_id, AfterOf(page, false), page.FetchCount());
    }
    co_return co_await Named(std::move(rows), page, false);
}

asio::awaitable<void> Service::Block(Principal who, std::int64_t user_id) {
    NotSelf(who, user_id, "block");
    // Any user may block any other, also one who blocked them first (it is the caller's own list).
    app::Found(co_await deps_.profiles.FindOne(user_id), "user");
    // The follows both ways go with the block, and each side's feed forgets the other.
    db::Transaction tx = co_await repository_.Pool().Begin();
    co_await Repository::Block(tx, who.user_id, user_id);
    co_await FeedService::EnqueueDrop(tx, deps_.jobs, who.user_id, user_id);
    co_await FeedService::EnqueueDrop(tx, deps_.jobs, user_id, who.user_id);
    co_await tx.Commit();
}

asio::awaitable<void> Service::Unblock(Principal who, std::int64_t user_id) {
    NotSelf(who, user_id, "unblock");
    co_await repository_.Unblock(who.user_id, user_id);
}

asio::awaitable<UserPage> Service::Blocks(Principal who, http::Page page) {
    std::vector<ListedUser> rows = co_await repository_.Blocks(who.user_id, AfterOf(page, false), page.FetchCount());
    co_return co_await Named(std::move(rows), page, false);
}

asio::awaitable<void> Service::Mute(Principal who, std::int64_t user_id, bool mute) {
    NotSelf(who, user_id, mute ? "mute" : "unmute");
    co_await VisibleUser(who.user_id, user_id);
    if (mute) {
        co_await repository_.Mute(who.user_id, user_id);
    } else {
        co_await repository_.Unmute(who.user_id, user_id);
    }
}

}  // namespace strava1::social
