#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strava1/app/registry.hpp"

namespace strava1::app {

/// Runs a registry's start tasks and recurring tasks inside this process, on one executor: the
/// stand-in for the jobs library's scheduler, which will run the same registrations from its queue
/// (one run per interval across every process). A run that throws is logged with the task's name
/// and the task runs again at its next time.
///
/// The registry must outlive the scheduler's runs. Start() and Stop() may be called from any thread.
class Scheduler {
public:
    Scheduler(const Registry& registry, boost::asio::any_io_executor executor);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    /// Spawns every start task and every recurring task's loop (first run at once). Call once.
    void Start();
    /// No further runs: cancels the waits between runs; a run in progress finishes.
    void Stop();

    struct TaskStats {
        std::string name;
        std::uint64_t runs = 0;      ///< finished runs, failed or not
        std::uint64_t failures = 0;  ///< runs that threw
    };
    /// Per task, start tasks first, in registration order.
    std::vector<TaskStats> Stats() const;

    struct State;

private:
    const Registry& registry_;
    boost::asio::any_io_executor executor_;
    std::shared_ptr<State> state_;
};

}  // namespace strava1::app
