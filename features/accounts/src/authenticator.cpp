#include "authenticator.hpp"

#include "validation.hpp"

namespace strava1::accounts {
namespace asio = boost::asio;

asio::awaitable<Principal> TokenAuthenticator::Authenticate(std::string token) {
    if (verifier_ != nullptr) {
        if (auto known = cache_.VerifiedToken(token, clock_.Now())) {
            co_return co_await LocalPrincipal(std::move(*known));
        }
        auto claims = verifier_->Verify(token);
        if (claims) {
            cache_.StoreVerifiedToken(token, claims.Value());
            co_return co_await LocalPrincipal(claims.Value());
        }
        if (firebase_ == nullptr) {
            throw Error(ErrorKind::kUnauthenticated, "invalid access token: " + claims.Reason());
        }
    }
    if (firebase_ != nullptr) {
        auto user = co_await firebase_->Verify(token);
        if (!user) {
            throw Error(ErrorKind::kUnauthenticated, "invalid ID token: " + user.Reason());
        }
        co_return co_await FirebasePrincipal(user.Value());
    }
    throw Error(ErrorKind::kUnauthenticated, "no token verifier is configured");
}

asio::awaitable<Principal> TokenAuthenticator::LocalPrincipal(auth::LocalTokenClaims claims) {
    auto now = std::chrono::steady_clock::now();
    std::optional<SessionCache::SessionState> cached = cache_.Session(claims.session_id, now, session_ttl_);
    if (!cached) {
        std::optional<SessionStateRow> row = co_await repository_.FindSessionState(claims.session_id);
        SessionCache::SessionState state;
        state.checked = now;
        if (row) {
            state.live = row->live;
            state.user_id = row->user_id;
            state.auth_time = row->auth_time;
            state.standing = row->standing;
        }
        cache_.StoreSession(claims.session_id, state);
        cached = state;
    }
    if (!cached->live || std::to_string(cached->user_id) != claims.user_id) {
        // Suspending revokes the sessions too, so a suspended user's own token ends here (401).
        throw Error(ErrorKind::kUnauthenticated, "the session has ended; sign in again");
    }
    RequireGoodStanding(cached->standing);
    co_return Principal{cached->user_id, claims.session_id, cached->auth_time, cached->standing.site_admin};
}

asio::awaitable<Principal> TokenAuthenticator::FirebasePrincipal(auth::FirebaseUser user) {
    auto now = std::chrono::steady_clock::now();
    std::optional<SessionCache::FirebaseState> known = cache_.FirebaseUser(user.uid, now, session_ttl_);
    if (!known) {
        // A Firebase token has no session of ours to revoke, so the account's standing is re-read
        // like a session's (at most session_ttl stale) and goes through the same rule.
        FirebaseIdentityRow row = co_await FirebaseIdentity(user);
        known = SessionCache::FirebaseState{.user_id = row.user_id, .standing = row.standing, .checked = now};
        cache_.StoreFirebaseUser(user.uid, *known);
    }
    RequireGoodStanding(known->standing);
    co_return Principal{known->user_id, 0, user.auth_time, known->standing.site_admin};
}

asio::awaitable<FirebaseIdentityRow> TokenAuthenticator::FirebaseIdentity(const auth::FirebaseUser& user) {
    if (std::optional<FirebaseIdentityRow> found = co_await repository_.FindFirebaseUser(user.uid)) {
        co_return *found;
    }
    // First valid token for this uid: provision the user (a new account: role user, not suspended).
    std::string display = user.email ? user.email->substr(0, user.email->find('@')) : "Athlete";
    if (display.empty() || CheckDisplayName(display)) {
        display = "Athlete";
    }
    std::optional<std::string> email;
    if (user.email && !CheckEmail(NormaliseEmail(*user.email))) {
        email = NormaliseEmail(*user.email);
    }
    if (std::optional<std::int64_t> user_id = co_await repository_.ProvisionFirebaseUser(user.uid, email, display)) {
        co_return FirebaseIdentityRow{.user_id = *user_id};
    }
    // A concurrent first request won the race: read its row.
    if (std::optional<FirebaseIdentityRow> raced = co_await repository_.FindFirebaseUser(user.uid)) {
        co_return *raced;
    }
    throw Error(ErrorKind::kUnavailable, "could not provision the account; retry");
}

}  // namespace strava1::accounts
