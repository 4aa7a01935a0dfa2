#pragma once
// The composed app in-process, for route-level tests (ADR 0005, the in-process tier): the
// Composition every entry point builds, on a throwaway PostgreSQL database, behind the
// http::Pipeline the server runs, driven by testing::InProcessClient without a socket.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "composition.hpp"
#include "config.hpp"
#include "strava1/auth/firebase_verifier.hpp"
#include "strava1/auth/local_tokens.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/db/arrays.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/http/metrics.hpp"
#include "strava1/http/pipeline.hpp"
#include "strava1/jobs/worker.hpp"
#include "strava1/storage/local_store.hpp"
#include "strava1/testing/in_process.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::app {

/// The settings a test app starts with: serve's defaults, with passwords hashed at minimum cost.
inline Config TestConfig() {
    Config config;
    config.fast_password_hash = true;
    return config;
}

/// One app per test: its own database (cloned from the migrated template), object store and signing
/// key. Build it only when a test PostgreSQL is configured (InProcessTest does).
class TestApp {
public:
    explicit TestApp(Config config = TestConfig())
        : pool_(io_.get_executor(), db::PoolOptions{database_.ConnInfo(), 4}),
          root_(std::filesystem::temp_directory_path() / ("strava1-test-app-" + crypto::Hex(crypto::RandomBytes(6)))),
          store_(root_ / "objects", crypto::Hex(crypto::RandomBytes(32)), "", SystemClock::Instance()) {
        auto key = auth::LoadOrCreateSigningKey(root_ / "keys" / "jwt-es256.pem");
        verifier_ = std::make_unique<auth::LocalTokenVerifier>(key.Public(), SystemClock::Instance());
        issuer_ = std::make_unique<auth::LocalTokenIssuer>(std::move(key), SystemClock::Instance());
        if (config.auth_mode == "firebase" && config.firebase_emulator) {
            // Unsigned emulator tokens: Firebase-mode routes are testable offline (tests make the tokens).
            firebase_ = std::make_unique<auth::FirebaseVerifier>(
                auth::FirebaseVerifierOptions{.project_id = config.firebase_project_id, .emulator_mode = true}, nullptr,
                SystemClock::Instance());
        }
        composition_ = std::make_unique<Composition>(Infrastructure{pool_, SystemClock::Instance(), cpu_, store_,
                                                                    issuer_.get(), verifier_.get(), firebase_.get()},
                                                     config);
        metrics_ = std::make_unique<http::Metrics>(composition_->Registered().Router());
        pipeline_ =
            std::make_unique<http::Pipeline>(config.server, composition_->Registered().Router(),
                                             &composition_->Authenticator(), &composition_->Idempotency(), *metrics_);
        client_ = std::make_unique<testing::InProcessClient>(io_, *pipeline_);
    }

    ~TestApp() {
        client_.reset();
        pipeline_.reset();
        composition_.reset();
        cpu_.join();
        std::error_code ignored;
        std::filesystem::remove_all(root_, ignored);
    }

    TestApp(const TestApp&) = delete;
    TestApp& operator=(const TestApp&) = delete;

    /// An anonymous client; Client().As(user) acts as one of Users(n).
    const testing::InProcessClient& Client() const { return *client_; }
    std::vector<testing::TestUser> Users(int n) const { return client_->Users(n); }
    Composition& Composed() { return *composition_; }
    db::Pool& Pool() { return pool_; }
    boost::asio::io_context& Io() { return io_; }

    /// Runs a job worker until no job whose kind is LIKE one of `kinds` (e.g. "event:%:feed") is due,
    /// within 20 s; whether they all ran. Due means run_at <= now(): a job retried later counts as run.
    bool DrainJobs(std::vector<std::string> kinds) {
        return Sync([](TestApp* a, std::vector<std::string> patterns) -> boost::asio::awaitable<bool> {
            auto executor = co_await boost::asio::this_coro::executor;
            jobs::WorkerOptions options;
            options.poll_interval = std::chrono::milliseconds(20);
            jobs::Worker worker(executor, a->Pool(), a->Composed().Registered().Jobs(), options);
            worker.Start();
            const std::string array = db::TextArray(patterns);
            boost::asio::steady_timer timer(executor);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
            bool drained = false;
            while (!drained && std::chrono::steady_clock::now() < deadline) {
                db::Result left = co_await a->Pool().Query(
                    "SELECT count(*) FROM jobs_queue WHERE kind LIKE ANY($1::text[]) AND run_at <= now()",
                    db::Params::Of(array));
                drained = left.Int(0, 0) == 0;
                if (!drained) {
                    timer.expires_after(std::chrono::milliseconds(20));
                    co_await timer.async_wait(boost::asio::use_awaitable);
                }
            }
            co_await worker.Stop();
            co_return drained;
        }(this, std::move(kinds)));
    }

    /// Runs a coroutine (a query, a service call) to completion on the app's loop.
    template <class T>
    T Sync(boost::asio::awaitable<T> task) {
        return testing::RunSync(io_, std::move(task));
    }

private:
    testing::PgTestDatabase database_;
    boost::asio::io_context io_;
    boost::asio::thread_pool cpu_{2};
    db::Pool pool_;
    std::filesystem::path root_;
    storage::LocalObjectStore store_;
    std::unique_ptr<auth::LocalTokenVerifier> verifier_;
    std::unique_ptr<auth::LocalTokenIssuer> issuer_;
    std::unique_ptr<auth::FirebaseVerifier> firebase_;
    std::unique_ptr<Composition> composition_;
    std::unique_ptr<http::Metrics> metrics_;
    std::unique_ptr<http::Pipeline> pipeline_;
    std::unique_ptr<testing::InProcessClient> client_;
};

/// A route-level test on the suite's one TestApp (app()), or a loud skip without a test PostgreSQL
/// (a failure under STRAVA1_REQUIRE_SERVICES=1): start each test with STRAVA1_REQUIRE_PG(). The app
/// and its database are built once per test program, so a test costs its own requests (milliseconds),
/// not a cloned database; tests stay independent by acting only as users they sign up themselves
/// (Users(n) makes new ones each call). A test that needs other settings or an empty database builds
/// its own TestApp.
/// What tells one problem from another, without what differs per request (its id and target): a
/// hidden object's 404 must have the shape of a missing one's.
inline std::string ProblemShape(const testing::InProcessResponse& r) {
    if (!r.json.is_object()) {
        return r.body;
    }
    boost::json::object shape = r.json.as_object();
    shape.erase("request_id");
    shape.erase("instance");
    return boost::json::serialize(shape);
}

class InProcessTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (testing::PgDsn() && !shared_) {
            shared_ = std::make_unique<TestApp>();
        }
    }
    static void TearDownTestSuite() { shared_.reset(); }

    TestApp& app() { return *shared_; }
    const testing::InProcessClient& client() { return shared_->Client(); }

private:
    static inline std::unique_ptr<TestApp> shared_;
};

}  // namespace strava1::app
