#include "strava1/base/offload.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>

namespace strava1 {
namespace {
namespace asio = boost::asio;

struct Outcome {
    std::thread::id worked_on;
    std::thread::id resumed_on;
    std::string value;
};

asio::awaitable<Outcome> Handler(asio::thread_pool* cpu) {
    Outcome out;
    auto work = [&out] {
        out.worked_on = std::this_thread::get_id();
        return std::string("decoded");
    };
    out.value = co_await OnCpu(*cpu, work);
    out.resumed_on = std::this_thread::get_id();
    int effects = 0;
    auto effect = [&effects] { ++effects; };
    co_await OnCpu(*cpu, effect);
    if (effects != 1) {
        throw std::logic_error("void work did not run once");
    }
    co_return out;
}

asio::awaitable<int> Failing(asio::thread_pool* cpu) {
    auto work = []() -> int { throw std::runtime_error("unreadable"); };
    co_return co_await OnCpu(*cpu, work);
}

TEST(OnCpu, WorksOnThePoolAndResumesOnTheCaller) {
    asio::io_context io;
    asio::thread_pool cpu(1);
    auto future = asio::co_spawn(io, Handler(&cpu), asio::use_future);
    io.run();
    Outcome out = future.get();
    EXPECT_EQ(out.value, "decoded");
    EXPECT_NE(out.worked_on, std::this_thread::get_id()) << "the work ran on the pool";
    EXPECT_EQ(out.resumed_on, std::this_thread::get_id()) << "the caller resumed on its own loop";
    cpu.join();
}

TEST(OnCpu, RethrowsWhatTheWorkThrows) {
    asio::io_context io;
    asio::thread_pool cpu(1);
    auto future = asio::co_spawn(io, Failing(&cpu), asio::use_future);
    io.run();
    EXPECT_THROW(future.get(), std::runtime_error);
    cpu.join();
}

}  // namespace
}  // namespace strava1
