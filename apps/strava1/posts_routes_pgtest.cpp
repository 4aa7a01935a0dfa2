// Posts, comments, kudos and likes through the composed app in-process: the bad input of issue 10
// (oversized text, kudos twice, a comment on an invisible activity, mentions of unknown users, a
// reply to a reply), visibility of posts and of comments through their parent, blocks, mass
// assignment, and the hourly comment budget.
#include <gtest/gtest.h>

#include <cstdio>

#include "strava1/testing/testdata.hpp"
#include "test_app.hpp"

namespace strava1::app {
namespace {

using testing::ExpectProblem;
using testing::TestUser;
namespace json = boost::json;

std::string Id(std::int64_t id) { return std::to_string(id); }
std::int64_t IdOf(const testing::InProcessResponse& r) { return r.json.at("id").to_number<std::int64_t>(); }

/// Sign-ups from an address of their own, so these tests never spend the per-address sign-up budget
/// the rest of the suite's shared app draws on.
std::vector<TestUser> NewUsers(const testing::InProcessClient& client, int n) {
    static int address = 0;
    ++address;
    return client.From("10.31." + std::to_string(address / 250) + "." + std::to_string(address % 250 + 1)).Users(n);
}

/// A start time of its own for each manual activity (one athlete's activities may not overlap).
std::string Start() {
    static int hour = 0;
    ++hour;
    char text[32];
    std::snprintf(text, sizeof text, "2026-02-%02dT%02d:00:00Z", 1 + hour / 24, hour % 24);
    return text;
}

/// A manual activity of `owner` in `visibility`.
std::int64_t NewActivity(testing::InProcessClient as, const std::string& visibility) {
    auto made =
        as.Post("/v1/activities",
                json::object{{"sport", "run"}, {"start_time", Start()}, {"elapsed_s", 1800}, {"distance_m", 5000}});
    EXPECT_EQ(made.status, 201) << made.body;
    const std::int64_t id = IdOf(made);
    EXPECT_EQ(as.Patch("/v1/activities/" + Id(id), json::object{{"visibility", visibility}}).status, 200);
    return id;
}

void Name(testing::InProcessClient as, const std::string& username) {
    auto patched = as.Patch("/v1/me", json::object{{"username", username}});
    ASSERT_EQ(patched.status, 200) << patched.body;
}

TEST_F(InProcessTest, KudosAreOnePerUserAndCounted) {
    STRAVA1_REQUIRE_PG();
    auto users = NewUsers(client(), 2);
    const auto& ana = users[0];
    const auto& bob = users[1];
    const std::int64_t run = NewActivity(client().As(ana), "everyone");
    const std::string kudos = "/v1/activities/" + Id(run) + "/kudos";

    auto first = client().As(bob).Put(kudos);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.json.at("kudos_count").to_number<std::int64_t>(), 1);
    EXPECT_EQ(first.json.at("kudoed_by_me"), true);
    auto again = client().As(bob).Put(kudos);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.json.at("kudos_count").to_number<std::int64_t>(), 1) << "kudos twice is one kudos";

    auto who = client().As(ana).Get(kudos);
    ASSERT_EQ(who.status, 200) << who.body;
    ASSERT_EQ(who.json.at("users").as_array().size(), 1u);
    EXPECT_EQ(who.json.at("users").at(0).at("id").to_number<std::int64_t>(), bob.id);
    auto ana_view = client().As(ana).Put(kudos);
    EXPECT_EQ(ana_view.json.at("kudos_count").to_number<std::int64_t>(), 2);

    auto taken = client().As(bob).Delete(kudos);
    ASSERT_EQ(taken.status, 200) << taken.body;
    EXPECT_EQ(taken.json.at("kudos_count").to_number<std::int64_t>(), 1);
    EXPECT_EQ(taken.json.at("kudoed_by_me"), false);

    // Blocked: as missing, both ways.
    ASSERT_EQ(client().As(ana).Post("/v1/users/" + Id(bob.id) + "/block").status, 204);
    ExpectProblem(client().As(bob).Put(kudos), 404);
    ExpectProblem(client().As(bob).Put("/v1/activities/999999999999/kudos"), 404);
}

TEST_F(InProcessTest, PostsCheckTheirTextMentionsMediaAndVisibility) {
    STRAVA1_REQUIRE_PG();
    auto users = NewUsers(client(), 3);
    const auto& ana = users[0];
    const auto& bob = users[1];
    const auto& cy = users[2];
    Name(client().As(bob), "bob_" + Id(bob.id));

    // Oversized text: 5000 characters pass (counted as characters, not bytes), 5001 do not.
    std::string longest;
    for (int i = 0; i < 5000; ++i) {
        longest += "é";
    }
    auto ok = client().As(ana).Post("/v1/posts", json::object{{"text", longest}});
    ASSERT_EQ(ok.status, 201) << ok.body.substr(0, 300);
    ExpectProblem(client().As(ana).Post("/v1/posts", json::object{{"text", longest + "x"}}), 400, "text");
    ExpectProblem(client().As(ana).Post("/v1/posts", json::object{{"text", ""}}), 400, "text");

    // Mentions: a known username resolves (any case); an unknown one is a 400 naming it.
    auto mention = client().As(ana).Post(
        "/v1/posts", json::object{{"text", "Great run with @BOB_" + Id(bob.id) + ". See you, mail@example.com"}});
    ASSERT_EQ(mention.status, 201) << mention.body;
    ASSERT_EQ(mention.json.at("mentions").as_array().size(), 1u);
    EXPECT_EQ(mention.json.at("mentions").at(0).to_number<std::int64_t>(), bob.id);
    auto unknown = client().As(ana).Post("/v1/posts", json::object{{"text", "hi @nobody_here_xyz"}});
    ExpectProblem(unknown, 400, "text");
    EXPECT_NE(unknown.body.find("@nobody_here_xyz"), std::string::npos) << unknown.body;

    // Media wait for the media issue; server-owned fields are named.
    ExpectProblem(client().As(ana).Post("/v1/posts", json::object{{"text", "x"}, {"media_ids", json::array{1}}}), 400,
                  "media_ids");
    auto owned =
        client().As(ana).Post("/v1/posts", json::object{{"text", "x"}, {"author_id", bob.id}, {"like_count", 9}});
    ExpectProblem(owned, 400, "author_id");
    EXPECT_NE(owned.body.find("set by the server"), std::string::npos) << owned.body;

    // Visibility like activities; an attached activity must be the author's to see.
    ASSERT_EQ(client().As(bob).Post("/v1/users/" + Id(ana.id) + "/follow").status, 200);
    auto followers_only =
        client().As(ana).Post("/v1/posts", json::object{{"text", "for my followers"}, {"visibility", "followers"}});
    ASSERT_EQ(followers_only.status, 201) << followers_only.body;
    const std::string p = "/v1/posts/" + Id(IdOf(followers_only));
    EXPECT_EQ(client().As(bob).Get(p).status, 200);
    ExpectProblem(client().As(cy).Get(p), 404);
    const std::int64_t hidden_run = NewActivity(client().As(cy), "only_me");
    ExpectProblem(client().As(ana).Post("/v1/posts", json::object{{"text", "x"}, {"activity_id", hidden_run}}), 404);
    const std::int64_t own_run = NewActivity(client().As(ana), "followers");
    auto attached = client().As(ana).Post("/v1/posts", json::object{{"text", "look"}, {"activity_id", own_run}});
    ASSERT_EQ(attached.status, 201) << attached.body;
    EXPECT_EQ(attached.json.at("activity_id").to_number<std::int64_t>(), own_run);
    auto seen_by_cy = client().As(cy).Get("/v1/posts/" + Id(IdOf(attached)));
    ASSERT_EQ(seen_by_cy.status, 200);
    EXPECT_TRUE(seen_by_cy.json.at("activity_id").is_null()) << "an activity cy may not see is not shown";

    // Edit, list, like, delete.
    auto edited = client().As(ana).Patch(p, json::object{{"visibility", "everyone"}});
    ASSERT_EQ(edited.status, 200) << edited.body;
    EXPECT_EQ(client().As(cy).Get(p).status, 200);
    ExpectProblem(client().As(bob).Patch(p, json::object{{"text", "mine now"}}), 404);
    auto liked = client().As(cy).Put(p + "/likes");
    EXPECT_EQ(liked.json.at("like_count").to_number<std::int64_t>(), 1);
    EXPECT_EQ(client().As(cy).Get(p).json.at("liked_by_me"), true);
    auto list = client().As(cy).Get("/v1/users/" + Id(ana.id) + "/posts?limit=2");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.json.at("posts").as_array().size(), 2u);
    EXPECT_TRUE(list.json.at("next_cursor").is_string());
    EXPECT_EQ(client().As(ana).Delete(p).status, 204);
    ExpectProblem(client().As(cy).Get(p), 404);
}

TEST_F(InProcessTest, CommentsAreVisibleExactlyWhenTheirParentIs) {
    STRAVA1_REQUIRE_PG();
    auto users = NewUsers(client(), 3);
    const auto& ana = users[0];
    const auto& bob = users[1];
    const auto& cy = users[2];
    const std::int64_t open_run = NewActivity(client().As(ana), "everyone");
    const std::int64_t private_run = NewActivity(client().As(ana), "only_me");
    const std::string comments = "/v1/activities/" + Id(open_run) + "/comments";

    // A comment on an invisible activity: 404, like a missing one.
    auto invisible =
        client().As(bob).Post("/v1/activities/" + Id(private_run) + "/comments", json::object{{"text", "hi"}});
    ExpectProblem(invisible, 404);
    ExpectProblem(client().As(bob).Post("/v1/activities/999999999999/comments", json::object{{"text", "hi"}}), 404);

    auto top = client().As(bob).Post(comments, json::object{{"text", "Nice pace!"}});
    ASSERT_EQ(top.status, 201) << top.body;
    auto reply = client().As(ana).Post(comments, json::object{{"text", "thanks"}, {"reply_to", IdOf(top)}});
    ASSERT_EQ(reply.status, 201) << reply.body;
    EXPECT_EQ(reply.json.at("reply_to").to_number<std::int64_t>(), IdOf(top));
    // One level of replies: a reply to a reply is refused.
    ExpectProblem(client().As(bob).Post(comments, json::object{{"text", "again"}, {"reply_to", IdOf(reply)}}), 400,
                  "reply_to");
    ExpectProblem(client().As(bob).Post(comments, json::object{{"text", "@ghost_user_zz hey"}}), 400, "text");

    auto page = client().As(cy).Get(comments + "?limit=1");
    ASSERT_EQ(page.status, 200) << page.body;
    ASSERT_EQ(page.json.at("comments").as_array().size(), 1u);
    EXPECT_EQ(page.json.at("comments").at(0).at("id").to_number<std::int64_t>(), IdOf(top));
    auto rest =
        client().As(cy).Get(comments + "?limit=1&cursor=" + std::string(page.json.at("next_cursor").as_string()));
    EXPECT_EQ(rest.json.at("comments").at(0).at("id").to_number<std::int64_t>(), IdOf(reply));

    // The comment follows its parent: made private, the comment and its likes answer 404.
    const std::string c = "/v1/comments/" + Id(IdOf(top));
    EXPECT_EQ(client().As(cy).Put(c + "/likes").status, 200);
    ASSERT_EQ(client().As(ana).Patch("/v1/activities/" + Id(open_run), json::object{{"visibility", "only_me"}}).status,
              200);
    ExpectProblem(client().As(cy).Get(comments), 404);
    ExpectProblem(client().As(cy).Put(c + "/likes"), 404);
    ExpectProblem(client().As(bob).Patch(c, json::object{{"text", "edited"}}), 404);
    ASSERT_EQ(client().As(ana).Patch("/v1/activities/" + Id(open_run), json::object{{"visibility", "everyone"}}).status,
              200);

    // Edit by the author only; delete by the author or the activity's owner.
    auto edited = client().As(bob).Patch(c, json::object{{"text", "Nice pace, really"}});
    ASSERT_EQ(edited.status, 200) << edited.body;
    EXPECT_EQ(edited.json.at("text"), "Nice pace, really");
    ExpectProblem(client().As(ana).Patch(c, json::object{{"text", "not yours"}}), 404);
    ExpectProblem(client().As(cy).Delete(c), 404);
    // No reply across a block: bob's comment is not there for cy once bob blocks cy.
    ASSERT_EQ(client().As(bob).Post("/v1/users/" + Id(cy.id) + "/block").status, 204);
    ExpectProblem(client().As(cy).Post(comments, json::object{{"text", "hm"}, {"reply_to", IdOf(top)}}), 400,
                  "reply_to");
    EXPECT_EQ(client().As(cy).Get(comments).json.at("comments").as_array().size(), 1u) << "only ana's reply";
    EXPECT_EQ(client().As(ana).Delete(c).status, 204);
    ExpectProblem(client().As(bob).Get(c + "/likes"), 404);
}

TEST_F(InProcessTest, CommentsHaveAnHourlyBudget) {
    STRAVA1_REQUIRE_PG();
    auto users = NewUsers(client(), 1);
    auto as = client().As(users[0]);
    const std::int64_t run = NewActivity(as, "everyone");
    const std::string comments = "/v1/activities/" + Id(run) + "/comments";
    for (int i = 0; i < 200; ++i) {
        ASSERT_EQ(as.Post(comments, json::object{{"text", "lap " + Id(i)}}).status, 201) << i;
    }
    auto over = as.Post(comments, json::object{{"text", "one too many"}});
    ExpectProblem(over, 429);
    EXPECT_GT(std::stoi(std::string(over.Header("Retry-After"))), 0);
    EXPECT_EQ(as.Get(comments + "?limit=1").status, 200) << "reading is not limited";
}

TEST(SocialEvents, KudosCommentsPostsAndFollowsArePublishedOnceInTheirTransaction) {
    if (!testing::PgDsn()) {
        STRAVA1_SKIP_OR_FAIL("no test PostgreSQL (STRAVA1_TEST_PG)");
    }
    TestApp app;
    // Each event becomes one job for the notifications feature's subscriber (counted below).
    auto users = NewUsers(app.Client(), 3);
    const auto& ana = users[0];
    const auto& bob = users[1];
    const auto& cy = users[2];
    Name(app.Client().As(ana), "ana_" + Id(ana.id));
    const std::int64_t run = NewActivity(app.Client().As(ana), "everyone");
    auto as_bob = app.Client().As(bob);
    ASSERT_EQ(as_bob.Put("/v1/activities/" + Id(run) + "/kudos").status, 200);
    ASSERT_EQ(as_bob.Put("/v1/activities/" + Id(run) + "/kudos").status, 200);
    auto top = app.Client().As(cy).Post("/v1/activities/" + Id(run) + "/comments", json::object{{"text", "top"}});
    ASSERT_EQ(top.status, 201) << top.body;
    auto reply = as_bob.Post("/v1/activities/" + Id(run) + "/comments",
                             json::object{{"text", "hey @ana_" + Id(ana.id)}, {"reply_to", IdOf(top)}});
    ASSERT_EQ(reply.status, 201) << reply.body;
    ASSERT_EQ(as_bob.Post("/v1/posts", json::object{{"text", "@ana_" + Id(ana.id) + " next week?"}}).status, 201);
    ASSERT_EQ(as_bob.Post("/v1/users/" + Id(ana.id) + "/follow").status, 200);
    ASSERT_EQ(as_bob.Post("/v1/users/" + Id(ana.id) + "/follow").status, 200);
    ASSERT_EQ(app.Client().As(cy).Patch("/v1/me", json::object{{"approve_followers", true}}).status, 200);
    ASSERT_EQ(app.Client().As(ana).Post("/v1/users/" + Id(cy.id) + "/follow").status, 200);
    ASSERT_EQ(app.Client().As(cy).Post("/v1/me/follow-requests/" + Id(ana.id) + "/accept").status, 204);

    db::Result events = app.Sync(app.Pool().Query(
        "SELECT payload->>'type', payload->'payload'::text FROM jobs_queue WHERE kind LIKE 'event:social.%:notifications' "
        "ORDER BY id"));
    std::vector<std::string> types;
    for (int row = 0; row < events.Rows(); ++row) {
        types.emplace_back(events.Text(row, 0));
    }
    EXPECT_EQ(types, (std::vector<std::string>{"social.kudos.given", "social.comment.created", "social.comment.created",
                                               "social.post.created", "social.followed", "social.follow.requested",
                                               "social.follow.accepted"}))
        << "kudos and follows given twice publish once";
    auto payload = [&](int row) { return json::parse(events.Text(row, 1)).as_object(); };
    EXPECT_EQ(payload(0).at("owner_id").to_number<std::int64_t>(), ana.id);
    EXPECT_EQ(payload(0).at("user_id").to_number<std::int64_t>(), bob.id);
    auto comment = payload(2);
    EXPECT_EQ(comment.at("parent_owner_id").to_number<std::int64_t>(), ana.id);
    EXPECT_EQ(comment.at("reply_to_author_id").to_number<std::int64_t>(), cy.id);
    EXPECT_EQ(comment.at("mentioned_user_ids"), (json::array{ana.id}));
    EXPECT_EQ(payload(3).at("mentioned_user_ids"), (json::array{ana.id}));
    EXPECT_EQ(payload(6).at("follower_id").to_number<std::int64_t>(), ana.id);
}

}  // namespace
}  // namespace strava1::app
