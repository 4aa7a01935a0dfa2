// The accounts contract other features read (profiles.hpp) against a real PostgreSQL: the facts of
// existing users only, each instant's calendar day in that user's time zone, and the user of an email.
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>

#include "strava1/accounts/module.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/jobs/client.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::accounts {
namespace {
namespace asio = boost::asio;

class ProfilesPg : public ::testing::Test {
protected:
    void SetUp() override {
        if (!testing::PgDsn()) {
            return;
        }
        database_ = std::make_unique<testing::PgTestDatabase>();
        pool_ = std::make_unique<db::Pool>(io_.get_executor(), db::PoolOptions{database_->ConnInfo(), 2});
        module_ = std::make_unique<Module>(Deps{*pool_, clock_, cpu_, jobs_}, Options{});
    }
    void TearDown() override {
        module_.reset();
        pool_.reset();
        cpu_.join();
    }
    template <class T>
    T Sync(asio::awaitable<T> task) {
        return testing::RunSync(io_, std::move(task));
    }
    std::int64_t AddUser(const std::string& sql) { return Sync(pool_->Query(sql)).Int(0, 0); }

    asio::io_context io_;
    asio::thread_pool cpu_{1};
    jobs::Registry job_kinds_;  // none: "user.deleted" has no subscriber here
    jobs::Client jobs_{job_kinds_};
    testing::FakeClock clock_;
    std::unique_ptr<testing::PgTestDatabase> database_;
    std::unique_ptr<db::Pool> pool_;
    std::unique_ptr<Module> module_;
};

TEST_F(ProfilesPg, FactsOfExistingUsersWithTheirLocalDays) {
    STRAVA1_REQUIRE_PG();
    const std::int64_t ana = AddUser(
        "INSERT INTO users (email, username, display_name, time_zone, units, weight_kg, max_hr_bpm, ftp_w, sex, "
        "default_visibility, hide_endpoints_m) VALUES ('Ana@Example.com', 'ana', 'Ana', 'Europe/Paris', 'imperial', "
        "61.5, 190, 250, 'female', 'followers', 400) RETURNING id");
    const std::int64_t bob = AddUser("INSERT INTO users (display_name) VALUES ('Bob') RETURNING id");
    Profiles& profiles = module_->Profiles();
    // 2026-03-01T23:30:00Z is already 2 March in Paris, still 1 March in UTC.
    const std::int64_t late_evening_utc = 1'772'407'800'000'000;
    std::vector<ProfileFacts> found =
        Sync(profiles.Find({ana, bob, ana + bob + 1}, {late_evening_utc, late_evening_utc - 86'400'000'000}));
    ASSERT_EQ(found.size(), 2u) << "a missing user is left out";
    const ProfileFacts& a = found[0].user_id == ana ? found[0] : found[1];
    const ProfileFacts& b = found[0].user_id == ana ? found[1] : found[0];
    EXPECT_EQ(a.username, "ana");
    EXPECT_EQ(a.display_name, "Ana");
    EXPECT_EQ(a.time_zone, "Europe/Paris");
    EXPECT_EQ(a.units, "imperial");
    EXPECT_EQ(a.weight_kg, 61.5);
    EXPECT_EQ(a.max_hr_bpm, 190);
    EXPECT_FALSE(a.resting_hr_bpm);
    EXPECT_EQ(a.ftp_w, 250);
    EXPECT_EQ(a.sex, "female");
    EXPECT_EQ(a.default_visibility, "followers");
    EXPECT_EQ(a.hide_endpoints_m, 400);
    EXPECT_FALSE(a.avatar_url);
    EXPECT_EQ(a.local_dates, (std::vector<std::string>{"2026-03-02", "2026-03-01"}));
    EXPECT_EQ(b.local_dates, (std::vector<std::string>{"2026-03-01", "2026-02-28"}));
    EXPECT_EQ(b.hide_endpoints_m, 200);
    EXPECT_EQ(b.default_visibility, "everyone");
    EXPECT_FALSE(b.username);

    auto one = Sync(profiles.FindOne(bob));
    ASSERT_TRUE(one);
    EXPECT_EQ(one->display_name, "Bob");
    EXPECT_TRUE(one->local_dates.empty());
    EXPECT_FALSE(Sync(profiles.FindOne(ana + bob + 1)));
    EXPECT_TRUE(Sync(profiles.Find({}, {})).empty());

    EXPECT_EQ(Sync(profiles.FindIdByEmail("ana@EXAMPLE.com")), ana) << "emails compare case-insensitively";
    EXPECT_FALSE(Sync(profiles.FindIdByEmail("nobody@example.com")));

    // Mentions: usernames compare case-insensitively; unknown ones are left out.
    using Found = std::vector<std::pair<std::string, std::int64_t>>;
    EXPECT_EQ(Sync(profiles.FindIdsByUsername({"ANA", "nobody"})), (Found{{"ana", ana}}));
    EXPECT_TRUE(Sync(profiles.FindIdsByUsername({})).empty());
}

}  // namespace
}  // namespace strava1::accounts
