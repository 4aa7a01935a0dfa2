#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/http/message.hpp"

namespace strava1::http {

using Handler = std::function<boost::asio::awaitable<Response>(RequestPtr)>;

/// Who may call a route. There is no default: a route without a policy refuses to start.
enum class AuthPolicy {
    kUnset,
    kPublic,    ///< anyone; a valid bearer token is still attached when present
    kUser,      ///< a signed-in user (401 otherwise)
    kOwnToken,  ///< the handler checks the Authorization header itself (e.g. /metrics); it is not a user token
};

/// Which token bucket a route draws from (budgets in ServerOptions).
enum class RateClass {
    kDefault,  ///< per user, or per IP when anonymous
    kAuth,     ///< sign-up, log-in, refresh: a stricter per-IP budget
    kProbe,    ///< health probes and metrics: per IP, generous
};

inline constexpr std::size_t kDefaultJsonBodyLimit = 1024 * 1024;

/// What a route reads from the request body. Stated by every route, never inferred from its limit:
/// the server checks the content type by it (JSON 415, multipart 415) and refuses a body on a route
/// that takes none (413).
enum class BodyKind {
    kUnset,      ///< not stated: Router::Add refuses the route
    kNone,       ///< no body; one sent anyway is refused (413) before it is read
    kJson,       ///< application/json (or +json) when not empty (415 otherwise)
    kRaw,        ///< bytes of any content type, which the handler interprets (e.g. a file, or a
                 ///< multipart/form-data body it parses itself)
    kMultipart,  ///< multipart/form-data with a boundary (415 otherwise)
};

/// The body a route accepts: its kind and the most bytes it reads (0 for kNone).
struct Body {
    BodyKind kind = BodyKind::kUnset;
    std::size_t limit = 0;

    static constexpr Body None() { return {BodyKind::kNone, 0}; }
    static constexpr Body Json(std::size_t limit = kDefaultJsonBodyLimit) { return {BodyKind::kJson, limit}; }
    static constexpr Body Raw(std::size_t limit) { return {BodyKind::kRaw, limit}; }
    static constexpr Body Multipart(std::size_t limit) { return {BodyKind::kMultipart, limit}; }
};

std::string_view BodyKindName(BodyKind kind);
std::string_view AuthPolicyName(AuthPolicy auth);
std::string_view RateClassName(RateClass rate);

/// One route as every feature declares it: one row of its route table. Written with designated
/// initialisers in this order, e.g.
///
///     {.method = Method::kPost, .path = "/v1/activities", .summary = "Create a manual activity",
///      .auth = AuthPolicy::kUser, .body = Body::Json(), .idempotent = true, .handler = ...}
///
/// Router::Add refuses a route whose auth policy or body kind is not stated.
struct Route {
    Method method = Method::kGet;
    std::string path;     ///< template: "/v1/users/{user_id}"
    std::string summary;  ///< one line, mirrored in docs/api/openapi.yaml
    AuthPolicy auth = AuthPolicy::kUnset;
    RateClass rate = RateClass::kDefault;
    Body body;
    /// Honours Idempotency-Key: a retried creating write is answered from the first outcome.
    bool idempotent = false;
    Handler handler;
};

/// Result of matching a method and path.
struct RouteMatch {
    const Route* route = nullptr;  ///< null: no route for this method
    std::size_t index = 0;         ///< stable index (metrics)
    std::vector<std::pair<std::string, std::string>> params;
    bool path_exists = false;  ///< some method matches this path (→ 405 rather than 404)
    std::string allow;         ///< "GET, PATCH" when path_exists and no route matched the method, or for OPTIONS
};

/// Path-template router. Add() all routes before serving; Match() is then thread-safe.
class Router {
public:
    /// Throws std::invalid_argument for a route without auth policy, body kind or handler, a body
    /// limit that does not fit its kind, a malformed template, or a duplicate method+path.
    void Add(Route route);
    RouteMatch Match(Method method, std::string_view path) const;
    const std::vector<Route>& Routes() const { return routes_; }

    /// Deepest path template Add() accepts; deeper request paths match nothing.
    static constexpr std::size_t kMaxSegments = 16;

private:
    struct Compiled {
        std::vector<std::string> segments;  // "{name}" marks a parameter
    };
    std::vector<Route> routes_;
    std::vector<Compiled> compiled_;
};

}  // namespace strava1::http
