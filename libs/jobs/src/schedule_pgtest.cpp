// Recurring schedules: declared in code or per user in a time zone, each slot fired once however many
// workers look.
#include <boost/json.hpp>

#include "jobs_fixture.hpp"
#include "schedules.hpp"

namespace strava1::jobs {
namespace {
namespace asio = boost::asio;

asio::awaitable<void> Nothing(JobContext) { co_return; }

asio::awaitable<double> NextRunAt(db::Pool& pool, std::string name) {
    db::Result r = co_await pool.Query("SELECT extract(epoch FROM next_run_at) FROM jobs_schedules WHERE name = $1",
                                       db::Params::Of(name));
    co_return r.Empty() ? -1 : r.Double(0, 0);
}

/// Two schedulers look at the same due slot at the same moment, `rounds` times over.
asio::awaitable<std::vector<int>> FireTogether(db::Pool& a, db::Pool& b, const Registry& registry, int rounds) {
    std::vector<int> jobs_per_round;
    for (int round = 0; round < rounds; ++round) {
        co_await a.Query("UPDATE jobs_schedules SET next_run_at = now() - interval '1 second'");
        const std::int64_t before = co_await CountRows(a, "SELECT count(*) FROM jobs_queue");
        auto executor = co_await asio::this_coro::executor;
        auto first = asio::co_spawn(executor, FireDueSchedules(a, registry), asio::use_awaitable);
        auto second = asio::co_spawn(executor, FireDueSchedules(b, registry), asio::use_awaitable);
        const int fired = co_await std::move(first) + co_await std::move(second);
        const std::int64_t after = co_await CountRows(a, "SELECT count(*) FROM jobs_queue");
        EXPECT_EQ(fired, 1) << "round " << round;
        jobs_per_round.push_back(static_cast<int>(after - before));
    }
    co_return jobs_per_round;
}

TEST_F(JobsTest, ARecurringSlotFiresOnceEvenWithTwoSchedulers) {
    Registry registry;
    registry.Handle("digest", Nothing);
    registry.Recurring(
        Schedule{"weekly-digest", "0 7 * * 1", "Europe/Berlin", "digest", boost::json::object{{"n", 1}}});
    Run(UpsertDeclaredSchedules(*pool_, registry, SystemClock::Instance()));
    db::Pool other(io_.get_executor(), db::PoolOptions{database_->ConnInfo(), 4});
    auto per_round = Run(FireTogether(*pool_, other, registry, 5));
    EXPECT_EQ(per_round, (std::vector<int>{1, 1, 1, 1, 1}));
    // After firing, the schedule waits for its next Monday 07:00 in Berlin.
    const double next = Run(NextRunAt(*pool_, "weekly-digest"));
    const auto expected = Cron::Parse("0 7 * * 1")->Next(SystemClock::Instance().Now(), "Europe/Berlin");
    ASSERT_TRUE(expected);
    EXPECT_NEAR(next, std::chrono::duration<double>(expected->time_since_epoch()).count(), 1.0);
    db::Result job = Run(pool_->Query("SELECT kind, payload::text FROM jobs_queue LIMIT 1"));
    EXPECT_EQ(job.String(0, 0), "digest");
    EXPECT_EQ(job.String(0, 1), "{\"n\": 1}");
}

Schedule Reminder() {
    return Schedule{"reminder:user:42", "0 7 * * 1", "America/New_York", "digest", boost::json::object{{"user", 42}}};
}

asio::awaitable<void> PerUser(db::Pool& pool, const Registry& registry, testing::FakeClock& clock) {
    db::Transaction tx = co_await pool.Begin();
    co_await UpsertSchedule(registry, tx, Reminder(), clock);
    co_await tx.Commit();
}

asio::awaitable<std::string> UpsertRefusal(db::Pool& pool, const Registry& registry, Schedule schedule) {
    db::Transaction tx = co_await pool.Begin();
    std::string field = "accepted";
    try {
        co_await UpsertSchedule(registry, tx, std::move(schedule));
    } catch (const Error& e) {
        field = e.Fields().empty() ? e.Detail() : e.Fields().front().field;
    }
    co_await tx.Rollback();
    co_return field;
}

TEST_F(JobsTest, APerUserScheduleRunsAtItsLocalTime) {
    Registry registry;
    registry.Handle("digest", Nothing);
    // Saturday 7 March 2026: the next Monday 07:00 in New York is the first in summer time.
    testing::FakeClock clock(*ParseRfc3339("2026-03-07T12:00:00Z"));
    Run(PerUser(*pool_, registry, clock));
    const double next = Run(NextRunAt(*pool_, "reminder:user:42"));
    EXPECT_EQ(static_cast<std::int64_t>(next), UnixSeconds(*ParseRfc3339("2026-03-09T11:00:00Z")));
    // Upserting it again with the same timing keeps its slot; a new time zone recomputes it.
    Run(PerUser(*pool_, registry, clock));
    EXPECT_EQ(static_cast<std::int64_t>(Run(NextRunAt(*pool_, "reminder:user:42"))),
              UnixSeconds(*ParseRfc3339("2026-03-09T11:00:00Z")));

    EXPECT_EQ(Run(UpsertRefusal(*pool_, registry, Schedule{"x", "0 7 * *", "UTC", "digest"})), "cron");
    EXPECT_EQ(Run(UpsertRefusal(*pool_, registry, Schedule{"x", "0 7 * * 1", "Europe/Atlantis", "digest"})),
              "time_zone");
    EXPECT_EQ(Run(UpsertRefusal(*pool_, registry, Schedule{"x", "0 7 * * 1", "UTC", "unknown"})), "kind");
    EXPECT_EQ(Run(UpsertRefusal(*pool_, registry, Schedule{"", "0 7 * * 1", "UTC", "digest"})), "name");
    EXPECT_EQ(Run(UpsertRefusal(*pool_, registry, Schedule{"x", "0 0 30 2 *", "UTC", "digest"})), "cron");
}

TEST_F(JobsTest, DeclaringABadScheduleFailsAtStartUp) {
    Registry registry;
    registry.Handle("digest", Nothing);
    EXPECT_THROW(registry.Recurring(Schedule{"a", "61 * * * *", "UTC", "digest"}), std::invalid_argument);
    EXPECT_THROW(registry.Recurring(Schedule{"a", "0 * * * *", "Nowhere/Land", "digest"}), std::invalid_argument);
    EXPECT_THROW(registry.Recurring(Schedule{"a", "0 * * * *", "UTC", "missing"}), std::invalid_argument);
    registry.Recurring(Schedule{"a", "0 * * * *", "UTC", "digest"});
    EXPECT_THROW(registry.Recurring(Schedule{"a", "0 * * * *", "UTC", "digest"}), std::invalid_argument);
}

}  // namespace
}  // namespace strava1::jobs
