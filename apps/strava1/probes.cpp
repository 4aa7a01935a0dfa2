// The probes and operations routes of every process that serves HTTP.
#include "probes.hpp"

#include <algorithm>

#include "config.hpp"
#include "embedded_assets.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/jobs/metrics.hpp"

namespace strava1::app {
namespace asio = boost::asio;

asio::awaitable<http::Response> Probes::Healthz(http::RequestPtr) {
    if (supervisor != nullptr) {
        if (supervisor->Recovering()) {
            // A live postmaster in crash recovery, however long it has been: restarting the
            // process would only make it begin again. /readyz keeps the traffic away meanwhile.
            co_return http::Response::Text(200, "application/json", R"({"status":"ok","database":"recovering"})");
        }
        const auto down = std::chrono::duration_cast<std::chrono::seconds>(supervisor->UnreachableFor());
        if (down > unreachable_limit) {
            // Restarting it has not helped for this long: let the orchestrator restart us.
            throw Error(ErrorKind::kUnavailable, "the embedded database has been unreachable for " +
                                                     std::to_string(down.count()) + " s and could not be restarted")
                .WithRetryAfter(5);
        }
    }
    // Probed often: a fixed body, not a JSON document built and serialised each time.
    co_return http::Response::Text(200, "application/json", R"({"status":"ok"})");
}

void Probes::CheckMetricsAccess(const http::Request& request) const {
    if (metrics_token.empty()) {
        if (!metrics_local_only) {
            throw Error(ErrorKind::kPermissionDenied,
                        "metrics are served without a token only while the server listens on loopback and no "
                        "trusted proxies are set: set STRAVA1_METRICS_TOKEN and send it as a bearer token");
        }
        // A reverse proxy on this machine connects from loopback too: what gives it away is the
        // header it adds for its client. Without trusted proxies remote_ip is the TCP peer.
        const bool relayed = std::any_of(request.headers.begin(), request.headers.end(), [](const auto& header) {
            return header.first == "x-forwarded-for" || header.first == "forwarded" || header.first == "x-real-ip";
        });
        if (relayed || !IsLoopback(request.remote_ip)) {
            throw Error(ErrorKind::kPermissionDenied,
                        "metrics are served without a token only to clients on this machine, not through a "
                        "proxy: set STRAVA1_METRICS_TOKEN and send it as a bearer token");
        }
        return;
    }
    const std::string_view given = request.Header("authorization");
    const std::string expected = "Bearer " + metrics_token;
    if (!crypto::ConstantTimeEqual(given, expected)) {
        throw Error(ErrorKind::kUnauthenticated, "metrics need the bearer token set in STRAVA1_METRICS_TOKEN");
    }
}

asio::awaitable<http::Response> Probes::OpenApi(http::RequestPtr request) {
    co_return http::ServeEmbedded(EmbeddedOpenApi(), *request, http::CachePolicy::kRevalidate);
}

asio::awaitable<http::Response> Probes::Readyz(http::RequestPtr) {
    try {
        co_await pool.Ping();
    } catch (const Error& e) {
        throw Error(ErrorKind::kUnavailable, "the database is not reachable", {}, e.LogDetail());
    }
    co_return http::Response::Json(200, boost::json::object{{"status", "ready"}});
}

asio::awaitable<http::Response> Probes::Metrics(http::RequestPtr request) {
    CheckMetricsAccess(*request);
    auto render_extra = [this] {
        db::PoolStats s = pool.Stats();
        std::string out;
        auto gauge = [&out](const char* name, const char* help, const char* type, std::uint64_t v) {
            out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
                   std::to_string(v) + "\n";
        };
        gauge("strava1_db_pool_connections", "Open database connections.", "gauge", s.total);
        gauge("strava1_db_pool_idle", "Idle database connections.", "gauge", s.idle);
        gauge("strava1_db_pool_waiting", "Requests waiting for a connection.", "gauge", s.waiting);
        gauge("strava1_db_pool_acquire_timeouts_total", "Acquisitions that timed out.", "counter", s.acquire_timeouts);
        gauge("strava1_db_pool_borrowed_total", "Connections lent to a caller on another I/O thread.", "counter",
              s.borrowed);
        gauge("strava1_db_pool_pipelined_total", "Statements sent on a pipelined connection.", "counter", s.pipelined);
        gauge("strava1_db_pool_connects_total", "Connections opened.", "counter", s.connects);
        gauge("strava1_db_queries_total", "Statements executed.", "counter", s.queries);
        gauge("strava1_db_errors_total", "Statements that failed.", "counter", s.errors);
        if (supervisor != nullptr) {
            gauge("strava1_db_unreachable_seconds", "How long the embedded database has been unreachable.", "gauge",
                  static_cast<std::uint64_t>(
                      std::chrono::duration_cast<std::chrono::seconds>(supervisor->UnreachableFor()).count()));
            gauge("strava1_db_restarts_total", "Restarts of the embedded database after it died.", "counter",
                  supervisor->Restarts());
            gauge("strava1_db_recovering", "1 while the embedded database is starting up or in crash recovery.",
                  "gauge", supervisor->Recovering() ? 1 : 0);
        }
        if (server != nullptr) {
            gauge("strava1_http_connections_open", "Open client connections.", "gauge",
                  server->Stats().connections_open.load());
            gauge("strava1_http_timeouts_total", "Connections closed for a header/body timeout.", "counter",
                  server->Stats().timeouts.load());
        }
        if (scheduler != nullptr) {
            std::string runs;
            std::string failures;
            for (const auto& task : scheduler->Stats()) {
                runs += "strava1_background_task_runs_total{task=\"" + task.name + "\"} " + std::to_string(task.runs) +
                        "\n";
                failures += "strava1_background_task_failures_total{task=\"" + task.name + "\"} " +
                            std::to_string(task.failures) + "\n";
            }
            out +=
                "# HELP strava1_background_task_runs_total Finished runs of each start and recurring task.\n"
                "# TYPE strava1_background_task_runs_total counter\n" +
                runs +
                "# HELP strava1_background_task_failures_total Runs of each start and recurring task that failed.\n"
                "# TYPE strava1_background_task_failures_total counter\n" +
                failures;
        }
        return out;
    };
    std::string jobs_text;
    try {
        jobs_text = co_await jobs::RenderMetrics(pool, job_workers);
    } catch (const Error&) {
        jobs_text = jobs::RenderWorkerMetrics(job_workers);  // the queue's depth needs the database
    }
    co_return http::Response::Text(200, "text/plain; version=0.0.4",
                                   metrics->Render([&] { return render_extra() + jobs_text; }));
}

void RegisterProbes(app::Registry& registry, Probes& probes) {
    using http::Access;
    using http::Body;
    using http::Method;
    using http::RateClass;
    using Member = asio::awaitable<http::Response> (Probes::*)(http::RequestPtr);
    auto bind = [p = &probes](Member member) -> http::Handler {
        return [p, member](http::RequestPtr r) { return (p->*member)(std::move(r)); };
    };
    const http::Route routes[] = {
        {.method = Method::kGet,
         .path = "/healthz",
         .summary = "Liveness",
         .access = Access::Anyone(),
         .rate = RateClass::kProbe,
         .body = Body::None(),
         .handler = bind(&Probes::Healthz)},
        {.method = Method::kGet,
         .path = "/readyz",
         .summary = "Readiness (database reachable)",
         .access = Access::Anyone(),
         .rate = RateClass::kProbe,
         .body = Body::None(),
         .handler = bind(&Probes::Readyz)},
        // Its own token, not a user's: the server must not take it for a user token and refuse it.
        {.method = Method::kGet,
         .path = "/metrics",
         .summary = "Prometheus metrics",
         .access = Access::Operator(),
         .rate = RateClass::kProbe,
         .body = Body::None(),
         .handler = bind(&Probes::Metrics)},
        // Part of the API, so compiled in and served whether or not there is a web app.
        {.method = Method::kGet,
         .path = "/openapi.json",
         .summary = "This document as JSON",
         .access = Access::Anyone(),
         .body = Body::None(),
         .handler = bind(&Probes::OpenApi)},
    };
    for (const auto& route : routes) {
        registry.Route(route);
    }
}

}  // namespace strava1::app
