#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace strava1::jobs {

/// One message on the bus.
struct BusMessage {
    std::string topic;
    std::string payload;
};

/// Ephemeral fan-out by topic: what one process publishes reaches the subscribers listening at that
/// moment, at most once, and nothing is stored (durable work goes through jobs and events). The
/// in-process implementation is below; the realtime issue puts Redis pub/sub behind the same
/// interface so processes hear each other.
class Bus {
public:
    /// Unsubscribes when destroyed (or on Cancel). Move-only.
    class Subscription {
    public:
        Subscription() = default;
        explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
        Subscription(Subscription&& other) noexcept : cancel_(std::move(other.cancel_)) { other.cancel_ = nullptr; }
        Subscription& operator=(Subscription&& other) noexcept {
            if (this != &other) {
                Cancel();
                cancel_ = std::move(other.cancel_);
                other.cancel_ = nullptr;
            }
            return *this;
        }
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;
        ~Subscription() { Cancel(); }
        void Cancel() {
            if (cancel_) {
                auto cancel = std::move(cancel_);
                cancel_ = nullptr;
                cancel();
            }
        }

    private:
        std::function<void()> cancel_;
    };

    virtual ~Bus() = default;
    /// Calls `on_message` on `executor` for each message published to `topic` from now on. Once the
    /// Subscription has been cancelled on that executor's thread, no call follows.
    virtual Subscription Subscribe(std::string topic, boost::asio::any_io_executor executor,
                                   std::function<void(const BusMessage&)> on_message) = 0;
    /// Hands `payload` to the subscribers of `topic`; returns without waiting for them.
    virtual void Publish(std::string topic, std::string payload) = 0;
};

/// The Bus within one process. A subscriber that falls `max_pending` messages behind loses the
/// newest ones (counted in Dropped) rather than letting memory grow. Thread-safe.
class InProcessBus final : public Bus {
public:
    explicit InProcessBus(std::size_t max_pending = 1024) : max_pending_(max_pending) {}
    Subscription Subscribe(std::string topic, boost::asio::any_io_executor executor,
                           std::function<void(const BusMessage&)> on_message) override;
    void Publish(std::string topic, std::string payload) override;
    std::uint64_t Dropped() const { return dropped_; }

    struct Subscriber;

private:
    std::size_t max_pending_;
    std::mutex mutex_;
    std::map<std::string, std::vector<std::shared_ptr<Subscriber>>, std::less<>> topics_;
    std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace strava1::jobs
