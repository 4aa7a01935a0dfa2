#pragma once

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>

// How EmbeddedPostgres waits for a postmaster it started (ADR 0003, "Waiting for a start"): a
// postmaster that answers "starting up" or "in recovery" (PQping: PQPING_REJECT) is making progress,
// however long its crash recovery takes, and is waited for without a deadline while it lives; killing
// it would only start the same recovery again from the same checkpoint. The start timeout bounds only
// how long a live postmaster may stay silent (no answer at all).

namespace strava1::db::start_wait {

using Clock = std::chrono::steady_clock;

enum class Step {
    kReady,          ///< it accepts connections
    kWait,           ///< poll again
    kExited,         ///< it died: the start failed
    kSilent,         ///< alive but no answer for longer than the start timeout: the start failed
    kBadParameters,  ///< libpq could not even try (a bug in the conninfo)
};

/// One decision while waiting. `silent_for`: how long since the start, or since the postmaster last
/// answered (starting or recovering), whichever is later.
inline Step Next(bool exited, PGPing ping, Clock::duration silent_for, Clock::duration timeout) {
    if (exited) {
        return Step::kExited;
    }
    switch (ping) {
        case PQPING_OK:
            return Step::kReady;
        case PQPING_REJECT:
            return Step::kWait;
        case PQPING_NO_ATTEMPT:
            return Step::kBadParameters;
        case PQPING_NO_RESPONSE:
            break;
    }
    return silent_for >= timeout ? Step::kSilent : Step::kWait;
}

constexpr auto kFirstPoll = std::chrono::milliseconds(20);
constexpr auto kLongestPoll = std::chrono::milliseconds(1000);

/// How long to wait before the next ping: short while the server is not up yet; doubling up to a
/// second while it answers that it is starting, since each such answer is a connection the server
/// forks a process for and logs.
inline Clock::duration NextPoll(PGPing ping, Clock::duration previous) {
    if (ping != PQPING_REJECT) {
        return kFirstPoll;
    }
    return std::min<Clock::duration>(std::max<Clock::duration>(previous * 2, kFirstPoll), kLongestPoll);
}

}  // namespace strava1::db::start_wait
