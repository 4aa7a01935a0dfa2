#pragma once

// Admission control for decoding work (uploads): the CPU pool bounds how many files are decoded at
// once, this bounds how much memory they may take together, so a burst of large uploads queues
// instead of pushing the server out of memory.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

namespace strava1::activities {

/// A server-wide ceiling on the estimated memory of the decodes in progress, with a first-come,
/// first-served queue of those waiting for room. Thread-safe: acquired from any I/O thread, released
/// from any thread. Must outlive its leases and the executors of the coroutines waiting in it.
class DecodeBudget {
public:
    explicit DecodeBudget(std::size_t capacity_bytes);
    DecodeBudget(const DecodeBudget&) = delete;
    DecodeBudget& operator=(const DecodeBudget&) = delete;

    /// Room taken in the budget; gives it back when destroyed.
    class Lease {
    public:
        Lease(Lease&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) { other.budget_ = nullptr; }
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        // Giving back can throw only on allocation failure (waking a waiter), where terminating is right.
        ~Lease();  // NOLINT(bugprone-exception-escape)
        std::size_t Bytes() const noexcept { return bytes_; }
        /// Gives back all but `bytes` (when that is less than held): the decode is over and only
        /// its result is still held, so uploads waiting for room need not wait for it to be stored.
        void ShrinkTo(std::size_t bytes);

    private:
        friend class DecodeBudget;
        Lease(DecodeBudget* budget, std::size_t bytes) noexcept : budget_(budget), bytes_(bytes) {}
        DecodeBudget* budget_;
        std::size_t bytes_;
    };

    /// Takes `bytes` once they are free and everyone who asked earlier has been served; nullopt
    /// when `timeout` passes first (the caller answers 503). `bytes` must not exceed Capacity():
    /// such work would not fit in memory the budget allows, so callers refuse it instead
    /// (std::invalid_argument otherwise).
    boost::asio::awaitable<std::optional<Lease>> Acquire(std::size_t bytes, std::chrono::milliseconds timeout);

    std::size_t Capacity() const noexcept { return capacity_; }
    std::size_t InUse() const;
    std::size_t Waiting() const;

private:
    struct Waiter {
        std::size_t bytes = 0;
        std::shared_ptr<boost::asio::steady_timer> timer;
        bool granted = false;
    };
    using Woken = std::vector<std::shared_ptr<Waiter>>;

    void Release(std::size_t bytes);
    /// Serves the queue in order while the head fits. Call with mutex_ held; wake the result after.
    Woken GrantLocked();
    static void Wake(const Woken& woken);

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::size_t available_;
    std::deque<std::shared_ptr<Waiter>> queue_;
};

}  // namespace strava1::activities
