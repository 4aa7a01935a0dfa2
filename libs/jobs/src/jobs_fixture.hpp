#pragma once

// Shared by the pg tests of libs/jobs: a migrated database of their own, a pool and a loop to run
// workers and test steps on, and helpers that poll with a deadline instead of sleeping.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "strava1/db/pool.hpp"
#include "strava1/jobs/client.hpp"
#include "strava1/jobs/worker.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::jobs {

class JobsTest : public ::testing::Test {
protected:
    void SetUp() override {
        STRAVA1_REQUIRE_PG();
        database_ = std::make_unique<testing::PgTestDatabase>(true);
        db::PoolOptions options;
        options.conninfo = database_->ConnInfo();
        options.max_connections = 12;
        pool_ = std::make_unique<db::Pool>(io_.get_executor(), options);
    }

    /// Quick timings for tests: polls and maintenance every 50 ms, short leases.
    static WorkerOptions Fast() {
        WorkerOptions o;
        o.concurrency = 4;
        o.lease = std::chrono::milliseconds(2000);
        o.poll_interval = std::chrono::milliseconds(50);
        o.maintenance_interval = std::chrono::milliseconds(50);
        o.stop_grace = std::chrono::milliseconds(2000);
        return o;
    }

    template <class T>
    T Run(boost::asio::awaitable<T> task) {
        return testing::RunSync(io_, std::move(task));
    }

    boost::asio::io_context io_{1};
    std::unique_ptr<testing::PgTestDatabase> database_;
    std::unique_ptr<db::Pool> pool_;
};

/// Polls `done` every 5 ms until it holds or `limit` passes; returns whether it held.
inline boost::asio::awaitable<bool> Eventually(std::function<bool()> done,
                                               std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            co_return false;
        }
        timer.expires_after(std::chrono::milliseconds(5));
        co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    co_return true;
}

/// Lets the loop run for `duration` (to show that something does NOT happen within it).
inline boost::asio::awaitable<void> Pause(std::chrono::milliseconds duration) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(duration);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

/// Enqueues in a transaction of its own and commits.
inline boost::asio::awaitable<Enqueued> EnqueueCommitted(db::Pool& pool, const Client& client, NewJob job) {
    db::Transaction tx = co_await pool.Begin();
    Enqueued e = co_await client.Enqueue(tx, std::move(job));
    co_await tx.Commit();
    co_return e;
}

inline boost::asio::awaitable<std::int64_t> CountRows(db::Pool& pool, std::string sql) {
    db::Result r = co_await pool.Query(std::move(sql));
    co_return r.Int(0, 0);
}

}  // namespace strava1::jobs
