// In-app notifications through the composed app (ADR 0025): social's and groups' events become
// notifications only through the notifications subscriber, run here by a job worker.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "strava1/groups/module.hpp"
#include "strava1/jobs/worker.hpp"
#include "strava1/notifications/module.hpp"
#include "strava1/social/module.hpp"
#include "test_app.hpp"

namespace strava1::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using testing::TestUser;

std::string Id(std::int64_t id) { return std::to_string(id); }
std::string Text(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

class NotificationsTest : public InProcessTest {
protected:
    /// Runs a job worker until no notification delivery waits or runs, with a deadline.
    bool Drain() { return app().DrainJobs({"event:%:notifications"}); }

    /// The user's display name and username, as their profile says.
    std::string NameOf(const TestUser& user) {
        auto me = client().As(user).Get("/v1/me");
        EXPECT_EQ(me.status, 200) << me.body;
        return std::string(me.json.at("display_name").as_string());
    }
    /// Gives the user a username (sign-up leaves it unset) and returns it.
    std::string UsernameOf(const TestUser& user) {
        const std::string name = "nt_" + std::to_string(user.id);
        auto patched = client().As(user).Patch("/v1/me", json::object{{"username", name}});
        EXPECT_EQ(patched.status, 200) << patched.body;
        return name;
    }

    std::int64_t NewActivity(const TestUser& owner) {
        auto made = client().As(owner).Post(
            "/v1/activities",
            json::object{
                {"sport", "run"}, {"start_time", "2026-02-01T07:00:00Z"}, {"elapsed_s", 1800}, {"distance_m", 5000}});
        EXPECT_EQ(made.status, 201) << made.body;
        return made.status == 201 ? made.json.at("id").to_number<std::int64_t>() : 0;
    }

    json::array List(const TestUser& user) {
        auto page = client().As(user).Get("/v1/notifications");
        EXPECT_EQ(page.status, 200) << page.body;
        return page.status == 200 ? page.json.at("notifications").as_array() : json::array{};
    }

    std::int64_t Unread(const TestUser& user) {
        auto count = client().As(user).Get("/v1/notifications/unread-count");
        EXPECT_EQ(count.status, 200) << count.body;
        return count.status == 200 ? count.json.at("count").to_number<std::int64_t>() : -1;
    }

    /// Runs the notifications subscriber of `type` on one delivery, as a worker would.
    void DeliverDirectly(const std::string& type, std::int64_t event_id, json::object payload) {
        const auto* kind =
            app().Composed().Registered().Jobs().Find(jobs::Registry::EventKind(type, notifications::kSubscriber));
        ASSERT_NE(kind, nullptr) << type;
        jobs::JobContext job;
        job.kind = kind->name;
        job.payload = json::object{
            {"event_id", event_id}, {"type", type}, {"payload", std::move(payload)}, {"published_at", 0.0}};
        app().Sync(kind->handler(job));
    }
};

TEST_F(NotificationsTest, TenKudosOnOneActivityAreOneNotificationAndAReadGroupStartsAnew) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(12);
    const TestUser& owner = users[0];
    const std::int64_t activity = NewActivity(owner);
    for (int i = 1; i <= 10; ++i) {
        auto given = client().As(users[static_cast<std::size_t>(i)]).Put("/v1/activities/" + Id(activity) + "/kudos");
        ASSERT_EQ(given.status, 200) << given.body;
    }
    ASSERT_TRUE(Drain());
    json::array list = List(owner);
    ASSERT_EQ(list.size(), 1u) << json::serialize(list);
    const auto& n = list.at(0).as_object();
    EXPECT_EQ(n.at("kind"), "kudos");
    EXPECT_EQ(n.at("actor_count").to_number<std::int64_t>(), 10);
    ASSERT_EQ(n.at("actors").as_array().size(), 3u);
    // The latest kudos first (the worker delivers concurrently, so which one is latest varies).
    const std::string first = Text(n.at("actors").at(0).at("name"));
    EXPECT_EQ(first.rfind("User ", 0), 0u) << first;
    EXPECT_EQ(Text(n.at("text")), first + " and 9 others gave you kudos");
    EXPECT_EQ(n.at("object").at("kind"), "activity");
    EXPECT_EQ(n.at("object").at("id").to_number<std::int64_t>(), activity);
    EXPECT_EQ(n.at("read"), false);
    EXPECT_EQ(Unread(owner), 1);

    const std::int64_t id = n.at("id").to_number<std::int64_t>();
    EXPECT_EQ(client().As(owner).Post("/v1/notifications/" + Id(id) + "/read").status, 204);
    EXPECT_EQ(Unread(owner), 0);
    ASSERT_EQ(client().As(users[11]).Put("/v1/activities/" + Id(activity) + "/kudos").status, 200);
    ASSERT_TRUE(Drain());
    list = List(owner);
    ASSERT_EQ(list.size(), 2u) << json::serialize(list);
    EXPECT_EQ(list.at(0).at("actor_count").to_number<std::int64_t>(), 1);
    EXPECT_EQ(Text(list.at(0).at("text")), NameOf(users[11]) + " gave you kudos");
    EXPECT_EQ(list.at(0).at("read"), false);
    EXPECT_EQ(list.at(1).at("read"), true);
    EXPECT_EQ(Unread(owner), 1);
}

TEST_F(NotificationsTest, ARedeliveredEventWritesNothingTwice) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(3);
    const json::object payload{{"follower_id", users[1].id}, {"followee_id", users[0].id}};
    DeliverDirectly(social::kFollowed, 9'100'000'000 + users[0].id, payload);
    DeliverDirectly(social::kFollowed, 9'100'000'000 + users[0].id, payload);
    json::array list = List(users[0]);
    ASSERT_EQ(list.size(), 1u) << json::serialize(list);
    EXPECT_EQ(list.at(0).at("kind"), "new_follower");
    EXPECT_EQ(Text(list.at(0).at("text")), NameOf(users[1]) + " started following you");
    // A grouped kind too: the same kudos event twice counts once.
    const json::object kudos{
        {"activity_id", NewActivity(users[0])}, {"owner_id", users[0].id}, {"user_id", users[2].id}};
    DeliverDirectly(social::kKudosGiven, 9'200'000'000 + users[0].id, kudos);
    DeliverDirectly(social::kKudosGiven, 9'200'000'000 + users[0].id, kudos);
    list = List(users[0]);
    ASSERT_EQ(list.size(), 2u) << json::serialize(list);
    EXPECT_EQ(list.at(0).at("actor_count").to_number<std::int64_t>(), 1);
}

TEST_F(NotificationsTest, NobodyIsNotifiedOfTheirOwnKudosOrComment) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(1);
    const std::int64_t activity = NewActivity(users[0]);
    ASSERT_EQ(client().As(users[0]).Put("/v1/activities/" + Id(activity) + "/kudos").status, 200);
    ASSERT_EQ(client()
                  .As(users[0])
                  .Post("/v1/activities/" + Id(activity) + "/comments", json::object{{"text", "my own run"}})
                  .status,
              201);
    ASSERT_TRUE(Drain());
    EXPECT_EQ(List(users[0]).size(), 0u);
    EXPECT_EQ(Unread(users[0]), 0);
}

TEST_F(NotificationsTest, ABlockRemovesTheNotificationsOfTheBlockedUser) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(3);
    const TestUser& owner = users[0];
    const std::int64_t activity = NewActivity(owner);
    ASSERT_EQ(client().As(users[1]).Post("/v1/users/" + Id(owner.id) + "/follow").status, 200);
    ASSERT_EQ(client().As(users[1]).Put("/v1/activities/" + Id(activity) + "/kudos").status, 200);
    ASSERT_EQ(client().As(users[2]).Put("/v1/activities/" + Id(activity) + "/kudos").status, 200);
    ASSERT_TRUE(Drain());
    ASSERT_EQ(List(owner).size(), 2u);
    EXPECT_EQ(Unread(owner), 2);

    ASSERT_EQ(client().As(owner).Post("/v1/users/" + Id(users[1].id) + "/block").status, 204);
    json::array list = List(owner);
    ASSERT_EQ(list.size(), 1u) << json::serialize(list);
    EXPECT_EQ(list.at(0).at("kind"), "kudos");
    EXPECT_EQ(list.at(0).at("actor_count").to_number<std::int64_t>(), 1);
    EXPECT_EQ(Text(list.at(0).at("text")), NameOf(users[2]) + " gave you kudos");
    EXPECT_EQ(Unread(owner), 1);
}

TEST_F(NotificationsTest, AnAnsweredOrWithdrawnFollowRequestLeavesNoRequestToActOn) {
    STRAVA1_REQUIRE_PG();
    // From an address of its own: the suite's other tests spend the loopback sign-up budget.
    auto users = client().From("10.43.0.1").Users(4);
    const TestUser& bea = users[0];  // approves followers
    ASSERT_EQ(client().As(bea).Patch("/v1/me", json::object{{"approve_followers", true}}).status, 200);
    for (std::size_t i = 1; i <= 3; ++i) {
        auto asked = client().As(users[i]).Post("/v1/users/" + Id(bea.id) + "/follow");
        ASSERT_EQ(asked.status, 200) << asked.body;
        ASSERT_EQ(asked.json.at("state"), "pending") << asked.body;
    }
    ASSERT_TRUE(Drain());
    auto requests_from = [&]() {
        std::vector<std::int64_t> actors;
        for (const auto& n : List(bea)) {
            if (n.at("kind") == "follow_request") {
                actors.push_back(n.at("actors").at(0).at("id").to_number<std::int64_t>());
            }
        }
        std::sort(actors.begin(), actors.end());
        return actors;
    };
    ASSERT_EQ(requests_from(), (std::vector<std::int64_t>{users[1].id, users[2].id, users[3].id}));
    EXPECT_EQ(Unread(bea), 3);

    // Accepted, declined, cancelled by the asker: each request's notification goes with it.
    ASSERT_EQ(client().As(bea).Post("/v1/me/follow-requests/" + Id(users[1].id) + "/accept").status, 204);
    ASSERT_EQ(client().As(bea).Post("/v1/me/follow-requests/" + Id(users[2].id) + "/decline").status, 204);
    ASSERT_EQ(client().As(users[3]).Delete("/v1/users/" + Id(bea.id) + "/follow").status, 204);
    ASSERT_TRUE(Drain());
    EXPECT_TRUE(requests_from().empty()) << json::serialize(List(bea));
    EXPECT_EQ(Unread(bea), 0);
    // The asker still hears that the request was accepted.
    json::array asker = List(users[1]);
    ASSERT_EQ(asker.size(), 1u) << json::serialize(asker);
    EXPECT_EQ(asker.at(0).at("kind"), "follow_accepted");

    // Unfollowing after an accepted request is no cancellation: nothing else of Bea's goes.
    auto again = client().As(users[2]).Post("/v1/users/" + Id(bea.id) + "/follow");
    ASSERT_EQ(again.status, 200);
    ASSERT_TRUE(Drain());
    ASSERT_EQ(requests_from(), (std::vector<std::int64_t>{users[2].id}));
    ASSERT_EQ(client().As(users[1]).Delete("/v1/users/" + Id(bea.id) + "/follow").status, 204);
    ASSERT_TRUE(Drain());
    EXPECT_EQ(requests_from(), (std::vector<std::int64_t>{users[2].id}));
}

TEST_F(NotificationsTest, ReadReadAllAndAnotherUsersNotificationAnswers404) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(4);
    const TestUser& owner = users[0];
    for (int i = 1; i <= 3; ++i) {
        ASSERT_EQ(client().As(users[static_cast<std::size_t>(i)]).Post("/v1/users/" + Id(owner.id) + "/follow").status,
                  200);
    }
    ASSERT_TRUE(Drain());
    json::array list = List(owner);
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(Unread(owner), 3);
    const std::int64_t first = list.at(0).at("id").to_number<std::int64_t>();

    auto stranger = client().As(users[1]).Post("/v1/notifications/" + Id(first) + "/read");
    auto missing = client().As(users[1]).Post("/v1/notifications/9000000000000/read");
    EXPECT_EQ(stranger.status, 404) << stranger.body;
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(stranger.json.at("detail"), missing.json.at("detail"));
    EXPECT_EQ(Unread(owner), 3) << "another user cannot mark it read";

    EXPECT_EQ(client().As(owner).Post("/v1/notifications/" + Id(first) + "/read").status, 204);
    EXPECT_EQ(Unread(owner), 2);
    auto all = client().As(owner).Post("/v1/notifications/read-all");
    EXPECT_EQ(all.status, 200) << all.body;
    EXPECT_EQ(all.json.at("marked").to_number<std::int64_t>(), 2);
    EXPECT_EQ(Unread(owner), 0);

    // Cursor pagination, newest first.
    auto page = client().As(owner).Get("/v1/notifications?limit=2");
    ASSERT_EQ(page.status, 200);
    ASSERT_EQ(page.json.at("notifications").as_array().size(), 2u);
    ASSERT_TRUE(page.json.at("next_cursor").is_string());
    auto next = client().As(owner).Get("/v1/notifications?limit=2&cursor=" +
                                       std::string(page.json.at("next_cursor").as_string()));
    ASSERT_EQ(next.status, 200);
    ASSERT_EQ(next.json.at("notifications").as_array().size(), 1u);
    EXPECT_TRUE(next.json.at("next_cursor").is_null());
    // The two pages hold the three notifications, each once, in the order of the whole list.
    std::vector<std::int64_t> paged;
    for (const auto* p : {&page, &next}) {
        for (const auto& n : p->json.at("notifications").as_array()) {
            paged.push_back(n.at("id").to_number<std::int64_t>());
        }
    }
    std::vector<std::int64_t> whole;
    for (const auto& n : List(owner)) {
        whole.push_back(n.at("id").to_number<std::int64_t>());
    }
    EXPECT_EQ(paged, whole);
    EXPECT_EQ(client().As(owner).Get("/v1/notifications?cursor=nonsense").status, 400);
}

TEST_F(NotificationsTest, CommentsRepliesAndMentionsNotifyEachRecipientOnceAndGoWithTheComment) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(3);
    const TestUser& owner = users[0];
    const std::int64_t activity = NewActivity(owner);
    auto comment = client().As(users[1]).Post("/v1/activities/" + Id(activity) + "/comments",
                                              json::object{{"text", "nice @" + UsernameOf(users[2])}});
    ASSERT_EQ(comment.status, 201) << comment.body;
    const std::int64_t comment_id = comment.json.at("id").to_number<std::int64_t>();
    auto reply = client().As(owner).Post("/v1/activities/" + Id(activity) + "/comments",
                                         json::object{{"text", "thanks"}, {"reply_to", comment_id}});
    ASSERT_EQ(reply.status, 201) << reply.body;
    ASSERT_TRUE(Drain());
    json::array mine = List(owner);
    ASSERT_EQ(mine.size(), 1u) << json::serialize(mine);
    EXPECT_EQ(mine.at(0).at("kind"), "comment");
    EXPECT_EQ(Text(mine.at(0).at("text")), NameOf(users[1]) + " commented on your activity");
    EXPECT_EQ(mine.at(0).at("object").at("comment_id").to_number<std::int64_t>(), comment_id);
    json::array theirs = List(users[1]);
    ASSERT_EQ(theirs.size(), 1u) << json::serialize(theirs);
    EXPECT_EQ(theirs.at(0).at("kind"), "reply");
    json::array mentioned = List(users[2]);
    ASSERT_EQ(mentioned.size(), 1u) << json::serialize(mentioned);
    EXPECT_EQ(mentioned.at(0).at("kind"), "mention");
    EXPECT_EQ(Text(mentioned.at(0).at("text")), NameOf(users[1]) + " mentioned you in a comment");

    ASSERT_EQ(client().As(users[1]).Delete("/v1/comments/" + Id(comment_id)).status, 204);
    ASSERT_TRUE(Drain());
    EXPECT_EQ(List(owner).size(), 0u);
    EXPECT_EQ(List(users[1]).size(), 0u) << "the reply went with its comment";
    EXPECT_EQ(List(users[2]).size(), 0u);
}

TEST_F(NotificationsTest, ClubInvitesJoinRequestsRemindersAndCompletedChallenges) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(3);
    const TestUser& owner = users[0];
    auto club = client().As(owner).Post(
        "/v1/clubs", json::object{{"name", "Dawn Runners"}, {"sport", "run"}, {"privacy", "private"}});
    ASSERT_EQ(club.status, 201) << club.body;
    const std::int64_t club_id = club.json.at("id").to_number<std::int64_t>();
    ASSERT_EQ(
        client().As(owner).Post("/v1/clubs/" + Id(club_id) + "/invites", json::object{{"user_id", users[1].id}}).status,
        200);
    ASSERT_EQ(client().As(users[2]).Post("/v1/clubs/" + Id(club_id) + "/join").status, 200);
    ASSERT_TRUE(Drain());
    json::array invited = List(users[1]);
    ASSERT_EQ(invited.size(), 1u) << json::serialize(invited);
    EXPECT_EQ(invited.at(0).at("kind"), "club_invite");
    EXPECT_EQ(Text(invited.at(0).at("text")), NameOf(owner) + " invited you to join Dawn Runners");
    EXPECT_EQ(invited.at(0).at("object").at("kind"), "club");
    json::array requests = List(owner);
    ASSERT_EQ(requests.size(), 1u) << json::serialize(requests);
    EXPECT_EQ(requests.at(0).at("kind"), "join_request");
    EXPECT_EQ(Text(requests.at(0).at("text")), NameOf(users[2]) + " asked to join Dawn Runners");

    // The challenges part publishes this event; delivered here directly.
    DeliverDirectly(notifications::kChallengeCompleted, 9'300'000'000 + users[1].id,
                    json::object{{"user_id", users[1].id}, {"challenge_id", 77}});
    DeliverDirectly(groups::kEventReminder, 9'400'000'000 + users[1].id,
                    json::object{{"event_id", 5},
                                 {"club_id", club_id},
                                 {"starts_at", "2026-12-01T07:00:00Z"},
                                 {"title", "Long run"},
                                 {"user_ids", json::array{users[1].id}}});
    json::array list = List(users[1]);
    ASSERT_EQ(list.size(), 3u) << json::serialize(list);
    EXPECT_EQ(list.at(0).at("kind"), "event_reminder");
    EXPECT_EQ(Text(list.at(0).at("text")), "Long run starts soon");
    EXPECT_EQ(list.at(0).at("object").at("event_id").to_number<std::int64_t>(), 5);
    EXPECT_EQ(list.at(1).at("kind"), "challenge_completed");
    EXPECT_EQ(list.at(1).at("object").at("kind"), "challenge");
    EXPECT_EQ(list.at(1).at("object").at("id").to_number<std::int64_t>(), 77);
    EXPECT_EQ(Text(list.at(1).at("text")), "You completed a challenge");
}

}  // namespace
}  // namespace strava1::app
