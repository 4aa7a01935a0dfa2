#include "routes.hpp"

#include "strava1/base/field_errors.hpp"
#include "strava1/http/paging.hpp"

namespace strava1::notifications {
namespace asio = boost::asio;
namespace json = boost::json;
using http::Access;
using http::Body;
using http::Method;
using http::RequestPtr;
using http::Response;

namespace {

Response Json(json::value body) { return Response::Text(200, "application/json", json::serialize(body)); }

json::value ShownJson(const Shown& n) {
    json::array actors;
    for (const auto& a : n.actors) {
        actors.push_back(json::object{{"id", a.id},
                                      {"name", a.name},
                                      {"username", a.username ? json::value(*a.username) : json::value(nullptr)}});
    }
    json::object object{{"kind", n.object_kind}, {"id", n.object_id}};
    if (n.comment_id) {
        object["comment_id"] = *n.comment_id;
    }
    if (auto club = n.data.find("club_id"); club != n.data.end() && n.object_kind != "club") {
        object["club_id"] = club->value();
    }
    if (auto event = n.data.find("event_id"); event != n.data.end()) {
        object["event_id"] = event->value();
    }
    return json::object{{"id", n.id},
                        {"kind", n.kind},
                        {"actors", std::move(actors)},
                        {"actor_count", n.actor_count},
                        {"object", std::move(object)},
                        {"text", n.text},
                        {"created_at", n.created_at},
                        {"updated_at", n.updated_at},
                        {"read", n.read}};
}

}  // namespace

std::string PageJson(const ShownPage& page) {
    json::array items;
    for (const auto& n : page.items) {
        items.push_back(ShownJson(n));
    }
    return json::serialize(
        json::object{{"notifications", std::move(items)},
                     {"next_cursor", page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr)}});
}

void Routes::Register(app::Registry& registry) {
    Service& s = service_;
    auto route = [&registry](Method method, const char* path, const char* summary, Access access,
                             http::Handler handler) {
        registry.Route({.method = method,
                        .path = path,
                        .summary = summary,
                        .access = access,
                        .body = Body::None(),
                        .handler = std::move(handler)});
    };
    route(Method::kGet, "/v1/notifications", "The caller's notifications, newest first", Access::SignedIn(),
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              FieldErrors errors;
              http::Page page = http::ReadPage(*req, 1, errors);
              errors.ThrowIfAny();
              std::optional<std::int64_t> after;
              if (page.after) {
                  after = page.after->front();
              }
              ShownPage shown = co_await s.List(req->Caller().user_id, page.limit, after);
              co_return Response::Text(200, "application/json", PageJson(shown));
          });
    route(Method::kGet, "/v1/notifications/unread-count", "How many of the caller's notifications are unread",
          Access::SignedIn(), [&s](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t count = co_await s.UnreadCount(req->Caller().user_id);
              co_return Json(json::object{{"count", count}, {"capped", count >= Service::kUnreadCountCap}});
          });
    // Owner only: another user's notification answers 404 exactly like a missing one.
    route(Method::kPost, "/v1/notifications/{notification_id}/read", "Mark one notification read",
          Access::OwnerOf("notification", "notification_id"), [&s](RequestPtr req) -> asio::awaitable<Response> {
              co_await s.MarkRead(req->Caller().user_id, req->PathId("notification_id", "notification"));
              co_return Response::NoContent();
          });
    route(Method::kPost, "/v1/notifications/read-all", "Mark all the caller's notifications read", Access::SignedIn(),
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t marked = co_await s.MarkAllRead(req->Caller().user_id);
              co_return Json(json::object{{"marked", marked}});
          });
}

}  // namespace strava1::notifications
