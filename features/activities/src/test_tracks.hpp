#pragma once

// Synthetic tracks shared by the activities unit tests.

#include <cstddef>
#include <cstdint>

#include "strava1/formats/activity.hpp"

namespace strava1::activities::test {

/// 3 m/s due north from (46, 14), one sample a second, the distance channel as the analysis stores it.
inline formats::Track NorthLine(int n) {
    formats::Track t;
    t.point_count = static_cast<std::size_t>(n);
    for (int i = 0; i < n; ++i) {
        t.time_ms.push_back(1'700'000'000'000 + i * 1000);
        t.lat_e7.push_back(formats::DegreesToE7(46 + 3.0 * i / 111'195.0));
        t.lng_e7.push_back(formats::DegreesToE7(14));
        t.distance_m.push_back(3.0 * i);
        t.altitude_m.push_back(100);
        t.heart_rate_bpm.push_back(static_cast<std::uint16_t>(140));
    }
    return t;
}

}  // namespace strava1::activities::test
