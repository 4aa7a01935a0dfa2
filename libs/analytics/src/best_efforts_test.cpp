#include "strava1/analytics/best_efforts.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include "test_tracks.hpp"

namespace strava1::analytics {
namespace {

// The oracle: every candidate of both orientations, each located by a full scan (O(n²)).
double BruteForceBest(const std::vector<double>& t, const std::vector<double>& d, double target_m) {
    double best = std::numeric_limits<double>::infinity();
    const std::size_t n = t.size();
    for (std::size_t end = 0; end < n; ++end) {
        const double start_at = d[end] - target_m;
        for (std::size_t i = 0; i + 1 < n && i < end; ++i) {
            if (d[i] <= start_at && start_at < d[i + 1]) {
                const double begin = t[i] + (start_at - d[i]) / (d[i + 1] - d[i]) * (t[i + 1] - t[i]);
                best = std::min(best, t[end] - begin);
            }
        }
    }
    for (std::size_t start = 0; start < n; ++start) {
        const double end_at = d[start] + target_m;
        for (std::size_t j = start + 1; j < n; ++j) {
            if (d[j - 1] < end_at && end_at <= d[j]) {
                const double end = t[j - 1] + (end_at - d[j - 1]) / (d[j] - d[j - 1]) * (t[j] - t[j - 1]);
                best = std::min(best, end - t[start]);
            }
        }
    }
    return best;
}

TEST(BestEffort, ConstantSpeedIsDistanceOverSpeed) {
    std::vector<double> t;
    std::vector<double> d;
    for (int second = 0; second <= 2000; ++second) {
        t.push_back(second);
        d.push_back(2.5 * second);
    }
    const std::optional<BestEffort> effort = FindBestEffort(t, d, 1000.0, "1k");
    ASSERT_TRUE(effort.has_value());
    EXPECT_NEAR(effort->time_s, 400.0, 1e-9);
    EXPECT_EQ(effort->name, "1k");
    EXPECT_FALSE(FindBestEffort(t, d, 5001.0).has_value());
    EXPECT_TRUE(FindBestEffort(t, d, 5000.0).has_value());
}

TEST(BestEffort, InterpolatesInsideSamples) {
    // 0..100 m slow (10 s per 10 m), 100..500 m fast (4 m/s, 10 s samples of 40 m), then slow again.
    const std::vector<double> t = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150};
    const std::vector<double> d = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 140, 180, 220, 260, 300};
    // 50 m: the fastest stretch is inside the 4 m/s part: 12.5 s.
    EXPECT_NEAR(FindBestEffort(t, d, 50.0).value().time_s, 12.5, 1e-9);
    // 250 m: 200 m at 4 m/s (50 s) plus 50 m at 1 m/s (50 s) = 100 s.
    const BestEffort effort = FindBestEffort(t, d, 250.0).value();
    EXPECT_NEAR(effort.time_s, 100.0, 1e-9);
    EXPECT_NEAR(effort.time_s, BruteForceBest(t, d, 250.0), 1e-9);
    EXPECT_LE(effort.start_index, effort.end_index);
}

TEST(BestEffort, StandingStillIsNotCounted) {
    // A plateau (standing at 500 m for 100 s) in the middle of a steady 2 m/s run.
    std::vector<double> t;
    std::vector<double> d;
    for (int second = 0; second <= 1200; ++second) {
        t.push_back(second);
        d.push_back(second < 250 ? 2.0 * second : (second < 350 ? 500.0 : 500.0 + 2.0 * (second - 350)));
    }
    EXPECT_NEAR(FindBestEffort(t, d, 1000.0).value().time_s, 500.0, 1e-9);
    EXPECT_NEAR(FindBestEffort(t, d, 1500.0).value().time_s, 750.0, 1e-9);   // all after the stop
    EXPECT_NEAR(FindBestEffort(t, d, 2100.0).value().time_s, 1150.0, 1e-9);  // must include the stop
}

TEST(BestEffort, AllStandardDistancesMatchTheOracleOnRandomTracks) {
    testing::SplitMix random{42};
    for (int track_idx = 0; track_idx < 20; ++track_idx) {
        std::vector<double> t = {0.0};
        std::vector<double> d = {0.0};
        const int points = 200 + static_cast<int>(random.Uniform() * 400);
        for (int point_idx = 1; point_idx < points; ++point_idx) {
            const double dt = 1.0 + std::floor(random.Uniform() * 30.0);
            const double roll = random.Uniform();
            const double speed =
                roll < 0.1 ? 0.0 : (roll < 0.2 ? 25.0 * random.Uniform() : 3.0 + 4.0 * random.Uniform());
            t.push_back(t.back() + dt);
            d.push_back(d.back() + speed * dt);
        }
        const std::vector<BestEffort> efforts = FindBestEfforts(t, d);
        ASSERT_FALSE(efforts.empty());
        for (const BestEffort& effort : efforts) {
            const double expected = BruteForceBest(t, d, effort.distance_m);
            EXPECT_NEAR(effort.time_s, expected, 1e-6 * expected) << effort.name << " track " << track_idx;
            EXPECT_NEAR(effort.end_time_s - effort.start_time_s, effort.time_s, 1e-9);
            EXPECT_LE(t[effort.start_index], effort.start_time_s + 1e-9);
            EXPECT_GE(t[effort.end_index], effort.end_time_s - 1e-9);
        }
        // Nothing longer than the track.
        for (const EffortDistance& target : StandardEffortDistances()) {
            if (target.distance_m > d.back()) {
                EXPECT_FALSE(FindBestEffort(t, d, target.distance_m).has_value());
            }
        }
    }
}

std::vector<std::string_view> NamesOf(const std::vector<BestEffort>& efforts) {
    std::vector<std::string_view> names;
    for (const BestEffort& effort : efforts) {
        names.push_back(effort.name);
    }
    return names;
}

/// The standard distances a track of `total_m` is long enough for, in order.
std::vector<std::string_view> NamesUpTo(double total_m) {
    std::vector<std::string_view> names;
    for (const EffortDistance& target : StandardEffortDistances()) {
        if (target.distance_m <= total_m) {
            names.push_back(target.name);
        }
    }
    return names;
}

// A longer track (pruned blocks and super-blocks, long stops, sprints, recording gaps).
TEST(BestEffort, LongTrackWithStopsAndSprintsMatchesTheOracle) {
    testing::SplitMix random{5};
    std::vector<double> t = {0.0};
    std::vector<double> d = {0.0};
    for (int point_idx = 1; point_idx < 3'000; ++point_idx) {
        const int phase = (point_idx / 150) % 4;  // steady, stopped, sprint, steady with gaps
        const double dt = phase == 3 && random.Uniform() < 0.2 ? 10.0 : 1.0;
        const double speed = phase == 1 ? 0.0 : (phase == 2 ? 9.0 + random.Uniform() : 3.0 + random.Uniform());
        t.push_back(t.back() + dt);
        d.push_back(d.back() + speed * dt);
    }
    const std::vector<BestEffort> efforts = FindBestEfforts(t, d);
    // Every standard distance the track is long enough for, and no other: up to 10 miles here.
    EXPECT_EQ(NamesOf(efforts), NamesUpTo(d.back()));
    ASSERT_EQ(efforts.size(), 9u);
    EXPECT_EQ(efforts.back().name, "10 mile");
    for (const BestEffort& effort : efforts) {
        const double expected = BruteForceBest(t, d, effort.distance_m);
        EXPECT_NEAR(effort.time_s, expected, 1e-6 * expected) << effort.name;
    }
}

// A smooth, slightly noisy track, where the top-speed bound prunes nearly every block, and the same
// track with one zero-duration jump (no finite top speed, so only the plain bound applies).
TEST(BestEffort, SmoothTrackAndZeroDurationJumpMatchTheOracle) {
    testing::SplitMix random{7};
    std::vector<double> t(2'500);
    std::vector<double> d(2'500);
    for (std::size_t point_idx = 1; point_idx < t.size(); ++point_idx) {
        const double speed = 3.4 + std::sin(static_cast<double>(point_idx) / 60.0) + 0.5 * (random.Uniform() - 0.5);
        t[point_idx] = static_cast<double>(point_idx);
        d[point_idx] = d[point_idx - 1] + speed;
    }
    for (int variant = 0; variant < 2; ++variant) {
        if (variant == 1) {
            t[1'000] = t[999];  // a GPS jump: distance in no time
        }
        const std::vector<BestEffort> efforts = FindBestEfforts(t, d);
        // Every standard distance the track is long enough for, and no other: up to 5 km here.
        EXPECT_EQ(NamesOf(efforts), NamesUpTo(d.back()));
        ASSERT_EQ(efforts.size(), 6u);
        EXPECT_EQ(efforts.back().name, "5k");
        for (const BestEffort& effort : efforts) {
            const double expected = BruteForceBest(t, d, effort.distance_m);
            EXPECT_NEAR(effort.time_s, expected, 1e-9 * expected) << effort.name << " variant " << variant;
            EXPECT_LE(t[effort.start_index], effort.start_time_s + 1e-9);
            EXPECT_GE(t[effort.end_index], effort.end_time_s - 1e-9);
        }
    }
}

TEST(BestEffort, StandardDistances) {
    const std::span<const EffortDistance> distances = StandardEffortDistances();
    ASSERT_EQ(distances.size(), 16u);
    EXPECT_EQ(distances.front().distance_m, 400.0);
    EXPECT_NEAR(distances[3].distance_m, 1609.344, 1e-9);
    EXPECT_NEAR(distances[12].distance_m, 42195.0, 1e-9);
    EXPECT_NEAR(distances.back().distance_m, 160934.4, 1e-6);
    EXPECT_TRUE(FindBestEfforts({}, {}).empty());
}

}  // namespace
}  // namespace strava1::analytics
