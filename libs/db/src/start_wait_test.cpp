#include "start_wait.hpp"

#include <gtest/gtest.h>

namespace strava1::db::start_wait {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(StartWait, AServerThatSaysItIsStartingIsWaitedForHoweverLong) {
    // Crash recovery can take far longer than the start timeout; killing it would only restart it.
    EXPECT_EQ(Next(false, PQPING_REJECT, seconds(0), seconds(30)), Step::kWait);
    EXPECT_EQ(Next(false, PQPING_REJECT, seconds(3600), seconds(30)), Step::kWait);
    EXPECT_EQ(Next(false, PQPING_REJECT, seconds(3600), seconds(0)), Step::kWait);
}

TEST(StartWait, ASilentServerGetsTheStartTimeout) {
    EXPECT_EQ(Next(false, PQPING_NO_RESPONSE, seconds(29), seconds(30)), Step::kWait);
    EXPECT_EQ(Next(false, PQPING_NO_RESPONSE, seconds(30), seconds(30)), Step::kSilent);
}

TEST(StartWait, ReadyExitedAndBadParametersEndTheWait) {
    EXPECT_EQ(Next(false, PQPING_OK, seconds(3600), seconds(30)), Step::kReady);
    EXPECT_EQ(Next(true, PQPING_NO_RESPONSE, seconds(0), seconds(30)), Step::kExited);
    EXPECT_EQ(Next(true, PQPING_REJECT, seconds(0), seconds(30)), Step::kExited) << "a dead server is no progress";
    EXPECT_EQ(Next(false, PQPING_NO_ATTEMPT, seconds(0), seconds(30)), Step::kBadParameters);
}

TEST(StartWait, PollsBackOffOnlyWhileTheServerSaysItIsStarting) {
    EXPECT_EQ(NextPoll(PQPING_NO_RESPONSE, milliseconds(640)), kFirstPoll);
    EXPECT_EQ(NextPoll(PQPING_REJECT, kFirstPoll), milliseconds(40));
    EXPECT_EQ(NextPoll(PQPING_REJECT, milliseconds(640)), milliseconds(1000));
    EXPECT_EQ(NextPoll(PQPING_REJECT, milliseconds(1000)), kLongestPoll);
}

}  // namespace
}  // namespace strava1::db::start_wait
