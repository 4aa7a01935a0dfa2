#include "strava1/app/registry.hpp"

#include <algorithm>
#include <stdexcept>

namespace strava1::app {

void Registry::Route(http::Route route) { router_.Add(std::move(route)); }

void Registry::Recurring(std::string name, std::string cron, TaskFn task, int max_attempts) {
    if (name.empty() || !task) {
        throw std::invalid_argument("a recurring task needs a name and a body");
    }
    if (max_attempts < 1) {
        throw std::invalid_argument("recurring task " + name + " needs at least one attempt");
    }
    // Checked before the kind is registered, so a refused declaration leaves nothing behind.
    if (std::string why; !jobs::Cron::Parse(cron, &why)) {
        throw std::invalid_argument("recurring task " + name + ": cron: " + why);
    }
    jobs::KindOptions options;
    options.max_attempts = max_attempts;
    // The kind's own checks refuse a repeated name.
    jobs_.Handle(
        name, [task = std::move(task)](jobs::JobContext) { return task(); }, options);
    jobs::Schedule schedule;
    schedule.name = name;
    schedule.cron = std::move(cron);
    schedule.time_zone = "UTC";
    schedule.kind = std::move(name);
    jobs_.Recurring(std::move(schedule));
}

void Registry::AtStart(std::string name, TaskFn task) {
    if (name.empty() || !task) {
        throw std::invalid_argument("a start task needs a name and a body");
    }
    if (std::any_of(at_start_.begin(), at_start_.end(), [&name](const auto& t) { return t.name == name; })) {
        throw std::invalid_argument("start task " + name + " is registered twice");
    }
    at_start_.push_back(StartTask{std::move(name), std::move(task)});
}

}  // namespace strava1::app
