// The feed's routes and their rendering: GET /v1/feed, GET /v1/users/{user_id}/feed and
// GET /v1/clubs/{club_id}/feed.
#include "feed_routes.hpp"

#include <boost/json/parse.hpp>

#include <unordered_map>

#include "posts_routes.hpp"
#include "strava1/base/clock.hpp"
#include "strava1/base/field_errors.hpp"
#include "strava1/base/json_writer.hpp"

namespace strava1::social {
namespace asio = boost::asio;
using http::Access;
using http::Method;
using http::RequestPtr;
using http::Response;

namespace {

http::Page FeedPageOf(const http::Request& req) {
    FieldErrors errors;
    http::Page page = http::ReadPage(req, 3, errors);
    errors.ThrowIfAny();
    return page;
}

bool StartShown(const std::string& summary) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(summary, ec);
    if (ec || !v.is_object()) {
        return false;
    }
    const boost::json::value* start = v.as_object().if_contains("start_time");
    return start != nullptr && start->is_string();
}

void WriteAuthor(json::Writer& w, const accounts::ProfileFacts& author) {
    w.Key("author").BeginObject();
    w.Key("id").Int(author.user_id);
    w.Key("username");
    author.username ? w.String(*author.username) : w.Null();
    w.Key("display_name").String(author.display_name);
    w.EndObject();
}

/// One feed item: {kind "activity", at, author {id, username, display_name}, kudos_count,
/// comment_count, kudoed_by_me, activity: ActivitySummary} or {kind "post", at, author, post: Post}.
/// An activity's summary is the activities reader's JSON for this viewer, spliced in as it is.
void AppendItem(std::string& out, const FeedPage& page, const FeedEntry& entry, const accounts::ProfileFacts& author) {
    std::string head;
    json::Writer w(head);
    w.BeginObject();
    if (!entry.activity) {
        const Rows& posts = page.posts.at(static_cast<std::size_t>(entry.post_batch));
        w.Key("kind").String("post");
        w.Key("at").String(FormatRfc3339(SystemTime(std::chrono::microseconds(entry.row.at_us))));
        WriteAuthor(w, author);
        w.Key("post");
        WritePost(w, posts, entry.post_row);
        w.EndObject();
        out += head;
        return;
    }
    w.Key("kind").String("activity");
    // The item's time is its start, which an owner may hide from others: then it is null, as the
    // summary's start_time is (the order alone says no more than the list of their activities).
    w.Key("at");
    if (StartShown(entry.activity->json)) {
        w.String(FormatRfc3339(SystemTime(std::chrono::microseconds(entry.row.at_us))));
    } else {
        w.Null();
    }
    WriteAuthor(w, author);
    w.Key("kudos_count").Int(entry.tally.kudos_count);
    w.Key("comment_count").Int(entry.tally.comment_count);
    w.Key("kudoed_by_me").Bool(entry.tally.kudoed_by_me);
    w.EndObject();
    head.pop_back();
    out += head;
    out += ",\"activity\":";
    out += entry.activity->json;
    out += '}';
}

std::string FeedJson(const FeedPage& page) {
    std::unordered_map<std::int64_t, const accounts::ProfileFacts*> authors;
    for (const auto& a : page.authors) {
        authors[a.user_id] = &a;
    }
    std::string out = "{\"items\":[";
    bool first = true;
    for (const auto& entry : page.entries) {
        auto found = authors.find(entry.row.author_id);
        if (found == authors.end()) {
            continue;  // the author's account went since the row was read
        }
        if (!first) {
            out += ',';
        }
        first = false;
        AppendItem(out, page, entry, *found->second);
    }
    out += "],\"next_cursor\":";
    std::string cursor;
    json::Writer w(cursor);
    page.next_cursor ? w.String(*page.next_cursor) : w.Null();
    out += cursor;
    out += '}';
    return out;
}

Response Json(std::string body) { return Response::Text(200, "application/json", std::move(body)); }

}  // namespace

void RegisterFeedRoutes(app::Registry& registry, FeedService& feed) {
    FeedService* f = &feed;
    registry.Route(
        {.method = Method::kGet,
         .path = "/v1/feed",
         .summary = "The caller's home feed: their own activities and posts and those of the people they follow",
         .access = Access::SignedIn(),
         .body = http::Body::None(),
         .handler = [f](RequestPtr req) -> asio::awaitable<Response> {
             FeedPage page = co_await f->Home(req->Caller().user_id, FeedPageOf(*req));
             co_return Json(FeedJson(page));
         }});
    registry.Route({.method = Method::kGet,
                    .path = "/v1/users/{user_id}/feed",
                    .summary = "A user's profile feed: their activities and posts the caller may see",
                    .access = Access::ViewerOf("user", "user_id"),
                    .body = http::Body::None(),
                    .handler = [f](RequestPtr req) -> asio::awaitable<Response> {
                        const std::int64_t user_id = req->PathId("user_id", "user");
                        FeedPage page = co_await f->Profile(req->Caller().user_id, user_id, FeedPageOf(*req));
                        co_return Json(FeedJson(page));
                    }});
    registry.Route({.method = Method::kGet,
                    .path = "/v1/clubs/{club_id}/feed",
                    .summary = "A club's feed: the posts of its members in the club, newest first",
                    .access = Access::MemberOf("club", "club_id"),
                    .body = http::Body::None(),
                    .handler = [f](RequestPtr req) -> asio::awaitable<Response> {
                        const std::int64_t club_id = req->PathId("club_id", "club");
                        FeedPage page = co_await f->Club(req->Caller().user_id, club_id, FeedPageOf(*req));
                        co_return Json(FeedJson(page));
                    }});
}

}  // namespace strava1::social
