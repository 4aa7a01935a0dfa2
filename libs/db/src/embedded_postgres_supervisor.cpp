#include "strava1/db/embedded_postgres_supervisor.hpp"

#include <libpq-fe.h>

#include <algorithm>

#include "strava1/base/log.hpp"

namespace strava1::db {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

EmbeddedPostgresSupervisor::EmbeddedPostgresSupervisor(EmbeddedPostgres& pg, Options options,
                                                       std::function<void()> on_restarted)
    : pg_(pg), options_(options), on_restarted_(std::move(on_restarted)) {}

EmbeddedPostgresSupervisor::~EmbeddedPostgresSupervisor() { Stop(); }

void EmbeddedPostgresSupervisor::Start() {
    thread_ = std::thread([this] { Run(); });
}

void EmbeddedPostgresSupervisor::Stop() {
    const bool join = thread_.joinable() && thread_.get_id() != std::this_thread::get_id();
    if (join) {
        // A restart may be waiting, without a deadline, for a long crash recovery: make it give up.
        // Before `stopping_`, so the watch thread's final EmbeddedPostgres::Stop() comes after this
        // and clears it again.
        pg_.CancelStart();
    }
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (join) {
        thread_.join();
    }
}

bool EmbeddedPostgresSupervisor::Recovering() const { return answers_starting_.load() || pg_.Recovering(); }

Clock::duration EmbeddedPostgresSupervisor::UnreachableFor() const {
    const std::int64_t since = down_since_.load();
    if (since == 0) {
        return Clock::duration::zero();
    }
    return Clock::now() - Clock::time_point(Clock::duration(since));
}

void EmbeddedPostgresSupervisor::MarkReachable() { down_since_.store(0); }

void EmbeddedPostgresSupervisor::MarkUnreachable() {
    std::int64_t expected = 0;
    // Keeps the first moment: the outage lasts from then, however many attempts follow.
    down_since_.compare_exchange_strong(expected, std::max<std::int64_t>(1, Clock::now().time_since_epoch().count()));
}

bool EmbeddedPostgresSupervisor::Sleep(Clock::duration timeout) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, timeout, [this] { return stopping_; });
}

void EmbeddedPostgresSupervisor::Run() {
    auto next_ping = Clock::now() + options_.ping_interval;
    while (Sleep(options_.check_interval)) {
        if (const auto status = pg_.CheckExited()) {
            MarkUnreachable();
            answers_starting_ = false;
            log::Error("embedded postgres: the postmaster exited; restarting it",
                       {{"status", EmbeddedPostgres::DescribeExit(*status)}});
            Restart();
            next_ping = Clock::now() + options_.ping_interval;
            continue;
        }
        if (Clock::now() >= next_ping) {
            // Alive but not answering (stopped, stuck): unreachable all the same. It is not killed: it
            // may be busy with a long crash recovery (after a backend crashed, the postmaster runs one
            // without exiting), and a kill would only start that again.
            const std::string conninfo = pg_.ConnInfo() + " connect_timeout=2";
            const PGPing ping = PQping(conninfo.c_str());
            answers_starting_ = ping == PQPING_REJECT;
            if (ping == PQPING_OK) {
                MarkReachable();
            } else {
                MarkUnreachable();
                log::Warn(ping == PQPING_REJECT ? "embedded postgres: the postmaster is recovering"
                                                : "embedded postgres: the postmaster does not answer",
                          {{"unreachable_s", Seconds(UnreachableFor())}});
            }
            next_ping = Clock::now() + options_.ping_interval;
        }
    }
    try {
        pg_.Stop();
    } catch (const std::exception& e) {
        log::Error("embedded postgres: stop failed", {{"error", e.what()}});
    }
}

void EmbeddedPostgresSupervisor::Restart() {
    auto backoff = std::chrono::duration_cast<Clock::duration>(options_.first_backoff);
    for (int attempt = 1;; ++attempt) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) {
                return;
            }
        }
        try {
            // Reachable from the moment it accepts, before pg_ stops saying it is recovering: /healthz
            // must never see the outage without the recovery that is ending it.
            pg_.Start([this] { MarkReachable(); });
            MarkReachable();
            restarts_.fetch_add(1);
            log::Info("embedded postgres: restarted after a crash", {{"attempt", attempt}, {"pid", pg_.Pid()}});
            if (on_restarted_) {
                on_restarted_();
            }
            return;
        } catch (const std::exception& e) {
            MarkUnreachable();  // in case it failed after accepting (creating the database)
            log::Error("embedded postgres: restart failed; trying again",
                       {{"attempt", attempt},
                        {"error", e.what()},
                        {"retry_in_s", Seconds(backoff)},
                        {"unreachable_s", Seconds(UnreachableFor())}});
        }
        if (!Sleep(backoff)) {
            return;
        }
        backoff = std::min<Clock::duration>(backoff * 2, options_.max_backoff);
    }
}

}  // namespace strava1::db
