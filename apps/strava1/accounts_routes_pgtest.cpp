// Accounts' routes through the composed app in-process (the in-process tier, ADR 0005): sign-up,
// the caller's own profile, field errors named in problem+json, and another user's private data
// answered 404 exactly like a missing one.
#include <gtest/gtest.h>

#include "test_app.hpp"

namespace strava1::app {
namespace {

using testing::ExpectProblem;
namespace json = boost::json;

TEST_F(InProcessTest, SignUpThenMeThenAPatchWithABadFieldNamesIt) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(1);
    const auto& ana = users[0];
    auto me = client().As(ana).Get("/v1/me");
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(me.content_type, "application/json");
    EXPECT_EQ(me.json.at("id").to_number<std::int64_t>(), ana.id);
    EXPECT_EQ(me.json.at("email").as_string(), ana.email);
    EXPECT_TRUE(me.json.at("weight_kg").is_null());
    // The headers the server adds to every answer, as a socket's client sees them.
    EXPECT_EQ(me.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(me.Header("Cache-Control"), "no-store");
    EXPECT_FALSE(me.Header("X-Request-Id").empty());
    EXPECT_EQ(me.Header("X-RateLimit-Limit"), "300");

    auto patched = client().As(ana).Patch("/v1/me", json::object{{"bio", "Climbs"}, {"weight_kg", 61.5}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json.at("bio").as_string(), "Climbs");
    EXPECT_EQ(patched.json.at("weight_kg").to_number<double>(), 61.5);

    auto bad = client().As(ana).Patch("/v1/me", json::object{{"weight_kg", 900}});
    ExpectProblem(bad, 400, "weight_kg");
    auto unknown = client().As(ana).Patch("/v1/me", json::object{{"admin", true}});
    ExpectProblem(unknown, 400, "admin");
    EXPECT_EQ(client().As(ana).Get("/v1/me").json.at("weight_kg").to_number<double>(), 61.5)
        << "a rejected PATCH writes nothing";

    // The middleware's own refusals come through the same path: no token, wrong content type.
    ExpectProblem(client().Get("/v1/me"), 401);
    ExpectProblem(
        client().As(ana).Send(http::Method::kPatch, "/v1/me", R"({"bio":"x"})", {{"Content-Type", "text/plain"}}), 415);
    ExpectProblem(client().As(ana).Get("/v1/nothing-here"), 404);
}

TEST_F(InProcessTest, AnotherUsersSessionIsNotFoundLikeAMissingOne) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(2);
    const auto& ana = users[0];
    const auto& bob = users[1];
    auto sessions = client().As(ana).Get("/v1/auth/sessions");
    ASSERT_EQ(sessions.status, 200) << sessions.body;
    const auto& list = sessions.json.at("sessions").as_array();
    ASSERT_EQ(list.size(), 1u);
    const auto ana_session = list[0].at("id").to_number<std::int64_t>();

    auto missing = client().As(bob).Delete("/v1/auth/sessions/999999999");
    auto foreign = client().As(bob).Delete("/v1/auth/sessions/" + std::to_string(ana_session));
    ExpectProblem(missing, 404);
    ExpectProblem(foreign, 404);
    EXPECT_EQ(foreign.json.at("detail"), missing.json.at("detail"));
    EXPECT_EQ(client().As(ana).Get("/v1/auth/sessions").json.at("sessions").as_array().size(), 1u)
        << "Bob's request removed nothing";

    // Ana's public profile as Bob sees it carries no private field.
    auto profile = client().As(bob).Get("/v1/users/" + std::to_string(ana.id));
    ASSERT_EQ(profile.status, 200) << profile.body;
    EXPECT_EQ(profile.json.at("id").to_number<std::int64_t>(), ana.id);
    EXPECT_FALSE(profile.json.as_object().contains("email"));
    EXPECT_FALSE(profile.json.as_object().contains("weight_kg"));
}

}  // namespace
}  // namespace strava1::app
