// The home and profile feeds through the composed app (ADR 0023): an upload reaches a follower's
// feed through activities' event and the fan-out job; privacy, blocks and mutes act at read time;
// unfollow, block and deletion remove rows through their jobs; hide_from_feed keeps an activity out
// of followers' feeds but on the profile; the cursor stays stable across new items.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "strava1/jobs/worker.hpp"
#include "strava1/migrations/all.hpp"
#include "test_app.hpp"

namespace strava1::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using testing::ExpectProblem;
using testing::TestUser;

std::string U(const TestUser& user) { return "/v1/users/" + std::to_string(user.id); }

/// A 6.6 km GPX run on day `day` of May 2026 at 08:00 (later days are newer in the feed); long
/// enough that the hidden start and end leave a map for others.
std::string Gpx(int day, double lat) {
    std::string gpx =
        "<?xml version=\"1.0\"?><gpx version=\"1.1\" creator=\"feed\" "
        "xmlns=\"http://www.topografix.com/GPX/1/1\"><trk><trkseg>";
    for (int i = 0; i < 600; ++i) {
        char point[200];
        std::snprintf(point, sizeof point,
                      "<trkpt lat=\"%.6f\" lon=\"%.6f\"><ele>300</ele><time>2026-05-%02dT08:%02d:%02dZ</time></trkpt>",
                      lat + i * 0.0001, 8.0 + i * 0.00002, day, i / 60, i % 60);
        gpx += point;
    }
    return gpx + "</trkseg></trk></gpx>";
}

class FeedTest : public InProcessTest {
protected:
    /// Uploads a run of `user` on `day`; its activity id.
    std::int64_t Upload(const TestUser& user, int day, bool hide_from_feed = false) {
        std::vector<std::pair<std::string, std::string>> fields = {{"name", "Run " + std::to_string(day)}};
        if (hide_from_feed) {
            fields.emplace_back("hide_from_feed", "true");
        }
        auto body =
            testing::Multipart("file", "run.gpx", Gpx(day, 46.0 + static_cast<double>(user.id % 200) * 0.01), fields);
        auto uploaded = client().As(user).Send(http::Method::kPost, "/v1/uploads", body.bytes,
                                               {{"Content-Type", body.content_type}});
        EXPECT_EQ(uploaded.status, 201) << uploaded.body;
        auto status =
            client().As(user).Get("/v1/uploads/" + std::to_string(uploaded.json.at("id").to_number<std::int64_t>()));
        EXPECT_EQ(status.json.at("status"), "ready") << status.body;
        return status.json.at("activity_id").to_number<std::int64_t>();
    }

    /// Runs a job worker until no feed job (activities' and posts' events to "feed", social.feed-*) waits or
    /// runs, with a deadline; whether they all ran.
    bool DrainFeedJobs() { return app().DrainJobs({"event:%:feed", "social.feed-%"}); }

    /// The activity ids of a feed page at `target`, in order.
    std::vector<std::int64_t> Ids(const TestUser& viewer, const std::string& target) {
        auto page = client().As(viewer).Get(target);
        EXPECT_EQ(page.status, 200) << page.body;
        std::vector<std::int64_t> out;
        if (page.status != 200) {
            return out;
        }
        for (const auto& item : page.json.at("items").as_array()) {
            // Posts count as their negated id, so one list says both kind and order.
            out.push_back(item.at("kind") == "post" ? -item.at("post").at("id").to_number<std::int64_t>()
                                                    : item.at("activity").at("id").to_number<std::int64_t>());
        }
        return out;
    }
    std::vector<std::int64_t> Home(const TestUser& viewer) { return Ids(viewer, "/v1/feed"); }

    std::int64_t RowsOf(const TestUser& reader, const TestUser& author) {
        return app()
            .Sync(app().Pool().Query("SELECT count(*) FROM feed_items WHERE user_id = $1 AND author_id = $2",
                                     db::Params::Of(reader.id, author.id)))
            .Int(0, 0);
    }
};

using IdList = std::vector<std::int64_t>;

TEST_F(FeedTest, AFollowedUploadReachesTheFeedAndAVisibilityChangeActsAtOnce) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(2);
    const auto& ana = u[0];
    const auto& bob = u[1];
    ASSERT_EQ(client().As(ana).Post(U(bob) + "/follow").json.at("state"), "accepted");
    const std::int64_t run = Upload(bob, 3);
    ASSERT_TRUE(DrainFeedJobs());
    EXPECT_EQ(RowsOf(ana, bob), 1) << "fanned out to the follower";

    auto page = client().As(ana).Get("/v1/feed");
    ASSERT_EQ(page.status, 200) << page.body;
    ASSERT_EQ(page.json.at("items").as_array().size(), 1u) << page.body;
    const auto& item = page.json.at("items").at(0);
    EXPECT_EQ(item.at("kind"), "activity");
    EXPECT_EQ(item.at("author").at("id").to_number<std::int64_t>(), bob.id);
    EXPECT_TRUE(item.at("author").at("display_name").is_string());
    EXPECT_EQ(item.at("activity").at("id").to_number<std::int64_t>(), run);
    // The summary and its polyline exactly as the activities reader shows them to this viewer.
    auto direct = client().As(ana).Get("/v1/activities/" + std::to_string(run));
    ASSERT_EQ(direct.status, 200) << direct.body;
    EXPECT_EQ(item.at("activity").at("summary_polyline"), direct.json.at("summary_polyline")) << page.body;
    EXPECT_EQ(item.at("activity").at("distance_m"), direct.json.at("distance_m"));
    EXPECT_EQ(std::string(item.at("at").as_string()).substr(0, 10), "2026-05-03");
    EXPECT_EQ(Home(bob), IdList{run}) << "one's own items are in one's feed";

    // Only me: gone from the follower's feed before any job ran (privacy is applied at read time).
    ASSERT_EQ(
        client().As(bob).Patch("/v1/activities/" + std::to_string(run), json::object{{"visibility", "only_me"}}).status,
        200);
    EXPECT_EQ(Home(ana), IdList{});
    EXPECT_EQ(Home(bob), IdList{run}) << "the owner still sees it";
    ASSERT_TRUE(DrainFeedJobs());
    EXPECT_EQ(RowsOf(ana, bob), 0) << "the change withdrew the row";
    ASSERT_EQ(client()
                  .As(bob)
                  .Patch("/v1/activities/" + std::to_string(run), json::object{{"visibility", "followers"}})
                  .status,
              200);
    ASSERT_TRUE(DrainFeedJobs());
    EXPECT_EQ(Home(ana), IdList{run}) << "fanned out again";

    // Deletion: gone at once, and its rows with its job.
    ASSERT_EQ(client().As(bob).Delete("/v1/activities/" + std::to_string(run)).status, 204);
    EXPECT_EQ(Home(ana), IdList{});
    ASSERT_TRUE(DrainFeedJobs());
    EXPECT_EQ(RowsOf(ana, bob) + RowsOf(bob, bob), 0);
}

TEST_F(FeedTest, UnfollowBlockAndMuteTakeAnAuthorOut) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(3);
    const auto& ana = u[0];
    const auto& bob = u[1];
    const auto& cy = u[2];
    ASSERT_EQ(client().As(ana).Post(U(bob) + "/follow").status, 200);
    ASSERT_EQ(client().As(bob).Post(U(ana) + "/follow").status, 200);
    ASSERT_EQ(client().As(ana).Post(U(cy) + "/follow").status, 200);
    const std::int64_t by_bob = Upload(bob, 4);
    const std::int64_t by_ana = Upload(ana, 5);
    const std::int64_t by_cy = Upload(cy, 6);
    ASSERT_TRUE(DrainFeedJobs());
    EXPECT_EQ(Home(ana), (IdList{by_cy, by_ana, by_bob})) << "newest first";
    EXPECT_EQ(Home(bob), (IdList{by_ana, by_bob}));

    // Mute hides at read time, unmute brings back.
    ASSERT_EQ(client().As(ana).Post(U(cy) + "/mute").status, 204);
    EXPECT_EQ(Home(ana), (IdList{by_ana, by_bob}));
    ASSERT_EQ(client().As(ana).Delete(U(cy) + "/mute").status, 204);
    EXPECT_EQ(Home(ana), (IdList{by_cy, by_ana, by_bob}));

    // Unfollow: the job removes the author's rows.
    ASSERT_EQ(client().As(ana).Delete(U(cy) + "/follow").status, 204);
    ASSERT_TRUE(DrainFeedJobs());
    EXPECT_EQ(RowsOf(ana, cy), 0);
    EXPECT_EQ(Home(ana), (IdList{by_ana, by_bob}));

    // Block: gone both ways at once (the reader), and the rows with the jobs.
    ASSERT_EQ(client().As(ana).Post(U(bob) + "/block").status, 204);
    EXPECT_EQ(Home(ana), IdList{by_ana});
    EXPECT_EQ(Home(bob), IdList{by_bob});
    ASSERT_TRUE(DrainFeedJobs());
    EXPECT_EQ(RowsOf(ana, bob), 0);
    EXPECT_EQ(RowsOf(bob, ana), 0);
    ExpectProblem(client().As(bob).Get(U(ana) + "/feed"), 404);
    ExpectProblem(client().As(ana).Get(U(bob) + "/feed"), 404);
    ExpectProblem(client().As(ana).Get("/v1/users/999999999999/feed"), 404);
}

TEST_F(FeedTest, HiddenFromFeedStaysOnTheProfileAndAFollowBackfills) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(2);
    const auto& ana = u[0];
    const auto& bob = u[1];
    const std::int64_t shown = Upload(bob, 7);
    const std::int64_t hidden = Upload(bob, 8, true);
    ASSERT_TRUE(DrainFeedJobs());
    // Follow after the uploads: the backfill brings the recent ones the follower may have.
    ASSERT_EQ(client().As(ana).Post(U(bob) + "/follow").status, 200);
    ASSERT_TRUE(DrainFeedJobs());
    EXPECT_EQ(Home(ana), IdList{shown}) << "hide_from_feed keeps it out of followers' feeds";
    EXPECT_EQ(Ids(ana, U(bob) + "/feed"), (IdList{hidden, shown})) << "but not off the profile";
    EXPECT_EQ(Home(bob), (IdList{hidden, shown})) << "nor out of the owner's own feed";
}

TEST_F(FeedTest, TheCursorIsStableAcrossNewItems) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(2);
    const auto& ana = u[0];
    const auto& bob = u[1];
    ASSERT_EQ(client().As(ana).Post(U(bob) + "/follow").status, 200);
    const std::int64_t a = Upload(bob, 10);
    const std::int64_t b = Upload(bob, 11);
    const std::int64_t c = Upload(bob, 12);
    ASSERT_TRUE(DrainFeedJobs());
    auto first = client().As(ana).Get("/v1/feed?limit=2");
    ASSERT_EQ(first.status, 200) << first.body;
    ASSERT_EQ(first.json.at("items").as_array().size(), 2u);
    EXPECT_EQ(first.json.at("items").at(0).at("activity").at("id").to_number<std::int64_t>(), c);
    ASSERT_TRUE(first.json.at("next_cursor").is_string());
    const std::string cursor(first.json.at("next_cursor").as_string());
    // A newer item arrives between the pages: the next page continues where the first stopped.
    const std::int64_t d = Upload(bob, 13);
    ASSERT_TRUE(DrainFeedJobs());
    auto second = client().As(ana).Get("/v1/feed?limit=2&cursor=" + cursor);
    ASSERT_EQ(second.status, 200) << second.body;
    ASSERT_EQ(second.json.at("items").as_array().size(), 1u) << second.body;
    EXPECT_EQ(second.json.at("items").at(0).at("activity").at("id").to_number<std::int64_t>(), a);
    EXPECT_TRUE(second.json.at("next_cursor").is_null());
    EXPECT_EQ(Ids(ana, "/v1/feed?limit=3"), (IdList{d, c, b}));
    // A page whose items are no longer visible is topped up from further down.
    ASSERT_EQ(
        client().As(bob).Patch("/v1/activities/" + std::to_string(d), json::object{{"visibility", "only_me"}}).status,
        200);
    ASSERT_EQ(
        client().As(bob).Patch("/v1/activities/" + std::to_string(c), json::object{{"visibility", "only_me"}}).status,
        200);
    EXPECT_EQ(Ids(ana, "/v1/feed?limit=2"), (IdList{b, a}));
    ExpectProblem(client().As(ana).Get("/v1/feed?cursor=nonsense"), 400, "cursor");
    ExpectProblem(client().As(ana).Get("/v1/feed?limit=0"), 400, "limit");
}

TEST_F(FeedTest, PostsJoinTheFeedAndActivityItemsCarryKudosAndComments) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(3);
    const auto& ana = u[0];
    const auto& bob = u[1];
    const auto& cy = u[2];
    ASSERT_EQ(client().As(ana).Post(U(bob) + "/follow").json.at("state"), "accepted");
    const std::int64_t run = Upload(bob, 14);
    auto post_of = [&](const std::string& text, const std::string& visibility) {
        auto r = client().As(bob).Post("/v1/posts", json::object{{"text", text}, {"visibility", visibility}});
        EXPECT_EQ(r.status, 201) << r.body;
        return r.json.at("id").to_number<std::int64_t>();
    };
    const std::int64_t open = post_of("Hill repeats tomorrow, who is in?", "everyone");
    const std::int64_t followers = post_of("Race plan for followers", "followers");
    const std::int64_t mine = post_of("Note to self", "only_me");
    ASSERT_EQ(client().As(ana).Put("/v1/activities/" + std::to_string(run) + "/kudos").status, 200);
    ASSERT_EQ(client().As(cy).Put("/v1/activities/" + std::to_string(run) + "/kudos").status, 200);
    ASSERT_EQ(client()
                  .As(ana)
                  .Post("/v1/activities/" + std::to_string(run) + "/comments", json::object{{"text", "Nice!"}})
                  .status,
              201);
    ASSERT_TRUE(DrainFeedJobs());

    // Posts are newer than the May run: newest first, the follower sees the two posts they may.
    EXPECT_EQ(Home(ana), (IdList{-followers, -open, run}));
    EXPECT_EQ(Home(bob), (IdList{-mine, -followers, -open, run})) << "the author sees their only-me post";
    EXPECT_EQ(Ids(cy, U(bob) + "/feed"), (IdList{-open, run})) << "a stranger: everyone's only";
    EXPECT_EQ(RowsOf(ana, bob), 3) << "the only-me post was not fanned out";

    auto page = client().As(ana).Get("/v1/feed");
    ASSERT_EQ(page.status, 200) << page.body;
    const auto& post_item = page.json.at("items").at(1);
    EXPECT_EQ(post_item.at("kind"), "post");
    EXPECT_EQ(post_item.at("author").at("id").to_number<std::int64_t>(), bob.id);
    EXPECT_EQ(post_item.at("post").at("text"), "Hill repeats tomorrow, who is in?");
    EXPECT_FALSE(post_item.at("post").at("liked_by_me").as_bool());
    EXPECT_EQ(post_item.at("at"), post_item.at("post").at("created_at"));
    const auto& run_item = page.json.at("items").at(2);
    EXPECT_EQ(run_item.at("kudos_count").to_number<std::int64_t>(), 2);
    EXPECT_EQ(run_item.at("comment_count").to_number<std::int64_t>(), 1);
    EXPECT_TRUE(run_item.at("kudoed_by_me").as_bool());
    auto bobs = client().As(bob).Get("/v1/feed");
    EXPECT_FALSE(bobs.json.at("items").at(3).at("kudoed_by_me").as_bool()) << bobs.body;
    EXPECT_EQ(bobs.json.at("items").at(3).at("kudos_count").to_number<std::int64_t>(), 2);

    // An edit to only me withdraws the post; a deletion removes it everywhere.
    ASSERT_EQ(
        client().As(bob).Patch("/v1/posts/" + std::to_string(open), json::object{{"visibility", "only_me"}}).status,
        200);
    EXPECT_EQ(Home(ana), (IdList{-followers, run})) << "at once, at read time";
    ASSERT_TRUE(DrainFeedJobs());
    EXPECT_EQ(RowsOf(ana, bob), 2) << "and its row withdrawn by the job";
    ASSERT_EQ(client().As(bob).Delete("/v1/posts/" + std::to_string(followers)).status, 204);
    EXPECT_EQ(Home(ana), IdList{run});
    ASSERT_TRUE(DrainFeedJobs());
    EXPECT_EQ(app()
                  .Sync(app().Pool().Query("SELECT count(*) FROM feed_items WHERE kind = 2 AND item_id = $1",
                                           db::Params::Of(followers)))
                  .Int(0, 0),
              0);
    // A block takes the author's posts out along with their activities.
    ASSERT_EQ(client().As(bob).Post(U(cy) + "/block").status, 204);
    ExpectProblem(client().As(cy).Get(U(bob) + "/feed"), 404);
}

TEST_F(FeedTest, TheBackfillMigrationWritesWhatTheFanOutWrote) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(3);
    const auto& ana = u[0];
    const auto& bob = u[1];
    const auto& cy = u[2];
    ASSERT_EQ(client().As(ana).Post(U(bob) + "/follow").status, 200);
    ASSERT_EQ(client().As(cy).Post(U(bob) + "/follow").status, 200);
    Upload(bob, 15);
    Upload(bob, 16, true);
    Upload(ana, 17);
    ASSERT_EQ(client().As(bob).Post("/v1/posts", json::object{{"text", "Saturday long run"}}).status, 201);
    ASSERT_EQ(client().As(bob).Post("/v1/posts", json::object{{"text", "private"}, {"visibility", "only_me"}}).status,
              201);
    ASSERT_TRUE(DrainFeedJobs());
    const std::string ids =
        "{" + std::to_string(ana.id) + "," + std::to_string(bob.id) + "," + std::to_string(cy.id) + "}";
    const auto snapshot = [&] {
        db::Result r = app().Sync(app().Pool().Query(
            "SELECT string_agg(format('%s/%s/%s/%s/%s', user_id, at, kind, item_id, author_id), ' ' ORDER BY user_id, "
            "at, kind, item_id) || ' | ' || (SELECT string_agg(format('%s/%s/%s/%s/%s', author_id, at, kind, item_id, "
            "in_feeds), ' ' ORDER BY author_id, at, kind, item_id) FROM feed_authored WHERE author_id = ANY ($1)) "
            "FROM feed_items WHERE user_id = ANY ($1)",
            db::Params::Of(ids)));
        return std::string(r.Text(0, 0));
    };
    const std::string fanned_out = snapshot();
    EXPECT_NE(fanned_out.find("/2/"), std::string::npos) << "posts are in it: " << fanned_out;

    // As on an installation from before the feed took posts: no post rows, then the migration.
    app().Sync(app().Pool().Query("DELETE FROM feed_items WHERE user_id = ANY ($1) AND kind = 2", db::Params::Of(ids)));
    app().Sync(
        app().Pool().Query("DELETE FROM feed_authored WHERE author_id = ANY ($1) AND kind = 2", db::Params::Of(ids)));
    const auto& all = migrations::All();
    auto backfill = std::find_if(all.begin(), all.end(), [](const db::Migration& m) { return m.version == 21; });
    ASSERT_NE(backfill, all.end());
    ASSERT_EQ(backfill->name, "0021_feed_backfill.sql");
    app().Sync([](db::Pool& pool, std::string sql) -> asio::awaitable<void> {
        db::Lease lease = co_await pool.Acquire();
        co_await lease.ExecuteScript(std::move(sql));
    }(app().Pool(), backfill->sql));
    EXPECT_EQ(snapshot(), fanned_out);
}

TEST_F(FeedTest, AWideAuthorIsMergedAtReadTimeWithTheCursorMutesAndUnfollows) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(3);
    const auto& ana = u[0];
    const auto& bob = u[1];
    const auto& cy = u[2];
    // As when bob passed the fan-out limit (the limit's count is the repository's; this is its mark).
    app().Sync(app().Pool().Query("INSERT INTO feed_wide_authors (author_id) VALUES ($1)", db::Params::Of(bob.id)));
    ASSERT_EQ(client().As(ana).Post(U(bob) + "/follow").status, 200);
    ASSERT_EQ(client().As(ana).Post(U(cy) + "/follow").status, 200);
    const std::int64_t b1 = Upload(bob, 18);
    const std::int64_t c1 = Upload(cy, 19);
    const std::int64_t b2 = Upload(bob, 20);
    const std::int64_t a1 = Upload(ana, 21);
    ASSERT_TRUE(DrainFeedJobs());
    EXPECT_EQ(RowsOf(ana, bob), 0) << "a wide author is not written into followers' feeds";
    EXPECT_EQ(RowsOf(ana, cy), 1);
    EXPECT_EQ(Home(ana), (IdList{a1, b2, c1, b1})) << "but merged in order when the feed is read";
    EXPECT_EQ(Home(bob), (IdList{b2, b1})) << "and in their own feed as always";

    // Paging through the merge: every item once, in order.
    IdList paged;
    std::string target = "/v1/feed?limit=1";
    for (int guard = 0; guard < 10; ++guard) {
        auto page = client().As(ana).Get(target);
        ASSERT_EQ(page.status, 200) << page.body;
        for (const auto& item : page.json.at("items").as_array()) {
            paged.push_back(item.at("activity").at("id").to_number<std::int64_t>());
        }
        if (page.json.at("next_cursor").is_null()) {
            break;
        }
        target = "/v1/feed?limit=1&cursor=" + std::string(page.json.at("next_cursor").as_string());
    }
    EXPECT_EQ(paged, (IdList{a1, b2, c1, b1}));

    ASSERT_EQ(client().As(ana).Post(U(bob) + "/mute").status, 204);
    EXPECT_EQ(Home(ana), (IdList{a1, c1})) << "a mute applies to merged authors too";
    ASSERT_EQ(client().As(ana).Delete(U(bob) + "/mute").status, 204);
    ASSERT_EQ(client().As(ana).Delete(U(bob) + "/follow").status, 204);
    EXPECT_EQ(Home(ana), (IdList{a1, c1})) << "an unfollow ends the merge at once";
}

TEST_F(FeedTest, AClubPostIsReadByTheClubsMembersOnly) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(4);
    const auto& owner = u[0];
    const auto& member = u[1];
    const auto& follower = u[2];  // follows the owner, not in the club
    const auto& stranger = u[3];
    const std::string name = "Riverside Runners " + std::to_string(owner.id);
    auto club = client().As(owner).Post(
        "/v1/clubs", json::object{{"name", name}, {"sport", "run"}, {"city", "Ljubljana"}, {"privacy", "public"}});
    ASSERT_EQ(club.status, 201) << club.body;
    const std::string c = "/v1/clubs/" + std::to_string(club.json.at("id").to_number<std::int64_t>());
    ASSERT_EQ(client().As(member).Post(c + "/join").status, 200);
    ASSERT_EQ(client().As(follower).Post(U(owner) + "/follow").json.at("state"), "accepted");

    // Only members post, and a club post takes no visibility (its audience is the club).
    ExpectProblem(client().As(stranger).Post(c + "/posts", json::object{{"text", "hi"}}), 404);
    auto bad = client().As(owner).Post(c + "/posts", json::object{{"text", "hi"}, {"visibility", "followers"}});
    ExpectProblem(bad, 400);
    EXPECT_NE(bad.body.find("visibility"), std::string::npos) << bad.body;
    auto posted = client().As(owner).Post(c + "/posts", json::object{{"text", "Long run Saturday 8:00"}});
    ASSERT_EQ(posted.status, 201) << posted.body;
    EXPECT_EQ(posted.json.at("club").at("name"), name.c_str());
    const std::int64_t club_post = posted.json.at("id").to_number<std::int64_t>();
    auto open = client().As(owner).Post("/v1/posts", json::object{{"text", "Nice weather"}});
    ASSERT_EQ(open.status, 201);
    EXPECT_TRUE(open.json.at("club").is_null());
    const std::int64_t open_post = open.json.at("id").to_number<std::int64_t>();
    ASSERT_TRUE(DrainFeedJobs());

    // Members read it in the club's feed and in their home feed; followers and strangers do not,
    // anywhere, and a non-member's club feed answers as a missing club.
    EXPECT_EQ(Ids(member, c + "/feed"), IdList{-club_post});
    EXPECT_EQ(Home(member), IdList{-club_post});
    EXPECT_EQ(Home(owner), (IdList{-open_post, -club_post})) << "once, though both the author's and the club's";
    EXPECT_EQ(Home(follower), IdList{-open_post});
    EXPECT_EQ(Ids(follower, U(owner) + "/feed"), IdList{-open_post});
    EXPECT_EQ(Ids(member, U(owner) + "/feed"), (IdList{-open_post, -club_post}));
    const std::string p = "/v1/posts/" + std::to_string(club_post);
    EXPECT_EQ(client().As(member).Get(p).status, 200);
    auto hidden = client().As(follower).Get(p);
    ExpectProblem(hidden, 404);
    EXPECT_EQ(ProblemShape(hidden), ProblemShape(client().As(follower).Get("/v1/posts/999999999999")));
    auto not_member = client().As(stranger).Get(c + "/feed");
    ExpectProblem(not_member, 404);
    EXPECT_EQ(ProblemShape(not_member), ProblemShape(client().As(stranger).Get("/v1/clubs/999999999999/feed")));
    auto listed = client().As(follower).Get(U(owner) + "/posts");
    ASSERT_EQ(listed.status, 200);
    EXPECT_EQ(listed.json.at("posts").as_array().size(), 1u) << listed.body;
    ExpectProblem(client().As(follower).Post(p + "/comments", json::object{{"text", "me too"}}), 404);
    EXPECT_EQ(client().As(member).Post(p + "/comments", json::object{{"text", "in!"}}).status, 201);

    // Membership is read when the feed is: leaving takes the club's posts out at once, joining brings them.
    ASSERT_EQ(client().As(member).Delete(c + "/membership").status, 204);
    EXPECT_EQ(Home(member), IdList{});
    ExpectProblem(client().As(member).Get(p), 404);
    ASSERT_EQ(client().As(follower).Post(c + "/join").status, 200);
    EXPECT_EQ(Home(follower), (IdList{-open_post, -club_post}));

    // The club's admins manage its posts; another member may not delete them (404 as the owner rule).
    auto by_follower = client().As(follower).Post(c + "/posts", json::object{{"text", "Who runs Sunday?"}});
    ASSERT_EQ(by_follower.status, 201);
    const std::string fp = "/v1/posts/" + std::to_string(by_follower.json.at("id").to_number<std::int64_t>());
    ExpectProblem(client().As(follower).Delete(p), 404);
    ExpectProblem(client().As(owner).Patch(fp, json::object{{"text", "edited"}}), 404);
    ExpectProblem(client().As(follower).Patch(fp, json::object{{"visibility", "only_me"}}), 400);
    EXPECT_EQ(client().As(owner).Delete(fp).status, 204);
    ASSERT_TRUE(DrainFeedJobs());
    EXPECT_EQ(Ids(follower, c + "/feed"), IdList{-club_post});
    EXPECT_EQ(app()
                  .Sync(app().Pool().Query("SELECT count(*) FROM feed_club_items WHERE item_id = $1 AND kind = 2",
                                           db::Params::Of(by_follower.json.at("id").to_number<std::int64_t>())))
                  .Int(0, 0),
              0);

    // A block hides the author's club posts from the blocked member, too.
    ASSERT_EQ(client().As(owner).Post(U(follower) + "/block").status, 204);
    EXPECT_EQ(Ids(follower, c + "/feed"), IdList{});
}

TEST_F(FeedTest, ACountNeverSaysMoreThanItsListShows) {
    STRAVA1_REQUIRE_PG();
    auto u = app().Users(2);
    const auto& ana = u[0];
    const auto& bob = u[1];
    ASSERT_EQ(client().As(bob).Post(U(ana) + "/follow").status, 200);
    const std::int64_t run = Upload(ana, 9);
    const std::string a = "/v1/activities/" + std::to_string(run);
    ASSERT_EQ(client().As(bob).Put(a + "/kudos").status, 200);
    ASSERT_EQ(client().As(bob).Post(a + "/comments", json::object{{"text", "Nice"}}).status, 201);
    ASSERT_TRUE(DrainFeedJobs());
    auto item = [&] { return client().As(ana).Get("/v1/feed").json.at("items").at(0); };
    EXPECT_EQ(item().at("kudos_count"), 1);
    EXPECT_EQ(item().at("comment_count"), 1);
    // After a block the lists leave bob out, and so do the counts.
    ASSERT_EQ(client().As(ana).Post(U(bob) + "/block").status, 204);
    EXPECT_EQ(client().As(ana).Get(a + "/kudos").json.at("users").as_array().size(), 0u);
    EXPECT_EQ(item().at("kudos_count"), 0);
    EXPECT_EQ(item().at("comment_count"), 0);
}

}  // namespace
}  // namespace strava1::app
