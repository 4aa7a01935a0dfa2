// Unit tests of the upload pipeline's pure half (pipeline.hpp): what a file becomes before it is
// stored, and which files are refused.
#include "pipeline.hpp"

#include <gtest/gtest.h>

#include <string>

namespace strava1::activities {
namespace {

analytics::AthleteProfile Profile() {
    analytics::AthleteProfile profile;
    profile.age_years = 40;
    return profile;
}

std::string Point(double lat, double lon, const char* time) {
    std::string out = "<trkpt lat=\"" + std::to_string(lat) + "\" lon=\"" + std::to_string(lon) + "\">";
    if (time != nullptr) {
        out += std::string("<time>") + time + "</time>";
    }
    return out + "</trkpt>";
}

// docs/formats.md, "Points without a time" (issue 7, item 7).
TEST(PrepareFile, AnUntimedTrackBesideATimedOneAddsNeitherPointsNorAJump) {
    // 0.001° of latitude is about 111 m. The untimed track lies 12 km away: counting it would
    // add its own length and a jump to the next timed point.
    const std::string gpx = "<gpx version=\"1.1\"><trk><trkseg>" + Point(46.000, 7.0, "2024-05-01T07:00:00Z") +
                            Point(46.001, 7.0, "2024-05-01T07:00:40Z") + "</trkseg></trk><trk><trkseg>" +
                            Point(46.100, 7.0, nullptr) + Point(46.110, 7.0, nullptr) + "</trkseg></trk><trk><trkseg>" +
                            Point(46.002, 7.0, "2024-05-01T07:01:20Z") + Point(46.003, 7.0, "2024-05-01T07:02:00Z") +
                            "</trkseg></trk></gpx>";
    const auto prepared = PrepareFile(gpx, formats::DataType::kGpx, Profile());
    ASSERT_TRUE(prepared.ok()) << prepared.error().Describe();
    ASSERT_EQ(prepared.value().size(), 1u);
    const PreparedActivity& activity = prepared.value()[0];
    EXPECT_EQ(activity.point_count, 4u);
    // Two timed segments with a pause between: 2 × 111 m.
    EXPECT_NEAR(activity.distance_m, 222.4, 2.0);
    EXPECT_EQ(activity.start_ms, 1'714'546'800'000);
}

TEST(PrepareFile, PartlyTimedTrackUsesItsTimedPointsOnly) {
    const std::string gpx = "<gpx version=\"1.1\"><trk><trkseg>" + Point(46.000, 7.0, "2024-05-01T07:00:00Z") +
                            Point(46.050, 7.0, nullptr) + Point(46.001, 7.0, "2024-05-01T07:00:40Z") +
                            Point(46.002, 7.0, "2024-05-01T07:01:20Z") + "</trkseg></trk></gpx>";
    const auto prepared = PrepareFile(gpx, formats::DataType::kGpx, Profile());
    ASSERT_TRUE(prepared.ok()) << prepared.error().Describe();
    EXPECT_EQ(prepared.value()[0].point_count, 3u);
    EXPECT_NEAR(prepared.value()[0].distance_m, 222.4, 2.0);
    EXPECT_DOUBLE_EQ(prepared.value()[0].elapsed_s, 80.0);
}

TEST(PrepareFile, AFileWithoutAnyTimeIsRefusedAsARoute) {
    const std::string gpx = "<gpx version=\"1.1\"><trk><trkseg>" + Point(46.000, 7.0, nullptr) +
                            Point(46.001, 7.0, nullptr) + "</trkseg></trk></gpx>";
    const auto prepared = PrepareFile(gpx, formats::DataType::kGpx, Profile());
    ASSERT_FALSE(prepared.ok());
    EXPECT_NE(prepared.error().reason.find("no recorded activity"), std::string::npos) << prepared.error().reason;
    EXPECT_NE(prepared.error().reason.find("a route?"), std::string::npos) << prepared.error().reason;
}

TEST(PrepareFile, PointsThatAllCarryOneTimeAreNoRecording) {
    // Mojstrovka.gpx: every point at 1901-12-13T20:45:52Z, a placeholder, not a recording.
    const std::string gpx = "<gpx version=\"1.1\"><trk><trkseg>" + Point(46.000, 7.0, "1901-12-13T20:45:52Z") +
                            Point(46.001, 7.0, "1901-12-13T20:45:52Z") + "</trkseg></trk></gpx>";
    const auto prepared = PrepareFile(gpx, formats::DataType::kGpx, Profile());
    ASSERT_FALSE(prepared.ok());
    EXPECT_EQ(prepared.error().reason, "no recorded activity: all its points carry the same time");
}

}  // namespace
}  // namespace strava1::activities
