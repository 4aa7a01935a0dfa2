// strava1_jobs_crashtest: the worker process of the crash test (security checklist T-72), driven by
// tests/jobs/crash_test.py, which kills it with SIGKILL at random moments and starts it again.
//
//   strava1_jobs_crashtest setup  --dsn=DSN --jobs=N --rolled-back=M   migrate, make the tables, enqueue
//   strava1_jobs_crashtest work   --dsn=DSN [--concurrency=C] [--lease-ms=L] [--max-sleep-ms=S]
//   strava1_jobs_crashtest verify --dsn=DSN --jobs=N                    print a JSON summary; exit 1 if wrong
//
// Each job's handler takes a transaction-scoped advisory lock on its key (a second run of the same
// job at the same time would fail to get it and records an overlap), counts the run outside that
// transaction, sleeps a little so that kills land mid-run, and writes its effect idempotently.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>

#include "strava1/db/migrations.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/jobs/client.hpp"
#include "strava1/jobs/worker.hpp"
#include "strava1/migrations/all.hpp"

namespace {
namespace asio = boost::asio;
namespace jobs = strava1::jobs;
namespace db = strava1::db;

constexpr const char* kKind = "crash.effect";

struct Args {
    std::string command;
    std::map<std::string, std::string> flags;
    std::string Get(const std::string& name, const std::string& fallback = "") const {
        auto it = flags.find(name);
        return it == flags.end() ? fallback : it->second;
    }
    int Int(const std::string& name, int fallback) const { return std::stoi(Get(name, std::to_string(fallback))); }
};

int g_max_sleep_ms = 20;

asio::awaitable<void> Effect(jobs::JobContext job) {
    const std::int64_t key = job.payload.as_object().at("key").to_number<std::int64_t>();
    db::Pool& pool = job.Pool();
    // Every execution, committed at once: the number of runs survives the kills.
    co_await pool.Query("INSERT INTO crash_runs (job_key, pid, attempt) VALUES ($1, $2, $3)",
                        db::Params::Of(key, static_cast<std::int64_t>(getpid()), job.attempt));
    db::Transaction tx = co_await pool.Begin();
    db::Result locked = co_await tx.Query("SELECT pg_try_advisory_xact_lock(7272, $1::int)", db::Params::Of(key));
    if (!locked.Bool(0, 0)) {
        co_await pool.Query("INSERT INTO crash_overlaps (job_key, pid) VALUES ($1, $2)",
                            db::Params::Of(key, static_cast<std::int64_t>(getpid())));
        throw std::runtime_error("job " + std::to_string(key) + " is running somewhere else at the same time");
    }
    thread_local std::mt19937 rng{std::random_device{}()};
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, g_max_sleep_ms)(rng)));
    co_await timer.async_wait(asio::use_awaitable);
    co_await tx.Query("INSERT INTO crash_effects (job_key) VALUES ($1) ON CONFLICT DO NOTHING", db::Params::Of(key));
    co_await tx.Commit();
}

void Register(jobs::Registry& registry) {
    jobs::KindOptions options;
    options.max_attempts = 25;
    options.timeout = std::chrono::seconds(30);
    // Short backoff keeps the test short; the delays still grow and are jittered.
    options.backoff_base = std::chrono::milliseconds(100);
    options.backoff_max = std::chrono::milliseconds(2000);
    registry.Handle(kKind, Effect, options);
}

boost::json::object Key(std::int64_t key) { return boost::json::object{{"key", key}}; }

asio::awaitable<void> Setup(db::Pool& pool, int count, int rolled_back) {
    co_await db::Migrate(pool, strava1::migrations::All());
    co_await pool.Query(
        "CREATE TABLE IF NOT EXISTS crash_runs (id bigserial PRIMARY KEY, job_key int NOT NULL, pid bigint NOT NULL, "
        "attempt int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())");
    co_await pool.Query("CREATE TABLE IF NOT EXISTS crash_effects (job_key int PRIMARY KEY)");
    co_await pool.Query("CREATE TABLE IF NOT EXISTS crash_overlaps (job_key int NOT NULL, pid bigint NOT NULL)");
    jobs::Registry registry;
    Register(registry);
    jobs::Client client(registry);
    for (int start = 0; start < count; start += 1000) {
        std::vector<jobs::NewJob> batch;
        for (int key = start; key < std::min(count, start + 1000); ++key) {
            jobs::NewJob job;
            job.kind = kKind;
            job.payload = Key(key);
            batch.push_back(std::move(job));
        }
        db::Transaction tx = co_await pool.Begin();
        co_await client.EnqueueMany(tx, std::move(batch));
        co_await tx.Commit();
    }
    // Rolled back: half one by one, half in batches; keys below zero mark them.
    for (int idx = 1; idx <= rolled_back; ++idx) {
        db::Transaction tx = co_await pool.Begin();
        jobs::NewJob job;
        job.kind = kKind;
        job.payload = Key(-idx);
        if (idx % 2 == 0) {
            co_await client.Enqueue(tx, std::move(job));
        } else {
            std::vector<jobs::NewJob> one;
            one.push_back(std::move(job));
            co_await client.EnqueueMany(tx, std::move(one));
        }
        co_await tx.Rollback();
    }
}

asio::awaitable<std::int64_t> CountOf(db::Pool& pool, std::string sql) {
    db::Result r = co_await pool.Query(std::move(sql));
    co_return r.Int(0, 0);
}

asio::awaitable<int> Verify(db::Pool& pool, int count) {
    boost::json::object summary;
    summary["jobs"] = count;
    summary["queued"] = co_await CountOf(pool, "SELECT count(*) FROM jobs_queue");
    summary["dead"] = co_await CountOf(pool, "SELECT count(*) FROM jobs_dead");
    summary["effects"] = co_await CountOf(pool, "SELECT count(*) FROM crash_effects WHERE job_key >= 0");
    summary["effects_of_rolled_back"] = co_await CountOf(pool, "SELECT count(*) FROM crash_effects WHERE job_key < 0");
    summary["runs_of_rolled_back"] = co_await CountOf(pool, "SELECT count(*) FROM crash_runs WHERE job_key < 0");
    summary["runs"] = co_await CountOf(pool, "SELECT count(*) FROM crash_runs");
    summary["jobs_run_more_than_once"] = co_await CountOf(
        pool, "SELECT count(*) FROM (SELECT job_key FROM crash_runs GROUP BY job_key HAVING count(*) > 1) t");
    summary["max_attempt"] = co_await CountOf(pool, "SELECT COALESCE(max(attempt), 0) FROM crash_runs");
    summary["overlaps"] = co_await CountOf(pool, "SELECT count(*) FROM crash_overlaps");
    summary["jobs_with_neither_effect_nor_dead_letter"] =
        co_await CountOf(pool, "SELECT count(*) FROM generate_series(0, " + std::to_string(count - 1) +
                                   ") k WHERE NOT EXISTS (SELECT 1 FROM crash_effects e WHERE e.job_key = k) "
                                   "AND NOT EXISTS (SELECT 1 FROM jobs_dead d WHERE (d.payload->>'key')::int = k)");
    const bool ok = summary["queued"].as_int64() == 0 && summary["effects_of_rolled_back"].as_int64() == 0 &&
                    summary["runs_of_rolled_back"].as_int64() == 0 && summary["overlaps"].as_int64() == 0 &&
                    summary["jobs_with_neither_effect_nor_dead_letter"].as_int64() == 0 &&
                    summary["effects"].as_int64() + summary["dead"].as_int64() == count;
    summary["ok"] = ok;
    std::printf("%s\n", boost::json::serialize(summary).c_str());
    co_return ok ? 0 : 1;
}

template <class T>
T RunOn(asio::io_context& io, asio::awaitable<T> task) {
    auto future = asio::co_spawn(io, std::move(task), asio::use_future);
    io.run();
    return future.get();
}

asio::awaitable<void> StopOnSignal(asio::signal_set& signals, jobs::Worker& worker) {
    co_await signals.async_wait(asio::use_awaitable);
    co_await worker.Stop();
}

int Work(const Args& args) {
    asio::io_context io(1);
    db::PoolOptions pool_options{args.Get("dsn"), static_cast<std::size_t>(args.Int("concurrency", 8) + 4)};
    db::Pool pool(io.get_executor(), pool_options);
    jobs::Registry registry;
    Register(registry);
    jobs::WorkerOptions options;
    options.concurrency = args.Int("concurrency", 8);
    options.lease = std::chrono::milliseconds(args.Int("lease-ms", 2000));
    options.poll_interval = std::chrono::milliseconds(200);
    options.maintenance_interval = std::chrono::milliseconds(250);
    g_max_sleep_ms = args.Int("max-sleep-ms", 20);
    jobs::Worker worker(io.get_executor(), pool, registry, options);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    asio::co_spawn(io, StopOnSignal(signals, worker), asio::detached);
    worker.Start();
    io.run();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    for (int idx = 1; idx < argc; ++idx) {
        std::string arg = argv[idx];
        if (arg.starts_with("--")) {
            auto eq = arg.find('=');
            args.flags[arg.substr(2, eq - 2)] = eq == std::string::npos ? "" : arg.substr(eq + 1);
        } else if (args.command.empty()) {
            args.command = arg;
        }
    }
    try {
        if (args.command == "work") {
            return Work(args);
        }
        asio::io_context io(1);
        db::Pool pool(io.get_executor(), db::PoolOptions{args.Get("dsn"), 4});
        if (args.command == "setup") {
            RunOn(io, Setup(pool, args.Int("jobs", 10000), args.Int("rolled-back", 1000)));
            return 0;
        }
        if (args.command == "verify") {
            return RunOn(io, Verify(pool, args.Int("jobs", 10000)));
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crashtest %s: %s\n", args.command.c_str(), e.what());
        return 1;
    }
    std::fprintf(stderr, "usage: strava1_jobs_crashtest setup|work|verify --dsn=DSN [...]\n");
    return 2;
}
