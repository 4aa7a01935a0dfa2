#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strava1/db/pool.hpp"

namespace strava1::jobs {

/// One job as operators see it (`strava1 jobs`), waiting, running or dead.
struct JobRow {
    std::int64_t id = 0;
    /// "waiting" (due now), "scheduled" (due later), "running", or for dead letters "failed" (out of
    /// attempts) or "discarded".
    std::string state;
    std::string queue;
    std::string kind;
    int priority = 0;
    int attempt = 0;  ///< runs so far
    int max_attempts = 0;
    std::optional<std::string> unique_key;
    std::optional<std::string> locked_by;
    std::optional<std::string> last_error;
    std::string payload;     ///< JSON text
    std::string created_at;  ///< RFC 3339 UTC
    std::string run_at;      ///< when it may run next (dead: when it died)
    std::optional<std::string> locked_until;
};

struct ListFilter {
    std::optional<std::string> state;  ///< one of the JobRow states, or "dead" for both dead states
    std::optional<std::string> queue;
    std::optional<std::string> kind;
    int limit = 50;  ///< 1..1000
};

/// Jobs matching `filter`, waiting and running by due time then id, dead ones most recent first.
/// Throws Error(kInvalidArgument) for an unknown state or a bad limit.
boost::asio::awaitable<std::vector<JobRow>> ListJobs(db::Pool& pool, ListFilter filter);
boost::asio::awaitable<std::optional<JobRow>> ShowJob(db::Pool& pool, std::int64_t id);

enum class AdminOutcome {
    kDone,
    kNotFound,
    kRunning,   ///< retry: the job is running already
    kKeyTaken,  ///< retry of a dead job: another job with its unique key is queued
};

/// A dead job goes back to the queue under its id, attempts from zero, due now; a waiting one is
/// made due now (its attempts kept). Wakes the workers.
boost::asio::awaitable<AdminOutcome> RetryJob(db::Pool& pool, std::int64_t id);
/// A waiting or running job goes to the dead letters as discarded (a running one's worker notices at
/// its next heartbeat and interrupts it); a dead one is deleted for good.
boost::asio::awaitable<AdminOutcome> DiscardJob(db::Pool& pool, std::int64_t id);

}  // namespace strava1::jobs
