#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "strava1/formats/parse.hpp"
#include "synthetic_tracks.hpp"
#include "xml_test_support.hpp"

namespace strava1::formats {
namespace {

using ::testing::ElementsAre;
using testing::Fixture;
using ::testing::HasSubstr;

constexpr std::uint16_t kNone16 = kNoValue16;
constexpr std::int64_t kRunStart = 1'686'376'800'000;  // 2023-06-10T06:00:00Z

ImportedFile MustParse(std::string_view bytes) {
    Result<ImportedFile> result = ParseTcx(bytes);
    EXPECT_TRUE(result.ok()) << result.error().Describe();
    if (!result.ok()) {
        return {};
    }
    return std::move(result).value();
}

ParseError MustFail(std::string_view bytes, const Limits& limits = {}) {
    Result<ImportedFile> result = ParseTcx(bytes, limits);
    EXPECT_FALSE(result.ok());
    return result.ok() ? ParseError{} : result.error();
}

std::string OneTrackpoint(std::string_view inner) {
    return "<TrainingCenterDatabase><Activities><Activity Sport=\"Running\"><Lap StartTime=\"2020-01-01T00:00:00Z\">"
           "<Track>\n<Trackpoint>" +
           std::string(inner) + "</Trackpoint>\n</Track></Lap></Activity></Activities></TrainingCenterDatabase>";
}

TEST(Tcx, RunWithTwoLapsPauseMissingPositionAndExtensions) {
    const ImportedFile file = MustParse(Fixture("tcx/run_two_laps.tcx"));
    EXPECT_EQ(file.format, ImportedFile::Format::kTcx);
    EXPECT_EQ(file.creator.name, "Fixture Watch 1");
    EXPECT_EQ(file.creator.product, "1250");
    EXPECT_EQ(file.creator.serial_number, 3'854'007'508u);
    ASSERT_EQ(file.activities.size(), 1u);

    const Activity& run = file.activities[0];
    EXPECT_EQ(run.sport, Sport::kRun);
    EXPECT_EQ(run.description, "Easy run, windy");
    EXPECT_EQ(run.start_time_ms, kRunStart);

    const Track& track = run.track;
    ASSERT_EQ(track.size(), 4u);
    EXPECT_THAT(track.time_ms, ElementsAre(kRunStart, kRunStart + 300'000, kRunStart + 360'000, kRunStart + 1'200'000));
    EXPECT_THAT(track.lat_e7, ElementsAre(473'769'000, 473'859'000, kNoPosition, 473'994'000));
    EXPECT_THAT(track.lng_e7, ElementsAre(85'417'000, 85'417'000, kNoPosition, 85'417'000));
    ASSERT_EQ(track.altitude_m.size(), 4u);
    EXPECT_FLOAT_EQ(track.altitude_m[0], 408.2f);
    EXPECT_TRUE(std::isnan(track.altitude_m[2]));
    EXPECT_THAT(track.distance_m, ElementsAre(0.0, 1000.0, 1200.0, 2500.5));
    EXPECT_THAT(track.heart_rate_bpm, ElementsAre(120, 150, 160, 171));
    EXPECT_THAT(track.cadence_rpm, ElementsAre(84, 86, kNone16, kNone16));  // TPX RunCadence
    ASSERT_EQ(track.speed_mps.size(), 4u);
    EXPECT_FLOAT_EQ(track.speed_mps[1], 3.3f);
    EXPECT_TRUE(track.power_w.empty());

    ASSERT_EQ(run.laps.size(), 2u);
    const Lap& first = run.laps[0];
    EXPECT_EQ(first.start_time_ms, kRunStart);
    EXPECT_EQ(first.first_index, 0u);
    EXPECT_EQ(first.end_index, 2u);
    EXPECT_EQ(first.timer_s, 300.0);
    EXPECT_EQ(first.distance_m, 1000.0);
    EXPECT_EQ(first.calories_kcal, 70.0);
    EXPECT_EQ(first.avg_heart_rate_bpm, 140.0);
    EXPECT_EQ(first.max_heart_rate_bpm, 150.0);
    EXPECT_EQ(first.trigger, "distance");
    const Lap& second = run.laps[1];
    EXPECT_EQ(second.start_time_ms, kRunStart + 300'000);
    EXPECT_EQ(second.first_index, 2u);
    EXPECT_EQ(second.end_index, 4u);
    EXPECT_EQ(second.trigger, "manual");

    // The second lap's two Track elements: the timer was stopped between them.
    ASSERT_EQ(run.timer_events.size(), 2u);
    EXPECT_EQ(run.timer_events[0].time_ms, kRunStart + 360'000);
    EXPECT_FALSE(run.timer_events[0].running);
    EXPECT_EQ(run.timer_events[1].time_ms, kRunStart + 1'200'000);
    EXPECT_TRUE(run.timer_events[1].running);

    const DeviceSummary& summary = run.device_summary;
    EXPECT_EQ(summary.timer_s, 900.0);
    EXPECT_EQ(summary.distance_m, 2500.5);
    EXPECT_EQ(summary.calories_kcal, 180.0);
    EXPECT_EQ(summary.avg_heart_rate_bpm, 150.0);  // (140 * 300 + 155 * 600) / 900
    EXPECT_EQ(summary.max_heart_rate_bpm, 171.0);
    EXPECT_EQ(summary.avg_cadence_rpm, 88.0);
    EXPECT_FALSE(summary.avg_power_w);
    EXPECT_FALSE(summary.elapsed_s);  // laps tell timer time only
}

TEST(Tcx, TwoActivitiesWithPowerAndACourse) {
    const ImportedFile file = MustParse(Fixture("tcx/ride_power_and_course.tcx"));
    EXPECT_EQ(file.creator.name, "");
    ASSERT_EQ(file.activities.size(), 2u);

    const Activity& ride = file.activities[0];
    EXPECT_EQ(ride.sport, Sport::kRide);
    EXPECT_EQ(ride.start_time_ms, 1'627'833'600'000);
    EXPECT_THAT(ride.track.cadence_rpm, ElementsAre(88, 92));
    EXPECT_THAT(ride.track.power_w, ElementsAre(250, 270));
    EXPECT_THAT(ride.track.speed_mps, ElementsAre(10.0f, 10.5f));
    ASSERT_EQ(ride.laps.size(), 1u);
    EXPECT_EQ(ride.laps[0].trigger, "position");
    EXPECT_EQ(ride.laps[0].avg_power_w, 260.0);
    EXPECT_EQ(ride.device_summary.avg_power_w, 260.0);
    EXPECT_EQ(ride.device_summary.max_power_w, 270.0);
    EXPECT_EQ(ride.device_summary.avg_cadence_rpm, 90.0);
    EXPECT_EQ(ride.device_summary.distance_m, 20.0);

    const Activity& other = file.activities[1];
    EXPECT_EQ(other.sport, Sport::kOther);
    EXPECT_EQ(other.start_time_ms, 1'627'898'400'000);
    EXPECT_EQ(other.track.size(), 1u);
    EXPECT_FALSE(other.track.HasPositions());
    EXPECT_THAT(other.track.heart_rate_bpm, ElementsAre(90));

    ASSERT_EQ(file.routes.size(), 1u);
    const Activity& course = file.routes[0];
    EXPECT_EQ(course.name, "Hill repeats");
    EXPECT_EQ(course.track.size(), 2u);
    EXPECT_THAT(course.track.altitude_m, ElementsAre(231.0f, 260.0f));
    EXPECT_EQ(course.device_summary.timer_s, 120.0);
    EXPECT_EQ(course.device_summary.distance_m, 400.0);
    EXPECT_TRUE(course.laps.empty());

    ASSERT_EQ(file.waypoints.size(), 1u);
    const Waypoint& top = file.waypoints[0];
    EXPECT_EQ(top.name, "Top");
    EXPECT_EQ(top.kind, "Summit");
    EXPECT_EQ(top.lat_e7, 283'900'000);
    EXPECT_EQ(top.lng_e7, -165'800'000);
    EXPECT_FLOAT_EQ(top.altitude_m, 260.0f);
    EXPECT_EQ(top.time_ms, 1'325'635'320'000);
}

TEST(Tcx, MultiSportSessionActivitiesAreFound) {
    const ImportedFile file = MustParse(
        "<TrainingCenterDatabase><Activities><MultiSportSession><Id>2020-01-01T00:00:00Z</Id>"
        "<FirstSport><Activity Sport=\"Biking\"><Id>2020-01-01T00:00:00Z</Id></Activity></FirstSport>"
        "<NextSport><Activity Sport=\"Running\"><Id>2020-01-01T01:00:00Z</Id></Activity></NextSport>"
        "</MultiSportSession></Activities></TrainingCenterDatabase>");
    ASSERT_EQ(file.activities.size(), 2u);
    EXPECT_EQ(file.activities[0].sport, Sport::kRide);
    EXPECT_EQ(file.activities[1].sport, Sport::kRun);
    EXPECT_EQ(file.activities[1].start_time_ms, 1'577'840'400'000);
}

TEST(Tcx, BadPositionsAndTimesAreRefused) {
    const ParseError lat = MustFail(OneTrackpoint(
        "<Position><LatitudeDegrees>91</LatitudeDegrees><LongitudeDegrees>1</LongitudeDegrees></Position>"));
    EXPECT_EQ(lat.reason, "LatitudeDegrees \"91\" is out of range [-90, 90]");
    EXPECT_EQ(lat.line, 2u);
    EXPECT_EQ(lat.context, "TrainingCenterDatabase/Activities/Activity/Lap/Track/Trackpoint/Position/LatitudeDegrees");
    EXPECT_EQ(MustFail(OneTrackpoint("<Position><LatitudeDegrees>1</LatitudeDegrees></Position>")).reason,
              "Position without LongitudeDegrees");
    EXPECT_EQ(MustFail(OneTrackpoint("<Position><LongitudeDegrees>x</LongitudeDegrees></Position>")).reason,
              "LongitudeDegrees \"x\" is not a number");
    EXPECT_THAT(MustFail(OneTrackpoint("<Time>2020-01-01 noon</Time>")).reason,
                HasSubstr("Time \"2020-01-01 noon\" is not an RFC 3339 date-time"));
    EXPECT_THAT(MustFail("<TrainingCenterDatabase><Activities><Activity><Lap StartTime=\"soon\"/></Activity>"
                         "</Activities></TrainingCenterDatabase>")
                    .reason,
                HasSubstr("lap StartTime \"soon\""));
    EXPECT_EQ(MustFail(OneTrackpoint("<HeartRateBpm><Value>70000</Value></HeartRateBpm>")).reason,
              "HeartRateBpm \"70000\" is out of range [0, 65534]");
}

TEST(Tcx, PlainMessagesUseEverydayNamesForElements) {
    EXPECT_EQ(MustFail(OneTrackpoint("<Time>2020-01-01 noon</Time>")).Plain(),
              "We couldn't read this file: line 2, the time \"2020-01-01 noon\" is not a date");
    EXPECT_EQ(MustFail(OneTrackpoint("<HeartRateBpm><Value>70000</Value></HeartRateBpm>")).Plain(),
              "We couldn't read this file: line 2, the heart rate \"70000\" is not possible (out of range)");
    EXPECT_EQ(MustFail("").Plain(), "This file is empty");
}

TEST(Tcx, NotTcxMalformedAndEmpty) {
    EXPECT_EQ(MustFail("<gpx/>").reason, "not a TCX document: the root element is <gpx>, not <TrainingCenterDatabase>");
    EXPECT_EQ(MustFail("").reason, "empty file");
    EXPECT_THAT(MustFail("<TrainingCenterDatabase><Activities>").reason, HasSubstr("no element found"));
    EXPECT_THAT(MustFail("<!DOCTYPE t [<!ENTITY e \"x\">]><TrainingCenterDatabase/>").reason,
                HasSubstr("entity declarations are not accepted"));
}

TEST(Tcx, EmptyOptionalValuesAreMissingNotErrors) {
    const ImportedFile file =
        MustParse(OneTrackpoint("<Time>2020-01-01T00:00:00Z</Time><AltitudeMeters/><Cadence></Cadence>"));
    const Track& track = file.activities.at(0).track;
    EXPECT_EQ(track.size(), 1u);
    EXPECT_TRUE(track.altitude_m.empty());
    EXPECT_TRUE(track.cadence_rpm.empty());
}

// docs/formats.md, "Points without a time": the rule GPX and FIT follow too.
TEST(Tcx, TrackpointsWithoutATimeAreLeftOut) {
    const ImportedFile file = MustParse(
        "<TrainingCenterDatabase><Activities><Activity Sport=\"Running\"><Lap StartTime=\"2020-01-01T00:00:00Z\">"
        "<Track><Trackpoint><Time>2020-01-01T00:00:00Z</Time><DistanceMeters>0</DistanceMeters></Trackpoint>"
        "<Trackpoint><DistanceMeters>5</DistanceMeters></Trackpoint>"
        "<Trackpoint><Time>2020-01-01T00:00:10Z</Time><DistanceMeters>30</DistanceMeters></Trackpoint></Track>"
        "</Lap></Activity></Activities></TrainingCenterDatabase>");
    const Activity& run = file.activities.at(0);
    EXPECT_THAT(run.track.distance_m, ElementsAre(0.0, 30.0));
    ASSERT_EQ(run.laps.size(), 1u);
    EXPECT_EQ(run.laps[0].first_index, 0u);
    EXPECT_EQ(run.laps[0].end_index, 2u);

    // No time anywhere (no lap totals to date it either): a path, not a recorded activity.
    const ImportedFile untimed = MustParse(
        "<TrainingCenterDatabase><Activities><Activity Sport=\"Running\"><Lap>"
        "<Track><Trackpoint><DistanceMeters>5</DistanceMeters></Trackpoint></Track>"
        "</Lap></Activity></Activities></TrainingCenterDatabase>");
    EXPECT_TRUE(untimed.activities.empty());
    ASSERT_EQ(untimed.routes.size(), 1u);
    EXPECT_EQ(untimed.routes[0].track.size(), 1u);
}

TEST(Tcx, PointLimitCountsEveryActivityAndCourse) {
    Limits limits;
    limits.max_points = 1;
    const ParseError error = MustFail(
        "<TrainingCenterDatabase><Activities><Activity><Lap><Track><Trackpoint/></Track></Lap></Activity>"
        "</Activities><Courses><Course><Track><Trackpoint/></Track></Course></Courses></TrainingCenterDatabase>",
        limits);
    EXPECT_EQ(error.reason, "more than 1 points (limit)");
    EXPECT_EQ(error.context, "TrainingCenterDatabase/Courses/Course/Track/Trackpoint");
}

TEST(Tcx, LargeFileKeepsPeakHeapUnderTwiceTheInput) {
    if (!testing::HeapPeak::Available()) {
        GTEST_SKIP() << "needs the sanitizer allocator hooks (debug preset)";
    }
    const std::string document = testing::SyntheticTcx(20'000);
    std::size_t peak = 0;
    std::size_t points = 0;
    std::size_t laps = 0;
    {
        testing::HeapPeak heap;
        Result<ImportedFile> result = ParseTcx(document);
        ASSERT_TRUE(result.ok()) << result.error().Describe();
        points = result.value().activities.at(0).track.size();
        laps = result.value().activities.at(0).laps.size();
        peak = heap.Bytes();
    }
    EXPECT_EQ(points, 20'000u);
    EXPECT_EQ(laps, 20u);
    RecordProperty("peak_heap_bytes", static_cast<int>(peak));
    EXPECT_LE(peak, 2 * document.size()) << "input " << document.size() << " bytes";
    EXPECT_LE(peak, document.size() / 4);
}

}  // namespace
}  // namespace strava1::formats
