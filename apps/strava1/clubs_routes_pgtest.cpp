// Clubs (features/groups) through the composed app in-process: clubs and their search, memberships
// (instant, requested, invited; roles; the owner's hand-over), events with RSVPs and their reminder
// job, and the weekly leaderboard from what the viewer may see of members' activities.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <gtest/gtest.h>

#include <chrono>

#include "strava1/base/clock.hpp"
#include "strava1/jobs/worker.hpp"
#include "test_app.hpp"

namespace strava1::app {
namespace {

using testing::ExpectProblem;
using testing::TestUser;
namespace json = boost::json;

std::string Id(std::int64_t id) { return std::to_string(id); }
std::int64_t IdOf(const testing::InProcessResponse& r) { return r.json.at("id").to_number<std::int64_t>(); }
std::string In(std::chrono::hours h) { return FormatRfc3339(std::chrono::system_clock::now() + h); }

class ClubsTest : public InProcessTest {
protected:
    std::int64_t NewClub(const TestUser& owner, const std::string& name, const std::string& privacy) {
        auto club = client().As(owner).Post(
            "/v1/clubs", json::object{{"name", name}, {"sport", "run"}, {"city", "Ljubljana"}, {"privacy", privacy}});
        EXPECT_EQ(club.status, 201) << club.body;
        return IdOf(club);
    }
    std::int64_t MemberCount(const TestUser& viewer, std::int64_t club_id) {
        return client().As(viewer).Get("/v1/clubs/" + Id(club_id)).json.at("member_count").to_number<std::int64_t>();
    }
    /// The waiting reminder job of `event_id`: seconds from its run_at to the event's start, or -1 when none.
    std::int64_t ReminderLead(std::int64_t event_id) {
        db::Result r = app().Sync(app().Pool().Query(
            "SELECT (extract(epoch FROM (SELECT starts_at FROM club_events WHERE id = $1) - run_at))::bigint "
            "FROM jobs_queue WHERE kind = 'groups.event-reminder' AND unique_key = 'groups.event-reminder:' || $1",
            db::Params::Of(event_id)));
        return r.Empty() ? -1 : r.Int(0, 0);
    }
};

TEST_F(ClubsTest, AClubIsCreatedFoundAndCheckedFieldByField) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(2);
    const std::string name = "Kranj Runners " + Id(users[0].id);
    const std::int64_t club_id = NewClub(users[0], name, "public");
    auto card = client().As(users[1]).Get("/v1/clubs/" + Id(club_id));
    ASSERT_EQ(card.status, 200) << card.body;
    EXPECT_EQ(card.json.at("name"), name.c_str());
    EXPECT_EQ(card.json.at("member_count"), 1);
    EXPECT_TRUE(card.json.at("membership").is_null());
    auto mine = client().As(users[0]).Get("/v1/clubs/" + Id(club_id));
    EXPECT_EQ(mine.json.at("membership").at("role"), "owner");

    // Search by the start of the name, case-insensitively; "mine" lists the caller's clubs.
    auto found = client().As(users[1]).Get("/v1/clubs?q=kranj%20runners%20" + Id(users[0].id));
    ASSERT_EQ(found.status, 200) << found.body;
    ASSERT_EQ(found.json.at("clubs").as_array().size(), 1u) << found.body;
    EXPECT_EQ(found.json.at("clubs").as_array()[0].at("id").to_number<std::int64_t>(), club_id);
    NewClub(users[0], "Second " + Id(users[0].id), "private");
    auto page1 = client().As(users[0]).Get("/v1/clubs?mine=true&limit=1");
    ASSERT_EQ(page1.json.at("clubs").as_array().size(), 1u);
    ASSERT_TRUE(page1.json.at("next_cursor").is_string()) << page1.body;
    auto page2 = client().As(users[0]).Get("/v1/clubs?mine=true&limit=1&cursor=" +
                                           std::string(page1.json.at("next_cursor").as_string()));
    ASSERT_EQ(page2.json.at("clubs").as_array().size(), 1u);
    EXPECT_EQ(page2.json.at("clubs").as_array()[0].at("id").to_number<std::int64_t>(), club_id);
    EXPECT_TRUE(client().As(users[1]).Get("/v1/clubs?mine=true").json.at("clubs").as_array().empty());

    ExpectProblem(
        client().As(users[0]).Post("/v1/clubs", json::object{{"name", ""}, {"sport", "run"}, {"privacy", "public"}}),
        400, "name");
    ExpectProblem(
        client().As(users[0]).Post("/v1/clubs", json::object{{"name", "X"}, {"sport", "darts"}, {"privacy", "public"}}),
        400, "sport");
    ExpectProblem(
        client().As(users[0]).Post("/v1/clubs", json::object{{"name", "X"}, {"sport", "run"}, {"privacy", "secret"}}),
        400, "privacy");
    ExpectProblem(
        client().As(users[0]).Post(
            "/v1/clubs", json::object{{"name", std::string(101, 'x')}, {"sport", "run"}, {"privacy", "public"}}),
        400, "name");
    // Server-owned fields are refused by name.
    ExpectProblem(
        client().As(users[0]).Post(
            "/v1/clubs", json::object{{"name", "X"}, {"sport", "run"}, {"privacy", "public"}, {"member_count", 9}}),
        400, "member_count");
    ExpectProblem(client().As(users[0]).Get("/v1/clubs/999999999999"), 404);
    ExpectProblem(client().Get("/v1/clubs"), 401);
}

TEST_F(ClubsTest, MembershipsJoinRequestInviteRolesAndTheOwnersHandOver) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(5);
    const TestUser &owner = u[0], &ana = u[1], &bob = u[2], &cid = u[3], &dan = u[4];
    const std::int64_t open = NewClub(owner, "Open", "public");
    const std::int64_t closed = NewClub(owner, "Closed", "private");
    const std::string o = "/v1/clubs/" + Id(open), c = "/v1/clubs/" + Id(closed);

    // Public: instant, and joining twice changes nothing.
    auto joined = client().As(ana).Post(o + "/join");
    ASSERT_EQ(joined.status, 200) << joined.body;
    EXPECT_EQ(joined.json.at("state"), "active");
    EXPECT_EQ(client().As(ana).Post(o + "/join").json.at("state"), "active");
    EXPECT_EQ(MemberCount(ana, open), 2);

    // Private: a request, invisible content until an admin accepts.
    auto asked = client().As(bob).Post(c + "/join");
    EXPECT_EQ(asked.json.at("state"), "requested") << asked.body;
    EXPECT_EQ(client().As(bob).Post(c + "/join").json.at("state"), "requested");
    ExpectProblem(client().As(bob).Get(c + "/members"), 404);
    auto card = client().As(bob).Get(c);
    EXPECT_EQ(card.status, 200) << "a private club's card is shown to everyone signed in";
    EXPECT_EQ(card.json.at("membership").at("state"), "requested");
    auto requests = client().As(owner).Get(c + "/members?state=requested");
    ASSERT_EQ(requests.json.at("members").as_array().size(), 1u) << requests.body;
    EXPECT_EQ(MemberCount(owner, closed), 1);
    ASSERT_EQ(client().As(owner).Post(c + "/members/" + Id(bob.id) + "/accept").json.at("state"), "active");
    EXPECT_EQ(MemberCount(owner, closed), 2);
    auto members = client().As(bob).Get(c + "/members");
    ASSERT_EQ(members.status, 200) << members.body;
    EXPECT_EQ(members.json.at("members").as_array().size(), 2u);
    // A member may not see requests, nor act as an admin.
    ExpectProblem(client().As(bob).Get(c + "/members?state=requested"), 403);
    ExpectProblem(client().As(bob).Patch(c, json::object{{"name", "Mine now"}}), 403);
    ExpectProblem(client().As(bob).Post(c + "/invites", json::object{{"user_id", cid.id}}), 403);
    ExpectProblem(client().As(cid).Patch(c, json::object{{"name", "Mine now"}}), 404);

    // An invitation is accepted by joining, or declined by leaving.
    EXPECT_EQ(client().As(owner).Post(c + "/invites", json::object{{"user_id", cid.id}}).json.at("state"), "invited");
    EXPECT_EQ(client().As(owner).Post(c + "/invites", json::object{{"user_id", dan.id}}).json.at("state"), "invited");
    EXPECT_EQ(client().As(cid).Post(c + "/join").json.at("state"), "active");
    EXPECT_EQ(client().As(dan).Delete(c + "/membership").status, 204);
    EXPECT_EQ(MemberCount(owner, closed), 3);
    ExpectProblem(client().As(owner).Post(c + "/invites", json::object{{"user_id", 999999999999}}), 400, "user_id");

    // Roles: the owner promotes; an admin manages members but not the owner's role.
    ASSERT_EQ(client().As(owner).Patch(c + "/members/" + Id(bob.id), json::object{{"role", "admin"}}).status, 200);
    EXPECT_EQ(client().As(bob).Patch(c, json::object{{"description", "Sunday long runs"}}).status, 200);
    ExpectProblem(client().As(bob).Patch(c + "/members/" + Id(owner.id), json::object{{"role", "member"}}), 409);
    ExpectProblem(client().As(bob).Patch(c + "/members/" + Id(cid.id), json::object{{"role", "owner"}}), 403);
    ExpectProblem(client().As(bob).Patch(c + "/members/" + Id(cid.id), json::object{{"role", "king"}}), 400, "role");
    ExpectProblem(client().As(bob).Delete(c), 404);  // deleting is the owner's alone

    // The owner must hand over before leaving.
    auto stay = client().As(owner).Delete(c + "/membership");
    ExpectProblem(stay, 409);
    EXPECT_NE(stay.body.find("hand it over"), std::string::npos) << stay.body;
    ASSERT_EQ(client().As(owner).Patch(c + "/members/" + Id(bob.id), json::object{{"role", "owner"}}).status, 200);
    EXPECT_EQ(client().As(bob).Get(c).json.at("membership").at("role"), "owner");
    EXPECT_EQ(client().As(owner).Get(c).json.at("membership").at("role"), "admin");
    EXPECT_EQ(client().As(owner).Delete(c + "/membership").status, 204);
    EXPECT_EQ(MemberCount(bob, closed), 2);

    // Removed: the content is gone with the membership.
    EXPECT_EQ(client().As(bob).Delete(c + "/members/" + Id(cid.id)).status, 204);
    ExpectProblem(client().As(cid).Get(c + "/members"), 404);
    EXPECT_EQ(MemberCount(bob, closed), 1);
    EXPECT_EQ(client().As(bob).Delete(c).status, 204);
    ExpectProblem(client().As(bob).Get(c), 404);
}

TEST_F(ClubsTest, EventsWithRsvpsAndAReminderJobThatMovesAndGoes) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(3);
    const TestUser &owner = u[0], &ana = u[1], &stranger = u[2];
    const std::int64_t club = NewClub(owner, "Events", "private");
    const std::string c = "/v1/clubs/" + Id(club);
    client().As(owner).Post(c + "/invites", json::object{{"user_id", ana.id}});
    client().As(ana).Post(c + "/join");

    ExpectProblem(client().As(owner).Post(c + "/events", json::object{{"title", "Backwards"},
                                                                      {"starts_at", In(std::chrono::hours(5))},
                                                                      {"ends_at", In(std::chrono::hours(4))}}),
                  400, "ends_at");
    ExpectProblem(client().As(owner).Post(c + "/events", json::object{{"title", "Past"},
                                                                      {"starts_at", In(std::chrono::hours(-5))},
                                                                      {"ends_at", In(std::chrono::hours(-4))}}),
                  400, "starts_at");
    ExpectProblem(client().As(owner).Post(c + "/events", json::object{{"title", "Bad"},
                                                                      {"starts_at", "tomorrow"},
                                                                      {"ends_at", In(std::chrono::hours(4))}}),
                  400, "starts_at");
    ExpectProblem(client().As(ana).Post(c + "/events", json::object{{"title", "Not mine to make"},
                                                                    {"starts_at", In(std::chrono::hours(5))},
                                                                    {"ends_at", In(std::chrono::hours(6))}}),
                  403);

    auto made = client().As(owner).Post(c + "/events", json::object{{"title", "Track Tuesday"},
                                                                    {"starts_at", In(std::chrono::hours(48))},
                                                                    {"ends_at", In(std::chrono::hours(49))},
                                                                    {"place", "Stadium"},
                                                                    {"lat", 46.05},
                                                                    {"lng", 14.5}});
    ASSERT_EQ(made.status, 201) << made.body;
    const std::int64_t event_id = IdOf(made);
    const std::string e = c + "/events/" + Id(event_id);
    EXPECT_EQ(ReminderLead(event_id), 3600) << "the reminder is due an hour before the start";

    auto listed = client().As(ana).Get(c + "/events");
    ASSERT_EQ(listed.status, 200) << listed.body;
    ASSERT_EQ(listed.json.at("events").as_array().size(), 1u);
    ExpectProblem(client().As(stranger).Get(c + "/events"), 404);
    ExpectProblem(client().As(stranger).Get(e), 404);

    auto going = client().As(ana).Put(e + "/rsvp", json::object{{"answer", "going"}});
    ASSERT_EQ(going.status, 200) << going.body;
    EXPECT_EQ(going.json.at("going_count"), 1);
    EXPECT_EQ(going.json.at("my_rsvp"), "going");
    EXPECT_EQ(client().As(ana).Put(e + "/rsvp", json::object{{"answer", "going"}}).json.at("going_count"), 1);
    ExpectProblem(client().As(ana).Put(e + "/rsvp", json::object{{"answer", "never"}}), 400, "answer");
    auto attendees = client().As(owner).Get(e + "/attendees");
    ASSERT_EQ(attendees.json.at("attendees").as_array().size(), 1u) << attendees.body;
    EXPECT_EQ(attendees.json.at("attendees").as_array()[0].at("user_id").to_number<std::int64_t>(), ana.id);

    // Moving the start moves the reminder; an end before the start is refused.
    ExpectProblem(client().As(owner).Patch(e, json::object{{"ends_at", In(std::chrono::hours(47))}}), 400, "ends_at");
    auto moved = client().As(owner).Patch(
        e, json::object{{"starts_at", In(std::chrono::hours(72))}, {"ends_at", In(std::chrono::hours(73))}});
    ASSERT_EQ(moved.status, 200) << moved.body;
    EXPECT_EQ(ReminderLead(event_id), 3600);
    db::Result due = app().Sync(app().Pool().Query(
        "SELECT (extract(epoch FROM run_at - now()) / 3600)::int FROM jobs_queue WHERE unique_key = $1",
        db::Params::Of("groups.event-reminder:" + Id(event_id))));
    ASSERT_EQ(due.Rows(), 1) << "one reminder per event";
    EXPECT_EQ(due.Int(0, 0), 71);

    EXPECT_EQ(client().As(ana).Delete(e + "/rsvp").status, 204);
    EXPECT_EQ(client().As(ana).Get(e).json.at("going_count"), 0);
    EXPECT_EQ(client().As(owner).Delete(e).status, 204);
    EXPECT_EQ(ReminderLead(event_id), -1) << "cancelled with the event";
    ExpectProblem(client().As(ana).Get(e), 404);
}

/// Runs a job worker on the app's loop until `kind` has completed a run or failed one (or 20 s
/// passed), then stops it; its counters for `kind`.
jobs::WorkerStats::PerKind RunWorkerUntil(TestApp& app, const std::string& kind) {
    return app.Sync([](TestApp* a, std::string k) -> boost::asio::awaitable<jobs::WorkerStats::PerKind> {
        jobs::WorkerOptions options;
        options.poll_interval = std::chrono::milliseconds(50);
        jobs::Worker worker(co_await boost::asio::this_coro::executor, a->Pool(), a->Composed().Registered().Jobs(),
                            options);
        worker.Start();
        jobs::WorkerStats::PerKind seen;
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            for (const auto& per_kind : worker.Stats().kinds) {
                if (per_kind.kind == k) {
                    seen = per_kind;
                }
            }
            if (seen.completed + seen.failed + seen.dead > 0) {
                break;
            }
            timer.expires_after(std::chrono::milliseconds(20));
            co_await timer.async_wait(boost::asio::use_awaitable);
        }
        co_await worker.Stop();
        co_return seen;
    }(&app, kind));
}

TEST_F(ClubsTest, AnEventStartingWithinTheHourIsRemindedAtOnceByAWorker) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(1);
    const std::int64_t club = NewClub(u[0], "Soon", "public");
    auto made = client().As(u[0]).Post(
        "/v1/clubs/" + Id(club) + "/events",
        json::object{{"title", "In half an hour"},
                     {"starts_at", FormatRfc3339(std::chrono::system_clock::now() + std::chrono::minutes(30))},
                     {"ends_at", In(std::chrono::hours(2))}});
    ASSERT_EQ(made.status, 201) << made.body;
    const std::int64_t event_id = IdOf(made);
    ASSERT_GT(ReminderLead(event_id), 0);
    client().As(u[0]).Put("/v1/clubs/" + Id(club) + "/events/" + Id(event_id) + "/rsvp",
                          json::object{{"answer", "going"}});
    jobs::WorkerStats::PerKind reminders = RunWorkerUntil(app(), "groups.event-reminder");
    EXPECT_GE(reminders.completed, 1u);
    EXPECT_EQ(reminders.failed + reminders.dead, 0u);
    EXPECT_EQ(ReminderLead(event_id), -1) << "the reminder ran and is gone";
}

TEST_F(ClubsTest, TheWeeklyLeaderboardCountsWhatTheViewerMaySee) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(3);
    const TestUser &owner = u[0], &ana = u[1], &outsider = u[2];
    const std::int64_t club = NewClub(owner, "Board", "public");
    const std::string c = "/v1/clubs/" + Id(club);
    client().As(ana).Post(c + "/join");
    auto manual = [&](const TestUser& who, const char* start, double distance, const char* visibility) {
        auto made = client().As(who).Post(
            "/v1/activities",
            json::object{{"sport", "run"}, {"start_time", start}, {"elapsed_s", 3600}, {"distance_m", distance}});
        ASSERT_EQ(made.status, 201) << made.body;
        auto patched =
            client().As(who).Patch("/v1/activities/" + Id(IdOf(made)), json::object{{"visibility", visibility}});
        ASSERT_EQ(patched.status, 200) << patched.body;
    };
    manual(ana, "2026-02-02T07:00:00Z", 10000, "everyone");  // Monday of 2026-W06
    manual(ana, "2026-02-08T20:00:00Z", 5000, "everyone");   // its Sunday
    manual(ana, "2026-02-09T07:00:00Z", 7000, "everyone");   // the next week
    manual(ana, "2026-02-04T07:00:00Z", 21000, "only_me");   // hidden from everyone else
    manual(owner, "2026-02-03T07:00:00Z", 12000, "everyone");

    auto board = client().As(owner).Get(c + "/leaderboard?sport=run&week=2026-W06");
    ASSERT_EQ(board.status, 200) << board.body;
    EXPECT_EQ(board.json.at("from"), "2026-02-02T00:00:00Z");
    EXPECT_EQ(board.json.at("to"), "2026-02-09T00:00:00Z");
    const auto& entries = board.json.at("entries").as_array();
    ASSERT_EQ(entries.size(), 2u) << board.body;
    EXPECT_EQ(entries[0].at("user_id").to_number<std::int64_t>(), ana.id);
    EXPECT_EQ(entries[0].at("distance_m").to_number<double>(), 15000) << "ana's only-me run is not the owner's to see";
    EXPECT_EQ(entries[0].at("activities"), 2);
    EXPECT_EQ(entries[1].at("distance_m").to_number<double>(), 12000);
    // Ana sees her own run in it.
    auto hers = client().As(ana).Get(c + "/leaderboard?sport=run&week=2026-W06");
    EXPECT_EQ(hers.json.at("entries").as_array()[0].at("distance_m").to_number<double>(), 36000) << hers.body;
    EXPECT_TRUE(
        client().As(ana).Get(c + "/leaderboard?sport=ride&week=2026-W06").json.at("entries").as_array().empty());

    ExpectProblem(client().As(ana).Get(c + "/leaderboard?week=2026-W54"), 400, "week");
    ExpectProblem(client().As(ana).Get(c + "/leaderboard?week=2026-6"), 400, "week");
    ExpectProblem(client().As(ana).Get(c + "/leaderboard?sport=darts"), 400, "sport");
    ExpectProblem(client().As(outsider).Get(c + "/leaderboard"), 404);
    EXPECT_EQ(client().As(ana).Get(c + "/leaderboard").status, 200) << "the current week by default";
}

}  // namespace
}  // namespace strava1::app
