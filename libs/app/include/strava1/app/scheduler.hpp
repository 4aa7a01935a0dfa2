#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strava1/app/registry.hpp"

namespace strava1::app {

/// Runs a registry's start tasks inside this process, on one executor, and counts their runs for
/// /metrics. A run that throws is logged with the task's name. Recurring tasks are not its: they are
/// jobs schedules, run by the jobs library's workers (Registry::Recurring).
///
/// The registry must outlive the scheduler's runs. Start() and Stop() may be called from any thread.
class Scheduler {
public:
    Scheduler(const Registry& registry, boost::asio::any_io_executor executor);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    /// Spawns every start task. Call once.
    void Start();
    /// No start task begins after this (one in progress finishes).
    void Stop();

    struct TaskStats {
        std::string name;
        std::uint64_t runs = 0;      ///< finished runs, failed or not
        std::uint64_t failures = 0;  ///< runs that threw
    };
    /// Per task, in registration order.
    std::vector<TaskStats> Stats() const;

    struct State;

private:
    const Registry& registry_;
    boost::asio::any_io_executor executor_;
    std::shared_ptr<State> state_;
};

}  // namespace strava1::app
