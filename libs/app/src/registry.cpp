#include "strava1/app/registry.hpp"

#include <algorithm>
#include <stdexcept>

namespace strava1::app {

void Registry::Route(http::Route route) { router_.Add(std::move(route)); }

void Registry::CheckTaskName(const std::string& name) const {
    if (name.empty()) {
        throw std::invalid_argument("a task needs a name");
    }
    auto same = [&name](const auto& task) { return task.name == name; };
    if (std::any_of(recurring_.begin(), recurring_.end(), same) ||
        std::any_of(at_start_.begin(), at_start_.end(), same)) {
        throw std::invalid_argument("task " + name + " is registered twice");
    }
}

void Registry::Recurring(std::string name, std::chrono::milliseconds every, TaskFn task) {
    CheckTaskName(name);
    if (every <= std::chrono::milliseconds::zero()) {
        throw std::invalid_argument("recurring task " + name + " needs a positive interval");
    }
    if (!task) {
        throw std::invalid_argument("recurring task " + name + " has no body");
    }
    recurring_.push_back(RecurringTask{std::move(name), every, std::move(task)});
}

void Registry::AtStart(std::string name, TaskFn task) {
    CheckTaskName(name);
    if (!task) {
        throw std::invalid_argument("start task " + name + " has no body");
    }
    at_start_.push_back(StartTask{std::move(name), std::move(task)});
}

void Registry::JobHandler(std::string kind, JobFn handler) {
    if (kind.empty() || !handler) {
        throw std::invalid_argument("a job handler needs a kind and a body");
    }
    if (std::any_of(job_handlers_.begin(), job_handlers_.end(), [&kind](const auto& h) { return h.kind == kind; })) {
        throw std::invalid_argument("jobs of kind " + kind + " have two handlers");
    }
    job_handlers_.push_back(JobRegistration{std::move(kind), std::move(handler)});
}

void Registry::Subscribe(std::string event_type, std::string subscriber, EventFn handler) {
    if (event_type.empty() || subscriber.empty() || !handler) {
        throw std::invalid_argument("a subscription needs an event type, a subscriber name and a body");
    }
    if (std::any_of(subscriptions_.begin(), subscriptions_.end(),
                    [&](const auto& s) { return s.event_type == event_type && s.subscriber == subscriber; })) {
        throw std::invalid_argument(subscriber + " subscribes to " + event_type + " twice");
    }
    subscriptions_.push_back(Subscription{std::move(event_type), std::move(subscriber), std::move(handler)});
}

}  // namespace strava1::app
