#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strava1/base/clock.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/jobs/registry.hpp"

namespace strava1::jobs {

struct WorkerOptions {
    /// Queues to take jobs from; empty: every queue the registry's kinds use. Only jobs of kinds the
    /// registry knows are claimed.
    std::vector<std::string> queues;
    int concurrency = 8;  ///< handlers running at once
    /// Jobs claimed ahead of free slots, started as slots free, so that the next claim overlaps the
    /// runs (a local queue, as graphile-worker's). Worth it for short jobs under load; for slow ones
    /// it keeps jobs leased here that an idle worker elsewhere could have run. 0: claim only for free slots.
    int prefetch = 0;
    int claim_batch = 0;  ///< most jobs claimed per query; 0: as many as there is room for
    /// A claimed job is this worker's until then; heartbeats (every lease/3) extend it. A job whose
    /// lease ran out (its worker died) is rescued: back to waiting with backoff, or dead-lettered.
    std::chrono::milliseconds lease{30000};
    /// How often to look for jobs when no notification arrives (LISTEN/NOTIFY is the fast path).
    std::chrono::milliseconds poll_interval{1000};
    bool listen = true;
    /// Rescue expired leases and fire due schedules (upserting the registry's at start). One worker
    /// per process is enough; several across processes are safe.
    bool maintenance = true;
    std::chrono::milliseconds maintenance_interval{1000};
    /// On Stop, running handlers get this long to finish; the rest are cancelled and their jobs
    /// handed back to the queue without counting the attempt.
    std::chrono::milliseconds stop_grace{10000};
    std::string worker_id;  ///< in locked_by; empty: "<host>:<pid>:<n>"
};

/// Counters of one worker (monotonic, except `running`). Read with Worker::Stats.
struct WorkerStats {
    std::uint64_t claimed = 0;
    std::uint64_t completed = 0;
    std::uint64_t failed = 0;   ///< runs that failed and will be retried
    std::uint64_t dead = 0;     ///< runs that sent their job to the dead letters
    std::uint64_t lost = 0;     ///< runs whose lease was lost before they ended
    std::uint64_t rescued = 0;  ///< expired leases of other runs this worker rescued
    std::uint64_t schedules_fired = 0;
    std::uint64_t running = 0;
    struct PerKind {
        std::string kind;
        std::uint64_t completed = 0;
        std::uint64_t failed = 0;
        std::uint64_t dead = 0;
        /// Run times, in Prometheus bucket order (cumulative counts for kRunBuckets, then +Inf).
        std::vector<std::uint64_t> buckets;
        double run_seconds_sum = 0;
    };
    std::vector<PerKind> kinds;
};

/// The queue's own housekeeping as a job: registers the kind "jobs.prune_dead", which deletes dead
/// letters older than `dead_retention`, and its daily schedule of the same name (03:17 UTC).
void RegisterHousekeeping(Registry& registry, std::chrono::hours dead_retention = std::chrono::hours(24 * 30));

/// Upper bounds, in seconds, of the run-time histogram buckets.
inline constexpr double kRunBuckets[] = {0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10, 60, 300};

/// Takes jobs from PostgreSQL and runs them, up to `concurrency` at once: claims in batches with
/// FOR UPDATE SKIP LOCKED (any number of workers, in any number of processes, never run one job
/// twice at once while its lease holds), wakes on NOTIFY and polls as a fallback, heartbeats its
/// leases, writes completions in batches, retries failures with exponential backoff and jitter, and
/// dead-letters jobs out of attempts.
///
/// All its work, handlers included, runs on `executor`, which must not run two of its handlers at
/// once (an io_context run by one thread, or a strand). `pool`, `registry` and `clock` must outlive
/// it. Start and Stats are thread-safe; Stop may be awaited from any executor.
class Worker {
public:
    Worker(boost::asio::any_io_executor executor, db::Pool& pool, const Registry& registry, WorkerOptions options,
           const Clock& clock = SystemClock::Instance());
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void Start();
    /// Stops claiming, lets running handlers finish within stop_grace, cancels the rest (handing
    /// their jobs back), writes the last completions and closes the listener. Completes when done.
    boost::asio::awaitable<void> Stop();
    WorkerStats Stats() const;
    const std::string& Id() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace strava1::jobs
