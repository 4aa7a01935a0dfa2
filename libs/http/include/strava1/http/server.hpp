#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "strava1/base/principal.hpp"
#include "strava1/http/client_address.hpp"
#include "strava1/http/idempotency.hpp"
#include "strava1/http/metrics.hpp"
#include "strava1/http/rate_limiter.hpp"
#include "strava1/http/router.hpp"
#include "strava1/http/static_files.hpp"

namespace strava1::http {

/// Turns a bearer token into a Principal, or throws Error(kUnauthenticated) saying why.
class Authenticator {
public:
    virtual ~Authenticator() = default;
    virtual boost::asio::awaitable<Principal> Authenticate(std::string token) = 0;
};

struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;                ///< 0 = any free port (read it back with Port())
    std::size_t header_limit = 16 * 1024;     ///< the whole header block: request line, fields, line ends
    std::chrono::seconds header_timeout{10};  ///< first request's headers must arrive within this
    std::chrono::seconds idle_timeout{30};    ///< keep-alive: next request's headers within this
    std::chrono::seconds body_timeout{30};
    std::chrono::seconds write_timeout{30};
    std::size_t max_connections = 10000;
    std::size_t gzip_min_bytes = 1024;
    std::vector<std::string> cors_origins;                   ///< exact origins allowed to call the API from browsers
    /// Peers whose X-Forwarded-For names the client (Request::remote_ip); none by default.
    TrustedProxies trusted_proxies;
    Budget user_budget{50, 300};                             ///< per signed-in user, RateClass::kDefault
    Budget anon_budget{20, 100};                             ///< per IP for anonymous callers, RateClass::kDefault
    Budget auth_budget{1, 30};                               ///< per IP, RateClass::kAuth
    Budget probe_budget{1000, 5000};                         ///< per IP, RateClass::kProbe
    std::optional<std::filesystem::path> web_dir;            ///< the web app from disk (development)
    std::optional<std::span<const EmbeddedFile>> web_files;  ///< else these, compiled in (must outlive the server)
};

/// Runtime counters for /metrics and tests.
struct ServerStats {
    std::atomic<std::uint64_t> connections_open{0};
    std::atomic<std::uint64_t> connections_total{0};
    std::atomic<std::uint64_t> timeouts{0};
    std::atomic<std::uint64_t> rejected_connections{0};
};

/// HTTP/1.1 server on Asio coroutines (one single-threaded loop per shard). Owns the middleware chain:
/// request id → limits → CORS → authentication → rate limit → Idempotency-Key → handler, with every
/// error mapped to problem+json in one place. Start() binds; the caller runs the io_context.
class Server {
public:
    /// `io` runs the acceptor. Connections are spread over `shards` (default: just `io`); each
    /// shard must be run by exactly one thread, which is what lets connections go without strands.
    Server(boost::asio::io_context& io, ServerOptions options, const Router& router, Authenticator* authenticator,
           IdempotencyStore* idempotency, Metrics& metrics, std::vector<boost::asio::io_context*> shards = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and starts accepting. Throws std::runtime_error naming the address on failure.
    void Start();
    std::uint16_t Port() const;
    /// Graceful stop: stop accepting, close idle keep-alive connections, let in-flight requests
    /// finish (they answer with Connection: close). Thread-safe.
    void Stop();
    /// Connections still open (0 once drained after Stop()).
    std::size_t OpenConnections() const;
    const ServerStats& Stats() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace strava1::http
