#include "strava1/http/router.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace strava1::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t pos = 1;
    while (pos <= path.size()) {
        std::size_t next = path.find('/', pos);
        if (next == std::string_view::npos) {
            next = path.size();
        }
        out.push_back(path.substr(pos, next - pos));
        pos = next + 1;
    }
    return out;
}

bool IsParam(std::string_view segment) { return segment.size() > 2 && segment.front() == '{' && segment.back() == '}'; }

}  // namespace

std::string_view BodyKindName(BodyKind kind) {
    switch (kind) {
        case BodyKind::kUnset:
            return "unset";
        case BodyKind::kNone:
            return "none";
        case BodyKind::kJson:
            return "json";
        case BodyKind::kRaw:
            return "raw";
        case BodyKind::kMultipart:
            return "multipart";
    }
    return "unset";
}

std::string_view AuthPolicyName(AuthPolicy auth) {
    switch (auth) {
        case AuthPolicy::kUnset:
            return "unset";
        case AuthPolicy::kPublic:
            return "public";
        case AuthPolicy::kUser:
            return "user";
        case AuthPolicy::kOwnToken:
            return "token";
    }
    return "unset";
}

AuthPolicy AuthPolicyOf(const Access& access) {
    switch (access.kind) {
        case AccessKind::kUnset:
            return AuthPolicy::kUnset;
        case AccessKind::kAnyone:
        case AccessKind::kSignedUrl:
            return AuthPolicy::kPublic;
        case AccessKind::kOperator:
            return AuthPolicy::kOwnToken;
        case AccessKind::kSignedIn:
        case AccessKind::kOwner:
        case AccessKind::kViewer:
        case AccessKind::kMember:
        case AccessKind::kScopeAdmin:
        case AccessKind::kSiteAdmin:
            return AuthPolicy::kUser;
    }
    return AuthPolicy::kUnset;
}

std::string_view AccessKindName(AccessKind kind) {
    switch (kind) {
        case AccessKind::kUnset:
            return "unset";
        case AccessKind::kAnyone:
            return "anyone";
        case AccessKind::kSignedUrl:
            return "signed-url";
        case AccessKind::kOperator:
            return "operator";
        case AccessKind::kSignedIn:
            return "signed-in";
        case AccessKind::kOwner:
            return "owner";
        case AccessKind::kViewer:
            return "viewer";
        case AccessKind::kMember:
            return "member";
        case AccessKind::kScopeAdmin:
            return "scope-admin";
        case AccessKind::kSiteAdmin:
            return "site-admin";
    }
    return "unset";
}

std::string_view RateClassName(RateClass rate) {
    switch (rate) {
        case RateClass::kDefault:
            return "default";
        case RateClass::kAuth:
            return "auth";
        case RateClass::kProbe:
            return "probe";
    }
    return "default";
}

void Router::Add(Route route) {
    std::string where = std::string(MethodName(route.method)) + " " + route.path;
    if (route.access.kind == AccessKind::kUnset) {
        throw std::invalid_argument("route " + where + " states no access (its resource policy)");
    }
    const bool names_object = route.access.kind == AccessKind::kOwner || route.access.kind == AccessKind::kViewer ||
                              route.access.kind == AccessKind::kMember || route.access.kind == AccessKind::kScopeAdmin;
    if (names_object != !route.access.param.empty() || names_object == route.access.object.empty()) {
        throw std::invalid_argument(
            "route " + where + ": access " + std::string(AccessKindName(route.access.kind)) +
            (names_object ? " names an object and its path parameter" : " names no object or parameter"));
    }
    if (names_object && route.path.find("{" + std::string(route.access.param) + "}") == std::string::npos) {
        throw std::invalid_argument("route " + where + ": access names {" + std::string(route.access.param) +
                                    "}, which the path does not have");
    }
    if (route.body.kind == BodyKind::kUnset) {
        throw std::invalid_argument("route " + where + " states no body kind");
    }
    if ((route.body.kind == BodyKind::kNone) != (route.body.limit == 0)) {
        throw std::invalid_argument("route " + where +
                                    ": a body limit of 0 is for routes without a body, and only them");
    }
    if (!route.handler) {
        throw std::invalid_argument("route " + where + " has no handler");
    }
    if (route.path.empty() || route.path.front() != '/') {
        throw std::invalid_argument("route " + where + ": path must start with /");
    }
    Compiled compiled;
    for (auto segment : SplitPath(route.path)) {
        if (segment.empty() && route.path != "/") {
            throw std::invalid_argument("route " + where + ": empty path segment");
        }
        if (segment.find_first_of("{}") != std::string_view::npos && !IsParam(segment)) {
            throw std::invalid_argument("route " + where + ": malformed parameter segment");
        }
        compiled.segments.emplace_back(segment);
    }
    if (compiled.segments.size() > kMaxSegments) {
        throw std::invalid_argument("route " + where + ": more than " + std::to_string(kMaxSegments) + " segments");
    }
    for (std::size_t idx = 0; idx < routes_.size(); ++idx) {
        if (routes_[idx].method == route.method && compiled_[idx].segments == compiled.segments) {
            throw std::invalid_argument("duplicate route " + where);
        }
    }
    routes_.push_back(std::move(route));
    compiled_.push_back(std::move(compiled));
}

RouteMatch Router::Match(Method method, std::string_view path) const {
    // Runs for every request: no allocation unless there are path parameters or a 405 to explain.
    RouteMatch match;
    if (path.empty() || path.front() != '/') {
        return match;
    }
    std::array<std::string_view, kMaxSegments> segments;
    std::size_t count = 0;
    for (std::size_t pos = 1; pos <= path.size();) {
        if (count == kMaxSegments) {
            return match;  // deeper than any route (Add refuses deeper templates)
        }
        std::size_t next = path.find('/', pos);
        if (next == std::string_view::npos) {
            next = path.size();
        }
        segments[count++] = path.substr(pos, next - pos);
        pos = next + 1;
    }
    std::array<std::size_t, 16> same_path{};  // routes of this path, any method (for Allow)
    std::size_t same = 0;
    for (std::size_t idx = 0; idx < routes_.size(); ++idx) {
        const auto& tpl = compiled_[idx].segments;
        if (tpl.size() != count) {
            continue;
        }
        bool ok = true;
        for (std::size_t seg_idx = 0; seg_idx < count && ok; ++seg_idx) {
            ok = IsParam(tpl[seg_idx]) ? !segments[seg_idx].empty() : tpl[seg_idx] == segments[seg_idx];
        }
        if (!ok) {
            continue;
        }
        match.path_exists = true;
        if (same < same_path.size()) {
            same_path[same++] = idx;
        }
        bool method_ok =
            routes_[idx].method == method || (method == Method::kHead && routes_[idx].method == Method::kGet);
        if (method_ok && match.route == nullptr) {
            match.route = &routes_[idx];
            match.index = idx;
            for (std::size_t seg_idx = 0; seg_idx < count; ++seg_idx) {
                if (IsParam(tpl[seg_idx])) {
                    match.params.emplace_back(tpl[seg_idx].substr(1, tpl[seg_idx].size() - 2), segments[seg_idx]);
                }
            }
        }
    }
    if (match.path_exists && (match.route == nullptr || method == Method::kOptions)) {
        for (std::size_t k = 0; k < same; ++k) {
            const Route& route = routes_[same_path[k]];
            match.allow += (match.allow.empty() ? "" : ", ") + std::string(MethodName(route.method));
            if (route.method == Method::kGet) {
                match.allow += ", HEAD";
            }
        }
    }
    return match;
}

}  // namespace strava1::http
