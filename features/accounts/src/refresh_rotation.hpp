#pragma once

// Refresh-token rotation with a short reuse grace (docs/adr/0002-authentication.md): several tabs
// of one browser often refresh the same token at once; the first rotates it, the others must get
// the same new token back instead of tripping the theft detection that signs the user out.

#include <chrono>
#include <string>
#include <string_view>

namespace strava1::accounts {

/// What the database says about a presented refresh token (all under the row lock).
struct RefreshState {
    bool spent = false;
    double spent_age_s = 0;       ///< seconds since it was spent (when spent)
    bool successor_live = false;  ///< its successor exists, is unspent and unexpired
    bool expired = false;
    bool session_revoked = false;
};

enum class RefreshDecision {
    kRotate,           ///< spend it, issue a successor
    kReplaySuccessor,  ///< spent moments ago: answer with the same successor again
    kRevokeFamily,     ///< a spent token came back: theft; end the session
    kEnded,            ///< expired or its session was ended: sign in again
};

/// The one decision. A spent token gets its successor again only within `grace`, only while that
/// successor is still the live end of the family (not rotated further, not expired) and the session
/// is live; any other reuse revokes the family as before.
RefreshDecision DecideRefresh(const RefreshState& state, std::chrono::seconds grace);

/// The successor of `token`: base64url HMAC-SHA256 keyed with the token over `salt` (random, kept
/// with the spent token's row). Only a holder of the old token can compute it, and the database
/// keeps nothing but hashes and the salt, so a database reader learns no usable token.
std::string DeriveSuccessor(std::string_view token, std::string_view salt);

}  // namespace strava1::accounts
