// People search through the composed app in-process (ADR 0027): typo tolerance, username prefixes
// first, the caller's relation on each hit, blocks hiding people both ways, bad queries, paging.
#include <gtest/gtest.h>

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

bool Has(const std::vector<std::int64_t>& ids, std::int64_t id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); }

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
    EXPECT_EQ(hit.at("display_name"), "John " + surname);
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

}  // namespace
}  // namespace strava1::app
