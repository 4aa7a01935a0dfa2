#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "strava1/base/error.hpp"
#include "strava1/base/principal.hpp"

namespace strava1::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view MethodName(Method method);
Method ParseMethod(std::string_view text);

/// A parsed request as feature code sees it (no Beast types). Header names are lower-case.
struct Request {
    Method method = Method::kGet;
    std::string target;  ///< raw request-target
    std::string path;    ///< decoded path without query
    std::string query;   ///< raw query string without '?'
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string remote_ip;
    /// The client reached us over HTTPS. The server itself speaks plain HTTP, so this is true only
    /// when a trusted proxy says so (X-Forwarded-Proto: https; see ForwardedProtoIsHttps).
    bool secure = false;
    std::string request_id;
    std::string route;  ///< matched path template, e.g. "/v1/users/{user_id}"
    std::unordered_map<std::string, std::string> path_params;
    std::optional<Principal> principal;

    /// First header with this (lower-case) name, or empty.
    std::string_view Header(std::string_view name) const;
    /// Decoded query parameter, or nullopt.
    std::optional<std::string> QueryParam(std::string_view name) const;
    /// A path parameter that must be a positive integer id. Anything else answers 404, exactly as a
    /// missing object does: `what` must be the noun the handler uses for a missing object.
    std::int64_t PathId(const std::string& name, std::string_view what) const;
    /// The authenticated principal; the pipeline guarantees it on routes whose Access needs a signed-in user.
    const Principal& Caller() const;
};

using RequestPtr = std::shared_ptr<Request>;

struct Response {
    int status = 200;
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// X-RateLimit-* figures; the server sets them once the rate limiter has counted the request.
    struct RateLimit {
        int limit = 0;
        int remaining = 0;
        int reset_s = 0;
    };
    std::optional<RateLimit> rate_limit;

    static Response Json(int status, const boost::json::value& value);
    static Response NoContent();
    static Response Text(int status, std::string content_type, std::string body);
    void SetHeader(std::string name, std::string value);
    std::string_view Header(std::string_view name) const;
};

/// Builds the RFC 9457 problem document for `error` (the one place errors become responses).
Response ProblemResponse(const Error& error, std::string_view instance, std::string_view request_id);

}  // namespace strava1::http
