#pragma once

#include <memory>

#include "strava1/accounts/profiles.hpp"
#include "strava1/accounts/standing.hpp"
#include "strava1/activities/moderation.hpp"
#include "strava1/activities/reader.hpp"
#include "strava1/app/policy.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/groups/clubmates.hpp"
#include "strava1/jobs/client.hpp"
#include "strava1/social/follow_store.hpp"

namespace strava1::db {
class Pool;
}

namespace strava1::social {

/// Events social publishes in the transaction of the change (the notifications feature subscribes):
/// "social.kudos.given" {activity_id, owner_id, user_id} (a new kudos only);
/// "social.comment.created" {comment_id, author_id, activity_id|null, post_id|null, parent_owner_id,
/// reply_to_author_id|null, mentioned_user_ids}; "social.post.created" {post_id, author_id,
/// mentioned_user_ids, at, visibility, club_id|null}; "social.post.changed" {post_id, author_id, at,
/// visibility, club_id|null} (an edit); "social.post.deleted" {post_id, author_id}.
/// From follows: "social.follow.requested" (a pending request), "social.followed" (an instant
/// follow) and "social.follow.accepted", each {follower_id, followee_id}; a pending request that
/// ends unaccepted: "social.follow.declined" (by the followee) and "social.follow.cancelled" (by the
/// follower), with the same payload.
inline constexpr const char* kFollowRequested = "social.follow.requested";
inline constexpr const char* kFollowed = "social.followed";
inline constexpr const char* kFollowAccepted = "social.follow.accepted";
inline constexpr const char* kFollowDeclined = "social.follow.declined";
inline constexpr const char* kFollowCancelled = "social.follow.cancelled";
inline constexpr const char* kKudosGiven = "social.kudos.given";
inline constexpr const char* kCommentCreated = "social.comment.created";
inline constexpr const char* kPostCreated = "social.post.created";
inline constexpr const char* kPostChanged = "social.post.changed";
/// A new like on a post or comment: {"target": "post"|"comment", "id", "owner_id", "user_id"}.
inline constexpr const char* kLikeGiven = "social.like.given";
/// Deleted by its author (or the parent's owner): {"post_id", "author_id"}; {"comment_ids": [it and its replies]}.
inline constexpr const char* kPostDeleted = "social.post.deleted";
inline constexpr const char* kCommentDeleted = "social.comment.deleted";

struct Options {
    /// Abuse limit: new follows (requests or instant) one user may make per hour (429 past it).
    int follow_requests_per_hour = 200;
    /// The home feed's fan-out: authors with more accepted followers than this are merged into
    /// their followers' feeds at read time instead (ADR 0023).
    int feed_fan_out_limit = 5000;
    /// Abuse limits per user per hour on comments and on @mentions (in posts and comments).
    int comments_per_hour = 200;
    int mentions_per_hour = 100;
    /// Abuse limit: reports one user may file per hour (ADR 0024).
    int reports_per_hour = 20;
};

/// What the module needs from the composition root. Everything must outlive the Module.
struct Deps {
    db::Pool& pool;
    accounts::Profiles& profiles;            ///< names, and whether a user approves followers
    FollowStore& follows;                    ///< the relation contract it also gives accounts and activities
    const jobs::Client& jobs;                ///< feed jobs enqueued with the follow changes
    activities::ActivityReader& activities;  ///< feed items as the viewer may see them
    /// Suspensions a moderator decides (accounts' contract); null: "suspend" answers 503.
    accounts::Standing* standing = nullptr;
    groups::Clubmates* clubmates = nullptr;  ///< follow suggestions' club members, club posts' readers
    /// Club roles: who may post in a club and who manages its posts (null: no club posts, 404).
    app::Membership* clubs = nullptr;
    /// Moderation's hide of an activity (null: "hide" on an activity answers 503).
    activities::ActivityModeration* activity_moderation = nullptr;
};

/// Social: follows (requests, accept/decline, remove), blocks and mutes, posts, comments, kudos and
/// likes, and the home and profile feeds (activities and posts). Owns the tables follows, blocks, mutes,
/// follow_request_budget, feed_items, feed_authored and feed_wide_authors; implements app::Relations (FollowStore);
/// subscribes to activities' events.
class Module {
public:
    Module(Deps deps, Options options);
    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    /// Registers /v1/users/{user_id}/follow|followers|following|block|mute, /v1/me/follow-requests*,
    /// /v1/me/followers/{user_id}, /v1/me/blocks, /v1/feed and /v1/users/{user_id}/feed; the feed's
    /// subscriptions to "activity.created|changed|deleted" and "social.post.created|changed|deleted"
    /// (subscriber "feed") and its job kinds
    /// "social.feed-drop" and "social.feed-backfill".
    void Register(app::Registry& registry);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace strava1::social
