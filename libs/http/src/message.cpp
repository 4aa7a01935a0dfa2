#include "strava1/http/message.hpp"

#include <boost/url/pct_string_view.hpp>

#include <algorithm>
#include <array>
#include <charconv>

#include "strava1/base/json.hpp"

namespace strava1::http {
namespace {

constexpr int kDefaultUnavailableRetryAfterS = 2;

constexpr std::array<std::pair<Method, std::string_view>, 7> kMethods = {{
    {Method::kGet, "GET"},
    {Method::kHead, "HEAD"},
    {Method::kPost, "POST"},
    {Method::kPut, "PUT"},
    {Method::kPatch, "PATCH"},
    {Method::kDelete, "DELETE"},
    {Method::kOptions, "OPTIONS"},
}};

bool IEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t idx = 0; idx < a.size(); ++idx) {
        // ASCII only, locale-free: header names are tokens.
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[idx]) != lower(b[idx])) {
            return false;
        }
    }
    return true;
}

// application/x-www-form-urlencoded component: '+' is a space; malformed escapes → nullopt.
std::optional<std::string> DecodeComponent(std::string_view text) {
    std::string plus_decoded(text);
    std::replace(plus_decoded.begin(), plus_decoded.end(), '+', ' ');
    auto view = boost::urls::make_pct_string_view(plus_decoded);
    if (!view) {
        return std::nullopt;
    }
    return view->decode();
}

}  // namespace

std::string_view MethodName(Method method) {
    for (const auto& [m, name] : kMethods) {
        if (m == method) {
            return name;
        }
    }
    return "OTHER";
}

Method ParseMethod(std::string_view text) {
    for (const auto& [m, name] : kMethods) {
        if (name == text) {
            return m;
        }
    }
    return Method::kOther;
}

std::string_view Request::Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
    std::string_view rest = query;
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        auto eq = pair.find('=');
        auto key = DecodeComponent(pair.substr(0, eq));
        if (key && *key == name) {
            return eq == std::string_view::npos ? std::optional<std::string>("") : DecodeComponent(pair.substr(eq + 1));
        }
    }
    return std::nullopt;
}

std::int64_t Request::PathId(const std::string& name, std::string_view what) const {
    auto it = path_params.find(name);
    if (it == path_params.end()) {
        throw NotFound(what);
    }
    const std::string& text = it->second;
    std::int64_t id = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
        throw NotFound(what);
    }
    return id;
}

const Principal& Request::Caller() const {
    if (!principal) {
        throw Error(ErrorKind::kUnauthenticated, "authentication required");
    }
    return *principal;
}

Response Response::Json(int status, const boost::json::value& value) {
    Response r;
    r.status = status;
    r.content_type = "application/json";
    r.body = json::Serialize(value);
    return r;
}

Response Response::NoContent() {
    Response r;
    r.status = 204;
    return r;
}

Response Response::Text(int status, std::string content_type, std::string body) {
    Response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
}

void Response::SetHeader(std::string name, std::string value) {
    for (auto& [key, existing] : headers) {
        if (IEquals(key, name)) {
            existing = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
}

std::string_view Response::Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (IEquals(key, name)) {
            return value;
        }
    }
    return {};
}

Response ProblemResponse(const Error& error, std::string_view instance, std::string_view request_id) {
    const ErrorKindInfo& info = Describe(error.Kind());
    boost::json::object problem;
    problem["type"] = std::string(kProblemTypePrefix) + std::string(info.slug);
    problem["title"] = info.title;
    problem["status"] = info.status;
    problem["detail"] = error.Detail();
    problem["instance"] = instance;
    problem["request_id"] = request_id;
    if (!error.Fields().empty()) {
        boost::json::array fields;
        for (const auto& f : error.Fields()) {
            fields.push_back(boost::json::object{{"field", f.field}, {"reason", f.reason}});
        }
        problem["errors"] = std::move(fields);
    }
    Response r;
    r.status = info.status;
    r.content_type = "application/problem+json";
    r.body = json::Serialize(problem);
    if (error.RetryAfterSeconds() > 0) {
        r.SetHeader("Retry-After", std::to_string(error.RetryAfterSeconds()));
    } else if (info.status == 503) {
        // Every 503 says when to come back: a client (or a proxy) that retries at once only adds load
        // while the database restarts.
        r.SetHeader("Retry-After", std::to_string(kDefaultUnavailableRetryAfterS));
    }
    if (error.Kind() == ErrorKind::kUnauthenticated) {
        r.SetHeader("WWW-Authenticate", "Bearer");
    }
    return r;
}

}  // namespace strava1::http
