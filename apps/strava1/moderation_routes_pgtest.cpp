// Reports and moderation through the composed app in-process (issue 10, ADR 0024): a report of what
// the reporter cannot see is a 404 like a missing id, a second report is the first, the hourly budget,
// the admin queue and its decisions (hide → 404 to everyone but site admins, warn, suspend → no sign-in
// and the tokens held stop working), and a non-admin never learns the admin API exists.
#include <gtest/gtest.h>

#include "test_app.hpp"

namespace strava1::app {
namespace {

using testing::ExpectProblem;
using testing::TestUser;
namespace json = boost::json;

std::string Id(std::int64_t id) { return std::to_string(id); }
std::int64_t IdOf(const testing::InProcessResponse& r) { return r.json.at("id").to_number<std::int64_t>(); }

/// Sign-ups from an address of their own (the suite's shared app keeps a per-address sign-up budget).
std::vector<TestUser> NewUsers(const testing::InProcessClient& client, int n) {
    static int address = 0;
    ++address;
    return client.From("10.41." + std::to_string(address / 250) + "." + std::to_string(address % 250 + 1)).Users(n);
}

class Moderation : public InProcessTest {
protected:
    /// A new site administrator, as `strava1 user grant-admin` makes one.
    TestUser NewAdmin() {
        TestUser admin = NewUsers(client(), 1)[0];
        EXPECT_TRUE(app().Sync(app().Composed().Accounts().Standing().SetSiteAdmin(admin.email, true)).has_value());
        return admin;
    }
    std::int64_t NewPost(const TestUser& author, const std::string& visibility, const std::string& text = "a post") {
        auto post = client().As(author).Post("/v1/posts", json::object{{"text", text}, {"visibility", visibility}});
        EXPECT_EQ(post.status, 201) << post.body;
        return IdOf(post);
    }
    testing::InProcessResponse Report(const TestUser& by, const std::string& kind, std::int64_t id,
                                      const std::string& reason = "spam") {
        return client().As(by).Post("/v1/reports", json::object{{"kind", kind}, {"id", id}, {"reason", reason}});
    }
};

TEST_F(Moderation, AReportNeedsAVisibleObjectAndIsFiledOnce) {
    STRAVA1_REQUIRE_PG();
    auto users = NewUsers(client(), 2);
    const TestUser& ana = users[0];
    const TestUser& bob = users[1];
    const std::int64_t secret = NewPost(ana, "followers");
    const std::int64_t open = NewPost(ana, "everyone");

    // Bob does not follow Ana: her followers-only post is as missing to him as an id that never was.
    auto hidden = Report(bob, "post", secret);
    ExpectProblem(hidden, 404);
    auto missing = Report(bob, "post", 9'000'000'000'000LL);
    EXPECT_EQ(ProblemShape(hidden), ProblemShape(missing));
    ExpectProblem(Report(bob, "comment", 9'000'000'000'000LL), 404);
    ExpectProblem(Report(bob, "activity", 9'000'000'000'000LL), 404);
    ExpectProblem(Report(bob, "user", 9'000'000'000'000LL), 404);

    auto first = Report(bob, "post", open, "harassment");
    ASSERT_EQ(first.status, 201) << first.body;
    EXPECT_EQ(first.json.at("kind"), "post");
    EXPECT_EQ(first.json.at("object_id").to_number<std::int64_t>(), open);
    EXPECT_EQ(first.json.at("author_id").to_number<std::int64_t>(), ana.id);
    EXPECT_EQ(first.json.at("state"), "open");
    auto again = Report(bob, "post", open, "spam");
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(IdOf(again), IdOf(first));
    EXPECT_EQ(again.json.at("reason"), "harassment") << "the first report stands";

    ExpectProblem(Report(bob, "post", open, "boring"), 400, "reason");
    ExpectProblem(Report(bob, "photo", open), 400, "kind");
    ExpectProblem(Report(ana, "post", open), 400, "id");
    ExpectProblem(Report(bob, "user", bob.id), 400, "id");
    ExpectProblem(
        client().As(bob).Post(
            "/v1/reports",
            json::object{{"kind", "user"}, {"id", ana.id}, {"reason", "other"}, {"note", std::string(1001, 'x')}}),
        400, "note");
    ExpectProblem(
        client().As(bob).Post(
            "/v1/reports", json::object{{"kind", "user"}, {"id", ana.id}, {"reason", "other"}, {"state", "resolved"}}),
        400, "state");
}

TEST_F(Moderation, ReportsHaveAnHourlyBudget) {
    STRAVA1_REQUIRE_PG();
    auto users = NewUsers(client(), 2);
    std::vector<std::int64_t> posts;
    for (int i = 0; i < 21; ++i) {
        posts.push_back(NewPost(users[0], "everyone"));
    }
    for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(Report(users[1], "post", posts[i]).status, 201) << i;
    }
    EXPECT_EQ(Report(users[1], "post", posts[0]).status, 200) << "a report filed again spends nothing";
    auto over = Report(users[1], "post", posts[20]);
    ExpectProblem(over, 429);
    EXPECT_GT(std::stoi(std::string(over.Header("Retry-After"))), 0);
}

TEST_F(Moderation, TheAdminApiIsNotThereForOthers) {
    STRAVA1_REQUIRE_PG();
    const TestUser user = NewUsers(client(), 1)[0];
    auto nowhere = client().As(user).Get("/v1/admin/nothing-here");
    ExpectProblem(nowhere, 404);
    for (auto [method, target] : {std::pair{http::Method::kGet, "/v1/admin/reports"},
                                  std::pair{http::Method::kPost, "/v1/admin/reports/1/resolve"},
                                  std::pair{http::Method::kPost, "/v1/admin/users/1/unsuspend"}}) {
        for (auto as : {client().As(user), client()}) {
            // (A body goes only where the route takes one: a GET with a body is refused first, 413.)
            const bool post = method == http::Method::kPost;
            testing::Headers headers;
            if (post) {
                headers.emplace_back("Content-Type", "application/json");
            }
            auto answer = as.Send(method, target, post ? "{}" : "", headers);
            EXPECT_EQ(answer.status, 404) << target;
            EXPECT_EQ(ProblemShape(answer), ProblemShape(nowhere)) << target;
        }
    }
}

TEST_F(Moderation, HiddenContentAnswers404ToEveryoneButSiteAdmins) {
    STRAVA1_REQUIRE_PG();
    auto users = NewUsers(client(), 3);
    const TestUser& ana = users[0];
    const TestUser& fan = users[1];
    const TestUser& bob = users[2];
    ASSERT_EQ(client().As(fan).Post("/v1/users/" + Id(ana.id) + "/follow").status, 200);
    const TestUser admin = NewAdmin();
    const std::int64_t post = NewPost(ana, "everyone", "the reported post");
    auto comment = client().As(fan).Post("/v1/posts/" + Id(post) + "/comments", json::object{{"text", "rude"}});
    ASSERT_EQ(comment.status, 201) << comment.body;
    const std::int64_t comment_id = IdOf(comment);

    auto report = Report(fan, "post", post, "inappropriate");
    ASSERT_EQ(report.status, 201) << report.body;
    // An admin files reports as anyone does, and sees only what a stranger sees.
    ExpectProblem(Report(admin, "post", NewPost(ana, "followers")), 404);
    auto on_comment = Report(ana, "comment", comment_id, "abuse");
    ASSERT_EQ(on_comment.status, 201) << on_comment.body;

    auto queue = client().As(admin).Get("/v1/admin/reports?state=open&limit=100");
    ASSERT_EQ(queue.status, 200) << queue.body;
    bool listed = false;
    for (const auto& r : queue.json.at("reports").as_array()) {
        if (r.at("id").to_number<std::int64_t>() == IdOf(report)) {
            listed = true;
            EXPECT_EQ(r.at("kind"), "post");
            EXPECT_EQ(r.at("author_id").to_number<std::int64_t>(), ana.id);
            EXPECT_EQ(r.at("object_report_count").to_number<std::int64_t>(), 1);
        }
    }
    EXPECT_TRUE(listed) << queue.body;
    ExpectProblem(client().As(admin).Get("/v1/admin/reports?state=closed"), 400, "state");
    ExpectProblem(client().As(admin).Post("/v1/admin/reports/" + Id(IdOf(report)) + "/resolve",
                                          json::object{{"action", "delete"}}),
                  400, "action");
    ExpectProblem(client().As(admin).Post("/v1/admin/reports/9000000000000/resolve", json::object{{"action", "hide"}}),
                  404);

    auto hide = client().As(admin).Post("/v1/admin/reports/" + Id(IdOf(report)) + "/resolve",
                                        json::object{{"action", "hide"}, {"note", "nudity"}});
    ASSERT_EQ(hide.status, 200) << hide.body;
    EXPECT_EQ(hide.json.at("state"), "resolved");
    EXPECT_EQ(hide.json.at("action"), "hide");
    EXPECT_EQ(hide.json.at("resolved_by").to_number<std::int64_t>(), admin.id);
    ExpectProblem(client().As(admin).Post("/v1/admin/reports/" + Id(IdOf(report)) + "/resolve",
                                          json::object{{"action", "dismiss"}}),
                  409);

    const std::string path = "/v1/posts/" + Id(post);
    auto missing = client().As(bob).Get("/v1/posts/9000000000000");
    for (const TestUser* who : {&fan, &bob, &ana}) {
        auto answer = client().As(*who).Get(path);
        ExpectProblem(answer, 404);
        EXPECT_EQ(ProblemShape(answer), ProblemShape(missing));
    }
    // A site administrator still reads it (the hidden flag is lifted for them, not the privacy rules).
    auto as_admin = client().As(admin).Get(path);
    EXPECT_EQ(as_admin.status, 200) << as_admin.body;
    EXPECT_EQ(as_admin.json.at("text"), "the reported post");
    auto listed_posts = client().As(fan).Get("/v1/users/" + Id(ana.id) + "/posts");
    EXPECT_EQ(listed_posts.body.find("the reported post"), std::string::npos) << listed_posts.body;

    auto hide_comment = client().As(admin).Post("/v1/admin/reports/" + Id(IdOf(on_comment)) + "/resolve",
                                                json::object{{"action", "hide"}});
    ASSERT_EQ(hide_comment.status, 200) << hide_comment.body;
    ExpectProblem(client().As(fan).Patch("/v1/comments/" + Id(comment_id), json::object{{"text", "sorry"}}), 404);

    auto resolved = client().As(admin).Get("/v1/admin/reports?state=resolved&limit=100");
    EXPECT_NE(resolved.body.find("\"id\":" + Id(IdOf(report)) + ","), std::string::npos) << resolved.body;
}

TEST_F(Moderation, AWarningIsShownToTheWarnedUser) {
    STRAVA1_REQUIRE_PG();
    auto users = NewUsers(client(), 2);
    const TestUser admin = NewAdmin();
    auto report = Report(users[1], "user", users[0].id, "harassment");
    ASSERT_EQ(report.status, 201) << report.body;
    auto before = client().As(users[0]).Get("/v1/me/warnings");
    ASSERT_EQ(before.status, 200) << before.body;
    EXPECT_TRUE(before.json.at("warnings").as_array().empty());
    ExpectProblem(
        client().As(admin).Post("/v1/admin/reports/" + Id(IdOf(report)) + "/resolve", json::object{{"action", "hide"}}),
        400, "action");
    auto warn = client().As(admin).Post("/v1/admin/reports/" + Id(IdOf(report)) + "/resolve",
                                        json::object{{"action", "warn"}, {"note", "be kind"}});
    ASSERT_EQ(warn.status, 200) << warn.body;
    auto after = client().As(users[0]).Get("/v1/me/warnings");
    ASSERT_EQ(after.json.at("warnings").as_array().size(), 1u) << after.body;
    EXPECT_EQ(after.json.at("warnings").at(0).at("reason"), "harassment");
    EXPECT_EQ(after.json.at("warnings").at(0).at("note"), "be kind");
    EXPECT_TRUE(client().As(users[1]).Get("/v1/me/warnings").json.at("warnings").as_array().empty());
}

TEST_F(Moderation, ASuspendedUserCannotSignInAndTheirTokensStopWorking) {
    STRAVA1_REQUIRE_PG();
    auto users = NewUsers(client(), 2);
    const TestUser& ana = users[0];
    const TestUser admin = NewAdmin();
    ASSERT_EQ(client().As(ana).Get("/v1/me").status, 200);
    auto report = Report(users[1], "user", ana.id, "abuse");
    ASSERT_EQ(report.status, 201) << report.body;
    auto suspend = client().As(admin).Post("/v1/admin/reports/" + Id(IdOf(report)) + "/resolve",
                                           json::object{{"action", "suspend"}});
    ASSERT_EQ(suspend.status, 200) << suspend.body;

    // The very next request with the token Ana holds is refused (sessions revoked, cache forgotten).
    ExpectProblem(client().As(ana).Get("/v1/me"), 401);
    auto refresh = client().Post("/v1/auth/refresh", json::object{{"refresh_token", ana.refresh_token}});
    ExpectProblem(refresh, 401);
    auto login = client()
                     .From("10.42.0.1")
                     .Post("/v1/auth/login", json::object{{"email", ana.email}, {"password", ana.password}});
    ExpectProblem(login, 403);
    EXPECT_EQ(login.json.at("detail"), "account suspended") << login.body;
    EXPECT_EQ(login.Header("Content-Type"), "application/problem+json");
    auto wrong = client()
                     .From("10.42.0.1")
                     .Post("/v1/auth/login", json::object{{"email", ana.email}, {"password", "not her password"}});
    ExpectProblem(wrong, 401);  // the suspension is told only to whoever knows the password

    ExpectProblem(client().As(admin).Post("/v1/admin/users/9000000000000/unsuspend"), 404);
    EXPECT_EQ(client().As(admin).Post("/v1/admin/users/" + Id(ana.id) + "/unsuspend").status, 204);
    auto back = client()
                    .From("10.42.0.1")
                    .Post("/v1/auth/login", json::object{{"email", ana.email}, {"password", ana.password}});
    EXPECT_EQ(back.status, 200) << back.body;
}

TEST_F(Moderation, AHiddenActivityIsItsOwnersAloneAndStaysSo) {
    STRAVA1_REQUIRE_PG();
    auto users = NewUsers(client(), 2);
    const TestUser& ana = users[0];
    const TestUser& bob = users[1];
    const TestUser admin = NewAdmin();
    ASSERT_EQ(client().As(bob).Post("/v1/users/" + Id(ana.id) + "/follow").status, 200);
    auto made = client().As(ana).Post(
        "/v1/activities",
        json::object{
            {"sport", "run"}, {"start_time", "2026-03-03T07:00:00Z"}, {"elapsed_s", 1800}, {"distance_m", 5000}});
    ASSERT_EQ(made.status, 201) << made.body;
    const std::string a = "/v1/activities/" + Id(IdOf(made));
    ASSERT_EQ(client().As(ana).Patch(a, json::object{{"visibility", "everyone"}}).status, 200);
    ASSERT_EQ(client().As(bob).Get(a).status, 200);
    auto report = Report(bob, "activity", IdOf(made));
    ASSERT_EQ(report.status, 201) << report.body;

    auto hide =
        client().As(admin).Post("/v1/admin/reports/" + Id(IdOf(report)) + "/resolve", json::object{{"action", "hide"}});
    ASSERT_EQ(hide.status, 200) << hide.body;
    EXPECT_EQ(hide.json.at("action"), "hide");
    // Gone for everyone else, as a missing activity; the owner still has it, only for them.
    auto gone = client().As(bob).Get(a);
    ExpectProblem(gone, 404);
    EXPECT_EQ(ProblemShape(gone), ProblemShape(client().As(bob).Get("/v1/activities/9000000000000")));
    auto listed = client().As(bob).Get("/v1/users/" + Id(ana.id) + "/activities");
    if (listed.status == 200) {
        EXPECT_EQ(listed.body.find("\"id\":" + Id(IdOf(made))), std::string::npos) << listed.body;
    }
    auto own = client().As(ana).Get(a);
    ASSERT_EQ(own.status, 200) << own.body;
    EXPECT_EQ(own.json.at("visibility"), "only_me");
    // The owner cannot undo the moderator's decision; other edits still work.
    auto undo = client().As(ana).Patch(a, json::object{{"visibility", "everyone"}});
    ExpectProblem(undo, 409);
    EXPECT_NE(undo.body.find("visibility"), std::string::npos) << undo.body;
    EXPECT_EQ(client().As(ana).Patch(a, json::object{{"name", "Renamed"}}).status, 200);
    EXPECT_EQ(client().As(bob).Get(a).status, 404);
    // The feed hears of it: the change event withdraws it from the follower's feed.
    EXPECT_TRUE(app().DrainJobs({"event:%:feed", "social.feed-%"}));
    auto feed = client().As(bob).Get("/v1/feed");
    ASSERT_EQ(feed.status, 200);
    EXPECT_EQ(feed.body.find("\"id\":" + Id(IdOf(made)) + ","), std::string::npos) << feed.body;
    EXPECT_EQ(
        app()
            .Sync(app().Pool().Query("SELECT count(*) FROM feed_items WHERE item_id = $1 AND kind = 1 AND user_id = $2",
                                     db::Params::Of(IdOf(made), bob.id)))
            .Int(0, 0),
        0);
}

}  // namespace
}  // namespace strava1::app
