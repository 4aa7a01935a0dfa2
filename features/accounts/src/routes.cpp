#include "routes.hpp"

#include "people_search.hpp"
#include "strava1/base/field_errors.hpp"
#include "strava1/http/paging.hpp"

namespace strava1::accounts {
namespace asio = boost::asio;
using http::RequestPtr;
using http::Response;

namespace {

// Device cookies (ADR 0002): proof of an earlier successful sign-in to one account. Not a credential:
// it only exempts that account's sign-ins from the throttle. Path-scoped to the auth routes.
constexpr std::string_view kDeviceCookie = "strava1_device";
constexpr int kDeviceCookieMaxAgeS = 365 * 24 * 3600;

/// The value of cookie `name` in a Cookie header ("a=1; b=2"), or empty.
std::string_view CookieValue(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        auto semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') {
            pair.remove_prefix(1);
        }
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
            return pair.substr(eq + 1);
        }
    }
    return {};
}

/// Who is signing in: address, user agent and the device cookie presented (empty when none, or too
/// long to be one of ours).
Client ClientOf(const http::Request& req) {
    std::string_view device = CookieValue(req.Header("cookie"), kDeviceCookie);
    return Client{req.remote_ip, std::string(req.Header("user-agent")),
                  device.size() > 100 ? std::string() : std::string(device)};
}

/// `secure`: the request came over HTTPS (Request::secure). Only then is the cookie marked Secure: a
/// self-hosted install may be reached over plain HTTP on a LAN, where a Secure cookie would not be
/// kept at all.
std::string DeviceSetCookie(std::string_view token, bool secure) {
    return std::string(kDeviceCookie) + "=" + std::string(token) +
           "; Path=/v1/auth; Max-Age=" + std::to_string(kDeviceCookieMaxAgeS) + "; HttpOnly; SameSite=Strict" +
           (secure ? "; Secure" : "");
}

Response SignedInResponse(int status, const SignedIn& in, bool secure) {
    Response response = Response::Text(status, "application/json", SignedInJson(in.tokens, in.me));
    response.SetHeader("Set-Cookie", DeviceSetCookie(in.device_cookie, secure));
    return response;
}

}  // namespace

asio::awaitable<Response> Routes::Signup(RequestPtr req) {
    SignedIn in = co_await service_.Signup(json::ReadBody<SignupBody>(req->body), ClientOf(*req));
    co_return SignedInResponse(201, in, req->secure);
}

asio::awaitable<Response> Routes::Login(RequestPtr req) {
    SignedIn in = co_await service_.Login(json::ReadBody<LoginBody>(req->body), ClientOf(*req));
    co_return SignedInResponse(200, in, req->secure);
}

asio::awaitable<Response> Routes::Refresh(RequestPtr req) {
    Refreshed out = co_await service_.Refresh(json::ReadBody<RefreshBody>(req->body));
    co_return Response::Text(200, "application/json", SignedInJson(out.tokens, out.me));
}

asio::awaitable<Response> Routes::Logout(RequestPtr req) {
    co_await service_.Logout(req->Caller());
    co_return Response::NoContent();
}

asio::awaitable<Response> Routes::ChangePassword(RequestPtr req) {
    co_await service_.ChangePassword(req->Caller(), json::ReadBody<PasswordBody>(req->body), ClientOf(*req));
    co_return Response::NoContent();
}

asio::awaitable<Response> Routes::ListSessions(RequestPtr req) {
    std::vector<SessionView> sessions = co_await service_.Sessions(req->Caller());
    co_return Response::Text(200, "application/json", SessionsJson(sessions));
}

asio::awaitable<Response> Routes::RevokeSession(RequestPtr req) {
    co_await service_.RevokeSession(req->Caller(), req->PathId("session_id", "session"));
    co_return Response::NoContent();
}

asio::awaitable<Response> Routes::GetMe(RequestPtr req) {
    db::Result me = co_await service_.Me(req->Caller().user_id);
    co_return Response::Text(200, "application/json", MeJson(me));
}

asio::awaitable<Response> Routes::PatchMe(RequestPtr req) {
    db::Result me = co_await service_.UpdateMe(req->Caller(), json::ReadBody<PatchMeBody>(req->body));
    co_return Response::Text(200, "application/json", MeJson(me));
}

asio::awaitable<Response> Routes::DeleteMe(RequestPtr req) {
    // The password may come in a JSON body (local accounts); Firebase accounts send none.
    auto body = req->body.empty() ? DeleteMeBody{} : json::ReadBody<DeleteMeBody>(req->body);
    co_await service_.DeleteMe(req->Caller(), std::move(body));
    co_return Response::NoContent();
}

asio::awaitable<Response> Routes::GetUser(RequestPtr req) {
    auto [profile, relationship] =
        co_await service_.PublicProfile(req->Caller().user_id, req->PathId("user_id", "user"));
    co_return Response::Text(200, "application/json", PublicProfileJson(profile, relationship));
}

asio::awaitable<Response> Routes::SearchUsers(RequestPtr req) {
    FieldErrors errors;
    ParsedSearch parsed = ParseSearch(req->QueryParam("q").value_or(""));
    if (!parsed.terms) {
        errors.Add("q", parsed.problem);
    }
    http::Page page = http::ReadPage(*req, 2, errors, http::PageLimits{.default_size = 20, .max_size = 50});
    errors.ThrowIfAny();
    std::optional<std::pair<std::int64_t, std::int64_t>> after;
    if (page.after) {
        after.emplace((*page.after)[0], (*page.after)[1]);
    }
    auto hits = co_await service_.Search(req->Caller().user_id, std::move(*parsed.terms), page.FetchCount(), after);
    int fetched = static_cast<int>(hits.size());
    int shown = page.Shown(fetched);
    std::optional<std::string> next;
    if (shown > 0) {
        const SearchHit& last = hits[static_cast<std::size_t>(shown) - 1].first;
        std::int64_t key[] = {last.rank, last.id};
        next = page.NextCursor(fetched, key);
    }
    co_return Response::Text(200, "application/json", SearchJson(hits, static_cast<std::size_t>(shown), next));
}

void Routes::Register(app::Registry& registry) {
    using http::Access;
    using http::Body;
    using http::Method;
    using http::RateClass;
    using Member = asio::awaitable<Response> (Routes::*)(RequestPtr);
    // The handler is a plain (non-coroutine) lambda returning the member coroutine's awaitable.
    auto bind = [this](Member member) -> http::Handler {
        return [this, member](RequestPtr req) { return (this->*member)(std::move(req)); };
    };
    const http::Route routes[] = {
        {.method = Method::kPost,
         .path = "/v1/auth/signup",
         .summary = "Create a local account",
         .access = Access::Anyone(),
         .rate = RateClass::kAuth,
         .body = Body::Json(),
         .idempotent = true,
         .handler = bind(&Routes::Signup)},
        {.method = Method::kPost,
         .path = "/v1/auth/login",
         .summary = "Sign in with email and password",
         .access = Access::Anyone(),
         .rate = RateClass::kAuth,
         .body = Body::Json(),
         .handler = bind(&Routes::Login)},
        {.method = Method::kPost,
         .path = "/v1/auth/refresh",
         .summary = "Rotate a refresh token",
         .access = Access::Anyone(),
         .rate = RateClass::kAuth,
         .body = Body::Json(),
         .handler = bind(&Routes::Refresh)},
        {.method = Method::kPost,
         .path = "/v1/auth/logout",
         .summary = "End the current session",
         .access = Access::SignedIn(),
         .body = Body::None(),
         .handler = bind(&Routes::Logout)},
        {.method = Method::kPost,
         .path = "/v1/auth/password",
         .summary = "Change password",
         .access = Access::SignedIn(),
         .rate = RateClass::kAuth,
         .body = Body::Json(),
         .handler = bind(&Routes::ChangePassword)},
        {.method = Method::kGet,
         .path = "/v1/auth/sessions",
         .summary = "List sessions",
         .access = Access::SignedIn(),
         .body = Body::None(),
         .handler = bind(&Routes::ListSessions)},
        {.method = Method::kDelete,
         .path = "/v1/auth/sessions/{session_id}",
         .summary = "Revoke a session",
         .access = Access::OwnerOf("session", "session_id"),
         .body = Body::None(),
         .handler = bind(&Routes::RevokeSession)},
        {.method = Method::kGet,
         .path = "/v1/me",
         .summary = "The caller's profile",
         .access = Access::SignedIn(),
         .body = Body::None(),
         .handler = bind(&Routes::GetMe)},
        {.method = Method::kPatch,
         .path = "/v1/me",
         .summary = "Update the caller's profile",
         .access = Access::SignedIn(),
         .body = Body::Json(),
         .handler = bind(&Routes::PatchMe)},
        {.method = Method::kDelete,
         .path = "/v1/me",
         .summary = "Delete the caller's account",
         .access = Access::SignedIn(),
         .rate = RateClass::kAuth,
         .body = Body::Json(),
         .handler = bind(&Routes::DeleteMe)},
        // Before /v1/users/{user_id}: the router takes the first route that matches.
        {.method = Method::kGet,
         .path = "/v1/users/search",
         .summary = "Search people by name and username",
         .access = Access::SignedIn(),
         .body = Body::None(),
         .handler = bind(&Routes::SearchUsers)},
        {.method = Method::kGet,
         .path = "/v1/users/{user_id}",
         .summary = "A user's public profile",
         .access = Access::ViewerOf("user", "user_id"),
         .body = Body::None(),
         .handler = bind(&Routes::GetUser)},
    };
    for (const auto& route : routes) {
        registry.Route(route);
    }
}

}  // namespace strava1::accounts
