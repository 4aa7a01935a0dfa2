#include "refresh_rotation.hpp"

#include <gtest/gtest.h>

namespace strava1::accounts {
namespace {

constexpr std::chrono::seconds kGrace{30};

TEST(DecideRefresh, FreshTokensRotateAndEndedOnesAreRefused) {
    EXPECT_EQ(DecideRefresh({}, kGrace), RefreshDecision::kRotate);
    EXPECT_EQ(DecideRefresh({.expired = true}, kGrace), RefreshDecision::kEnded);
    EXPECT_EQ(DecideRefresh({.session_revoked = true}, kGrace), RefreshDecision::kEnded);
}

TEST(DecideRefresh, TheSameTokenWithinTheGraceGetsItsSuccessorAgain) {
    EXPECT_EQ(DecideRefresh({.spent = true, .spent_age_s = 0.0, .successor_live = true}, kGrace),
              RefreshDecision::kReplaySuccessor);
    EXPECT_EQ(DecideRefresh({.spent = true, .spent_age_s = 30.0, .successor_live = true}, kGrace),
              RefreshDecision::kReplaySuccessor);
}

TEST(DecideRefresh, AnyOtherReuseRevokesTheFamily) {
    // After the window.
    EXPECT_EQ(DecideRefresh({.spent = true, .spent_age_s = 30.5, .successor_live = true}, kGrace),
              RefreshDecision::kRevokeFamily);
    EXPECT_EQ(DecideRefresh({.spent = true, .spent_age_s = 86400.0, .successor_live = true}, kGrace),
              RefreshDecision::kRevokeFamily);
    // The successor was rotated further (or expired, or never recorded): the family moved on.
    EXPECT_EQ(DecideRefresh({.spent = true, .spent_age_s = 1.0, .successor_live = false}, kGrace),
              RefreshDecision::kRevokeFamily);
    // The session was already ended.
    EXPECT_EQ(
        DecideRefresh({.spent = true, .spent_age_s = 1.0, .successor_live = true, .session_revoked = true}, kGrace),
        RefreshDecision::kRevokeFamily);
    // No grace configured: the strict rule of before.
    EXPECT_EQ(DecideRefresh({.spent = true, .spent_age_s = 0.5, .successor_live = true}, std::chrono::seconds(0)),
              RefreshDecision::kRevokeFamily);
    // A clock step backwards is not "within".
    EXPECT_EQ(DecideRefresh({.spent = true, .spent_age_s = -5.0, .successor_live = true}, kGrace),
              RefreshDecision::kRevokeFamily);
}

TEST(DeriveSuccessor, IsDeterministicPerTokenAndSaltAndLooksLikeAToken) {
    std::string a = DeriveSuccessor("token-one", "salt-1");
    EXPECT_EQ(a, DeriveSuccessor("token-one", "salt-1"));
    EXPECT_NE(a, DeriveSuccessor("token-two", "salt-1"));
    EXPECT_NE(a, DeriveSuccessor("token-one", "salt-2"));
    EXPECT_EQ(a.size(), 43u);  // 32 bytes in base64url, like a random refresh token
    EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
}

}  // namespace
}  // namespace strava1::accounts
