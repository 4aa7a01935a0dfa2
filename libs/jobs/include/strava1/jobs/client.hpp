#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "strava1/db/pool.hpp"
#include "strava1/jobs/job.hpp"
#include "strava1/jobs/registry.hpp"

namespace strava1::jobs {

/// A domain event ("activity.created", "user.deleted") with its JSON payload.
struct Event {
    std::string type;
    boost::json::value payload = boost::json::object();
};

/// Enqueues jobs and publishes events in the caller's transaction, so they exist exactly when the
/// caller's change does: a rolled-back transaction leaves no job behind. Stateless apart from the
/// registry it reads; thread-safe. `registry` must outlive it.
class Client {
public:
    explicit Client(const Registry& registry) : registry_(registry) {}

    /// Adds one job. Throws Error(kInvalidArgument) for a kind the registry does not know or a bad
    /// queue name, and DbError for database failures (the transaction is then unusable).
    boost::asio::awaitable<Enqueued> Enqueue(db::Transaction tx, NewJob job) const;
    /// Adds many jobs in one statement (no unique keys: use Enqueue for those).
    boost::asio::awaitable<std::vector<std::int64_t>> EnqueueMany(db::Transaction tx, std::vector<NewJob> jobs) const;
    /// Publishes `event`: one job per subscriber registered for its type, each delivered at least
    /// once and retried on its own. Returns the event's id (also when nobody subscribes).
    boost::asio::awaitable<std::int64_t> Publish(db::Transaction tx, Event event) const;

    /// Removes the waiting job of `kind` under `unique_key`, in the caller's transaction: for work that
    /// the caller's change makes unnecessary (a safety net whose work is done), so the job goes exactly
    /// when that change commits and stays if it rolls back. A job that is running (leased) is left to
    /// finish, since it may be half-way through its work; a job of another kind under the same key and
    /// dead letters are left too. A job being claimed at that moment is waited for, then found running.
    /// Returns whether it removed one.
    boost::asio::awaitable<bool> CancelByKey(db::Transaction tx, std::string_view kind,
                                             std::string_view unique_key) const;

    const Registry& registry() const { return registry_; }

private:
    const Registry& registry_;
};

}  // namespace strava1::jobs
