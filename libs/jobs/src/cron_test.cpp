#include <gtest/gtest.h>

#include <vector>

#include "backoff.hpp"
#include "strava1/jobs/schedule.hpp"
#include "time_zone.hpp"

namespace strava1::jobs {
namespace {

SystemTime At(const char* rfc3339) {
    auto t = ParseRfc3339(rfc3339);
    EXPECT_TRUE(t) << rfc3339;
    return t.value_or(SystemTime{});
}

/// The next `count` fire times after `from`, as RFC 3339 UTC.
std::vector<std::string> Fires(const char* cron, const char* zone, const char* from, int count) {
    auto parsed = Cron::Parse(cron);
    EXPECT_TRUE(parsed) << cron;
    std::vector<std::string> out;
    SystemTime t = At(from);
    for (int idx = 0; idx < count && parsed; ++idx) {
        auto next = parsed->Next(t, zone);
        if (!next) {
            out.push_back("never");
            break;
        }
        out.push_back(FormatRfc3339(*next));
        t = *next;
    }
    return out;
}

using Strings = std::vector<std::string>;

TEST(CronTest, ParsesFieldsListsRangesStepsNamesAndMacros) {
    EXPECT_EQ(
        Fires("*/20 * * * *", "UTC", "2026-01-01T00:00:00Z", 4),
        (Strings{"2026-01-01T00:20:00Z", "2026-01-01T00:40:00Z", "2026-01-01T01:00:00Z", "2026-01-01T01:20:00Z"}));
    EXPECT_EQ(Fires("5,10-12 3 * * *", "UTC", "2026-01-01T00:00:00Z", 5),
              (Strings{"2026-01-01T03:05:00Z", "2026-01-01T03:10:00Z", "2026-01-01T03:11:00Z", "2026-01-01T03:12:00Z",
                       "2026-01-02T03:05:00Z"}));
    EXPECT_EQ(
        Fires("0 9 * Feb MON-wed", "UTC", "2026-01-31T00:00:00Z", 4),
        (Strings{"2026-02-02T09:00:00Z", "2026-02-03T09:00:00Z", "2026-02-04T09:00:00Z", "2026-02-09T09:00:00Z"}));
    EXPECT_EQ(Fires("30/15 10-20/5 * * *", "UTC", "2026-01-01T00:00:00Z", 3),
              (Strings{"2026-01-01T10:30:00Z", "2026-01-01T10:45:00Z", "2026-01-01T15:30:00Z"}));
    EXPECT_EQ(Fires("@monthly", "UTC", "2026-01-15T00:00:00Z", 2),
              (Strings{"2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"}));
    EXPECT_EQ(Fires("0 0 * * 7", "UTC", "2026-01-01T00:00:00Z", 1), (Strings{"2026-01-04T00:00:00Z"})) << "7 is Sunday";
    // Both day fields restricted: either matches (the 13th, or a Friday).
    EXPECT_EQ(Fires("0 0 13 * 5", "UTC", "2026-02-01T00:00:00Z", 3),
              (Strings{"2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z", "2026-02-20T00:00:00Z"}));
    EXPECT_EQ(Fires("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", 1), (Strings{"2028-02-29T00:00:00Z"}));
    EXPECT_EQ(Fires("0 0 30 2 *", "UTC", "2026-01-01T00:00:00Z", 1), (Strings{"never"}));
}

TEST(CronTest, RefusesMalformedExpressionsNamingTheField) {
    std::string why;
    EXPECT_FALSE(Cron::Parse("* * * *", &why));
    EXPECT_NE(why.find("five fields"), std::string::npos) << why;
    EXPECT_FALSE(Cron::Parse("60 * * * *", &why));
    EXPECT_NE(why.find("minute"), std::string::npos) << why;
    EXPECT_FALSE(Cron::Parse("* 5-2 * * *", &why));
    EXPECT_NE(why.find("hour"), std::string::npos) << why;
    EXPECT_FALSE(Cron::Parse("* * 0 * *", &why));
    EXPECT_NE(why.find("day of month"), std::string::npos) << why;
    EXPECT_FALSE(Cron::Parse("* * * foo *", &why));
    EXPECT_NE(why.find("month"), std::string::npos) << why;
    EXPECT_FALSE(Cron::Parse("* * * * 8", &why));
    EXPECT_NE(why.find("day of week"), std::string::npos) << why;
    for (const char* bad : {"*/0 * * * *", "1,,2 * * * *", "@sometimes", "*/ * * * *", "- * * * *", "a * * * *"}) {
        EXPECT_FALSE(Cron::Parse(bad)) << bad;
    }
}

// Monday 07:00 local, the per-user reminder the issue names: the UTC instant moves with summer time.
TEST(CronTest, WeeklyLocalTimeFollowsTheZonesSummerTime) {
    EXPECT_EQ(Fires("0 7 * * 1", "Europe/Berlin", "2026-03-20T00:00:00Z", 3),
              (Strings{"2026-03-23T06:00:00Z", "2026-03-30T05:00:00Z", "2026-04-06T05:00:00Z"}));
    EXPECT_EQ(Fires("0 7 * * 1", "America/New_York", "2026-03-01T00:00:00Z", 2),
              (Strings{"2026-03-02T12:00:00Z", "2026-03-09T11:00:00Z"}));
}

// Europe/Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist.
TEST(CronTest, ATimeInTheSpringGapFiresOnceAtTheSameDistanceAfterTheChange) {
    EXPECT_EQ(Fires("30 2 * * *", "Europe/Berlin", "2026-03-28T00:00:00Z", 3),
              (Strings{"2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"}));
    // Every half hour: 02:00 and 02:30 fold into 03:00 and 03:30; each instant fires once.
    EXPECT_EQ(
        Fires("*/30 * * * *", "Europe/Berlin", "2026-03-29T00:00:00Z", 4),
        (Strings{"2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z", "2026-03-29T02:00:00Z"}));
    // America/New_York, 8 March 2026: 02:00 EST becomes 03:00 EDT.
    EXPECT_EQ(Fires("15 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 3),
              (Strings{"2026-03-08T07:15:00Z", "2026-03-09T06:15:00Z", "2026-03-10T06:15:00Z"}));
}

// Europe/Berlin, 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:00-02:59 happens twice.
TEST(CronTest, ATimeInTheAutumnOverlapFiresOnceAtItsFirstOccurrence) {
    EXPECT_EQ(Fires("30 2 * * *", "Europe/Berlin", "2026-10-24T00:00:00Z", 3),
              (Strings{"2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}));
    // Hourly at :30 by the local clock: the repeated 02:30 does not fire again (UTC schedules keep
    // a fixed interval instead).
    EXPECT_EQ(
        Fires("30 * * * *", "Europe/Berlin", "2026-10-24T23:00:00Z", 4),
        (Strings{"2026-10-24T23:30:00Z", "2026-10-25T00:30:00Z", "2026-10-25T02:30:00Z", "2026-10-25T03:30:00Z"}));
    // Asked from inside the repeated hour, the next 02:30 is tomorrow's.
    EXPECT_EQ(Fires("30 2 * * *", "Europe/Berlin", "2026-10-25T01:10:00Z", 1), (Strings{"2026-10-26T01:30:00Z"}));
    // America/New_York, 1 November 2026: 02:00 EDT becomes 01:00 EST.
    EXPECT_EQ(Fires("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 3),
              (Strings{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "2026-11-03T06:30:00Z"}));
}

TEST(CronTest, UnknownZonesNeverFire) {
    auto cron = Cron::Parse("0 7 * * 1");
    ASSERT_TRUE(cron);
    EXPECT_FALSE(cron->Next(At("2026-01-01T00:00:00Z"), "Mars/Olympus"));
    EXPECT_TRUE(KnownTimeZone("America/New_York"));
    EXPECT_FALSE(KnownTimeZone("America/Gotham"));
}

TEST(BackoffTest, DoublesFromTheBaseUpToTheCapWithJitterInTheUpperHalf) {
    using std::chrono::milliseconds;
    const milliseconds base(1000);
    const milliseconds cap(60'000);
    EXPECT_EQ(RetryDelay(1, base, cap, 0.0), milliseconds(500));
    EXPECT_EQ(RetryDelay(1, base, cap, 0.999999), milliseconds(999));
    EXPECT_EQ(RetryDelay(2, base, cap, 0.5), milliseconds(1500));
    EXPECT_EQ(RetryDelay(4, base, cap, 0.0), milliseconds(4000));
    EXPECT_EQ(RetryDelay(7, base, cap, 0.0), milliseconds(30'000)) << "64 s capped at 60 s";
    EXPECT_EQ(RetryDelay(25, base, cap, 1.0), cap);
    EXPECT_EQ(RetryDelay(1000, base, cap, 0.0), milliseconds(30'000)) << "no overflow for large attempts";
    EXPECT_EQ(RetryDelay(0, base, cap, 0.0), milliseconds(500)) << "treated as the first";
}

}  // namespace
}  // namespace strava1::jobs
