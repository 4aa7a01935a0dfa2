#include "strava1/analytics/mean_max.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "test_tracks.hpp"

namespace strava1::analytics {
namespace {

// The oracle: every window summed from scratch.
std::optional<double> BruteForceMeanMax(const std::vector<double>& series, const std::vector<std::uint8_t>& valid,
                                        int duration) {
    std::optional<double> best;
    for (std::size_t start = 0; start + duration <= series.size(); ++start) {
        double total = 0;
        bool ok = true;
        for (int offset = 0; offset < duration; ++offset) {
            ok = ok && (valid.empty() || valid[start + offset] != 0);
            total += series[start + offset];
        }
        if (ok && (!best || total / duration > *best)) {
            best = total / duration;
        }
    }
    return best;
}

TEST(MeanMax, HandComputedSeries) {
    const std::vector<double> power = {100, 300, 200, 0, 400, 100};
    const std::vector<int> durations = {1, 2, 3, 6, 7};
    const std::vector<CurvePoint> curve = MeanMaxCurve(power, {}, durations);
    ASSERT_EQ(curve.size(), 4u);  // 7 s does not fit
    EXPECT_EQ(curve[0].value, 400.0);
    EXPECT_EQ(curve[0].start_s, 4u);
    EXPECT_EQ(curve[1].value, 250.0);  // 300+200
    EXPECT_EQ(curve[1].start_s, 1u);
    EXPECT_NEAR(curve[2].value, 200.0, 1e-12);  // 100+300+200 and 300+200+... : 600/3
    EXPECT_NEAR(curve[3].value, 1100.0 / 6, 1e-12);
}

TEST(MeanMax, InvalidSecondsAreNeverInAWindow) {
    const std::vector<double> hr = {150, 190, 160, 155};
    const std::vector<std::uint8_t> valid = {1, 0, 1, 1};
    const std::vector<int> durations = {1, 2, 3};
    const std::vector<CurvePoint> curve = MeanMaxCurve(hr, valid, durations);
    ASSERT_EQ(curve.size(), 2u);  // no valid 3 s window
    EXPECT_EQ(curve[0].value, 160.0);
    EXPECT_EQ(curve[1].value, 157.5);
}

TEST(MeanMax, SpeedCurveFromDistance) {
    const std::vector<double> distance = {0, 3, 6, 16, 19, 22};
    const std::vector<int> durations = {1, 2, 5, 6};
    const std::vector<CurvePoint> curve = MaxSpeedCurve(distance, durations);
    ASSERT_EQ(curve.size(), 3u);
    EXPECT_EQ(curve[0].value, 10.0);
    EXPECT_EQ(curve[1].value, 6.5);
    EXPECT_NEAR(curve[2].value, 22.0 / 5, 1e-12);
}

TEST(MeanMax, MatchesTheOracleOnRandomSeries) {
    testing::SplitMix random{9};
    for (int series_idx = 0; series_idx < 5; ++series_idx) {
        std::vector<double> series(1500 + series_idx * 700);
        std::vector<std::uint8_t> valid(series.size());
        for (std::size_t second = 0; second < series.size(); ++second) {
            series[second] = std::floor(random.Uniform() * 600);
            valid[second] = random.Uniform() < 0.995 ? 1 : 0;
        }
        for (const bool masked : {false, true}) {
            const std::vector<std::uint8_t> mask = masked ? valid : std::vector<std::uint8_t>{};
            const std::vector<CurvePoint> curve = MeanMaxCurve(series, mask);
            for (const CurvePoint& point : curve) {
                const std::optional<double> expected = BruteForceMeanMax(series, mask, point.duration_s);
                ASSERT_TRUE(expected.has_value());
                EXPECT_NEAR(point.value, *expected, 1e-9 * *expected) << point.duration_s;
            }
            for (const int duration : MeanMaxDurations()) {
                const bool listed = std::any_of(curve.begin(), curve.end(),
                                                [&](const CurvePoint& point) { return point.duration_s == duration; });
                EXPECT_EQ(listed, BruteForceMeanMax(series, mask, duration).has_value()) << duration;
            }
        }
    }
}

TEST(MeanMax, Schedule) {
    const std::span<const int> durations = MeanMaxDurations();
    EXPECT_EQ(durations.front(), 1);
    EXPECT_EQ(durations.back(), 5 * 3600);
    EXPECT_TRUE(std::is_sorted(durations.begin(), durations.end()));
    EXPECT_TRUE(MeanMaxCurve({}).empty());
}

}  // namespace
}  // namespace strava1::analytics
