#pragma once

#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "strava1/db/listener.hpp"
#include "strava1/jobs/worker.hpp"

namespace strava1::jobs {

namespace detail {

/// One claimed job, from its claim until its outcome is written. Touched on the worker's executor only.
struct RunningJob {
    RunningJob(boost::asio::any_io_executor executor, std::weak_ptr<Worker::Impl> owner)
        : worker(std::move(owner)), cancel(std::move(executor)) {}

    enum class Interrupt { kNone, kLost, kStopping };

    std::weak_ptr<Worker::Impl> worker;
    db::Pool* pool = nullptr;
    std::int64_t id = 0;
    int attempt = 0;
    const Registry::Kind* kind = nullptr;
    /// Expires at the kind's timeout; cancelled early to interrupt the handler (lost lease, stop).
    boost::asio::steady_timer cancel;
    Interrupt interrupt = Interrupt::kNone;
    bool handler_done = false;
    bool completing = false;  // succeeded; its deletion is queued in the completion batch
};

}  // namespace detail

/// A claimed job waiting for a free slot (WorkerOptions::prefetch).
struct Pending {
    std::shared_ptr<detail::RunningJob> job;
    JobContext context;
};

struct Worker::Impl : std::enable_shared_from_this<Worker::Impl> {
    Impl(boost::asio::any_io_executor ex, db::Pool& p, const Registry& r, WorkerOptions o, const Clock& c);

    // ----- fixed at construction
    boost::asio::any_io_executor executor;
    db::Pool& pool;
    const Registry& registry;
    WorkerOptions options;
    const Clock& clock;
    std::string id;
    std::string queues_literal;  // {"default",…}
    std::string kinds_literal;
    std::set<std::string, std::less<>> queues;
    int claim_batch = 0;  // 0: no cap

    // ----- on the executor only
    std::unique_ptr<db::Listener> listener;
    // One per fetch loop: re-arming a timer aborts every wait on it, so two loops sharing one would
    // keep waking each other.
    std::array<boost::asio::steady_timer, 2> wake;
    boost::asio::steady_timer heartbeat_tick;  // the heartbeat loop's
    boost::asio::steady_timer maintenance_tick;
    bool wake_pending = false;
    bool hungry = false;  // more jobs may be waiting: claim again when a slot frees
    bool started = false;
    bool stopping = false;
    int handlers = 0;    // handlers running now
    int open_tasks = 0;  // loops, handlers and the completion writer still running
    std::map<std::int64_t, std::shared_ptr<detail::RunningJob>> leased;  // running, waiting, or completing
    std::deque<Pending> backlog;                                         // claimed, waiting for a slot
    std::vector<std::pair<std::int64_t, int>> to_complete;
    bool flushing = false;
    int claiming = 0;  // jobs asked for by claims in flight
    std::mt19937_64 rng{std::random_device{}()};
    std::chrono::steady_clock::time_point last_heartbeat_ok = std::chrono::steady_clock::now();

    // ----- counters, read by Stats() from any thread
    struct KindCounters {
        std::atomic<std::uint64_t> completed{0};
        std::atomic<std::uint64_t> failed{0};
        std::atomic<std::uint64_t> dead{0};
        std::array<std::atomic<std::uint64_t>, std::size(kRunBuckets) + 1> buckets{};
        std::atomic<std::uint64_t> run_us{0};
    };
    std::map<std::string, std::size_t, std::less<>> kind_index;
    std::vector<std::string> kind_names;
    std::vector<std::unique_ptr<KindCounters>> kind_counters;
    std::atomic<std::uint64_t> claimed{0};
    std::atomic<std::uint64_t> completed{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> dead{0};
    std::atomic<std::uint64_t> lost{0};
    std::atomic<std::uint64_t> rescued{0};
    std::atomic<std::uint64_t> schedules_fired{0};
    std::atomic<std::uint64_t> running{0};

    void Wake();
    void Notified();
    void SlotFreed();
    /// Starts waiting jobs while slots are free.
    void LaunchBacklog();
    /// Jobs claimed or running here, against what the worker may hold.
    int Held() const { return handlers + static_cast<int>(backlog.size()) + claiming; }
    int Capacity() const { return options.concurrency + options.prefetch; }
    KindCounters* CountersOf(std::string_view kind);
    std::chrono::milliseconds Backoff(const Registry::Kind* kind, int attempt);
};

/// A row the claim returned.
struct Claimed {
    std::int64_t id;
    std::string queue;
    std::string kind;
    std::string payload;
    int attempt;
    int max_attempts;
    double created_at;
};

// ----- worker_runs.cpp: one job's run
/// Claims up to `want` due jobs of the worker's queues and kinds.
boost::asio::awaitable<std::vector<Claimed>> Claim(std::shared_ptr<Worker::Impl> impl, int want);
/// The claimed job as the worker tracks it (leased from now on) and as its handler will see it.
Pending Prepare(const std::shared_ptr<Worker::Impl>& impl, Claimed claimed);
/// Starts its handler (a slot must be free).
void Begin(const std::shared_ptr<Worker::Impl>& impl, Pending pending);
/// Hands the jobs waiting for a slot back to the queue (stopping).
boost::asio::awaitable<void> HandBackBacklog(std::shared_ptr<Worker::Impl> impl);
boost::asio::awaitable<void> SleepFor(std::chrono::milliseconds duration);

// ----- worker.cpp and worker_maintenance.cpp: the loops; each holds the Impl alive until it returns.
/// `lane` picks the loop's wake timer (0, or 1 for the second loop a prefetching worker runs).
boost::asio::awaitable<void> FetchLoop(std::shared_ptr<Worker::Impl> impl, int lane);
boost::asio::awaitable<void> HeartbeatLoop(std::shared_ptr<Worker::Impl> impl);
boost::asio::awaitable<void> MaintenanceLoop(std::shared_ptr<Worker::Impl> impl);
/// Puts jobs whose lease expired back to waiting (with backoff) or into the dead letters. Returns how many.
boost::asio::awaitable<int> RescueExpiredLeases(std::shared_ptr<Worker::Impl> impl);

}  // namespace strava1::jobs
