#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <optional>
#include <string>

#include "strava1/base/clock.hpp"

namespace strava1::testing {

/// The throwaway server's DSN (`STRAVA1_TEST_PG_DSN`), or nullopt. Tests call STRAVA1_REQUIRE_PG().
std::optional<std::string> PgDsn();
/// True when CI demands real services (`STRAVA1_REQUIRE_SERVICES=1`): a missing one fails, not skips.
bool ServicesRequired();

/// Rewrites a libpq URL/conninfo to point at another database on the same server.
std::string WithDatabase(const std::string& dsn, const std::string& database);

/// A database of its own for one test. With `migrated`, it is cloned from a template database that
/// has every migration applied (created once per server, under an advisory lock). Dropped on
/// destruction. Blocking libpq is fine here: tests are not I/O threads.
class PgTestDatabase {
public:
    explicit PgTestDatabase(bool migrated = true);
    ~PgTestDatabase();
    PgTestDatabase(const PgTestDatabase&) = delete;
    PgTestDatabase& operator=(const PgTestDatabase&) = delete;

    const std::string& ConnInfo() const { return conninfo_; }
    const std::string& Name() const { return name_; }

private:
    std::string admin_dsn_;
    std::string name_;
    std::string conninfo_;
};

/// Runs `task` on `io` until it completes and returns its value (rethrows its exception).
template <class T>
T RunSync(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
    auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    io.restart();
    io.run();
    return future.get();
}

/// A clock tests move by hand.
class FakeClock final : public Clock {
public:
    explicit FakeClock(SystemTime start = SystemTime{std::chrono::seconds(1'764'000'000)}) : now_(start) {}
    SystemTime Now() const override { return now_; }
    void Advance(std::chrono::nanoseconds d) { now_ += std::chrono::duration_cast<SystemTime::duration>(d); }
    void Set(SystemTime t) { now_ = t; }

private:
    SystemTime now_;
};

}  // namespace strava1::testing

/// In a test body: skip (loudly) without a test PostgreSQL, or fail when services are required.
#define STRAVA1_REQUIRE_PG()                                                                          \
    do {                                                                                              \
        if (!::strava1::testing::PgDsn()) {                                                           \
            if (::strava1::testing::ServicesRequired()) {                                             \
                FAIL() << "STRAVA1_TEST_PG_DSN is not set but STRAVA1_REQUIRE_SERVICES=1";            \
            }                                                                                         \
            GTEST_SKIP() << "SKIPPED LOUDLY: STRAVA1_TEST_PG_DSN is not set; run under scripts/with-services.sh"; \
        }                                                                                             \
    } while (0)
