// What others are shown of an activity whose samples are partly hidden from them, as computed once
// and stored (public_view.hpp): nothing when they see every sample, the stored figures re-indexed
// when only samples on the way are hidden, every figure measured over what they see when an end is.
#include "public_view.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "test_tracks.hpp"

namespace strava1::activities {
namespace {

using test::NorthLine;

/// A disc of `radius_m` around the sample `index` of NorthLine().
geo::Disc Around(int index, double radius_m) { return geo::Disc{{46 + 3.0 * index / 111'195.0, 14}, radius_m}; }

PublicViewInput Input(int n) {
    PublicViewInput in;
    in.track = NorthLine(n);
    in.sport = formats::Sport::kRun;
    // As stored: one device lap over everything, two km splits, and two efforts.
    in.laps = {boost::json::object{
        {"start_index", 0}, {"end_index", n - 1}, {"distance_m", 3.0 * (n - 1)}, {"from_device", true}}};
    in.splits_km = {
        boost::json::object{{"start_index", 0}, {"end_index", 334}, {"distance_m", 1000}},
        boost::json::object{{"start_index", 334}, {"end_index", n - 1}, {"distance_m", 3.0 * (n - 1) - 1000}}};
    in.efforts = {{10, 345}, {700, 1040}};
    in.profile.max_hr_bpm = 190;
    return in;
}

boost::json::object Parse(const std::optional<std::string>& text) {
    EXPECT_TRUE(text);
    return text ? boost::json::parse(*text).as_object() : boost::json::object{};
}

double Sum(const boost::json::array& intervals) {
    double total = 0;
    for (const auto& v : intervals) {
        total += v.as_object().at("distance_m").to_number<double>();
    }
    return total;
}

void ExpectNothing(const PublicView& view, const char* why) {
    EXPECT_FALSE(view.summary) << why;
    EXPECT_FALSE(view.analysis) << why;
}

TEST(PublicView, NothingWhenOthersSeeEverySample) {
    PublicViewInput in = Input(1200);
    ExpectNothing(ComputePublicView(in), "no hidden area");
    in.hidden_areas = {Around(5000, 100)};
    ExpectNothing(ComputePublicView(in), "an area the track never enters");
    in.hidden_areas = {Around(0, 500)};
    in.track.lat_e7.clear();
    in.track.lng_e7.clear();
    ExpectNothing(ComputePublicView(in), "no positions to hide by (a treadmill)");
}

TEST(PublicView, AZoneOnTheWayKeepsTheStoredFiguresWithTheViewersIndexes) {
    PublicViewInput in = Input(1200);
    in.hidden_areas = {Around(600, 30)};  // samples 590..610
    const PublicView view = ComputePublicView(in);
    // Nothing measures a hidden end: the stored figures stand, but for the samples shown.
    EXPECT_EQ(Parse(view.summary), (boost::json::object{{"point_count", 1200 - 21}}));
    auto shown = Parse(view.analysis);
    EXPECT_FALSE(shown.contains("heart_rate_zones")) << "the stored zones stand";
    const auto& splits = shown.at("splits_km").as_array();
    ASSERT_EQ(splits.size(), 2u);
    EXPECT_EQ(splits[0].as_object().at("end_index").as_int64(), 334);
    EXPECT_EQ(splits[1].as_object().at("distance_m").to_number<double>(), 3.0 * 1199 - 1000);
    EXPECT_EQ(splits[1].as_object().at("end_index").as_int64(), 1199 - 21);
    const auto& efforts = shown.at("best_efforts").as_array();
    ASSERT_EQ(efforts.size(), 2u);
    EXPECT_EQ(efforts[0].as_array(), (boost::json::array{10, 345, 10, 345}));
    EXPECT_EQ(efforts[1].as_array(), (boost::json::array{700, 1040, 700 - 21, 1040 - 21}));
}

TEST(PublicView, AHiddenStartIsMeasuredFromTheFirstVisibleSample) {
    PublicViewInput in = Input(1200);
    in.hidden_areas = {Around(0, 300)};  // about the first 100 samples
    const PublicView view = ComputePublicView(in);
    auto shown = Parse(view.analysis);
    // Samples 3 m apart, a 300 m disc around the first: samples 0 to 100 are inside it (the edge
    // counts as inside), 101 is the first visible one.
    const std::int64_t first_visible = Parse(view.summary).at("first").as_int64();
    EXPECT_EQ(first_visible, 300 / 3 + 1);
    const double visible_m = Sum(shown.at("laps").as_array());
    EXPECT_NEAR(visible_m, 3.0 * (1199 - first_visible), 1e-6);
    EXPECT_NEAR(Sum(shown.at("splits_km").as_array()), visible_m, 0.01);
    EXPECT_NEAR(shown.at("splits_km").as_array()[0].as_object().at("distance_m").to_number<double>(), 1000, 1e-6);
    EXPECT_EQ(shown.at("laps").as_array()[0].as_object().at("start_index").as_int64(), 0);
    // The effort through the hidden start is not shown; the other one is, in the viewer's samples.
    const auto& efforts = shown.at("best_efforts").as_array();
    ASSERT_EQ(efforts.size(), 1u);
    const auto& e = efforts[0].as_array();
    EXPECT_EQ(e.at(0).as_int64(), 700);
    EXPECT_EQ(e.at(3).as_int64() - e.at(2).as_int64(), 340);
    EXPECT_EQ(e.at(2).as_int64(), 700 - first_visible) << "in the viewer's samples";

    // Every figure is the window's: distance and time from the first visible sample to the last, so
    // neither they nor the number of samples tell how long the hidden start is.
    auto summary = Parse(view.summary);
    const std::int64_t first = summary.at("first").as_int64();
    EXPECT_EQ(first, first_visible);
    EXPECT_EQ(summary.at("last").as_int64(), 1199);
    EXPECT_EQ(summary.at("point_count").as_int64(), 1200 - first);
    EXPECT_NEAR(summary.at("distance_m").to_number<double>(), visible_m, 0.01);
    EXPECT_NEAR(summary.at("distance_m").to_number<double>(), 3.0 * static_cast<double>(1199 - first), 0.01);
    EXPECT_NEAR(summary.at("elapsed_s").to_number<double>(), static_cast<double>(1199 - first), 1e-6);
    EXPECT_NEAR(summary.at("moving_s").to_number<double>(), static_cast<double>(1199 - first), 1.0);
    EXPECT_NEAR(summary.at("avg_speed_mps").to_number<double>(), 3.0, 0.01);
    EXPECT_NEAR(summary.at("avg_heart_rate_bpm").to_number<double>(), 140, 1e-6);
    EXPECT_TRUE(summary.at("avg_power_w").is_null());
    // Heart-rate zones count the window's time only.
    double zone_s = 0;
    for (const auto& z : shown.at("heart_rate_zones").as_array()) {
        zone_s += z.as_object().at("seconds").to_number<double>();
    }
    EXPECT_NEAR(zone_s, static_cast<double>(1199 - first), 1.0);
}

TEST(PublicView, NothingVisibleShowsNothingMeasured) {
    PublicViewInput in = Input(300);
    in.hidden_areas = {Around(150, 2000)};
    const PublicView view = ComputePublicView(in);
    auto shown = Parse(view.analysis);
    for (const char* key : {"laps", "splits_km", "splits_mile", "heart_rate_zones", "power_zones", "best_efforts"}) {
        EXPECT_TRUE(shown.at(key).as_array().empty()) << key;
    }
    auto summary = Parse(view.summary);
    EXPECT_EQ(summary.at("distance_m").as_int64(), 0);
    EXPECT_EQ(summary.at("elapsed_s").as_int64(), 0);
    EXPECT_EQ(summary.at("point_count").as_int64(), 0);
    EXPECT_TRUE(summary.at("first").is_null());
    EXPECT_TRUE(summary.at("avg_heart_rate_bpm").is_null());
}

TEST(PublicView, TheFingerprintNamesTheAreasInAnyOrder) {
    const std::vector<geo::Disc> ab{Around(0, 300), Around(900, 120.5)};
    const std::vector<geo::Disc> ba{Around(900, 120.5), Around(0, 300)};
    const std::string fingerprint = HiddenAreasFingerprint(ab);
    EXPECT_EQ(fingerprint.rfind(kPublicViewVersion, 0), 0u);
    EXPECT_EQ(fingerprint, HiddenAreasFingerprint(ba));
    EXPECT_NE(fingerprint, HiddenAreasFingerprint(std::vector<geo::Disc>{Around(0, 300)}));
    EXPECT_NE(fingerprint, HiddenAreasFingerprint(std::vector<geo::Disc>{Around(0, 300), Around(900, 120.6)}));
    EXPECT_NE(HiddenAreasFingerprint({}), fingerprint);
}

}  // namespace
}  // namespace strava1::activities
