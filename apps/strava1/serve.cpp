// `strava1 serve`: the composition root. It loads config, builds the libs, registers the features
// and runs; nothing else knows the wiring.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>

#include "bootstrap.hpp"
#include "embedded_assets.hpp"
#include "strava1/accounts/module.hpp"
#include "strava1/activities/module.hpp"
#include "strava1/auth/firebase_verifier.hpp"
#include "strava1/auth/local_tokens.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/base/log.hpp"
#include "strava1/db/embedded_postgres_supervisor.hpp"
#include "strava1/db/migrations.hpp"
#include "strava1/http/idempotency.hpp"
#include "strava1/http/metrics.hpp"
#include "strava1/http/server.hpp"
#include "strava1/migrations/all.hpp"

extern char** environ;

namespace strava1::app {
namespace asio = boost::asio;
namespace fs = std::filesystem;

Database OpenDatabase(const Config& config) {
    Database database;
    if (config.database_url) {
        database.conninfo = *config.database_url;
        return database;
    }
    fs::create_directories(config.data_dir);
    // Private to the owner. As root the cluster lives where the postgres user can reach it without
    // opening this directory up (ForDataDir, ADR 0003).
    fs::permissions(config.data_dir, fs::perms::owner_all, fs::perm_options::replace);
    db::EmbeddedPostgres::Options options = db::EmbeddedPostgres::ForDataDir(config.data_dir);
    database.embedded = std::make_unique<db::EmbeddedPostgres>(options);
    database.embedded->Start();
    database.conninfo = database.embedded->ConnInfo();
    return database;
}

std::unique_ptr<storage::LocalObjectStore> OpenObjectStore(const Config& config, const Clock& clock) {
    const fs::path key_path = config.data_dir / "keys" / "object-url.key";
    std::string key;
    if (std::ifstream in(key_path); in) {
        std::getline(in, key);
    }
    if (key.size() < 43) {
        fs::create_directories(key_path.parent_path());
        key = crypto::Base64UrlEncode(crypto::RandomBytes(32));
        const fs::path tmp = key_path.string() + ".tmp";
        {
            std::ofstream out(tmp, std::ios::trunc);
            out << key << "\n";
            if (!out) {
                throw std::runtime_error("cannot write " + tmp.string());
            }
        }
        fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
        fs::rename(tmp, key_path);
    }
    return std::make_unique<storage::LocalObjectStore>(config.data_dir / "objects", key, "", clock);
}

namespace {

asio::awaitable<void> Prepare(db::Pool& pool, bool allow_unsafe) {
    co_await db::Migrate(pool, migrations::All());
    for (const char* setting : {"fsync", "synchronous_commit", "full_page_writes"}) {
        db::Result r = co_await pool.Query(std::string("SHOW ") + setting);
        if (r.String(0, 0) != "on") {
            if (!allow_unsafe) {
                throw std::runtime_error(std::string("PostgreSQL has ") + setting + "=" + r.String(0, 0) +
                                         "; acknowledged writes could be lost. Turn it on, or set "
                                         "STRAVA1_UNSAFE_ALLOW_NO_FSYNC=true for a throwaway test database");
            }
            log::Warn("durability setting off (allowed for a throwaway database)",
                      {{"setting", setting}, {"value", r.String(0, 0)}});
        }
    }
}

}  // namespace

void PrepareDatabase(asio::io_context& io, db::Pool& pool, const Config& config) {
    auto done = asio::co_spawn(io, Prepare(pool, config.allow_unsafe_durability), asio::use_future);
    io.restart();
    io.run();
    done.get();
}

namespace {

void RaiseFileLimit() {
    // Each connection is a descriptor; Debian's default soft limit of 1024 is too low for a server.
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

/// The probes and operations routes: liveness, readiness, metrics, the OpenAPI document.
struct Probes {
    db::Pool& pool;
    http::Metrics* metrics = nullptr;
    const http::Server* server = nullptr;
    /// Set with the embedded cluster: /healthz fails once it has been down longer than the limit.
    const db::EmbeddedPostgresSupervisor* supervisor = nullptr;
    std::chrono::seconds unreachable_limit{60};
    /// /metrics without a token: only for direct requests from this machine, and only while the server
    /// listens on loopback with no trusted proxies (see CheckMetricsAccess). Else this bearer token.
    bool metrics_local_only = true;
    std::string metrics_token;

    asio::awaitable<http::Response> Healthz(http::RequestPtr) {
        if (supervisor != nullptr) {
            if (supervisor->Recovering()) {
                // A live postmaster in crash recovery, however long it has been: restarting the
                // process would only make it begin again. /readyz keeps the traffic away meanwhile.
                co_return http::Response::Text(200, "application/json", R"({"status":"ok","database":"recovering"})");
            }
            const auto down = std::chrono::duration_cast<std::chrono::seconds>(supervisor->UnreachableFor());
            if (down > unreachable_limit) {
                // Restarting it has not helped for this long: let the orchestrator restart us.
                throw Error(ErrorKind::kUnavailable, "the embedded database has been unreachable for " +
                                                         std::to_string(down.count()) + " s and could not be restarted")
                    .WithRetryAfter(5);
            }
        }
        // Probed often: a fixed body, not a JSON document built and serialised each time.
        co_return http::Response::Text(200, "application/json", R"({"status":"ok"})");
    }

    void CheckMetricsAccess(const http::Request& request) const {
        if (metrics_token.empty()) {
            if (!metrics_local_only) {
                throw Error(ErrorKind::kPermissionDenied,
                            "metrics are served without a token only while the server listens on loopback and no "
                            "trusted proxies are set: set STRAVA1_METRICS_TOKEN and send it as a bearer token");
            }
            // A reverse proxy on this machine connects from loopback too: what gives it away is the
            // header it adds for its client. Without trusted proxies remote_ip is the TCP peer.
            const bool relayed = std::any_of(request.headers.begin(), request.headers.end(), [](const auto& header) {
                return header.first == "x-forwarded-for" || header.first == "forwarded" || header.first == "x-real-ip";
            });
            if (relayed || !IsLoopback(request.remote_ip)) {
                throw Error(ErrorKind::kPermissionDenied,
                            "metrics are served without a token only to clients on this machine, not through a "
                            "proxy: set STRAVA1_METRICS_TOKEN and send it as a bearer token");
            }
            return;
        }
        const std::string_view given = request.Header("authorization");
        const std::string expected = "Bearer " + metrics_token;
        if (!crypto::ConstantTimeEqual(given, expected)) {
            throw Error(ErrorKind::kUnauthenticated, "metrics need the bearer token set in STRAVA1_METRICS_TOKEN");
        }
    }

    asio::awaitable<http::Response> OpenApi(http::RequestPtr request) {
        co_return http::ServeEmbedded(EmbeddedOpenApi(), *request, http::CachePolicy::kRevalidate);
    }

    asio::awaitable<http::Response> Readyz(http::RequestPtr) {
        try {
            co_await pool.Ping();
        } catch (const Error& e) {
            throw Error(ErrorKind::kUnavailable, "the database is not reachable", {}, e.LogDetail());
        }
        co_return http::Response::Json(200, boost::json::object{{"status", "ready"}});
    }

    asio::awaitable<http::Response> Metrics(http::RequestPtr request) {
        CheckMetricsAccess(*request);
        auto render_extra = [this] {
            db::PoolStats s = pool.Stats();
            std::string out;
            auto gauge = [&out](const char* name, const char* help, const char* type, std::uint64_t v) {
                out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name +
                       " " + std::to_string(v) + "\n";
            };
            gauge("strava1_db_pool_connections", "Open database connections.", "gauge", s.total);
            gauge("strava1_db_pool_idle", "Idle database connections.", "gauge", s.idle);
            gauge("strava1_db_pool_waiting", "Requests waiting for a connection.", "gauge", s.waiting);
            gauge("strava1_db_pool_acquire_timeouts_total", "Acquisitions that timed out.", "counter",
                  s.acquire_timeouts);
            gauge("strava1_db_pool_borrowed_total", "Connections lent to a caller on another I/O thread.", "counter",
                  s.borrowed);
            gauge("strava1_db_pool_pipelined_total", "Statements sent on a pipelined connection.", "counter",
                  s.pipelined);
            gauge("strava1_db_pool_connects_total", "Connections opened.", "counter", s.connects);
            gauge("strava1_db_queries_total", "Statements executed.", "counter", s.queries);
            gauge("strava1_db_errors_total", "Statements that failed.", "counter", s.errors);
            if (supervisor != nullptr) {
                gauge("strava1_db_unreachable_seconds", "How long the embedded database has been unreachable.", "gauge",
                      static_cast<std::uint64_t>(
                          std::chrono::duration_cast<std::chrono::seconds>(supervisor->UnreachableFor()).count()));
                gauge("strava1_db_restarts_total", "Restarts of the embedded database after it died.", "counter",
                      supervisor->Restarts());
                gauge("strava1_db_recovering", "1 while the embedded database is starting up or in crash recovery.",
                      "gauge", supervisor->Recovering() ? 1 : 0);
            }
            if (server != nullptr) {
                gauge("strava1_http_connections_open", "Open client connections.", "gauge",
                      server->Stats().connections_open.load());
                gauge("strava1_http_timeouts_total", "Connections closed for a header/body timeout.", "counter",
                      server->Stats().timeouts.load());
            }
            return out;
        };
        co_return http::Response::Text(200, "text/plain; version=0.0.4", metrics->Render(render_extra));
    }
};

asio::awaitable<void> ExpireIdempotencyKeys(http::IdempotencyStore& store) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        try {
            std::int64_t removed = co_await store.Expire(24);
            if (removed > 0) {
                log::Info("idempotency keys expired", {{"count", removed}});
            }
        } catch (const Error& e) {
            log::Warn("idempotency expiry failed", {{"error", e.LogDetail()}});
        }
        timer.expires_after(std::chrono::hours(1));
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
    }
}

asio::awaitable<void> PurgeDeletedOriginals(activities::Module& module) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        try {
            if (int removed = co_await module.PurgeDeletedOriginals(); removed > 0) {
                log::Info("deleted originals removed from storage", {{"count", removed}});
            }
        } catch (const std::exception& e) {
            log::Warn("could not remove deleted originals", {{"error", e.what()}});
        }
        timer.expires_after(std::chrono::minutes(1));
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
    }
}

asio::awaitable<void> ResumeUploads(activities::Module& module) {
    try {
        int resumed = co_await module.ResumePendingUploads();
        if (resumed > 0) {
            log::Info("unfinished uploads processed", {{"count", resumed}});
        }
    } catch (const Error& e) {
        log::Warn("could not resume unfinished uploads",
                  {{"error", e.LogDetail().empty() ? e.Detail() : e.LogDetail()}});
    }
}

void AddProbeRoutes(http::Router& router, Probes& probes) {
    using http::AuthPolicy;
    using http::Body;
    using http::Method;
    using http::RateClass;
    using Member = asio::awaitable<http::Response> (Probes::*)(http::RequestPtr);
    auto bind = [p = &probes](Member member) -> http::Handler {
        return [p, member](http::RequestPtr r) { return (p->*member)(std::move(r)); };
    };
    const http::Route routes[] = {
        {.method = Method::kGet,
         .path = "/healthz",
         .summary = "Liveness",
         .auth = AuthPolicy::kPublic,
         .rate = RateClass::kProbe,
         .body = Body::None(),
         .handler = bind(&Probes::Healthz)},
        {.method = Method::kGet,
         .path = "/readyz",
         .summary = "Readiness (database reachable)",
         .auth = AuthPolicy::kPublic,
         .rate = RateClass::kProbe,
         .body = Body::None(),
         .handler = bind(&Probes::Readyz)},
        // Its own token, not a user's: the server must not take it for a user token and refuse it.
        {.method = Method::kGet,
         .path = "/metrics",
         .summary = "Prometheus metrics",
         .auth = AuthPolicy::kOwnToken,
         .rate = RateClass::kProbe,
         .body = Body::None(),
         .handler = bind(&Probes::Metrics)},
        // Part of the API, so compiled in and served whether or not there is a web app.
        {.method = Method::kGet,
         .path = "/openapi.json",
         .summary = "This document as JSON",
         .auth = AuthPolicy::kPublic,
         .body = Body::None(),
         .handler = bind(&Probes::OpenApi)},
    };
    for (const auto& route : routes) {
        router.Add(route);
    }
}

/// Waits for SIGINT/SIGTERM, then stops accepting, lets in-flight requests finish (bounded) and
/// stops the loop so main can close the pool and the embedded PostgreSQL in order.
asio::awaitable<void> ShutDownOnSignal(asio::signal_set& signals, http::Server& server, asio::io_context& io,
                                       std::vector<asio::io_context*> shards) {
    auto [ec, signal] = co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) {
        co_return;
    }
    log::Info("shutting down", {{"signal", signal}});
    server.Stop();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    asio::steady_timer poll(io);
    // At least one turn of this loop even with no connection open: Stop() posted the acceptor's close
    // to this loop, and the accept that it cancels must complete before the loop stops. Left pending,
    // it would be destroyed with `io`, after the shard its socket belongs to.
    do {
        poll.expires_after(std::chrono::milliseconds(20));
        co_await poll.async_wait(asio::as_tuple(asio::use_awaitable));
    } while (server.OpenConnections() > 0 && std::chrono::steady_clock::now() < deadline);
    for (auto* shard : shards) {
        shard->stop();
    }
    io.stop();
}

}  // namespace

/// `strava1 routes`: the route table as JSON, for the OpenAPI inventory test (T-11). Builds the
/// same router as serve without connecting anywhere.
int Routes(const std::vector<std::string>&) {
    asio::io_context io;
    asio::thread_pool cpu(1);
    db::Pool pool(io.get_executor(), db::PoolOptions{"dbname=unused"});
    http::Router router;
    Probes probes{pool};
    AddProbeRoutes(router, probes);
    accounts::Module accounts_module(accounts::Deps{pool, SystemClock::Instance(), cpu}, accounts::Options{});
    accounts_module.Register(router);
    storage::LocalObjectStore store(fs::temp_directory_path() / "strava1-routes-unused", std::string(32, 'k'), "",
                                    SystemClock::Instance());
    activities::Module activities_module(activities::Deps{pool, SystemClock::Instance(), cpu, store},
                                         activities::Options{});
    activities_module.Register(router);
    boost::json::array routes;
    for (const auto& route : router.Routes()) {
        routes.push_back(boost::json::object{{"method", http::MethodName(route.method)},
                                             {"path", route.path},
                                             {"summary", route.summary},
                                             {"auth", http::AuthPolicyName(route.auth)},
                                             {"rate", http::RateClassName(route.rate)},
                                             {"body", http::BodyKindName(route.body.kind)},
                                             {"body_limit", route.body.limit},
                                             {"idempotent", route.idempotent}});
    }
    std::printf("%s\n", boost::json::serialize(routes).c_str());
    cpu.join();
    return 0;
}

int Serve(const std::vector<std::string>& args) {
    auto started = std::chrono::steady_clock::now();
    Config config;
    try {
        Settings settings = Settings::Load(args, environ);
        config = LoadConfig(settings);
    } catch (const ConfigError& e) {
        std::fprintf(stderr, "strava1: %s\n", e.what());
        return 2;
    }
    log::Level level = log::Level::kInfo;
    log::ParseLevel(config.log_level, level);
    log::SetLevel(level);
    RaiseFileLimit();

    std::unique_ptr<auth::FirebaseVerifier> firebase;
    std::unique_ptr<auth::LocalTokenIssuer> issuer;
    std::unique_ptr<auth::LocalTokenVerifier> verifier;
    const Clock& clock = SystemClock::Instance();
    if (config.auth_mode == "firebase") {
        if (auto refusal = auth::CheckEmulatorGate(config.firebase_emulator, std::getenv("FIREBASE_AUTH_EMULATOR_HOST"),
                                                   config.server.address)) {
            std::fprintf(stderr, "strava1: %s\n", refusal->c_str());
            return 2;
        }
        auth::CurlCertificateSourceOptions source_options;
        if (!config.firebase_certs_url.empty()) {
            source_options.url = config.firebase_certs_url;
        }
        auth::FirebaseVerifierOptions options;
        options.project_id = config.firebase_project_id;
        options.emulator_mode = config.firebase_emulator;
        firebase = std::make_unique<auth::FirebaseVerifier>(
            options, std::make_shared<auth::CurlCertificateSource>(source_options), clock);
    }

    std::unique_ptr<Database> database;
    try {
        // The local identity provider stays available in Firebase mode only for tokens it issued
        // earlier; new sign-ups are refused there (accounts::Module checks issuer == nullptr).
        auto key = auth::LoadOrCreateSigningKey(config.data_dir / "keys" / "jwt-es256.pem");
        verifier = std::make_unique<auth::LocalTokenVerifier>(key.Public(), clock);
        if (config.auth_mode == "local") {
            issuer = std::make_unique<auth::LocalTokenIssuer>(std::move(key), clock);
        }
        database = std::make_unique<Database>(OpenDatabase(config));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "strava1: %s\n", e.what());
        return 1;
    }

    // One event loop per I/O thread (the first is `io`, run by this thread). A loop that only one
    // thread runs needs no locking between its handlers, and a connection stays on one thread.
    asio::io_context io(1);
    std::vector<std::unique_ptr<asio::io_context>> extra_shards;
    std::vector<asio::io_context*> shards{&io};
    for (int shard_idx = 1; shard_idx < config.io_threads; ++shard_idx) {
        shards.push_back(extra_shards.emplace_back(std::make_unique<asio::io_context>(1)).get());
    }
    asio::thread_pool cpu(static_cast<std::size_t>(config.cpu_threads));
    db::PoolOptions pool_options;
    pool_options.conninfo = database->conninfo;
    pool_options.max_connections = static_cast<std::size_t>(config.db_pool_size);
    std::vector<asio::any_io_executor> pool_executors;
    pool_executors.reserve(shards.size());
    for (auto* shard : shards) {
        pool_executors.push_back(shard->get_executor());
    }
    db::Pool pool(pool_executors, pool_options);
    try {
        PrepareDatabase(io, pool, config);
    } catch (const Error& e) {
        std::fprintf(stderr, "strava1: database: %s\n",
                     e.LogDetail().empty() ? e.Detail().c_str() : e.LogDetail().c_str());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "strava1: database: %s\n", e.what());
        return 1;
    }

    http::Router router;
    Probes probes{pool};
    probes.unreachable_limit = config.db_unreachable_limit;
    // With trusted proxies configured, requests arrive through a proxy, however local it is.
    probes.metrics_local_only = IsLoopback(config.server.address) && config.server.trusted_proxies.Empty();
    probes.metrics_token = config.metrics_token;
    AddProbeRoutes(router, probes);
    accounts::Options accounts_options;
    accounts_options.fast_password_hash = config.fast_password_hash;
    if (config.fast_password_hash) {
        log::Warn("password hashing at minimum cost: for tests only");
    }
    accounts::Module accounts_module(accounts::Deps{pool, clock, cpu, issuer.get(), verifier.get(), firebase.get()},
                                     accounts_options);
    accounts_module.Register(router);
    std::unique_ptr<storage::LocalObjectStore> store;
    try {
        store = OpenObjectStore(config, clock);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "strava1: object store: %s\n", e.what());
        return 1;
    }
    activities::Options activities_options;
    activities_options.decode_budget_bytes = config.decode_budget_mb << 20;
    activities::Module activities_module(activities::Deps{pool, clock, cpu, *store}, activities_options);
    activities_module.Register(router);

    http::Metrics metrics(router);
    probes.metrics = &metrics;
    http::IdempotencyStore idempotency(pool);
    http::ServerOptions server_options = config.server;
    server_options.web_dir = config.web_dir;
    server_options.web_files = EmbeddedWebFiles();
    http::Server server(io, server_options, router, &accounts_module.Authenticator(), &idempotency, metrics, shards);
    probes.server = &server;
    try {
        server.Start();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "strava1: %s\n", e.what());
        return 1;
    }
    if (config.port_file) {
        std::ofstream(*config.port_file) << server.Port() << "\n";
    }
    asio::co_spawn(io, ExpireIdempotencyKeys(idempotency), asio::detached);
    asio::co_spawn(io, ResumeUploads(activities_module), asio::detached);
    asio::co_spawn(io, PurgeDeletedOriginals(activities_module), asio::detached);

    asio::signal_set signals(io, SIGINT, SIGTERM);
    asio::co_spawn(io, ShutDownOnSignal(signals, server, io, shards), asio::detached);

    // From here on the watch thread owns the embedded cluster: it restarts it if it dies, and stops it.
    std::unique_ptr<db::EmbeddedPostgresSupervisor> supervisor;
    if (database->embedded) {
        // Runs on the watch thread, the only one that touches the cluster then. The conninfo is the
        // same as before unless its /tmp socket directory had vanished.
        supervisor = std::make_unique<db::EmbeddedPostgresSupervisor>(
            *database->embedded, db::EmbeddedPostgresSupervisor::Options{},
            [&pool, &pg = *database->embedded] { pool.Reconnect(pg.ConnInfo()); });
        probes.supervisor = supervisor.get();
        supervisor->Start();
    }

    double ready_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    log::Info("listening", {{"address", config.server.address},
                            {"port", server.Port()},
                            {"url", "http://" + config.server.address + ":" + std::to_string(server.Port())},
                            {"startup_ms", ready_ms},
                            {"auth_mode", config.auth_mode},
                            {"database", database->embedded ? "embedded" : "external"},
                            {"web_app", config.web_dir               ? config.web_dir->string()
                                        : EmbeddedWebFiles().empty() ? std::string("(not built into this binary)")
                                                                     : std::string("(embedded)")}});
    if (::isatty(STDOUT_FILENO) == 1) {
        // For a person at a terminal, one plain line; files and pipes get only the JSON lines.
        std::string host = config.server.address;
        if (host == "0.0.0.0" || host == "::") {
            host = host == "::" ? "::1" : "127.0.0.1";  // every address: this machine's is one of them
        }
        if (host.find(':') != std::string::npos) {
            host = "[" + host + "]";
        }
        std::printf("Strava+1 is ready at http://%s:%u\n", host.c_str(), static_cast<unsigned>(server.Port()));
        std::fflush(stdout);
    }

    io.restart();
    std::vector<std::thread> threads;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
    for (auto& shard : extra_shards) {
        keep_running.push_back(asio::make_work_guard(*shard));
        threads.emplace_back([&shard] { shard->run(); });
    }
    io.run();
    for (auto& t : threads) {
        t.join();
    }
    cpu.join();
    if (supervisor) {
        supervisor->Stop();  // stops the cluster too, on the thread that may have restarted it
    }
    if (database->embedded) {
        database->embedded->Stop();
    }
    log::Info("stopped");
    return 0;
}

}  // namespace strava1::app
