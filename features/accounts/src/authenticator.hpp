#pragma once

#include <chrono>

#include "repository.hpp"
#include "session_cache.hpp"
#include "strava1/auth/firebase_verifier.hpp"
#include "strava1/auth/local_tokens.hpp"
#include "strava1/http/server.hpp"

namespace strava1::accounts {

/// Bearer tokens to principals for the HTTP server: local access tokens (signature, then a session
/// check cached for at most `session_ttl`), else Firebase ID tokens (provisioning the user on first
/// sight). Thread-safe.
class TokenAuthenticator final : public http::Authenticator {
public:
    TokenAuthenticator(const Clock& clock, auth::LocalTokenVerifier* verifier, auth::FirebaseVerifier* firebase,
                       Repository& repository, SessionCache& cache, std::chrono::milliseconds session_ttl)
        : clock_(clock),
          verifier_(verifier),
          firebase_(firebase),
          repository_(repository),
          cache_(cache),
          session_ttl_(session_ttl) {}

    boost::asio::awaitable<Principal> Authenticate(std::string token) override;

private:
    boost::asio::awaitable<Principal> LocalPrincipal(auth::LocalTokenClaims claims);
    boost::asio::awaitable<Principal> FirebasePrincipal(auth::FirebaseUser user);
    /// The account of a Firebase identity, provisioned on its first valid token.
    boost::asio::awaitable<FirebaseIdentityRow> FirebaseIdentity(const auth::FirebaseUser& user);

    const Clock& clock_;
    auth::LocalTokenVerifier* verifier_;
    auth::FirebaseVerifier* firebase_;
    Repository& repository_;
    SessionCache& cache_;
    std::chrono::milliseconds session_ttl_;
};

}  // namespace strava1::accounts
