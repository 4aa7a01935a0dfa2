#include "people_search.hpp"

#include <gtest/gtest.h>

namespace strava1::accounts {
namespace {

TEST(PeopleSearch, TrimsAndLowerCases) {
    ParsedSearch p = ParseSearch("  JoHn_%\\ ");
    ASSERT_TRUE(p.terms);
    EXPECT_EQ(p.terms->text, "john_%\\");
    EXPECT_EQ(ParseSearch("jo").terms->text, "jo") << "short queries are queries too (prefixes of words)";
}

TEST(PeopleSearch, RefusesEmptyLongAndBinaryQueries) {
    EXPECT_EQ(ParseSearch("").problem, "must not be empty");
    EXPECT_EQ(ParseSearch("   ").problem, "must not be empty");
    EXPECT_EQ(ParseSearch(std::string(101, 'a')).problem, "must be at most 100 characters");
    // Characters, not bytes: 100 two-byte letters pass.
    std::string accents;
    for (int i = 0; i < 100; ++i) {
        accents += "é";
    }
    EXPECT_TRUE(ParseSearch(accents).terms);
    EXPECT_EQ(ParseSearch("a\xff").problem, "must be UTF-8 text");
    EXPECT_EQ(ParseSearch("a\x01z").problem, "must not hold control characters");
}

}  // namespace
}  // namespace strava1::accounts
