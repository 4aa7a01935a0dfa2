// The registry refuses incomplete or repeated declarations, so a wiring mistake stops the start; a
// recurring task is a jobs kind with a UTC schedule; the scheduler runs start tasks once each.
#include "strava1/app/registry.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
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
asio::awaitable<void> NoJob(jobs::JobContext) { co_return; }
asio::awaitable<void> NoEvent(jobs::ReceivedEvent) { co_return; }

TEST(Registry, KeepsWhatModulesDeclareAndRefusesRepeats) {
    Registry registry;
    registry.Route({.method = http::Method::kGet,
                    .path = "/v1/things",
                    .summary = "Things",
                    .access = http::Access::SignedIn(),
                    .body = http::Body::None(),
                    .handler = [](http::RequestPtr) -> asio::awaitable<http::Response> {
                        co_return http::Response::NoContent();
                    }});
    registry.Recurring("things.tidy", "*/10 * * * *", Nothing);
    registry.AtStart("things.resume", Nothing);
    registry.Jobs().Handle("things.render", NoJob);
    registry.Jobs().Subscribe("user.deleted", "things.forget-user", NoEvent);
    registry.Jobs().Subscribe("user.deleted", "others.forget-user", NoEvent);

    ASSERT_EQ(registry.Router().Routes().size(), 1u);
    EXPECT_EQ(registry.Router().Routes()[0].path, "/v1/things");
    ASSERT_EQ(registry.StartTasks().size(), 1u);
    ASSERT_NE(registry.Jobs().Find("things.render"), nullptr);
    ASSERT_EQ(registry.Jobs().SubscribersOf("user.deleted").size(), 2u);
    EXPECT_EQ(registry.Jobs().SubscribersOf("user.deleted")[1]->name, "event:user.deleted:others.forget-user");

    EXPECT_THROW(registry.Recurring("things.tidy", "@hourly", Nothing), std::invalid_argument);
    EXPECT_THROW(registry.Recurring("things.render", "@hourly", Nothing), std::invalid_argument)
        << "a recurring task is a job kind: one name space with the handlers";
    EXPECT_THROW(registry.Recurring("things.other", "every minute", Nothing), std::invalid_argument);
    EXPECT_EQ(registry.Jobs().Find("things.other"), nullptr) << "a refused declaration leaves nothing behind";
    EXPECT_THROW(registry.Recurring("", "@hourly", Nothing), std::invalid_argument);
    EXPECT_THROW(registry.Recurring("things.none", "@hourly", nullptr), std::invalid_argument);
    EXPECT_THROW(registry.AtStart("things.resume", Nothing), std::invalid_argument);
    EXPECT_THROW(registry.AtStart("things.empty", nullptr), std::invalid_argument);
    EXPECT_THROW(registry.Jobs().Handle("things.render", NoJob), std::invalid_argument);
    EXPECT_THROW(registry.Jobs().Subscribe("user.deleted", "things.forget-user", NoEvent), std::invalid_argument);
    EXPECT_THROW(registry.Route({.method = http::Method::kGet, .path = "/v1/x", .access = http::Access::SignedIn()}),
                 std::invalid_argument)
        << "Router::Add's rules: no body kind, no handler";
}

TEST(Registry, ARecurringTaskIsAJobKindWithAUtcSchedule) {
    Registry registry;
    int runs = 0;
    registry.Recurring("things.tidy", "17 * * * *", [&runs]() -> asio::awaitable<void> {
        ++runs;
        co_return;
    });
    const auto& schedules = registry.Jobs().Schedules();
    ASSERT_EQ(schedules.size(), 1u);
    EXPECT_EQ(schedules[0].name, "things.tidy");
    EXPECT_EQ(schedules[0].kind, "things.tidy");
    EXPECT_EQ(schedules[0].cron, "17 * * * *");
    EXPECT_EQ(schedules[0].time_zone, "UTC") << "a fixed rhythm in real time, whatever the server's zone";
    const jobs::Registry::Kind* kind = registry.Jobs().Find("things.tidy");
    ASSERT_NE(kind, nullptr);
    EXPECT_EQ(kind->options.max_attempts, 3);
    asio::io_context io;
    asio::co_spawn(io, kind->handler(jobs::JobContext{}), asio::detached);
    io.run();
    EXPECT_EQ(runs, 1) << "the job runs the task";
}

struct Counts {
    int started = 0;
};

asio::awaitable<void> Start(Counts* counts) {
    ++counts->started;
    co_return;
}

asio::awaitable<void> Fail() {
    throw std::runtime_error("no");
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

TEST(Scheduler, RunsStartTasksOncePastFailures) {
    Counts counts;
    Registry registry;
    registry.AtStart("test.start", [&counts] { return Start(&counts); });
    registry.AtStart("test.start-fails", Fail);
    asio::io_context io;
    Scheduler scheduler(registry, io.get_executor());
    scheduler.Start();
    ASSERT_TRUE(RunUntil(io, [&scheduler] { return scheduler.Stats()[1].runs == 1; }));
    io.restart();
    io.run();
    EXPECT_EQ(counts.started, 1);
    auto stats = scheduler.Stats();
    ASSERT_EQ(stats.size(), 2u);
    EXPECT_EQ(stats[0].name, "test.start");
    EXPECT_EQ(stats[0].runs, 1u);
    EXPECT_EQ(stats[0].failures, 0u);
    EXPECT_EQ(stats[1].failures, 1u);
}

TEST(Scheduler, StartsNothingOnceStopped) {
    Counts counts;
    Registry registry;
    registry.AtStart("test.start", [&counts] { return Start(&counts); });
    asio::io_context io;
    Scheduler scheduler(registry, io.get_executor());
    scheduler.Stop();
    scheduler.Start();
    io.run();
    EXPECT_EQ(counts.started, 0);
}

}  // namespace
}  // namespace strava1::app
