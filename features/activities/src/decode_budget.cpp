#include "decode_budget.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <stdexcept>

namespace strava1::activities {
namespace asio = boost::asio;

DecodeBudget::DecodeBudget(std::size_t capacity_bytes)
    : capacity_(std::max<std::size_t>(1, capacity_bytes)), available_(capacity_) {}

DecodeBudget::Lease::~Lease() {  // NOLINT(bugprone-exception-escape): see the declaration
    if (budget_ != nullptr) {
        budget_->Release(bytes_);
    }
}

void DecodeBudget::Lease::ShrinkTo(std::size_t bytes) {
    if (budget_ != nullptr && bytes < bytes_) {
        const std::size_t given_back = bytes_ - bytes;
        bytes_ = bytes;
        budget_->Release(given_back);
    }
}

asio::awaitable<std::optional<DecodeBudget::Lease>> DecodeBudget::Acquire(std::size_t bytes,
                                                                          std::chrono::milliseconds timeout) {
    if (bytes > capacity_) {
        throw std::invalid_argument("a decode lease larger than the whole decode budget");
    }
    auto waiter = std::make_shared<Waiter>();
    waiter->bytes = bytes;
    {
        std::lock_guard lock(mutex_);
        if (queue_.empty() && available_ >= bytes) {
            available_ -= bytes;
            waiter->granted = true;
        } else {
            waiter->timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, timeout);
            queue_.push_back(waiter);
        }
    }
    if (waiter->granted) {
        co_return Lease(this, bytes);
    }
    // Ends at the deadline, or earlier when a release grants the room and cancels the timer.
    co_await waiter->timer->async_wait(asio::as_tuple(asio::use_awaitable));
    Woken woken;
    {
        std::lock_guard lock(mutex_);
        if (!waiter->granted) {
            std::erase(queue_, waiter);
            // A large request at the head may have been holding back smaller ones that fit.
            woken = GrantLocked();
        }
    }
    Wake(woken);
    if (waiter->granted) {
        co_return Lease(this, bytes);
    }
    co_return std::nullopt;
}

std::size_t DecodeBudget::InUse() const {
    std::lock_guard lock(mutex_);
    return capacity_ - available_;
}

std::size_t DecodeBudget::Waiting() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void DecodeBudget::Release(std::size_t bytes) {
    Woken woken;
    {
        std::lock_guard lock(mutex_);
        available_ += bytes;
        woken = GrantLocked();
    }
    Wake(woken);
}

DecodeBudget::Woken DecodeBudget::GrantLocked() {
    Woken woken;
    while (!queue_.empty() && queue_.front()->bytes <= available_) {
        auto& front = queue_.front();
        available_ -= front->bytes;
        front->granted = true;
        woken.push_back(std::move(front));
        queue_.pop_front();
    }
    return woken;
}

void DecodeBudget::Wake(const Woken& woken) {
    // A timer is not thread-safe: it is cancelled on the executor its waiter runs on.
    for (const auto& waiter : woken) {
        asio::post(waiter->timer->get_executor(), [timer = waiter->timer]() { timer->cancel(); });
    }
}

}  // namespace strava1::activities
