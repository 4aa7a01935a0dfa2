#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
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

/// One row of a feature's declarative route table.
struct Route {
    Method method = Method::kGet;
    std::string path;  ///< template: "/v1/users/{user_id}"
    AuthPolicy auth = AuthPolicy::kUnset;
    RateClass rate = RateClass::kDefault;
    bool idempotent_create = false;  ///< honours Idempotency-Key
    std::size_t body_limit = kDefaultJsonBodyLimit;
    std::string summary;  ///< one line, mirrored in docs/api/openapi.yaml
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
    /// Throws std::invalid_argument for a route without auth policy or handler, a malformed
    /// template, or a duplicate method+path.
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
