#include "strava1/base/clock.hpp"

#include <gtest/gtest.h>

namespace strava1 {
namespace {

TEST(Rfc3339, FormatsUtc) {
    SystemTime t{std::chrono::seconds(1764046114)};
    EXPECT_EQ(FormatRfc3339(t), "2025-11-25T04:48:34Z");
    EXPECT_EQ(FormatRfc3339(t + std::chrono::milliseconds(7), true), "2025-11-25T04:48:34.007Z");
}

TEST(Rfc3339, ParsesOffsetsAndFractions) {
    auto a = ParseRfc3339("2025-11-25T04:48:34Z");
    auto b = ParseRfc3339("2025-11-25T06:48:34+02:00");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, *b);
    EXPECT_EQ(UnixSeconds(*a), 1764046114);
    auto c = ParseRfc3339("2025-11-25T04:48:34.5Z");
    ASSERT_TRUE(c);
    EXPECT_EQ(*c - *a, std::chrono::milliseconds(500));
}

TEST(Rfc3339, RejectsMalformed) {
    for (const char* bad : {"", "2025-11-25", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-11-25T24:00:00Z",
                            "2025-11-25T04:48:34", "2025-11-25T04:48:34Zjunk", "2025-11-25T04:48:34.Z"}) {
        EXPECT_FALSE(ParseRfc3339(bad)) << bad;
    }
}

TEST(Date, ParsesAndValidates) {
    EXPECT_TRUE(ParseDate("2024-02-29"));
    EXPECT_FALSE(ParseDate("2023-02-29"));
    EXPECT_FALSE(ParseDate("2023-2-9"));
}

}  // namespace
}  // namespace strava1
