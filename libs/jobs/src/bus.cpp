#include "strava1/jobs/bus.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace strava1::jobs {
namespace asio = boost::asio;

struct InProcessBus::Subscriber {
    boost::asio::any_io_executor executor;
    std::function<void(const BusMessage&)> on_message;
    std::atomic<bool> active{true};
    std::atomic<std::size_t> pending{0};
};

Bus::Subscription InProcessBus::Subscribe(std::string topic, asio::any_io_executor executor,
                                          std::function<void(const BusMessage&)> on_message) {
    auto subscriber = std::make_shared<Subscriber>();
    subscriber->executor = std::move(executor);
    subscriber->on_message = std::move(on_message);
    {
        std::lock_guard lock(mutex_);
        topics_[topic].push_back(subscriber);
    }
    // The subscription may outlive the bus only if the caller breaks the documented order; the
    // weak pointer keeps that from touching freed memory through `this`.
    return Subscription([this, topic = std::move(topic), weak = std::weak_ptr<Subscriber>(subscriber)] {
        auto self = weak.lock();
        if (!self) {
            return;
        }
        self->active = false;
        std::lock_guard lock(mutex_);
        auto it = topics_.find(topic);
        if (it == topics_.end()) {
            return;
        }
        std::erase(it->second, self);
        if (it->second.empty()) {
            topics_.erase(it);
        }
    });
}

void InProcessBus::Publish(std::string topic, std::string payload) {
    std::vector<std::shared_ptr<Subscriber>> targets;
    {
        // Snapshot under the lock, deliver outside it.
        std::lock_guard lock(mutex_);
        auto it = topics_.find(topic);
        if (it == topics_.end()) {
            return;
        }
        targets = it->second;
    }
    auto message = std::make_shared<const BusMessage>(BusMessage{std::move(topic), std::move(payload)});
    for (auto& subscriber : targets) {
        if (subscriber->pending.fetch_add(1) >= max_pending_) {
            subscriber->pending.fetch_sub(1);
            dropped_.fetch_add(1);
            continue;
        }
        asio::post(subscriber->executor, [subscriber, message] {
            subscriber->pending.fetch_sub(1);
            if (subscriber->active) {
                subscriber->on_message(*message);
            }
        });
    }
}

}  // namespace strava1::jobs
