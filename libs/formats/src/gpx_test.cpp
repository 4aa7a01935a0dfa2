#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "strava1/formats/parse.hpp"
#include "synthetic_tracks.hpp"
#include "xml_test_support.hpp"

namespace strava1::formats {
namespace {

using ::testing::ElementsAre;
using testing::Fixture;
using ::testing::HasSubstr;

constexpr std::uint16_t kNone16 = kNoValue16;

MATCHER(IsMissingFloat, "") { return std::isnan(arg); }

ImportedFile MustParse(std::string_view bytes) {
    Result<ImportedFile> result = ParseGpx(bytes);
    EXPECT_TRUE(result.ok()) << result.error().Describe();
    if (!result.ok()) {
        return {};
    }
    return std::move(result).value();
}

ParseError MustFail(std::string_view bytes, const Limits& limits = {}) {
    Result<ImportedFile> result = ParseGpx(bytes, limits);
    EXPECT_FALSE(result.ok());
    return result.ok() ? ParseError{} : result.error();
}

// A timed point, then `point`: untimed points are dropped (docs/formats.md, "Points without a
// time"), so these tests time the first one and the caller times its own.
std::string OnePoint(std::string_view point) {
    return "<gpx version=\"1.1\">\n<trk><trkseg>\n<trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:00Z</time></trkpt>\n" +
           std::string(point) + "\n</trkseg></trk>\n</gpx>";
}

constexpr std::string_view kSecondTime = "<time>2020-01-01T00:00:01Z</time>";

TEST(Gpx, RideWithTrackPointExtensionsAndTwoSegments) {
    const ImportedFile file = MustParse(Fixture("gpx/ride_two_segments.gpx"));
    EXPECT_EQ(file.format, ImportedFile::Format::kGpx);
    EXPECT_EQ(file.creator.name, "Strava+1 fixture writer");
    ASSERT_EQ(file.activities.size(), 1u);
    EXPECT_TRUE(file.routes.empty());
    EXPECT_TRUE(file.waypoints.empty());

    const Activity& ride = file.activities[0];
    EXPECT_EQ(ride.sport, Sport::kRide);
    EXPECT_EQ(ride.name, "Morning Ride");
    EXPECT_EQ(ride.description, "Two loops & a caf\xc3\xa9 stop");
    EXPECT_EQ(ride.start_time_ms, 1'714'548'600'000);

    const Track& track = ride.track;
    ASSERT_EQ(track.size(), 4u);
    EXPECT_THAT(track.time_ms, ElementsAre(1'714'548'600'000, 1'714'548'610'250, 1'714'548'900'500, 1'714'548'930'000));
    EXPECT_THAT(track.lat_e7, ElementsAre(460'000'000, 460'009'000, 460'018'000, -460'018'000));
    EXPECT_THAT(track.lng_e7, ElementsAre(70'000'000, 70'000'000, 70'000'000, -1'799'999'999));
    ASSERT_EQ(track.altitude_m.size(), 4u);
    EXPECT_FLOAT_EQ(track.altitude_m[0], 500.5f);
    EXPECT_FLOAT_EQ(track.altitude_m[1], 501.0f);
    EXPECT_TRUE(std::isnan(track.altitude_m[2]));
    EXPECT_FLOAT_EQ(track.altitude_m[3], -3.25f);
    EXPECT_THAT(track.heart_rate_bpm, ElementsAre(120, 125, 131, kNone16));
    EXPECT_THAT(track.cadence_rpm, ElementsAre(85, 88, kNone16, kNone16));
    EXPECT_THAT(track.power_w, ElementsAre(210, 230, kNone16, kNone16));
    ASSERT_EQ(track.temperature_c.size(), 4u);
    EXPECT_FLOAT_EQ(track.temperature_c[0], 18.5f);
    EXPECT_THAT(std::vector<float>(track.temperature_c.begin() + 1, track.temperature_c.end()),
                ElementsAre(IsMissingFloat(), IsMissingFloat(), IsMissingFloat()));
    ASSERT_EQ(track.speed_mps.size(), 4u);
    EXPECT_FLOAT_EQ(track.speed_mps[0], 8.25f);
    EXPECT_TRUE(track.distance_m.empty());  // no distance anywhere: the column stays absent

    ASSERT_EQ(ride.timer_events.size(), 2u);
    EXPECT_EQ(ride.timer_events[0].time_ms, 1'714'548'610'250);
    EXPECT_FALSE(ride.timer_events[0].running);
    EXPECT_EQ(ride.timer_events[1].time_ms, 1'714'548'900'500);
    EXPECT_TRUE(ride.timer_events[1].running);
    // Two segments of one track: a stop read from the file's shape, which analytics may overrule.
    EXPECT_TRUE(ride.timer_events[0].inferred);
    EXPECT_TRUE(ride.timer_events[1].inferred);
}

TEST(Gpx, Gpx10WithSpeedMissingValuesAndStravaNumericType) {
    const ImportedFile file = MustParse(Fixture("gpx/gpx10_speed_no_namespace.gpx"));
    ASSERT_EQ(file.activities.size(), 1u);
    const Activity& walk = file.activities[0];
    EXPECT_EQ(walk.name, "GPX 1.0 walk");  // the trk has no name: the file's
    EXPECT_EQ(walk.description, "metadata directly in gpx, speed per point, missing elevations");
    EXPECT_EQ(walk.sport, Sport::kRun);  // Strava type 9
    EXPECT_EQ(walk.start_time_ms, 1'551'520'800'000);
    // The third point has no time: it is left out (timed points only).
    const Track& track = walk.track;
    ASSERT_EQ(track.size(), 2u);
    EXPECT_THAT(track.time_ms, ElementsAre(1'551'520'800'000, 1'551'520'806'000));
    ASSERT_EQ(track.altitude_m.size(), 2u);
    EXPECT_FLOAT_EQ(track.altitude_m[0], 1.5f);
    EXPECT_TRUE(std::isnan(track.altitude_m[1]));
    EXPECT_THAT(track.speed_mps, ElementsAre(1.25f, 1.5f));
    EXPECT_THAT(track.heart_rate_bpm, ElementsAre(kNone16, 99));  // unprefixed <heartrate>
    EXPECT_TRUE(track.cadence_rpm.empty());
    EXPECT_TRUE(walk.timer_events.empty());
}

TEST(Gpx, RoutesAndWaypointsWithYearsOutsideTimeT) {
    const ImportedFile file = MustParse(Fixture("gpx/routes_and_waypoints.gpx"));
    EXPECT_TRUE(file.activities.empty());
    ASSERT_EQ(file.routes.size(), 2u);
    EXPECT_EQ(file.routes[0].name, "Planned loop");
    EXPECT_EQ(file.routes[0].sport, Sport::kRun);
    const Track& route = file.routes[0].track;
    ASSERT_EQ(route.size(), 3u);
    EXPECT_THAT(route.lat_e7, ElementsAre(100'000'000, 100'010'000, 100'020'000));
    EXPECT_THAT(route.lng_e7, ElementsAre(200'000'000, 200'010'000, 200'020'000));
    EXPECT_TRUE(route.time_ms.empty());
    ASSERT_EQ(route.altitude_m.size(), 3u);
    EXPECT_TRUE(std::isnan(route.altitude_m[1]));
    EXPECT_EQ(file.routes[1].name, "Second");
    EXPECT_EQ(file.routes[1].track.size(), 1u);

    ASSERT_EQ(file.waypoints.size(), 2u);
    const Waypoint& early = file.waypoints[0];
    EXPECT_EQ(early.name, "Early");
    EXPECT_EQ(early.kind, "Flag, Blue");  // <sym> wins over <type>
    EXPECT_EQ(early.lat_e7, 355'000'000);
    EXPECT_EQ(early.lng_e7, -872'500'000);
    EXPECT_FLOAT_EQ(early.altitude_m, 180.0f);
    EXPECT_EQ(early.time_ms, -23'196'038'399'877);  // 1234-12-12T08:00:00.123Z
    const Waypoint& late = file.waypoints[1];
    EXPECT_EQ(late.name, "Late <& unescaped>");
    EXPECT_EQ(late.kind, "Summit");
    EXPECT_TRUE(std::isnan(late.altitude_m));
    EXPECT_EQ(late.time_ms, 67'120'041'600'410);  // 4096-12-12T08:00:00.410Z
}

TEST(Gpx, Windows1252DeclaredEncoding) {
    const ImportedFile file = MustParse(Fixture("gpx/windows1252.gpx"));
    EXPECT_EQ(file.creator.name, "Caf\xc3\xa9 \xe2\x82\xac writer");
    ASSERT_EQ(file.waypoints.size(), 1u);
    EXPECT_EQ(file.waypoints[0].name, "Place de l\xe2\x80\x99\xc3\x89toile");
}

TEST(Gpx, BomAndPrefixedElements) {
    const ImportedFile file = MustParse(Fixture("gpx/bom_prefixed.gpx"));
    ASSERT_EQ(file.activities.size(), 1u);
    EXPECT_EQ(file.activities[0].name, "Prefixed everything");
    EXPECT_THAT(file.activities[0].track.time_ms, ElementsAre(1'583'020'799'000));
}

TEST(Gpx, BareGpxWithoutVersionOrNamespace) {
    const ImportedFile file = MustParse(
        "<gpx><trk><trkseg><trkpt lat=\"0\" lon=\"0\"><time>2020-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>");
    ASSERT_EQ(file.activities.size(), 1u);
    EXPECT_EQ(file.activities[0].track.size(), 1u);
    EXPECT_EQ(file.activities[0].start_time_ms, 1'577'836'800'000);
}

// docs/formats.md, "Points without a time": one rule for every importer.
TEST(Gpx, ATrackWithoutAnyTimeIsARouteNotAnActivity) {
    const ImportedFile file = MustParse(
        "<gpx><trk><name>Plan</name><trkseg><trkpt lat=\"1\" lon=\"2\"/><trkpt lat=\"1.001\" lon=\"2\"/></trkseg>"
        "</trk></gpx>");
    EXPECT_TRUE(file.activities.empty());
    ASSERT_EQ(file.routes.size(), 1u);
    EXPECT_EQ(file.routes[0].name, "Plan");
    EXPECT_EQ(file.routes[0].track.size(), 2u);
    EXPECT_TRUE(file.routes[0].track.time_ms.empty());
}

TEST(Gpx, UntimedPointsAreLeftOutAndTheirSegmentStillPauses) {
    // An untimed track between two timed ones (korita-zbevnica.gpx has one): its points are left
    // out, no distance runs from its end to the next timed point, and the boundary between the
    // timed tracks is still a pause. Within a segment, points without a time are dropped too.
    const ImportedFile file = MustParse(
        "<gpx><trk><trkseg>"
        "<trkpt lat=\"46\" lon=\"7\"><time>2020-01-01T00:00:00Z</time></trkpt>"
        "<trkpt lat=\"46.0001\" lon=\"7\"><ele>5</ele></trkpt>"
        "<trkpt lat=\"46.0002\" lon=\"7\"><time>2020-01-01T00:00:20Z</time><ele>6</ele></trkpt>"
        "</trkseg></trk>"
        "<trk><trkseg><trkpt lat=\"47\" lon=\"8\"/><trkpt lat=\"47.1\" lon=\"8\"/></trkseg></trk>"
        "<trk><trkseg><trkpt lat=\"46.0003\" lon=\"7\"/>"
        "<trkpt lat=\"46.0004\" lon=\"7\"><time>2020-01-01T00:01:00Z</time></trkpt></trkseg></trk>"
        "</gpx>");
    ASSERT_EQ(file.activities.size(), 1u);
    EXPECT_TRUE(file.routes.empty());
    const Activity& activity = file.activities[0];
    EXPECT_THAT(activity.track.time_ms, ElementsAre(1'577'836'800'000, 1'577'836'820'000, 1'577'836'860'000));
    EXPECT_THAT(activity.track.lat_e7, ElementsAre(460'000'000, 460'002'000, 460'004'000));
    ASSERT_EQ(activity.track.altitude_m.size(), 3u);
    EXPECT_FLOAT_EQ(activity.track.altitude_m[1], 6.0f);
    ASSERT_EQ(activity.timer_events.size(), 2u);
    EXPECT_EQ(activity.timer_events[0].time_ms, 1'577'836'820'000);
    EXPECT_FALSE(activity.timer_events[0].running);
    EXPECT_FALSE(activity.timer_events[0].inferred);  // a new <trk> is a new recording
    EXPECT_EQ(activity.timer_events[1].time_ms, 1'577'836'860'000);
    EXPECT_TRUE(activity.timer_events[1].running);
}

TEST(Gpx, TrackWithoutPointsStillGivesTheActivity) {
    const ImportedFile file = MustParse("<gpx><trk><name>empty</name><trkseg/></trk></gpx>");
    ASSERT_EQ(file.activities.size(), 1u);
    EXPECT_EQ(file.activities[0].name, "empty");
    EXPECT_TRUE(file.activities[0].track.empty());
}

TEST(Gpx, OpenTracksLegacyPauseMarkersBecomeTimerEvents) {
    const ImportedFile file = MustParse(
        "<gpx><trk><trkseg>"
        "<trkpt lat=\"3\" lon=\"14\"><time>2021-01-07T21:51:59Z</time></trkpt>"
        "<trkpt lat=\"100\" lon=\"0\"><time>2021-01-07T21:52:02Z</time></trkpt>"
        "<trkpt lat=\"200.0\" lon=\"0\"><time>2021-01-07T21:52:03Z</time></trkpt>"
        "<trkpt lat=\"3\" lon=\"14.001\"><time>2021-01-07T21:52:04Z</time></trkpt>"
        "</trkseg></trk></gpx>");
    ASSERT_EQ(file.activities.size(), 1u);
    const Activity& activity = file.activities[0];
    EXPECT_EQ(activity.track.size(), 2u);
    ASSERT_EQ(activity.timer_events.size(), 2u);
    EXPECT_EQ(activity.timer_events[0].time_ms, 1'610'056'322'000);
    EXPECT_FALSE(activity.timer_events[0].running);
    EXPECT_EQ(activity.timer_events[1].time_ms, 1'610'056'323'000);
    EXPECT_TRUE(activity.timer_events[1].running);
}

TEST(Gpx, ExtensionVariantsAndWaterTemperature) {
    const ImportedFile file = MustParse(OnePoint(
        "<trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:01Z</time><extensions><x:TrackPointExtension><x:wtemp>21.5</x:wtemp><x:hr>80.0</x:hr>"
        "<x:speed>2.5</x:speed></x:TrackPointExtension><gpxdata:distance>17</gpxdata:distance><watts>99</watts>"
        "<deep><deeper><cadence>77</cadence></deeper></deep></extensions></trkpt>"));
    const Track& track = file.activities.at(0).track;
    ASSERT_EQ(track.size(), 2u);
    EXPECT_FLOAT_EQ(track.temperature_c.at(1), 21.5f);
    EXPECT_EQ(track.heart_rate_bpm.at(1), 80);
    EXPECT_FLOAT_EQ(track.speed_mps.at(1), 2.5f);
    EXPECT_DOUBLE_EQ(track.distance_m.at(1), 17.0);
    EXPECT_EQ(track.power_w.at(1), 99);
    EXPECT_EQ(track.cadence_rpm.at(1), 77);
    EXPECT_TRUE(std::isnan(track.distance_m.at(0)));
}

TEST(Gpx, GpxdataLapsGetIndexesByTime) {
    const ImportedFile file = MustParse(
        "<gpx><trk><trkseg>"
        "<trkpt lat=\"0\" lon=\"0\"><time>2020-01-01T00:00:00Z</time></trkpt>"
        "<trkpt lat=\"0\" lon=\"0\"><time>2020-01-01T00:00:10Z</time></trkpt>"
        "<trkpt lat=\"0\" lon=\"0\"><time>2020-01-01T00:00:20Z</time></trkpt>"
        "</trkseg></trk><extensions>"
        "<gpxdata:lap><gpxdata:startTime>2020-01-01T00:00:05Z</gpxdata:startTime>"
        "<gpxdata:elapsedTime>15</gpxdata:elapsedTime><gpxdata:distance>50</gpxdata:distance>"
        "<gpxdata:trigger kind=\"manual\"/></gpxdata:lap>"
        "<gpxdata:lap><gpxdata:startTime>2020-01-01T00:00:00Z</gpxdata:startTime></gpxdata:lap>"
        "</extensions></gpx>");
    const std::vector<Lap>& laps = file.activities.at(0).laps;
    ASSERT_EQ(laps.size(), 2u);
    EXPECT_EQ(laps[0].first_index, 0u);
    EXPECT_EQ(laps[0].end_index, 1u);
    EXPECT_EQ(laps[1].first_index, 1u);
    EXPECT_EQ(laps[1].end_index, 3u);
    EXPECT_EQ(laps[1].elapsed_s, 15.0);
    EXPECT_EQ(laps[1].distance_m, 50.0);
    EXPECT_EQ(laps[1].trigger, "manual");
}

TEST(Gpx, BadLatitudeNamesLineColumnValueAndPath) {
    const ParseError error = MustFail(OnePoint("<trkpt lat=\"95.5\" lon=\"2\"/>"));
    EXPECT_EQ(error.reason, "latitude \"95.5\" is out of range [-90, 90]");
    EXPECT_EQ(error.line, 4u);
    EXPECT_EQ(error.column, 1u);
    EXPECT_EQ(error.context, "gpx/trk/trkseg/trkpt[2]");
    EXPECT_EQ(error.Describe(),
              "line 4, column 1 (gpx/trk/trkseg/trkpt[2]): latitude \"95.5\" is out of range [-90, 90]");
}

TEST(Gpx, PlainMessagesNameTheLineAndSayWhatIsWrongInWords) {
    // What a person reads after uploading a broken file: the line the XML parser knows, no
    // element path, column or standard's name.
    std::string document = OnePoint("<trkpt lat=\"1\" lon=\"2\"><time>noon</time></trkpt>");
    EXPECT_EQ(MustFail(document).Plain(), "We couldn't read this file: line 4, the time \"noon\" is not a date");
    // Eight more points ahead of it move the bad one to line 12.
    std::string eight;
    for (int i = 0; i < 8; ++i) {
        eight += "<trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:00Z</time></trkpt>\n";
    }
    document.insert(document.find("<trkpt lat=\"1\" lon=\"2\"><time>noon"), eight);
    const ParseError late = MustFail(document);
    EXPECT_EQ(late.line, 12u);
    EXPECT_EQ(late.Plain(), "We couldn't read this file: line 12, the time \"noon\" is not a date");
    EXPECT_EQ(MustFail(OnePoint("<trkpt lat=\"95.5\" lon=\"2\"/>")).Plain(),
              "We couldn't read this file: line 4, the latitude \"95.5\" is not possible (out of range)");
    EXPECT_EQ(MustFail("").Plain(), "This file is empty");
    EXPECT_EQ(MustFail("<gpx version=\"1.1\">\n<trk><trkseg>\n<trkpt lat=\"1\" lon=\"2\">").Plain(),
              "We couldn't read this file: line 3, the file ends too early (it may have been cut off)");
    EXPECT_EQ(MustFail("<gpx>\n<trk>\n<name>x</nam>").Plain(),
              "We couldn't read this file: line 3, a tag is closed that was never opened, so the XML is broken");
    EXPECT_EQ(MustFail("<kml/>").Plain(), "We couldn't read this file: line 1, this is not a GPX file");
}

TEST(Gpx, BadLongitudeAndUnreadablePositions) {
    EXPECT_EQ(MustFail(OnePoint("<trkpt lat=\"1\" lon=\"-180.5\"/>")).reason,
              "longitude \"-180.5\" is out of range [-180, 180]");
    EXPECT_EQ(MustFail(OnePoint("<trkpt lat=\"north\" lon=\"2\"/>")).reason, "latitude \"north\" is not a number");
    EXPECT_EQ(MustFail(OnePoint("<trkpt lat=\"nan\" lon=\"2\"/>")).reason, "latitude \"nan\" is not a number");
    EXPECT_EQ(MustFail(OnePoint("<trkpt lat=\"1\"/>")).reason, "<trkpt> without its lon attribute");
    EXPECT_EQ(MustFail("<gpx><wpt lon=\"1\"/></gpx>").reason, "<wpt> without its lat attribute");
    EXPECT_EQ(MustFail("<gpx><rte><rtept lat=\"91\" lon=\"1\"/></rte></gpx>").reason,
              "latitude \"91\" is out of range [-90, 90]");
}

TEST(Gpx, BadTimeIsRefusedWithTheValue) {
    const ParseError error =
        MustFail(OnePoint("<trkpt lat=\"1\" lon=\"2\">\n  <time>2024-13-01T00:00:00Z</time>\n</trkpt>"));
    EXPECT_THAT(error.reason, HasSubstr("time \"2024-13-01T00:00:00Z\" is not an RFC 3339 date-time"));
    EXPECT_EQ(error.line, 5u);
    EXPECT_EQ(error.column, 3u);
    EXPECT_EQ(error.context, "gpx/trk/trkseg/trkpt[2]/time");
}

TEST(Gpx, BadSensorValuesAreRefusedEmptyOnesAreMissing) {
    EXPECT_EQ(MustFail(OnePoint("<trkpt lat=\"1\" lon=\"2\"><ele>high</ele></trkpt>")).reason,
              "elevation \"high\" is not a number");
    EXPECT_EQ(MustFail(OnePoint("<trkpt lat=\"1\" lon=\"2\"><extensions><hr>-5</hr></extensions></trkpt>")).reason,
              "heart rate \"-5\" is out of range [0, 65534]");
    const ImportedFile file = MustParse(OnePoint("<trkpt lat=\"1\" lon=\"2\"><ele/>" + std::string(kSecondTime) +
                                                 "<extensions><hr></hr></extensions></trkpt>"));
    EXPECT_EQ(file.activities.at(0).track.size(), 2u);
    EXPECT_TRUE(file.activities.at(0).track.altitude_m.empty());
    EXPECT_TRUE(file.activities.at(0).track.heart_rate_bpm.empty());
    // An empty time is a missing one: that point is left out.
    const ImportedFile blank = MustParse(OnePoint("<trkpt lat=\"1\" lon=\"2\"><time> </time></trkpt>"));
    EXPECT_EQ(blank.activities.at(0).track.size(), 1u);
}

TEST(Gpx, NotGpxMalformedEmptyUnclosed) {
    EXPECT_EQ(MustFail("<TrainingCenterDatabase/>").reason,
              "not a GPX document: the root element is <TrainingCenterDatabase>, not <gpx>");
    EXPECT_EQ(MustFail("").reason, "empty file");
    const ParseError unclosed = MustFail("<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\">");
    EXPECT_THAT(unclosed.reason, HasSubstr("malformed XML"));
    EXPECT_EQ(unclosed.context, "gpx/trk/trkseg/trkpt");
    const ParseError mismatched = MustFail("<gpx><trk></trkseg></gpx>");
    EXPECT_THAT(mismatched.reason, HasSubstr("mismatched tag"));
    const ParseError binary = MustFail(std::string("\x00\x01\x02garbage", 10));
    EXPECT_THAT(binary.reason, HasSubstr("malformed XML"));
}

TEST(Gpx, EntityAttacksAndDepthBombAreRefused) {
    EXPECT_THAT(MustFail("<!DOCTYPE gpx [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>"
                         "<gpx creator=\"&b;\"/>")
                    .reason,
                HasSubstr("entity declarations are not accepted"));
    EXPECT_THAT(MustFail("<!DOCTYPE gpx [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><gpx><wpt lat=\"1\" lon=\"1\">"
                         "<name>&x;</name></wpt></gpx>")
                    .reason,
                HasSubstr("external entity"));
    std::string deep = "<gpx>";
    for (int level = 0; level < 1000; ++level) {
        deep += "<extensions>";
    }
    EXPECT_EQ(MustFail(deep).reason, "elements nested deeper than 64 levels");
}

TEST(Gpx, PointAndSizeLimits) {
    Limits limits;
    limits.max_points = 2;
    const std::string three =
        "<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"1\"/><trkpt lat=\"1\" lon=\"1\"/>"
        "<trkpt lat=\"1\" lon=\"1\"/></trkseg></trk></gpx>";
    const ParseError points = MustFail(three, limits);
    EXPECT_EQ(points.reason, "more than 2 points (limit)");
    EXPECT_EQ(points.context, "gpx/trk/trkseg/trkpt[3]");

    limits = Limits{};
    limits.max_input_bytes = 10;
    limits.max_decompressed_bytes = 20;
    EXPECT_EQ(MustFail(three, limits).reason,
              "GPX document of " + std::to_string(three.size()) + " bytes is over the limit of 20 bytes");
}

/// Every column, bit for bit, and the timer events of a file's one activity.
std::string Dump(const ImportedFile& file) {
    std::string out;
    for (const Activity& activity : file.activities) {
        const Track& t = activity.track;
        auto bits = [&out](const void* value, std::size_t size) {
            const auto* bytes = static_cast<const unsigned char*>(value);
            for (std::size_t byte = 0; byte < size; ++byte) {
                out += "0123456789abcdef"[bytes[byte] >> 4];
                out += "0123456789abcdef"[bytes[byte] & 15];
            }
            out += ' ';
        };
        out += "points " + std::to_string(t.size()) + " start " + std::to_string(activity.start_time_ms) + "\n";
        for (std::size_t point = 0; point < t.size(); ++point) {
            auto column = [&](const auto& values) {
                if (!values.empty()) {
                    bits(&values[point], sizeof(values[point]));
                }
            };
            column(t.time_ms);
            column(t.lat_e7);
            column(t.lng_e7);
            column(t.altitude_m);
            column(t.distance_m);
            column(t.speed_mps);
            column(t.heart_rate_bpm);
            column(t.cadence_rpm);
            column(t.power_w);
            column(t.temperature_c);
            out += '\n';
        }
        for (const TimerEvent& event : activity.timer_events) {
            out += "timer " + std::to_string(event.time_ms) + (event.running ? " run\n" : " stop\n");
        }
    }
    return out;
}

/// A track whose points mostly repeat one shape (what the fast engine applies whole, see
/// Handler::RunShape) with every kind of difference a later point can have. `variant` 1 adds a
/// comment to each point, so no point repeats the shape of one before it and each is read tag by
/// tag; 2 adds a DOCTYPE, so expat reads the whole file.
std::string RepeatedPoints(int variant, std::string_view odd_point = {}, int odd_at = -1) {
    std::string document = variant == 2 ? "<!DOCTYPE gpx>\n" : "";
    document += "<gpx version=\"1.1\" xmlns:g=\"urn:x\"><trk><trkseg>\n";
    static const char* const kLatitudes[] = {"46.0000000", "46.1",        "-46.1234567", "5",     "90",   "-89.9999999",
                                             "100",        "46.00000005", "200",         " 46.5", "46.50"};
    static const char* const kElevations[] = {"300.0", "-12.5", "", " 7 ", "1e2", "nan", "3e39", "123456789.25"};
    static const char* const kTimes[] = {
        "2024-05-04T07:00:00Z",  "2024-05-04T09:00:01.5+02:00", "",
        " 2024-05-04T07:00:02Z", "2024-05-04T07:00:03.9999Z",   "2024-05-04t07:00:04z"};
    static const char* const kBeats[] = {"120", "85.4", "", " 99", "0", "65534", "nan"};
    for (int point = 0; point < 400; ++point) {
        if (point == odd_at) {
            document += odd_point;
            document += '\n';
            continue;
        }
        if (point % 97 == 96) {
            document += "</trkseg><trkseg>\n";  // a pause between segments
        }
        const std::string lat = kLatitudes[point % 11];
        const std::string lon = std::to_string(point % 359 - 179) + (point % 4 == 0 ? ".25" : "");
        document.append("<trkpt lat=\"").append(lat).append("\" lon=\"").append(lon).append("\">");
        if (variant == 1) {
            document += "<!-- " + std::to_string(point) + " -->";
        }
        if (point % 50 == 10) {  // another shape for a while: no elevation, a water temperature
            document += "<time>" + std::string(kTimes[point % 6]) + "</time><extensions><g:TPE><g:wtemp>" +
                        std::to_string(point % 30) + "</g:wtemp></g:TPE></extensions></trkpt>\n";
            continue;
        }
        document += "<ele>" + std::string(kElevations[point % 8]) + "</ele><time>" + kTimes[point % 6] +
                    "</time><hdop>1</hdop><extensions><g:TPE><g:hr>" + kBeats[point % 7] + "</g:hr><g:cad>" +
                    std::to_string(point % 120) + "</g:cad><g:atemp>" + (point % 5 == 0 ? "" : "21.5") +
                    "</g:atemp><g:wtemp>9</g:wtemp><g:x>ignored</g:x></g:TPE><power>" + std::to_string(point) +
                    "</power><distance>" + std::to_string(point * 3) + ".5</distance><speed>" +
                    std::to_string(point % 9) + "</speed></extensions></trkpt>\n";
    }
    return document + "</trkseg></trk></gpx>\n";
}

TEST(Gpx, RepeatedPointsGiveWhatReadingEachPointGives) {
    const std::string whole = Dump(MustParse(RepeatedPoints(0)));
    // 400 less the 72 legacy pause markers and the 55 points with an empty time (timed points only)
    EXPECT_THAT(whole, ::testing::StartsWith("points 273 "));
    EXPECT_EQ(whole, Dump(MustParse(RepeatedPoints(1))));
    EXPECT_EQ(whole, Dump(MustParse(RepeatedPoints(2))));
    // Indented, with LF and with CR LF line ends: white space between the tags changes nothing.
    for (const char* line_end : {"\n", "\r\n"}) {
        std::string indented;
        for (const char c : RepeatedPoints(0)) {
            indented += c;
            if (c == '>') {
                indented += line_end;
                indented += "  ";
            }
        }
        EXPECT_EQ(whole, Dump(MustParse(indented))) << (line_end[0] == '\r' ? "CR LF" : "LF");
    }
}

TEST(Gpx, RefusalsInsideRepeatedPointsNameTheirPoint) {
    struct Case {
        const char* point;
        const char* reason;
        const char* context;
    };
    const Case cases[] = {
        {"<trkpt lat=\"46.1\" lon=\"7\"><ele>high</ele><time>2024-05-04T07:00:00Z</time><hdop>1</hdop></trkpt>",
         "elevation \"high\" is not a number", "gpx/trk/trkseg[2]/trkpt[21]/ele"},
        {"<trkpt lat=\"95\" lon=\"7\"><ele>1</ele><time>2024-05-04T07:00:00Z</time><hdop>1</hdop></trkpt>",
         "latitude \"95\" is out of range [-90, 90]", "gpx/trk/trkseg[2]/trkpt[21]"},
        {"<trkpt lat=\"46.1\" lon=\"7\"><ele>1</ele><time>2024-05-04T25:00:00Z</time><hdop>1</hdop></trkpt>",
         "time \"2024-05-04T25:00:00Z\" is not an RFC 3339 date-time", "gpx/trk/trkseg[2]/trkpt[21]/time"},
    };
    for (const Case& bad : cases) {
        std::string document = "<gpx><trk><trkseg></trkseg><trkseg>\n";
        for (int point = 0; point < 30; ++point) {
            document += point == 20 ? bad.point
                                    : "<trkpt lat=\"46.1\" lon=\"7\"><ele>" + std::to_string(point) +
                                          "</ele><time>2024-05-04T07:00:00Z</time><hdop>1</hdop></trkpt>";
            document += '\n';
        }
        document += "</trkseg></trk></gpx>";
        const ParseError error = MustFail(document);
        EXPECT_THAT(error.reason, HasSubstr(bad.reason));
        EXPECT_EQ(error.context, bad.context);
        EXPECT_EQ(error.line, 22u);
        EXPECT_EQ(error.Describe(), MustFail("<!DOCTYPE gpx>" + document).Describe());  // as expat words it
    }
    // The point limit, reached among repeated points.
    Limits limits;
    limits.max_points = 123;
    const ParseError points = MustFail(RepeatedPoints(0), limits);
    EXPECT_EQ(points.reason, "more than 123 points (limit)");
    EXPECT_EQ(points.Describe(), MustFail(RepeatedPoints(1), limits).Describe());
}

TEST(Gpx, LargeFileKeepsPeakHeapUnderTwiceTheInput) {
    if (!testing::HeapPeak::Available()) {
        GTEST_SKIP() << "needs the sanitizer allocator hooks (debug preset)";
    }
    const std::string document = testing::SyntheticGpx(20'000);
    std::size_t peak = 0;
    std::size_t points = 0;
    {
        testing::HeapPeak heap;
        Result<ImportedFile> result = ParseGpx(document);
        ASSERT_TRUE(result.ok()) << result.error().Describe();
        points = result.value().activities.at(0).track.size();
        peak = heap.Bytes();
    }
    EXPECT_EQ(points, 20'000u);
    RecordProperty("peak_heap_bytes", static_cast<int>(peak));
    EXPECT_LE(peak, 2 * document.size()) << "input " << document.size() << " bytes";
    // In practice it is far below: the columns are ~6% of the text.
    EXPECT_LE(peak, document.size() / 4);
}

}  // namespace
}  // namespace strava1::formats
