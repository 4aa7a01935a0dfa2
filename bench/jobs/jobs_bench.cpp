// strava1_jobs_bench: our side of the job queue benchmark (bench/jobs/run.mjs runs it beside
// graphile_peer.mjs, which does the same with graphile-worker). Prints one JSON object.
//
//   strava1_jobs_bench throughput --dsn=DSN [--jobs=50000] [--concurrency=16] [--batch=0] [--prefetch=0]
//       enqueues the no-op jobs in bulk (not timed), then times a worker running all of them, until
//       the last completion is written
//   strava1_jobs_bench latency --dsn=DSN [--rate=200] [--seconds=10] [--concurrency=16]
//       with the worker idle and listening, enqueues one job per transaction at a fixed rate and
//       measures from the enqueue call to the start of its handler, in one process (one clock)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "strava1/base/log.hpp"
#include "strava1/db/migrations.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/jobs/client.hpp"
#include "strava1/jobs/worker.hpp"
#include "strava1/migrations/all.hpp"

namespace {
namespace asio = boost::asio;
namespace jobs = strava1::jobs;
namespace db = strava1::db;
using Steady = std::chrono::steady_clock;

struct Args {
    std::string command;
    std::map<std::string, std::string> flags;
    std::string Get(const std::string& name, const std::string& fallback = "") const {
        auto it = flags.find(name);
        return it == flags.end() ? fallback : it->second;
    }
    int Int(const std::string& name, int fallback) const { return std::stoi(Get(name, std::to_string(fallback))); }
};

/// What the no-op handler saw.
struct Seen {
    std::int64_t runs = 0;
    std::vector<double> latencies_ms;
};
Seen g_seen;

double NowMs() { return std::chrono::duration<double, std::milli>(Steady::now().time_since_epoch()).count(); }

asio::awaitable<void> Noop(jobs::JobContext job) {
    ++g_seen.runs;
    if (const auto* t0 = job.payload.as_object().if_contains("t0")) {
        g_seen.latencies_ms.push_back(NowMs() - t0->to_number<double>());
    }
    co_return;
}

asio::awaitable<void> Sleep(std::chrono::milliseconds d) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(d);
    co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<std::int64_t> Queued(db::Pool& pool) {
    db::Result r = co_await pool.Query("SELECT count(*) FROM jobs_queue");
    co_return r.Int(0, 0);
}

jobs::WorkerOptions Options(const Args& args) {
    jobs::WorkerOptions o;
    o.concurrency = args.Int("concurrency", 16);
    o.claim_batch = args.Int("batch", 0);
    o.prefetch = args.Int("prefetch", 0);
    o.maintenance = true;
    return o;
}

asio::awaitable<boost::json::object> Throughput(db::Pool& pool, const jobs::Registry& registry, Args args) {
    const int count = args.Int("jobs", 50000);
    jobs::Client client(registry);
    for (int start = 0; start < count; start += 5000) {
        std::vector<jobs::NewJob> batch(static_cast<std::size_t>(std::min(5000, count - start)));
        for (auto& job : batch) {
            job.kind = "noop";
        }
        db::Transaction tx = co_await pool.Begin();
        co_await client.EnqueueMany(tx, std::move(batch));
        co_await tx.Commit();
    }
    co_await pool.Query("VACUUM ANALYZE jobs_queue");
    jobs::Worker worker(co_await asio::this_coro::executor, pool, registry, Options(args));
    const auto started = Steady::now();
    worker.Start();
    while (g_seen.runs < count) {
        co_await Sleep(std::chrono::milliseconds(1));
    }
    const double ran_s = std::chrono::duration<double>(Steady::now() - started).count();
    while (co_await Queued(pool) > 0) {
        co_await Sleep(std::chrono::milliseconds(1));
    }
    const double done_s = std::chrono::duration<double>(Steady::now() - started).count();
    co_await worker.Stop();
    boost::json::object out;
    out["jobs"] = count;
    out["seconds"] = done_s;
    out["jobs_per_second"] = count / done_s;
    out["handlers_done_seconds"] = ran_s;
    co_return out;
}

/// A no-op job carrying the time of its enqueue call.
jobs::NewJob Stamped() {
    jobs::NewJob job;
    job.kind = "noop";
    job.payload = boost::json::object{{"t0", NowMs()}};
    return job;
}

double Percentile(std::vector<double> values, double p) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const auto idx =
        static_cast<std::size_t>(std::min<double>(values.size() - 1, p * static_cast<double>(values.size())));
    return values[idx];
}

asio::awaitable<boost::json::object> Latency(db::Pool& pool, const jobs::Registry& registry, Args args) {
    const int rate = args.Int("rate", 200);
    const int seconds = args.Int("seconds", 10);
    jobs::Client client(registry);
    jobs::Worker worker(co_await asio::this_coro::executor, pool, registry, Options(args));
    worker.Start();
    co_await Sleep(std::chrono::milliseconds(1000));  // listening, idle
    const int total = rate * seconds;
    const auto period = std::chrono::duration<double>(1.0 / rate);
    const auto started = Steady::now();
    for (int idx = 0; idx < total; ++idx) {
        // An absolute schedule: a slow enqueue does not push the later ones back.
        const auto slot = started + std::chrono::duration_cast<Steady::duration>(period * idx);
        if (slot > Steady::now()) {
            asio::steady_timer timer(co_await asio::this_coro::executor);
            timer.expires_at(slot);
            co_await timer.async_wait(asio::use_awaitable);
        }
        jobs::NewJob job = Stamped();
        db::Transaction tx = co_await pool.Begin();
        co_await client.Enqueue(tx, std::move(job));
        co_await tx.Commit();
    }
    const auto deadline = Steady::now() + std::chrono::seconds(30);
    while (static_cast<int>(g_seen.latencies_ms.size()) < total && Steady::now() < deadline) {
        co_await Sleep(std::chrono::milliseconds(5));
    }
    co_await worker.Stop();
    boost::json::object out;
    out["jobs"] = static_cast<std::int64_t>(g_seen.latencies_ms.size());
    out["rate"] = rate;
    out["p50_ms"] = Percentile(g_seen.latencies_ms, 0.50);
    out["p99_ms"] = Percentile(g_seen.latencies_ms, 0.99);
    out["max_ms"] = Percentile(g_seen.latencies_ms, 1.0);
    co_return out;
}

asio::awaitable<boost::json::object> Measure(db::Pool& pool, const jobs::Registry& registry, Args args) {
    co_await db::Migrate(pool, strava1::migrations::All());
    if (args.command == "throughput") {
        co_return co_await Throughput(pool, registry, args);
    }
    co_return co_await Latency(pool, registry, args);
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
    if (args.command != "throughput" && args.command != "latency") {
        std::fprintf(stderr, "usage: strava1_jobs_bench throughput|latency --dsn=DSN [...]\n");
        return 2;
    }
    strava1::log::SetLevel(strava1::log::Level::kWarn);  // no "migration applied" lines in the report
    try {
        asio::io_context io(1);
        db::PoolOptions options;
        options.conninfo = args.Get("dsn");
        options.max_connections = static_cast<std::size_t>(args.Int("concurrency", 16) + 4);
        db::Pool pool(io.get_executor(), options);
        jobs::Registry registry;
        jobs::KindOptions kind;
        registry.Handle("noop", Noop, kind);
        auto result = asio::co_spawn(io, Measure(pool, registry, args), asio::use_future);
        io.run();
        boost::json::object out = result.get();
        const int prefetch = args.Int("prefetch", 0);
        out["system"] = prefetch > 0 ? "strava1 (prefetch " + std::to_string(prefetch) + ")" : std::string("strava1");
        out["concurrency"] = args.Int("concurrency", 16);
        std::printf("%s\n", boost::json::serialize(out).c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "strava1_jobs_bench: %s\n", e.what());
        return 1;
    }
}
