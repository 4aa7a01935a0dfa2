// Unit tests of issue 7's pure parts of the activities feature: the duplicate rule, the checks of
// manual entries, the decode plan, and the re-basing of what others see of a hidden start.
#include "rebase.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "duplicates.hpp"
#include "manual_checks.hpp"
#include "output.hpp"
#include "pipeline.hpp"
#include "strava1/formats/parse.hpp"
#include "test_tracks.hpp"
#include "view.hpp"

namespace strava1::activities {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kMinute = 60'000;

TimeRange Minutes(std::int64_t from, std::int64_t to) { return {from * kMinute, to * kMinute}; }

TEST(Duplicates, OverlapBeyondTheToleranceIsTheSameWorkout) {
    // A watch's FIT and the vendor's GPX of it: nearly the same span.
    EXPECT_TRUE(IsSameWorkout(Minutes(0, 47), TimeRange{2'000, 47 * kMinute - 3'000}));
    // One inside the other, either way round.
    EXPECT_TRUE(IsSameWorkout(Minutes(0, 120), Minutes(30, 40)));
    EXPECT_TRUE(IsSameWorkout(Minutes(30, 40), Minutes(0, 120)));
    // Sharing 61 s of two long activities.
    EXPECT_TRUE(IsSameWorkout(Minutes(0, 30), TimeRange{30 * kMinute - 61'000, 60 * kMinute}));
    // Two copies of a 40 s sprint share less than the tolerance, but more than half of it.
    EXPECT_TRUE(IsSameWorkout(TimeRange{0, 40'000}, TimeRange{1'000, 41'000}));
}

TEST(Duplicates, ActivitiesThatFollowEachOtherAreNot) {
    // Triathlon legs: the bike starts where the swim (and the transition) ended.
    EXPECT_FALSE(IsSameWorkout(Minutes(0, 30), Minutes(33, 120)));
    EXPECT_FALSE(IsSameWorkout(Minutes(0, 30), Minutes(30, 60)));  // touching
    // Back to back, the second started 59 s before the first was stopped.
    EXPECT_FALSE(IsSameWorkout(Minutes(0, 30), TimeRange{30 * kMinute - 59'000, 60 * kMinute}));
    EXPECT_EQ(OverlapMs(Minutes(0, 30), TimeRange{30 * kMinute - 59'000, 60 * kMinute}), 59'000);
    // Short ones sharing a few seconds.
    EXPECT_FALSE(IsSameWorkout(TimeRange{0, 40'000}, TimeRange{30'000, 70'000}));
    // A zero-length activity shares nothing.
    EXPECT_FALSE(IsSameWorkout(TimeRange{5'000, 5'000}, Minutes(0, 10)));
    EXPECT_EQ(OverlapMs(Minutes(0, 10), Minutes(20, 30)), 0);
}

TEST(ManualChecks, FutureAndAncientStartsAreRefused) {
    const std::int64_t now = 1'790'000'000'000'000;  // µs
    FieldErrors errors;
    CheckManualPlausibility(formats::Sport::kRun, now + kMaxFutureStartUs - 1, now, 1800, 1800, 5000, errors);
    EXPECT_TRUE(errors.Empty());
    CheckManualPlausibility(formats::Sport::kRun, now + kMaxFutureStartUs + 1'000'000, now, 1800, 1800, 5000, errors);
    ASSERT_EQ(errors.List().size(), 1u);
    EXPECT_EQ(errors.List()[0].field, "start_time");
    EXPECT_THAT(errors.List()[0].reason, HasSubstr("a day in the future"));
    FieldErrors ancient;
    CheckManualPlausibility(formats::Sport::kRun, kEarliestStartUs - 1, now, 1800, 1800, 5000, ancient);
    ASSERT_EQ(ancient.List().size(), 1u);
    EXPECT_EQ(ancient.List()[0].field, "start_time");
}

TEST(ManualChecks, SpeedsBeyondTheSportAreRefused) {
    const std::int64_t now = 1'790'000'000'000'000;
    const std::int64_t start = now - 86'400'000'000;
    auto check = [&](formats::Sport sport, double elapsed, double moving, double distance) {
        FieldErrors errors;
        CheckManualPlausibility(sport, start, now, elapsed, moving, distance, errors);
        return errors.List();
    };
    // 10 000 km in 30 minutes, whatever the sport.
    for (auto sport : {formats::Sport::kRun, formats::Sport::kRide, formats::Sport::kOther, formats::Sport::kSki}) {
        auto errors = check(sport, 1800, 1800, 10'000'000);
        ASSERT_EQ(errors.size(), 1u) << formats::SportName(sport);
        EXPECT_EQ(errors[0].field, "distance_m");
        EXPECT_THAT(errors[0].reason, HasSubstr("5555.6 m/s"));
    }
    EXPECT_TRUE(check(formats::Sport::kRun, 7300, 7300, 42'195).empty());   // a marathon
    EXPECT_TRUE(check(formats::Sport::kRun, 10, 10, 100).empty());          // a 100 m sprint
    const auto refusal = [&](formats::Sport sport, double elapsed, double moving, double distance) {
        const std::vector<FieldError> errors = check(sport, elapsed, moving, distance);
        return errors.size() == 1 ? errors[0].field + ": " + errors[0].reason
                                  : std::to_string(errors.size()) + " errors";
    };
    EXPECT_EQ(refusal(formats::Sport::kRun, 3600, 3600, 50'000),  // 50 km in an hour
              "distance_m: 50000 m in 3600 s is 13.9 m/s; a run averages at most 11 m/s");
    EXPECT_TRUE(check(formats::Sport::kRide, 3600, 3600, 55'000).empty());  // the hour record
    EXPECT_EQ(refusal(formats::Sport::kSwim, 300, 300, 1500),               // 1500 m in 5 min
              "distance_m: 1500 m in 300 s is 5.0 m/s; a swim averages at most 3 m/s");
    EXPECT_TRUE(check(formats::Sport::kSwim, 900, 900, 1500).empty());
    // The moving time is what the speed is measured over; without one, the elapsed time.
    EXPECT_EQ(refusal(formats::Sport::kWalk, 7200, 600, 6000),
              "distance_m: 6000 m in 600 s is 10.0 m/s; a walk averages at most 5 m/s");
    EXPECT_TRUE(check(formats::Sport::kWalk, 7200, 0, 6000).empty());
    EXPECT_TRUE(check(formats::Sport::kRun, 1800, 1800, 0).empty());  // no distance: nothing to check
    for (int sport_idx = 0; sport_idx <= static_cast<int>(formats::Sport::kOther); ++sport_idx) {
        // A floor by design, not a figure: no sport's limit may refuse a brisk walk (2.9 m/s).
        EXPECT_GT(MaxAverageSpeedMps(static_cast<formats::Sport>(sport_idx)), 2.9);
    }
}

std::string Gzip(std::string_view data) {
    z_stream stream;
    std::memset(&stream, 0, sizeof(stream));
    EXPECT_EQ(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&stream, data.size()), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

std::string GpxOf(int points) {
    std::string gpx = "<gpx version=\"1.1\" creator=\"t\"><trk><type>running</type><trkseg>";
    for (int i = 0; i < points; ++i) {
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "<trkpt lat=\"46.%05d\" lon=\"14.5\"><time>2026-01-01T07:%02d:%02dZ</time></trkpt>", i * 9,
                      i / 60, i % 60);
        gpx += buf;
    }
    return gpx + "</trkseg></trk></gpx>";
}

TEST(DecodePlan, AGzipIsSizedBeforeItIsDecodedAndABombRefused) {
    const std::string gpx = GpxOf(200);
    auto plain = PlanDecode(gpx, formats::DataType::kGpx, 1000);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain.value().plain_type, formats::DataType::kGpx);
    EXPECT_EQ(plain.value().plain_bytes, gpx.size());
    EXPECT_EQ(plain.value().memory_bytes, gpx.size() * kXmlMemoryPerByte);

    const std::string gz = Gzip(gpx);
    auto planned = PlanDecode(gz, formats::DataType::kGpxGz, gpx.size());
    ASSERT_TRUE(planned.ok()) << planned.error().Describe();
    EXPECT_EQ(planned.value().plain_type, formats::DataType::kGpx);
    EXPECT_EQ(planned.value().plain_bytes, gpx.size());
    auto prepared = PrepareFile(gz, planned.value(), analytics::AthleteProfile{});
    ASSERT_TRUE(prepared.ok()) << prepared.error().Describe();
    EXPECT_EQ(prepared.value().at(0).point_count, 200u);

    auto bomb = PlanDecode(gz, formats::DataType::kGpxGz, gpx.size() - 1);
    ASSERT_FALSE(bomb.ok());
    EXPECT_THAT(bomb.error().reason, HasSubstr("gzip bomb refused"));
    EXPECT_FALSE(PlanDecode(gpx, formats::DataType::kGpxGz, 1'000'000).ok());  // not gzip at all
}

TEST(VisibleWindow, CountsTheViewersSamples) {
    // Hidden: 0-2 (start), 6-7 (a zone on the way), 11 (end).
    const std::vector<std::uint8_t> visible{0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0};
    auto w = FindVisibleWindow(visible);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->first, 3u);
    EXPECT_EQ(w->last, 10u);
    EXPECT_TRUE(w->Trims());
    EXPECT_EQ(w->VisibleCount(), 6u);
    EXPECT_EQ(w->StreamIndexAtOrAfter(3), 0u);
    EXPECT_EQ(w->StreamIndexAtOrAfter(6), 3u);   // hidden: the next visible one, sample 8
    EXPECT_EQ(w->StreamIndexAtOrBefore(7), 2u);  // hidden: the last visible before, sample 5
    EXPECT_EQ(w->StreamIndexAtOrBefore(10), 5u);
    EXPECT_EQ(w->StreamIndexAtOrAfter(0), 0u);  // clamped to the window
    EXPECT_EQ(w->StreamIndexAtOrBefore(11), 5u);
    EXPECT_EQ(RebaseEffort(*w, 4, 9), std::make_pair(std::size_t{1}, std::size_t{4}));
    EXPECT_FALSE(RebaseEffort(*w, 2, 9));   // starts in the hidden start
    EXPECT_FALSE(RebaseEffort(*w, 4, 11));  // ends in the hidden end
    // Stored intervals of a viewer who sees both ends keep their figures, not their indexes.
    auto inside = FindVisibleWindow(std::vector<std::uint8_t>{1, 1, 0, 0, 1, 1, 1});
    ASSERT_TRUE(inside);
    boost::json::array splits = {boost::json::object{{"start_index", 0}, {"end_index", 3}, {"distance_m", 1000}},
                                 boost::json::object{{"start_index", 3}, {"end_index", 6}, {"distance_m", 500}}};
    IndexForViewer(splits, *inside);
    EXPECT_EQ(splits[0].as_object().at("start_index").as_int64(), 0);
    EXPECT_EQ(splits[0].as_object().at("end_index").as_int64(), 1);    // sample 3 hidden: sample 1
    EXPECT_EQ(splits[1].as_object().at("start_index").as_int64(), 2);  // sample 3 hidden: sample 4
    EXPECT_EQ(splits[1].as_object().at("end_index").as_int64(), 4);
    EXPECT_EQ(splits[1].as_object().at("distance_m").as_int64(), 500);
    EXPECT_FALSE(FindVisibleWindow(std::vector<std::uint8_t>{0, 0}));
    auto whole = FindVisibleWindow(std::vector<std::uint8_t>{1, 0, 1});
    ASSERT_TRUE(whole);
    EXPECT_FALSE(whole->Trims());
}

using test::NorthLine;

View HidingTheStart() {
    View other;
    other.hidden_areas.push_back(geo::Disc{{46, 14}, 500});  // samples 0..166 (3 m apart): 167 of them
    return other;
}

TEST(Rebase, OthersStreamsStartAtTheFirstVisibleSample) {
    const formats::Track t = NorthLine(2000);
    std::string bad;
    auto keys = ParseStreamKeys("time,distance", bad);
    auto doc = boost::json::parse(StreamsJson(t, HidingTheStart(), *keys, "all", 10000)).as_object();
    const auto& time = doc["streams"].as_object()["time"].as_array();
    const auto& distance = doc["streams"].as_object()["distance"].as_array();
    const std::size_t hidden = 2000 - time.size();
    EXPECT_EQ(hidden, 500u / 3 + 1);
    EXPECT_EQ(doc["original_size"].as_int64(), static_cast<std::int64_t>(time.size()));
    EXPECT_EQ(time.front().to_number<double>(), 0.0);
    EXPECT_EQ(distance.front().to_number<double>(), 0.0);
    EXPECT_EQ(time.back().to_number<double>(), static_cast<double>(time.size() - 1));
    EXPECT_NEAR(distance.back().to_number<double>(), 3.0 * static_cast<double>(time.size() - 1), 0.01);
    // The owner keeps the recorded values.
    View owner;
    owner.owner = true;
    auto own = boost::json::parse(StreamsJson(t, owner, *keys, "all", 10000)).as_object();
    EXPECT_EQ(own["streams"].as_object()["distance"].as_array().back().to_number<double>(), 3.0 * 1999);
    // The smoothed speed does not look back into the hidden start: at the first visible sample it is
    // unknown (the owner's, there, is measured over the 5 s before), then half a window on it is known.
    auto speed_keys = ParseStreamKeys("velocity_smooth", bad);
    auto speed = boost::json::parse(StreamsJson(t, HidingTheStart(), *speed_keys, "all", 10000)).as_object();
    const auto& theirs = speed["streams"].as_object()["velocity_smooth"].as_array();
    auto own_speed = boost::json::parse(StreamsJson(t, owner, *speed_keys, "all", 10000)).as_object();
    EXPECT_TRUE(theirs.at(0).is_null());
    EXPECT_NEAR(own_speed["streams"].as_object()["velocity_smooth"].as_array().at(hidden).to_number<double>(), 3.0,
                1e-6);
    EXPECT_NEAR(theirs.at(3).to_number<double>(), 3.0, 1e-6);
}

TEST(Rebase, OthersExportStartsItsClockAtTheActivityStart) {
    const formats::Track t = NorthLine(600);
    const std::string gpx = ExportGpx(t, HidingTheStart(), "x", "run");
    auto parsed = formats::ParseGpx(gpx);
    ASSERT_TRUE(parsed) << parsed.error().Describe();
    const auto& back = parsed.value().activities.at(0).track;
    ASSERT_EQ(back.size(), 600u - (500u / 3 + 1)) << "the samples after the hidden start";
    EXPECT_EQ(back.time_ms.front(), t.time_ms.front());  // the activity's start, not the first visible time
    EXPECT_EQ(back.time_ms.back() - back.time_ms.front(), static_cast<std::int64_t>(back.size() - 1) * 1000);
}

TEST(Rebase, SplitsLapsAndIndexesAreMeasuredFromTheWindow) {
    const formats::Track t = NorthLine(2000);  // 5997 m
    auto visible = VisibleSamples(HidingTheStart(), t);
    auto w = FindVisibleWindow(visible);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->Trims());
    const double shown_m = 3.0 * static_cast<double>(w->last - w->first);
    // A device lap from the start to sample 1000 and one from there to the end.
    boost::json::array stored = {
        boost::json::object{{"start_index", 0}, {"end_index", 1000}, {"from_device", true}},
        boost::json::object{{"start_index", 1000}, {"end_index", 1999}, {"from_device", true}},
    };
    RebasedIntervals r = RebaseIntervals(t, formats::Sport::kRun, *w, stored);
    ASSERT_EQ(r.splits_km.size(), static_cast<std::size_t>(std::ceil(shown_m / 1000)));
    double total = 0;
    for (const auto& v : r.splits_km) {
        total += v.as_object().at("distance_m").to_number<double>();
    }
    EXPECT_NEAR(total, shown_m, 0.01);
    const auto& first = r.splits_km.front().as_object();
    EXPECT_EQ(first.at("start_index").as_int64(), 0);
    EXPECT_NEAR(first.at("distance_m").to_number<double>(), 1000, 1e-6);
    EXPECT_NEAR(first.at("elapsed_s").to_number<double>(), 1000.0 / 3, 1e-6);
    // 1000 m from the first visible sample is 333.3 samples on: indexes count the viewer's stream.
    EXPECT_EQ(first.at("end_index").as_int64(), 334);
    EXPECT_LE(r.splits_km.back().as_object().at("end_index").as_int64(),
              static_cast<std::int64_t>(w->VisibleCount() - 1));
    ASSERT_EQ(r.laps.size(), 2u);
    const auto& lap1 = r.laps[0].as_object();
    EXPECT_EQ(lap1.at("start_index").as_int64(), 0);
    EXPECT_NEAR(lap1.at("distance_m").to_number<double>(), 3.0 * static_cast<double>(1000 - w->first), 1e-6);
    EXPECT_TRUE(lap1.at("from_device").as_bool());
    EXPECT_EQ(r.laps[1].as_object().at("start_index").as_int64(), static_cast<std::int64_t>(1000 - w->first));
    EXPECT_EQ(r.splits_mile.size(), static_cast<std::size_t>(std::ceil(shown_m / 1609.344)));
}

}  // namespace
}  // namespace strava1::activities
