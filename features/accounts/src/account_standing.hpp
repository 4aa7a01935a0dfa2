#pragma once

// An account's standing (ADR 0024) and the one rule every way of acting as it goes through: a
// password sign-in, a request with our access token and a request with a Firebase ID token.

#include "strava1/base/error.hpp"

namespace strava1::accounts {

/// What users says of an account (`role`, `suspended_at`), read with whatever authenticates it.
struct StandingRow {
    bool site_admin = false;  ///< users.role = 'admin'
    bool suspended = false;
};

/// Refuses a suspended account with the 403 problem a suspended user sees at sign-in. Callers run
/// it only once the caller proved to be the account (password, live session, verified ID token), so
/// the suspension is told to nobody else.
inline void RequireGoodStanding(const StandingRow& standing) {
    if (standing.suspended) {
        throw Error(ErrorKind::kPermissionDenied, "account suspended");
    }
}

}  // namespace strava1::accounts
