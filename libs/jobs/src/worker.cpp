#include "strava1/jobs/worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unistd.h>

#include <algorithm>

#include "backoff.hpp"
#include "sql.hpp"
#include "strava1/base/log.hpp"
#include "worker_impl.hpp"

namespace strava1::jobs {
namespace asio = boost::asio;
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

}  // namespace

// ----- Impl

Worker::Impl::Impl(asio::any_io_executor ex, db::Pool& p, const Registry& r, WorkerOptions o, const Clock& c)
    : executor(std::move(ex)),
      pool(p),
      registry(r),
      options(std::move(o)),
      clock(c),
      wake{boost::asio::steady_timer(executor), boost::asio::steady_timer(executor)},
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
    for (auto& timer : wake) {
        timer.cancel();
    }
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

asio::awaitable<void> FetchLoop(std::shared_ptr<Worker::Impl> impl, int lane) {
    int failures = 0;
    const int prefetch = impl->options.prefetch;
    while (!impl->stopping) {
        impl->LaunchBacklog();
        const int room = impl->Capacity() - impl->Held();
        // Claim when a slot would otherwise stay idle, or, prefetching, once half the local queue is gone
        // (fewer, larger claims).
        const bool starving =
            impl->options.concurrency - impl->handlers > static_cast<int>(impl->backlog.size()) + impl->claiming;
        const bool claims = room > 0 && (starving || room >= std::max(1, prefetch / 2));
        if (claims) {
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
                co_await SleepFor(
                    std::min(impl->options.poll_interval, std::chrono::milliseconds(100 << std::min(failures, 5))));
                continue;
            }
            impl->claimed.fetch_add(jobs.size());
            for (auto& job : jobs) {
                impl->backlog.push_back(Prepare(impl, std::move(job)));
            }
            if (impl->stopping) {
                // Stop handed the backlog back while this claim was in flight: hand these back too, or
                // they would stay leased here (and Stop would wait for them) until their lease expired.
                co_await HandBackBacklog(impl);
                break;
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
        if (claims && impl->wake_pending && impl->Held() < impl->Capacity()) {
            continue;  // woken while claiming: claim again (without a claim this would spin, never yielding)
        }
        // With every slot taken, a wake-up only matters once one frees (SlotFreed wakes us then).
        impl->wake_pending = false;
        auto& wake = impl->wake[lane];
        wake.expires_after(impl->options.poll_interval);
        co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
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
            asio::co_spawn(impl->executor, FetchLoop(impl, 0), asio::detached);
            if (impl->options.prefetch > 0) {
                ++impl->open_tasks;
                asio::co_spawn(impl->executor, FetchLoop(impl, 1), asio::detached);
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
        co_await SleepFor(std::chrono::milliseconds(5));
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
        co_await SleepFor(std::chrono::milliseconds(5));
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

}  // namespace strava1::jobs
