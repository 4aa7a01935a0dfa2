// Activities' routes through the composed app in-process (the in-process tier, ADR 0005): a manual
// activity created, listed and hidden from another user exactly like a missing one; a real GPX
// uploaded through the multipart route to "ready"; a privacy zone crossed mid-route hides only the
// part of the route inside it from another user, who is told that part is hidden; the owner's "what
// others see" preview (view_as) is exactly what another user gets; "hide from the feed" is the owner's.
#include <gtest/gtest.h>

#include "strava1/testing/testdata.hpp"
#include "test_app.hpp"

namespace strava1::app {
namespace {

using testing::ExpectProblem;
namespace json = boost::json;

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
    ASSERT_EQ(client()
                  .As(ana)
                  .Patch("/v1/me", json::object{{"default_visibility", "everyone"}, {"hide_endpoints_m", 0}})
                  .status,
              200);
    auto uploaded =
        client().As(ana).Send(http::Method::kPost, "/v1/uploads", gpx, {{"Content-Type", "application/gpx+xml"}});
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    auto status =
        client().As(ana).Get("/v1/uploads/" + std::to_string(uploaded.json.at("id").to_number<std::int64_t>()));
    ASSERT_EQ(status.json.at("status").as_string(), "ready") << status.body;
    const std::string activity =
        "/v1/activities/" + std::to_string(status.json.at("activity_id").to_number<std::int64_t>());

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
    // The charts keep their data: every other stream has one value per visible sample.
    ASSERT_TRUE(streams.as_object().contains("heartrate"));
    EXPECT_EQ(streams.at("heartrate").as_array().size(), latlng.size());
    EXPECT_EQ(streams.at("altitude").as_array().size(), latlng.size());

    auto detail = client().As(bob).Get(activity);
    ASSERT_EQ(detail.status, 200) << detail.body;
    EXPECT_EQ(detail.json.at("route_partly_hidden"), true);
    EXPECT_EQ(detail.json.at("point_count").to_number<std::int64_t>(), static_cast<std::int64_t>(latlng.size()));
    EXPECT_FALSE(detail.json.at("polyline").is_null());
    EXPECT_EQ(client().As(ana).Get(activity).json.at("route_partly_hidden"), false);

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
    ASSERT_EQ(client()
                  .As(ana)
                  .Patch("/v1/me", json::object{{"default_visibility", "everyone"}, {"hide_endpoints_m", 200}})
                  .status,
              200);
    auto uploaded =
        client().As(ana).Send(http::Method::kPost, "/v1/uploads", gpx, {{"Content-Type", "application/gpx+xml"}});
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    ASSERT_EQ(uploaded.json.at("status").as_string(), "ready") << uploaded.body;
    const std::string activity =
        "/v1/activities/" + std::to_string(uploaded.json.at("activity_id").to_number<std::int64_t>());
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
    for (const std::string part : {"", "/streams", "/laps", "/splits", "/zones", "/best-efforts", "/lengths"}) {
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
