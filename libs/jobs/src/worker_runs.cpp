// One run of one job: claiming, starting, racing its timeout, and writing what became of it (the
// completion batch, a retry with backoff, the dead letters, a hand-back); and JobContext.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sql.hpp"
#include "strava1/base/json.hpp"
#include "strava1/base/log.hpp"
#include "worker_impl.hpp"

namespace strava1::jobs {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using detail::RunningJob;

asio::awaitable<void> SleepFor(std::chrono::milliseconds duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(duration);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

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

namespace {

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
            co_await SleepFor(std::chrono::milliseconds(std::min(100 << std::min(failures, 5), 2000)));
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

}  // namespace

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
