#include "strava1/jobs/metrics.hpp"

#include <cstdio>
#include <map>

namespace strava1::jobs {
namespace asio = boost::asio;

namespace {

void Header(std::string& out, const char* name, const char* help, const char* type) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

std::string Label(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string Number(double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    return buf;
}

}  // namespace

std::string RenderWorkerMetrics(const std::vector<const Worker*>& workers) {
    struct Sum {
        std::uint64_t completed = 0;
        std::uint64_t failed = 0;
        std::uint64_t dead = 0;
        std::vector<std::uint64_t> buckets = std::vector<std::uint64_t>(std::size(kRunBuckets) + 1, 0);
        double seconds = 0;
    };
    std::map<std::string, Sum> kinds;
    WorkerStats total;
    for (const Worker* worker : workers) {
        WorkerStats s = worker->Stats();
        total.claimed += s.claimed;
        total.lost += s.lost;
        total.rescued += s.rescued;
        total.schedules_fired += s.schedules_fired;
        total.running += s.running;
        for (const auto& k : s.kinds) {
            Sum& sum = kinds[k.kind];
            sum.completed += k.completed;
            sum.failed += k.failed;
            sum.dead += k.dead;
            for (std::size_t idx = 0; idx < k.buckets.size() && idx < sum.buckets.size(); ++idx) {
                sum.buckets[idx] += k.buckets[idx];
            }
            sum.seconds += k.run_seconds_sum;
        }
    }
    std::string out;
    Header(out, "strava1_jobs_running_here", "Jobs running in this process.", "gauge");
    out += "strava1_jobs_running_here " + std::to_string(total.running) + "\n";
    Header(out, "strava1_jobs_claimed_total", "Jobs claimed by this process.", "counter");
    out += "strava1_jobs_claimed_total " + std::to_string(total.claimed) + "\n";
    Header(out, "strava1_jobs_lost_total", "Runs in this process whose lease was lost before they ended.", "counter");
    out += "strava1_jobs_lost_total " + std::to_string(total.lost) + "\n";
    Header(out, "strava1_jobs_rescued_total", "Expired leases this process rescued.", "counter");
    out += "strava1_jobs_rescued_total " + std::to_string(total.rescued) + "\n";
    Header(out, "strava1_jobs_schedules_fired_total", "Recurring schedule slots this process fired.", "counter");
    out += "strava1_jobs_schedules_fired_total " + std::to_string(total.schedules_fired) + "\n";
    Header(out, "strava1_jobs_completed_total", "Runs that succeeded, per kind.", "counter");
    for (const auto& [kind, sum] : kinds) {
        out += "strava1_jobs_completed_total{kind=\"" + Label(kind) + "\"} " + std::to_string(sum.completed) + "\n";
    }
    Header(out, "strava1_jobs_failed_total", "Runs that failed and will be retried, per kind.", "counter");
    for (const auto& [kind, sum] : kinds) {
        out += "strava1_jobs_failed_total{kind=\"" + Label(kind) + "\"} " + std::to_string(sum.failed) + "\n";
    }
    Header(out, "strava1_jobs_dead_lettered_total", "Runs that sent their job to the dead letters, per kind.",
           "counter");
    for (const auto& [kind, sum] : kinds) {
        out += "strava1_jobs_dead_lettered_total{kind=\"" + Label(kind) + "\"} " + std::to_string(sum.dead) + "\n";
    }
    Header(out, "strava1_jobs_run_seconds", "How long runs took, per kind.", "histogram");
    for (const auto& [kind, sum] : kinds) {
        std::uint64_t cumulative = 0;
        for (std::size_t idx = 0; idx < sum.buckets.size(); ++idx) {
            cumulative += sum.buckets[idx];
            const std::string le = idx < std::size(kRunBuckets) ? Number(kRunBuckets[idx]) : "+Inf";
            out += "strava1_jobs_run_seconds_bucket{kind=\"" + Label(kind) + "\",le=\"" + le + "\"} " +
                   std::to_string(cumulative) + "\n";
        }
        out += "strava1_jobs_run_seconds_sum{kind=\"" + Label(kind) + "\"} " + Number(sum.seconds) + "\n";
        out += "strava1_jobs_run_seconds_count{kind=\"" + Label(kind) + "\"} " + std::to_string(cumulative) + "\n";
    }
    return out;
}

asio::awaitable<std::string> RenderMetrics(db::Pool& pool, std::vector<const Worker*> workers) {
    // One pass over each table; a partial-index scan each, cheap next to a scrape interval.
    db::Result queued = co_await pool.Query(
        "SELECT queue, count(*) FILTER (WHERE locked_until IS NULL AND run_at <= now()) AS waiting, "
        "  count(*) FILTER (WHERE locked_until IS NULL AND run_at > now()) AS scheduled, "
        "  count(*) FILTER (WHERE locked_until IS NOT NULL) AS running, "
        "  COALESCE(extract(epoch FROM now() - min(run_at) FILTER (WHERE locked_until IS NULL AND run_at <= now())), 0) "
        "    AS oldest_s "
        "FROM jobs_queue GROUP BY queue ORDER BY queue");
    db::Result dead =
        co_await pool.Query("SELECT queue, count(*) AS dead FROM jobs_dead GROUP BY queue ORDER BY queue");
    std::string out;
    struct Family {
        const char* name;
        const char* help;
        const char* column;
    };
    for (const Family& f : {Family{"strava1_jobs_waiting", "Jobs due and waiting for a worker, per queue.", "waiting"},
                            Family{"strava1_jobs_scheduled", "Jobs waiting for a later time, per queue.", "scheduled"},
                            Family{"strava1_jobs_running", "Jobs leased to a worker, per queue.", "running"}}) {
        Header(out, f.name, f.help, "gauge");
        const int col = queued.Column(f.column);
        for (int row = 0; row < queued.Rows(); ++row) {
            out += std::string(f.name) + "{queue=\"" + Label(queued.String(row, 0)) + "\"} " +
                   std::to_string(queued.Int(row, col)) + "\n";
        }
    }
    Header(out, "strava1_jobs_oldest_waiting_seconds", "Age of the oldest job due and waiting, per queue.", "gauge");
    for (int row = 0; row < queued.Rows(); ++row) {
        out += "strava1_jobs_oldest_waiting_seconds{queue=\"" + Label(queued.String(row, 0)) + "\"} " +
               Number(queued.Double(row, queued.Column("oldest_s"))) + "\n";
    }
    Header(out, "strava1_jobs_dead", "Jobs in the dead letters, per queue.", "gauge");
    for (int row = 0; row < dead.Rows(); ++row) {
        out += "strava1_jobs_dead{queue=\"" + Label(dead.String(row, 0)) + "\"} " + std::to_string(dead.Int(row, 1)) +
               "\n";
    }
    out += RenderWorkerMetrics(workers);
    co_return out;
}

}  // namespace strava1::jobs
