#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "strava1/base/clock.hpp"

namespace strava1::db {
class Pool;
}

namespace strava1::jobs {

namespace detail {
struct RunningJob;
}

/// What a handler is given for one run of one job. Passed by value; cheap to copy.
struct JobContext {
    std::int64_t id = 0;
    std::string kind;
    std::string queue;
    int attempt = 1;  ///< 1 on the first run
    int max_attempts = 1;
    boost::json::value payload;
    SystemTime created_at;

    /// Extends this job's lease now (the worker also does so for every running job on its own).
    /// Returns false when the job is no longer this run's — its lease expired and it was rescued, or
    /// an operator discarded it — so the handler should stop without further side effects.
    boost::asio::awaitable<bool> Heartbeat() const;
    /// The pool the worker runs on (handlers open their own transactions on it).
    db::Pool& Pool() const;

    std::shared_ptr<detail::RunningJob> running;  ///< the worker's record of this run
};

/// Thrown by a handler for a failure that retrying cannot fix (a payload naming something that no
/// longer exists…): the job goes to the dead letters at once, with this message as its last error.
class PermanentError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A job to enqueue. Unset fields take the kind's defaults (Registry::Handle's KindOptions).
struct NewJob {
    std::string kind;
    boost::json::value payload = boost::json::object();
    std::optional<std::string> queue;
    std::optional<int> priority;       ///< lower runs first
    std::optional<SystemTime> run_at;  ///< not before this (default: now)
    /// At most one waiting or running job per key: enqueueing another while one exists returns that
    /// one instead. The key is free again once its job has completed or gone to the dead letters.
    std::optional<std::string> unique_key;
    std::optional<int> max_attempts;
};

struct Enqueued {
    std::int64_t id = 0;
    bool inserted = true;  ///< false: a job with the same unique key already existed (`id` is that one)
};

}  // namespace strava1::jobs
