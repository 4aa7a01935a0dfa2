#include "strava1/geo/polyline.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace strava1::geo {
namespace {

TEST(Polyline, GooglesPublishedExample) {
    const std::vector<LatLng> points = {{38.5, -120.2}, {40.7, -120.95}, {43.252, -126.453}};
    EXPECT_EQ(EncodePolyline(points), "_p~iF~ps|U_ulLnnqC_mqNvxq`@");
    const std::optional<std::vector<LatLng>> decoded = DecodePolyline("_p~iF~ps|U_ulLnnqC_mqNvxq`@");
    ASSERT_TRUE(decoded.has_value());
    ASSERT_EQ(decoded->size(), 3u);
    for (std::size_t point_idx = 0; point_idx < points.size(); ++point_idx) {
        EXPECT_NEAR((*decoded)[point_idx].lat_deg, points[point_idx].lat_deg, 1e-9);
        EXPECT_NEAR((*decoded)[point_idx].lng_deg, points[point_idx].lng_deg, 1e-9);
    }
}

TEST(Polyline, EmptyAndSinglePoint) {
    EXPECT_EQ(EncodePolyline({}), "");
    EXPECT_TRUE(DecodePolyline("").value().empty());
    // Google's documented single-value example: -179.9832104 encodes as "`~oia@".
    const std::vector<LatLng> one = {{-179.9832104, 0}};
    EXPECT_EQ(EncodePolyline(one).substr(0, 6), "`~oia@");
}

TEST(Polyline, RoundTripDoesNotAccumulateError) {
    std::mt19937_64 random(7);
    std::uniform_real_distribution<double> step(-0.0003, 0.0003);
    std::vector<LatLng> points;
    LatLng at{-33.9, 151.2};
    for (int point_idx = 0; point_idx < 100'000; ++point_idx) {
        at.lat_deg += step(random);
        at.lng_deg += step(random);
        points.push_back(at);
    }
    for (int precision : {5, 6}) {
        const std::optional<std::vector<LatLng>> decoded = DecodePolyline(EncodePolyline(points, precision), precision);
        ASSERT_TRUE(decoded.has_value());
        ASSERT_EQ(decoded->size(), points.size());
        const double half_unit = 0.5 * std::pow(10.0, -precision) + 1e-12;
        for (std::size_t point_idx = 0; point_idx < points.size(); ++point_idx) {
            ASSERT_LE(std::fabs((*decoded)[point_idx].lat_deg - points[point_idx].lat_deg), half_unit);
            ASSERT_LE(std::fabs((*decoded)[point_idx].lng_deg - points[point_idx].lng_deg), half_unit);
        }
    }
}

TEST(Polyline, MalformedInputIsRefused) {
    EXPECT_FALSE(DecodePolyline("_p~iF").has_value());               // a latitude without its longitude
    EXPECT_FALSE(DecodePolyline("_p~iF~ps|").has_value());           // cut inside a value
    EXPECT_FALSE(DecodePolyline("_p~iF ps|U").has_value());          // a space is below '?'
    EXPECT_FALSE(DecodePolyline("\x7f\x7f").has_value());            // above '~'
    EXPECT_FALSE(DecodePolyline(std::string(40, '~')).has_value());  // a value that never ends
}

}  // namespace
}  // namespace strava1::geo
