#include "feed_repository.hpp"

#include "strava1/db/arrays.hpp"

namespace strava1::social {
namespace asio = boost::asio;
using db::Params;

namespace {

// The page key of a row, and "after the cursor" for a table aliased x ($2 µs or NULL, $3 kind,
// $4 item id): newest first, by (at, kind, item_id) descending — the primary keys read backwards,
// so each page is one index range.
#define FEED_US(x) "(extract(epoch FROM " x ".at) * 1000000)::bigint"
#define FEED_AFTER(x)                                  \
    "($2::bigint IS NULL OR (" x ".at, " x ".kind, " x \
    ".item_id) < "                                     \
    "(timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::smallint, $4::bigint))"
#define FEED_ORDER(x) " ORDER BY " x ".at DESC, " x ".kind DESC, " x ".item_id DESC"

constexpr const char* kForgetAuthored = "DELETE FROM feed_authored WHERE item_id = $1 AND kind = $2";
// Locks the post against a concurrent delete until the recording transaction ends, so that the
// delete's event is handled after what this one writes.
constexpr const char* kPostThere = "SELECT 1 FROM posts WHERE id = $1 FOR KEY SHARE";
constexpr const char* kForgetClub = "DELETE FROM feed_club_items WHERE item_id = $1 AND kind = $2";
constexpr const char* kInsertClub =
    "INSERT INTO feed_club_items (club_id, at, kind, item_id, author_id) VALUES ($1, $2::timestamptz, $3, $4, $5) "
    "ON CONFLICT DO NOTHING";
constexpr const char* kInsertAuthored =
    "INSERT INTO feed_authored (author_id, at, kind, item_id, in_feeds) VALUES ($1, $2::timestamptz, $3, $4, $5) "
    "ON CONFLICT (author_id, at, kind, item_id) DO UPDATE SET in_feeds = EXCLUDED.in_feeds";
constexpr const char* kInsertOwn =
    "INSERT INTO feed_items (user_id, at, kind, item_id, author_id) VALUES ($1, $2::timestamptz, $3, $4, $1) "
    "ON CONFLICT DO NOTHING";
// A changed start time moves the item: rows at another time go.
constexpr const char* kDropMoved = "DELETE FROM feed_items WHERE item_id = $1 AND kind = $2 AND at <> $3::timestamptz";
constexpr const char* kForgetItems = "DELETE FROM feed_items WHERE item_id = $1 AND kind = $2";
constexpr const char* kWithdraw = "DELETE FROM feed_items WHERE item_id = $1 AND kind = $2 AND user_id <> $3";
constexpr const char* kMarkedWide = "SELECT 1 FROM feed_wide_authors WHERE author_id = $1";
// Counting stops at limit + 1: an account with a million followers costs no more than one at the limit.
constexpr const char* kMoreFollowersThan =
    "SELECT count(*) > $2 FROM (SELECT 1 FROM follows WHERE followee_id = $1 AND state = 'accepted' "
    "LIMIT $2 + 1) f";
constexpr const char* kMarkWide = "INSERT INTO feed_wide_authors (author_id) VALUES ($1) ON CONFLICT DO NOTHING";
constexpr const char* kFanOutChunk =
    "WITH f AS (SELECT follower_id FROM follows WHERE followee_id = $1 AND state = 'accepted' "
    "  AND follower_id > $2 ORDER BY follower_id LIMIT $3), "
    "ins AS (INSERT INTO feed_items (user_id, at, kind, item_id, author_id) "
    "  SELECT follower_id, $4::timestamptz, $5, $6, $1 FROM f ON CONFLICT DO NOTHING) "
    "SELECT COALESCE(max(follower_id), 0), count(*) FROM f";
constexpr const char* kDropAuthor =
    "DELETE FROM feed_items WHERE user_id = $1 AND author_id = $2 AND NOT EXISTS "
    "(SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2 AND state = 'accepted')";
constexpr const char* kBackfill =
    "INSERT INTO feed_items (user_id, at, kind, item_id, author_id) "
    "SELECT $1, a.at, a.kind, a.item_id, a.author_id FROM feed_authored a "
    "WHERE a.author_id = $2 AND a.in_feeds "
    "AND EXISTS (SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2 AND state = 'accepted') "
    "AND NOT EXISTS (SELECT 1 FROM feed_wide_authors WHERE author_id = $2) " FEED_ORDER(
        "a") " LIMIT $3 ON CONFLICT DO NOTHING";
// The reader's rows, for each wide author they follow that author's newest items, and for each of
// their clubs $6 the club's newest items (one index range each); UNION drops an item found twice (fanned
// out before its author became wide; the author's own row of a club post).
constexpr const char* kHome =
    "SELECT " FEED_US("u") ", u.kind, u.item_id, u.author_id FROM ("
    "(SELECT i.at, i.kind, i.item_id, i.author_id FROM feed_items i WHERE i.user_id = $1 AND " FEED_AFTER("i")
    FEED_ORDER("i") " LIMIT $5) "
    "UNION "
    "(SELECT s.at, s.kind, s.item_id, s.author_id FROM follows f "
    " JOIN feed_wide_authors w ON w.author_id = f.followee_id "
    " CROSS JOIN LATERAL (SELECT a.at, a.kind, a.item_id, a.author_id FROM feed_authored a "
    "   WHERE a.author_id = f.followee_id AND a.in_feeds AND " FEED_AFTER("a")
    FEED_ORDER("a") " LIMIT $5) s "
    " WHERE f.follower_id = $1 AND f.state = 'accepted') "
    "UNION "
    "(SELECT s.at, s.kind, s.item_id, s.author_id FROM unnest($6::bigint[]) AS c (club_id) "
    " CROSS JOIN LATERAL (SELECT x.at, x.kind, x.item_id, x.author_id FROM feed_club_items x "
    "   WHERE x.club_id = c.club_id AND " FEED_AFTER("x") FEED_ORDER("x") " LIMIT $5) s)) u "
    "WHERE NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = $1 AND m.muted_id = u.author_id) "
    FEED_ORDER("u") " LIMIT $5";
constexpr const char* kAuthored = "SELECT " FEED_US(
    "a") ", a.kind, a.item_id, a.author_id FROM feed_authored a WHERE a.author_id = $1 AND " FEED_AFTER("a")
    FEED_ORDER("a") " LIMIT $5";

constexpr const char* kClub = "SELECT " FEED_US(
    "x") ", x.kind, x.item_id, x.author_id FROM feed_club_items x WHERE x.club_id = $1 AND " FEED_AFTER("x")
    FEED_ORDER("x") " LIMIT $5";

std::int64_t KindOf(FeedKind kind) { return static_cast<std::int64_t>(kind); }

Params PageParams(std::int64_t who, const std::optional<FeedAfter>& after, int fetch) {
    Params p;
    p.Add(who);
    if (after) {
        p.Add(after->at_us).Add(after->kind).Add(after->item_id);
    } else {
        p.Add(std::nullopt).Add(std::nullopt).Add(std::nullopt);
    }
    p.Add(fetch);
    return p;
}

std::vector<FeedRow> Rows(const db::Result& r) {
    std::vector<FeedRow> out;
    out.reserve(static_cast<std::size_t>(r.Rows()));
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(FeedRow{.at_us = r.Int(row, 0),
                              .kind = static_cast<std::int16_t>(r.Int(row, 1)),
                              .item_id = r.Int(row, 2),
                              .author_id = r.Int(row, 3)});
    }
    return out;
}

}  // namespace

asio::awaitable<void> FeedRepository::Author(db::Transaction& tx, FeedKind kind, const FeedItem& item) {
    co_await tx.Query(kForgetAuthored, Params::Of(item.item_id, KindOf(kind)));
    co_await tx.Query(kInsertAuthored, Params::Of(item.author_id, item.at, KindOf(kind), item.item_id, item.in_feeds));
    co_await tx.Query(kDropMoved, Params::Of(item.item_id, KindOf(kind), item.at));
    co_await tx.Query(kInsertOwn, Params::Of(item.author_id, item.at, KindOf(kind), item.item_id));
}

asio::awaitable<bool> FeedRepository::PostThere(db::Transaction& tx, std::int64_t post_id) {
    co_return !(co_await tx.Query(kPostThere, Params::Of(post_id))).Empty();
}

asio::awaitable<void> FeedRepository::InClub(db::Transaction& tx, FeedKind kind, const FeedItem& item) {
    co_await tx.Query(kInsertClub, Params::Of(*item.club_id, item.at, KindOf(kind), item.item_id, item.author_id));
}

asio::awaitable<void> FeedRepository::Forget(db::Transaction& tx, FeedKind kind, std::int64_t item_id) {
    co_await tx.Query(kForgetItems, Params::Of(item_id, KindOf(kind)));
    co_await tx.Query(kForgetClub, Params::Of(item_id, KindOf(kind)));
    co_await tx.Query(kForgetAuthored, Params::Of(item_id, KindOf(kind)));
}

asio::awaitable<void> FeedRepository::Withdraw(db::Transaction& tx, FeedKind kind, const FeedItem& item) {
    co_await tx.Query(kWithdraw, Params::Of(item.item_id, KindOf(kind), item.author_id));
}

asio::awaitable<bool> FeedRepository::IsWide(db::Transaction& tx, std::int64_t author_id, int limit) {
    // Once wide, always wide: its older items live only in feed_authored, which the merge reads.
    const db::Result marked = co_await tx.Query(kMarkedWide, Params::Of(author_id));
    if (!marked.Empty()) {
        co_return true;
    }
    const db::Result more = co_await tx.Query(kMoreFollowersThan, Params::Of(author_id, limit));
    const bool wide = more.Bool(0, 0);
    if (wide) {
        co_await tx.Query(kMarkWide, Params::Of(author_id));
    }
    co_return wide;
}

asio::awaitable<std::pair<std::int64_t, int>> FeedRepository::FanOutChunk(db::Transaction& tx, FeedKind kind,
                                                                          const FeedItem& item, std::int64_t after,
                                                                          int chunk) {
    db::Result r =
        co_await tx.Query(kFanOutChunk, Params::Of(item.author_id, after, chunk, item.at, KindOf(kind), item.item_id));
    co_return std::pair{r.Int(0, 0), static_cast<int>(r.Int(0, 1))};
}

asio::awaitable<std::int64_t> FeedRepository::DropAuthor(std::int64_t reader_id, std::int64_t author_id) {
    db::Result r = co_await pool_.Query(kDropAuthor, Params::Of(reader_id, author_id));
    co_return r.Affected();
}

asio::awaitable<std::int64_t> FeedRepository::Backfill(std::int64_t reader_id, std::int64_t author_id, int count) {
    db::Result r = co_await pool_.Query(kBackfill, Params::Of(reader_id, author_id, count));
    co_return r.Affected();
}

asio::awaitable<std::vector<FeedRow>> FeedRepository::Home(std::int64_t reader_id,
                                                           const std::vector<std::int64_t>& clubs,
                                                           std::optional<FeedAfter> after, int fetch) {
    Params params = PageParams(reader_id, after, fetch);
    params.Add(db::Int64Array(clubs));
    co_return Rows(co_await pool_.Query(kHome, params));
}

asio::awaitable<std::vector<FeedRow>> FeedRepository::Club(std::int64_t club_id, std::optional<FeedAfter> after,
                                                           int fetch) {
    co_return Rows(co_await pool_.Query(kClub, PageParams(club_id, after, fetch)));
}

asio::awaitable<std::vector<FeedRow>> FeedRepository::Authored(std::int64_t author_id, std::optional<FeedAfter> after,
                                                               int fetch) {
    co_return Rows(co_await pool_.Query(kAuthored, PageParams(author_id, after, fetch)));
}

}  // namespace strava1::social
