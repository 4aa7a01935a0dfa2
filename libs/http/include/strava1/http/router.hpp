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

/// How a route authenticates its caller, derived from its Access (AuthPolicyOf).
enum class AuthPolicy {
    kUnset,
    kPublic,    ///< anyone; a valid bearer token is still attached when present
    kUser,      ///< a signed-in user (401 otherwise)
    kOwnToken,  ///< the handler checks the Authorization header itself (e.g. /metrics); it is not a user token
};

/// Whose objects a route lets its caller act on: its resource policy, one field of its route table.
/// There is no default: Router::Add refuses a route without one. The route table states it and the
/// service enforces it through the resource policies of libs/app/policy.hpp; the authorisation
/// matrix (apps/strava1/authz_matrix_pgtest.cpp) is generated from these declarations and checks that
/// the two agree for every route and actor.
enum class AccessKind {
    kUnset,
    kAnyone,      ///< no account needed (sign-up, log-in, probes); a bearer token is still attached
    kSignedUrl,   ///< the URL's signature is the credential (tiles, stored files); no token is read
    kOperator,    ///< the operator's own token, which the handler checks (/metrics)
    kSignedIn,    ///< any signed-in user, acting only on their own account (/v1/me, their uploads list)
    kOwner,       ///< the object named by `param` must be the caller's; 404 as for a missing one otherwise
    kViewer,      ///< the object named by `param` must be visible to the caller by its privacy rules; 404 otherwise
    kMember,      ///< the caller must belong to the scope named by `param`; 404 otherwise
    kScopeAdmin,  ///< the caller must run the scope named by `param`: 404 for non-members, 403 for members
    kSiteAdmin,   ///< a site administrator; 404 for everyone else, as for a path that does not exist (ADR 0024)
};

struct Access {
    AccessKind kind = AccessKind::kUnset;
    std::string_view object;  ///< what `param` names ("activity", "club"); empty for kinds without one
    std::string_view param;   ///< the path parameter naming the object ("activity_id")

    static constexpr Access Anyone() { return {AccessKind::kAnyone, {}, {}}; }
    static constexpr Access SignedUrl() { return {AccessKind::kSignedUrl, {}, {}}; }
    static constexpr Access Operator() { return {AccessKind::kOperator, {}, {}}; }
    static constexpr Access SignedIn() { return {AccessKind::kSignedIn, {}, {}}; }
    static constexpr Access OwnerOf(std::string_view object, std::string_view param) {
        return {AccessKind::kOwner, object, param};
    }
    static constexpr Access ViewerOf(std::string_view object, std::string_view param) {
        return {AccessKind::kViewer, object, param};
    }
    static constexpr Access MemberOf(std::string_view object, std::string_view param) {
        return {AccessKind::kMember, object, param};
    }
    static constexpr Access AdminOf(std::string_view object, std::string_view param) {
        return {AccessKind::kScopeAdmin, object, param};
    }
    static constexpr Access SiteAdmin() { return {AccessKind::kSiteAdmin, {}, {}}; }
};

/// The authentication an access kind needs: kPublic for kAnyone and kSignedUrl, kOwnToken for
/// kOperator, kUser for the rest (kUnset for kUnset).
AuthPolicy AuthPolicyOf(const Access& access);
std::string_view AccessKindName(AccessKind kind);

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
///      .access = Access::SignedIn(), .body = Body::Json(), .idempotent = true, .handler = ...}
///
/// Router::Add refuses a route whose access or body kind is not stated, and one whose access names
/// a path parameter the path does not have.
struct Route {
    Method method = Method::kGet;
    std::string path;     ///< template: "/v1/users/{user_id}"
    std::string summary;  ///< one line, mirrored in docs/api/openapi.yaml
    Access access;
    RateClass rate = RateClass::kDefault;
    Body body;
    /// Honours Idempotency-Key: a retried creating write is answered from the first outcome.
    bool idempotent = false;
    Handler handler;

    AuthPolicy Auth() const { return AuthPolicyOf(access); }
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
    /// Throws std::invalid_argument for a route without access, body kind or handler, a body
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
