// Club challenges (features/groups, ADR 0026) through the composed app in-process: creation checked
// field by field (an end before the start is 400 naming ends_at), join / leave for members only,
// progress as each viewer may see it, and the completion job recording a first completion once and
// publishing groups.challenge.completed once under redelivery.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "strava1/base/clock.hpp"
#include "strava1/groups/module.hpp"
#include "strava1/jobs/worker.hpp"
#include "test_app.hpp"

namespace strava1::app {
namespace {

namespace asio = boost::asio;
using testing::ExpectProblem;
using testing::TestUser;
namespace json = boost::json;

std::string Id(std::int64_t id) { return std::to_string(id); }
std::int64_t IdOf(const testing::InProcessResponse& r) { return r.json.at("id").to_number<std::int64_t>(); }
std::string Ago(std::chrono::hours h) { return FormatRfc3339(std::chrono::system_clock::now() - h); }
std::string In(std::chrono::hours h) { return FormatRfc3339(std::chrono::system_clock::now() + h); }

/// groups.challenge.completed as a subscriber receives it: deliveries per challenge id.
std::mutex received_mutex;
std::map<std::int64_t, int> received;

class ChallengesTest : public InProcessTest {
protected:
    void SetUp() override {
        InProcessTest::SetUp();
        if (!testing::PgDsn()) {
            return;
        }
        // A stand-in for the notifications feature, subscribed once to the app's registry before any
        // challenge exists, so each published event becomes one delivery counted here.
        jobs::Registry& jobs = app().Composed().Registered().Jobs();
        const auto& subscribers = jobs.SubscribersOf(groups::kChallengeCompleted);
        // The notifications feature subscribes too: look for this stand-in by name.
        if (std::none_of(subscribers.begin(), subscribers.end(), [](const jobs::Registry::Kind* kind) {
                return kind->name.find("test-standin") != std::string::npos;
            })) {
            jobs.Subscribe(groups::kChallengeCompleted, "test-standin",
                           [](jobs::ReceivedEvent event) -> asio::awaitable<void> {
                               std::lock_guard lock(received_mutex);
                               ++received[event.payload.at("challenge_id").to_number<std::int64_t>()];
                               co_return;
                           });
        }
    }
    std::int64_t NewClub(const TestUser& owner, const std::string& privacy = "public") {
        auto club = client().As(owner).Post(
            "/v1/clubs", json::object{{"name", "Challengers"}, {"sport", "run"}, {"privacy", privacy}});
        EXPECT_EQ(club.status, 201) << club.body;
        return IdOf(club);
    }
    json::object Challenge(json::object extra = {}) {
        json::object body{{"title", "100 km in May"},
                          {"type", "total_distance"},
                          {"goal_value", 20000},
                          {"starts_at", Ago(std::chrono::hours(48))},
                          {"ends_at", In(std::chrono::hours(48))}};
        for (auto& [k, v] : extra) {
            body[k] = v;
        }
        return body;
    }
    std::int64_t NewChallenge(const TestUser& admin, std::int64_t club, json::object extra = {}) {
        auto made = client().As(admin).Post("/v1/clubs/" + Id(club) + "/challenges", Challenge(std::move(extra)));
        EXPECT_EQ(made.status, 201) << made.body;
        return made.status == 201 ? IdOf(made) : 0;
    }
    /// A manual run `hours_ago` hours ago of `distance` metres, with `visibility`; its id.
    std::int64_t Run(const TestUser& who, int hours_ago, double distance, const char* visibility = "everyone") {
        auto made =
            client().As(who).Post("/v1/activities", json::object{{"sport", "run"},
                                                                 {"start_time", Ago(std::chrono::hours(hours_ago))},
                                                                 {"elapsed_s", 3600},
                                                                 {"distance_m", distance}});
        EXPECT_EQ(made.status, 201) << made.body;
        auto patched =
            client().As(who).Patch("/v1/activities/" + Id(IdOf(made)), json::object{{"visibility", visibility}});
        EXPECT_EQ(patched.status, 200) << patched.body;
        return IdOf(made);
    }
    std::int64_t Count(const std::string& sql) { return app().Sync(app().Pool().Query(sql)).Int(0, 0); }
    /// Deliveries of groups.challenge.completed for `challenge` (after DrainChallengeJobs).
    int Completions(std::int64_t challenge) {
        std::lock_guard lock(received_mutex);
        return received[challenge];
    }
    /// Runs a worker until no challenge job (activities' events to groups, completions) waits (deadline 20 s); whether
    /// they all ran.
    bool DrainChallengeJobs() {
        return app().DrainJobs({"event:activity.%:groups-challenges", "event:groups.challenge.completed:%"});
    }
};

TEST_F(ChallengesTest, ACreatedChallengeIsCheckedFieldByFieldAndAnEndBeforeItsStartIsRefused) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(2);
    const std::int64_t club = NewClub(u[0]);
    const std::string c = "/v1/clubs/" + Id(club) + "/challenges";
    auto made = client().As(u[0]).Post(
        c, Challenge({{"type", "fastest_effort"}, {"effort", "5k"}, {"goal_value", 1500}, {"sport", "run"}}));
    ASSERT_EQ(made.status, 201) << made.body;
    EXPECT_EQ(made.json.at("effort"), "5k");
    EXPECT_EQ(made.json.at("mode"), "individual");
    EXPECT_EQ(made.json.at("joined"), false);
    EXPECT_EQ(client().As(u[1]).Get("/v1/challenges/" + Id(IdOf(made))).status, 200) << "visible like the club's card";

    ExpectProblem(client().As(u[0]).Post(c, Challenge({{"starts_at", In(std::chrono::hours(10))},
                                                       {"ends_at", In(std::chrono::hours(5))}})),
                  400, "ends_at");
    ExpectProblem(client().As(u[0]).Post(c, Challenge({{"type", "most_kudos"}})), 400, "type");
    ExpectProblem(client().As(u[0]).Post(c, Challenge({{"type", "fastest_effort"}})), 400, "effort");
    ExpectProblem(client().As(u[0]).Post(c, Challenge({{"goal_value", -1}})), 400, "goal_value");
    ExpectProblem(client().As(u[0]).Post(c, Challenge({{"sport", "darts"}})), 400, "sport");
    ExpectProblem(client().As(u[0]).Post(c, Challenge({{"type", "longest_activity"}, {"mode", "club"}})), 400, "mode");
    ExpectProblem(client().As(u[0]).Post(c, Challenge({{"participant_count", 3}})), 400, "participant_count");
    ExpectProblem(client().As(u[1]).Post(c, Challenge()), 404);
    ExpectProblem(client().As(u[1]).Get("/v1/challenges/999999999"), 404);
}

TEST_F(ChallengesTest, MembersJoinIdempotentlyNonMembersGet404AndAnEndedChallengeCannotBeJoined) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(3);
    const TestUser &owner = u[0], &ana = u[1], &outsider = u[2];
    const std::int64_t club = NewClub(owner);
    client().As(ana).Post("/v1/clubs/" + Id(club) + "/join");
    const std::int64_t ch = NewChallenge(owner, club);
    const std::string p = "/v1/challenges/" + Id(ch) + "/participation";
    auto first = client().As(ana).Put(p);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.json.at("joined"), true);
    auto again = client().As(ana).Put(p);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.json.at("participant_count"), 1) << "joining twice is one participation";
    auto hidden = client().As(outsider).Put(p);
    ExpectProblem(hidden, 404);
    EXPECT_EQ(hidden.json.at("detail"),
              client().As(outsider).Put("/v1/challenges/999999999/participation").json.at("detail"))
        << "a non-member is answered as for a missing challenge";
    ExpectProblem(client().As(outsider).Get("/v1/challenges/" + Id(ch) + "/leaderboard"), 404);
    EXPECT_EQ(client().As(ana).Delete(p).status, 204);
    EXPECT_EQ(client().As(ana).Get("/v1/challenges/" + Id(ch)).json.at("joined"), false);

    // Ended: the row is aged by hand (the API refuses an end in the past).
    app().Sync(
        app().Pool().Query("UPDATE club_challenges SET starts_at = now() - interval '3 days', ends_at = now() - "
                           "interval '1 day' WHERE id = $1",
                           db::Params::Of(ch)));
    ExpectProblem(client().As(ana).Put(p), 400, "ends_at");
}

TEST_F(ChallengesTest, ProgressSumsWhatEachViewerMaySeeAndTheOwnerSeesAllTheirOwn) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(2);
    const TestUser &owner = u[0], &ana = u[1];
    const std::int64_t club = NewClub(owner);
    client().As(ana).Post("/v1/clubs/" + Id(club) + "/join");
    const std::int64_t ch = NewChallenge(owner, club, {{"goal_value", 100000}, {"mode", "club"}});
    for (const TestUser* who : {&owner, &ana}) {
        EXPECT_EQ(client().As(*who).Put("/v1/challenges/" + Id(ch) + "/participation").status, 200);
    }
    Run(ana, 10, 5000);
    Run(ana, 20, 7000);
    Run(ana, 30, 9000, "only_me");  // the owner of the club may not see it
    Run(ana, 24 * 5, 30000);        // before the challenge started
    Run(owner, 5, 3000);

    auto board = client().As(owner).Get("/v1/challenges/" + Id(ch) + "/leaderboard");
    ASSERT_EQ(board.status, 200) << board.body;
    const auto& entries = board.json.at("entries").as_array();
    ASSERT_EQ(entries.size(), 2u) << board.body;
    EXPECT_EQ(entries[0].at("user_id").to_number<std::int64_t>(), ana.id);
    EXPECT_EQ(entries[0].at("progress").to_number<double>(), 12000) << "ana's only-me run is not for the owner";
    EXPECT_EQ(entries[1].at("progress").to_number<double>(), 3000);
    auto hers = client().As(ana).Get("/v1/challenges/" + Id(ch) + "/leaderboard");
    EXPECT_EQ(hers.json.at("entries").as_array()[0].at("progress").to_number<double>(), 21000)
        << "ana sees all her own";
    EXPECT_EQ(client().As(owner).Get("/v1/challenges/" + Id(ch)).json.at("progress").to_number<double>(), 15000)
        << "the club's shared progress as the owner is shown it";
    auto mine = client().As(ana).Get("/v1/me/challenges");
    ASSERT_EQ(mine.status, 200) << mine.body;
    ASSERT_EQ(mine.json.at("challenges").as_array().size(), 1u);
    EXPECT_EQ(mine.json.at("challenges").as_array()[0].at("progress").to_number<double>(), 24000);

    auto page = client().As(owner).Get("/v1/challenges/" + Id(ch) + "/leaderboard?limit=1");
    ASSERT_EQ(page.json.at("entries").as_array().size(), 1u);
    auto next = client().As(owner).Get("/v1/challenges/" + Id(ch) + "/leaderboard?limit=1&cursor=" +
                                       std::string(page.json.at("next_cursor").as_string()));
    ASSERT_EQ(next.json.at("entries").as_array().size(), 1u) << next.body;
    EXPECT_EQ(next.json.at("entries").as_array()[0].at("rank"), 2);
    EXPECT_TRUE(next.json.at("next_cursor").is_null());
}

TEST_F(ChallengesTest, CompletionIsRecordedAndPublishedOnceEvenWhenTheEventIsDeliveredTwice) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(2);
    const TestUser &owner = u[0], &ana = u[1];
    const std::int64_t club = NewClub(owner);
    client().As(ana).Post("/v1/clubs/" + Id(club) + "/join");
    const std::int64_t ch = NewChallenge(owner, club, {{"goal_value", 10000}});
    ASSERT_EQ(client().As(ana).Put("/v1/challenges/" + Id(ch) + "/participation").status, 200);
    ASSERT_TRUE(DrainChallengeJobs());
    Run(ana, 10, 6000, "only_me");
    ASSERT_TRUE(DrainChallengeJobs());
    EXPECT_EQ(Completions(ch), 0) << "not there yet";
    Run(ana, 5, 5000, "only_me");  // her own runs count for her, whoever else may see them
    // Redelivery: the same activity.created event once more, as after a worker died mid-run.
    app().Sync(app().Pool().Query(
        "INSERT INTO jobs_queue (queue, kind, payload, run_at) SELECT queue, kind, payload, now() FROM jobs_queue "
        "WHERE kind = "
        "'event:activity.created:groups-challenges'"));
    EXPECT_EQ(Count("SELECT count(*) FROM jobs_queue WHERE kind = 'event:activity.created:groups-challenges'"), 2);
    ASSERT_TRUE(DrainChallengeJobs());
    EXPECT_EQ(Completions(ch), 1) << "one event, however often the activity's event came";
    auto mine = client().As(ana).Get("/v1/challenges/" + Id(ch));
    EXPECT_TRUE(mine.json.at("completed_at").is_string()) << mine.body;
    auto board = client().As(owner).Get("/v1/challenges/" + Id(ch) + "/leaderboard");
    EXPECT_TRUE(board.json.at("entries").as_array()[0].at("completed_at").is_string());
    EXPECT_TRUE(board.json.at("entries").as_array()[0].at("progress").is_null())
        << "the owner sees she completed it but none of her only-me runs";
    Run(ana, 4, 5000);
    ASSERT_TRUE(DrainChallengeJobs());
    EXPECT_EQ(Completions(ch), 1) << "completed once";
}

}  // namespace
}  // namespace strava1::app
