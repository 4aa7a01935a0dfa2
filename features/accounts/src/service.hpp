#pragma once

// The accounts service: every decision of sign-up, sign-in, sessions and profiles — validation,
// authorisation, the password and token rules, transactions. No HTTP types: the routes hand it
// plain values and render what it returns.
//
// GCC 12: a co_await inside a condition (`if (!co_await …)`, `&&`, `?:`) miscompiles (a throw after
// it traps); every awaited value is named first.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <string>
#include <vector>

#include "passwords.hpp"
#include "repository.hpp"
#include "session_cache.hpp"
#include "sign_in_throttle.hpp"
#include "strava1/accounts/module.hpp"
#include "strava1/base/field_errors.hpp"
#include "strava1/base/principal.hpp"
#include "wire.hpp"

namespace strava1::accounts {

/// Who is signing in, as far as the service needs to know.
struct Client {
    std::string remote_ip;
    std::string user_agent;
    std::string device_cookie;  ///< the strava1_device cookie presented, or empty
};

/// A new session: its tokens, the user (a row of kMeColumns) and the device cookie to set.
struct SignedIn {
    IssuedTokens tokens;
    db::Result me;
    std::string device_cookie;
};

/// A rotated (or replayed) refresh token.
struct Refreshed {
    IssuedTokens tokens;
    db::Result me;
};

class Service {
public:
    Service(Deps deps, Options options, Repository& repository, SessionCache& cache)
        : deps_(deps), options_(options), repository_(repository), cache_(cache), throttle_(deps.clock) {}

    boost::asio::awaitable<SignedIn> Signup(SignupBody body, Client client);
    boost::asio::awaitable<SignedIn> Login(LoginBody body, Client client);
    boost::asio::awaitable<Refreshed> Refresh(RefreshBody body);
    boost::asio::awaitable<void> Logout(Principal who);
    boost::asio::awaitable<void> ChangePassword(Principal who, PasswordBody body, Client client);
    boost::asio::awaitable<std::vector<SessionView>> Sessions(Principal who);
    boost::asio::awaitable<void> RevokeSession(Principal who, std::int64_t session_id);
    /// The caller's profile (kMeColumns), or 404.
    boost::asio::awaitable<db::Result> Me(std::int64_t user_id);
    boost::asio::awaitable<db::Result> UpdateMe(Principal who, PatchMeBody body);
    boost::asio::awaitable<void> DeleteMe(Principal who, DeleteMeBody body);
    /// A user's public profile (kPublicProfileColumns) and the viewer's relation to them, or 404
    /// (also when a block stands between the two, either way).
    boost::asio::awaitable<std::pair<db::Result, app::Relationship>> PublicProfile(std::int64_t viewer_id,
                                                                                   std::int64_t user_id);

    /// People search (ADR 0027): users matching `terms`, best first, after the cursor's (rank, id),
    /// with the viewer's relation to each; users a block stands between (either way) and the viewer
    /// are left out. `fetch` rows at most (the page and one more).
    boost::asio::awaitable<std::vector<std::pair<SearchHit, app::Relationship>>> Search(
        std::int64_t viewer_id, SearchTerms terms, int fetch,
        std::optional<std::pair<std::int64_t, std::int64_t>> after);

    /// The field errors of a profile change, checked against `today` (the birthdate).
    static void CheckProfilePatch(const PatchMeBody& body, SystemTime today, FieldErrors& errors);

private:
    HashCost Cost() const { return options_.fast_password_hash ? HashCost::kFast : HashCost::kInteractive; }
    boost::asio::awaitable<std::string> Hash(std::string password);
    boost::asio::awaitable<bool> Verify(std::string password, std::string hash);
    boost::asio::awaitable<bool> VerifyAgainstDummy(std::string password);
    /// Starts a session inside `tx`: its tokens.
    boost::asio::awaitable<IssuedTokens> OpenSession(db::Transaction tx, std::int64_t user_id, std::string user_agent);
    IssuedTokens Tokens(std::int64_t user_id, std::int64_t session_id, std::string refresh) const;
    /// After a successful sign-in: keeps the presented device cookie when it is `user_id`'s (its
    /// failures start over), else remembers a new device. Returns the cookie value to set.
    boost::asio::awaitable<std::string> RememberDevice(db::Transaction tx, std::int64_t user_id, std::string presented);

    Deps deps_;
    Options options_;
    Repository& repository_;
    SessionCache& cache_;
    SignInThrottle throttle_;
};

}  // namespace strava1::accounts
