#include "strava1/geo/simplify.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace strava1::geo {
namespace {

// Near the equator: metres per degree of longitude (a·π/180) and of latitude (meridional radius).
constexpr double kMetresPerDegreeX = 111'319.5;
constexpr double kMetresPerDegreeY = 110'574.3;

// Distance (m) from p to segment ab, on a plane: the oracle, independent of simplify.cpp.
double PointToSegmentM(LatLng p, LatLng a, LatLng b) {
    const double k = std::cos(a.lat_deg * M_PI / 180.0) * kMetresPerDegreeX;
    const double bx = (b.lng_deg - a.lng_deg) * k;
    const double by = (b.lat_deg - a.lat_deg) * kMetresPerDegreeY;
    const double px = (p.lng_deg - a.lng_deg) * k;
    const double py = (p.lat_deg - a.lat_deg) * kMetresPerDegreeY;
    const double len2 = bx * bx + by * by;
    const double t = len2 > 0 ? std::clamp((px * bx + py * by) / len2, 0.0, 1.0) : 0.0;
    return std::hypot(px - t * bx, py - t * by);
}

TEST(SimplifyRdp, StraightLineKeepsEndpoints) {
    std::vector<LatLng> points;
    for (int point_idx = 0; point_idx <= 100; ++point_idx) {
        points.push_back({0.0, point_idx * 0.0001});
    }
    EXPECT_EQ(SimplifyRdp(points, 1.0), (std::vector<std::size_t>{0, 100}));
    EXPECT_TRUE(SimplifyRdp({}, 1.0).empty());
    const std::vector<LatLng> one = {{1, 2}};
    EXPECT_EQ(SimplifyRdp(one, 1.0), (std::vector<std::size_t>{0}));
}

TEST(SimplifyRdp, KeepsACornerAndASpike) {
    // East 1 km, then north 1 km: the corner (index 10) stays. A 50 m out-and-back spike stays too.
    std::vector<LatLng> points;
    for (int point_idx = 0; point_idx <= 10; ++point_idx) {
        points.push_back({0.0, point_idx * 0.0009});
    }
    for (int point_idx = 1; point_idx <= 10; ++point_idx) {
        points.push_back({point_idx * 0.0009, 0.009});
    }
    EXPECT_EQ(SimplifyRdp(points, 5.0), (std::vector<std::size_t>{0, 10, 20}));

    const std::vector<LatLng> spike = {{0, 0}, {0, 0.001}, {0.00045, 0.001}, {0, 0.001}, {0, 0.002}};
    const std::vector<std::size_t> kept = SimplifyRdp(spike, 10.0);
    EXPECT_NE(std::find(kept.begin(), kept.end(), 2u), kept.end());
}

TEST(SimplifyRdp, EveryDroppedPointIsWithinTolerance) {
    std::mt19937_64 random(3);
    std::normal_distribution<double> noise(0.0, 0.00005);
    std::vector<LatLng> points;
    for (int point_idx = 0; point_idx < 5'000; ++point_idx) {
        const double s = point_idx * 0.0001;
        points.push_back({0.01 * std::sin(s * 3) + noise(random), s + noise(random)});
    }
    for (double tolerance : {2.0, 10.0, 50.0}) {
        const std::vector<std::size_t> kept = SimplifyRdp(points, tolerance);
        ASSERT_GE(kept.size(), 2u);
        EXPECT_LT(kept.size(), points.size());
        for (std::size_t kept_idx = 0; kept_idx + 1 < kept.size(); ++kept_idx) {
            for (std::size_t point_idx = kept[kept_idx] + 1; point_idx < kept[kept_idx + 1]; ++point_idx) {
                // 0.1% slack: the oracle's plane differs slightly from the per-segment one.
                ASSERT_LE(PointToSegmentM(points[point_idx], points[kept[kept_idx]], points[kept[kept_idx + 1]]),
                          tolerance * 1.001)
                    << "tolerance " << tolerance << " point " << point_idx;
            }
        }
    }
}

// A zig-zag (11 m teeth, 1 m tolerance) splits as unbalanced as RDP can: one point peeled per step,
// so a recursive RDP would be 10 000 calls deep. Every point is kept and nothing recurses.
TEST(SimplifyRdp, WorstCaseZigZagIsDeepButIterative) {
    std::vector<LatLng> points;
    points.reserve(10'001);
    for (int point_idx = 0; point_idx < 10'001; ++point_idx) {
        points.push_back({(point_idx % 2) * 0.0001, point_idx * 1e-5});
    }
    const std::vector<std::size_t> kept = SimplifyRdp(points, 1.0);
    EXPECT_EQ(kept.size(), points.size());
}

}  // namespace
}  // namespace strava1::geo
