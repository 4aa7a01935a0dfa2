#include "strava1/jobs/worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unistd.h>

#include <algorithm>

#include "backoff.hpp"
#include "sql.hpp"
#include "strava1/base/json.hpp"
#include "strava1/base/log.hpp"
#include "worker_impl.hpp"

namespace strava1::jobs {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using detail::RunningJob;

namespace {

std::string DefaultWorkerId() {
    static std::atomic<int> counter{0};
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) {
        host[0] = '\0';
    }
    return std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(++counter);
}

std::string ErrorText(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const Error& e) {
        return e.LogDetail().empty() ? e.Detail() : e.Detail() + " (" + e.LogDetail() + ")";
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

bool IsPermanent(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const PermanentError&) {
        return true;
    } catch (...) {
        return false;
    }
}

/// Runs the handler and hands back what it threw. Asio's `a || b` completes on the first branch to
/// succeed, so a handler that throws must still "succeed" here for the timeout branch to be cancelled.
asio::awaitable<std::exception_ptr> Invoke(const Registry::Kind* kind, JobContext context) {
    try {
        co_await kind->handler(std::move(context));
    } catch (...) {
        co_return std::current_exception();
    }
    co_return nullptr;
}

asio::awaitable<void> Sleep(std::chrono::milliseconds duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(duration);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

struct Claimed {
    std::int64_t id;
    std::string queue;
    std::string kind;
    std::string payload;
    int attempt;
    int max_attempts;
    double created_at;
};

asio::awaitable<std::vector<Claimed>> Claim(std::shared_ptr<Worker::Impl> impl, int want) {
    db::Result r =
        co_await impl->pool.Query(sql::kClaim, db::Params::Of(impl->queues_literal, impl->kinds_literal, want, impl->id,
                                                              static_cast<std::int64_t>(impl->options.lease.count())));
    std::vector<Claimed> jobs;
    jobs.reserve(static_cast<std::size_t>(r.Rows()));
    const int c_id = r.Column("id");
    const int c_queue = r.Column("queue");
    const int c_kind = r.Column("kind");
    const int c_payload = r.Column("payload");
    const int c_attempt = r.Column("attempt");
    const int c_max = r.Column("max_attempts");
    const int c_created = r.Column("created_at");
    for (int row = 0; row < r.Rows(); ++row) {
        jobs.push_back(Claimed{r.Int(row, c_id), r.String(row, c_queue), r.String(row, c_kind),
                               r.String(row, c_payload), static_cast<int>(r.Int(row, c_attempt)),
                               static_cast<int>(r.Int(row, c_max)), r.Double(row, c_created)});
    }
    co_return jobs;
}

asio::awaitable<void> FlushCompletions(std::shared_ptr<Worker::Impl> impl) {
    int failures = 0;
    while (!impl->to_complete.empty()) {
        auto batch = std::move(impl->to_complete);
        impl->to_complete.clear();
        std::vector<std::int64_t> ids;
        std::vector<int> attempts;
        for (const auto& [id, attempt] : batch) {
            ids.push_back(id);
            attempts.push_back(attempt);
        }
        bool written = false;
        try {
            co_await impl->pool.Query(sql::kComplete,
                                      db::Params::Of(sql::NumberArray(ids), sql::NumberArray(attempts), impl->id));
            written = true;
            failures = 0;
        } catch (const std::exception& e) {
            // The leases are still ours while heartbeats succeed; keep trying. If they expire
            // meanwhile, the jobs run again elsewhere (at least once).
            log::Warn("could not record completed jobs; retrying", {{"jobs", batch.size()}, {"error", e.what()}});
            impl->to_complete.insert(impl->to_complete.end(), batch.begin(), batch.end());
            ++failures;
        }
        if (!written) {
            if (impl->stopping && failures > 3) {
                break;
            }
            co_await Sleep(std::chrono::milliseconds(std::min(100 << std::min(failures, 5), 2000)));
            continue;
        }
        for (const auto& [id, attempt] : batch) {
            auto it = impl->leased.find(id);
            if (it != impl->leased.end() && it->second->attempt == attempt) {
                impl->leased.erase(it);
            }
        }
    }
    impl->flushing = false;
    --impl->open_tasks;
}

/// Writes what became of a run that did not succeed. Failures to write are logged: the lease then
/// expires and the rescue retries the job.
asio::awaitable<void> RecordFailure(std::shared_ptr<Worker::Impl> impl, std::shared_ptr<RunningJob> job,
                                    std::string error, bool permanent, int max_attempts) {
    auto* counters = impl->CountersOf(job->kind != nullptr ? job->kind->name : "");
    try {
        if (permanent || job->attempt >= max_attempts) {
            co_await impl->pool.Query(
                sql::kBury, db::Params::Of(job->id, job->attempt, impl->id, permanent ? "discarded" : "failed", error));
            impl->dead.fetch_add(1);
            if (counters != nullptr) {
                counters->dead.fetch_add(1);
            }
            log::Warn("job dead-lettered",
                      {{"job", job->id}, {"attempt", job->attempt}, {"error", error}, {"permanent", permanent}});
        } else {
            const auto delay = impl->Backoff(job->kind, job->attempt);
            co_await impl->pool.Query(sql::kRetryLater, db::Params::Of(job->id, job->attempt, impl->id, error,
                                                                       static_cast<std::int64_t>(delay.count())));
            impl->failed.fetch_add(1);
            if (counters != nullptr) {
                counters->failed.fetch_add(1);
            }
            log::Info("job failed; will retry",
                      {{"job", job->id}, {"attempt", job->attempt}, {"retry_in_ms", delay.count()}, {"error", error}});
        }
    } catch (const std::exception& e) {
        log::Warn("could not record a failed job; its lease will expire and it will be retried",
                  {{"job", job->id}, {"error", e.what()}});
    }
}

asio::awaitable<void> RunJob(std::shared_ptr<Worker::Impl> impl, std::shared_ptr<RunningJob> job, JobContext context) {
    const auto started = std::chrono::steady_clock::now();
    std::exception_ptr error;
    bool timed_out = false;
    const int max_attempts = context.max_attempts;
    if (job->kind == nullptr) {
        error = std::make_exception_ptr(std::runtime_error("no handler for the job kind " + context.kind));
    } else {
        job->cancel.expires_after(job->kind->options.timeout);
        auto outcome = co_await (Invoke(job->kind, std::move(context)) ||
                                 job->cancel.async_wait(asio::as_tuple(asio::use_awaitable)));
        if (outcome.index() == 0) {
            error = std::get<0>(outcome);
        } else {
            timed_out = job->interrupt == RunningJob::Interrupt::kNone;
        }
    }
    job->handler_done = true;
    --impl->handlers;
    impl->running.fetch_sub(1);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (auto* counters = impl->CountersOf(job->kind != nullptr ? job->kind->name : ""); counters != nullptr) {
        std::size_t bucket = 0;
        while (bucket < std::size(kRunBuckets) && seconds > kRunBuckets[bucket]) {
            ++bucket;
        }
        counters->buckets[bucket].fetch_add(1);
        counters->run_us.fetch_add(static_cast<std::uint64_t>(seconds * 1e6));
        if (!error && !timed_out && job->interrupt == RunningJob::Interrupt::kNone) {
            counters->completed.fetch_add(1);
        }
    }
    impl->SlotFreed();

    if (job->interrupt == RunningJob::Interrupt::kLost) {
        // Rescued elsewhere or discarded: whatever this run did, the job is not ours to write.
        impl->lost.fetch_add(1);
        impl->leased.erase(job->id);
    } else if (job->interrupt == RunningJob::Interrupt::kStopping) {
        try {
            co_await impl->pool.Query(sql::kHandBack, db::Params::Of(job->id, job->attempt, impl->id));
        } catch (const std::exception& e) {
            log::Warn("could not hand back an interrupted job; it runs again when its lease expires",
                      {{"job", job->id}, {"error", e.what()}});
        }
        impl->leased.erase(job->id);
    } else if (!error && !timed_out) {
        impl->completed.fetch_add(1);
        job->completing = true;
        impl->to_complete.emplace_back(job->id, job->attempt);
        if (!impl->flushing) {
            impl->flushing = true;
            ++impl->open_tasks;
            asio::co_spawn(impl->executor, FlushCompletions(impl), asio::detached);
        }
    } else {
        std::string text = timed_out ? "timed out after " + std::to_string(job->kind->options.timeout.count()) + " s"
                                     : ErrorText(error);
        if (text.size() > 2000) {
            text.resize(2000);
        }
        co_await RecordFailure(impl, job, std::move(text), error && IsPermanent(error), max_attempts);
        impl->leased.erase(job->id);
    }
    --impl->open_tasks;
}

/// The claimed job as the worker tracks it (leased from now on) and as its handler will see it.
Pending Prepare(const std::shared_ptr<Worker::Impl>& impl, Claimed claimed) {
    auto job = std::make_shared<RunningJob>(impl->executor, impl);
    job->pool = &impl->pool;
    job->id = claimed.id;
    job->attempt = claimed.attempt;
    job->kind = impl->registry.Find(claimed.kind);
    JobContext context;
    context.id = claimed.id;
    context.kind = std::move(claimed.kind);
    context.queue = std::move(claimed.queue);
    context.attempt = claimed.attempt;
    context.max_attempts = claimed.max_attempts;
    context.created_at =
        SystemTime{std::chrono::duration_cast<SystemTime::duration>(std::chrono::duration<double>(claimed.created_at))};
    context.running = job;
    try {
        context.payload = json::Parse(claimed.payload, 64);
    } catch (const Error&) {
        job->kind = nullptr;  // cannot happen for jsonb text; fail the run rather than the loop
    }
    impl->leased[job->id] = job;
    return Pending{std::move(job), std::move(context)};
}

void Begin(const std::shared_ptr<Worker::Impl>& impl, Pending pending) {
    ++impl->handlers;
    ++impl->open_tasks;
    impl->running.fetch_add(1);
    asio::co_spawn(impl->executor, RunJob(impl, std::move(pending.job), std::move(pending.context)), asio::detached);
}

asio::awaitable<void> HandBackBacklog(std::shared_ptr<Worker::Impl> impl) {
    auto backlog = std::move(impl->backlog);
    impl->backlog.clear();
    for (auto& pending : backlog) {
        try {
            co_await impl->pool.Query(sql::kHandBack, db::Params::Of(pending.job->id, pending.job->attempt, impl->id));
        } catch (const std::exception& e) {
            log::Warn("could not hand back a job; it runs again when its lease expires",
                      {{"job", pending.job->id}, {"error", e.what()}});
        }
        impl->leased.erase(pending.job->id);
    }
}

}  // namespace

// ----- Impl

Worker::Impl::Impl(asio::any_io_executor ex, db::Pool& p, const Registry& r, WorkerOptions o, const Clock& c)
    : executor(std::move(ex)),
      pool(p),
      registry(r),
      options(std::move(o)),
      clock(c),
      wake(executor),
      heartbeat_tick(executor),
      maintenance_tick(executor) {
    id = options.worker_id.empty() ? DefaultWorkerId() : options.worker_id;
    std::vector<std::string> queue_list = options.queues.empty() ? registry.Queues() : options.queues;
    queues.insert(queue_list.begin(), queue_list.end());
    queues_literal = sql::TextArray(queue_list);
    std::vector<std::string> kinds;
    for (const Registry::Kind* kind : registry.Kinds()) {
        kinds.push_back(kind->name);
        kind_index.emplace(kind->name, kind_names.size());
        kind_names.push_back(kind->name);
        kind_counters.push_back(std::make_unique<KindCounters>());
    }
    kinds_literal = sql::TextArray(kinds);
    options.concurrency = std::max(1, options.concurrency);
    options.prefetch = std::max(0, options.prefetch);
    claim_batch = std::max(0, options.claim_batch);
}

void Worker::Impl::LaunchBacklog() {
    auto self = shared_from_this();
    while (handlers < options.concurrency && !backlog.empty() && !stopping) {
        Pending next = std::move(backlog.front());
        backlog.pop_front();
        if (next.job->interrupt == RunningJob::Interrupt::kLost) {
            // Its lease was lost while it waited here (rescued or discarded): it is not ours to run.
            lost.fetch_add(1);
            leased.erase(next.job->id);
            continue;
        }
        Begin(self, std::move(next));
    }
}

void Worker::Impl::Wake() {
    wake_pending = true;
    wake.cancel();
}

void Worker::Impl::Notified() {
    hungry = true;
    if (Held() < Capacity()) {
        Wake();
    }
}

void Worker::Impl::SlotFreed() {
    LaunchBacklog();
    if (hungry || stopping) {
        Wake();
    }
}

Worker::Impl::KindCounters* Worker::Impl::CountersOf(std::string_view kind) {
    auto it = kind_index.find(kind);
    return it == kind_index.end() ? nullptr : kind_counters[it->second].get();
}

std::chrono::milliseconds Worker::Impl::Backoff(const Registry::Kind* kind, int attempt) {
    const KindOptions defaults;
    const KindOptions& o = kind != nullptr ? kind->options : defaults;
    return RetryDelay(attempt, o.backoff_base, o.backoff_max, std::uniform_real_distribution<double>(0, 1)(rng));
}

// ----- the loops

asio::awaitable<void> FetchLoop(std::shared_ptr<Worker::Impl> impl) {
    int failures = 0;
    const int prefetch = impl->options.prefetch;
    while (!impl->stopping) {
        impl->LaunchBacklog();
        const int room = impl->Capacity() - impl->Held();
        // Claim when a slot would otherwise stay idle, or, prefetching, once half the local queue is gone
        // (fewer, larger claims).
        const bool starving =
            impl->options.concurrency - impl->handlers > static_cast<int>(impl->backlog.size()) + impl->claiming;
        if (room > 0 && (starving || room >= std::max(1, prefetch / 2))) {
            // Prefetching, two claims overlap (two of these loops): each asks for half the capacity.
            const int cap = impl->claim_batch > 0 ? impl->claim_batch
                            : prefetch > 0        ? std::max(1, impl->Capacity() / 2)
                                                  : room;
            const int want = std::min(room, cap);
            impl->claiming += want;
            impl->hungry = false;
            impl->wake_pending = false;
            std::vector<Claimed> jobs;
            bool claimed = false;
            try {
                jobs = co_await Claim(impl, want);
                claimed = true;
                failures = 0;
            } catch (const std::exception& e) {
                if (failures++ == 0) {
                    log::Warn("could not claim jobs; retrying", {{"worker", impl->id}, {"error", e.what()}});
                }
            }
            impl->claiming -= want;
            if (!claimed) {
                co_await Sleep(
                    std::min(impl->options.poll_interval, std::chrono::milliseconds(100 << std::min(failures, 5))));
                continue;
            }
            impl->claimed.fetch_add(jobs.size());
            for (auto& job : jobs) {
                impl->backlog.push_back(Prepare(impl, std::move(job)));
            }
            impl->LaunchBacklog();
            if (static_cast<int>(jobs.size()) == want) {
                // The batch was full: more may be waiting. Claim again now, or when a slot frees.
                impl->hungry = true;
                continue;
            }
        }
        if (impl->stopping) {
            break;
        }
        if (impl->wake_pending && impl->Held() < impl->Capacity()) {
            continue;  // woken while claiming: claim again
        }
        // With every slot taken, a wake-up only matters once one frees (SlotFreed wakes us then).
        impl->wake_pending = false;
        impl->wake.expires_after(impl->options.poll_interval);
        co_await impl->wake.async_wait(asio::as_tuple(asio::use_awaitable));
        if (!impl->wake_pending) {
            impl->hungry = true;  // the poll interval passed: look again
        }
    }
    --impl->open_tasks;
}

asio::awaitable<void> HeartbeatLoop(std::shared_ptr<Worker::Impl> impl) {
    const auto interval = std::max(impl->options.lease / 3, std::chrono::milliseconds(10));
    auto last_sent = std::chrono::steady_clock::now();
    while (!impl->stopping || !impl->leased.empty()) {
        impl->heartbeat_tick.expires_at(last_sent + interval);
        co_await impl->heartbeat_tick.async_wait(asio::as_tuple(asio::use_awaitable));
        if (impl->leased.empty()) {
            impl->last_heartbeat_ok = std::chrono::steady_clock::now();
            last_sent = impl->last_heartbeat_ok;
            continue;
        }
        if (std::chrono::steady_clock::now() < last_sent + interval) {
            continue;  // woken early by Stop: only to see whether anything is still leased
        }
        last_sent = std::chrono::steady_clock::now();
        std::vector<std::int64_t> ids;
        std::vector<int> attempts;
        auto snapshot = impl->leased;
        for (const auto& [id, job] : snapshot) {
            ids.push_back(id);
            attempts.push_back(job->attempt);
        }
        try {
            db::Result r = co_await impl->pool.Query(
                sql::kHeartbeat, db::Params::Of(sql::NumberArray(ids), sql::NumberArray(attempts),
                                                static_cast<std::int64_t>(impl->options.lease.count()), impl->id));
            impl->last_heartbeat_ok = std::chrono::steady_clock::now();
            std::set<std::int64_t> alive;
            for (int row = 0; row < r.Rows(); ++row) {
                alive.insert(r.Int(row, 0));
            }
            for (const auto& [id, job] : snapshot) {
                if (alive.contains(id) || job->completing || job->handler_done) {
                    continue;
                }
                // Its lease expired and it was rescued, or an operator discarded it: stop the run.
                job->interrupt = RunningJob::Interrupt::kLost;
                job->cancel.cancel();
            }
        } catch (const std::exception& e) {
            // Past the lease another worker may rescue these jobs; running them on would risk two
            // runs at once, so this worker gives them up (fencing itself).
            if (std::chrono::steady_clock::now() - impl->last_heartbeat_ok >= impl->options.lease - interval) {
                log::Error("leases could not be renewed in time; interrupting their jobs",
                           {{"worker", impl->id}, {"jobs", snapshot.size()}, {"error", e.what()}});
                for (const auto& [id, job] : snapshot) {
                    if (!job->handler_done) {
                        job->interrupt = RunningJob::Interrupt::kLost;
                        job->cancel.cancel();
                    }
                }
            } else {
                log::Warn("could not renew leases; retrying", {{"worker", impl->id}, {"error", e.what()}});
            }
        }
    }
    --impl->open_tasks;
}

// ----- Worker

Worker::Worker(asio::any_io_executor executor, db::Pool& pool, const Registry& registry, WorkerOptions options,
               const Clock& clock)
    : impl_(std::make_shared<Impl>(std::move(executor), pool, registry, std::move(options), clock)) {}

Worker::~Worker() {
    if (impl_->listener) {
        impl_->listener->Stop();
    }
}

const std::string& Worker::Id() const { return impl_->id; }

void Worker::Start() {
    asio::post(impl_->executor, [impl = impl_] {
        if (impl->started || impl->stopping) {
            return;
        }
        impl->started = true;
        const bool runs_jobs = !impl->registry.Kinds().empty();
        if (runs_jobs && impl->options.listen) {
            std::weak_ptr<Impl> weak = impl;
            impl->listener = std::make_unique<db::Listener>(
                impl->executor, impl->pool, db::Listener::Options{{"strava1_jobs"}},
                [weak](const db::Notification& n) {
                    if (auto self = weak.lock(); self && self->queues.contains(n.payload)) {
                        self->Notified();
                    }
                },
                [weak] {
                    // (Re)connected: whatever was announced while nobody listened is found now.
                    if (auto self = weak.lock()) {
                        self->Notified();
                    }
                });
            impl->listener->Start();
        }
        if (runs_jobs) {
            impl->open_tasks += 2;
            asio::co_spawn(impl->executor, FetchLoop(impl), asio::detached);
            if (impl->options.prefetch > 0) {
                ++impl->open_tasks;
                asio::co_spawn(impl->executor, FetchLoop(impl), asio::detached);
            }
            asio::co_spawn(impl->executor, HeartbeatLoop(impl), asio::detached);
        }
        if (impl->options.maintenance) {
            ++impl->open_tasks;
            asio::co_spawn(impl->executor, MaintenanceLoop(impl), asio::detached);
        }
    });
}

namespace {

asio::awaitable<void> StopOnExecutor(std::shared_ptr<Worker::Impl> impl) {
    if (impl->stopping) {
        co_return;
    }
    impl->stopping = true;
    if (impl->listener) {
        impl->listener->Stop();
    }
    impl->Wake();
    impl->maintenance_tick.cancel();
    co_await HandBackBacklog(impl);
    const auto deadline = std::chrono::steady_clock::now() + impl->options.stop_grace;
    while (impl->handlers > 0 && std::chrono::steady_clock::now() < deadline) {
        co_await Sleep(std::chrono::milliseconds(5));
    }
    for (const auto& [id, job] : impl->leased) {
        if (!job->handler_done) {
            job->interrupt = RunningJob::Interrupt::kStopping;
            job->cancel.cancel();
        }
    }
    // The heartbeat loop ends once nothing is leased; the completion writer once it is written.
    while (impl->open_tasks > 0) {
        impl->heartbeat_tick.cancel();
        co_await Sleep(std::chrono::milliseconds(5));
    }
    impl->listener.reset();
}

}  // namespace

asio::awaitable<void> Worker::Stop() {
    co_await asio::co_spawn(impl_->executor, StopOnExecutor(impl_), asio::use_awaitable);
}

WorkerStats Worker::Stats() const {
    WorkerStats s;
    s.claimed = impl_->claimed;
    s.completed = impl_->completed;
    s.failed = impl_->failed;
    s.dead = impl_->dead;
    s.lost = impl_->lost;
    s.rescued = impl_->rescued;
    s.schedules_fired = impl_->schedules_fired;
    s.running = impl_->running;
    for (std::size_t idx = 0; idx < impl_->kind_names.size(); ++idx) {
        const auto& c = *impl_->kind_counters[idx];
        WorkerStats::PerKind k;
        k.kind = impl_->kind_names[idx];
        k.completed = c.completed;
        k.failed = c.failed;
        k.dead = c.dead;
        for (const auto& bucket : c.buckets) {
            k.buckets.push_back(bucket);
        }
        k.run_seconds_sum = static_cast<double>(c.run_us.load()) / 1e6;
        s.kinds.push_back(std::move(k));
    }
    return s;
}

// ----- JobContext

asio::awaitable<bool> JobContext::Heartbeat() const {
    auto job = running;
    auto impl = job ? job->worker.lock() : nullptr;
    if (!impl || job->interrupt == RunningJob::Interrupt::kLost) {
        co_return false;
    }
    const std::string ids = "{" + std::to_string(job->id) + "}";
    const std::string attempts = "{" + std::to_string(job->attempt) + "}";
    const auto lease_ms = static_cast<std::int64_t>(impl->options.lease.count());
    db::Result r = co_await impl->pool.Query(sql::kHeartbeat, db::Params::Of(ids, attempts, lease_ms, impl->id));
    co_return !r.Empty();
}

db::Pool& JobContext::Pool() const { return *running->pool; }

}  // namespace strava1::jobs
