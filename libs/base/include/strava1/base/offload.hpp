#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>
#include <type_traits>

namespace strava1 {

namespace detail {

template <class F>
boost::asio::awaitable<std::optional<std::invoke_result_t<F&>>> CallForResult(F* f) {
    co_return std::optional<std::invoke_result_t<F&>>((*f)());
}

template <class F>
boost::asio::awaitable<void> CallForEffect(F* f) {
    (*f)();
    co_return;
}

}  // namespace detail

/// The CPU-pool hand-off: runs `f()` on `pool` (decoding, analysis, hashing, blocking object-store
/// calls: anything that must not hold up an I/O thread) and resumes the caller on its own executor
/// with the result; an exception `f` throws is rethrown to the caller.
///
/// `f` must be a named object of the caller that outlives the co_await: GCC 12 destroys
/// temporaries inside a co_await expression twice, so a lambda written in place there would be
/// freed twice. Write `auto work = [...] { ... }; auto result = co_await OnCpu(cpu, work);`.
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> OnCpu(boost::asio::thread_pool& pool, F& f) {
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        co_await boost::asio::co_spawn(pool, detail::CallForEffect(&f), boost::asio::use_awaitable);
    } else {
        // co_spawn needs a default-constructible result; parser results are not.
        auto out = co_await boost::asio::co_spawn(pool, detail::CallForResult(&f), boost::asio::use_awaitable);
        co_return std::move(*out);
    }
}

}  // namespace strava1
