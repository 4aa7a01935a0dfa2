#pragma once

// The feed's tables (feed_items, feed_authored, feed_wide_authors; migrations/0015_feed.sql) and the
// follows it reads to fan out: one named statement per operation. It decides nothing (ADR 0023).

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strava1/db/pool.hpp"

namespace strava1::social {

/// What a feed row points at.
enum class FeedKind : std::int16_t { kActivity = 1, kPost = 2 };

/// An item as the feed events describe it.
struct FeedItem {
    std::int64_t item_id = 0;
    std::int64_t author_id = 0;
    std::string at;         ///< RFC 3339 (an activity's start, a post's creation)
    bool in_feeds = false;  ///< goes to followers' home feeds
    /// A club post: it goes to the club's feed (and its members' home feeds through it), not to
    /// the author's followers.
    std::optional<std::int64_t> club_id;
};

/// One row of a feed page, with its sort key.
struct FeedRow {
    std::int64_t at_us = 0;  ///< µs since the epoch
    std::int16_t kind = 0;
    std::int64_t item_id = 0;
    std::int64_t author_id = 0;
};

/// A feed page's key: rows strictly after it in the order (at, kind, item_id) descending.
struct FeedAfter {
    std::int64_t at_us = 0;
    std::int64_t kind = 0;
    std::int64_t item_id = 0;
};

class FeedRepository {
public:
    explicit FeedRepository(db::Pool& pool) : pool_(pool) {}
    db::Pool& Pool() { return pool_; }

    /// Records (or re-records) the author's item and puts it in the author's own feed.
    static boost::asio::awaitable<void> Author(db::Transaction& tx, FeedKind kind, const FeedItem& item);
    /// Removes the item from every feed and from the author's items.
    static boost::asio::awaitable<void> Forget(db::Transaction& tx, FeedKind kind, std::int64_t item_id);
    /// Whether the post still exists, locking it against deletion until `tx` ends.
    static boost::asio::awaitable<bool> PostThere(db::Transaction& tx, std::int64_t post_id);
    /// Puts a club post in its club's feed.
    static boost::asio::awaitable<void> InClub(db::Transaction& tx, FeedKind kind, const FeedItem& item);
    /// Removes the item from every feed but its author's.
    static boost::asio::awaitable<void> Withdraw(db::Transaction& tx, FeedKind kind, const FeedItem& item);
    /// Whether `author_id`'s feed is merged at read time: marked before, or now more than `limit`
    /// accepted followers (then marked).
    static boost::asio::awaitable<bool> IsWide(db::Transaction& tx, std::int64_t author_id, int limit);
    /// Writes the item into the feeds of the author's accepted followers with ids above `after`, at
    /// most `chunk` of them; {the last follower id written, how many}.
    static boost::asio::awaitable<std::pair<std::int64_t, int>> FanOutChunk(db::Transaction& tx, FeedKind kind,
                                                                            const FeedItem& item, std::int64_t after,
                                                                            int chunk);

    /// Removes the author's rows from the reader's feed unless the reader follows them (again).
    boost::asio::awaitable<std::int64_t> DropAuthor(std::int64_t reader_id, std::int64_t author_id);
    /// Copies the author's `count` newest feed items into the reader's feed, when the reader follows
    /// them and the author is not merged at read time.
    boost::asio::awaitable<std::int64_t> Backfill(std::int64_t reader_id, std::int64_t author_id, int count);

    /// The reader's home feed: their rows, the items of wide authors they follow and those of the
    /// feeds of `clubs`, without muted authors; `fetch` rows after `after` (nullopt: the first page).
    boost::asio::awaitable<std::vector<FeedRow>> Home(std::int64_t reader_id, const std::vector<std::int64_t>& clubs,
                                                      std::optional<FeedAfter> after, int fetch);
    /// A club's feed, before any privacy.
    boost::asio::awaitable<std::vector<FeedRow>> Club(std::int64_t club_id, std::optional<FeedAfter> after, int fetch);
    /// Every item of one author (their profile feed), before any privacy.
    boost::asio::awaitable<std::vector<FeedRow>> Authored(std::int64_t author_id, std::optional<FeedAfter> after,
                                                          int fetch);

private:
    db::Pool& pool_;
};

}  // namespace strava1::social
