#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>
#include <vector>

#include "strava1/db/pool.hpp"
#include "pool_fixture.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::db {
namespace {
namespace asio = boost::asio;
using testing::RunSync;

class PipelineTest : public PoolFixture {
protected:
    PoolOptions Options(std::size_t max = 4) { return PoolFixture::Options(max, std::chrono::milliseconds(2000)); }
};

asio::awaitable<std::string> Outcome(Pool& pool, std::string sql, Params params) {
    try {
        Result r = co_await pool.QueryPipelined(std::move(sql), std::move(params));
        co_return "ok:" + r.String(0, 0);
    } catch (const DbError& e) {
        co_return "error:" + e.Sqlstate();
    }
}

// Many statements at once from one loop: all go down the one pipelined connection, each gets its
// own answer, in whatever order they complete. Past max_pipelined in flight, callers take
// ordinary connections. (So they do while the pipelined connection is being opened; the test opens
// it first.)
TEST_F(PipelineTest, ConcurrentStatementsShareOneConnectionAndGetTheirOwnResults) {
    PoolOptions options = Options();
    options.max_pipelined = 150;
    Pool pool(io_.get_executor(), options);
    EXPECT_EQ(RunSync(io_, Outcome(pool, "SELECT 'warm'", {})), "ok:warm");
    constexpr int kStatements = 200;
    std::vector<std::optional<std::int64_t>> got(kStatements);
    for (int idx = 0; idx < kStatements; ++idx) {
        asio::co_spawn(
            io_,
            [](Pool& p, int n, std::optional<std::int64_t>& out) -> asio::awaitable<void> {
                Result r = co_await p.QueryPipelined("SELECT $1::bigint * 3", Params::Of(n));
                out = r.Int(0, 0);
            }(pool, idx, got[static_cast<std::size_t>(idx)]),
            asio::detached);
    }
    io_.restart();
    io_.run();
    for (int idx = 0; idx < kStatements; ++idx) {
        ASSERT_TRUE(got[static_cast<std::size_t>(idx)]) << idx;
        EXPECT_EQ(*got[static_cast<std::size_t>(idx)], 3 * idx);
    }
    PoolStats stats = pool.Stats();
    EXPECT_EQ(stats.pipelined, 1u + 150u);
    EXPECT_EQ(stats.queries, 1u + kStatements);
    EXPECT_EQ(stats.connects, 4u) << "the pipelined connection and, for the overflow, the rest of the pool's 4";
}

// Each statement has its own Sync: a failing one in the middle fails alone.
TEST_F(PipelineTest, AFailingStatementFailsAloneAndTheConnectionStaysUsable) {
    Pool pool(io_.get_executor(), Options());
    EXPECT_EQ(RunSync(io_, Outcome(pool, "SELECT 'warm'", {})), "ok:warm");
    std::vector<std::string> outcomes(5);
    auto run = [&](int idx, std::string sql, Params params) {
        asio::co_spawn(
            io_,
            [](Pool& p, std::string s, Params ps, std::string& out) -> asio::awaitable<void> {
                out = co_await Outcome(p, std::move(s), std::move(ps));
            }(pool, std::move(sql), std::move(params), outcomes[static_cast<std::size_t>(idx)]),
            asio::detached);
    };
    run(0, "SELECT ($1::int + 1)::text", Params::Of(1));
    run(1, "SELECT (1 / $1::int)::text", Params::Of(0));  // division by zero: 22012
    run(2, "SELECT ($1::int + 2)::text", Params::Of(1));
    run(3, "SELEKT nonsense", {});                         // syntax error in the PREPARE: 42601
    run(4, "SELECT ($1::int + 3)::text", Params::Of(1));
    io_.restart();
    io_.run();
    EXPECT_EQ(outcomes[0], "ok:2");
    EXPECT_EQ(outcomes[1], "error:22012");
    EXPECT_EQ(outcomes[2], "ok:3");
    EXPECT_EQ(outcomes[3], "error:42601");
    EXPECT_EQ(outcomes[4], "ok:4");
    // The failed PREPARE is forgotten: the same text fails the same way again (not "prepared
    // statement does not exist"), and good statements still run.
    EXPECT_EQ(RunSync(io_, Outcome(pool, "SELEKT nonsense", {})), "error:42601");
    EXPECT_EQ(RunSync(io_, Outcome(pool, "SELECT ($1::int + 1)::text", Params::Of(9))), "ok:10");
    EXPECT_EQ(pool.Stats().connects, 1u);
}

asio::awaitable<std::string> KillPipelinedBackendThenQuery(Pool& pool) {
    std::int64_t victim = (co_await pool.QueryPipelined("SELECT pg_backend_pid()")).Int(0, 0);
    co_await pool.Query("SELECT pg_terminate_backend($1)", Params::Of(victim));
    // The next statement meets the dead connection, is retried once on an ordinary connection,
    // and the one after gets a fresh pipelined connection.
    std::string first = co_await Outcome(pool, "SELECT ($1::int * 2)::text", Params::Of(21));
    std::int64_t again = (co_await pool.QueryPipelined("SELECT pg_backend_pid()")).Int(0, 0);
    co_return first + (again != victim ? " new-backend" : " same-backend");
}

TEST_F(PipelineTest, RecoversAfterItsBackendDies) {
    Pool pool(io_.get_executor(), Options());
    EXPECT_EQ(RunSync(io_, KillPipelinedBackendThenQuery(pool)), "ok:42 new-backend");
}

TEST_F(PipelineTest, DisabledOrOffLoopFallsBackToOrdinaryQueries) {
    PoolOptions off = Options();
    off.pipeline = false;
    Pool pool(io_.get_executor(), off);
    EXPECT_EQ(RunSync(io_, Outcome(pool, "SELECT 'x'", {})), "ok:x");
    EXPECT_EQ(pool.Stats().pipelined, 0u);
    EXPECT_EQ(pool.Stats().queries, 1u);
}

}  // namespace
}  // namespace strava1::db
