#include "strava1/geo/geodesy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace strava1::geo {
namespace {

double Dms(double degrees, double minutes, double seconds) {
    const double sign = degrees < 0 ? -1.0 : 1.0;
    return sign * (std::fabs(degrees) + minutes / 60.0 + seconds / 3600.0);
}

// Vincenty (1975) / Geoscience Australia's worked example: Flinders Peak to Buninyong, 54 972.271 m
// (on GRS80, whose flattening differs from WGS84's by 1e-11: far below the millimetre asserted).
TEST(Vincenty, FlindersPeakToBuninyong) {
    const LatLng flinders{Dms(-37, 57, 3.72030), Dms(144, 25, 29.52440)};
    const LatLng buninyong{Dms(-37, 39, 10.15610), Dms(143, 55, 35.38390)};
    const std::optional<double> d = VincentyDistanceM(flinders, buninyong);
    ASSERT_TRUE(d.has_value());
    EXPECT_NEAR(*d, 54'972.271, 0.001);
}

// The WGS84 quarter meridian (equator to pole) is 10 001 965.729 m.
TEST(Vincenty, QuarterMeridian) {
    const std::optional<double> d = VincentyDistanceM({0, 0}, {90, 0});
    ASSERT_TRUE(d.has_value());
    EXPECT_NEAR(*d, 10'001'965.729, 0.001);
}

// Along the equator a geodesic is the equator itself: a·Δλ.
TEST(Vincenty, AlongTheEquator) {
    const std::optional<double> d = VincentyDistanceM({0, 10}, {0, 11});
    ASSERT_TRUE(d.has_value());
    EXPECT_NEAR(*d, kWgs84A * M_PI / 180.0, 1e-6);
}

// GeographicLib's documented example (JFK to LHR), 5 551.76 km.
TEST(Vincenty, JfkToHeathrow) {
    const std::optional<double> d = VincentyDistanceM({40.6, -73.8}, {51.6, -0.5});
    ASSERT_TRUE(d.has_value());
    EXPECT_NEAR(*d / 1000.0, 5'551.76, 0.005);
}

TEST(Vincenty, CoincidentPointsAreZeroAndNearlyAntipodalMayNotConverge) {
    EXPECT_EQ(VincentyDistanceM({12.5, 45.25}, {12.5, 45.25}).value_or(-1), 0.0);
    // Whatever Vincenty does there, SegmentDistanceM always answers, near half the circumference.
    const double d = SegmentDistanceM({0, 0}, {0.5, 179.7});
    EXPECT_GT(d, 19'900'000.0);
    EXPECT_LT(d, 20'010'000.0);
}

TEST(LocalDistance, CrossesTheAntimeridian) {
    const double d = LocalDistanceM({0, 179.9995}, {0, -179.9995});
    EXPECT_NEAR(d, kWgs84A * 0.001 * M_PI / 180.0, 1e-6);
}

// The documented error bound of the fast method, against Vincenty on random segments.
TEST(LocalDistance, ErrorBoundAgainstVincenty) {
    std::mt19937_64 random(20240501);
    std::uniform_real_distribution<double> lat(-80.0, 80.0);
    std::uniform_real_distribution<double> lng(-180.0, 180.0);
    std::uniform_real_distribution<double> bearing(0.0, 2 * M_PI);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    struct Band {
        double max_length_m;
        double bound;
        double worst = 0;
    };
    Band bands[] = {{50.0, 1e-7}, {1'000.0, 1e-7}, {10'000.0, 5e-6}};
    for (Band& band : bands) {
        for (int sample_idx = 0; sample_idx < 20'000; ++sample_idx) {
            const LatLng a{lat(random), lng(random)};
            const double length = band.max_length_m * (0.01 + 0.99 * unit(random));
            const double theta = bearing(random);
            // Roughly `length` metres away; the exact length comes from Vincenty.
            const LatLng b{a.lat_deg + length * std::cos(theta) / 111'000.0,
                           a.lng_deg + length * std::sin(theta) / (111'000.0 * std::cos(a.lat_deg * M_PI / 180))};
            const std::optional<double> reference = VincentyDistanceM(a, b);
            ASSERT_TRUE(reference.has_value());
            // Vincenty itself is good to about a micrometre (its iteration stops at 1e-13 rad).
            const double relative = std::fmax(0.0, std::fabs(LocalDistanceM(a, b) - *reference) - 1e-6) / *reference;
            band.worst = std::max(band.worst, relative);
        }
        EXPECT_LT(band.worst, band.bound) << "segments up to " << band.max_length_m << " m";
        std::printf("segments <= %7.0f m: worst relative error %.3g (bound %.1g)\n", band.max_length_m, band.worst,
                    band.bound);
    }
}

TEST(SegmentDistance, UsesVincentyForLongSegments) {
    const LatLng a{40.6, -73.8};
    const LatLng b{51.6, -0.5};
    EXPECT_EQ(SegmentDistanceM(a, b), VincentyDistanceM(a, b).value());
    const LatLng c{46.0, 7.0};
    const LatLng d{46.0001, 7.0001};
    EXPECT_EQ(SegmentDistanceM(c, d), LocalDistanceM(c, d));
}

}  // namespace
}  // namespace strava1::geo
