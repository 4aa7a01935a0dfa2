#include "time_zone.hpp"

#include <gtest/gtest.h>

namespace strava1::jobs {
namespace {

std::int64_t Utc(int y, unsigned mo, unsigned d, int h, int mi) {
    return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

TEST(PosixTzTest, ParsesTheRulesOfTzifFooters) {
    auto berlin = PosixTz::Parse("CET-1CEST,M3.5.0,M10.5.0/3");
    ASSERT_TRUE(berlin);
    EXPECT_EQ(berlin->std_offset_s, 3600);
    EXPECT_EQ(berlin->dst_offset_s, 7200);
    EXPECT_EQ(berlin->start.month, 3);
    EXPECT_EQ(berlin->start.week, 5);
    EXPECT_EQ(berlin->start.time_s, 7200);
    EXPECT_EQ(berlin->end.time_s, 3 * 3600);

    auto fixed = PosixTz::Parse("<+0330>-3:30");
    ASSERT_TRUE(fixed);
    EXPECT_EQ(fixed->std_offset_s, 3 * 3600 + 1800);
    EXPECT_FALSE(fixed->dst_offset_s);

    // Negative rule times and daylight time west of standard (RFC 8536 extensions).
    auto nuuk = PosixTz::Parse("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    ASSERT_TRUE(nuuk);
    EXPECT_EQ(nuuk->start.time_s, -3600);
    auto dublin = PosixTz::Parse("IST-1GMT0,M10.5.0,M3.5.0/1");
    ASSERT_TRUE(dublin);
    EXPECT_EQ(dublin->dst_offset_s, 0);

    for (const char* bad : {"", "CE", "CET", "CET-1CEST", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
                            "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,J0,J365", "CET-1CEST,M3.5.0,M10.5.0x"}) {
        EXPECT_FALSE(PosixTz::Parse(bad)) << bad;
    }
}

TEST(PosixTzTest, OffsetsFollowTheRulesInBothHemispheres) {
    auto new_york = PosixTz::Parse("EST5EDT,M3.2.0,M11.1.0");
    ASSERT_TRUE(new_york);
    // 2040: second Sunday of March is the 11th, first Sunday of November the 4th; both at 02:00 local.
    EXPECT_EQ(new_york->OffsetAt(Utc(2040, 3, 11, 6, 59)), -5 * 3600);
    EXPECT_EQ(new_york->OffsetAt(Utc(2040, 3, 11, 7, 0)), -4 * 3600);
    EXPECT_EQ(new_york->OffsetAt(Utc(2040, 11, 4, 5, 59)), -4 * 3600);
    EXPECT_EQ(new_york->OffsetAt(Utc(2040, 11, 4, 6, 0)), -5 * 3600);

    auto sydney = PosixTz::Parse("AEST-10AEDT,M10.1.0,M4.1.0/3");
    ASSERT_TRUE(sydney);
    EXPECT_EQ(sydney->OffsetAt(Utc(2040, 1, 15, 0, 0)), 11 * 3600);
    EXPECT_EQ(sydney->OffsetAt(Utc(2040, 6, 15, 0, 0)), 10 * 3600);

    auto dublin = PosixTz::Parse("IST-1GMT0,M10.5.0,M3.5.0/1");
    ASSERT_TRUE(dublin);
    EXPECT_EQ(dublin->OffsetAt(Utc(2040, 1, 15, 0, 0)), 0);
    EXPECT_EQ(dublin->OffsetAt(Utc(2040, 7, 15, 0, 0)), 3600);
}

TEST(TimeZoneTest, ReadsTheSystemDatabase) {
    auto berlin = TimeZone::Find("Europe/Berlin");
    ASSERT_TRUE(berlin) << "tzdata is installed by scripts/deps.sh";
    // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
    EXPECT_EQ(berlin->OffsetAt(Utc(2026, 3, 29, 0, 59)), 3600);
    EXPECT_EQ(berlin->OffsetAt(Utc(2026, 3, 29, 1, 0)), 7200);
    EXPECT_EQ(berlin->OffsetAt(Utc(2026, 10, 25, 0, 59)), 7200);
    EXPECT_EQ(berlin->OffsetAt(Utc(2026, 10, 25, 1, 0)), 3600);
    // Past the recorded transitions the footer's rule applies.
    EXPECT_EQ(berlin->OffsetAt(Utc(2090, 7, 1, 12, 0)), 7200);
    EXPECT_EQ(berlin->OffsetAt(Utc(2090, 12, 1, 12, 0)), 3600);
    // Before 1893 Berlin kept local mean time, +0:53:28.
    EXPECT_EQ(berlin->OffsetAt(Utc(1850, 1, 1, 0, 0)), 53 * 60 + 28);

    auto utc = TimeZone::Find("UTC");
    ASSERT_TRUE(utc);
    EXPECT_EQ(utc->OffsetAt(Utc(2026, 7, 1, 0, 0)), 0);
    EXPECT_EQ(TimeZone::Find("Europe/Berlin").get(), berlin.get()) << "cached";
}

TEST(TimeZoneTest, RefusesNamesOutsideTheDatabase) {
    for (const char* bad :
         {"", "Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Europe/../UTC", "Europe", "Europe/Berlin\n"}) {
        EXPECT_FALSE(TimeZone::Find(bad)) << bad;
    }
    EXPECT_FALSE(TimeZone::FromTzif("TZif2 not really"));
}

TEST(TimeZoneTest, LocalTimesInGapsAndOverlapsResolveOneWay) {
    auto berlin = TimeZone::Find("Europe/Berlin");
    ASSERT_TRUE(berlin);
    const auto local = [](int y, unsigned mo, unsigned d, int h, int mi) { return Utc(y, mo, d, h, mi); };
    EXPECT_EQ(berlin->ToUtc(local(2026, 7, 1, 12, 0)), Utc(2026, 7, 1, 10, 0));
    // 02:30 on 29 March 2026 does not exist: it is read as 03:30 summer time.
    EXPECT_EQ(berlin->ToUtc(local(2026, 3, 29, 2, 30)), Utc(2026, 3, 29, 1, 30));
    // 02:30 on 25 October 2026 happens twice: the first, in summer time.
    EXPECT_EQ(berlin->ToUtc(local(2026, 10, 25, 2, 30)), Utc(2026, 10, 25, 0, 30));
    EXPECT_EQ(berlin->ToUtc(local(2026, 10, 25, 3, 0)), Utc(2026, 10, 25, 2, 0));
}

}  // namespace
}  // namespace strava1::jobs
