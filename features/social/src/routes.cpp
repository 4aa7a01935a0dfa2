#include "routes.hpp"

#include "strava1/base/field_errors.hpp"
#include "wire.hpp"

namespace strava1::social {
namespace asio = boost::asio;
using http::Access;
using http::Body;
using http::Method;
using http::RequestPtr;
using http::Response;

namespace {

std::int64_t UserId(const http::Request& req) { return req.PathId("user_id", "user"); }

http::Page PageOf(const http::Request& req, std::size_t cursor_parts) {
    FieldErrors errors;
    http::Page page = http::ReadPage(req, cursor_parts, errors);
    errors.ThrowIfAny();
    return page;
}

Response Json(std::string body) { return Response::Text(200, "application/json", std::move(body)); }

}  // namespace

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
    const Access user = Access::ViewerOf("user", "user_id");
    route(Method::kPost, "/v1/users/{user_id}/follow", "Follow a user (or ask to)", user,
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t id = UserId(*req);
              std::string state = co_await s.Follow(req->Caller(), id);
              co_return Json(FollowJson(id, state));
          });
    route(Method::kDelete, "/v1/users/{user_id}/follow", "Unfollow a user or cancel a follow request", user,
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              co_await s.Unfollow(req->Caller(), UserId(*req));
              co_return Response::NoContent();
          });
    route(Method::kGet, "/v1/users/{user_id}/followers", "A user's followers", user,
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              UserPage page = co_await s.Connections(req->Caller().user_id, UserId(*req), false, PageOf(*req, 1));
              co_return Json(UserPageJson(page, nullptr, true));
          });
    route(Method::kGet, "/v1/users/{user_id}/following", "Whom a user follows", user,
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              UserPage page = co_await s.Connections(req->Caller().user_id, UserId(*req), true, PageOf(*req, 1));
              co_return Json(UserPageJson(page, nullptr, true));
          });
    route(Method::kPost, "/v1/users/{user_id}/mute", "Mute a user (their posts leave your feed)", user,
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              co_await s.Mute(req->Caller(), UserId(*req), true);
              co_return Response::NoContent();
          });
    route(Method::kDelete, "/v1/users/{user_id}/mute", "Unmute a user", user,
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              co_await s.Mute(req->Caller(), UserId(*req), false);
              co_return Response::NoContent();
          });
    // Blocking acts on the caller's own block list: it may name a user the caller can no longer see.
    route(Method::kPost, "/v1/users/{user_id}/block", "Block a user", Access::SignedIn(),
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              co_await s.Block(req->Caller(), UserId(*req));
              co_return Response::NoContent();
          });
    route(Method::kDelete, "/v1/users/{user_id}/block", "Unblock a user", Access::SignedIn(),
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              co_await s.Unblock(req->Caller(), UserId(*req));
              co_return Response::NoContent();
          });
    route(Method::kGet, "/v1/me/blocks", "Users the caller blocked", Access::SignedIn(),
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              UserPage page = co_await s.Blocks(req->Caller(), PageOf(*req, 1));
              co_return Json(UserPageJson(page, "blocked_at", false));
          });
    route(Method::kGet, "/v1/me/follow-requests", "Follow requests waiting for the caller", Access::SignedIn(),
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              UserPage page = co_await s.Requests(req->Caller(), PageOf(*req, 2));
              co_return Json(UserPageJson(page, "requested_at", false));
          });
    const Access request = Access::OwnerOf("follow_request", "user_id");
    route(Method::kPost, "/v1/me/follow-requests/{user_id}/accept", "Accept a follow request", request,
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              co_await s.Accept(req->Caller(), req->PathId("user_id", "follow request"));
              co_return Response::NoContent();
          });
    route(Method::kPost, "/v1/me/follow-requests/{user_id}/decline", "Decline a follow request", request,
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              co_await s.Decline(req->Caller(), req->PathId("user_id", "follow request"));
              co_return Response::NoContent();
          });
    route(Method::kDelete, "/v1/me/followers/{user_id}", "Remove a follower", Access::OwnerOf("follower", "user_id"),
          [&s](RequestPtr req) -> asio::awaitable<Response> {
              co_await s.RemoveFollower(req->Caller(), req->PathId("user_id", "follower"));
              co_return Response::NoContent();
          });
}

}  // namespace strava1::social
