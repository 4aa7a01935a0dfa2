// The middleware chain after a request is read (see pipeline.hpp). Beast-free: the Server and the
// in-process test client both come through here.
#include "strava1/http/pipeline.hpp"

#include <boost/url/pct_string_view.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstring>

#include "accept_encoding.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/base/log.hpp"
#include "strava1/http/multipart.hpp"

namespace strava1::http {
namespace asio = boost::asio;

namespace {

using namespace std::string_view_literals;

bool ValidRequestId(std::string_view id) {
    if (id.empty() || id.size() > 64) {
        return false;
    }
    for (char c : id) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.') {
            return false;
        }
    }
    return true;
}

// A random per-process prefix plus a counter: unique across processes and restarts without a
// CSPRNG call (and its getpid) on every request. 32 random bits keep the id within the 15 bytes a
// std::string holds without allocating for the first 16 million requests.
std::string NewId() {
    static const std::string prefix = crypto::Hex(crypto::RandomBytes(4)) + "-";
    static std::atomic<std::uint64_t> counter{0};
    char buf[32];
    std::memcpy(buf, prefix.data(), prefix.size());
    auto [end, ec] = std::to_chars(buf + prefix.size(), buf + sizeof buf, ++counter, 16);
    return std::string(buf, end);
}

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return AsciiLower(x) == AsciiLower(y); });
}

bool IsJsonType(std::string_view content_type) {
    auto semi = content_type.find(';');
    auto base = content_type.substr(0, semi);
    while (!base.empty() && base.back() == ' ') {
        base.remove_suffix(1);
    }
    std::string lower(base);
    for (auto& c : lower) {
        c = AsciiLower(c);
    }
    return lower == "application/json" || (lower.starts_with("application/") && lower.ends_with("+json"));
}

/// Throws 415 when a non-empty body's content type is not the one the route's body kind takes.
void CheckBodyType(BodyKind kind, std::string_view content_type) {
    if (kind == BodyKind::kJson && !IsJsonType(content_type)) {
        throw Error(ErrorKind::kUnsupportedMedia, "the body must be application/json");
    }
    if (kind == BodyKind::kMultipart && !MultipartBoundary(content_type)) {
        throw Error(ErrorKind::kUnsupportedMedia, "the body must be multipart/form-data with a boundary");
    }
}

bool Compressible(std::string_view content_type) {
    return content_type.starts_with("application/json") || content_type.starts_with("application/problem+json") ||
           content_type.starts_with("text/") || content_type.starts_with("application/manifest+json");
}

/// Writes into a buffer sized beforehand for the longest possible head: plain stores, no capacity
/// checks per piece (this runs for every response).
class HeadWriter {
public:
    explicit HeadWriter(char* at) : p_(at) {}
    void Put(std::string_view text) {
        std::memcpy(p_, text.data(), text.size());
        p_ += text.size();
    }
    void PutNumber(std::uint64_t n) { p_ = std::to_chars(p_, p_ + 20, n).ptr; }
    /// Header values come from our own code, but some carry user input (a Location, a file name):
    /// a CR or LF there would let a caller split the response, so they become spaces.
    void PutValue(std::string_view value) {
        char* start = p_;
        Put(value);
        std::replace_if(
            start, p_, [](char c) { return c == '\r' || c == '\n'; }, ' ');
    }
    char* End() const { return p_; }

private:
    char* p_;
};

/// Writes the status line and header block into `out` (its capacity is reused from request to
/// request). Serialised by hand rather than through Beast's fields container, which allocates per
/// header.
void SerialiseHead(std::string& out, const Response& response, std::string_view reason, std::string_view request_id,
                   bool keep_alive, bool http10, std::size_t content_length, bool gzip) {
    // Fixed part: status line, our own headers, numbers; 512 bytes is far more than they take.
    std::size_t bound = 512 + response.content_type.size() + request_id.size();
    for (const auto& [name, value] : response.headers) {
        bound += name.size() + value.size() + 4;
    }
    out.resize(bound);
    HeadWriter w(out.data());
    w.Put("HTTP/1.1 "sv);
    w.PutNumber(static_cast<std::uint64_t>(response.status));
    w.Put(" "sv);
    w.Put(reason.substr(0, 64));
    w.Put("\r\n"sv);
    if (!response.content_type.empty()) {
        w.Put("Content-Type: "sv);
        w.PutValue(response.content_type);
        w.Put("\r\n"sv);
    }
    bool has_cache_control = false;
    for (const auto& [name, value] : response.headers) {
        if (IEquals(name, "cache-control")) {
            has_cache_control = true;
        }
        w.PutValue(name);
        w.Put(": "sv);
        w.PutValue(value);
        w.Put("\r\n"sv);
    }
    if (response.rate_limit) {
        w.Put("X-RateLimit-Limit: "sv);
        w.PutNumber(static_cast<std::uint64_t>(std::max(0, response.rate_limit->limit)));
        w.Put("\r\nX-RateLimit-Remaining: "sv);
        w.PutNumber(static_cast<std::uint64_t>(std::max(0, response.rate_limit->remaining)));
        w.Put("\r\nX-RateLimit-Reset: "sv);
        w.PutNumber(static_cast<std::uint64_t>(std::max(0, response.rate_limit->reset_s)));
        w.Put("\r\n"sv);
    }
    w.Put("X-Request-Id: "sv);
    w.PutValue(request_id);
    w.Put("\r\nX-Content-Type-Options: nosniff\r\n"sv);
    if (!has_cache_control) {
        w.Put("Cache-Control: no-store\r\n"sv);
    }
    if (gzip) {
        w.Put("Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n"sv);
    }
    if (!keep_alive) {
        w.Put("Connection: close\r\n"sv);
    } else if (http10) {
        w.Put("Connection: keep-alive\r\n"sv);
    }
    if (!Pipeline::BodyForbidden(response.status)) {
        w.Put("Content-Length: "sv);
        w.PutNumber(content_length);
        w.Put("\r\n"sv);
    }
    w.Put("\r\n"sv);
    out.resize(static_cast<std::size_t>(w.End() - out.data()));
}

}  // namespace

Pipeline::Pipeline(ServerOptions options, const Router& router, Authenticator* authenticator,
                   IdempotencyStore* idempotency, Metrics& metrics)
    : options_(std::move(options)),
      router_(router),
      authenticator_(authenticator),
      idempotency_(idempotency),
      metrics_(metrics) {
    if (options_.web_dir) {
        static_files_.emplace(*options_.web_dir);
    } else if (options_.web_files) {
        static_files_.emplace(*options_.web_files);
    }
}

std::string Pipeline::NewRequestId() { return NewId(); }

bool Pipeline::BodyForbidden(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

bool Pipeline::SetTarget(Request& request, std::string_view target) {
    request.target = std::string(target);
    auto q = target.find('?');
    std::string_view raw_path = target.substr(0, q);
    if (q != std::string_view::npos) {
        request.query = std::string(target.substr(q + 1));
    }
    auto decoded = boost::urls::make_pct_string_view(raw_path);
    if (!decoded || raw_path.empty() || raw_path.front() != '/') {
        return false;
    }
    request.path = decoded->decode();
    return true;
}

RouteMatch Pipeline::Begin(Request& request) const {
    auto incoming_id = request.Header("x-request-id");
    request.request_id = ValidRequestId(incoming_id) ? std::string(incoming_id) : NewId();
    return router_.Match(request.method, request.path);
}

std::size_t Pipeline::BodyLimit(const RouteMatch& match) {
    return match.route != nullptr ? match.route->body.limit : kDefaultJsonBodyLimit;
}

Error Pipeline::TooLarge(std::size_t limit) {
    if (limit == 0) {
        return Error(ErrorKind::kTooLarge, "this endpoint takes no request body");
    }
    return Error(ErrorKind::kTooLarge, "the body exceeds " + std::to_string(limit) + " bytes");
}

asio::awaitable<Response> Pipeline::Answer(RequestPtr request, RouteMatch& match) {
    // (No co_await inside ?: or a catch block: GCC 12 mishandles both.)
    Response response;
    if (std::size_t limit = BodyLimit(match); request->body.size() > limit) {
        // The server refuses this before reading the body; a request made in-process arrives whole.
        response = ProblemResponse(TooLarge(limit), request->path, request->request_id);
    } else if (auto answered = AnswerWithoutRoute(*request, match)) {
        response = std::move(*answered);
    } else {
        try {
            response = co_await RunRoute(request, *match.route);
        } catch (const Error& e) {
            response = FailureResponse(e, *request);
        } catch (const std::exception& e) {
            response = BugResponse(e, *request);
        }
    }
    AddCors(*request, response);
    co_return response;
}

Response Pipeline::Refuse(const Request& request, const Error& error) const {
    Response response = ProblemResponse(error, request.path, request.request_id);
    AddCors(request, response);
    return response;
}

bool Pipeline::Encode(const Request& request, Response& response) const {
    // (A handler that set Content-Encoding sent precompressed bytes.)
    if (response.body.size() >= options_.gzip_min_bytes && Compressible(response.content_type) &&
        AcceptsGzip(request.Header("accept-encoding")) && response.Header("content-encoding").empty()) {
        response.body = Gzip(response.body);
        return true;
    }
    return false;
}

void Pipeline::WriteHead(std::string& out, const Response& response, std::string_view reason,
                         std::string_view request_id, bool keep_alive, bool http10, std::size_t content_length,
                         bool gzip) {
    SerialiseHead(out, response, reason, request_id, keep_alive, http10, content_length, gzip);
}

std::vector<std::pair<std::string, std::string>> Pipeline::WireHeaders(const Response& response,
                                                                       std::string_view request_id, bool gzip) {
    std::string head;
    SerialiseHead(head, response, "", request_id, true, false, response.body.size(), gzip);
    std::vector<std::pair<std::string, std::string>> fields;
    std::string_view rest(head);
    rest.remove_prefix(rest.find("\r\n") + 2);  // the status line
    while (!rest.empty() && !rest.starts_with("\r\n")) {
        auto end = rest.find("\r\n");
        std::string_view line = rest.substr(0, end);
        auto colon = line.find(':');
        fields.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 2)));
        rest.remove_prefix(end + 2);
    }
    return fields;
}

void Pipeline::Record(const Request& request, const RouteMatch& match, const Response& response, double seconds) const {
    metrics_.Observe(match.route != nullptr ? match.index : Metrics::kUnmatched, response.status, seconds);
    if (response.status >= 400 || log::Enabled(log::Level::kDebug)) {
        // Access log: every request at debug, errors at info so they show by default.
        boost::json::object fields{{"request_id", request.request_id},
                                   {"method", MethodName(request.method)},
                                   {"path", request.path},
                                   {"route", request.route},
                                   {"status", response.status},
                                   {"duration_ms", seconds * 1000.0},
                                   {"remote_ip", request.remote_ip}};
        if (request.principal) {
            fields["user_id"] = request.principal->user_id;
        }
        log::Write(response.status >= 400 ? log::Level::kInfo : log::Level::kDebug, "request", std::move(fields));
    }
}

void Pipeline::AddCors(const Request& request, Response& response) const {
    auto origin = request.Header("origin");
    if (origin.empty()) {
        return;
    }
    for (const auto& allowed : options_.cors_origins) {
        if (allowed == origin) {
            response.SetHeader("Access-Control-Allow-Origin", std::string(origin));
            response.SetHeader("Vary", "Origin");
            response.SetHeader("Access-Control-Expose-Headers",
                               "X-Request-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, "
                               "X-RateLimit-Reset, Idempotent-Replayed");
            return;
        }
    }
}

asio::awaitable<Response> Pipeline::RunRoute(RequestPtr request, const Route& route) {
    // Authentication: attach a principal whenever a bearer token is presented. A refusal is held
    // back until the rate limiter has counted the request, so token guessing is rate limited too.
    std::unique_ptr<Error> auth_failure;  // (not optional<Error>: this frame is kept small)
    auto authorization = request->Header("authorization");
    if (!authorization.empty() && route.Auth() != AuthPolicy::kOwnToken) {
        if (authorization.size() < 8 || !std::equal(authorization.begin(), authorization.begin() + 7, "Bearer ",
                                                    [](char a, char b) { return AsciiLower(a) == AsciiLower(b); })) {
            auth_failure = std::make_unique<Error>(ErrorKind::kUnauthenticated,
                                                   "the Authorization header must be \"Bearer <token>\"");
        } else if (authenticator_ == nullptr) {
            auth_failure = std::make_unique<Error>(ErrorKind::kUnauthenticated, "authentication is not configured");
        } else {
            try {
                request->principal = co_await authenticator_->Authenticate(std::string(authorization.substr(7)));
            } catch (const Error& e) {
                if (e.Kind() != ErrorKind::kUnauthenticated) {
                    throw;
                }
                auth_failure = std::make_unique<Error>(e);
            }
        }
    }

    // Rate limiting. Anonymous budgets are per client network (an IPv6 /64 is one client).
    std::string rate_key;
    const Budget* budget = nullptr;
    switch (route.rate) {
        case RateClass::kDefault:
            if (request->principal) {
                rate_key = "user:" + std::to_string(request->principal->user_id);
                budget = &options_.user_budget;
            } else {
                rate_key = "ip:" + ClientNetwork(request->remote_ip);
                budget = &options_.anon_budget;
            }
            break;
        case RateClass::kAuth:
            rate_key = "auth:" + ClientNetwork(request->remote_ip);
            budget = &options_.auth_budget;
            break;
        case RateClass::kProbe:
            rate_key = "probe:" + ClientNetwork(request->remote_ip);
            budget = &options_.probe_budget;
            break;
    }
    RateDecision decision = limiter_.Take(rate_key, *budget);
    auto set_rate_headers = [&decision](Response& r) {
        r.rate_limit = Response::RateLimit{decision.limit, decision.remaining, decision.reset_s};
    };
    if (decision.allowed && auth_failure) {
        throw *auth_failure;
    }
    // The admin API is not revealed: to anyone but a site administrator it answers exactly as a
    // path no route serves (ADR 0024).
    if (decision.allowed && route.access.kind == AccessKind::kSiteAdmin &&
        !(request->principal && request->principal->site_admin)) {
        throw NotFound();
    }
    if (decision.allowed && route.Auth() == AuthPolicy::kUser && !request->principal) {
        throw Error(ErrorKind::kUnauthenticated, "this endpoint needs a bearer token");
    }
    if (!decision.allowed) {
        Response limited = RateLimitedResponse(*request, decision);
        set_rate_headers(limited);
        co_return limited;
    }

    // The content type the route states (a body on a route that takes none never got this far).
    if (!request->body.empty()) {
        CheckBodyType(route.body.kind, request->Header("content-type"));
    }

    // Idempotency-Key on creating writes (its own coroutine: rare, and its state would make this
    // frame, which every request allocates, too large for Asio's frame cache).
    if (route.idempotent && idempotency_ != nullptr && !request->Header("idempotency-key").empty()) {
        Response replayed_or_fresh = co_await RunIdempotent(request, route);
        set_rate_headers(replayed_or_fresh);
        co_return replayed_or_fresh;
    }

    Response response;
    try {
        response = co_await route.handler(request);
    } catch (const Error& e) {
        response = FailureResponse(e, *request);
    }
    set_rate_headers(response);
    co_return response;
}

asio::awaitable<Response> Pipeline::RunIdempotent(RequestPtr request, const Route& route) {
    std::string idem_key(request->Header("idempotency-key"));
    if (idem_key.size() > kMaxIdempotencyKeyLength) {
        throw InvalidField("Idempotency-Key", "must be at most 255 characters");
    }
    std::string idem_scope =
        request->principal ? "user:" + std::to_string(request->principal->user_id) : "anon:" + request->remote_ip;
    std::string hash = RequestFingerprint(*request);
    IdempotencyClaim claim = co_await idempotency_->Claim(
        idem_scope, idem_key, std::string(MethodName(request->method)), request->path, hash);
    switch (claim.kind) {
        case IdempotencyClaim::Kind::kProceed:
            break;
        case IdempotencyClaim::Kind::kReplay:
            co_return claim.replay;
        case IdempotencyClaim::Kind::kMismatch:
            throw Error(ErrorKind::kUnprocessable, "this Idempotency-Key was used with a different request",
                        {{"Idempotency-Key", "reused with a different request"}});
        case IdempotencyClaim::Kind::kInFlight:
            throw Error(ErrorKind::kConflict, "a request with this Idempotency-Key is still being processed")
                .WithRetryAfter(std::min(claim.retry_after_s, 5));
    }

    std::optional<Response> response;
    std::exception_ptr failure;
    try {
        response = co_await route.handler(request);
    } catch (const Error& e) {
        response = FailureResponse(e, *request);
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure || !KeepsOutcome(response->status)) {
        co_await idempotency_->Abandon(idem_scope, idem_key);
    } else {
        co_await idempotency_->Complete(idem_scope, idem_key, *response);
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    co_return std::move(*response);
}

Response Pipeline::RateLimitedResponse(const Request& request, const RateDecision& decision) const {
    Error limited(ErrorKind::kRateLimited,
                  "rate limit exceeded; retry after " + std::to_string(decision.retry_after_s) + " s");
    limited.WithRetryAfter(decision.retry_after_s);
    return ProblemResponse(limited, request.path, request.request_id);
}

Response Pipeline::FailureResponse(const Error& e, const Request& request) const {
    if (Describe(e.Kind()).status >= 500) {
        log::Error("request failed",
                   {{"request_id", request.request_id}, {"error", e.LogDetail().empty() ? e.Detail() : e.LogDetail()}});
    }
    return ProblemResponse(e, request.path, request.request_id);
}

Response Pipeline::BugResponse(const std::exception& e, const Request& request) const {
    // A bug: the client learns nothing but the request id; the log gets the details.
    log::Error("unhandled exception", {{"request_id", request.request_id}, {"error", e.what()}});
    return ProblemResponse(Error(ErrorKind::kInternal, "internal error"), request.path, request.request_id);
}

std::optional<Response> Pipeline::AnswerWithoutRoute(Request& request, RouteMatch& match) const {
    // Not a coroutine: every request passes here, and a coroutine frame this size would be
    // allocated and freed each time (Asio recycles only frames under 1 KiB).
    try {
        if (request.method == Method::kOptions && !request.Header("origin").empty()) {
            // CORS preflight: allowed origins get the methods of this path; others get nothing usable.
            bool allowed = std::find(options_.cors_origins.begin(), options_.cors_origins.end(),
                                     request.Header("origin")) != options_.cors_origins.end();
            if (!allowed) {
                throw Error(ErrorKind::kPermissionDenied, "origin not allowed");
            }
            Response r = Response::NoContent();
            r.SetHeader("Access-Control-Allow-Methods", match.path_exists ? match.allow : "GET");
            r.SetHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, X-Request-Id");
            r.SetHeader("Access-Control-Max-Age", "600");
            return r;
        }
        if (match.route != nullptr) {
            for (auto& [name, value] : match.params) {
                request.path_params.emplace(std::move(name), std::move(value));
            }
            request.route = match.route->path;
            return std::nullopt;  // the route's handler answers
        }
        if (match.path_exists) {
            Error e(ErrorKind::kMethodNotAllowed,
                    MethodName(request.method).data() + std::string(" is not allowed here"));
            Response r = ProblemResponse(e, request.path, request.request_id);
            r.SetHeader("Allow", match.allow);
            return r;
        }
        if (request.path.starts_with("/v0/")) {
            throw Error(ErrorKind::kGone, "API v0 is retired; use /v1");
        }
        if (static_files_ && !request.path.starts_with("/v1/") && request.path != "/v1") {
            if (auto file = static_files_->Serve(request)) {
                return std::move(*file);
            }
            throw NotFound("page");
        }
        throw NotFound();
    } catch (const Error& e) {
        return FailureResponse(e, request);
    } catch (const std::exception& e) {
        return BugResponse(e, request);
    }
}

}  // namespace strava1::http
