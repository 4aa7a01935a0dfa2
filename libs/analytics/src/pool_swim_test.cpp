// Pool swims (issue 7, item 5): distance, active time, pace, laps and best efforts come from the
// lengths and the pool's length; rest is not moving time; the distance stream grows through each
// length instead of stepping at lap ends.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/analytics/analysis.hpp"
#include "test_tracks.hpp"

namespace strava1::analytics {
namespace {

using formats::Sport;
using testing::kStartMs;

formats::PoolLength Length(double start_s, double elapsed_s, bool active, std::uint16_t strokes = 0) {
    formats::PoolLength length;
    length.start_time_ms = kStartMs + static_cast<std::int64_t>(start_s * 1000);
    length.elapsed_s = elapsed_s;
    length.active = active;
    if (active) {
        length.strokes = strokes;
        length.stroke = "freestyle";
    }
    return length;
}

formats::Lap Lap(double start_s, double elapsed_s) {
    formats::Lap lap;
    lap.start_time_ms = kStartMs + static_cast<std::int64_t>(start_s * 1000);
    lap.elapsed_s = elapsed_s;
    lap.timer_s = elapsed_s;
    return lap;
}

/// 4 × 25 m in 30 s, 60 s rest, 4 × 25 m in 25 s, 20 s rest: 200 m, 220 s swimming, 300 s in all.
/// Records every second whose distance steps at each lap's end, as watches write them.
formats::Activity PoolSwim(bool with_records = true) {
    formats::Activity swim;
    swim.sport = Sport::kSwim;
    swim.start_time_ms = kStartMs;
    swim.pool_length_m = 25.0;
    for (int length_idx = 0; length_idx < 4; ++length_idx) {
        swim.lengths.push_back(Length(30.0 * length_idx, 30.0, true, 20));
    }
    swim.lengths.push_back(Length(120, 60, false));
    for (int length_idx = 0; length_idx < 4; ++length_idx) {
        swim.lengths.push_back(Length(180 + 25.0 * length_idx, 25.0, true, 16));
    }
    swim.lengths.push_back(Length(280, 20, false));
    swim.laps = {Lap(0, 120), Lap(120, 60), Lap(180, 100), Lap(280, 20)};
    if (with_records) {
        for (int second = 0; second <= 300; ++second) {
            swim.track.time_ms.push_back(kStartMs + second * 1000LL);
            swim.track.distance_m.push_back(second < 120 ? 0.0 : (second < 280 ? 100.0 : 200.0));
        }
        swim.track.point_count = swim.track.time_ms.size();
        std::size_t lap_start = 0;
        for (formats::Lap& lap : swim.laps) {
            lap.first_index = lap_start;
            lap.end_index = std::min<std::size_t>(300, lap_start + static_cast<std::size_t>(*lap.elapsed_s));
            lap_start = lap.end_index;
        }
    }
    return swim;
}

TEST(PoolSwim, DistanceActiveTimeAndPaceComeFromTheLengths) {
    const ActivityAnalysis a = Analyse(PoolSwim(), {});
    EXPECT_EQ(a.distance_source, DistanceSource::kLengths);
    EXPECT_DOUBLE_EQ(a.distance_total_m, 200.0);
    EXPECT_NEAR(a.moving_s, 220.0, 1e-9);  // the rests are not moving time
    EXPECT_DOUBLE_EQ(a.timer_s, 300.0);
    EXPECT_NEAR(100.0 / a.avg_speed_mps, 110.0, 1e-9);  // 1:50 /100 m
    EXPECT_NEAR(a.max_speed_mps, 1.0, 1e-9);            // the fastest length: 25 m in 25 s
    ASSERT_TRUE(a.pool_length_m);
    EXPECT_DOUBLE_EQ(*a.pool_length_m, 25.0);
}

TEST(PoolSwim, TheDistanceStreamGrowsThroughEachLengthNotInSteps) {
    const ActivityAnalysis a = Analyse(PoolSwim(), {});
    ASSERT_EQ(a.distance_m.size(), 301u);
    EXPECT_NEAR(a.distance_m[15], 12.5, 1e-9);  // half way through the first length
    EXPECT_NEAR(a.distance_m[119], 99.1667, 1e-3);
    EXPECT_NEAR(a.distance_m[150], 100.0, 1e-9);  // resting
    EXPECT_NEAR(a.distance_m[200], 120.0, 1e-9);
    EXPECT_NEAR(a.distance_m[300], 200.0, 1e-9);
    // Every second of swimming gains the same distance within a length: no sawtooth for the speed.
    for (std::size_t second = 1; second <= 120; ++second) {
        EXPECT_NEAR(a.distance_m[second] - a.distance_m[second - 1], 25.0 / 30.0, 1e-9) << second;
    }
}

TEST(PoolSwim, LapsTakeTheirLengthsAndRestLapsAreMarked) {
    const ActivityAnalysis a = Analyse(PoolSwim(), {});
    ASSERT_EQ(a.laps.size(), 4u);
    EXPECT_DOUBLE_EQ(a.laps[0].distance_m, 100.0);
    EXPECT_DOUBLE_EQ(a.laps[0].moving_s, 120.0);
    EXPECT_NEAR(100.0 / a.laps[0].avg_speed_mps, 120.0, 1e-9);  // 2:00 /100 m, not 0:02
    EXPECT_TRUE(a.laps[1].rest);
    EXPECT_DOUBLE_EQ(a.laps[1].distance_m, 0.0);
    EXPECT_DOUBLE_EQ(a.laps[1].moving_s, 0.0);
    EXPECT_DOUBLE_EQ(a.laps[1].elapsed_s, 60.0);
    EXPECT_FALSE(a.laps[2].rest);
    EXPECT_DOUBLE_EQ(a.laps[2].distance_m, 100.0);
    EXPECT_DOUBLE_EQ(a.laps[2].moving_s, 100.0);
}

TEST(PoolSwim, BestEffortsAreSwimDistancesOverWholeLengths) {
    const ActivityAnalysis a = Analyse(PoolSwim(), {});
    ASSERT_EQ(a.best_efforts.size(), 2u);
    EXPECT_EQ(a.best_efforts[0].name, "100m");
    EXPECT_DOUBLE_EQ(a.best_efforts[0].time_s, 100.0);  // the second set: 4 × 25 s
    EXPECT_EQ(a.best_efforts[0].start_index, 180u);
    EXPECT_EQ(a.best_efforts[0].end_index, 280u);
    EXPECT_EQ(a.best_efforts[1].name, "200m");
    EXPECT_DOUBLE_EQ(a.best_efforts[1].time_s, 280.0);  // the rest between the sets counts

    // A yard pool: yards' distances, whole lengths only.
    formats::Activity yards = PoolSwim();
    yards.pool_length_m = 25 * 0.9144;
    yards.pool_in_yards = true;
    const ActivityAnalysis y = Analyse(yards, {});
    ASSERT_EQ(y.best_efforts.size(), 2u);
    EXPECT_EQ(y.best_efforts[0].name, "100yd");
    EXPECT_EQ(y.best_efforts[1].name, "200yd");
    EXPECT_TRUE(y.pool_in_yards);

    // In a 30 m pool neither 100 m nor 200 m is a whole number of lengths: no effort at all.
    formats::Activity odd = PoolSwim();
    odd.pool_length_m = 30.0;
    EXPECT_TRUE(Analyse(odd, {}).best_efforts.empty());
}

TEST(PoolSwim, LengthsCarryStrokesStrokeRateAndSwolf) {
    const ActivityAnalysis a = Analyse(PoolSwim(), {});
    ASSERT_EQ(a.lengths.size(), 10u);
    const SwimLength& first = a.lengths[0];
    EXPECT_EQ(first.index, 1u);
    EXPECT_DOUBLE_EQ(first.start_s, 0.0);
    EXPECT_DOUBLE_EQ(first.distance_m, 25.0);
    EXPECT_EQ(first.strokes, 20);
    EXPECT_NEAR(*first.stroke_rate_spm, 40.0, 1e-9);  // 20 strokes in 30 s
    EXPECT_DOUBLE_EQ(*first.swolf, 50.0);             // 30 s + 20 strokes
    EXPECT_EQ(first.stroke, "freestyle");
    const SwimLength& rest = a.lengths[4];
    EXPECT_FALSE(rest.active);
    EXPECT_DOUBLE_EQ(rest.distance_m, 0.0);
    EXPECT_DOUBLE_EQ(rest.start_s, 120.0);
    EXPECT_FALSE(rest.swolf);
}

TEST(PoolSwim, WithoutTimedRecordsTheLengthsAreEnough) {
    // 7617306288.fit: its records carry no time, so the importer keeps none.
    const ActivityAnalysis a = Analyse(PoolSwim(false), {});
    EXPECT_EQ(a.point_count, 0u);
    EXPECT_DOUBLE_EQ(a.distance_total_m, 200.0);
    EXPECT_NEAR(a.moving_s, 220.0, 1e-9);
    EXPECT_DOUBLE_EQ(a.elapsed_s, 300.0);
    ASSERT_EQ(a.laps.size(), 4u);
    EXPECT_DOUBLE_EQ(a.laps[2].distance_m, 100.0);
    EXPECT_TRUE(a.laps[3].rest);
    ASSERT_EQ(a.best_efforts.size(), 2u);
    EXPECT_DOUBLE_EQ(a.best_efforts[0].time_s, 100.0);
}

TEST(PoolSwim, OpenWaterKeepsItsGpsDistanceAndSwimDistances) {
    formats::Activity swim =
        testing::BuildActivity(Sport::kSwim, 1200, [](int s) { return testing::Sample{.north_m = 0.9 * s}; });
    swim.pool_length_m = 25.0;  // some watches write one even in open water
    swim.lengths.push_back(Length(0, 30, true, 20));
    const ActivityAnalysis a = Analyse(swim, {});
    EXPECT_EQ(a.distance_source, DistanceSource::kPositions);
    EXPECT_NEAR(a.distance_total_m, 1080.0, 0.5);
    EXPECT_TRUE(a.lengths.empty());
    // Every swim distance within the 1080 m swum.
    std::vector<std::string_view> names;
    for (const BestEffort& effort : a.best_efforts) {
        names.push_back(effort.name);
    }
    EXPECT_EQ(names, (std::vector<std::string_view>{"100m", "200m", "400m", "800m", "1000m"}));
}

}  // namespace
}  // namespace strava1::analytics
