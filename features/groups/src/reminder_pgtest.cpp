// The event reminder's work against a real PostgreSQL: it publishes groups.event.reminder with the
// members going, and nothing for an event that moved (a newer job carries the new start) or is gone.
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "service.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/jobs/client.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::groups {
namespace {
namespace asio = boost::asio;

class ReminderPg : public ::testing::Test {
protected:
    void SetUp() override {
        if (!testing::PgDsn()) {
            return;
        }
        database_ = std::make_unique<testing::PgTestDatabase>();
        pool_ = std::make_unique<db::Pool>(io_.get_executor(), db::PoolOptions{database_->ConnInfo(), 2});
        // A stand-in for the notifications feature: the event becomes one job per subscriber.
        kinds_.Subscribe(kEventReminder, "notifications",
                         [](jobs::ReceivedEvent) -> asio::awaitable<void> { co_return; });
    }
    void TearDown() override { pool_.reset(); }
    template <class T>
    T Sync(asio::awaitable<T> task) {
        return testing::RunSync(io_, std::move(task));
    }
    db::Result Sql(const std::string& sql) { return Sync(pool_->Query(sql)); }

    asio::io_context io_;
    jobs::Registry kinds_;
    jobs::Client jobs_{kinds_};
    std::unique_ptr<testing::PgTestDatabase> database_;
    std::unique_ptr<db::Pool> pool_;
};

TEST_F(ReminderPg, PublishesTheMembersGoingOnceTheEventStillStartsThen) {
    STRAVA1_REQUIRE_PG();
    const std::int64_t ana = Sql("INSERT INTO users (display_name) VALUES ('Ana') RETURNING id").Int(0, 0);
    const std::int64_t bob = Sql("INSERT INTO users (display_name) VALUES ('Bob') RETURNING id").Int(0, 0);
    const std::int64_t club =
        Sql("INSERT INTO clubs (name, sport, privacy) VALUES ('C', 'run', 'public') RETURNING id").Int(0, 0);
    const std::int64_t event =
        Sql("INSERT INTO club_events (club_id, title, starts_at, ends_at) VALUES (" + std::to_string(club) +
            ", 'E', timestamptz '2030-01-01T10:00:00Z', timestamptz '2030-01-01T11:00:00Z') RETURNING id")
            .Int(0, 0);
    Sql("INSERT INTO club_event_rsvps (event_id, user_id, answer) VALUES (" + std::to_string(event) + ", " +
        std::to_string(ana) + ", 'going'), (" + std::to_string(event) + ", " + std::to_string(bob) + ", 'maybe')");
    const std::int64_t starts_us = 1'893'492'000'000'000;  // 2030-01-01T10:00:00Z

    EXPECT_FALSE(Sync(PublishReminder(*pool_, jobs_, event, starts_us - 1)))
        << "a reminder for an older start publishes nothing";
    EXPECT_FALSE(Sync(PublishReminder(*pool_, jobs_, event + 1000, starts_us))) << "nor one for a missing event";
    EXPECT_EQ(Sql("SELECT count(*) FROM jobs_queue").Int(0, 0), 0);

    ASSERT_TRUE(Sync(PublishReminder(*pool_, jobs_, event, starts_us)));
    db::Result delivered =
        Sql("SELECT payload->>'type', payload->'payload'->>'event_id', "
            "payload->'payload'->>'club_id', payload->'payload'->'user_ids'::text, "
            "payload->'payload'->>'starts_at' FROM jobs_queue");
    ASSERT_EQ(delivered.Rows(), 1);
    EXPECT_EQ(delivered.Text(0, 0), "groups.event.reminder");
    EXPECT_EQ(delivered.Text(0, 1), std::to_string(event));
    EXPECT_EQ(delivered.Text(0, 2), std::to_string(club));
    EXPECT_EQ(delivered.Text(0, 3), "[" + std::to_string(ana) + "]") << "only the members going";
    EXPECT_EQ(delivered.Text(0, 4), "2030-01-01T10:00:00Z");
}

TEST(IsoWeeks, MondaysOfIsoWeeksAndTheWeekOfAnInstant) {
    auto w = IsoWeek("2026-W06");
    ASSERT_TRUE(w);
    EXPECT_EQ(FormatRfc3339(w->first), "2026-02-02T00:00:00Z");
    EXPECT_EQ(FormatRfc3339(w->second), "2026-02-09T00:00:00Z");
    EXPECT_EQ(FormatRfc3339(IsoWeek("2026-W01")->first), "2025-12-29T00:00:00Z");
    EXPECT_TRUE(IsoWeek("2026-W53")) << "2026 begins on a Thursday: 53 weeks";
    EXPECT_FALSE(IsoWeek("2025-W53"));
    EXPECT_FALSE(IsoWeek("2026-W00"));
    EXPECT_FALSE(IsoWeek("2026-6"));
    EXPECT_FALSE(IsoWeek("2026-W6x"));
    EXPECT_EQ(IsoWeekOf(*ParseRfc3339("2027-01-01T12:00:00Z")), "2026-W53");
    EXPECT_EQ(IsoWeekOf(*ParseRfc3339("2026-02-08T23:59:59Z")), "2026-W06");
    EXPECT_EQ(IsoWeekOf(*ParseRfc3339("2024-12-30T00:00:00Z")), "2025-W01");
}

}  // namespace
}  // namespace strava1::groups
