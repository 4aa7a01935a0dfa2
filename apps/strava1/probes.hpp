#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "strava1/app/registry.hpp"
#include "strava1/app/scheduler.hpp"
#include "strava1/db/embedded_postgres_supervisor.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/http/metrics.hpp"
#include "strava1/http/server.hpp"
#include "strava1/jobs/worker.hpp"

namespace strava1::app {

/// The probes and operations routes: liveness, readiness, metrics, the OpenAPI document.
struct Probes {
    db::Pool& pool;
    http::Metrics* metrics = nullptr;
    const http::Server* server = nullptr;
    /// The modules' start and recurring tasks in this process, when it runs them.
    const Scheduler* scheduler = nullptr;
    /// Set with the embedded cluster: /healthz fails once it has been down longer than the limit.
    const db::EmbeddedPostgresSupervisor* supervisor = nullptr;
    std::chrono::seconds unreachable_limit{60};
    /// /metrics without a token: only for direct requests from this machine, and only while the server
    /// listens on loopback with no trusted proxies (see CheckMetricsAccess). Else this bearer token.
    bool metrics_local_only = true;
    std::string metrics_token;
    /// This process's job workers, for their share of /metrics (the queue's depth is read from the database).
    std::vector<const jobs::Worker*> job_workers;

    boost::asio::awaitable<http::Response> Healthz(http::RequestPtr request);
    boost::asio::awaitable<http::Response> Readyz(http::RequestPtr request);
    boost::asio::awaitable<http::Response> Metrics(http::RequestPtr request);
    boost::asio::awaitable<http::Response> OpenApi(http::RequestPtr request);
    void CheckMetricsAccess(const http::Request& request) const;
};

/// Adds /healthz, /readyz, /metrics and /openapi.json, answered by `probes` (which must outlive the
/// registry's routes).
void RegisterProbes(Registry& registry, Probes& probes);

}  // namespace strava1::app
