#include "strava1/jobs/registry.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace strava1::jobs {

bool ValidQueueName(std::string_view queue) {
    return !queue.empty() && queue.size() <= 64 && std::all_of(queue.begin(), queue.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    });
}

std::string Registry::EventKind(std::string_view type, std::string_view subscriber) {
    return "event:" + std::string(type) + ":" + std::string(subscriber);
}

namespace {

boost::asio::awaitable<void> DeliverEvent(EventHandler handler, JobContext job) {
    ReceivedEvent event;
    try {
        const auto& body = job.payload.as_object();
        event.id = body.at("event_id").to_number<std::int64_t>();
        event.type = std::string(body.at("type").as_string());
        event.payload = body.at("payload");
        event.published_at = SystemTime{std::chrono::duration_cast<SystemTime::duration>(
            std::chrono::duration<double>(body.at("published_at").to_number<double>()))};
    } catch (const std::exception& e) {
        // Client::Publish writes these; anything else in the row will not get better by retrying.
        throw PermanentError(std::string("not an event delivery: ") + e.what());
    }
    event.job = std::move(job);
    co_await handler(std::move(event));
}

}  // namespace

void Registry::Handle(std::string kind, Handler handler, KindOptions options) {
    if (kind.empty() || kind.size() > 200) {
        throw std::invalid_argument("job kind must be 1 to 200 characters: \"" + kind + "\"");
    }
    if (kinds_.contains(kind)) {
        throw std::invalid_argument("job kind registered twice: " + kind);
    }
    if (!ValidQueueName(options.queue)) {
        throw std::invalid_argument("job queue must match [a-z0-9_.-]{1,64}: \"" + options.queue + "\"");
    }
    if (options.max_attempts < 1 || options.max_attempts > 1000) {
        throw std::invalid_argument("max_attempts of " + kind + " must be 1 to 1000");
    }
    if (!handler) {
        throw std::invalid_argument("job kind without a handler: " + kind);
    }
    order_.push_back(kind);
    kinds_.emplace(kind, Kind{kind, std::move(handler), options});
}

void Registry::Subscribe(std::string type, std::string subscriber, EventHandler handler, KindOptions options) {
    if (type.empty() || subscriber.empty()) {
        throw std::invalid_argument("an event subscription needs a type and a subscriber name");
    }
    if (!handler) {
        throw std::invalid_argument("event subscriber without a handler: " + subscriber);
    }
    std::string kind = EventKind(type, subscriber);
    Handle(
        kind, [handler = std::move(handler)](JobContext job) { return DeliverEvent(handler, std::move(job)); },
        options);
    subscribers_[type].push_back(&kinds_.find(kind)->second);
}

void Registry::Recurring(Schedule schedule) {
    std::string why;
    if (!Cron::Parse(schedule.cron, &why)) {
        throw std::invalid_argument("schedule " + schedule.name + ": cron: " + why);
    }
    if (!KnownTimeZone(schedule.time_zone)) {
        throw std::invalid_argument("schedule " + schedule.name + ": unknown time zone " + schedule.time_zone);
    }
    if (Find(schedule.kind) == nullptr) {
        throw std::invalid_argument("schedule " + schedule.name + ": register its kind first: " + schedule.kind);
    }
    if (schedule.name.empty() || schedule.name.size() > 200 ||
        std::any_of(schedules_.begin(), schedules_.end(), [&](const Schedule& s) { return s.name == schedule.name; })) {
        throw std::invalid_argument("schedule names are unique, 1 to 200 characters: \"" + schedule.name + "\"");
    }
    schedules_.push_back(std::move(schedule));
}

const Registry::Kind* Registry::Find(std::string_view kind) const {
    auto it = kinds_.find(kind);
    return it == kinds_.end() ? nullptr : &it->second;
}

const std::vector<const Registry::Kind*>& Registry::SubscribersOf(std::string_view type) const {
    static const std::vector<const Kind*> kNone;
    auto it = subscribers_.find(type);
    return it == subscribers_.end() ? kNone : it->second;
}

std::vector<const Registry::Kind*> Registry::Kinds() const {
    std::vector<const Kind*> out;
    out.reserve(order_.size());
    for (const auto& name : order_) {
        out.push_back(&kinds_.find(name)->second);
    }
    return out;
}

std::vector<std::string> Registry::Queues() const {
    std::set<std::string> queues;
    for (const auto& [name, kind] : kinds_) {
        queues.insert(kind.options.queue);
    }
    return {queues.begin(), queues.end()};
}

}  // namespace strava1::jobs
