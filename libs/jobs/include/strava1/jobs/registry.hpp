#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/jobs/job.hpp"
#include "strava1/jobs/schedule.hpp"

namespace strava1::jobs {

/// Runs one job. Throwing fails the run (retried with backoff until max_attempts, then dead-lettered;
/// PermanentError dead-letters at once). Runs on the worker's executor: CPU-heavy work belongs on a
/// CPU pool. May run more than once for the same job (at least once): make its effects idempotent.
using Handler = std::function<boost::asio::awaitable<void>(JobContext)>;

/// How jobs of one kind are run.
struct KindOptions {
    std::string queue = "default";                 ///< [a-z0-9_.-]{1,64}
    int priority = 0;                              ///< default priority of its jobs (lower runs first)
    int max_attempts = 25;                         ///< runs before the dead letters
    std::chrono::seconds timeout{600};             ///< a run taking longer is cancelled and counts as failed
    std::chrono::milliseconds backoff_base{1000};  ///< retry delay base·2^(attempt−1), with jitter…
    std::chrono::milliseconds backoff_max{std::chrono::hours(1)};  ///< …up to this
};

/// One event as a subscriber receives it.
struct ReceivedEvent {
    std::int64_t id = 0;  ///< the same for every subscriber of one Publish: dedupe on (id, subscriber)
    std::string type;
    boost::json::value payload;
    SystemTime published_at;
    JobContext job;  ///< the job delivering it to this subscriber
};
using EventHandler = std::function<boost::asio::awaitable<void>(ReceivedEvent)>;

/// What the process can run: job kinds with their handlers, event subscribers (each delivered through
/// a job kind of its own, "event:<type>:<subscriber>"), and recurring schedules declared in code.
/// Filled once at start-up by the composition root (every entry point builds the same one), then
/// read-only: safe to share between threads once filled.
class Registry {
public:
    struct Kind {
        std::string name;
        Handler handler;
        KindOptions options;
    };

    /// Registers `kind` (1..200 characters). Throws std::invalid_argument for a duplicate or a bad name
    /// or queue (a programming error, found at start-up).
    void Handle(std::string kind, Handler handler, KindOptions options = {});
    /// Subscribes `subscriber` (e.g. the feature's name) to events of `type` ("activity.created").
    void Subscribe(std::string type, std::string subscriber, EventHandler handler, KindOptions options = {});
    /// Declares a recurring schedule (upserted by a worker at start). Throws std::invalid_argument for
    /// a bad cron expression, an unknown time zone, or a kind not registered before it.
    void Recurring(Schedule schedule);

    const Kind* Find(std::string_view kind) const;
    /// The kinds delivering events of `type`, in subscription order.
    const std::vector<const Kind*>& SubscribersOf(std::string_view type) const;
    const std::vector<Schedule>& Schedules() const { return schedules_; }
    /// Every kind, in registration order.
    std::vector<const Kind*> Kinds() const;
    /// The queues the kinds use, sorted, without duplicates.
    std::vector<std::string> Queues() const;

    /// The kind name that delivers `type` to `subscriber`.
    static std::string EventKind(std::string_view type, std::string_view subscriber);

private:
    std::map<std::string, Kind, std::less<>> kinds_;
    std::vector<std::string> order_;
    std::map<std::string, std::vector<const Kind*>, std::less<>> subscribers_;
    std::vector<Schedule> schedules_;
};

/// True for a queue name the table accepts: [a-z0-9_.-]{1,64}.
bool ValidQueueName(std::string_view queue);

}  // namespace strava1::jobs
