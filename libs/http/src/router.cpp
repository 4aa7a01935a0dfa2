#include "strava1/http/router.hpp"

#include <stdexcept>

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

bool IsParam(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(Route route) {
    std::string where = std::string(MethodName(route.method)) + " " + route.path;
    if (route.auth == AuthPolicy::kUnset) {
        throw std::invalid_argument("route " + where + " has no auth policy");
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
    for (std::size_t idx = 0; idx < routes_.size(); ++idx) {
        if (routes_[idx].method == route.method && compiled_[idx].segments == compiled.segments) {
            throw std::invalid_argument("duplicate route " + where);
        }
    }
    routes_.push_back(std::move(route));
    compiled_.push_back(std::move(compiled));
}

RouteMatch Router::Match(Method method, std::string_view path) const {
    RouteMatch match;
    if (path.empty() || path.front() != '/') {
        return match;
    }
    auto segments = SplitPath(path);
    for (std::size_t idx = 0; idx < routes_.size(); ++idx) {
        const auto& tpl = compiled_[idx].segments;
        if (tpl.size() != segments.size()) {
            continue;
        }
        std::vector<std::pair<std::string, std::string>> params;
        bool ok = true;
        for (std::size_t seg_idx = 0; seg_idx < tpl.size() && ok; ++seg_idx) {
            if (IsParam(tpl[seg_idx])) {
                if (segments[seg_idx].empty()) {
                    ok = false;
                } else {
                    params.emplace_back(tpl[seg_idx].substr(1, tpl[seg_idx].size() - 2), segments[seg_idx]);
                }
            } else if (tpl[seg_idx] != segments[seg_idx]) {
                ok = false;
            }
        }
        if (!ok) {
            continue;
        }
        match.path_exists = true;
        match.allow += (match.allow.empty() ? "" : ", ") + std::string(MethodName(routes_[idx].method));
        if (routes_[idx].method == Method::kGet) {
            match.allow += ", HEAD";
        }
        bool method_ok = routes_[idx].method == method || (method == Method::kHead && routes_[idx].method == Method::kGet);
        if (method_ok && match.route == nullptr) {
            match.route = &routes_[idx];
            match.index = idx;
            match.params = std::move(params);
        }
    }
    return match;
}

}  // namespace strava1::http
