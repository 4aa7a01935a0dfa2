#pragma once

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <memory>

#include "strava1/accounts/profiles.hpp"
#include "strava1/accounts/standing.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/app/relations.hpp"
#include "strava1/base/clock.hpp"
#include "strava1/http/server.hpp"
#include "strava1/jobs/client.hpp"

namespace strava1::db {
class Pool;
}
namespace strava1::auth {
class LocalTokenIssuer;
class LocalTokenVerifier;
class FirebaseVerifier;
}  // namespace strava1::auth

namespace strava1::accounts {

struct Options {
    /// argon2id at libsodium's minimum cost; only for sanitizer test runs (the server warns).
    bool fast_password_hash = false;
    std::chrono::seconds refresh_ttl{30 * 24 * 3600};
    /// A refresh token presented again this soon after it was rotated gets the same successor
    /// (concurrent tabs); later reuse revokes the session. 0 restores the strict rule.
    std::chrono::seconds refresh_reuse_grace{30};
    /// DELETE /v1/me without a password needs a sign-in at most this old.
    std::chrono::seconds recent_auth{5 * 60};
    /// How stale a cached "session is live" answer may be (revocation takes effect within this).
    std::chrono::milliseconds session_cache_ttl{1000};
};

/// The event published when an account is deleted, payload {"user_id": <id>}: its rows are gone by
/// then (ON DELETE CASCADE); a subscriber removes what the feature keeps outside the database.
inline constexpr const char* kUserDeleted = "user.deleted";

/// What the module needs from the composition root. Everything must outlive the Module.
struct Deps {
    db::Pool& pool;
    const Clock& clock;
    boost::asio::thread_pool& cpu;             ///< password hashing runs here, off the I/O threads
    const jobs::Client& jobs;                  ///< publishes "user.deleted" with the deletion
    auth::LocalTokenIssuer* issuer = nullptr;  ///< local identity provider (null in Firebase mode)
    auth::LocalTokenVerifier* verifier = nullptr;
    auth::FirebaseVerifier* firebase = nullptr;  ///< Firebase mode
    /// Follows and blocks (social's): a profile under a block answers 404. Null: nobody relates.
    app::Relations* relations = nullptr;
};

/// Accounts: local sign-up/log-in/sessions, Firebase provisioning, profiles. Owns the tables
/// users, local_credentials, auth_sessions, refresh_tokens, auth_identities. Publishes the event
/// "user.deleted" {user_id} in the transaction that deletes an account (ADR 0013): rows of every
/// feature go with the user by ON DELETE CASCADE; subscribers remove what lives outside the database.
class Module {
public:
    Module(Deps deps, Options options);
    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    /// Registers the routes /v1/auth/*, /v1/me and /v1/users/{user_id}.
    void Register(app::Registry& registry);
    /// Bearer-token authentication for the HTTP server (local or Firebase tokens).
    http::Authenticator& Authenticator();
    /// The profile facts other features read (their contract; they never read accounts' tables).
    accounts::Profiles& Profiles();
    /// Site role and suspension (moderation's contract, ADR 0024).
    accounts::Standing& Standing();

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace strava1::accounts
