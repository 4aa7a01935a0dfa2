// The decode budget: room is taken and given back, waiters are served first come first served,
// a request larger than the budget is refused, a shrunk lease lets waiters in, and a waiter gives up
// at its deadline.
#include "decode_budget.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace strava1::activities {
namespace {
namespace asio = boost::asio;
using std::chrono::milliseconds;

constexpr milliseconds kLong{60'000};

/// Takes `bytes`, records `name` when granted (or "<name> timed out"), holds the lease until
/// `*release` is set, then gives it back.
asio::awaitable<void> Take(DecodeBudget* budget, std::size_t bytes, milliseconds timeout, std::string name,
                           std::vector<std::string>* log, const bool* release) {
    auto lease = co_await budget->Acquire(bytes, timeout);
    if (!lease) {
        log->push_back(name + " timed out");
        co_return;
    }
    log->push_back(name);
    asio::steady_timer poll(co_await asio::this_coro::executor);
    while (!*release) {
        poll.expires_after(milliseconds(1));
        co_await poll.async_wait(asio::use_awaitable);
    }
}

/// Runs the loop until `done` holds (with a deadline, so a bug fails instead of hanging).
template <class Done>
void RunUntil(asio::io_context& io, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.restart();  // a loop that ran out of work stays stopped until restarted
        io.run_for(milliseconds(5));
    }
    ASSERT_TRUE(done());
}

TEST(DecodeBudget, GrantsWhatFitsAndQueuesTheRestInOrder) {
    asio::io_context io;
    DecodeBudget budget(100);
    std::vector<std::string> log;
    bool release_a = false;
    bool release_rest = false;
    asio::co_spawn(io, Take(&budget, 60, kLong, "a", &log, &release_a), asio::detached);
    RunUntil(io, [&] { return log.size() == 1; });
    EXPECT_EQ(budget.InUse(), 60u);
    // b does not fit; c would, but must not overtake b.
    asio::co_spawn(io, Take(&budget, 50, kLong, "b", &log, &release_rest), asio::detached);
    asio::co_spawn(io, Take(&budget, 10, kLong, "c", &log, &release_rest), asio::detached);
    RunUntil(io, [&] { return budget.Waiting() == 2; });
    EXPECT_EQ(log, (std::vector<std::string>{"a"}));
    release_a = true;
    RunUntil(io, [&] { return log.size() == 3; });
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(budget.InUse(), 60u);
    release_rest = true;
    RunUntil(io, [&] { return budget.InUse() == 0; });
    EXPECT_EQ(budget.Waiting(), 0u);
}

TEST(DecodeBudget, ALargerRequestThanTheBudgetIsAProgrammingError) {
    // Callers refuse such work (AdmitDecode: 413): granting it alone would let one decode take more
    // memory than the whole budget allows.
    asio::io_context io;
    DecodeBudget budget(100);
    auto future = asio::co_spawn(io, budget.Acquire(101, kLong), asio::use_future);
    io.run();
    EXPECT_THROW(future.get(), std::invalid_argument);
    EXPECT_EQ(budget.InUse(), 0u);
}

asio::awaitable<void> HoldThenShrink(DecodeBudget* budget, std::size_t bytes, std::size_t kept,
                                     std::vector<std::string>* log, const bool* shrink, const bool* release) {
    auto lease = co_await budget->Acquire(bytes, kLong);
    log->push_back("big");
    asio::steady_timer poll(co_await asio::this_coro::executor);
    while (!*shrink) {
        poll.expires_after(milliseconds(1));
        co_await poll.async_wait(asio::use_awaitable);
    }
    lease->ShrinkTo(kept);
    lease->ShrinkTo(kept + 10);  // never grows
    log->push_back("shrunk to " + std::to_string(lease->Bytes()));
    while (!*release) {
        poll.expires_after(milliseconds(1));
        co_await poll.async_wait(asio::use_awaitable);
    }
}

TEST(DecodeBudget, ShrinkingALeaseLetsWaitersIn) {
    asio::io_context io;
    DecodeBudget budget(100);
    std::vector<std::string> log;
    bool shrink = false;
    bool release_big = false;
    bool release_small = false;
    asio::co_spawn(io, HoldThenShrink(&budget, 90, 20, &log, &shrink, &release_big), asio::detached);
    RunUntil(io, [&] { return log.size() == 1; });
    asio::co_spawn(io, Take(&budget, 60, kLong, "small", &log, &release_small), asio::detached);
    RunUntil(io, [&] { return budget.Waiting() == 1; });
    shrink = true;
    RunUntil(io, [&] { return log.size() == 3; });
    EXPECT_EQ(log, (std::vector<std::string>{"big", "shrunk to 20", "small"}));
    EXPECT_EQ(budget.InUse(), 80u);
    release_big = true;
    release_small = true;
    RunUntil(io, [&] { return budget.InUse() == 0; });
}

TEST(DecodeBudget, AWaiterGivesUpAtItsDeadlineAndUnblocksThoseBehindIt) {
    asio::io_context io;
    DecodeBudget budget(100);
    std::vector<std::string> log;
    bool release_a = false;
    bool release_rest = false;
    asio::co_spawn(io, Take(&budget, 90, kLong, "a", &log, &release_a), asio::detached);
    RunUntil(io, [&] { return log.size() == 1; });
    // b (too big while a runs) times out; c, queued behind it and small enough, then gets its room.
    asio::co_spawn(io, Take(&budget, 50, milliseconds(20), "b", &log, &release_rest), asio::detached);
    asio::co_spawn(io, Take(&budget, 10, kLong, "c", &log, &release_rest), asio::detached);
    RunUntil(io, [&] { return log.size() == 3; });
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b timed out", "c"}));
    EXPECT_EQ(budget.InUse(), 100u);
    release_a = true;
    release_rest = true;
    RunUntil(io, [&] { return budget.InUse() == 0; });
}

asio::awaitable<void> Hold(DecodeBudget* budget, std::size_t bytes, std::optional<DecodeBudget::Lease>* out) {
    auto lease = co_await budget->Acquire(bytes, kLong);
    out->emplace(std::move(*lease));
}

TEST(DecodeBudget, ALeaseGivenBackOnAnotherThreadWakesTheWaiterOnItsLoop) {
    asio::io_context io;
    DecodeBudget budget(10);
    std::optional<DecodeBudget::Lease> held;
    asio::co_spawn(io, Hold(&budget, 10, &held), asio::detached);
    RunUntil(io, [&] { return held.has_value(); });
    std::vector<std::string> log;
    bool release = true;
    asio::co_spawn(io, Take(&budget, 5, kLong, "waiter", &log, &release), asio::detached);
    RunUntil(io, [&] { return budget.Waiting() == 1; });
    std::thread([&held] { held.reset(); }).join();
    RunUntil(io, [&] { return log.size() == 1; });
    EXPECT_EQ(log.front(), "waiter");
    RunUntil(io, [&] { return budget.InUse() == 0; });
}

}  // namespace
}  // namespace strava1::activities
