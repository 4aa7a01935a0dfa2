#include "strava1/analytics/analysis.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "prepared_track.hpp"
#include "strava1/geo/polyline.hpp"
#include "test_tracks.hpp"

namespace strava1::analytics {
namespace {

using formats::Sport;
using testing::BuildActivity;
using testing::Sample;

// 3 m/s due north for 1000 s (1001 points).
formats::Activity SteadyRun() {
    return BuildActivity(Sport::kRun, 1000, [](int s) { return Sample{.north_m = 3.0 * s}; });
}

TEST(Analyse, SteadyRunDistanceTimeAndPace) {
    const ActivityAnalysis a = Analyse(SteadyRun(), {});
    EXPECT_EQ(a.point_count, 1001u);
    EXPECT_EQ(a.distance_source, DistanceSource::kPositions);
    EXPECT_NEAR(a.distance_total_m, 3000.0, 0.5);  // e7 rounding: ±1.1 cm per point
    EXPECT_DOUBLE_EQ(a.elapsed_s, 1000.0);
    EXPECT_DOUBLE_EQ(a.timer_s, 1000.0);
    EXPECT_DOUBLE_EQ(a.moving_s, 1000.0);
    EXPECT_NEAR(a.avg_speed_mps, 3.0, 1e-3);
    EXPECT_NEAR(a.max_speed_mps, 3.0, 0.01);
    EXPECT_NEAR(a.avg_pace_s_per_km.value(), 333.33, 0.2);
    EXPECT_NEAR(a.grade_adjusted_speed_mps.value(), 3.0, 1e-3);  // no altitude: flat
    EXPECT_EQ(a.spikes_removed, 0u);
}

TEST(Analyse, SplitsAndAutoLaps) {
    const ActivityAnalysis a = Analyse(SteadyRun(), {});
    ASSERT_EQ(a.splits_km.size(), 3u);
    for (const IntervalStats& split : a.splits_km) {
        EXPECT_NEAR(split.distance_m, 1000.0, 0.5);
        EXPECT_NEAR(split.elapsed_s, 333.33, 0.2);
        EXPECT_NEAR(split.moving_s, 333.33, 0.2);
        EXPECT_FALSE(split.from_device);
    }
    ASSERT_EQ(a.splits_mile.size(), 2u);  // 1 mile and the remaining 1.39 km
    EXPECT_NEAR(a.splits_mile[0].distance_m, 1609.344, 1e-6);
    EXPECT_NEAR(a.splits_mile[0].elapsed_s, 1609.344 / 3.0, 0.2);
    EXPECT_NEAR(a.splits_mile[1].distance_m, 3000.0 - 1609.344, 0.5);
    EXPECT_EQ(a.laps.size(), 3u);  // no device laps: one per km
}

TEST(Analyse, DeviceLapsAreUsed) {
    formats::Activity activity = SteadyRun();
    activity.laps.push_back(formats::Lap{.first_index = 0, .end_index = 600});
    activity.laps.push_back(formats::Lap{.first_index = 600, .end_index = 1001});
    const ActivityAnalysis a = Analyse(activity, {});
    ASSERT_EQ(a.laps.size(), 2u);
    EXPECT_TRUE(a.laps[0].from_device);
    EXPECT_NEAR(a.laps[0].elapsed_s, 600.0, 1e-9);
    EXPECT_NEAR(a.laps[0].distance_m, 1800.0, 0.5);
    EXPECT_NEAR(a.laps[1].elapsed_s, 400.0, 1e-9);
}

TEST(Analyse, BestEffortsOnASteadyRun) {
    const ActivityAnalysis a = Analyse(SteadyRun(), {});
    ASSERT_EQ(a.best_efforts.size(), 4u);  // 400 m, 1/2 mile, 1 km, 1 mile (2 miles is longer than 3 km)
    EXPECT_EQ(a.best_efforts[0].name, "400m");
    EXPECT_NEAR(a.best_efforts[0].time_s, 400.0 / 3.0, 0.05);
    EXPECT_NEAR(a.best_efforts[2].time_s, 1000.0 / 3.0, 0.05);
    EXPECT_NEAR(a.best_efforts[3].time_s, 1609.344 / 3.0, 0.05);
}

TEST(Analyse, TimerPauseIsNeitherTimerNorMovingTime) {
    // Recording stops at 500 s (timer stop) and resumes at 800 s, 30 m further on (a stroll, not a
    // moving speed for a run).
    formats::Activity activity = BuildActivity(Sport::kRun, 1100, [](int s) {
        Sample sample{.north_m = s <= 500 ? 3.0 * s : 1530.0 + 3.0 * (s - 800)};
        sample.present = s <= 500 || s >= 800;
        return sample;
    });
    activity.timer_events = {
        {testing::kStartMs, true}, {testing::kStartMs + 500'000, false}, {testing::kStartMs + 800'000, true}};
    const ActivityAnalysis a = Analyse(activity, {});
    EXPECT_DOUBLE_EQ(a.elapsed_s, 1100.0);
    EXPECT_DOUBLE_EQ(a.timer_s, 800.0);
    EXPECT_NEAR(a.moving_s, 800.0, 5.0);           // the window restarts after the pause
    EXPECT_NEAR(a.distance_total_m, 2400.0, 0.5);  // the 30 m covered while paused are not counted
}

TEST(Analyse, AStopCrossedAtAMovingSpeedIsNoStop) {
    // A new GPX segment after a lost fix, 20 s later and 60 m on: the importer made it a pause, but
    // the runner kept running through it (docs/analytics.md, "Timer").
    formats::Activity activity = BuildActivity(
        Sport::kRun, 600, [](int s) { return Sample{.north_m = 3.0 * s, .present = s <= 300 || s >= 320}; });
    activity.timer_events = {{testing::kStartMs + 300'000, false, true}, {testing::kStartMs + 320'000, true, true}};
    ActivityAnalysis a = Analyse(activity, {});
    EXPECT_DOUBLE_EQ(a.timer_s, 600.0);
    EXPECT_NEAR(a.moving_s, 600.0, 1.0);
    EXPECT_NEAR(a.distance_total_m, 1800.0, 0.5);
    // The same stop made by the device's timer (or between two GPX tracks) stands.
    activity.timer_events = {{testing::kStartMs + 300'000, false}, {testing::kStartMs + 320'000, true}};
    a = Analyse(activity, {});
    EXPECT_DOUBLE_EQ(a.timer_s, 580.0);
    EXPECT_NEAR(a.moving_s, 580.0, 1.0);
    EXPECT_NEAR(a.distance_total_m, 1740.0, 0.5);
}

TEST(Analyse, RepeatedTimesAreNoStops) {
    // Two samples per second, the second with the same time (sub-second writers rounding down).
    formats::Activity activity = BuildActivity(Sport::kRide, 600, [](int s) { return Sample{.north_m = 5.0 * s}; });
    formats::Track& track = activity.track;
    for (std::size_t point_idx = 1; point_idx < track.size(); point_idx += 2) {
        track.time_ms[point_idx] = track.time_ms[point_idx - 1];
    }
    const ActivityAnalysis a = Analyse(activity, {});
    // Moving the whole time: a repeated time is no stop.
    EXPECT_DOUBLE_EQ(a.timer_s, 600.0);
    EXPECT_NEAR(a.moving_s, 600.0, 1e-9);
}

TEST(Analyse, APartlyStoppedSegmentCountsItsRunningPart) {
    // Points 10 s apart; the timer stops at 305 s and restarts at 315 s (an auto-pause at a gate):
    // the segment 300-310 and 310-320 each ran 5 s and covered 15 m in them.
    formats::Activity activity = BuildActivity(Sport::kRun, 600, [](int s) {
        const double north = s <= 305 ? 3.0 * s : (s < 315 ? 915.0 : 915.0 + 3.0 * (s - 315));
        return Sample{.north_m = north, .present = s % 10 == 0};
    });
    activity.timer_events = {{testing::kStartMs + 305'000, false}, {testing::kStartMs + 315'000, true}};
    const ActivityAnalysis a = Analyse(activity, {});
    EXPECT_DOUBLE_EQ(a.timer_s, 590.0);
    EXPECT_NEAR(a.moving_s, 590.0, 1.0);
    EXPECT_NEAR(a.distance_total_m, 1770.0, 0.5);
}

TEST(Analyse, StandingStillIsNotMoving) {
    const formats::Activity activity = BuildActivity(Sport::kRun, 1000, [](int s) {
        return Sample{.north_m = s < 400 ? 3.0 * s : (s < 600 ? 1200.0 : 1200.0 + 3.0 * (s - 600))};
    });
    const ActivityAnalysis a = Analyse(activity, {});
    // 800 s of running; the 5 s backwards window counts up to 5 s of the stop as moving.
    EXPECT_GE(a.moving_s, 800.0);
    EXPECT_LE(a.moving_s, 806.0);
    EXPECT_NEAR(a.avg_speed_mps, 2400.0 / a.moving_s, 1e-3);
}

TEST(Analyse, GpsSpikeIsRemoved) {
    const formats::Activity activity =
        BuildActivity(Sport::kRun, 600, [](int s) { return Sample{.north_m = s == 300 ? 900.0 + 5'000.0 : 3.0 * s}; });
    const ActivityAnalysis a = Analyse(activity, {});
    EXPECT_EQ(a.spikes_removed, 1u);
    EXPECT_NEAR(a.distance_total_m, 1800.0, 0.5);
    EXPECT_LT(a.max_speed_mps, 3.5);
    EXPECT_NEAR(a.distance_m[300], 900.0, 0.05);  // interpolated between its neighbours
}

TEST(Analyse, ElevationHillWithSmoothingAndNoiseRejection) {
    // Up 100 m over 500 s, down again over 500 s, with ±0.4 m alternating noise on top.
    const formats::Activity activity = BuildActivity(Sport::kRun, 1000, [](int s) {
        const double hill = s <= 500 ? 0.2 * s : 0.2 * (1000 - s);
        return Sample{.north_m = 3.0 * s, .altitude_m = static_cast<float>(300.0 + hill + (s % 2 == 0 ? 0.4 : -0.4))};
    });
    const ActivityAnalysis a = Analyse(activity, {});
    EXPECT_NEAR(a.elevation_gain_m, 100.0, 2.0);
    EXPECT_NEAR(a.elevation_loss_m, 100.0, 2.0);
    // Raw: every up-step counts (250 steps of 1.0 m up the hill, 250 of 0.6 m down it), summed here
    // from the samples themselves.
    double raw_gain = 0;
    for (std::size_t point_idx = 1; point_idx < activity.track.size(); ++point_idx) {
        raw_gain += std::max(0.0, static_cast<double>(activity.track.altitude_m[point_idx]) -
                                      static_cast<double>(activity.track.altitude_m[point_idx - 1]));
    }
    EXPECT_NEAR(raw_gain, 400.0, 0.01);
    EXPECT_NEAR(a.elevation_gain_raw_m, raw_gain, 1e-6);
    EXPECT_NEAR(a.elevation_min_m.value(), 299.8, 1e-3);
    EXPECT_NEAR(a.elevation_max_m.value(), 400.4, 1e-3);

    const formats::Activity flat = BuildActivity(Sport::kRun, 600, [](int s) {
        return Sample{.north_m = 3.0 * s, .altitude_m = static_cast<float>(s % 2 == 0 ? 100.3 : 99.7)};
    });
    const ActivityAnalysis b = Analyse(flat, {});
    EXPECT_EQ(b.elevation_gain_m, 0.0);
    EXPECT_EQ(b.elevation_loss_m, 0.0);
    EXPECT_NEAR(b.elevation_gain_raw_m, 300 * 0.6, 0.01);
}

TEST(Analyse, GradeAdjustedPaceUphillFollowsMinetti) {
    // A steady 10 % climb at 3 m/s: Minetti's cost at +10 % is 5.968 J/kg/m against 3.6 flat.
    const formats::Activity activity = BuildActivity(
        Sport::kRun, 1000, [](int s) { return Sample{.north_m = 3.0 * s, .altitude_m = static_cast<float>(0.3 * s)}; });
    const ActivityAnalysis a = Analyse(activity, {});
    const double factor = 5.968214 / 3.6;
    EXPECT_NEAR(a.grade_adjusted_speed_mps.value(), 3.0 * factor, 0.02);
    EXPECT_NEAR(a.grade_adjusted_pace_s_per_km.value(), 1000.0 / (3.0 * factor), 1.0);
    EXPECT_NEAR(a.splits_km[1].grade_adjusted_speed_mps.value(), 3.0 * factor, 0.01);
    EXPECT_NEAR(a.splits_km[1].elevation_delta_m.value(), 100.0, 0.5);
}

TEST(Analyse, PowerMetricsTssAndZones) {
    // One hour at a steady 200 W: NP = 200; with FTP 250, IF 0.8 and TSS = 1 h × 0.8² × 100 = 64.
    const formats::Activity activity = BuildActivity(Sport::kRide, 3600, [](int s) {
        return Sample{
            .north_m = 8.0 * s, .power_w = 200, .cadence_rpm = static_cast<std::uint16_t>(s % 600 == 0 ? 0 : 90)};
    });
    AthleteProfile profile;
    profile.ftp_w = 250;
    const ActivityAnalysis a = Analyse(activity, profile);
    EXPECT_NEAR(a.avg_power_w.value(), 200.0, 1e-9);
    EXPECT_EQ(a.max_power_w.value(), 200.0);
    EXPECT_NEAR(a.normalized_power_w.value(), 200.0, 1e-9);
    EXPECT_NEAR(a.intensity_factor.value(), 0.8, 1e-12);
    EXPECT_NEAR(a.training_stress_score.value(), 64.0, 1e-9);
    EXPECT_NEAR(a.work_kj.value(), 720.0, 1e-9);
    EXPECT_EQ(a.calorie_method, ActivityAnalysis::CalorieMethod::kPower);
    EXPECT_NEAR(a.calories_kcal, 720.0 / 0.24 / 4.184, 1e-6);
    EXPECT_NEAR(a.avg_cadence_rpm.value(), 90.0, 1e-9);  // zeros excluded
    EXPECT_FALSE(a.avg_cadence_spm.has_value());
    ASSERT_EQ(a.power_zones.size(), 7u);
    EXPECT_NEAR(a.power_zones[2].seconds, 3600.0, 1e-9);  // 80 % FTP: zone 3 (76-90 %)
    EXPECT_NEAR(a.power_zones[2].lower, 187.5, 1e-9);
    ASSERT_FALSE(a.power_curve.empty());
    EXPECT_EQ(a.power_curve.back().duration_s, 3600);
    EXPECT_NEAR(a.power_curve.back().value, 200.0, 1e-9);
    EXPECT_NEAR(a.speed_curve.front().value, 8.0, 0.02);  // e7 rounding: ±1.1 cm per point
}

TEST(Analyse, NormalizedPowerOfIntervals) {
    // 60 s at 400 W, 60 s at 0 W, repeated for an hour: the 30 s rolling mean ramps linearly over
    // each change, so the mean fourth power is computable: per 120 s period, 30 s at 400 (rising
    // edge done), 30 s ramp down, 30 s at 0, 30 s ramp up.
    const formats::Activity activity = BuildActivity(Sport::kRide, 3600, [](int s) {
        return Sample{.north_m = 8.0 * s, .power_w = static_cast<std::uint16_t>((s - 1) % 120 < 60 && s > 0 ? 400 : 0)};
    });
    const ActivityAnalysis a = Analyse(activity, {});
    // Flat 400 for 31 of 120 windows, flat 0 for 31, ramps of 29 intermediate values each way.
    double fourth = 31.0 * std::pow(400.0, 4);
    for (int step = 1; step < 30; ++step) {
        fourth += 2.0 * std::pow(400.0 * step / 30.0, 4);
    }
    const double expected = std::pow(fourth / 120.0, 0.25);
    EXPECT_NEAR(a.normalized_power_w.value(), expected, 2.0);
    EXPECT_NEAR(a.avg_power_w.value(), 200.0, 0.5);
    EXPECT_GT(a.normalized_power_w.value(), a.avg_power_w.value());
}

TEST(Analyse, HeartRateZonesAndTrimp) {
    // 30 min at 150 bpm; max 190, resting 50: reserve fraction 100/140 = 0.714: Karvonen zone 3.
    const formats::Activity activity = BuildActivity(
        Sport::kRun, 1800, [](int s) { return Sample{.north_m = 3.0 * s, .heart_rate_bpm = 150, .cadence_rpm = 85}; });
    AthleteProfile profile;
    profile.max_hr_bpm = 190;
    profile.resting_hr_bpm = 50;
    profile.sex = Sex::kMale;
    profile.age_years = 40;
    profile.weight_kg = 70;
    const ActivityAnalysis a = Analyse(activity, profile);
    EXPECT_NEAR(a.avg_heart_rate_bpm.value(), 150.0, 1e-9);
    EXPECT_EQ(a.max_heart_rate_bpm.value(), 150.0);
    ASSERT_EQ(a.heart_rate_zones.size(), 5u);
    EXPECT_NEAR(a.heart_rate_zones[2].seconds, 1800.0, 1e-9);
    EXPECT_NEAR(a.heart_rate_zones[2].lower, 148.0, 1e-9);
    const double reserve = 100.0 / 140.0;
    EXPECT_NEAR(a.trimp.value(), 30.0 * reserve * 0.64 * std::exp(1.92 * reserve), 1e-9);
    EXPECT_NEAR(a.avg_cadence_spm.value(), 170.0, 1e-9);
    // Keytel et al. (male): (-55.0969 + 0.6309·150 + 0.1988·70 + 0.2017·40) / 4.184 kcal/min.
    EXPECT_EQ(a.calorie_method, ActivityAnalysis::CalorieMethod::kHeartRate);
    EXPECT_NEAR(a.calories_kcal, (-55.0969 + 0.6309 * 150 + 0.1988 * 70 + 0.2017 * 40) / 4.184 * 30, 1e-6);
    ASSERT_FALSE(a.heart_rate_curve.empty());
    EXPECT_NEAR(a.heart_rate_curve.back().value, 150.0, 1e-9);
}

TEST(Analyse, MetCaloriesAsTheLastResort) {
    AthleteProfile profile;
    profile.weight_kg = 80;
    const ActivityAnalysis a = Analyse(SteadyRun(), profile);
    EXPECT_EQ(a.calorie_method, ActivityAnalysis::CalorieMethod::kMet);
    EXPECT_NEAR(a.calories_kcal, 9.8 * 80 * 1000.0 / 3600.0, 1e-6);
}

TEST(Analyse, SummaryPolylineAndGeometry) {
    const ActivityAnalysis a = Analyse(SteadyRun(), {});
    const std::optional<std::vector<geo::LatLng>> decoded = geo::DecodePolyline(a.summary_polyline);
    ASSERT_TRUE(decoded.has_value());
    ASSERT_EQ(decoded->size(), 2u);  // a straight line
    EXPECT_NEAR(decoded->front().lat_deg, 45.0, 1e-5);
    EXPECT_NEAR(decoded->back().lat_deg, 45.0 + 3000.0 / testing::kMetresPerDegreeLat45, 1e-5);
    EXPECT_EQ(a.geometry.size(), 2u);
}

TEST(Analyse, DeviceDistanceWithoutPositions) {
    formats::Activity activity = SteadyRun();
    activity.track.lat_e7.clear();
    activity.track.lng_e7.clear();
    for (std::size_t point_idx = 0; point_idx < activity.track.size(); ++point_idx) {
        activity.track.distance_m.push_back(100.0 + 2.0 * static_cast<double>(point_idx));
    }
    const ActivityAnalysis a = Analyse(activity, {});
    EXPECT_EQ(a.distance_source, DistanceSource::kDevice);
    EXPECT_NEAR(a.distance_total_m, 2000.0, 1e-9);
    EXPECT_TRUE(a.summary_polyline.empty());
}

// Issue 7, item 8: the device's count at the first sample is part of the activity when it could
// have been covered since the start; a multisport leg's leftover count is not.
TEST(Analyse, DeviceDistanceOffsetIsKeptWhenCoveredSinceTheStart) {
    formats::Activity run = SteadyRun();
    run.track.lat_e7.clear();
    run.track.lng_e7.clear();
    for (std::size_t point_idx = 0; point_idx < run.track.size(); ++point_idx) {
        run.track.distance_m.push_back(10.0 + 2.0 * static_cast<double>(point_idx));  // 10 m before the first record
    }
    ActivityAnalysis a = Analyse(run, {});
    EXPECT_NEAR(a.distance_total_m, 2010.0, 1e-9);
    ASSERT_FALSE(a.splits_km.empty());
    EXPECT_NEAR(a.splits_km.front().distance_m, 1000.0, 1e-6);

    // A pool swim's records carry a distance only from the end of its first set: 500 m at 600 s.
    formats::Activity swim = BuildActivity(Sport::kSwim, 1200, [](int) { return Sample{}; });
    swim.track.lat_e7.clear();
    swim.track.lng_e7.clear();
    for (std::size_t point_idx = 0; point_idx < swim.track.size(); ++point_idx) {
        swim.track.distance_m.push_back(point_idx < 600 ? std::nan("") : 500.0 + (point_idx - 600) * 0.5);
    }
    a = Analyse(swim, {});
    EXPECT_NEAR(a.distance_total_m, 800.0, 1e-9);
    EXPECT_NEAR(a.distance_m[300], 250.0, 1e-9);  // spread over the time it took, not a step
    EXPECT_NEAR(a.moving_s, 1200.0, 1.0);

    // The run leg of a triathlon: the counter still holds the swim and ride (184 671 m).
    for (double& value : run.track.distance_m) {
        value += 184'661.0;
    }
    a = Analyse(run, {});
    EXPECT_NEAR(a.distance_total_m, 2000.0, 1e-6);
}

TEST(Analyse, DegenerateInputs) {
    const ActivityAnalysis empty = Analyse(formats::Activity{}, {});
    EXPECT_EQ(empty.point_count, 0u);
    EXPECT_EQ(empty.distance_total_m, 0.0);

    formats::Activity one = BuildActivity(Sport::kRun, 0, [](int) { return Sample{.heart_rate_bpm = 120}; });
    const ActivityAnalysis single = Analyse(one, {});
    EXPECT_EQ(single.point_count, 1u);
    EXPECT_EQ(single.moving_s, 0.0);
    EXPECT_EQ(single.avg_heart_rate_bpm.value(), 120.0);
    EXPECT_TRUE(single.best_efforts.empty());

    // Times missing and going backwards.
    formats::Activity odd = SteadyRun();
    odd.track.time_ms[10] = formats::kNoTime;
    odd.track.time_ms[20] = odd.track.time_ms[19] - 5000;
    const ActivityAnalysis held = Analyse(odd, {});
    EXPECT_DOUBLE_EQ(held.elapsed_s, 1000.0);
    for (std::size_t point_idx = 1; point_idx < held.time_s.size(); ++point_idx) {
        ASSERT_GE(held.time_s[point_idx], held.time_s[point_idx - 1]);
    }
}

TEST(Resample1Hz, HoldsTheCoveringSampleAndInterpolatesDistance) {
    // Samples at 0, 1, 4 s (smart recording) and a 40 s gap.
    formats::Activity activity = BuildActivity(Sport::kRide, 44, [](int s) {
        Sample sample{.north_m = 5.0 * s,
                      .heart_rate_bpm = static_cast<std::uint16_t>(100 + s),
                      .power_w = static_cast<std::uint16_t>(100 + s)};
        sample.present = s == 0 || s == 1 || s == 4 || s == 44;
        return sample;
    });
    const internal::PreparedTrack prepared = internal::Prepare(activity, ParametersFor(Sport::kRide));
    const internal::Series1Hz series = internal::Resample1Hz(activity.track, prepared);
    ASSERT_EQ(series.distance_m.size(), 45u);
    EXPECT_NEAR(series.distance_m[2], 10.0, 0.05);
    EXPECT_EQ(series.power_w[2], 104.0);  // seconds 2..4 take the sample at 4 s
    EXPECT_EQ(series.power_w[1], 101.0);
    EXPECT_EQ(series.power_w[10], 0.0);  // inside a 40 s gap: beyond the hold cap
    EXPECT_EQ(series.heart_rate_valid[10], 0);
    EXPECT_EQ(series.heart_rate_valid[4], 1);
}

}  // namespace
}  // namespace strava1::analytics

namespace strava1::analytics {
namespace {

// Hostile and odd inputs (random columns, markers, times, timer events and laps) under ASan/UBSan:
// never a crash, and the basic invariants hold.
TEST(Analyse, RandomOddInputsKeepTheInvariants) {
    testing::SplitMix random{77};
    for (int activity_idx = 0; activity_idx < 300; ++activity_idx) {
        formats::Activity activity;
        activity.sport = static_cast<Sport>(random.Next() % 13);
        formats::Track& track = activity.track;
        const std::size_t n = random.Next() % 400;
        track.point_count = n;
        const auto maybe = [&] { return random.Uniform() < 0.7; };
        const bool times = maybe();
        const bool positions = maybe();
        const bool device_distance = maybe();
        std::int64_t time_ms = testing::kStartMs;
        double lat = -89.0 + 178.0 * random.Uniform();
        double lng = -180.0 + 360.0 * random.Uniform();
        double distance = 0;
        for (std::size_t point_idx = 0; point_idx < n; ++point_idx) {
            const double roll = random.Uniform();
            time_ms += static_cast<std::int64_t>(random.Next() % 5000) - (roll < 0.05 ? 20'000 : 0);
            if (times) {
                track.time_ms.push_back(roll < 0.03 ? formats::kNoTime : time_ms);
            }
            lat = std::clamp(lat + (random.Uniform() - 0.5) * (roll < 0.02 ? 50.0 : 0.0005), -90.0, 90.0);
            lng += (random.Uniform() - 0.5) * 0.0005;
            if (positions) {
                const bool missing = roll < 0.05;
                track.lat_e7.push_back(missing ? formats::kNoPosition : formats::DegreesToE7(lat));
                track.lng_e7.push_back(missing ? formats::kNoPosition
                                               : formats::DegreesToE7(std::remainder(lng, 360.0)));
            }
            distance += roll < 0.01 ? 1e9 : 5.0 * random.Uniform();
            if (device_distance) {
                track.distance_m.push_back(roll < 0.05 ? std::nan("") : distance);
            }
            track.altitude_m.push_back(roll < 0.1 ? formats::kNoFloat : static_cast<float>(1000.0 * random.Uniform()));
            track.heart_rate_bpm.push_back(static_cast<std::uint16_t>(random.Next() % 300));
            track.power_w.push_back(static_cast<std::uint16_t>(random.Next()));
            track.cadence_rpm.push_back(static_cast<std::uint16_t>(random.Next() % 400));
            track.speed_mps.push_back(roll < 0.1 ? formats::kNoFloat : static_cast<float>(20.0 * random.Uniform()));
        }
        for (int event_idx = 0; event_idx < static_cast<int>(random.Next() % 6); ++event_idx) {
            activity.timer_events.push_back(
                {testing::kStartMs + static_cast<std::int64_t>(random.Next() % 2'000'000), random.Uniform() < 0.5});
        }
        for (int lap_idx = 0; lap_idx < static_cast<int>(random.Next() % 4); ++lap_idx) {
            formats::Lap lap;
            lap.first_index = random.Next() % (n + 5);
            lap.end_index = random.Next() % (n + 5);
            activity.laps.push_back(lap);
        }
        AthleteProfile profile;
        profile.max_hr_bpm = 150 + random.Uniform() * 60;
        profile.ftp_w = random.Uniform() < 0.5 ? std::optional<double>(200) : std::nullopt;
        profile.age_years = 30;
        const ActivityAnalysis a = Analyse(activity, profile);
        SCOPED_TRACE(activity_idx);
        ASSERT_EQ(a.point_count, n);
        EXPECT_LE(a.moving_s, a.timer_s + 1e-6);
        EXPECT_LE(a.timer_s, a.elapsed_s + 1e-6);
        EXPECT_GE(a.distance_total_m, 0.0);
        EXPECT_TRUE(std::isfinite(a.calories_kcal));
        EXPECT_LE(a.splits_km.size(), 20'000u);
        for (std::size_t point_idx = 1; point_idx < a.distance_m.size(); ++point_idx) {
            ASSERT_GE(a.distance_m[point_idx], a.distance_m[point_idx - 1]);
        }
    }
}

}  // namespace
}  // namespace strava1::analytics
