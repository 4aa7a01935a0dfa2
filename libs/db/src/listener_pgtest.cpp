#include "strava1/db/listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "pool_fixture.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::db {
namespace {
namespace asio = boost::asio;
using testing::RunSync;

using ListenerTest = PoolFixture;

/// Polls `done` every 5 ms until it holds or 10 s pass; returns whether it held.
asio::awaitable<bool> Eventually(std::function<bool()> done) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            co_return false;
        }
        timer.expires_after(std::chrono::milliseconds(5));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return true;
}

struct Seen {
    std::vector<Notification> notifications;
    int listening = 0;
};

asio::awaitable<void> NotifiesArrive(Pool& pool, Listener& listener, Seen& seen) {
    listener.Start();
    EXPECT_TRUE(co_await Eventually([&] { return seen.listening == 1; }));
    co_await pool.Query("SELECT pg_notify('other_channel', 'ignored')");
    co_await pool.Query("SELECT pg_notify('jobs_test', $1)", Params::Of("first"));
    // A notification is sent at commit: one from a rolled-back transaction never is.
    Transaction rolled_back = co_await pool.Begin();
    co_await rolled_back.Query("SELECT pg_notify('jobs_test', 'rolled back')");
    co_await rolled_back.Rollback();
    co_await pool.Query("SELECT pg_notify('jobs_test', $1)", Params::Of("second"));
    EXPECT_TRUE(co_await Eventually([&] { return seen.notifications.size() >= 2; }));
    listener.Stop();
}

TEST_F(ListenerTest, HandsOverTheNotificationsOfItsChannelsOnly) {
    Pool pool(io_.get_executor(), Options());
    Seen seen;
    Listener listener(
        io_.get_executor(), pool, Listener::Options{{"jobs_test"}},
        [&seen](const Notification& n) { seen.notifications.push_back(n); }, [&seen] { ++seen.listening; });
    RunSync(io_, NotifiesArrive(pool, listener, seen));
    ASSERT_EQ(seen.notifications.size(), 2u);
    EXPECT_EQ(seen.notifications[0].channel, "jobs_test");
    EXPECT_EQ(seen.notifications[0].payload, "first");
    EXPECT_EQ(seen.notifications[1].payload, "second");
    EXPECT_EQ(listener.Connects(), 1u);
    // Stopped: the loop has no work left and returns (the listener's coroutine ended).
    io_.restart();
    io_.run();
    EXPECT_FALSE(listener.Listening());
}

asio::awaitable<void> SurvivesLoss(Pool& pool, Listener& listener, Seen& seen) {
    listener.Start();
    EXPECT_TRUE(co_await Eventually([&] { return seen.listening == 1; }));
    // What a restarted server or a dropped connection looks like from here.
    Result killed = co_await pool.Query(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%') t");
    EXPECT_EQ(killed.Int(0, 0), 1);
    // It comes back by itself and says so, so its owner can look for what it missed meanwhile.
    EXPECT_TRUE(co_await Eventually([&] { return seen.listening == 2; }));
    co_await pool.Query("SELECT pg_notify('jobs_test', 'after')");
    EXPECT_TRUE(co_await Eventually([&] { return !seen.notifications.empty(); }));
    listener.Stop();
}

TEST_F(ListenerTest, ReconnectsAfterTheConnectionIsLostAndSaysSo) {
    Pool pool(io_.get_executor(), Options());
    Seen seen;
    Listener::Options options{{"jobs_test"}};
    options.reconnect_min = std::chrono::milliseconds(10);
    Listener listener(
        io_.get_executor(), pool, options, [&seen](const Notification& n) { seen.notifications.push_back(n); },
        [&seen] { ++seen.listening; });
    RunSync(io_, SurvivesLoss(pool, listener, seen));
    ASSERT_EQ(seen.notifications.size(), 1u);
    EXPECT_EQ(seen.notifications[0].payload, "after");
    EXPECT_EQ(listener.Connects(), 2u);
}

TEST_F(ListenerTest, RefusesChannelNamesThatAreNotPlainIdentifiers) {
    Pool pool(io_.get_executor(), Options());
    EXPECT_THROW(Listener(io_.get_executor(), pool, Listener::Options{{"jobs; DROP TABLE x"}}, {}),
                 std::invalid_argument);
}

}  // namespace
}  // namespace strava1::db
