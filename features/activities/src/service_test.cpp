// The checks the activities service makes before any statement runs: a manual activity's fields and
// bounds, and an activity PATCH.
#include <gtest/gtest.h>

#include "service.hpp"

namespace strava1::activities {
namespace {

const SystemTime kNow{std::chrono::sys_days{std::chrono::year{2026} / 3 / 1}};

std::vector<std::string> Fields(const std::function<void()>& check) {
    std::vector<std::string> out;
    try {
        check();
    } catch (const Error& e) {
        for (const auto& f : e.Fields()) {
            out.push_back(f.field);
        }
    }
    return out;
}

TEST(ManualActivity, FiguresFollowFromTheBody) {
    auto body = json::ReadBody<ManualActivityBody>(
        R"({"sport": "run", "start_time": "2026-02-28T07:00:00Z", "elapsed_s": 3000, "moving_s": 2500, "distance_m": 10000})");
    ManualPlan plan = CheckManual(body, kNow);
    EXPECT_EQ(plan.start_us, 1'772'262'000'000'000);
    EXPECT_EQ(plan.moving_s, 2500);
    EXPECT_EQ(plan.avg_speed_mps, 4.0);
    EXPECT_EQ(plan.avg_pace_s_per_km, 250.0);
    auto still = json::ReadBody<ManualActivityBody>(R"({"sport": "yoga", "start_time": "2026-02-28T07:00:00Z", "elapsed_s": 60})");
    EXPECT_EQ(Fields([&] { CheckManual(still, kNow); }), (std::vector<std::string>{"sport"}));
}

TEST(ManualActivity, EveryBadFieldIsNamedThenTheBounds) {
    auto bad = json::ReadBody<ManualActivityBody>(
        R"({"sport": "run", "start_time": "yesterday", "elapsed_s": 0, "perceived_exertion": 11, "visibility": "friends"})");
    EXPECT_EQ(Fields([&] { CheckManual(bad, kNow); }),
              (std::vector<std::string>{"start_time", "elapsed_s", "perceived_exertion", "visibility"}));
    // The bounds are checked only once each field is in its range.
    auto fast = json::ReadBody<ManualActivityBody>(
        R"({"sport": "run", "start_time": "2026-02-28T07:00:00Z", "elapsed_s": 1800, "distance_m": 50000})");
    EXPECT_EQ(Fields([&] { CheckManual(fast, kNow); }), (std::vector<std::string>{"distance_m"}));
    auto future = json::ReadBody<ManualActivityBody>(
        R"({"sport": "run", "start_time": "2026-03-03T07:00:00Z", "elapsed_s": 1800})");
    EXPECT_EQ(Fields([&] { CheckManual(future, kNow); }), (std::vector<std::string>{"start_time"}));
}

TEST(ActivityPatch, NullsRangesAndHiddenMetrics) {
    auto metrics = CheckPatch(json::ReadBody<PatchActivityBody>(R"({"hidden_metrics": ["power", "heart_rate"]})"));
    EXPECT_EQ(metrics, "{heart_rate,power}") << "in their canonical order";
    EXPECT_FALSE(CheckPatch(json::ReadBody<PatchActivityBody>(R"({"name": "Evening run"})")));
    EXPECT_EQ(Fields([] {
                  CheckPatch(json::ReadBody<PatchActivityBody>(
                      R"({"name": null, "hidden_metrics": ["mood"], "hide_endpoints_m": 2000, "perceived_exertion": 0})"));
              }),
              (std::vector<std::string>{"name", "hidden_metrics", "hide_endpoints_m", "perceived_exertion"}));
}

}  // namespace
}  // namespace strava1::activities
