// People search through the composed app in-process (ADR 0027): typo tolerance, username prefixes
// first, the caller's relation on each hit, blocks hiding people both ways, bad queries, paging.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "test_app.hpp"

namespace strava1::app {
namespace {

using testing::ExpectProblem;
using testing::TestUser;

std::string U(const TestUser& user) { return "/v1/users/" + std::to_string(user.id); }

/// Letters no other test's names share, so the shared database's other users stay out of the way.
std::string Tag() {
    static std::mt19937 rng(std::random_device{}());
    std::string tag;
    for (int i = 0; i < 6; ++i) {
        tag += static_cast<char>('a' + rng() % 26);
    }
    return tag;
}

std::vector<std::int64_t> Ids(const testing::InProcessResponse& list) {
    std::vector<std::int64_t> out;
    for (const auto& u : list.json.at("users").as_array()) {
        out.push_back(u.at("id").to_number<std::int64_t>());
    }
    return out;
}

bool Has(const std::vector<std::int64_t>& ids, std::int64_t id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

class SearchTest : public InProcessTest {
protected:
    void Name(const TestUser& user, boost::json::object body) {
        auto r = client().As(user).Patch("/v1/me", body);
        ASSERT_EQ(r.status, 200) << r.body;
    }
};

TEST_F(SearchTest, FindsTyposAndPrefixesWithTheRelationAndHidesBlockedPeopleBothWays) {
    STRAVA1_REQUIRE_PG();
    std::string tag = Tag();
    auto users = app().Users(5);
    const auto& me = users[0];
    const auto& john = users[1];
    const auto& bob = users[2];
    const auto& blocker = users[3];
    const auto& blocked = users[4];
    std::string surname = "Quill" + tag;  // Quillabcdef
    Name(me, {{"display_name", "Mia " + surname}});
    Name(john, {{"display_name", "John " + surname}, {"city", "Leeds"}});
    Name(bob, {{"display_name", "Robert Ortiz"}, {"username", tag + "_bob"}});
    Name(blocker, {{"display_name", "Johnny " + surname}});
    Name(blocked, {{"display_name", "Joan " + surname}});
    ASSERT_EQ(client().As(me).Post(U(john) + "/follow").status, 200);
    ASSERT_EQ(client().As(blocker).Post(U(me) + "/block").status, 204);
    ASSERT_EQ(client().As(me).Post(U(blocked) + "/block").status, 204);

    // "jonh": a typo of John's first name, with his surname misspelt too (one letter swapped).
    std::string typo = surname;
    std::swap(typo[1], typo[2]);
    auto found = client().As(me).Get("/v1/users/search?q=jonh%20" + typo);
    ASSERT_EQ(found.status, 200) << found.body;
    auto ids = Ids(found);
    ASSERT_FALSE(ids.empty()) << found.body;
    EXPECT_EQ(ids.front(), john.id) << found.body;
    EXPECT_FALSE(Has(ids, me.id)) << "the caller is not a result";
    EXPECT_FALSE(Has(ids, blocker.id)) << "who blocked me is hidden";
    EXPECT_FALSE(Has(ids, blocked.id)) << "whom I blocked is hidden";
    const auto& hit = found.json.at("users").at(0);
    EXPECT_EQ(std::string(hit.at("display_name").as_string()), "John " + surname);
    EXPECT_EQ(hit.at("city"), "Leeds");
    EXPECT_EQ(hit.at("follower_count").to_number<std::int64_t>(), 1);
    EXPECT_EQ(hit.at("relationship").at("following"), "accepted");
    EXPECT_EQ(hit.at("relationship").at("followed_by"), false);

    // Both ways: neither side of a block finds the other.
    EXPECT_FALSE(Has(Ids(client().As(blocker).Get("/v1/users/search?q=" + surname)), me.id));
    EXPECT_FALSE(Has(Ids(client().As(blocked).Get("/v1/users/search?q=" + surname)), me.id));
    EXPECT_TRUE(Has(Ids(client().As(bob).Get("/v1/users/search?q=" + surname)), me.id)) << "others do";

    // A username prefix (also of two letters, below a trigram) finds Bob first.
    auto prefix = client().As(me).Get("/v1/users/search?q=" + tag.substr(0, 4));
    ASSERT_EQ(prefix.status, 200) << prefix.body;
    ASSERT_FALSE(Ids(prefix).empty()) << prefix.body;
    EXPECT_EQ(Ids(prefix).front(), bob.id);
    auto short_prefix = client().As(me).Get("/v1/users/search?q=" + tag.substr(0, 2) + "&limit=50");
    ASSERT_EQ(short_prefix.status, 200) << short_prefix.body;

    // Paging: one a page over the surname, every visible namesake once.
    std::set<std::int64_t> seen;
    std::string cursor;
    for (int page = 0; page < 5; ++page) {
        auto r = client().As(bob).Get("/v1/users/search?limit=1&q=" + surname + cursor);
        ASSERT_EQ(r.status, 200) << r.body;
        for (auto id : Ids(r)) {
            EXPECT_TRUE(seen.insert(id).second) << "seen twice: " << id;
        }
        if (!r.json.at("next_cursor").is_string()) {
            break;
        }
        cursor = "&cursor=" + std::string(r.json.at("next_cursor").as_string());
    }
    EXPECT_EQ(seen, (std::set<std::int64_t>{me.id, john.id, blocker.id, blocked.id}));
}

TEST_F(SearchTest, RefusesEmptyAndOverlongQueries) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(1);
    ExpectProblem(client().As(users[0]).Get("/v1/users/search"), 400, "q");
    ExpectProblem(client().As(users[0]).Get("/v1/users/search?q="), 400, "q");
    ExpectProblem(client().As(users[0]).Get("/v1/users/search?q=%20%20"), 400, "q");
    ExpectProblem(client().As(users[0]).Get("/v1/users/search?q=" + std::string(101, 'a')), 400, "q");
    ExpectProblem(client().As(users[0]).Get("/v1/users/search?q=abc&limit=0"), 400, "limit");
    ExpectProblem(client().As(users[0]).Get("/v1/users/search?q=abc&cursor=nope"), 400, "cursor");
    EXPECT_EQ(client().Get("/v1/users/search?q=abc").status, 401);
}

/// How many searchable users hold `word` in people search's dictionary (0: not there).
std::int64_t DictionaryUsers(TestApp& app, const std::string& word) {
    db::Result r = app.Sync(app.Pool().Query("SELECT users FROM search_words WHERE word = $1", db::Params::Of(word)));
    return r.Empty() ? 0 : r.Int(0, 0);
}

bool Finds(const testing::InProcessClient& client, const TestUser& who, const std::string& q, std::int64_t id) {
    auto r = client.As(who).Get("/v1/users/search?limit=50&q=" + q);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 && Has(Ids(r), id);
}

TEST_F(SearchTest, FindsARenamedUserByTheNewNameOnlyAndForgetsADeletedOne) {
    STRAVA1_REQUIRE_PG();
    auto users = app().Users(2);
    const auto& me = users[0];
    const auto& ana = users[1];
    // Four unrelated random words, so no name is similar to another.
    std::string old_name = "old" + Tag();
    std::string new_name = "new" + Tag();
    std::string old_username = "run" + Tag();
    std::string new_username = "ride" + Tag();
    Name(ana, {{"display_name", "Ana " + old_name}, {"username", old_username}});
    EXPECT_TRUE(Finds(client(), me, old_name, ana.id));
    EXPECT_TRUE(Finds(client(), me, old_username, ana.id));
    EXPECT_EQ(DictionaryUsers(app(), old_name), 1);

    Name(ana, {{"display_name", "Ana " + new_name}, {"username", new_username}});
    EXPECT_FALSE(Finds(client(), me, old_name, ana.id)) << "the old name is forgotten";
    EXPECT_FALSE(Finds(client(), me, old_username, ana.id)) << "so is the old username";
    EXPECT_TRUE(Finds(client(), me, new_name, ana.id));
    EXPECT_TRUE(Finds(client(), me, new_username.substr(0, 6), ana.id)) << "a prefix of the username";
    std::string typo = new_name;
    typo[5] = typo[5] == 'x' ? 'y' : 'x';  // one letter replaced
    EXPECT_TRUE(Finds(client(), me, typo, ana.id)) << typo;
    EXPECT_EQ(DictionaryUsers(app(), old_name), 0) << "no one holds the old word: it leaves the dictionary";
    EXPECT_EQ(DictionaryUsers(app(), old_username), 0);
    EXPECT_EQ(DictionaryUsers(app(), new_name), 1);

    auto gone = client().As(ana).Send(http::Method::kDelete, "/v1/me",
                                      boost::json::serialize(boost::json::object{{"password", ana.password}}),
                                      {{"Content-Type", "application/json"}});
    ASSERT_EQ(gone.status, 204) << gone.body;
    EXPECT_FALSE(Finds(client(), me, new_name, ana.id));
    EXPECT_EQ(DictionaryUsers(app(), new_name), 0);
    EXPECT_EQ(DictionaryUsers(app(), new_username), 0);
}

TEST_F(SearchTest, LeavesOutSuspendedUsersUntilTheyAreUnsuspended) {
    STRAVA1_REQUIRE_PG();
    std::string surname = "Suspect" + Tag();
    auto users = app().Users(2);
    Name(users[1], {{"display_name", "Ed " + surname}});
    ASSERT_TRUE(Finds(client(), users[0], surname, users[1].id));
    auto& standing = app().Composed().Accounts().Standing();
    ASSERT_TRUE(app().Sync(standing.SetSuspended(users[1].id, true)));
    EXPECT_FALSE(Finds(client(), users[0], surname, users[1].id));
    ASSERT_TRUE(app().Sync(standing.SetSuspended(users[1].id, false)));
    EXPECT_TRUE(Finds(client(), users[0], surname, users[1].id));
}

TEST_F(SearchTest, ToleratesOneTypoInAnyWordAndRanksPrefixesFirst) {
    STRAVA1_REQUIRE_PG();
    std::string surname = "barlow" + Tag();  // 12 letters
    auto users = app().Users(4);
    const auto& me = users[0];
    const auto& john = users[1];
    const auto& longer = users[2];
    const auto& lookalike = users[3];
    Name(john, {{"display_name", "John " + surname}});
    Name(longer, {{"display_name", "Amy " + surname + "son"}});
    Name(lookalike, {{"display_name", "Amy Q" + surname.substr(1)}});  // the first letter replaced
    std::string dropped = surname.substr(0, 7) + surname.substr(8);
    std::string doubled = surname.substr(0, 8) + surname.substr(7);
    std::string swapped = surname;
    std::swap(swapped[7], swapped[8]);
    std::string replaced = surname;
    replaced[9] = replaced[9] == 'z' ? 'y' : 'z';
    for (const auto& q : {dropped, doubled, swapped, replaced, "jonh%20" + swapped, "jhon%20" + dropped}) {
        EXPECT_TRUE(Finds(client(), me, q, john.id)) << q;
    }
    auto jonh = client().As(me).Get("/v1/users/search?q=jonh%20" + replaced);
    ASSERT_EQ(jonh.status, 200) << jonh.body;
    ASSERT_FALSE(Ids(jonh).empty());
    EXPECT_EQ(Ids(jonh).front(), john.id) << jonh.body;

    // A prefix of the surname: both holders of a word it starts, before the look-alike it is only
    // similar to; within the same rank, by id.
    auto prefix = client().As(me).Get("/v1/users/search?limit=50&q=" + surname.substr(0, 9));
    ASSERT_EQ(prefix.status, 200) << prefix.body;
    auto ids = Ids(prefix);
    ASSERT_GE(ids.size(), 3u) << prefix.body;
    EXPECT_EQ(std::vector<std::int64_t>(ids.begin(), ids.begin() + 2), (std::vector<std::int64_t>{john.id, longer.id}));
    EXPECT_TRUE(Has(ids, lookalike.id)) << prefix.body;
    // Short words match by prefix: "jo" and the surname's start.
    EXPECT_TRUE(Finds(client(), me, "jo%20" + surname.substr(0, 8), john.id));
}

/// The reason each suggested user of `me` is given (absent ones are not suggested).
std::map<std::int64_t, std::string> Reasons(const testing::InProcessResponse& r) {
    std::map<std::int64_t, std::string> out;
    for (const auto& u : r.json.at("users").as_array()) {
        out[u.at("id").to_number<std::int64_t>()] = std::string(u.at("reason").as_string());
    }
    return out;
}

TEST_F(SearchTest, SuggestsFriendsOfFriendsClubmatesAndTheCityWithReasonsLeavingOutWhomItMust) {
    STRAVA1_REQUIRE_PG();
    std::string city = "Town" + Tag();
    auto users = app().Users(9);
    const auto& me = users[0];
    const auto& f1 = users[1];  // I follow f1 and f2
    const auto& f2 = users[2];
    const auto& fof = users[3];      // followed by f1 and f2: 2 mutual friends
    const auto& mate = users[4];     // in my club
    const auto& local = users[5];    // in my city
    const auto& muted = users[6];    // in my city, muted
    const auto& blocker = users[7];  // in my city, blocked me
    const auto& gone = users[8];     // in my city, dismissed
    Name(me, {{"city", city}});
    for (const auto* u : {&local, &muted, &blocker, &gone}) {
        Name(*u, {{"city", city}});
    }
    ASSERT_EQ(client().As(me).Post(U(f1) + "/follow").status, 200);
    ASSERT_EQ(client().As(me).Post(U(f2) + "/follow").status, 200);
    ASSERT_EQ(client().As(f1).Post(U(fof) + "/follow").status, 200);
    ASSERT_EQ(client().As(f2).Post(U(fof) + "/follow").status, 200);
    ASSERT_EQ(client().As(f1).Post(U(me) + "/follow").status, 200);  // not a candidate: I follow f1 already
    auto club = client().As(mate).Post(
        "/v1/clubs",
        boost::json::object{{"name", "Riverside Runners " + city}, {"sport", "run"}, {"privacy", "public"}});
    ASSERT_EQ(club.status, 201) << club.body;
    std::string club_path = "/v1/clubs/" + std::to_string(club.json.at("id").to_number<std::int64_t>());
    ASSERT_EQ(client().As(me).Post(club_path + "/join").status, 200);
    ASSERT_EQ(client().As(me).Post(U(muted) + "/mute").status, 204);
    ASSERT_EQ(client().As(blocker).Post(U(me) + "/block").status, 204);

    auto before = client().As(me).Get("/v1/me/suggestions?limit=30");
    ASSERT_EQ(before.status, 200) << before.body;
    auto reasons = Reasons(before);
    EXPECT_EQ(reasons[fof.id], "2 mutual friends") << before.body;
    EXPECT_EQ(reasons[mate.id], "Member of Riverside Runners " + city);
    EXPECT_EQ(reasons[local.id], "Also in " + city);
    EXPECT_EQ(reasons[gone.id], "Also in " + city);
    EXPECT_EQ(before.json.at("users").at(0).at("id").to_number<std::int64_t>(), fof.id) << "mutual friends first";
    for (const auto* u : {&me, &f1, &f2, &muted, &blocker}) {
        EXPECT_EQ(reasons.count(u->id), 0u) << "suggested " << u->id << ": " << before.body;
    }

    // Dismiss: never again; oneself 400; a missing user and one who blocked me 404.
    EXPECT_EQ(client().As(me).Post("/v1/me/suggestions/" + std::to_string(gone.id) + "/dismiss").status, 204);
    EXPECT_EQ(client().As(me).Post("/v1/me/suggestions/" + std::to_string(gone.id) + "/dismiss").status, 204);
    EXPECT_EQ(Reasons(client().As(me).Get("/v1/me/suggestions?limit=30")).count(gone.id), 0u);
    ExpectProblem(client().As(me).Post("/v1/me/suggestions/" + std::to_string(me.id) + "/dismiss"), 400, "user_id");
    ExpectProblem(client().As(me).Post("/v1/me/suggestions/999999999999/dismiss"), 404);
    ExpectProblem(client().As(me).Post("/v1/me/suggestions/" + std::to_string(blocker.id) + "/dismiss"), 404);
    ExpectProblem(client().As(me).Get("/v1/me/suggestions?limit=31"), 400, "limit");
}

}  // namespace
}  // namespace strava1::app
