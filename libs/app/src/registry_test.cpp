// The registry refuses incomplete or repeated declarations, so a wiring mistake stops the start;
// the scheduler runs start tasks once and recurring tasks again and again, past failing runs,
// until it is stopped.
#include "strava1/app/registry.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

#include "strava1/app/scheduler.hpp"
#include "strava1/base/error.hpp"

namespace strava1::app {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<void> Nothing() { co_return; }
asio::awaitable<void> NoJob(Job) { co_return; }
asio::awaitable<void> NoEvent(Event) { co_return; }

TEST(Registry, KeepsWhatModulesDeclareAndRefusesRepeats) {
    Registry registry;
    registry.Route({.method = http::Method::kGet,
                    .path = "/v1/things",
                    .summary = "Things",
                    .auth = http::AuthPolicy::kUser,
                    .body = http::Body::None(),
                    .handler = [](http::RequestPtr) -> asio::awaitable<http::Response> {
                        co_return http::Response::NoContent();
                    }});
    registry.Recurring("things.tidy", 1min, Nothing);
    registry.AtStart("things.resume", Nothing);
    registry.JobHandler("things.render", NoJob);
    registry.Subscribe("user.deleted", "things.forget-user", NoEvent);
    registry.Subscribe("user.deleted", "others.forget-user", NoEvent);

    ASSERT_EQ(registry.Router().Routes().size(), 1u);
    EXPECT_EQ(registry.Router().Routes()[0].path, "/v1/things");
    ASSERT_EQ(registry.RecurringTasks().size(), 1u);
    EXPECT_EQ(registry.RecurringTasks()[0].every, 1min);
    ASSERT_EQ(registry.StartTasks().size(), 1u);
    ASSERT_EQ(registry.JobHandlers().size(), 1u);
    EXPECT_EQ(registry.JobHandlers()[0].kind, "things.render");
    ASSERT_EQ(registry.Subscriptions().size(), 2u);
    EXPECT_EQ(registry.Subscriptions()[1].subscriber, "others.forget-user");

    EXPECT_THROW(registry.Recurring("things.tidy", 1min, Nothing), std::invalid_argument);
    EXPECT_THROW(registry.AtStart("things.tidy", Nothing), std::invalid_argument) << "one name space for tasks";
    EXPECT_THROW(registry.Recurring("things.other", 0ms, Nothing), std::invalid_argument);
    EXPECT_THROW(registry.Recurring("", 1min, Nothing), std::invalid_argument);
    EXPECT_THROW(registry.AtStart("things.empty", nullptr), std::invalid_argument);
    EXPECT_THROW(registry.JobHandler("things.render", NoJob), std::invalid_argument);
    EXPECT_THROW(registry.Subscribe("user.deleted", "things.forget-user", NoEvent), std::invalid_argument);
    EXPECT_THROW(registry.Route({.method = http::Method::kGet, .path = "/v1/x", .auth = http::AuthPolicy::kUser}),
                 std::invalid_argument)
        << "Router::Add's rules: no body kind, no handler";
}

struct Counts {
    int started = 0;
    int ticks = 0;
};

asio::awaitable<void> Start(Counts* counts) {
    ++counts->started;
    co_return;
}

asio::awaitable<void> Fail() {
    throw std::runtime_error("no");
    co_return;
}

asio::awaitable<void> Tick(Counts* counts) {
    if (++counts->ticks == 2) {
        throw Error(ErrorKind::kUnavailable, "the second run fails");
    }
    co_return;
}

/// Polls `io` until `done()` or a deadline; false on the deadline.
template <class Done>
bool RunUntil(asio::io_context& io, Done done) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        io.restart();
        io.run_one_for(10ms);
    }
    return true;
}

TEST(Scheduler, RunsStartTasksOnceAndRecurringTasksPastFailuresUntilStopped) {
    Counts counts;
    Registry registry;
    registry.AtStart("test.start", [&counts] { return Start(&counts); });
    registry.AtStart("test.start-fails", Fail);
    registry.Recurring("test.tick", 1ms, [&counts] { return Tick(&counts); });
    asio::io_context io;
    Scheduler scheduler(registry, io.get_executor());
    scheduler.Start();
    ASSERT_TRUE(RunUntil(io, [&counts] { return counts.ticks >= 4; })) << "runs again after a failed run";
    EXPECT_EQ(counts.started, 1);

    auto stats = scheduler.Stats();
    ASSERT_EQ(stats.size(), 3u);
    EXPECT_EQ(stats[0].name, "test.start");
    EXPECT_EQ(stats[0].runs, 1u);
    EXPECT_EQ(stats[1].failures, 1u);
    EXPECT_EQ(stats[2].name, "test.tick");
    EXPECT_EQ(stats[2].failures, 1u);

    scheduler.Stop();
    io.restart();
    // Once stopped, the loop has nothing left to wait for: it returns at once instead of ticking on.
    const auto before = std::chrono::steady_clock::now();
    io.run_for(10s);
    EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
    const int ticks = counts.ticks;
    io.restart();
    io.run_for(20ms);
    EXPECT_EQ(counts.ticks, ticks);
}

}  // namespace
}  // namespace strava1::app
