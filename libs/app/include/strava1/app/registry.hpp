#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "strava1/http/router.hpp"
#include "strava1/jobs/registry.hpp"

namespace strava1::app {

/// Background work with no input: a recurring or start task's body.
using TaskFn = std::function<boost::asio::awaitable<void>()>;

/// A task run once when a process that serves starts.
struct StartTask {
    std::string name;
    TaskFn run;
};

/// The composition root's list: every module registers here what it contributes to a process —
/// routes, job handlers, event subscribers and recurring tasks — and every entry point (serve,
/// worker, import, routes, migrate, and later api and realtime) builds one the same way, then runs
/// the parts its role needs. Nothing registers itself from a static initialiser.
///
/// Background work is the jobs library's (ADR 0013): `Jobs()` is the jobs::Registry that the
/// process's workers run and that a jobs::Client enqueues and publishes against, so job handlers
/// (`Jobs().Handle`) and event subscribers (`Jobs().Subscribe`) are registered there directly, and a
/// recurring task is a job kind with a cron schedule (one run per slot across every process).
///
/// Registration happens before the process serves and is not thread-safe; afterwards the registry
/// is only read. Every method throws std::invalid_argument for an incomplete declaration or one
/// that repeats a name (a route's method and path, a task's name, a job kind, a subscriber of one
/// event type), so a process with a wiring mistake refuses to start.
class Registry {
public:
    /// Adds a route (Router::Add's rules: it must state its auth policy and body kind).
    void Route(http::Route route);
    /// Runs `task` as the job kind `name` at every instant the five-field `cron` matches in UTC,
    /// once per slot in a deployment however many processes run workers (jobs::Schedule). A run that
    /// throws is retried with the jobs library's backoff (at most `max_attempts` runs) and then
    /// dead-lettered; the next slot runs regardless.
    void Recurring(std::string name, std::string cron, TaskFn task, int max_attempts = 3);
    /// Runs `task` once when a serving process starts (in every such process: only for work that is
    /// safe to repeat, such as enqueueing jobs with unique keys).
    void AtStart(std::string name, TaskFn task);

    /// Job kinds, event subscribers and schedules: what the workers of every process run.
    jobs::Registry& Jobs() { return jobs_; }
    const jobs::Registry& Jobs() const { return jobs_; }

    const http::Router& Router() const { return router_; }
    std::span<const StartTask> StartTasks() const { return at_start_; }

private:
    http::Router router_;
    jobs::Registry jobs_;
    std::vector<StartTask> at_start_;
};

}  // namespace strava1::app
