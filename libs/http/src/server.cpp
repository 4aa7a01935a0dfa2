// The only translation unit that includes Beast: everything else sees Request/Response.
#include "strava1/http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/pct_string_view.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "accept_encoding.hpp"
#include "framing.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/base/log.hpp"
#include "strava1/http/multipart.hpp"
#include "strava1/http/static_files.hpp"

namespace strava1::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

using namespace std::string_view_literals;
using BeastRequest = bhttp::request<bhttp::string_body>;

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
std::string NewRequestId() {
    static const std::string prefix = crypto::Hex(crypto::RandomBytes(4)) + "-";
    static std::atomic<std::uint64_t> counter{0};
    char buf[32];
    std::memcpy(buf, prefix.data(), prefix.size());
    auto [end, ec] = std::to_chars(buf + prefix.size(), buf + sizeof buf, ++counter, 16);
    return std::string(buf, end);
}

// Bytes asked of the socket per read while a header block is incomplete.
constexpr std::size_t kReadChunk = 4096;

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

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

/// The 413 for a body over the route's limit.
Error TooLarge(std::size_t limit) {
    if (limit == 0) {
        return Error(ErrorKind::kTooLarge, "this endpoint takes no request body");
    }
    return Error(ErrorKind::kTooLarge, "the body exceeds " + std::to_string(limit) + " bytes");
}

bool Compressible(std::string_view content_type) {
    return content_type.starts_with("application/json") || content_type.starts_with("application/problem+json") ||
           content_type.starts_with("text/") || content_type.starts_with("application/manifest+json");
}

bool BodyForbidden(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

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
void SerialiseHead(std::string& out, const Response& response, std::string_view request_id, bool keep_alive,
                   bool http10, std::size_t content_length, bool gzip) {
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
    auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(response.status));
    w.Put(std::string_view(reason.data(), std::min<std::size_t>(reason.size(), 64)));
    w.Put("\r\n"sv);
    if (!response.content_type.empty()) {
        w.Put("Content-Type: "sv);
        w.PutValue(response.content_type);
        w.Put("\r\n"sv);
    }
    bool has_cache_control = false;
    for (const auto& [name, value] : response.headers) {
        if (beast::iequals(name, "cache-control")) {
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
    if (!BodyForbidden(response.status)) {
        w.Put("Content-Length: "sv);
        w.PutNumber(content_length);
        w.Put("\r\n"sv);
    }
    w.Put("\r\n"sv);
    out.resize(static_cast<std::size_t>(w.End() - out.data()));
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    asio::io_context& io;
    std::vector<asio::io_context*> shards;  // each run by exactly one thread: no strands needed
    std::atomic<std::size_t> next_shard{0};
    ServerOptions options;
    const Router& router;
    Authenticator* authenticator;
    IdempotencyStore* idempotency;
    Metrics& metrics;
    std::optional<StaticFiles> static_files;
    tcp::acceptor acceptor;
    RateLimiter limiter;
    ServerStats stats;
    std::atomic<bool> stopping{false};

    // Live connections, so Stop() can close idle keep-alive ones, and the per-connection deadline.
    // A connection's socket, deadline and watchdog live on its shard's single thread.
    struct Conn {
        explicit Conn(tcp::socket s) : socket(std::move(s)), watchdog(socket.get_executor()) {}
        tcp::socket socket;
        asio::steady_timer watchdog;
        using Clock = std::chrono::steady_clock;
        Clock::time_point deadline = Clock::time_point::max();  // max: none (a handler is running)
        Clock::time_point armed = Clock::time_point::max();     // when the watchdog wakes next
        bool timed_out = false;
        bool closed = false;
        std::atomic<bool> idle{true};

        /// One deadline per phase (header block, body, write) instead of a timer per operation:
        /// moving it later costs a store; the watchdog notices when it wakes.
        void SetDeadline(Clock::duration budget) {
            deadline = Clock::now() + budget;
            if (deadline < armed) {
                watchdog.cancel();  // wake it to re-arm earlier
            }
        }
        void ClearDeadline() { deadline = Clock::time_point::max(); }
    };
    std::mutex conns_mutex;
    std::unordered_map<std::uint64_t, std::shared_ptr<Conn>> conns;
    std::atomic<std::uint64_t> next_conn_id{1};

    Impl(asio::io_context& io_ctx, ServerOptions opts, const Router& r, Authenticator* auth, IdempotencyStore* idem,
         Metrics& m)
        : io(io_ctx),
          options(std::move(opts)),
          router(r),
          authenticator(auth),
          idempotency(idem),
          metrics(m),
          acceptor(io_ctx) {
        if (options.web_dir) {
            static_files.emplace(*options.web_dir);
        } else if (options.web_files) {
            static_files.emplace(*options.web_files);
        }
    }

    asio::awaitable<void> Accept();
    asio::awaitable<void> Session(std::shared_ptr<Conn> conn);
    static asio::awaitable<void> Watchdog(std::shared_ptr<Conn> conn);
    asio::awaitable<Response> RunIdempotent(RequestPtr request, const Route& route);
    std::optional<Response> AnswerWithoutRoute(Request& request, RouteMatch& match) const;
    Response FailureResponse(const Error& e, const Request& request) const;
    Response RateLimitedResponse(const Request& request, const RateDecision& decision) const;
    Response BugResponse(const std::exception& e, const Request& request) const;
    asio::awaitable<Response> RunRoute(RequestPtr request, const Route& route);
    void AddCors(const Request& request, Response& response) const;
};

Server::Server(asio::io_context& io, ServerOptions options, const Router& router, Authenticator* authenticator,
               IdempotencyStore* idempotency, Metrics& metrics, std::vector<asio::io_context*> shards)
    : impl_(std::make_shared<Impl>(io, std::move(options), router, authenticator, idempotency, metrics)) {
    impl_->shards = shards.empty() ? std::vector<asio::io_context*>{&io} : std::move(shards);
}

Server::~Server() { Stop(); }

void Server::Start() {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(impl_->options.address, ec);
    if (ec) {
        throw std::runtime_error("listen address \"" + impl_->options.address + "\" is not an IP address");
    }
    tcp::endpoint endpoint(address, impl_->options.port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint, ec);
    if (ec) {
        throw std::runtime_error("cannot listen on " + impl_->options.address + ":" +
                                 std::to_string(impl_->options.port) + ": " + ec.message());
    }
    acceptor.listen(asio::socket_base::max_listen_connections);
    asio::co_spawn(acceptor.get_executor(), impl_->Accept(), asio::detached);
}

std::uint16_t Server::Port() const { return impl_->acceptor.local_endpoint().port(); }

std::size_t Server::OpenConnections() const { return impl_->stats.connections_open.load(); }

const ServerStats& Server::Stats() const { return impl_->stats; }

void Server::Stop() {
    auto impl = impl_;
    if (impl->stopping.exchange(true)) {
        return;
    }
    asio::post(impl->acceptor.get_executor(), [impl] {
        boost::system::error_code ignored;
        impl->acceptor.close(ignored);
    });
    std::lock_guard lock(impl->conns_mutex);
    for (auto& [id, conn] : impl->conns) {
        auto c = conn;
        asio::post(c->socket.get_executor(), [c] {
            if (c->idle.load() && !c->closed) {
                boost::system::error_code ignored;
                c->socket.cancel(ignored);
            }
        });
    }
}

asio::awaitable<void> Server::Impl::Accept() {
    auto self = shared_from_this();
    while (!stopping.load()) {
        // Connections are dealt round-robin to the shards; each shard's loop runs on one thread, so a
        // connection never needs a strand and its handlers never bounce between threads.
        asio::io_context& shard = *shards[next_shard.fetch_add(1, std::memory_order_relaxed) % shards.size()];
        auto [ec, socket] = co_await acceptor.async_accept(shard.get_executor(), asio::as_tuple(asio::use_awaitable));
        if (ec) {
            if (ec == asio::error::operation_aborted || stopping.load()) {
                co_return;
            }
            // EMFILE and friends: back off briefly instead of spinning.
            log::Warn("accept failed", {{"error", ec.message()}});
            asio::steady_timer pause(acceptor.get_executor());
            pause.expires_after(std::chrono::milliseconds(50));
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        if (stats.connections_open.load() >= options.max_connections) {
            ++stats.rejected_connections;
            continue;  // socket closes on scope exit
        }
        boost::system::error_code nodelay_ec;
        socket.set_option(tcp::no_delay(true), nodelay_ec);
        auto executor = socket.get_executor();
        auto conn = std::make_shared<Conn>(std::move(socket));
        asio::co_spawn(executor, Watchdog(conn), asio::detached);
        asio::co_spawn(executor, self->Session(conn), [](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    log::Error("session failed", {{"error", ex.what()}});
                }
            }
        });
    }
}

void Server::Impl::AddCors(const Request& request, Response& response) const {
    auto origin = request.Header("origin");
    if (origin.empty()) {
        return;
    }
    for (const auto& allowed : options.cors_origins) {
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

asio::awaitable<Response> Server::Impl::RunRoute(RequestPtr request, const Route& route) {
    // Authentication: attach a principal whenever a bearer token is presented. A refusal is held
    // back until the rate limiter has counted the request, so token guessing is rate limited too.
    std::unique_ptr<Error> auth_failure;  // (not optional<Error>: this frame is kept small)
    auto authorization = request->Header("authorization");
    if (!authorization.empty() && route.auth != AuthPolicy::kOwnToken) {
        if (authorization.size() < 8 || !std::equal(authorization.begin(), authorization.begin() + 7, "Bearer ",
                                                    [](char a, char b) { return AsciiLower(a) == AsciiLower(b); })) {
            auth_failure = std::make_unique<Error>(ErrorKind::kUnauthenticated,
                                                   "the Authorization header must be \"Bearer <token>\"");
        } else if (authenticator == nullptr) {
            auth_failure = std::make_unique<Error>(ErrorKind::kUnauthenticated, "authentication is not configured");
        } else {
            try {
                request->principal = co_await authenticator->Authenticate(std::string(authorization.substr(7)));
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
                budget = &options.user_budget;
            } else {
                rate_key = "ip:" + ClientNetwork(request->remote_ip);
                budget = &options.anon_budget;
            }
            break;
        case RateClass::kAuth:
            rate_key = "auth:" + ClientNetwork(request->remote_ip);
            budget = &options.auth_budget;
            break;
        case RateClass::kProbe:
            rate_key = "probe:" + ClientNetwork(request->remote_ip);
            budget = &options.probe_budget;
            break;
    }
    RateDecision decision = limiter.Take(rate_key, *budget);
    auto set_rate_headers = [&decision](Response& r) {
        r.rate_limit = Response::RateLimit{decision.limit, decision.remaining, decision.reset_s};
    };
    if (decision.allowed && auth_failure) {
        throw *auth_failure;
    }
    if (decision.allowed && route.auth == AuthPolicy::kUser && !request->principal) {
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
    if (route.idempotent && idempotency != nullptr && !request->Header("idempotency-key").empty()) {
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

asio::awaitable<Response> Server::Impl::RunIdempotent(RequestPtr request, const Route& route) {
    std::string idem_key(request->Header("idempotency-key"));
    if (idem_key.size() > kMaxIdempotencyKeyLength) {
        throw InvalidField("Idempotency-Key", "must be at most 255 characters");
    }
    std::string idem_scope =
        request->principal ? "user:" + std::to_string(request->principal->user_id) : "anon:" + request->remote_ip;
    std::string hash = RequestFingerprint(*request);
    IdempotencyClaim claim = co_await idempotency->Claim(idem_scope, idem_key, std::string(MethodName(request->method)),
                                                         request->path, hash);
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
        co_await idempotency->Abandon(idem_scope, idem_key);
    } else {
        co_await idempotency->Complete(idem_scope, idem_key, *response);
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    co_return std::move(*response);
}

Response Server::Impl::RateLimitedResponse(const Request& request, const RateDecision& decision) const {
    Error limited(ErrorKind::kRateLimited,
                  "rate limit exceeded; retry after " + std::to_string(decision.retry_after_s) + " s");
    limited.WithRetryAfter(decision.retry_after_s);
    return ProblemResponse(limited, request.path, request.request_id);
}

Response Server::Impl::FailureResponse(const Error& e, const Request& request) const {
    if (Describe(e.Kind()).status >= 500) {
        log::Error("request failed",
                   {{"request_id", request.request_id}, {"error", e.LogDetail().empty() ? e.Detail() : e.LogDetail()}});
    }
    return ProblemResponse(e, request.path, request.request_id);
}

Response Server::Impl::BugResponse(const std::exception& e, const Request& request) const {
    // A bug: the client learns nothing but the request id; the log gets the details.
    log::Error("unhandled exception", {{"request_id", request.request_id}, {"error", e.what()}});
    return ProblemResponse(Error(ErrorKind::kInternal, "internal error"), request.path, request.request_id);
}

std::optional<Response> Server::Impl::AnswerWithoutRoute(Request& request, RouteMatch& match) const {
    // Not a coroutine: every request passes here, and a coroutine frame this size would be
    // allocated and freed each time (Asio recycles only frames under 1 KiB).
    try {
        if (request.method == Method::kOptions && !request.Header("origin").empty()) {
            // CORS preflight: allowed origins get the methods of this path; others get nothing usable.
            bool allowed = std::find(options.cors_origins.begin(), options.cors_origins.end(),
                                     request.Header("origin")) != options.cors_origins.end();
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
        if (static_files && !request.path.starts_with("/v1/") && request.path != "/v1") {
            if (auto file = static_files->Serve(request)) {
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

asio::awaitable<void> Server::Impl::Watchdog(std::shared_ptr<Conn> conn) {
    // While no deadline is set it still wakes now and then, so that setting one later than this
    // never needs a cancel (the common case: each request pushes the deadline out).
    constexpr auto kRecheck = std::chrono::seconds(1);
    while (!conn->closed) {
        auto now = Conn::Clock::now();
        if (conn->deadline <= now) {
            conn->timed_out = true;
            conn->deadline = Conn::Clock::time_point::max();
            boost::system::error_code ignored;
            conn->socket.cancel(ignored);  // the pending read or write completes with operation_aborted
        }
        conn->armed = conn->deadline == Conn::Clock::time_point::max() ? now + kRecheck : conn->deadline;
        conn->watchdog.expires_at(conn->armed);
        co_await conn->watchdog.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<void> Server::Impl::Session(std::shared_ptr<Conn> conn) {
    auto self = shared_from_this();
    ++stats.connections_open;
    ++stats.connections_total;
    std::string remote_ip;
    std::optional<asio::ip::address> peer;
    {
        boost::system::error_code ec;
        auto ep = conn->socket.remote_endpoint(ec);
        if (!ec) {
            peer = ep.address();
        }
        remote_ip = ec ? "unknown" : CanonicalAddress(ep.address());
    }
    // Only a peer that is a trusted proxy may name another client address (per request).
    const bool behind_proxy = peer && options.trusted_proxies.Contains(*peer);
    tcp::socket& stream = conn->socket;
    {
        // So that the inline write below returns would_block instead of blocking the loop.
        boost::system::error_code ignored;
        stream.non_blocking(true, ignored);
    }
    std::uint64_t conn_id = next_conn_id++;
    {
        std::lock_guard lock(conns_mutex);
        conns.emplace(conn_id, conn);
    }
    struct Cleanup {
        Impl* impl;
        std::uint64_t id;
        Conn* conn;
        ~Cleanup() {
            conn->closed = true;
            conn->watchdog.cancel();
            std::lock_guard lock(impl->conns_mutex);
            impl->conns.erase(id);
            --impl->stats.connections_open;
        }
    } cleanup{this, conn_id, conn.get()};

    beast::flat_buffer buffer;
    std::string head;  // response head, reused
    // Set when we answer before reading all the client sent (a 413, a malformed request): closing
    // with unread input makes the kernel send RST, which can destroy our answer before the client
    // reads it. So we half-close and drain for a moment first ("lingering close", as nginx does).
    bool unread_input = false;
    bool first = true;
    for (;;) {
        if (stopping.load()) {
            break;
        }
        conn->idle = true;
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
        // The route's own limit is applied once the header names the route; until then the
        // header read must not judge the body (Beast would check Content-Length on its own).
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        // One deadline covers waiting for and reading the whole header block: a client that
        // trickles bytes (slowloris) is cut off when it passes, however slowly it sends.
        conn->SetDeadline(first ? options.header_timeout : options.idle_timeout);
        // The header read is written out here rather than with bhttp::async_read_header: its
        // layers of composed operations cost more per request than the parsing itself. The parser
        // keeps its own state between put() calls, so a trickled header is not rescanned.
        // Beast bounds each put() but not the block as a whole, and accepts obsolete line folding;
        // the scanner sees every byte of the block once, as it arrives.
        HeaderBlockScanner scanner(options.header_limit);
        std::size_t scanned = 0;  // bytes at the front of `buffer` the scanner has seen
        beast::error_code read_ec;
        bool folded = false;
        for (;;) {
            if (buffer.size() > scanned) {
                scanner.Feed(std::string_view(static_cast<const char*>(buffer.data().data()) + scanned,
                                              buffer.size() - scanned));
                scanned = buffer.size();
            }
            if (scanner.Current() == HeaderBlockScanner::State::kTooLarge) {
                read_ec = bhttp::error::header_limit;
                break;
            }
            if (scanner.Current() == HeaderBlockScanner::State::kFolded) {
                folded = true;
                break;
            }
            if (buffer.size() > 0) {
                std::size_t used = parser.put(buffer.data(), read_ec);
                buffer.consume(used);
                scanned -= used;
                if (read_ec == bhttp::error::need_more) {
                    read_ec = {};
                } else if (read_ec || parser.is_header_done()) {
                    break;
                }
            }
            auto [some_ec, n] =
                co_await stream.async_read_some(buffer.prepare(kReadChunk), asio::as_tuple(asio::use_awaitable));
            if (some_ec) {
                // End of stream before a byte of a new request is an ordinary close.
                read_ec = some_ec == asio::error::eof && !parser.got_some() ? bhttp::error::end_of_stream : some_ec;
                break;
            }
            buffer.commit(n);
        }
        conn->ClearDeadline();
        conn->idle = false;
        auto started = std::chrono::steady_clock::now();
        first = false;

        auto write_and_close = [&](Error error) -> asio::awaitable<void> {
            std::string id = NewRequestId();
            Response r = ProblemResponse(error, "", id);
            SerialiseHead(head, r, id, false, false, r.body.size(), false);
            conn->SetDeadline(options.write_timeout);
            std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(r.body)};
            co_await asio::async_write(stream, buffers, asio::as_tuple(asio::use_awaitable));
            metrics.Observe(Metrics::kUnmatched, r.status, 0);
            unread_input = true;
        };

        if (folded) {
            co_await write_and_close(
                Error(ErrorKind::kInvalidArgument,
                      "obsolete line folding (a header line starting with a space or tab) is not allowed"));
            break;
        }
        if (read_ec) {
            if (conn->timed_out) {
                ++stats.timeouts;
                break;
            }
            if (read_ec == bhttp::error::end_of_stream || read_ec == asio::error::operation_aborted ||
                read_ec == asio::error::connection_reset || read_ec == asio::error::eof) {
                break;
            }
            if (read_ec == bhttp::error::header_limit) {
                co_await write_and_close(
                    Error(ErrorKind::kHeadersTooLarge,
                          "the request header block exceeds " + std::to_string(options.header_limit) + " bytes"));
                break;
            }
            co_await write_and_close(
                Error(ErrorKind::kInvalidArgument, "malformed HTTP request: " + read_ec.message()));
            break;
        }

        auto& header = parser.get();
        // Request smuggling defences and Host rules: anything ambiguous is refused outright.
        HeadFacts facts;
        facts.version = header.version();
        facts.host_count = header.count(bhttp::field::host);
        if (facts.host_count == 1) {
            auto host = header[bhttp::field::host];
            facts.host = std::string_view(host.data(), host.size());
        }
        facts.content_length_count = header.count(bhttp::field::content_length);
        facts.transfer_encoding_count = header.count(bhttp::field::transfer_encoding);
        facts.chunked = parser.chunked();
        if (auto problem = FramingProblem(facts)) {
            co_await write_and_close(Error(ErrorKind::kInvalidArgument, std::move(*problem)));
            break;
        }

        auto request = std::make_shared<Request>();
        request->method = ParseMethod(std::string_view(header.method_string().data(), header.method_string().size()));
        request->target = std::string(header.target());
        request->remote_ip = remote_ip;
        {
            std::string_view target = request->target;
            auto q = target.find('?');
            std::string_view raw_path = target.substr(0, q);
            if (q != std::string_view::npos) {
                request->query = std::string(target.substr(q + 1));
            }
            auto decoded = boost::urls::make_pct_string_view(raw_path);
            if (!decoded || raw_path.empty() || raw_path.front() != '/') {
                co_await write_and_close(Error(ErrorKind::kInvalidArgument, "malformed request target"));
                break;
            }
            request->path = decoded->decode();
        }
        request->headers.reserve(static_cast<std::size_t>(std::distance(header.begin(), header.end())));
        for (const auto& field : header) {
            std::string name(field.name_string());
            for (auto& c : name) {
                c = AsciiLower(c);
            }
            request->headers.emplace_back(std::move(name), std::string(field.value()));
        }
        if (behind_proxy) {
            std::vector<std::string_view> forwarded;
            for (const auto& [name, value] : request->headers) {
                if (name == "x-forwarded-for") {
                    forwarded.emplace_back(value);
                }
            }
            request->remote_ip = options.trusted_proxies.ClientAddress(*peer, forwarded);
            request->secure = ForwardedProtoIsHttps(request->Header("x-forwarded-proto"));
        }
        auto incoming_id = request->Header("x-request-id");
        request->request_id = ValidRequestId(incoming_id) ? std::string(incoming_id) : NewRequestId();

        RouteMatch match = router.Match(request->method, request->path);
        std::size_t body_limit = match.route != nullptr ? match.route->body.limit : kDefaultJsonBodyLimit;
        bool keep_alive = header.keep_alive();
        std::optional<Response> early;
        if (auto length = parser.content_length(); length && *length > body_limit) {
            early = ProblemResponse(TooLarge(body_limit), request->path, request->request_id);
            keep_alive = false;  // the unread body makes the stream unusable
            unread_input = true;
        } else if (!parser.is_done()) {
            parser.body_limit(body_limit);
            conn->SetDeadline(options.body_timeout);
            auto [body_ec, body_bytes] =
                co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
            conn->ClearDeadline();
            if (conn->timed_out) {
                ++stats.timeouts;
                break;
            }
            if (body_ec == bhttp::error::body_limit) {
                early = ProblemResponse(TooLarge(body_limit), request->path, request->request_id);
                keep_alive = false;
                unread_input = true;
            } else if (body_ec) {
                break;
            }
        }
        if (!early) {
            request->body = std::move(parser.get().body());
        }

        // (No co_await inside ?: — GCC 12 mishandles temporaries there.)
        Response response;
        if (early) {
            response = std::move(*early);
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

        bool gzip = false;
        // (A handler that set Content-Encoding sent precompressed bytes.)
        if (response.body.size() >= options.gzip_min_bytes && Compressible(response.content_type) &&
            AcceptsGzip(request->Header("accept-encoding")) && response.Header("content-encoding").empty()) {
            response.body = Gzip(response.body);
            gzip = true;
        }
        if (stopping.load()) {
            keep_alive = false;
        }
        bool head_only = request->method == Method::kHead || BodyForbidden(response.status);
        SerialiseHead(head, response, request->request_id, keep_alive, header.version() == 10, response.body.size(),
                      gzip);
        conn->SetDeadline(options.write_timeout);
        // A HEAD answer carries the GET's Content-Length but no body.
        std::array<asio::const_buffer, 2> buffers{asio::buffer(head),
                                                  head_only ? asio::const_buffer() : asio::buffer(response.body)};
        // Most answers fit the socket's send buffer: write them now, without suspending. Only what
        // does not fit waits for the socket (async_write, under the write deadline).
        beast::error_code write_ec;
        std::size_t total = buffers[0].size() + buffers[1].size();
        std::size_t written = stream.write_some(buffers, write_ec);
        if (write_ec == asio::error::would_block || write_ec == asio::error::try_again) {
            write_ec = {};
            written = 0;
        }
        if (!write_ec && written < total) {
            if (written >= buffers[0].size()) {
                buffers[1] += written - buffers[0].size();
                buffers[0] = asio::const_buffer();
            } else {
                buffers[0] += written;
            }
            std::tie(write_ec, std::ignore) =
                co_await asio::async_write(stream, buffers, asio::as_tuple(asio::use_awaitable));
        }
        conn->ClearDeadline();
        if (conn->timed_out) {
            ++stats.timeouts;
            break;
        }
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        metrics.Observe(match.route != nullptr ? match.index : Metrics::kUnmatched, response.status, seconds);
        if (response.status >= 400 || log::Enabled(log::Level::kDebug)) {
            // Access log: every request at debug, errors at info so they show by default.
            boost::json::object fields{{"request_id", request->request_id},
                                       {"method", MethodName(request->method)},
                                       {"path", request->path},
                                       {"route", request->route},
                                       {"status", response.status},
                                       {"duration_ms", seconds * 1000.0},
                                       {"remote_ip", request->remote_ip}};
            if (request->principal) {
                fields["user_id"] = request->principal->user_id;
            }
            log::Write(response.status >= 400 ? log::Level::kInfo : log::Level::kDebug, "request", std::move(fields));
        }
        if (write_ec || !keep_alive) {
            break;
        }
    }
    beast::error_code ignored;
    stream.shutdown(tcp::socket::shutdown_send, ignored);
    if (unread_input && !conn->timed_out) {
        constexpr auto kLinger = std::chrono::seconds(2);
        constexpr std::size_t kMaxDrain = 32u << 20;
        conn->SetDeadline(kLinger);
        std::array<char, 16384> scratch;
        std::size_t drained = 0;
        while (drained < kMaxDrain && !conn->timed_out) {
            auto [drain_ec, n] =
                co_await stream.async_read_some(asio::buffer(scratch), asio::as_tuple(asio::use_awaitable));
            if (drain_ec) {
                break;
            }
            drained += n;
        }
    }
    stream.close(ignored);
}

}  // namespace strava1::http
