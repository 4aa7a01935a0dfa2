#include "strava1/db/pool.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <thread>

#include "pool_fixture.hpp"
#include "strava1/db/migrations.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::db {
namespace {
namespace asio = boost::asio;
using testing::PgTestDatabase;
using testing::RunSync;

using PoolTest = PoolFixture;

asio::awaitable<std::int64_t> AddNumbers(Pool& pool) {
    Result r = co_await pool.Query("SELECT $1::bigint + $2::bigint AS total", Params::Of(40, 2));
    co_return r.Int(0, r.Column("total"));
}

TEST_F(PoolTest, RunsParameterisedQueries) {
    Pool pool(io_.get_executor(), Options());
    EXPECT_EQ(RunSync(io_, AddNumbers(pool)), 42);
    EXPECT_EQ(pool.Stats().total, 1u);
}

// Each shard's loop runs on its own thread, as in `strava1 serve`; the test drives shard B from the
// test thread while shard A's loop runs in the background.
TEST_F(PoolTest, CallersGetConnectionsOfTheirOwnShardAndBorrowOnlyWhenTheirsHasNone) {
    asio::io_context shard_a(1);
    asio::io_context shard_b(1);
    auto guard = asio::make_work_guard(shard_a);
    std::thread runner([&shard_a] { shard_a.run(); });
    {
        Pool pool(std::vector<asio::any_io_executor>{shard_a.get_executor(), shard_b.get_executor()}, Options(2));
        auto on_a = asio::co_spawn(shard_a, AddNumbers(pool), asio::use_future);
        EXPECT_EQ(on_a.get(), 42);
        EXPECT_EQ(RunSync(shard_b, AddNumbers(pool)), 42);
        EXPECT_EQ(RunSync(shard_b, AddNumbers(pool)), 42);
        PoolStats stats = pool.Stats();
        EXPECT_EQ(stats.connects, 2u) << "one connection per shard, each reused by its own shard";
        EXPECT_EQ(stats.borrowed, 0u);
        EXPECT_EQ(stats.idle, 2u);

        Pool small(std::vector<asio::any_io_executor>{shard_a.get_executor(), shard_b.get_executor()}, Options(1));
        auto first = asio::co_spawn(shard_a, AddNumbers(small), asio::use_future);
        EXPECT_EQ(first.get(), 42);
        EXPECT_EQ(RunSync(shard_b, AddNumbers(small)), 42) << "at the limit, shard B borrows shard A's connection";
        EXPECT_EQ(small.Stats().connects, 1u);
        EXPECT_EQ(small.Stats().borrowed, 1u);
    }
    guard.reset();
    runner.join();
}

asio::awaitable<std::vector<std::optional<std::string>>> RoundTripTypes(Pool& pool) {
    Result r = co_await pool.Query("SELECT $1::text, $2::text, $3::boolean, $4::float8",
                                   Params::Of(std::string("it's \"quoted\" ✓"), std::nullopt, true, 2.5));
    co_return std::vector<std::optional<std::string>>{r.OptString(0, 0), r.OptString(0, 1), r.Bool(0, 2) ? "t" : "f",
                                                      std::to_string(r.Double(0, 3))};
}

TEST_F(PoolTest, RoundTripsTextNullBoolAndDouble) {
    Pool pool(io_.get_executor(), Options());
    auto values = RunSync(io_, RoundTripTypes(pool));
    EXPECT_EQ(values[0], "it's \"quoted\" ✓");
    EXPECT_FALSE(values[1]);
    EXPECT_EQ(values[2], "t");
    EXPECT_EQ(values[3], std::to_string(2.5));
}

asio::awaitable<void> ViolateUnique(Pool& pool) {
    co_await pool.Query("CREATE TABLE t (id int PRIMARY KEY)");
    co_await pool.Query("INSERT INTO t VALUES (1)");
    co_await pool.Query("INSERT INTO t VALUES (1)");
}

TEST_F(PoolTest, MapsUniqueViolationToConflict) {
    Pool pool(io_.get_executor(), Options());
    try {
        RunSync(io_, ViolateUnique(pool));
        FAIL() << "expected a unique violation";
    } catch (const DbError& e) {
        EXPECT_EQ(e.Sqlstate(), "23505");
        EXPECT_EQ(e.Kind(), ErrorKind::kConflict);
        EXPECT_EQ(e.Constraint(), "t_pkey");
        EXPECT_EQ(e.Detail().find("t_pkey"), std::string::npos) << "server details must not reach clients";
    }
}

TEST_F(PoolTest, SyntaxErrorIsInternalAndConnectionStaysUsable) {
    Pool pool(io_.get_executor(), Options(1));
    EXPECT_THROW(RunSync(io_, pool.Query("SELEC 1")), DbError);
    EXPECT_EQ(RunSync(io_, AddNumbers(pool)), 42);
    EXPECT_EQ(pool.Stats().total, 1u);
}

asio::awaitable<std::int64_t> TransactionCommitsAndRollsBack(Pool& pool) {
    co_await pool.Query("CREATE TABLE items (n int)");
    {
        Transaction tx = co_await pool.Begin();
        co_await tx.Query("INSERT INTO items VALUES (1)");
        co_await tx.Commit();
    }
    {
        Transaction tx = co_await pool.Begin();
        co_await tx.Query("INSERT INTO items VALUES (2)");
        co_await tx.Rollback();
    }
    {
        // Abandoned without commit: the connection is discarded and the insert never lands.
        Transaction tx = co_await pool.Begin();
        co_await tx.Query("INSERT INTO items VALUES (3)");
    }
    Result r = co_await pool.Query("SELECT coalesce(sum(n), 0) FROM items");
    co_return r.Int(0, 0);
}

TEST_F(PoolTest, TransactionsCommitRollBackAndDiscardWhenAbandoned) {
    Pool pool(io_.get_executor(), Options(2));
    EXPECT_EQ(RunSync(io_, TransactionCommitsAndRollsBack(pool)), 1);
}

asio::awaitable<void> HoldLease(Pool& pool, std::chrono::milliseconds hold) {
    Lease lease = co_await pool.Acquire();
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(hold);
    co_await timer.async_wait(asio::use_awaitable);
}

TEST_F(PoolTest, AcquireTimesOutWhenExhaustedThenRecovers) {
    Pool pool(io_.get_executor(), Options(1));
    bool timed_out = false;
    asio::co_spawn(io_, HoldLease(pool, std::chrono::milliseconds(800)), asio::detached);
    asio::co_spawn(
        io_,
        [](Pool& p, bool& flag) -> asio::awaitable<void> {
            try {
                co_await p.Query("SELECT 1");
            } catch (const Error& e) {
                flag = e.Kind() == ErrorKind::kUnavailable;
            }
        }(pool, timed_out),
        asio::detached);
    io_.run();
    EXPECT_TRUE(timed_out);
    EXPECT_EQ(pool.Stats().acquire_timeouts, 1u);
    EXPECT_EQ(RunSync(io_, AddNumbers(pool)), 42);
}

TEST_F(PoolTest, WaitersGetReleasedConnections) {
    Pool pool(io_.get_executor(), Options(1));
    asio::co_spawn(io_, HoldLease(pool, std::chrono::milliseconds(50)), asio::detached);
    int done = 0;
    for (int task_idx = 0; task_idx < 5; ++task_idx) {
        asio::co_spawn(
            io_,
            [](Pool& p, int& counter) -> asio::awaitable<void> {
                co_await p.Query("SELECT 1");
                ++counter;
            }(pool, done),
            asio::detached);
    }
    io_.run();
    EXPECT_EQ(done, 5);
    EXPECT_EQ(pool.Stats().total, 1u);
}

asio::awaitable<std::int64_t> KillOwnBackendThenQuery(Pool& pool) {
    // Simulates a PostgreSQL restart from this pool's point of view: its idle connection dies.
    Lease killer = co_await pool.Acquire();
    std::int64_t victim_pid = 0;
    {
        Lease victim = co_await pool.Acquire();
        victim_pid = (co_await victim.Query("SELECT pg_backend_pid()")).Int(0, 0);
    }  // the victim goes back to the idle list
    co_await killer.Query("SELECT pg_terminate_backend($1)", Params::Of(victim_pid));
    co_return co_await AddNumbers(pool);
}

TEST_F(PoolTest, ReconnectsTransparentlyAfterTheBackendDies) {
    Pool pool(io_.get_executor(), Options(2));
    EXPECT_EQ(RunSync(io_, KillOwnBackendThenQuery(pool)), 42);
}

asio::awaitable<std::int64_t> KillEveryIdleConnectionThenQuery(Pool& pool, Pool& killer) {
    // What a restarted server leaves: every pooled connection dead, not just one.
    std::vector<std::int64_t> pids;
    {
        std::vector<Lease> leases;
        for (int lease_idx = 0; lease_idx < 3; ++lease_idx) {
            leases.push_back(co_await pool.Acquire());
        }
        for (auto& lease : leases) {
            pids.push_back((co_await lease.Query("SELECT pg_backend_pid()")).Int(0, 0));
        }
    }
    for (std::int64_t pid : pids) {
        co_await killer.Query("SELECT pg_terminate_backend($1)", Params::Of(pid));
    }
    co_return co_await AddNumbers(pool);
}

TEST_F(PoolTest, AfterEveryPooledConnectionDiedTheNextQueryStillSucceeds) {
    Pool pool(io_.get_executor(), Options(4));
    Pool killer(io_.get_executor(), Options(1));
    EXPECT_EQ(RunSync(io_, KillEveryIdleConnectionThenQuery(pool, killer)), 42);
    EXPECT_EQ(pool.Stats().total, 1u) << "the dead ones were closed, not kept";
}

TEST_F(PoolTest, ReconnectReplacesTheConnectionsOpenedBefore) {
    Pool pool(io_.get_executor(), Options(4));
    EXPECT_EQ(RunSync(io_, AddNumbers(pool)), 42);
    EXPECT_EQ(pool.Stats().connects, 1u);
    pool.Reconnect();
    EXPECT_EQ(RunSync(io_, AddNumbers(pool)), 42);
    EXPECT_EQ(pool.Stats().connects, 2u) << "a new connection, not the one from before the restart";
    EXPECT_EQ(pool.Stats().total, 1u);
    EXPECT_EQ(RunSync(io_, AddNumbers(pool)), 42);
    EXPECT_EQ(pool.Stats().connects, 2u) << "and that one is reused";
}

TEST_F(PoolTest, ReconnectWithAConnInfoSendsNewConnectionsThere) {
    PoolOptions options = Options(4);
    const std::string right = options.conninfo;
    options.conninfo = "host=/nonexistent-strava1-socket-dir port=5432 dbname=x user=x connect_timeout=2";
    Pool pool(io_.get_executor(), options);
    EXPECT_THROW(RunSync(io_, AddNumbers(pool)), Error);
    pool.Reconnect(right);
    EXPECT_EQ(RunSync(io_, AddNumbers(pool)), 42);
    EXPECT_EQ(pool.Options().conninfo, options.conninfo) << "Options() stay as constructed";
}

TEST(Migrations, VersionParsing) {
    EXPECT_EQ(MigrationVersion("0001_accounts.sql"), 1);
    EXPECT_EQ(MigrationVersion("0042_x.sql"), 42);
    EXPECT_THROW(MigrationVersion("1_x.sql"), std::invalid_argument);
    EXPECT_THROW(MigrationVersion("0001_x.txt"), std::invalid_argument);
}

TEST_F(PoolTest, MigrationsApplyOnceAndRejectEdits) {
    Pool pool(io_.get_executor(), Options());
    std::vector<Migration> v1 = {{1, "0001_a.sql", "CREATE TABLE a (x int);"},
                                 {2, "0002_b.sql", "CREATE TABLE b (y int); INSERT INTO b VALUES (7);"}};
    auto first = RunSync(io_, Migrate(pool, v1));
    EXPECT_EQ(first.applied.size(), 2u);
    EXPECT_EQ(first.current_version, 2);
    auto again = RunSync(io_, Migrate(pool, v1));
    EXPECT_TRUE(again.applied.empty());
    EXPECT_EQ(again.current_version, 2);

    auto edited = v1;
    edited[0].sql = "CREATE TABLE a (x bigint);";
    try {
        RunSync(io_, Migrate(pool, edited));
        FAIL() << "an edited migration must be refused";
    } catch (const Error& e) {
        EXPECT_NE(e.LogDetail().find("0001_a.sql was edited"), std::string::npos) << e.LogDetail();
    }
    std::vector<Migration> older = {v1[0]};
    EXPECT_THROW(RunSync(io_, Migrate(pool, older)), Error);
}

TEST_F(PoolTest, FailedMigrationLeavesNoTrace) {
    Pool pool(io_.get_executor(), Options());
    std::vector<Migration> bad = {{1, "0001_bad.sql", "CREATE TABLE c (x int); SELECT no_such_function();"}};
    EXPECT_THROW(RunSync(io_, Migrate(pool, bad)), DbError);
    auto r = RunSync(io_, pool.Query("SELECT to_regclass('c') IS NULL, (SELECT count(*) FROM schema_migrations)"));
    EXPECT_TRUE(r.Bool(0, 0));
    EXPECT_EQ(r.Int(0, 1), 0);
}

}  // namespace
}  // namespace strava1::db
