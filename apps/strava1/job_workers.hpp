#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <vector>

#include "config.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/jobs/registry.hpp"
#include "strava1/jobs/worker.hpp"

namespace strava1::app {

/// The job workers of one process (serve's in-process ones, or `strava1 worker`'s), over the composed
/// registry's jobs (Composition: the features' kinds, subscribers and schedules and the queue's
/// housekeeping, the same in every entry point): one per event loop,
/// `worker_concurrency` split between them, maintenance (lease rescue, schedules) on the first only.
/// None when worker_concurrency is 0.
class JobWorkers {
public:
    JobWorkers(const std::vector<boost::asio::io_context*>& loops, db::Pool& pool, const jobs::Registry& registry,
               const Config& config);
    void Start();
    /// Stops every worker (running jobs get their grace, then are handed back). Await it while the loops run.
    boost::asio::awaitable<void> Stop();
    std::vector<const jobs::Worker*> Workers() const;

private:
    std::vector<std::unique_ptr<jobs::Worker>> workers_;
};

}  // namespace strava1::app
