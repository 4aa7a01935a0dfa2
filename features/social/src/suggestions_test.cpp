#include "suggestions.hpp"

#include <gtest/gtest.h>

namespace strava1::social {
namespace {

TEST(RankSuggestions, MutualFriendsOutrankClubsOutrankTheCityAndTheReasonNamesTheStrongest) {
    SuggestionSources s;
    s.mutuals = {{10, 3}, {11, 1}};
    s.clubmates = {{11, "Riverside Runners"}, {12, "Riverside Runners"}};
    s.same_city = {12, 13, 14};
    s.city = "Leeds";
    auto ranked = RankSuggestions(s, {14}, 1, 10);
    ASSERT_EQ(ranked.size(), 4u);
    EXPECT_EQ(ranked[0].user_id, 10);
    EXPECT_EQ(ranked[0].reason, "3 mutual friends");
    EXPECT_EQ(ranked[1].user_id, 11);
    EXPECT_EQ(ranked[1].reason, "1 mutual friend");
    EXPECT_EQ(ranked[2].user_id, 12);
    EXPECT_EQ(ranked[2].reason, "Member of Riverside Runners");
    EXPECT_EQ(ranked[3].user_id, 13);
    EXPECT_EQ(ranked[3].reason, "Also in Leeds");
}

TEST(RankSuggestions, LeavesOutTheExcludedAndMeAndKeepsTheLimit) {
    SuggestionSources s;
    s.same_city = {1, 5, 4, 3, 2};
    s.city = "York";
    auto ranked = RankSuggestions(s, {3}, 1, 2);
    ASSERT_EQ(ranked.size(), 2u);
    EXPECT_EQ(ranked[0].user_id, 2) << "ties by id";
    EXPECT_EQ(ranked[1].user_id, 4);
}

}  // namespace
}  // namespace strava1::social
