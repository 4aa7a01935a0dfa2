#include "strava1/app/scheduler.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <deque>

#include "strava1/base/error.hpp"
#include "strava1/base/log.hpp"

namespace strava1::app {
namespace asio = boost::asio;

struct Scheduler::State {
    struct Counters {
        std::string name;
        std::atomic<std::uint64_t> runs{0};
        std::atomic<std::uint64_t> failures{0};
    };
    std::deque<Counters> counters;  // stable addresses; one per task
    bool stopped = false;           // touched only on the executor
};

namespace {

/// One run of a task; failures are logged here.
asio::awaitable<void> RunOnce(std::shared_ptr<Scheduler::State> state, TaskFn task, std::size_t idx) {
    Scheduler::State::Counters* counters = &state->counters[idx];
    std::string failure;
    try {
        co_await task();
    } catch (const Error& e) {
        failure = e.LogDetail().empty() ? e.Detail() : e.LogDetail();
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (!failure.empty()) {
        ++counters->failures;
        log::Warn("background task failed", {{"task", counters->name}, {"error", failure}});
    }
    ++counters->runs;
}

}  // namespace

Scheduler::Scheduler(const Registry& registry, asio::any_io_executor executor)
    : registry_(registry), executor_(std::move(executor)), state_(std::make_shared<State>()) {
    for (const auto& task : registry_.StartTasks()) {
        state_->counters.emplace_back().name = task.name;
    }
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
    asio::post(executor_, [registry = &registry_, executor = executor_, state = state_] {
        if (state->stopped) {
            return;
        }
        std::size_t idx = 0;
        for (const auto& task : registry->StartTasks()) {
            asio::co_spawn(executor, RunOnce(state, task.run, idx++), asio::detached);
        }
    });
}

void Scheduler::Stop() {
    asio::post(executor_, [state = state_] { state->stopped = true; });
}

std::vector<Scheduler::TaskStats> Scheduler::Stats() const {
    std::vector<TaskStats> out;
    for (const auto& c : state_->counters) {
        out.push_back(TaskStats{c.name, c.runs.load(), c.failures.load()});
    }
    return out;
}

}  // namespace strava1::app
