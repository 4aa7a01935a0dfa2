#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "strava1/analytics/analysis.hpp"
#include "strava1/analytics/best_efforts.hpp"
#include "test_tracks.hpp"

namespace strava1::analytics {
namespace {

// Best efforts for all 16 distances on 100k points at 1 Hz (about 340 km: every distance applies).
void BM_BestEffortsAllDistances100k(benchmark::State& state) {
    testing::SplitMix random{1};
    std::vector<double> t(100'000);
    std::vector<double> d(100'000);
    for (std::size_t point_idx = 1; point_idx < t.size(); ++point_idx) {
        const double speed = 3.4 + std::sin(static_cast<double>(point_idx) / 600.0) + 0.5 * (random.Uniform() - 0.5);
        t[point_idx] = static_cast<double>(point_idx);
        d[point_idx] = d[point_idx - 1] + speed;
    }
    for (auto _ : state) {
        std::vector<BestEffort> efforts = FindBestEfforts(t, d);
        benchmark::DoNotOptimize(efforts.data());
        if (efforts.size() != 16) {
            state.SkipWithError("expected all 16 distances");
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 16);
}
BENCHMARK(BM_BestEffortsAllDistances100k)->Unit(benchmark::kMicrosecond);

// The whole analysis of a one-hour ride at 1 Hz with every channel.
void BM_AnalyseOneHour(benchmark::State& state) {
    testing::SplitMix random{2};
    const formats::Activity activity = testing::BuildActivity(formats::Sport::kRide, 3599, [&](int s) {
        testing::Sample sample;
        sample.north_m = 8.0 * s + 2.0 * std::sin(s / 30.0);
        sample.altitude_m = static_cast<float>(200.0 + 50.0 * std::sin(s / 400.0) + 0.3 * random.Uniform());
        sample.heart_rate_bpm = static_cast<std::uint16_t>(140 + 15 * std::sin(s / 200.0));
        sample.power_w = static_cast<std::uint16_t>(200 + 80 * std::sin(s / 45.0) + 20 * random.Uniform());
        sample.cadence_rpm = 88;
        return sample;
    });
    AthleteProfile profile;
    profile.max_hr_bpm = 190;
    profile.resting_hr_bpm = 50;
    profile.ftp_w = 250;
    for (auto _ : state) {
        ActivityAnalysis analysis = Analyse(activity, profile);
        benchmark::DoNotOptimize(analysis.distance_total_m);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 3600);
}
BENCHMARK(BM_AnalyseOneHour)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace strava1::analytics
