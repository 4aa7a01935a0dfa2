// Activities' routes through the composed app in-process (the in-process tier, ADR 0005): a manual
// activity created, listed and hidden from another user exactly like a missing one; a real GPX
// uploaded through the multipart route to "ready"; a privacy zone crossed mid-route hides only the
// part of the route inside it from another user, who is told that part is hidden; the owner's "what
// others see" preview (view_as) is exactly what another user gets; "hide from the feed" is the owner's.
#include <gtest/gtest.h>

#include <algorithm>

#include "strava1/analytics/analysis.hpp"
#include "strava1/formats/parse.hpp"
#include "strava1/testing/testdata.hpp"
#include "test_app.hpp"

namespace strava1::app {
namespace {

using testing::ExpectProblem;
namespace json = boost::json;

/// Makes `owner`'s activities public with their start and end hidden within `hide_endpoints_m`,
/// uploads `bytes` as `owner` and sets `*activity` to the path of the activity it made, failing the
/// test unless the upload is ready at once.
void UploadPublic(const testing::InProcessClient& client, const testing::TestUser& owner, const std::string& bytes,
                  const std::string& content_type, int hide_endpoints_m, std::string* activity) {
    ASSERT_EQ(
        client.As(owner)
            .Patch("/v1/me", json::object{{"default_visibility", "everyone"}, {"hide_endpoints_m", hide_endpoints_m}})
            .status,
        200);
    auto uploaded = client.As(owner).Send(http::Method::kPost, "/v1/uploads", bytes, {{"Content-Type", content_type}});
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    ASSERT_EQ(uploaded.json.at("status").as_string(), "ready") << uploaded.body;
    *activity = "/v1/activities/" + std::to_string(uploaded.json.at("activity_id").to_number<std::int64_t>());
}

TEST_F(InProcessTest, AManualActivityIsListedForItsOwnerAndHiddenFromOthers) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(2);
    const auto& ana = users[0];
    const auto& bob = users[1];
    auto created = client().As(ana).Post("/v1/activities", json::object{{"sport", "run"},
                                                                        {"start_time", "2026-01-10T07:00:00Z"},
                                                                        {"elapsed_s", 3600},
                                                                        {"distance_m", 10000},
                                                                        {"name", "Tempo"},
                                                                        {"visibility", "only_me"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const auto id = created.json.at("id").to_number<std::int64_t>();
    EXPECT_EQ(created.json.at("name").as_string(), "Tempo");
    EXPECT_EQ(created.json.at("sport").as_string(), "run");
    EXPECT_EQ(created.json.at("visibility").as_string(), "only_me");
    EXPECT_EQ(created.json.at("distance_m").to_number<double>(), 10000.0);
    EXPECT_EQ(created.json.at("elapsed_s").to_number<double>(), 3600.0);

    auto list = client().As(ana).Get("/v1/athlete/activities");
    ASSERT_EQ(list.status, 200) << list.body;
    const auto& items = list.json.at("activities").as_array();
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].at("id").to_number<std::int64_t>(), id);
    EXPECT_TRUE(list.json.at("next_cursor").is_null());

    auto mine = client().As(ana).Get("/v1/activities/" + std::to_string(id));
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_EQ(mine.json.at("is_owner"), true);

    auto missing = client().As(bob).Get("/v1/activities/999999999");
    auto hidden = client().As(bob).Get("/v1/activities/" + std::to_string(id));
    ExpectProblem(missing, 404);
    ExpectProblem(hidden, 404);
    EXPECT_EQ(hidden.json.at("detail"), missing.json.at("detail"));
    EXPECT_TRUE(client().As(bob).Get("/v1/athlete/activities").json.at("activities").as_array().empty());

    ExpectProblem(client().As(ana).Post("/v1/activities",
                                        json::object{{"sport", "run"}, {"start_time", "yesterday"}, {"elapsed_s", 10}}),
                  400, "start_time");
}

TEST_F(InProcessTest, AGpxUploadedThroughTheMultipartRouteIsReady) {
    STRAVA1_REQUIRE_PG();
    // gpxpy's around-visnjan-with-car.gpx (SOURCES.md): a Garmin eTrex 20x track of 104 timed
    // points, 12231 bytes.
    const auto path = testing::TestdataDir(STRAVA1_TESTDATA_DIR) / "gpx" / "around-visnjan-with-car.gpx";
    const std::string gpx = testing::ReadFile(path);
    if (gpx.empty()) {
        STRAVA1_SKIP_OR_FAIL("missing test data " + path.string());
    }
    ASSERT_EQ(gpx.size(), 12231u);
    auto users = app().Users(1);
    const auto& ana = users[0];
    auto body = testing::Multipart("file", "around-visnjan.gpx", gpx, {{"name", "Around Visnjan"}, {"sport", "ride"}});
    auto uploaded =
        client().As(ana).Send(http::Method::kPost, "/v1/uploads", body.bytes, {{"Content-Type", body.content_type}});
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    const auto upload_id = uploaded.json.at("id").to_number<std::int64_t>();
    EXPECT_EQ(uploaded.Header("Location"), "/v1/uploads/" + std::to_string(upload_id));
    EXPECT_EQ(uploaded.json.at("data_type").as_string(), "gpx");

    auto status = client().As(ana).Get("/v1/uploads/" + std::to_string(upload_id));
    ASSERT_EQ(status.status, 200) << status.body;
    EXPECT_EQ(status.json.at("status").as_string(), "ready");
    ASSERT_EQ(status.json.at("activity_ids").as_array().size(), 1u);
    EXPECT_TRUE(status.json.at("error").is_null());
    const auto activity_id = status.json.at("activity_id").to_number<std::int64_t>();

    auto activity = client().As(ana).Get("/v1/activities/" + std::to_string(activity_id));
    ASSERT_EQ(activity.status, 200) << activity.body;
    EXPECT_EQ(activity.json.at("name").as_string(), "Around Visnjan");
    EXPECT_EQ(activity.json.at("sport").as_string(), "ride");
    EXPECT_EQ(activity.json.at("has_original"), true);
    // What the database kept of the file: its size and SHA-256 as MANIFEST.csv lists them.
    db::Result kept = app().Sync(
        app().Pool().Query("SELECT size_bytes, file_sha256 FROM uploads WHERE id = $1", db::Params::Of(upload_id)));
    EXPECT_EQ(kept.Int(0, 0), 12231);
    EXPECT_EQ(kept.String(0, 1), "7c624f58f0675d00f780e258f0004ae7868429c8c9e577f38afda2974b507fe6");

    // The multipart route's own refusals: no file part, and a body that is not multipart.
    auto no_file = testing::Multipart("other", "x.gpx", gpx);
    ExpectProblem(client().As(ana).Send(http::Method::kPost, "/v1/uploads", no_file.bytes,
                                        {{"Content-Type", no_file.content_type}}),
                  400, "other");
}

TEST_F(InProcessTest, APrivacyZoneCrossedMidRouteHidesOnlyThatPartFromOthers) {
    STRAVA1_REQUIRE_PG();
    // sports-lib's 2067489619.gpx (SOURCES.md): a Garmin Connect run of 502 positioned points.
    const auto path = testing::TestdataDir(STRAVA1_TESTDATA_DIR) / "gpx" / "2067489619.gpx";
    const std::string gpx = testing::ReadFile(path);
    if (gpx.empty()) {
        STRAVA1_SKIP_OR_FAIL("missing test data " + path.string());
    }
    auto users = app().Users(2);
    const auto& ana = users[0];
    const auto& bob = users[1];
    // Public, with no hidden start or end: only the zone hides anything.
    std::string activity;
    ASSERT_NO_FATAL_FAILURE(UploadPublic(client(), ana, gpx, "application/gpx+xml", 0, &activity));

    auto own = client().As(ana).Get(activity + "/streams");
    ASSERT_EQ(own.status, 200) << own.body;
    const auto& own_latlng = own.json.at("streams").at("latlng").as_array();
    ASSERT_EQ(own_latlng.size(), 502u);
    // Sample 149 is the run's farthest point from both its start and its end (752 m, a loop that
    // starts and ends 180 m from its own middle sample): a 200 m zone there holds samples 86-170
    // and nothing near the ends.
    const auto& middle = own_latlng[149].as_array();
    auto zone = client().As(ana).Post("/v1/me/privacy-zones",
                                      json::object{{"lat", middle[0]}, {"lng", middle[1]}, {"radius_m", 200}});
    ASSERT_EQ(zone.status, 201) << zone.body;

    auto seen = client().As(bob).Get(activity + "/streams");
    ASSERT_EQ(seen.status, 200) << seen.body;
    const auto& streams = seen.json.at("streams");
    const auto& latlng = streams.at("latlng").as_array();
    // Only the samples inside the zone are gone: some, not most, and never the ends.
    EXPECT_EQ(latlng.size(), 502u - 85u);
    EXPECT_EQ(latlng.front(), own_latlng.front());
    EXPECT_EQ(latlng.back(), own_latlng.back());
    EXPECT_EQ(seen.json.at("original_size").to_number<std::int64_t>(), static_cast<std::int64_t>(latlng.size()));
    for (const auto& point : latlng) {
        EXPECT_NE(point, own_latlng[149]);
    }
    // The samples just before and just after the zone stay, one after the other.
    EXPECT_EQ(latlng[85], own_latlng[85]);
    EXPECT_EQ(latlng[86], own_latlng[171]);
    // The route breaks there, so a map draws two lines and a chart leaves a gap: one break, at the
    // first sample after the zone; none for the owner.
    EXPECT_EQ(seen.json.at("breaks"), (json::array{86}));
    EXPECT_EQ(own.json.at("breaks"), json::array{});
    // Downsampled, the break stays at the first pick after the zone, and only there.
    auto low = client().As(bob).Get(activity + "/streams?resolution=low");
    ASSERT_EQ(low.status, 200) << low.body;
    const auto& low_latlng = low.json.at("streams").at("latlng").as_array();
    ASSERT_EQ(low_latlng.size(), 100u);
    std::size_t first_after = 0;
    while (first_after < low_latlng.size() && std::find(own_latlng.begin(), own_latlng.begin() + 171,
                                                        low_latlng[first_after]) != own_latlng.begin() + 171) {
        ++first_after;
    }
    ASSERT_GT(first_after, 0u);
    ASSERT_LT(first_after, low_latlng.size());
    EXPECT_EQ(low.json.at("breaks"), (json::array{static_cast<std::int64_t>(first_after)}));
    EXPECT_EQ(client().As(ana).Get(activity + "/streams?resolution=low").json.at("breaks"), json::array{});
    // The charts keep their data: every other stream has one value per visible sample.
    ASSERT_TRUE(streams.as_object().contains("heartrate"));
    EXPECT_EQ(streams.at("heartrate").as_array().size(), latlng.size());
    EXPECT_EQ(streams.at("altitude").as_array().size(), latlng.size());

    auto detail = client().As(bob).Get(activity);
    ASSERT_EQ(detail.status, 200) << detail.body;
    EXPECT_EQ(detail.json.at("route_partly_hidden"), true);
    EXPECT_EQ(detail.json.at("point_count").to_number<std::int64_t>(), static_cast<std::int64_t>(latlng.size()));
    EXPECT_FALSE(detail.json.at("polyline").is_null());
    // The polylines break once too, where the zone cut them, so no line is drawn across it.
    EXPECT_EQ(detail.json.at("polyline_breaks").as_array().size(), 1u);
    EXPECT_EQ(detail.json.at("summary_polyline_breaks").as_array().size(), 1u);
    EXPECT_EQ(client().As(ana).Get(activity).json.at("polyline_breaks"), json::array{});
    auto listed = client().As(bob).Get("/v1/users/" + std::to_string(ana.id) + "/activities");
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_EQ(listed.json.at("activities").as_array().at(0).at("summary_polyline_breaks").as_array().size(), 1u);
    EXPECT_EQ(client().As(ana).Get(activity).json.at("route_partly_hidden"), false);

    // Moving the zone off the route (PATCH) gives others the whole route at once; moving it back
    // hides that part again. The checks are create's; another's zone answers like a missing one.
    const std::string zone_path =
        "/v1/me/privacy-zones/" + std::to_string(zone.json.at("id").to_number<std::int64_t>());
    ExpectProblem(client().As(ana).Patch(zone_path, json::object{{"radius_m", 50}}), 400, "radius_m");
    ExpectProblem(client().As(ana).Patch(zone_path, json::object{{"lat", nullptr}}), 400, "lat");
    ExpectProblem(client().As(ana).Patch(zone_path, json::object{{"colour", "red"}}), 400, "colour");
    EXPECT_EQ(client().As(bob).Patch(zone_path, json::object{{"radius_m", 300}}).status, 404);
    EXPECT_EQ(client().As(ana).Patch("/v1/me/privacy-zones/999999999", json::object{{"radius_m", 300}}).status, 404);
    auto moved = client().As(ana).Patch(zone_path, json::object{{"lat", middle[0].to_number<double>() + 0.5}});
    ASSERT_EQ(moved.status, 200) << moved.body;
    EXPECT_EQ(moved.json.at("lat").to_number<double>(), middle[0].to_number<double>() + 0.5);
    EXPECT_EQ(moved.json.at("lng"), middle[1]);
    EXPECT_EQ(moved.json.at("radius_m").to_number<double>(), 200);
    auto away = client().As(bob).Get(activity + "/streams");
    EXPECT_EQ(away.json.at("streams").at("latlng").as_array().size(), 502u);
    EXPECT_EQ(away.json.at("breaks"), json::array{});
    EXPECT_EQ(client().As(bob).Get(activity).json.at("route_partly_hidden"), false);
    auto back = client().As(ana).Patch(zone_path, json::object{{"lat", middle[0]}, {"radius_m", 200}});
    ASSERT_EQ(back.status, 200) << back.body;
    auto again = client().As(bob).Get(activity + "/streams");
    EXPECT_EQ(again.json.at("streams").at("latlng").as_array().size(), 502u - 85u);
    EXPECT_EQ(again.json.at("breaks"), (json::array{86}));

    // Without the zone, the whole route is everybody's again.
    ASSERT_EQ(client()
                  .As(ana)
                  .Delete("/v1/me/privacy-zones/" + std::to_string(zone.json.at("id").to_number<std::int64_t>()))
                  .status,
              204);
    auto whole = client().As(bob).Get(activity);
    EXPECT_EQ(whole.json.at("route_partly_hidden"), false);
    EXPECT_EQ(client().As(bob).Get(activity + "/streams").json.at("streams").at("latlng").as_array().size(), 502u);
}

/// The curve as the API gives it, [(duration_s, value)].
std::vector<std::pair<std::int64_t, double>> CurveOf(const json::value& curve) {
    std::vector<std::pair<std::int64_t, double>> out;
    for (const auto& point : curve.as_array()) {
        out.emplace_back(point.at("duration_s").to_number<std::int64_t>(), point.at("value").to_number<double>());
    }
    return out;
}

void ExpectCurve(const json::value& got, const std::vector<analytics::CurvePoint>& expected) {
    const auto curve = CurveOf(got);
    ASSERT_EQ(curve.size(), expected.size());
    for (std::size_t k = 0; k < curve.size(); ++k) {
        EXPECT_EQ(curve[k].first, expected[k].duration_s);
        EXPECT_NEAR(curve[k].second, expected[k].value, 1e-6) << expected[k].duration_s << " s";
    }
}

TEST_F(InProcessTest, TheCurvesAreTheAnalysisOnesAndOthersGetTheirVisibleWindows) {
    STRAVA1_REQUIRE_PG();
    // tormoder's Edge 530 ride (SOURCES.md): 8823 records with power and heart rate.
    const auto path = testing::TestdataDir(STRAVA1_TESTDATA_DIR) / "fit" / "tormoder_bpg_garmin.fit";
    const std::string fit = testing::ReadFile(path);
    if (fit.empty()) {
        STRAVA1_SKIP_OR_FAIL("missing test data " + path.string());
    }
    auto parsed = formats::ParseFit(fit);
    ASSERT_TRUE(parsed.ok()) << parsed.error().reason;
    ASSERT_EQ(parsed.value().activities.size(), 1u);
    const formats::Activity& ride = parsed.value().activities[0];
    const analytics::ActivityAnalysis whole = analytics::Analyse(ride, {});
    ASSERT_GT(whole.power_curve.size(), 10u);

    auto users = app().Users(2);
    const auto& ana = users[0];
    const auto& bob = users[1];
    // Public, its start and end hidden from others within 500 m.
    std::string activity;
    ASSERT_NO_FATAL_FAILURE(UploadPublic(client(), ana, fit, "application/octet-stream", 500, &activity));

    // The owner's curves are the stored analysis' own, over every sample.
    auto own = client().As(ana).Get(activity + "/curves");
    ASSERT_EQ(own.status, 200) << own.body;
    ExpectCurve(own.json.at("power"), whole.power_curve);
    ExpectCurve(own.json.at("heart_rate"), whole.heart_rate_curve);
    ExpectCurve(own.json.at("speed"), whole.speed_curve);

    // Another viewer's are measured over what they see, from their first to their last visible
    // sample: found in the owner's positions by the first and last position they are shown.
    auto own_streams = client().As(ana).Get(activity + "/streams?keys=latlng");
    auto seen_streams = client().As(bob).Get(activity + "/streams?keys=latlng");
    ASSERT_EQ(seen_streams.status, 200) << seen_streams.body;
    const auto& own_latlng = own_streams.json.at("streams").at("latlng").as_array();
    const auto& seen_latlng = seen_streams.json.at("streams").at("latlng").as_array();
    ASSERT_EQ(own_latlng.size(), ride.track.size());
    ASSERT_GT(seen_latlng.size(), 100u);
    const auto first = static_cast<std::size_t>(std::find(own_latlng.begin(), own_latlng.end(), seen_latlng.front()) -
                                                own_latlng.begin());
    const auto last = static_cast<std::size_t>(
        std::find(own_latlng.rbegin(), own_latlng.rend(), seen_latlng.back()).base() - own_latlng.begin() - 1);
    ASSERT_GT(first, 0u) << "the start is hidden";
    ASSERT_LT(last, ride.track.size() - 1) << "the end is hidden";
    formats::Activity window;
    window.sport = ride.sport;
    window.track.point_count = last - first + 1;
    auto copy = [first, last](const auto& column, auto& into) {
        if (!column.empty()) {
            into.assign(column.begin() + static_cast<std::ptrdiff_t>(first),
                        column.begin() + static_cast<std::ptrdiff_t>(last) + 1);
        }
    };
    copy(ride.track.time_ms, window.track.time_ms);
    copy(ride.track.altitude_m, window.track.altitude_m);
    copy(ride.track.distance_m, window.track.distance_m);
    copy(ride.track.speed_mps, window.track.speed_mps);
    copy(ride.track.heart_rate_bpm, window.track.heart_rate_bpm);
    copy(ride.track.cadence_rpm, window.track.cadence_rpm);
    copy(ride.track.power_w, window.track.power_w);
    copy(ride.track.temperature_c, window.track.temperature_c);
    const analytics::ActivityAnalysis shown = analytics::Analyse(window, {});
    auto seen = client().As(bob).Get(activity + "/curves");
    ASSERT_EQ(seen.status, 200) << seen.body;
    ExpectCurve(seen.json.at("power"), shown.power_curve);
    ExpectCurve(seen.json.at("heart_rate"), shown.heart_rate_curve);
    ExpectCurve(seen.json.at("speed"), shown.speed_curve);
    EXPECT_NE(CurveOf(seen.json.at("power")), CurveOf(own.json.at("power")));

    // A hidden metric's curve is empty for others; an activity they may not see is a 404.
    ASSERT_EQ(client().As(ana).Patch(activity, json::object{{"hidden_metrics", json::array{"power"}}}).status, 200);
    auto hidden = client().As(bob).Get(activity + "/curves");
    EXPECT_EQ(hidden.json.at("power"), json::array{});
    EXPECT_FALSE(hidden.json.at("heart_rate").as_array().empty());
    ASSERT_EQ(client().As(ana).Patch(activity, json::object{{"visibility", "only_me"}}).status, 200);
    EXPECT_EQ(client().As(bob).Get(activity + "/curves").status, 404);
}

/// sports-lib's 2067489619.gpx (SOURCES.md): a Garmin Connect run of 502 positioned points with
/// heart rate; empty when the test data is missing.
std::string RunWithHeartRate() {
    return testing::ReadFile(testing::TestdataDir(STRAVA1_TESTDATA_DIR) / "gpx" / "2067489619.gpx");
}

TEST_F(InProcessTest, TheOwnersPreviewIsExactlyWhatOthersSee) {
    STRAVA1_REQUIRE_PG();
    const std::string gpx = RunWithHeartRate();
    if (gpx.empty()) {
        STRAVA1_SKIP_OR_FAIL("missing test data 2067489619.gpx");
    }
    auto users = app().Users(2);
    const auto& ana = users[0];
    const auto& bob = users[1];
    // Public, with the start and end hidden within 200 m, a privacy zone mid-way and heart rate hidden:
    // every kind of privacy at once.
    std::string activity;
    ASSERT_NO_FATAL_FAILURE(UploadPublic(client(), ana, gpx, "application/gpx+xml", 200, &activity));
    auto own = client().As(ana).Get(activity + "/streams");
    ASSERT_EQ(own.status, 200) << own.body;
    const auto& middle = own.json.at("streams").at("latlng").as_array().at(149).as_array();
    ASSERT_EQ(client()
                  .As(ana)
                  .Post("/v1/me/privacy-zones", json::object{{"lat", middle[0]}, {"lng", middle[1]}, {"radius_m", 200}})
                  .status,
              201);
    ASSERT_EQ(client().As(ana).Patch(activity, json::object{{"hidden_metrics", json::array{"heart_rate"}}}).status,
              200);

    // Every resource the activity page reads: the owner's preview as a stranger is byte for byte what
    // Bob gets, and Bob asking for more (view_as) gets exactly the same again.
    for (const std::string part :
         {"", "/streams", "/laps", "/splits", "/zones", "/curves", "/best-efforts", "/lengths"}) {
        auto bobs = client().As(bob).Get(activity + part);
        ASSERT_EQ(bobs.status, 200) << part << ": " << bobs.body;
        auto preview = client().As(ana).Get(activity + part + "?view_as=stranger");
        ASSERT_EQ(preview.status, 200) << part << ": " << preview.body;
        EXPECT_EQ(preview.body, bobs.body) << part;
        EXPECT_EQ(client().As(ana).Get(activity + part + "?view_as=follower").body, bobs.body) << part;
        EXPECT_EQ(client().As(bob).Get(activity + part + "?view_as=follower").body, bobs.body) << part;
        EXPECT_EQ(client().As(bob).Get(activity + part + "?view_as=stranger").body, bobs.body) << part;
    }
    auto mine = client().As(ana).Get(activity);
    auto preview = client().As(ana).Get(activity + "?view_as=stranger");
    EXPECT_EQ(mine.json.at("is_owner"), true);
    EXPECT_FALSE(mine.json.at("avg_heart_rate_bpm").is_null());
    EXPECT_EQ(mine.json.at("hidden_metrics"), (json::array{"heart_rate"}));
    EXPECT_TRUE(mine.json.as_object().contains("hide_from_feed"));
    EXPECT_EQ(preview.json.at("is_owner"), false);
    EXPECT_TRUE(preview.json.at("avg_heart_rate_bpm").is_null());
    EXPECT_TRUE(preview.json.at("hidden_metrics").as_array().empty());
    EXPECT_TRUE(preview.json.at("hide_endpoints_m").is_null());
    EXPECT_EQ(preview.json.at("has_original"), false);
    EXPECT_EQ(preview.json.at("route_partly_hidden"), true);
    EXPECT_FALSE(preview.json.as_object().contains("hide_from_feed"));
    EXPECT_LT(preview.json.at("point_count").to_number<std::int64_t>(), 502);
    auto own_streams = client().As(ana).Get(activity + "/streams?view_as=stranger");
    EXPECT_FALSE(own_streams.json.at("streams").as_object().contains("heartrate"));
    EXPECT_LT(own_streams.json.at("streams").at("latlng").as_array().size(), 502u);

    // Followers only: a follower sees it, a stranger does not, and the preview says so rather than
    // answer the owner as if the activity were missing.
    ASSERT_EQ(client().As(ana).Patch(activity, json::object{{"visibility", "followers"}}).status, 200);
    auto as_follower = client().As(ana).Get(activity + "?view_as=follower");
    ASSERT_EQ(as_follower.status, 200) << as_follower.body;
    EXPECT_EQ(as_follower.json.at("is_owner"), false);
    EXPECT_TRUE(as_follower.json.at("avg_heart_rate_bpm").is_null());
    auto as_stranger = client().As(ana).Get(activity + "?view_as=stranger");
    ExpectProblem(as_stranger, 404);
    EXPECT_EQ(as_stranger.json.at("detail").as_string(), "A stranger cannot see this activity");
    ExpectProblem(client().As(ana).Get(activity + "/streams?view_as=stranger"), 404);
    // Bob follows nobody (no follow relation yet): asking as a follower shows him nothing more.
    auto bob_plain = client().As(bob).Get(activity);
    auto bob_asking = client().As(bob).Get(activity + "?view_as=follower");
    ExpectProblem(bob_plain, 404);
    ExpectProblem(bob_asking, 404);
    EXPECT_EQ(bob_asking.json.at("detail"), bob_plain.json.at("detail"));
    ExpectProblem(client().As(bob).Get(activity + "/streams?view_as=follower"), 404);

    ASSERT_EQ(client().As(ana).Patch(activity, json::object{{"visibility", "only_me"}}).status, 200);
    auto only_me = client().As(ana).Get(activity + "?view_as=follower");
    ExpectProblem(only_me, 404);
    EXPECT_EQ(only_me.json.at("detail").as_string(), "A follower cannot see this activity");
    EXPECT_EQ(client().As(ana).Get(activity).status, 200);

    ExpectProblem(client().As(ana).Get(activity + "?view_as=friend"), 400, "view_as");
    ExpectProblem(client().As(ana).Get(activity + "/laps?view_as="), 400, "view_as");
}

TEST_F(InProcessTest, HideFromTheFeedIsSetAtUploadAndByPatchAndShownOnlyToTheOwner) {
    STRAVA1_REQUIRE_PG();
    const std::string gpx = RunWithHeartRate();
    if (gpx.empty()) {
        STRAVA1_SKIP_OR_FAIL("missing test data 2067489619.gpx");
    }
    auto users = app().Users(2);
    const auto& ana = users[0];
    const auto& bob = users[1];
    ASSERT_EQ(client().As(ana).Patch("/v1/me", json::object{{"default_visibility", "everyone"}}).status, 200);
    ExpectProblem(client().As(ana).Send(http::Method::kPost, "/v1/uploads?hide_from_feed=yes", gpx,
                                        {{"Content-Type", "application/gpx+xml"}}),
                  400, "hide_from_feed");
    auto body = testing::Multipart("file", "run.gpx", gpx, {{"hide_from_feed", "true"}});
    auto uploaded =
        client().As(ana).Send(http::Method::kPost, "/v1/uploads", body.bytes, {{"Content-Type", body.content_type}});
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    ASSERT_EQ(uploaded.json.at("status").as_string(), "ready") << uploaded.body;
    const std::string activity =
        "/v1/activities/" + std::to_string(uploaded.json.at("activity_id").to_number<std::int64_t>());

    EXPECT_EQ(client().As(ana).Get(activity).json.at("hide_from_feed"), true);
    auto bobs = client().As(bob).Get(activity);
    ASSERT_EQ(bobs.status, 200) << bobs.body;
    EXPECT_FALSE(bobs.json.as_object().contains("hide_from_feed"));
    // Still on the owner's profile for others: hidden from the feed only.
    EXPECT_EQ(client()
                  .As(bob)
                  .Get("/v1/users/" + std::to_string(ana.id) + "/activities")
                  .json.at("activities")
                  .as_array()
                  .size(),
              1u);

    auto patched = client().As(ana).Patch(activity, json::object{{"hide_from_feed", false}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json.at("hide_from_feed"), false);
    EXPECT_EQ(client().As(ana).Get(activity).json.at("hide_from_feed"), false);
    ASSERT_EQ(client().As(ana).Patch(activity, json::object{{"hide_from_feed", true}}).status, 200);
    EXPECT_EQ(client().As(ana).Get(activity).json.at("hide_from_feed"), true);
    ExpectProblem(client().As(ana).Patch(activity, json::object{{"hide_from_feed", nullptr}}), 400, "hide_from_feed");
    ExpectProblem(client().As(ana).Patch(activity, json::object{{"hide_from_feed", "yes"}}), 400, "hide_from_feed");
    // Not Bob's to change, and he learns nothing from trying.
    ExpectProblem(client().As(bob).Patch(activity, json::object{{"hide_from_feed", false}}), 404);
    EXPECT_EQ(client().As(ana).Get(activity).json.at("hide_from_feed"), true);
}

}  // namespace
}  // namespace strava1::app
