// Social's routes through the composed app in-process: follows (instant and approved), the bad
// input of following, blocks that hide everything both ways, and "followers" visibility of
// activities working for an accepted follower on every activity route.
#include <gtest/gtest.h>

#include <cstdio>

#include "test_app.hpp"

namespace strava1::app {
namespace {

using testing::ExpectProblem;
using testing::TestUser;
namespace json = boost::json;

std::string U(const TestUser& user) { return "/v1/users/" + std::to_string(user.id); }

/// A short GPX run (a point a second along a line), distinct per `seed`.
std::string Gpx(int seed) {
    std::string gpx =
        "<?xml version=\"1.0\"?><gpx version=\"1.1\" creator=\"social\" "
        "xmlns=\"http://www.topografix.com/GPX/1/1\"><trk><trkseg>";
    for (int i = 0; i < 90; ++i) {
        char point[200];
        std::snprintf(point, sizeof point,
                      "<trkpt lat=\"%.6f\" lon=\"%.6f\"><ele>300</ele><time>2026-05-%02dT08:%02d:%02dZ</time></trkpt>",
                      47.0 + seed * 0.01 + i * 0.00003, 8.0 + i * 0.00002, 1 + seed % 28, i / 60, i % 60);
        gpx += point;
    }
    return gpx + "</trkseg></trk></gpx>";
}

std::vector<std::int64_t> Ids(const testing::InProcessResponse& list) {
    std::vector<std::int64_t> out;
    for (const auto& u : list.json.at("users").as_array()) {
        out.push_back(u.at("id").to_number<std::int64_t>());
    }
    return out;
}

TEST_F(InProcessTest, FollowingAnOpenProfileIsInstantIdempotentAndCounted) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(3);
    const auto& ana = users[0];
    const auto& bob = users[1];
    const auto& cy = users[2];

    auto first = client().As(bob).Post(U(ana) + "/follow");
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.json.at("state"), "accepted");
    EXPECT_EQ(first.json.at("user_id").to_number<std::int64_t>(), ana.id);
    auto again = client().As(bob).Post(U(ana) + "/follow");
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.json.at("state"), "accepted");

    auto profile = client().As(bob).Get(U(ana));
    ASSERT_EQ(profile.status, 200) << profile.body;
    EXPECT_EQ(profile.json.at("follower_count").to_number<std::int64_t>(), 1) << "a double follow is one row";
    EXPECT_EQ(profile.json.at("following_count").to_number<std::int64_t>(), 0);
    EXPECT_EQ(profile.json.at("relationship").at("following"), "accepted");
    EXPECT_EQ(profile.json.at("relationship").at("followed_by"), false);
    EXPECT_EQ(profile.json.at("relationship").at("blocked"), false);
    EXPECT_EQ(client().As(ana).Get(U(bob)).json.at("relationship").at("followed_by"), true);

    // Bad input: oneself (400 naming user_id), a missing user (404).
    ExpectProblem(client().As(bob).Post(U(bob) + "/follow"), 400, "user_id");
    auto missing = client().As(bob).Post("/v1/users/999999999999/follow");
    ExpectProblem(missing, 404);

    // Lists: is_friend once the follow is mutual.
    auto followers = client().As(cy).Get(U(ana) + "/followers");
    ASSERT_EQ(followers.status, 200) << followers.body;
    ASSERT_EQ(Ids(followers), std::vector<std::int64_t>{bob.id});
    EXPECT_EQ(followers.json.at("users").at(0).at("is_friend"), false);
    ASSERT_EQ(client().As(ana).Post(U(bob) + "/follow").status, 200);
    followers = client().As(cy).Get(U(ana) + "/followers");
    EXPECT_EQ(followers.json.at("users").at(0).at("is_friend"), true);
    auto following = client().As(cy).Get(U(bob) + "/following");
    ASSERT_EQ(Ids(following), std::vector<std::int64_t>{ana.id});
    EXPECT_EQ(following.json.at("users").at(0).at("is_friend"), true);

    // Cursor pagination: one a page.
    ASSERT_EQ(client().As(cy).Post(U(ana) + "/follow").status, 200);
    auto page1 = client().As(bob).Get(U(ana) + "/followers?limit=1");
    ASSERT_EQ(page1.status, 200) << page1.body;
    ASSERT_EQ(Ids(page1), std::vector<std::int64_t>{cy.id});
    ASSERT_TRUE(page1.json.at("next_cursor").is_string());
    auto page2 = client().As(bob).Get(
        U(ana) + "/followers?limit=1&cursor=" + std::string(page1.json.at("next_cursor").as_string()));
    ASSERT_EQ(Ids(page2), std::vector<std::int64_t>{bob.id});
    EXPECT_TRUE(page2.json.at("next_cursor").is_null());

    // Unfollow, remove a follower.
    EXPECT_EQ(client().As(cy).Delete(U(ana) + "/follow").status, 204);
    EXPECT_EQ(client().As(ana).Delete("/v1/me/followers/" + std::to_string(bob.id)).status, 204);
    ExpectProblem(client().As(ana).Delete("/v1/me/followers/" + std::to_string(bob.id)), 404);
    EXPECT_EQ(client().As(cy).Get(U(ana)).json.at("follower_count").to_number<std::int64_t>(), 0);
}

TEST_F(InProcessTest, AProfileThatApprovesFollowersGetsRequests) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(3);
    const auto& ana = users[0];
    const auto& bob = users[1];
    const auto& cy = users[2];
    auto patched = client().As(ana).Patch("/v1/me", json::object{{"approve_followers", true}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json.at("approve_followers"), true);
    EXPECT_EQ(client().As(ana).Get("/v1/me").json.at("approve_followers"), true);
    ExpectProblem(client().As(ana).Patch("/v1/me", json::object{{"approve_followers", "yes"}}), 400,
                  "approve_followers");

    auto asked = client().As(bob).Post(U(ana) + "/follow");
    ASSERT_EQ(asked.status, 200) << asked.body;
    EXPECT_EQ(asked.json.at("state"), "pending");
    EXPECT_EQ(client().As(bob).Post(U(ana) + "/follow").json.at("state"), "pending") << "idempotent";
    ASSERT_EQ(client().As(cy).Post(U(ana) + "/follow").json.at("state"), "pending");
    EXPECT_EQ(client().As(bob).Get(U(ana)).json.at("relationship").at("following"), "pending");

    // The lists of an approving profile: its owner and accepted followers only.
    ExpectProblem(client().As(bob).Get(U(ana) + "/followers"), 404);
    ExpectProblem(client().As(bob).Get(U(ana) + "/following"), 404);
    EXPECT_EQ(client().As(ana).Get(U(ana) + "/followers").status, 200);

    auto requests = client().As(ana).Get("/v1/me/follow-requests");
    ASSERT_EQ(requests.status, 200) << requests.body;
    EXPECT_EQ(Ids(requests), (std::vector<std::int64_t>{cy.id, bob.id})) << "newest first";
    EXPECT_TRUE(requests.json.at("users").at(0).at("requested_at").is_string());
    auto first = client().As(ana).Get("/v1/me/follow-requests?limit=1");
    auto rest = client().As(ana).Get("/v1/me/follow-requests?limit=1&cursor=" +
                                     std::string(first.json.at("next_cursor").as_string()));
    EXPECT_EQ(Ids(rest), std::vector<std::int64_t>{bob.id});

    EXPECT_EQ(client().As(ana).Post("/v1/me/follow-requests/" + std::to_string(bob.id) + "/accept").status, 204);
    ExpectProblem(client().As(ana).Post("/v1/me/follow-requests/" + std::to_string(bob.id) + "/accept"), 404);
    ExpectProblem(client().As(ana).Post("/v1/me/follow-requests/999999999999/accept"), 404);
    EXPECT_EQ(client().As(ana).Post("/v1/me/follow-requests/" + std::to_string(cy.id) + "/decline").status, 204);
    ExpectProblem(client().As(ana).Post("/v1/me/follow-requests/" + std::to_string(cy.id) + "/decline"), 404);
    EXPECT_EQ(client().As(bob).Get(U(ana)).json.at("relationship").at("following"), "accepted");
    EXPECT_EQ(client().As(cy).Get(U(ana)).json.at("relationship").at("following"), "none");
    auto followers = client().As(bob).Get(U(ana) + "/followers");
    ASSERT_EQ(followers.status, 200) << followers.body;
    EXPECT_EQ(Ids(followers), std::vector<std::int64_t>{bob.id});

    // Cancelling a request.
    ASSERT_EQ(client().As(cy).Post(U(ana) + "/follow").json.at("state"), "pending");
    EXPECT_EQ(client().As(cy).Delete(U(ana) + "/follow").status, 204);
    EXPECT_TRUE(client().As(ana).Get("/v1/me/follow-requests").json.at("users").as_array().empty());
}

TEST_F(InProcessTest, FollowersOnlyActivitiesAreForFollowersAndABlockHidesEverything) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(3);
    const auto& ana = users[0];
    const auto& fan = users[1];
    const auto& other = users[2];
    auto body = testing::Multipart("file", "run.gpx", Gpx(static_cast<int>(ana.id % 1000)), {{"name", "Hill repeats"}});
    auto uploaded =
        client().As(ana).Send(http::Method::kPost, "/v1/uploads", body.bytes, {{"Content-Type", body.content_type}});
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    auto status =
        client().As(ana).Get("/v1/uploads/" + std::to_string(uploaded.json.at("id").to_number<std::int64_t>()));
    ASSERT_EQ(status.json.at("status"), "ready") << status.body;
    const std::string activity =
        "/v1/activities/" + std::to_string(status.json.at("activity_id").to_number<std::int64_t>());
    ASSERT_EQ(client().As(ana).Patch(activity, json::object{{"visibility", "followers"}}).status, 200);
    ASSERT_EQ(client().As(fan).Post(U(ana) + "/follow").json.at("state"), "accepted");

    const std::vector<std::string> routes = {activity, activity + "/streams", activity + "/export.gpx",
                                             activity + "/splits", activity + "/best-efforts"};
    for (const auto& route : routes) {
        EXPECT_EQ(client().As(fan).Get(route).status, 200) << "a follower sees " << route;
        ExpectProblem(client().As(other).Get(route), 404);
    }
    auto listed = client().As(fan).Get(U(ana) + "/activities");
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_EQ(listed.json.at("activities").as_array().size(), 1u);
    EXPECT_TRUE(client().As(other).Get(U(ana) + "/activities").json.at("activities").as_array().empty());
    auto stats = client().As(fan).Get(U(ana) + "/stats");
    ASSERT_EQ(stats.status, 200) << stats.body;
    EXPECT_NE(stats.body, client().As(other).Get(U(ana) + "/stats").body) << "the follower's totals count it";

    // Ana blocks the fan: follows go both ways, and everything of each answers 404 to the other,
    // exactly like a missing user or activity, even what everyone may see.
    ASSERT_EQ(client().As(ana).Post(U(fan) + "/follow").status, 200);
    ASSERT_EQ(client().As(ana).Patch(activity, json::object{{"visibility", "everyone"}}).status, 200);
    EXPECT_EQ(client().As(ana).Post(U(fan) + "/block").status, 204);
    EXPECT_EQ(client().As(ana).Post(U(fan) + "/block").status, 204) << "idempotent";
    ExpectProblem(client().As(ana).Post(U(ana) + "/block"), 400, "user_id");
    ExpectProblem(client().As(ana).Post("/v1/users/999999999999/block"), 404);
    auto missing_user = client().As(fan).Get("/v1/users/999999999999");
    for (const std::string suffix : {"", "/activities", "/stats", "/followers", "/following"}) {
        auto hidden = client().As(fan).Get(U(ana) + suffix);
        ExpectProblem(hidden, 404);
        EXPECT_EQ(hidden.json.at("detail"), missing_user.json.at("detail")) << suffix;
        ExpectProblem(client().As(ana).Get(U(fan) + suffix), 404);  // and the blocker's side
    }
    for (const auto& route : routes) {
        ExpectProblem(client().As(fan).Get(route), 404);
        EXPECT_EQ(client().As(other).Get(route).status, 200) << route;
    }
    ExpectProblem(client().As(fan).Post(U(ana) + "/follow"), 404);
    ExpectProblem(client().As(ana).Post(U(fan) + "/follow"), 404);
    EXPECT_EQ(client().As(other).Get(U(ana)).json.at("follower_count").to_number<std::int64_t>(), 0)
        << "the block removed the fan's follow";
    EXPECT_EQ(client().As(other).Get(U(ana)).json.at("following_count").to_number<std::int64_t>(), 0);
    auto blocks = client().As(ana).Get("/v1/me/blocks");
    ASSERT_EQ(Ids(blocks), std::vector<std::int64_t>{fan.id});
    EXPECT_TRUE(blocks.json.at("users").at(0).at("blocked_at").is_string());

    EXPECT_EQ(client().As(ana).Delete(U(fan) + "/block").status, 204);
    EXPECT_EQ(client().As(fan).Get(activity).status, 200) << "unblocked";
    EXPECT_EQ(client().As(fan).Get(U(ana)).json.at("relationship").at("following"), "none");

    // Mute: the profile says so; it hides nothing.
    EXPECT_EQ(client().As(fan).Post(U(ana) + "/mute").status, 204);
    EXPECT_EQ(client().As(fan).Get(U(ana)).json.at("relationship").at("muted"), true);
    EXPECT_EQ(client().As(fan).Get(activity).status, 200);
    EXPECT_EQ(client().As(fan).Delete(U(ana) + "/mute").status, 204);
    EXPECT_EQ(client().As(fan).Get(U(ana)).json.at("relationship").at("muted"), false);
}

TEST_F(InProcessTest, FollowRequestsPastTheHourlyBudgetAreRefusedWithRetryAfter) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(3);
    const auto& ana = users[0];
    // 199 spent in this hour (the counter row is what every process shares).
    app().Sync(app().Pool().Query(
        "INSERT INTO follow_request_budget (user_id, window_start, used) VALUES ($1, now() - interval '10 minutes', 199)",
        db::Params::Of(ana.id)));
    EXPECT_EQ(client().As(ana).Post(U(users[1]) + "/follow").status, 200) << "the 200th";
    auto refused = client().As(ana).Post(U(users[2]) + "/follow");
    ExpectProblem(refused, 429);
    const int retry_after = std::stoi(std::string(refused.Header("Retry-After")));
    EXPECT_GT(retry_after, 40 * 60);
    EXPECT_LE(retry_after, 50 * 60);
    EXPECT_EQ(client().As(ana).Post(U(users[1]) + "/follow").status, 200) << "a repeat spends nothing";
    EXPECT_EQ(client().As(ana).Get(U(users[2])).json.at("relationship").at("following"), "none");
    // An hour later the window starts again.
    app().Sync(app().Pool().Query(
        "UPDATE follow_request_budget SET window_start = now() - interval '61 minutes' WHERE user_id = $1",
        db::Params::Of(ana.id)));
    EXPECT_EQ(client().As(ana).Post(U(users[2]) + "/follow").status, 200);
}

}  // namespace
}  // namespace strava1::app
