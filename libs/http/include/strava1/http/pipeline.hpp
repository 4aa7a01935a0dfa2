#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strava1/http/idempotency.hpp"
#include "strava1/http/message.hpp"
#include "strava1/http/metrics.hpp"
#include "strava1/http/rate_limiter.hpp"
#include "strava1/http/router.hpp"
#include "strava1/http/server.hpp"
#include "strava1/http/static_files.hpp"

namespace strava1::http {

/// What happens to a request once it has been read, whoever read it: the Server after parsing a
/// socket's bytes, or a test's in-process client (libs/testing) without one. Both call the same
/// steps in the same order, so a test that goes through here sees what a socket's client sees:
///
///   Begin (request id, route) → Answer (body limit, CORS preflight, 404/405/410, static files,
///   authentication, rate limit, content type, Idempotency-Key, handler, errors as problem+json,
///   CORS headers) → Encode (gzip) → WriteHead (the fixed headers: X-Request-Id, nosniff,
///   Cache-Control, X-RateLimit-*) → Record (metrics, access log).
///
/// Beast-free: it takes and returns the project's Request and Response. Thread-safe after
/// construction (the rate limiter locks; everything else is read-only).
class Pipeline {
public:
    Pipeline(ServerOptions options, const Router& router, Authenticator* authenticator, IdempotencyStore* idempotency,
             Metrics& metrics);
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    /// Splits a request-target into `target`, decoded `path` and raw `query`. False for a target
    /// that is not an origin-form path or whose percent-encoding is malformed (the caller answers 400).
    static bool SetTarget(Request& request, std::string_view target);

    /// A request id unique across processes (for an answer given before a request could be read).
    static std::string NewRequestId();
    /// Statuses whose response carries no body (1xx, 204, 304).
    static bool BodyForbidden(int status);

    /// Gives the request its id (the client's X-Request-Id when well-formed, else a new one) and
    /// matches its route.
    RouteMatch Begin(Request& request) const;

    /// The most body bytes the matched route reads (the JSON default when nothing matched).
    static std::size_t BodyLimit(const RouteMatch& match);
    /// The 413 for a body over `limit`.
    static Error TooLarge(std::size_t limit);

    /// The answer to a request whose body has been read. Never throws: every Error becomes its
    /// problem document here, any other exception a 500 that tells the client only the request id.
    boost::asio::awaitable<Response> Answer(RequestPtr request, RouteMatch& match);

    /// The answer to a request refused before it was read through (413, malformed framing):
    /// problem+json with CORS, like any other.
    Response Refuse(const Request& request, const Error& error) const;

    /// Compresses the body for a client that takes gzip, when it is worth it. True when it did.
    bool Encode(const Request& request, Response& response) const;

    /// Writes the status line and header block the server sends for `response` into `out`
    /// (its capacity is reused): the response's own headers plus X-Request-Id, the security
    /// headers (X-Content-Type-Options, Cache-Control: no-store unless set), X-RateLimit-*,
    /// Content-Encoding, Connection and Content-Length. `reason` is the status line's phrase.
    static void WriteHead(std::string& out, const Response& response, std::string_view reason,
                          std::string_view request_id, bool keep_alive, bool http10, std::size_t content_length,
                          bool gzip);

    /// The header fields WriteHead puts on the wire for `response`, in order, as (name, value):
    /// what an in-process client reports so that it sees exactly the socket's headers.
    static std::vector<std::pair<std::string, std::string>> WireHeaders(const Response& response,
                                                                        std::string_view request_id, bool gzip);

    /// Counts the request in the metrics and writes the access log line (errors at info).
    void Record(const Request& request, const RouteMatch& match, const Response& response, double seconds) const;

    const ServerOptions& Options() const { return options_; }

private:
    boost::asio::awaitable<Response> RunRoute(RequestPtr request, const Route& route);
    boost::asio::awaitable<Response> RunIdempotent(RequestPtr request, const Route& route);
    std::optional<Response> AnswerWithoutRoute(Request& request, RouteMatch& match) const;
    Response FailureResponse(const Error& e, const Request& request) const;
    Response RateLimitedResponse(const Request& request, const RateDecision& decision) const;
    Response BugResponse(const std::exception& e, const Request& request) const;
    void AddCors(const Request& request, Response& response) const;

    ServerOptions options_;
    const Router& router_;
    Authenticator* authenticator_;
    IdempotencyStore* idempotency_;
    Metrics& metrics_;
    std::optional<StaticFiles> static_files_;
    RateLimiter limiter_;
};

}  // namespace strava1::http
