#include "feed_service.hpp"

#include <algorithm>
#include <unordered_map>

#include "strava1/activities/events.hpp"
#include "strava1/app/policy.hpp"
#include "strava1/base/error.hpp"

namespace strava1::social {
namespace asio = boost::asio;

namespace {

FeedItem ItemOf(const boost::json::value& payload) {
    try {
        const auto& o = payload.as_object();
        FeedItem item;
        item.item_id = o.at("id").to_number<std::int64_t>();
        item.author_id = o.at("owner_id").to_number<std::int64_t>();
        item.at = std::string(o.at("start_time").as_string());
        // Only activities their owner lets followers see, and does not keep out of feeds, go out.
        item.in_feeds = o.at("visibility").as_string() != "only_me" && !o.at("hide_from_feed").as_bool();
        return item;
    } catch (const std::exception& e) {
        throw jobs::PermanentError(std::string("bad activity event: ") + e.what());
    }
}

FeedItem PostItemOf(const boost::json::value& payload) {
    try {
        const auto& o = payload.as_object();
        FeedItem item;
        item.item_id = o.at("post_id").to_number<std::int64_t>();
        item.author_id = o.at("author_id").to_number<std::int64_t>();
        if (const auto* at = o.if_contains("at")) {
            item.at = std::string(at->as_string());
        }
        if (const auto* visibility = o.if_contains("visibility")) {
            item.in_feeds = visibility->as_string() != "only_me";
        }
        if (const auto* club = o.if_contains("club_id"); club && !club->is_null()) {
            item.club_id = club->to_number<std::int64_t>();
            item.in_feeds = false;  // to the club's members through the club's feed, not to followers
        }
        return item;
    } catch (const std::exception& e) {
        throw jobs::PermanentError(std::string("bad post event: ") + e.what());
    }
}

std::pair<std::int64_t, std::int64_t> PairOf(const boost::json::value& payload) {
    try {
        const auto& o = payload.as_object();
        return {o.at("reader_id").to_number<std::int64_t>(), o.at("author_id").to_number<std::int64_t>()};
    } catch (const std::exception& e) {
        throw jobs::PermanentError(std::string("bad feed job payload: ") + e.what());
    }
}

asio::awaitable<void> EnqueuePair(db::Transaction& tx, const jobs::Client& jobs, const char* kind,
                                  std::int64_t reader_id, std::int64_t author_id) {
    jobs::NewJob job;
    job.kind = kind;
    job.payload = boost::json::object{{"reader_id", reader_id}, {"author_id", author_id}};
    co_await jobs.Enqueue(tx, std::move(job));
}

}  // namespace

void FeedService::RegisterJobs(jobs::Registry& jobs) {
    auto changed = [this](jobs::ReceivedEvent event) { return ActivityChanged(std::move(event.payload)); };
    jobs.Subscribe(activities::kActivityCreated, "feed", changed);
    jobs.Subscribe(activities::kActivityChanged, "feed", changed);
    jobs.Subscribe(activities::kActivityDeleted, "feed",
                   [this](jobs::ReceivedEvent event) { return ActivityDeleted(std::move(event.payload)); });
    auto post_changed = [this](jobs::ReceivedEvent event) { return PostChanged(std::move(event.payload)); };
    jobs.Subscribe(kPostCreated, "feed", post_changed);
    jobs.Subscribe(kPostChanged, "feed", post_changed);
    jobs.Subscribe(kPostDeleted, "feed",
                   [this](jobs::ReceivedEvent event) { return PostDeleted(std::move(event.payload)); });
    jobs.Handle(kFeedDropKind, [this](jobs::JobContext job) { return Drop(std::move(job.payload)); });
    jobs.Handle(kFeedBackfillKind, [this](jobs::JobContext job) { return Backfill(std::move(job.payload)); });
}

asio::awaitable<void> FeedService::Drop(boost::json::value payload) {
    const auto [reader, author] = PairOf(payload);
    co_await repository_.DropAuthor(reader, author);
}

asio::awaitable<void> FeedService::Backfill(boost::json::value payload) {
    const auto [reader, author] = PairOf(payload);
    co_await repository_.Backfill(reader, author, options_.backfill);
}

asio::awaitable<void> FeedService::EnqueueDrop(db::Transaction& tx, const jobs::Client& jobs, std::int64_t reader_id,
                                               std::int64_t author_id) {
    co_await EnqueuePair(tx, jobs, kFeedDropKind, reader_id, author_id);
}

asio::awaitable<void> FeedService::EnqueueBackfill(db::Transaction& tx, const jobs::Client& jobs,
                                                   std::int64_t reader_id, std::int64_t author_id) {
    co_await EnqueuePair(tx, jobs, kFeedBackfillKind, reader_id, author_id);
}

asio::awaitable<void> FeedService::Publish(FeedKind kind, const FeedItem& item) {
    db::Transaction tx = co_await repository_.Pool().Begin();
    if (kind == FeedKind::kPost) {
        // A post deleted before its created or changed event is handled (events of one post may run
        // out of order on retries or at once on two workers) must not leave rows behind.
        const bool there = co_await FeedRepository::PostThere(tx, item.item_id);
        if (!there) {
            co_await FeedRepository::Forget(tx, kind, item.item_id);
            co_await tx.Commit();
            co_return;
        }
    }
    co_await FeedRepository::Author(tx, kind, item);
    if (item.club_id) {
        co_await FeedRepository::InClub(tx, kind, item);
    }
    if (item.in_feeds) {
        co_await FanOut(tx, kind, item);
    } else {
        co_await FeedRepository::Withdraw(tx, kind, item);
    }
    co_await tx.Commit();
}

asio::awaitable<void> FeedService::ActivityChanged(boost::json::value payload) {
    co_await Publish(FeedKind::kActivity, ItemOf(payload));
}

asio::awaitable<void> FeedService::PostChanged(boost::json::value payload) {
    const FeedItem item = PostItemOf(payload);
    if (item.at.empty()) {
        throw jobs::PermanentError("bad post event: no at");
    }
    co_await Publish(FeedKind::kPost, item);
}

asio::awaitable<void> FeedService::PostDeleted(boost::json::value payload) {
    const FeedItem item = PostItemOf(payload);
    db::Transaction tx = co_await repository_.Pool().Begin();
    co_await FeedRepository::Forget(tx, FeedKind::kPost, item.item_id);
    co_await tx.Commit();
}

asio::awaitable<void> FeedService::ActivityDeleted(boost::json::value payload) {
    const FeedItem item = ItemOf(payload);
    db::Transaction tx = co_await repository_.Pool().Begin();
    co_await FeedRepository::Forget(tx, FeedKind::kActivity, item.item_id);
    co_await tx.Commit();
}

asio::awaitable<int> FeedService::FanOut(db::Transaction& tx, FeedKind kind, const FeedItem& item) {
    if (co_await FeedRepository::IsWide(tx, item.author_id, options_.fan_out_limit)) {
        co_return 0;
    }
    int written = 0;
    std::int64_t after = 0;
    for (;;) {
        const auto [last, count] = co_await FeedRepository::FanOutChunk(tx, kind, item, after, options_.fan_out_chunk);
        written += count;
        if (count < options_.fan_out_chunk) {
            break;
        }
        after = last;
    }
    co_return written;
}

asio::awaitable<FeedPage> FeedService::Home(std::int64_t viewer_id, http::Page page) {
    co_return co_await Render(viewer_id, Source{}, std::move(page));
}

asio::awaitable<FeedPage> FeedService::Club(std::int64_t viewer_id, std::int64_t club_id, http::Page page) {
    const std::vector<std::int64_t> clubs = co_await posts_.ClubsOf(viewer_id);
    if (!std::binary_search(clubs.begin(), clubs.end(), club_id)) {
        throw NotFound("club");
    }
    co_return co_await Render(viewer_id, Source{.club_id = club_id}, std::move(page));
}

asio::awaitable<FeedPage> FeedService::Profile(std::int64_t viewer_id, std::int64_t user_id, http::Page page) {
    app::Found(co_await profiles_.FindOne(user_id), "user");
    if (viewer_id != user_id) {
        const app::Relation relation = co_await relations_.RelationOf(viewer_id, user_id);
        if (relation == app::Relation::kBlocked) {
            throw NotFound("user");
        }
    }
    co_return co_await Render(viewer_id, Source{.author_id = user_id}, std::move(page));
}

asio::awaitable<FeedPage> FeedService::Render(std::int64_t viewer_id, Source source, http::Page page) {
    FeedPage out;
    // The clubs whose posts the viewer reads: a club's page is read by its members (the route's
    // policy); elsewhere, the viewer's clubs.
    std::vector<std::int64_t> clubs;
    if (source.club_id) {
        clubs.push_back(*source.club_id);
    } else {
        clubs = co_await posts_.ClubsOf(viewer_id);
    }
    std::optional<FeedAfter> after;
    if (page.after) {
        after = FeedAfter{page.after->at(0), page.after->at(1), page.after->at(2)};
    }
    const auto key_of = [](const FeedRow& row) { return std::vector<std::int64_t>{row.at_us, row.kind, row.item_id}; };
    const std::size_t wanted = static_cast<std::size_t>(page.limit);
    bool more = false;
    std::optional<FeedRow> last_read;
    // Rows only say what may belong in the feed; the reader says what the viewer may see now. Rows it
    // drops are skipped and more are read, so a page is short only after top_up_rounds.
    for (int round = 0; round < options_.top_up_rounds && out.entries.size() < wanted; ++round) {
        const int fetch = page.FetchCount();
        // No co_await inside ?: or && — GCC 12 miscompiles coroutines that do.
        std::vector<FeedRow> rows;
        if (source.author_id) {
            rows = co_await repository_.Authored(*source.author_id, after, fetch);
        } else if (source.club_id) {
            rows = co_await repository_.Club(*source.club_id, after, fetch);
        } else {
            rows = co_await repository_.Home(viewer_id, clubs, after, fetch);
        }
        std::vector<std::int64_t> activity_ids;
        std::vector<std::int64_t> post_ids;
        for (const auto& row : rows) {
            (row.kind == static_cast<std::int16_t>(FeedKind::kPost) ? post_ids : activity_ids).push_back(row.item_id);
        }
        std::vector<activities::VisibleSummary> seen = co_await reader_.Summaries(viewer_id, activity_ids);
        std::unordered_map<std::int64_t, activities::VisibleSummary*> by_id;
        std::vector<std::int64_t> seen_ids;
        for (auto& s : seen) {
            by_id[s.id] = &s;
            seen_ids.push_back(s.id);
        }
        std::unordered_map<std::int64_t, ActivityTally> tallies = co_await posts_.ActivityTallies(viewer_id, seen_ids);
        Rows posts = co_await posts_.VisiblePosts(viewer_id, post_ids, clubs);
        std::unordered_map<std::int64_t, int> post_row;
        for (int r = 0; r < posts.shown; ++r) {
            post_row[posts.result.Int(r, 0)] = r;
        }
        const int batch = static_cast<int>(out.posts.size());
        more = false;
        for (const auto& row : rows) {
            if (out.entries.size() == wanted) {
                more = true;
                break;
            }
            last_read = row;
            if (row.kind == static_cast<std::int16_t>(FeedKind::kPost)) {
                if (auto found = post_row.find(row.item_id); found != post_row.end()) {
                    out.entries.push_back(FeedEntry{row, std::nullopt, {}, batch, found->second});
                }
            } else if (auto found = by_id.find(row.item_id); found != by_id.end()) {
                out.entries.push_back(FeedEntry{row, std::move(*found->second), tallies[row.item_id], -1, -1});
            }
        }
        out.posts.push_back(std::move(posts));
        if (static_cast<int>(rows.size()) < fetch) {
            break;  // the feed's end
        }
        more = true;
        if (last_read) {
            after = FeedAfter{last_read->at_us, last_read->kind, last_read->item_id};
        }
    }
    if (more && last_read) {
        // After the last entry shown, or past the rows read when the page ran short of rounds.
        const FeedRow& from = out.entries.size() == wanted ? out.entries.back().row : *last_read;
        out.next_cursor = http::EncodeCursor(key_of(from));
    }
    std::vector<std::int64_t> authors;
    for (const auto& e : out.entries) {
        authors.push_back(e.row.author_id);
    }
    out.authors = co_await profiles_.Find(std::move(authors), {});
    co_return out;
}

}  // namespace strava1::social
