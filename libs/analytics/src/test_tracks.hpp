#pragma once

// Test and benchmark helper: synthetic activities whose figures can be computed by hand.

#include <cmath>
#include <cstdint>
#include <functional>

#include "strava1/formats/activity.hpp"

namespace strava1::analytics::testing {

inline constexpr std::int64_t kStartMs = 1'714'548'600'000;   // 2024-05-01T07:30:00Z
inline constexpr double kMetresPerDegreeLat45 = 111'132.954;  // meridional arc per degree at 45°N

/// What one sample holds; a builder callback fills it per second.
struct Sample {
    double north_m = 0;  ///< metres north of the start (along the 7°E meridian at 45°N)
    float altitude_m = formats::kNoFloat;
    std::uint16_t heart_rate_bpm = formats::kNoValue16;
    std::uint16_t power_w = formats::kNoValue16;
    std::uint16_t cadence_rpm = formats::kNoValue16;
    bool present = true;  ///< false: no sample at this second
};

/// An activity sampled at 1 Hz for `seconds` + 1 points (t = 0 .. seconds), moving north.
inline formats::Activity BuildActivity(formats::Sport sport, int seconds, const std::function<Sample(int)>& at) {
    formats::Activity activity;
    activity.sport = sport;
    activity.start_time_ms = kStartMs;
    formats::Track& track = activity.track;
    for (int second = 0; second <= seconds; ++second) {
        const Sample sample = at(second);
        if (!sample.present) {
            continue;
        }
        track.time_ms.push_back(kStartMs + second * 1000LL);
        track.lat_e7.push_back(formats::DegreesToE7(45.0 + sample.north_m / kMetresPerDegreeLat45));
        track.lng_e7.push_back(formats::DegreesToE7(7.0));
        track.altitude_m.push_back(sample.altitude_m);
        track.heart_rate_bpm.push_back(sample.heart_rate_bpm);
        track.power_w.push_back(sample.power_w);
        track.cadence_rpm.push_back(sample.cadence_rpm);
    }
    track.point_count = track.time_ms.size();
    return activity;
}

/// A deterministic pseudo-random generator (splitmix64), so tests and benchmarks need no <random>
/// distribution whose output differs between standard libraries.
struct SplitMix {
    std::uint64_t state = 0;
    std::uint64_t Next() {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double Uniform() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
};

}  // namespace strava1::analytics::testing
