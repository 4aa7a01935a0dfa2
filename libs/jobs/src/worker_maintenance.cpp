// The worker's housekeeping: rescuing jobs whose worker died and firing recurring schedules; and the
// job that prunes old dead letters.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "schedules.hpp"
#include "sql.hpp"
#include "strava1/base/log.hpp"
#include "worker_impl.hpp"

namespace strava1::jobs {
namespace asio = boost::asio;

asio::awaitable<int> RescueExpiredLeases(std::shared_ptr<Worker::Impl> impl) {
    db::Transaction tx = co_await impl->pool.Begin();
    db::Result expired = co_await tx.Query(sql::kExpiredLeases, db::Params::Of(500));
    std::vector<std::int64_t> retry_ids;
    std::vector<double> delays_ms;
    std::vector<std::int64_t> dead_ids;
    for (int row = 0; row < expired.Rows(); ++row) {
        const std::int64_t id = expired.Int(row, expired.Column("id"));
        const int attempt = static_cast<int>(expired.Int(row, expired.Column("attempt")));
        if (attempt >= expired.Int(row, expired.Column("max_attempts"))) {
            dead_ids.push_back(id);
        } else {
            retry_ids.push_back(id);
            const auto* kind = impl->registry.Find(expired.Text(row, expired.Column("kind")));
            delays_ms.push_back(static_cast<double>(impl->Backoff(kind, attempt).count()));
        }
    }
    if (!retry_ids.empty()) {
        co_await tx.Query(sql::kRescue, db::Params::Of(sql::NumberArray(retry_ids), sql::NumberArray(delays_ms)));
    }
    if (!dead_ids.empty()) {
        co_await tx.Query(sql::kBuryExpired, db::Params::Of(sql::NumberArray(dead_ids)));
    }
    co_await tx.Commit();
    const int total = expired.Rows();
    if (total > 0) {
        impl->rescued.fetch_add(static_cast<std::uint64_t>(total));
        log::Info("expired job leases rescued",
                  {{"worker", impl->id}, {"retried", retry_ids.size()}, {"dead_lettered", dead_ids.size()}});
    }
    co_return total;
}

asio::awaitable<void> MaintenanceLoop(std::shared_ptr<Worker::Impl> impl) {
    bool declared = false;
    int failures = 0;
    while (!impl->stopping) {
        try {
            if (!declared) {
                co_await UpsertDeclaredSchedules(impl->pool, impl->registry, impl->clock);
                declared = true;
            }
            // A full batch means more may be waiting: go round at once.
            while (!impl->stopping && co_await RescueExpiredLeases(impl) >= 500) {
            }
            while (!impl->stopping) {
                const int fired = co_await FireDueSchedules(impl->pool, impl->registry);
                impl->schedules_fired.fetch_add(static_cast<std::uint64_t>(fired));
                if (fired < 100) {
                    break;
                }
            }
            failures = 0;
        } catch (const std::exception& e) {
            if (failures++ == 0) {
                log::Warn("job maintenance failed; retrying", {{"worker", impl->id}, {"error", e.what()}});
            }
        }
        if (impl->stopping) {
            break;
        }
        impl->maintenance_tick.expires_after(impl->options.maintenance_interval);
        co_await impl->maintenance_tick.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    --impl->open_tasks;
}

namespace {

asio::awaitable<void> PruneDead(JobContext job) {
    const std::int64_t hours = job.payload.as_object().at("retention_hours").to_number<std::int64_t>();
    db::Result r = co_await job.Pool().Query(sql::kPruneDead, db::Params::Of(hours));
    if (r.Affected() > 0) {
        log::Info("old dead letters deleted", {{"count", r.Affected()}, {"older_than_hours", hours}});
    }
}

}  // namespace

void RegisterHousekeeping(Registry& registry, std::chrono::hours dead_retention) {
    KindOptions options;
    options.queue = "jobs";
    options.max_attempts = 5;
    registry.Handle("jobs.prune_dead", PruneDead, options);
    Schedule prune;
    prune.name = "jobs.prune_dead";
    prune.cron = "17 3 * * *";
    prune.kind = "jobs.prune_dead";
    prune.payload = boost::json::object{{"retention_hours", dead_retention.count()}};
    registry.Recurring(std::move(prune));
}

}  // namespace strava1::jobs
