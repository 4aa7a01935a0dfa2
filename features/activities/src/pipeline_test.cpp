// Unit tests of the upload pipeline's pure half (pipeline.hpp): what a file becomes before it is
// stored, and which files are refused.
#include "pipeline.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>

#include "output.hpp"
#include "strava1/formats/stream_codec.hpp"
namespace strava1::activities {
namespace {

analytics::AthleteProfile Profile() {
    analytics::AthleteProfile profile;
    profile.age_years = 40;
    return profile;
}

/// A plain GPX as an upload would take it: planned, then prepared.
formats::Result<std::vector<PreparedActivity>> PrepareGpx(std::string_view gpx) {
    auto plan = PlanDecode(gpx, formats::DataType::kGpx, gpx.size());
    if (!plan.ok()) {
        return plan.error();
    }
    return PrepareFile(gpx, plan.value(), Profile());
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
    const auto prepared = PrepareGpx(gpx);
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
    const auto prepared = PrepareGpx(gpx);
    ASSERT_TRUE(prepared.ok()) << prepared.error().Describe();
    EXPECT_EQ(prepared.value()[0].point_count, 3u);
    EXPECT_NEAR(prepared.value()[0].distance_m, 222.4, 2.0);
    EXPECT_DOUBLE_EQ(prepared.value()[0].elapsed_s, 80.0);
}

TEST(PrepareFile, AFileWithoutAnyTimeIsRefusedAsARoute) {
    const std::string gpx = "<gpx version=\"1.1\"><trk><trkseg>" + Point(46.000, 7.0, nullptr) +
                            Point(46.001, 7.0, nullptr) + "</trkseg></trk></gpx>";
    const auto prepared = PrepareGpx(gpx);
    ASSERT_FALSE(prepared.ok());
    EXPECT_NE(prepared.error().reason.find("no recorded activity"), std::string::npos) << prepared.error().reason;
    EXPECT_NE(prepared.error().reason.find("a route?"), std::string::npos) << prepared.error().reason;
}

TEST(PrepareFile, PointsThatAllCarryOneTimeAreNoRecording) {
    // Mojstrovka.gpx: every point at 1901-12-13T20:45:52Z, a placeholder, not a recording.
    const std::string gpx = "<gpx version=\"1.1\"><trk><trkseg>" + Point(46.000, 7.0, "1901-12-13T20:45:52Z") +
                            Point(46.001, 7.0, "1901-12-13T20:45:52Z") + "</trkseg></trk></gpx>";
    const auto prepared = PrepareGpx(gpx);
    ASSERT_FALSE(prepared.ok());
    EXPECT_EQ(prepared.error().reason, "no recorded activity: all its points carry the same time");
}

// Issue 7, item 5: what a pool swim stores and shows.
formats::Activity PoolSwim() {
    constexpr std::int64_t kStart = 1'714'546'800'000;
    formats::Activity swim;
    swim.sport = formats::Sport::kSwim;
    swim.start_time_ms = kStart;
    swim.pool_length_m = 25.0;
    // 8 × 25 m in 30 s, 60 s rest, 8 more; the records' distance steps at each set's end, as a
    // watch writes it.
    for (int set = 0; set < 2; ++set) {
        for (int length_idx = 0; length_idx < 8; ++length_idx) {
            formats::PoolLength length;
            length.start_time_ms = kStart + (set * 300 + length_idx * 30) * 1000LL;
            length.elapsed_s = 30;
            length.strokes = 18;
            length.stroke = "freestyle";
            swim.lengths.push_back(length);
        }
        formats::PoolLength rest;
        rest.start_time_ms = kStart + (set * 300 + 240) * 1000LL;
        rest.elapsed_s = 60;
        rest.active = false;
        swim.lengths.push_back(rest);
    }
    for (int second = 0; second <= 600; ++second) {
        swim.track.time_ms.push_back(kStart + second * 1000LL);
        swim.track.distance_m.push_back(second < 240 ? 0.0 : (second < 540 ? 200.0 : 400.0));
        swim.track.heart_rate_bpm.push_back(120);
    }
    swim.track.point_count = swim.track.time_ms.size();
    swim.device_summary.distance_m = 400;
    swim.device_summary.timer_s = 600;
    swim.device_summary.elapsed_s = 600;
    return swim;
}

TEST(PrepareActivity, APoolSwimsSpeedStreamFollowsItsLengthsNotItsLapSteps) {
    const PreparedActivity prepared = PrepareActivity(PoolSwim(), "Garmin Forerunner 935", Profile());
    EXPECT_DOUBLE_EQ(prepared.distance_m, 400.0);
    EXPECT_DOUBLE_EQ(prepared.moving_s, 480.0);  // the two rests are not moving time
    auto track = formats::DecodeTrack(prepared.stream_blob);
    ASSERT_TRUE(track.ok()) << track.error().Describe();
    std::string bad;
    View owner;
    owner.owner = true;
    const auto doc = boost::json::parse(
        StreamsJson(track.value(), owner, *ParseStreamKeys("velocity_smooth,time", bad), "all", 10000));
    const auto& velocity = doc.at("streams").at("velocity_smooth").as_array();
    ASSERT_EQ(velocity.size(), 601u);
    // Swimming at 25 m / 30 s throughout each set (not 0 and then 200 m at once), 0 at rest.
    for (std::size_t second = 10; second < 240; ++second) {
        EXPECT_NEAR(velocity[second].to_number<double>(), 25.0 / 30.0, 0.01) << second;  // stored in cm
    }
    for (std::size_t second = 250; second < 300; ++second) {
        EXPECT_NEAR(velocity[second].to_number<double>(), 0.0, 1e-9) << second;
    }
}

TEST(PrepareActivity, APoolSwimStoresItsLengthsForTheLengthsEndpoint) {
    const PreparedActivity prepared = PrepareActivity(PoolSwim(), "Garmin Forerunner 935", Profile());
    const boost::json::object analysis = boost::json::parse(prepared.analysis_json).as_object();
    EXPECT_EQ(analysis.at("pool_length_m").to_number<double>(), 25.0);
    EXPECT_EQ(analysis.at("pool_length_unit").as_string(), "m");
    const auto& lengths = analysis.at("lengths").as_array();
    ASSERT_EQ(lengths.size(), 18u);
    const auto& first = lengths[0].as_object();
    EXPECT_EQ(first.at("index").as_int64(), 1);
    EXPECT_EQ(first.at("strokes").as_int64(), 18);
    EXPECT_EQ(first.at("stroke").as_string(), "freestyle");
    EXPECT_NEAR(first.at("stroke_rate_spm").to_number<double>(), 36.0, 1e-9);
    EXPECT_EQ(first.at("swolf").to_number<double>(), 48.0);
    EXPECT_FALSE(lengths[8].as_object().at("active").as_bool());
    EXPECT_TRUE(lengths[8].as_object().at("swolf").is_null());
    // Swim distances only, from whole lengths: 100, 200 and 400 m.
    ASSERT_EQ(prepared.analysis.best_efforts.size(), 3u);
    EXPECT_EQ(prepared.analysis.best_efforts[0].name, "100m");
    EXPECT_DOUBLE_EQ(prepared.analysis.best_efforts[0].time_s, 120.0);
    EXPECT_EQ(prepared.analysis.best_efforts[2].name, "400m");
    EXPECT_DOUBLE_EQ(prepared.analysis.best_efforts[2].time_s, 540.0);
    // Activities other than pool swims store an empty list.
    const std::string gpx = "<gpx version=\"1.1\"><trk><trkseg>" + Point(46.000, 7.0, "2024-05-01T07:00:00Z") +
                            Point(46.001, 7.0, "2024-05-01T07:00:40Z") + "</trkseg></trk></gpx>";
    const auto other = PrepareGpx(gpx);
    ASSERT_TRUE(other.ok());
    const boost::json::object plain = boost::json::parse(other.value()[0].analysis_json).as_object();
    EXPECT_TRUE(plain.at("lengths").as_array().empty());
    EXPECT_TRUE(plain.at("pool_length_m").is_null());
}

}  // namespace
}  // namespace strava1::activities
