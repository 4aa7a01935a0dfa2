// The accounts service against a real PostgreSQL, without HTTP: sign-up and sign-in, the session a
// sign-in opens and the device it remembers, owner-only session revocation, refresh rotation and
// its reuse detection, profile changes and account deletion.
#include "service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>

#include "repository.hpp"
#include "strava1/auth/local_tokens.hpp"
#include "strava1/jobs/admin.hpp"
#include "strava1/jobs/client.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::accounts {
namespace {
namespace asio = boost::asio;

class ServicePg : public ::testing::Test {
protected:
    void SetUp() override {
        if (!testing::PgDsn()) {
            return;
        }
        database_ = std::make_unique<testing::PgTestDatabase>();
        pool_ = std::make_unique<db::Pool>(io_.get_executor(), db::PoolOptions{database_->ConnInfo(), 2});
        issuer_ = std::make_unique<auth::LocalTokenIssuer>(auth::PrivateKey::GenerateEs256(), clock_);
        repository_ = std::make_unique<Repository>(*pool_);
        Options options;
        options.fast_password_hash = true;
        options.refresh_reuse_grace = std::chrono::seconds(0);
        service_ =
            std::make_unique<Service>(Deps{*pool_, clock_, cpu_, jobs_, issuer_.get()}, options, *repository_, cache_);
    }
    void TearDown() override {
        service_.reset();
        pool_.reset();
        cpu_.join();
    }
    template <class T>
    T Sync(asio::awaitable<T> task) {
        return testing::RunSync(io_, std::move(task));
    }
    ErrorKind Fails(asio::awaitable<void> task) {
        try {
            Sync(std::move(task));
        } catch (const Error& e) {
            return e.Kind();
        }
        return ErrorKind::kInternal;
    }
    template <class T>
    ErrorKind Fails(asio::awaitable<T> task) {
        try {
            Sync(std::move(task));
        } catch (const Error& e) {
            return e.Kind();
        }
        return ErrorKind::kInternal;
    }
    Principal Who(const SignedIn& in) { return Principal{in.me.Int(0, MeCol("id")), 0, clock_.Now()}; }

    asio::io_context io_;
    asio::thread_pool cpu_{1};
    jobs::Registry job_kinds_;  // none: "user.deleted" has no subscriber here
    jobs::Client jobs_{job_kinds_};
    testing::FakeClock clock_{SystemTime{std::chrono::seconds(1'764'000'000)}};
    std::unique_ptr<testing::PgTestDatabase> database_;
    std::unique_ptr<db::Pool> pool_;
    std::unique_ptr<auth::LocalTokenIssuer> issuer_;
    std::unique_ptr<Repository> repository_;
    SessionCache cache_;
    std::unique_ptr<Service> service_;
};

constexpr const char* kPassword = "correct horse battery";

TEST_F(ServicePg, SignUpSignInAndTheirSessions) {
    STRAVA1_REQUIRE_PG();
    SignedIn ana =
        Sync(service_->Signup(SignupBody{" Ana@Example.com ", kPassword, "Ana"}, Client{"10.0.0.1", "tab", ""}));
    EXPECT_EQ(ana.me.String(0, MeCol("email")), "ana@example.com");
    EXPECT_FALSE(ana.tokens.access_token.empty());
    EXPECT_EQ(ana.tokens.expires_in_s, 900);
    EXPECT_FALSE(ana.device_cookie.empty());
    EXPECT_EQ(Fails(service_->Signup(SignupBody{"ana@example.com", kPassword, "Other"}, Client{})),
              ErrorKind::kConflict);
    EXPECT_EQ(Fails(service_->Login(LoginBody{"ana@example.com", "wrong password!"}, Client{"10.0.0.2"})),
              ErrorKind::kUnauthenticated);
    // The device cookie of an earlier sign-in is kept, not replaced.
    SignedIn again =
        Sync(service_->Login(LoginBody{"ANA@example.com", kPassword}, Client{"10.0.0.1", "phone", ana.device_cookie}));
    EXPECT_EQ(again.device_cookie, ana.device_cookie);

    Principal who = Who(ana);
    std::vector<SessionView> sessions = Sync(service_->Sessions(who));
    ASSERT_EQ(sessions.size(), 2u);
    EXPECT_EQ(sessions[0].user_agent, "phone") << "most recently used first";

    SignedIn bob = Sync(service_->Signup(SignupBody{"bob@example.com", kPassword, "Bob"}, Client{}));
    EXPECT_EQ(Fails(service_->RevokeSession(Who(bob), sessions[0].id)), ErrorKind::kNotFound)
        << "another's session answers as a missing one";
    Sync(service_->RevokeSession(who, sessions[0].id));
    EXPECT_EQ(Sync(service_->Sessions(who)).size(), 1u);
}

TEST_F(ServicePg, ARefreshTokenRotatesOnceAndItsReuseEndsTheSession) {
    STRAVA1_REQUIRE_PG();
    SignedIn ana = Sync(service_->Signup(SignupBody{"ana@example.com", kPassword, "Ana"}, Client{}));
    Refreshed next = Sync(service_->Refresh(RefreshBody{ana.tokens.refresh_token}));
    EXPECT_NE(next.tokens.refresh_token, ana.tokens.refresh_token);
    EXPECT_EQ(next.me.String(0, MeCol("display_name")), "Ana");
    // No grace here: the spent token presented again is theft, and the family is revoked.
    EXPECT_EQ(Fails(service_->Refresh(RefreshBody{ana.tokens.refresh_token})), ErrorKind::kUnauthenticated);
    EXPECT_EQ(Fails(service_->Refresh(RefreshBody{next.tokens.refresh_token})), ErrorKind::kUnauthenticated);
    EXPECT_EQ(Fails(service_->Refresh(RefreshBody{"x"})), ErrorKind::kUnauthenticated);
}

TEST_F(ServicePg, ProfileChangesAndAccountDeletion) {
    STRAVA1_REQUIRE_PG();
    SignedIn ana = Sync(service_->Signup(SignupBody{"ana@example.com", kPassword, "Ana"}, Client{}));
    SignedIn bob = Sync(service_->Signup(SignupBody{"bob@example.com", kPassword, "Bob"}, Client{}));
    PatchMeBody patch;
    patch.username = {true, "ana"};
    patch.hide_endpoints_m = {true, 400};
    db::Result me = Sync(service_->UpdateMe(Who(ana), patch));
    EXPECT_EQ(me.String(0, MeCol("username")), "ana");
    EXPECT_EQ(me.Int(0, MeCol("hide_endpoints_m")), 400);
    EXPECT_EQ(Fails(service_->UpdateMe(Who(bob), patch)), ErrorKind::kConflict) << "the username is taken";
    EXPECT_EQ(Sync(service_->PublicProfile(Who(ana).user_id, Who(ana).user_id)).first.String(0, PublicCol("username")),
              "ana");

    EXPECT_EQ(Fails(service_->DeleteMe(Who(ana), DeleteMeBody{})), ErrorKind::kInvalidArgument)
        << "a local account confirms with its password";
    Sync(service_->DeleteMe(Who(ana), DeleteMeBody{kPassword}));
    EXPECT_EQ(Fails(service_->Me(Who(ana).user_id)), ErrorKind::kNotFound);
    EXPECT_EQ(Fails(service_->PublicProfile(Who(ana).user_id, Who(ana).user_id)), ErrorKind::kNotFound);
}

TEST_F(ServicePg, DeletingAnAccountPublishesUserDeletedWithTheDeletion) {
    STRAVA1_REQUIRE_PG();
    job_kinds_.Subscribe(kUserDeleted, "test", [](jobs::ReceivedEvent) -> asio::awaitable<void> { co_return; });
    SignedIn ana = Sync(service_->Signup(SignupBody{"ana@example.com", kPassword, "Ana"}, Client{}));
    jobs::ListFilter filter;
    filter.kind = jobs::Registry::EventKind(kUserDeleted, "test");
    EXPECT_EQ(Fails(service_->DeleteMe(Who(ana), DeleteMeBody{"wrong password"})), ErrorKind::kInvalidArgument);
    EXPECT_TRUE(Sync(jobs::ListJobs(*pool_, filter)).empty()) << "no event without the deletion";
    Sync(service_->DeleteMe(Who(ana), DeleteMeBody{kPassword}));
    auto delivered = Sync(jobs::ListJobs(*pool_, filter));
    ASSERT_EQ(delivered.size(), 1u) << "one delivery for the one subscriber";
    boost::json::value body = boost::json::parse(delivered[0].payload);
    EXPECT_EQ(body.at("type").as_string(), kUserDeleted);
    EXPECT_EQ(body.at("payload").at("user_id").to_number<std::int64_t>(), Who(ana).user_id);
    EXPECT_EQ(
        Sync(pool_->Query("SELECT count(*) FROM users WHERE id = $1", db::Params::Of(Who(ana).user_id))).Int(0, 0), 0);
}

}  // namespace
}  // namespace strava1::accounts
