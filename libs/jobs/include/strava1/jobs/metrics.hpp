#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

#include "strava1/db/pool.hpp"
#include "strava1/jobs/worker.hpp"

namespace strava1::jobs {

/// The queue's metrics as Prometheus text, to append to /metrics: per queue, jobs due and waiting
/// (`strava1_jobs_waiting`), waiting for a later time (`strava1_jobs_scheduled`), running, in the dead
/// letters, and the age of the oldest due job (`strava1_jobs_oldest_waiting_seconds`) — read from the
/// database, so the same in every process — and, summed over `workers` of this process, runs
/// completed, failed, dead-lettered per kind and their run-time histogram
/// (`strava1_jobs_run_seconds`). Throws what the database throws.
boost::asio::awaitable<std::string> RenderMetrics(db::Pool& pool, std::vector<const Worker*> workers);

/// Only the per-process part (no database), for when the database is unreachable.
std::string RenderWorkerMetrics(const std::vector<const Worker*>& workers);

}  // namespace strava1::jobs
