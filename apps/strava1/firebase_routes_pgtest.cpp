// Firebase ID tokens through the composed app in-process (ADR 0024): such a request goes through the
// same standing check as one with our access token — a suspended account is refused with the 403
// problem of a suspended password sign-in, and the site role comes from users.role. Emulator-mode
// (unsigned) tokens made here, so it runs offline; tests/firebase covers the real emulator.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "strava1/base/crypto.hpp"
#include "test_app.hpp"

namespace strava1::app {
namespace {

using testing::ExpectProblem;
namespace json = boost::json;

constexpr const char* kProject = "demo-strava1-routes";

Config FirebaseConfig() {
    Config config = TestConfig();
    config.auth_mode = "firebase";
    config.firebase_project_id = kProject;
    config.firebase_emulator = true;
    return config;
}

/// An unsigned ID token as the Auth Emulator issues it, valid for an hour.
std::string EmulatorToken(const std::string& uid, const std::string& email) {
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    json::object claims{{"iss", std::string("https://securetoken.google.com/") + kProject},
                        {"aud", kProject},
                        {"sub", uid},
                        {"email", email},
                        {"iat", now - 5},
                        {"auth_time", now - 5},
                        {"exp", now + 3600},
                        {"firebase", json::object{{"sign_in_provider", "password"}}}};
    return crypto::Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." +
           crypto::Base64UrlEncode(json::serialize(claims)) + ".";
}

/// What tells one problem from another, without what differs per request.
std::string ProblemShape(const testing::InProcessResponse& r) {
    json::object shape = r.json.as_object();
    shape.erase("request_id");
    shape.erase("instance");
    return json::serialize(shape);
}

class FirebaseRoutes : public ::testing::Test {
protected:
    void SetUp() override {
        STRAVA1_REQUIRE_PG();
        app_ = std::make_unique<TestApp>(FirebaseConfig());
    }
    std::unique_ptr<TestApp> app_;
};

TEST_F(FirebaseRoutes, TheSiteRoleComesFromTheUsersRow) {
    const std::string email = "fb-admin-" + crypto::Hex(crypto::RandomBytes(4)) + "@example.com";
    auto as_admin = app_->Client().WithToken(EmulatorToken("uid-admin", email));
    ASSERT_EQ(as_admin.Get("/v1/me").status, 200);  // provisioned on its first token
    ExpectProblem(as_admin.Get("/v1/admin/reports"), 404);

    ASSERT_TRUE(app_->Sync(app_->Composed().Accounts().Standing().SetSiteAdmin(email, true)).has_value());
    auto queue = as_admin.Get("/v1/admin/reports");
    EXPECT_EQ(queue.status, 200) << queue.body;

    ASSERT_TRUE(app_->Sync(app_->Composed().Accounts().Standing().SetSiteAdmin(email, false)).has_value());
    ExpectProblem(as_admin.Get("/v1/admin/reports"), 404);
}

TEST_F(FirebaseRoutes, ASuspendedAccountIsRefusedAsAtPasswordSignIn) {
    const std::string email = "fb-ana-" + crypto::Hex(crypto::RandomBytes(4)) + "@example.com";
    auto ana = app_->Client().WithToken(EmulatorToken("uid-ana", email));
    auto me = ana.Get("/v1/me");
    ASSERT_EQ(me.status, 200) << me.body;
    const std::int64_t ana_id = me.json.at("id").to_number<std::int64_t>();

    ASSERT_TRUE(app_->Sync(app_->Composed().Accounts().Standing().SetSuspended(ana_id, true)));
    auto refused = ana.Get("/v1/me");
    ExpectProblem(refused, 403);
    EXPECT_EQ(refused.json.at("detail"), "account suspended") << refused.body;

    // The same problem a suspended local account gets when it signs in with its password.
    const testing::TestUser bob = app_->Users(1)[0];
    ASSERT_TRUE(app_->Sync(app_->Composed().Accounts().Standing().SetSuspended(bob.id, true)));
    auto login = app_->Client().Post("/v1/auth/login", json::object{{"email", bob.email}, {"password", bob.password}});
    ExpectProblem(login, 403);
    EXPECT_EQ(ProblemShape(refused), ProblemShape(login));

    ASSERT_TRUE(app_->Sync(app_->Composed().Accounts().Standing().SetSuspended(ana_id, false)));
    EXPECT_EQ(ana.Get("/v1/me").status, 200);
}

TEST_F(FirebaseRoutes, ASuspensionByAnotherProcessIsSeenWithinTheCacheTtl) {
    const std::string email = "fb-cy-" + crypto::Hex(crypto::RandomBytes(4)) + "@example.com";
    auto cy = app_->Client().WithToken(EmulatorToken("uid-cy", email));
    auto me = cy.Get("/v1/me");
    ASSERT_EQ(me.status, 200) << me.body;
    // Another process (the CLI, another server) writes the row; this process's cache is not told.
    app_->Sync(app_->Pool().Query("UPDATE users SET suspended_at = now() WHERE id = $1",
                                  db::Params::Of(me.json.at("id").to_number<std::int64_t>())));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 200;
    while (status == 200 && std::chrono::steady_clock::now() < deadline) {
        status = cy.Get("/v1/me").status;
        if (status == 200) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling the TTL out, not a wait for an event
        }
    }
    EXPECT_EQ(status, 403);
}

}  // namespace
}  // namespace strava1::app
