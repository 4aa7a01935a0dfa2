#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "strava1/base/clock.hpp"
#include "strava1/http/router.hpp"

namespace strava1::app {

/// Background work with no input: a recurring task's body.
using TaskFn = std::function<boost::asio::awaitable<void>()>;

/// A task run when a process starts and then every `every`, counted from the end of the previous
/// run (runs of one task never overlap).
struct RecurringTask {
    std::string name;  ///< "<module>.<what>", e.g. "activities.purge-deleted-originals"
    std::chrono::milliseconds every{};
    TaskFn run;
};

/// A task run once when a process starts (alongside the recurring ones).
struct StartTask {
    std::string name;
    TaskFn run;
};

/// One job as its handler receives it. The jobs library fills it from its queue row (the fields are
/// those of its JobContext, which takes this type's place when it lands: ADR 0011).
struct Job {
    std::int64_t id = 0;
    std::string kind;
    boost::json::value payload;  ///< as enqueued
    int attempt = 1;             ///< 1 for the first run
    int max_attempts = 1;
};
/// Handles one job. Throwing fails this attempt (retried with backoff, then dead-lettered); handlers
/// must be idempotent, since a job may run again after a crash.
using JobFn = std::function<boost::asio::awaitable<void>(Job)>;

struct JobRegistration {
    std::string kind;  ///< "<module>.<what>", e.g. "activities.process-upload"
    JobFn handle;
};

/// One domain event as a subscriber receives it, published in the same transaction as the change
/// it reports and delivered at least once (the jobs library's ReceivedEvent takes its place).
struct Event {
    std::int64_t id = 0;  ///< the same for every subscriber of one publication: dedupe on it
    std::string type;     ///< "<module>.<what happened>", e.g. "user.deleted"
    boost::json::value payload;
    SystemTime published_at{};
};
/// Handles one event for one subscriber; must be idempotent. Throwing retries the delivery.
using EventFn = std::function<boost::asio::awaitable<void>(Event)>;

struct Subscription {
    std::string event_type;
    std::string subscriber;  ///< "<module>.<what it does>": one delivery per subscriber
    EventFn handle;
};

/// The composition root's list: every module registers here what it contributes to a process —
/// routes, job handlers, event subscribers and recurring tasks — and every entry point (serve,
/// worker, import, routes, migrate, and later api and realtime) builds one the same way, then runs
/// the parts its role needs. Nothing registers itself from a static initialiser.
///
/// Registration happens before the process serves and is not thread-safe; afterwards the registry
/// is only read. Every method throws std::invalid_argument for an incomplete declaration or one
/// that repeats a name (a route's method and path, a task's name, a job kind, a subscriber of one
/// event type), so a process with a wiring mistake refuses to start.
class Registry {
public:
    /// Adds a route (Router::Add's rules: it must state its auth policy and body kind).
    void Route(http::Route route);
    /// Runs `task` at start and then every `every` (> 0).
    void Recurring(std::string name, std::chrono::milliseconds every, TaskFn task);
    /// Runs `task` once at start.
    void AtStart(std::string name, TaskFn task);
    /// Declares the handler of jobs of `kind`. Consumed by the jobs library's workers.
    void JobHandler(std::string kind, JobFn handler);
    /// Declares that `subscriber` handles events of `event_type`. Consumed by the jobs library,
    /// which delivers each published event to each subscriber through a job.
    void Subscribe(std::string event_type, std::string subscriber, EventFn handler);

    const http::Router& Router() const { return router_; }
    std::span<const RecurringTask> RecurringTasks() const { return recurring_; }
    std::span<const StartTask> StartTasks() const { return at_start_; }
    std::span<const JobRegistration> JobHandlers() const { return job_handlers_; }
    std::span<const Subscription> Subscriptions() const { return subscriptions_; }

private:
    void CheckTaskName(const std::string& name) const;

    http::Router router_;
    std::vector<RecurringTask> recurring_;
    std::vector<StartTask> at_start_;
    std::vector<JobRegistration> job_handlers_;
    std::vector<Subscription> subscriptions_;
};

}  // namespace strava1::app
