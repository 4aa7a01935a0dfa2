#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "strava1/db/embedded_postgres.hpp"

namespace strava1::db {

/// Keeps a started EmbeddedPostgres running for as long as the server runs (ADR 0003). A watch thread
/// notices when the postmaster exits (crash, `kill -9`, OOM killer) and starts it again with
/// exponential backoff; PostgreSQL's crash recovery runs on that start. After a successful restart it
/// calls `on_restarted` (the server makes the pool drop its dead connections). While the postmaster
/// runs it is also pinged now and then, so one that stopped answering counts as unreachable.
///
/// UnreachableFor() tells /healthz how long the database has been unreachable without a restart
/// bringing it back, so that an orchestrator can restart the whole process when that takes too long.
/// Recovering() tells it when that time is a crash recovery in progress (a live postmaster answering
/// that it is starting up): then restarting the process would only begin the recovery again.
///
/// From Start() on, the watch thread is the only one that touches the EmbeddedPostgres; Stop() (or the
/// destructor) shuts PostgreSQL down on that thread and joins it. A postmaster started by the watch
/// thread is told to shut down if that thread dies (PR_SET_PDEATHSIG), which is why it lives until
/// PostgreSQL is stopped.
class EmbeddedPostgresSupervisor {
public:
    struct Options {
        std::chrono::milliseconds check_interval{100};  ///< how often the postmaster's exit is checked
        std::chrono::milliseconds ping_interval{5000};  ///< how often a running postmaster is pinged
        std::chrono::milliseconds first_backoff{250};   ///< wait before the second restart attempt
        std::chrono::milliseconds max_backoff{15000};   ///< longest wait between attempts
    };

    /// `pg` must be started and must outlive this object. `on_restarted` runs on the watch thread.
    EmbeddedPostgresSupervisor(EmbeddedPostgres& pg, Options options, std::function<void()> on_restarted);
    ~EmbeddedPostgresSupervisor();
    EmbeddedPostgresSupervisor(const EmbeddedPostgresSupervisor&) = delete;
    EmbeddedPostgresSupervisor& operator=(const EmbeddedPostgresSupervisor&) = delete;

    /// Starts the watch thread. Call once.
    void Start();
    /// Stops watching, then stops PostgreSQL (EmbeddedPostgres::Stop) on the watch thread and joins
    /// it. A restart in progress is cancelled (EmbeddedPostgres::CancelStart). Idempotent; thread-safe.
    void Stop();

    /// Zero while the database answers; else how long since it was last seen reachable. Thread-safe.
    std::chrono::steady_clock::duration UnreachableFor() const;
    /// True while the postmaster lives and answers that it is starting up or recovering (during a
    /// restart, or since the last ping of a running one). Thread-safe.
    bool Recovering() const;
    /// Restarts that succeeded so far. Thread-safe.
    std::uint64_t Restarts() const { return restarts_.load(); }

private:
    void Run();
    void Restart();
    /// Waits up to `timeout`; false when Stop() was asked for.
    bool Sleep(std::chrono::steady_clock::duration timeout);
    void MarkReachable();
    void MarkUnreachable();

    EmbeddedPostgres& pg_;
    Options options_;
    std::function<void()> on_restarted_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    // steady_clock ticks since its epoch when the database was first found unreachable; 0 = reachable.
    std::atomic<std::int64_t> down_since_{0};
    std::atomic<std::uint64_t> restarts_{0};
    // The last ping of a running postmaster was answered with "starting up / in recovery".
    std::atomic<bool> answers_starting_{false};
};

}  // namespace strava1::db
