// `strava1 serve`: the composition root. It loads config, builds the libs, registers the features
// and runs; nothing else knows the wiring.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>

#include "bootstrap.hpp"
#include "composition.hpp"
#include "embedded_assets.hpp"
#include "job_workers.hpp"
#include "strava1/app/scheduler.hpp"
#include "strava1/auth/firebase_verifier.hpp"
#include "strava1/auth/local_tokens.hpp"
#include "strava1/base/log.hpp"
#include "strava1/db/embedded_postgres_supervisor.hpp"
#include "strava1/http/idempotency.hpp"
#include "strava1/http/metrics.hpp"
#include "strava1/http/server.hpp"
#include "strava1/jobs/metrics.hpp"

extern char** environ;

namespace strava1::app {
namespace asio = boost::asio;

namespace {

void RaiseFileLimit() {
    // Each connection is a descriptor; Debian's default soft limit of 1024 is too low for a server.
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

/// Waits for SIGINT/SIGTERM, then stops accepting, lets in-flight requests finish (bounded) and
/// stops the loop so main can close the pool and the embedded PostgreSQL in order.
asio::awaitable<void> ShutDownOnSignal(asio::signal_set& signals, http::Server& server, Scheduler& scheduler,
                                       JobWorkers& job_workers, asio::io_context& io,
                                       std::vector<asio::io_context*> shards) {
    auto [ec, signal] = co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) {
        co_return;
    }
    log::Info("shutting down", {{"signal", signal}});
    server.Stop();
    scheduler.Stop();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    asio::steady_timer poll(io);
    // At least one turn of this loop even with no connection open: Stop() posted the acceptor's close
    // to this loop, and the accept that it cancels must complete before the loop stops. Left pending,
    // it would be destroyed with `io`, after the shard its socket belongs to.
    do {
        poll.expires_after(std::chrono::milliseconds(20));
        co_await poll.async_wait(asio::as_tuple(asio::use_awaitable));
    } while (server.OpenConnections() > 0 && std::chrono::steady_clock::now() < deadline);
    // Running jobs get their grace (10 s), then go back to the queue for another worker.
    co_await job_workers.Stop();
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
    ScratchObjectStore store;
    Composition composition(Infrastructure{pool, SystemClock::Instance(), cpu, store.Store()}, Config{});
    boost::json::array routes;
    for (const auto& route : composition.Registered().Router().Routes()) {
        routes.push_back(boost::json::object{{"method", http::MethodName(route.method)},
                                             {"path", route.path},
                                             {"summary", route.summary},
                                             {"auth", http::AuthPolicyName(route.Auth())},
                                             {"access", http::AccessKindName(route.access.kind)},
                                             {"object", route.access.object},
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
        database = std::make_unique<Database>(OpenDatabase(config, ClusterUse::kOwn));
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

    if (config.fast_password_hash) {
        log::Warn("password hashing at minimum cost: for tests only");
    }
    std::unique_ptr<storage::LocalObjectStore> store;
    try {
        store = OpenObjectStore(config, clock);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "strava1: object store: %s\n", e.what());
        return 1;
    }
    Composition composition(Infrastructure{pool, clock, cpu, *store, issuer.get(), verifier.get(), firebase.get()},
                            config);
    const Registry& registry = composition.Registered();
    Probes& probes = composition.OperationsProbes();

    http::Metrics metrics(registry.Router());
    probes.metrics = &metrics;
    http::ServerOptions server_options = config.server;
    server_options.web_dir = config.web_dir;
    server_options.web_files = EmbeddedWebFiles();
    http::Server server(io, server_options, registry.Router(), &composition.Authenticator(), &composition.Idempotency(),
                        metrics, shards);
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
    // The modules' start tasks, on the first loop; their recurring tasks, jobs and subscribers are
    // the job workers' (one run per slot across every process of the deployment).
    Scheduler scheduler(registry, io.get_executor());
    probes.scheduler = &scheduler;
    scheduler.Start();
    JobWorkers job_workers(shards, pool, registry.Jobs(), config);
    probes.job_workers = job_workers.Workers();
    job_workers.Start();

    asio::signal_set signals(io, SIGINT, SIGTERM);
    asio::co_spawn(io, ShutDownOnSignal(signals, server, scheduler, job_workers, io, shards), asio::detached);

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
