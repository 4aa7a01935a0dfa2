#pragma once

// The home and profile feeds (ADR 0023): fan-out on write into feed_items when activities publish
// their events, a read-time merge for authors with very many followers, and pages rendered through
// the activities reader, which applies privacy and blocks when the feed is read.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "feed_repository.hpp"
#include "posts_service.hpp"
#include "strava1/accounts/profiles.hpp"
#include "strava1/activities/reader.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/http/paging.hpp"
#include "strava1/jobs/client.hpp"
#include "strava1/social/follow_store.hpp"

namespace strava1::social {

/// Job kinds of the feed: payload {"reader_id", "author_id"}. Enqueued by follows' changes in their
/// transaction; each acts on the follow as it stands when it runs, so they may run in any order.
inline constexpr const char* kFeedDropKind = "social.feed-drop";
inline constexpr const char* kFeedBackfillKind = "social.feed-backfill";

struct FeedOptions {
    /// Authors with more accepted followers than this are not fanned out: their followers' feeds
    /// merge their items at read time.
    int fan_out_limit = 5000;
    /// Followers written per INSERT … SELECT.
    int fan_out_chunk = 1000;
    /// Items a new follow copies into the follower's feed.
    int backfill = 20;
    /// Rounds of reading further when the reader drops items (no longer visible), before a page is
    /// answered short with a cursor past what it read.
    int top_up_rounds = 5;
};

/// One item of a feed page, as the viewer may see it: an activity (with its kudos and comments) or
/// a post (row `post_row` of the page's `posts[post_batch]`).
struct FeedEntry {
    FeedRow row;
    std::optional<activities::VisibleSummary> activity;
    ActivityTally tally;
    int post_batch = -1;
    int post_row = -1;
};

struct FeedPage {
    std::vector<FeedEntry> entries;
    std::vector<accounts::ProfileFacts> authors;
    std::vector<Rows> posts;  ///< the posts shown, one batch per round read
    std::optional<std::string> next_cursor;
};

class FeedService {
public:
    FeedService(FeedRepository& repository, accounts::Profiles& profiles, FollowStore& relations,
                activities::ActivityReader& reader, Posts& posts, FeedOptions options)
        : repository_(repository),
          profiles_(profiles),
          relations_(relations),
          reader_(reader),
          posts_(posts),
          options_(options) {}

    /// Subscribes to activities' and posts' events and registers the feed's job kinds.
    void RegisterJobs(jobs::Registry& jobs);

    /// Enqueues, in `tx`, the removal of `author_id`'s items from `reader_id`'s feed (unfollow,
    /// removed follower, block).
    static boost::asio::awaitable<void> EnqueueDrop(db::Transaction& tx, const jobs::Client& jobs,
                                                    std::int64_t reader_id, std::int64_t author_id);
    /// Enqueues, in `tx`, the copy of `author_id`'s recent items into `reader_id`'s feed (a follow
    /// accepted).
    static boost::asio::awaitable<void> EnqueueBackfill(db::Transaction& tx, const jobs::Client& jobs,
                                                        std::int64_t reader_id, std::int64_t author_id);

    /// An activity was created or changed: record it, and write it into the feeds it belongs in.
    boost::asio::awaitable<void> ActivityChanged(boost::json::value payload);
    boost::asio::awaitable<void> ActivityDeleted(boost::json::value payload);
    /// A post was written or edited (its visibility may have changed), or deleted.
    boost::asio::awaitable<void> PostChanged(boost::json::value payload);
    boost::asio::awaitable<void> PostDeleted(boost::json::value payload);
    /// The jobs kFeedDropKind and kFeedBackfillKind.
    boost::asio::awaitable<void> Drop(boost::json::value payload);
    boost::asio::awaitable<void> Backfill(boost::json::value payload);
    /// Fans one item out to its author's followers in chunks; how many feeds it was written to.
    boost::asio::awaitable<int> FanOut(db::Transaction& tx, FeedKind kind, const FeedItem& item);

    /// GET /v1/feed: the viewer's own items and those of the people they follow, newest first.
    boost::asio::awaitable<FeedPage> Home(std::int64_t viewer_id, http::Page page);
    /// GET /v1/users/{user_id}/feed: that user's items the viewer may see; 404 for a missing user
    /// and under a block.
    boost::asio::awaitable<FeedPage> Profile(std::int64_t viewer_id, std::int64_t user_id, http::Page page);
    /// GET /v1/clubs/{club_id}/feed: the club's posts the viewer may see (the route checked that the
    /// viewer is a member).
    boost::asio::awaitable<FeedPage> Club(std::int64_t viewer_id, std::int64_t club_id, http::Page page);

private:
    /// Which feed a page is of: the viewer's home feed (both unset), one author's or one club's.
    struct Source {
        std::optional<std::int64_t> author_id;
        std::optional<std::int64_t> club_id;
    };
    /// Records the item (any kind) and writes it into, or withdraws it from, its followers' feeds.
    boost::asio::awaitable<void> Publish(FeedKind kind, const FeedItem& item);
    /// A page of the viewer's home feed (`author_id` nullopt) or of one author's items, with the
    /// items the viewer may not see (activities' reader, posts' visibility) skipped and the page
    /// topped up.
    boost::asio::awaitable<FeedPage> Render(std::int64_t viewer_id, Source source, http::Page page);

    FeedRepository& repository_;
    accounts::Profiles& profiles_;
    FollowStore& relations_;
    activities::ActivityReader& reader_;
    Posts& posts_;
    FeedOptions options_;
};

}  // namespace strava1::social
