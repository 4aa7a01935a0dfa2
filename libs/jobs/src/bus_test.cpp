#include "strava1/jobs/bus.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace strava1::jobs {
namespace {

TEST(InProcessBusTest, DeliversToTheSubscribersOfATopicOnTheirExecutors) {
    boost::asio::io_context io_a;
    boost::asio::io_context io_b;
    InProcessBus bus;
    std::vector<std::string> a;
    std::vector<std::string> b;
    auto sub_a = bus.Subscribe("user.42", io_a.get_executor(), [&a](const BusMessage& m) { a.push_back(m.payload); });
    auto sub_b = bus.Subscribe("user.42", io_b.get_executor(), [&b](const BusMessage& m) { b.push_back(m.topic); });
    auto other = bus.Subscribe("user.7", io_a.get_executor(), [&a](const BusMessage&) { a.push_back("wrong topic"); });
    bus.Publish("user.42", "hello");
    bus.Publish("user.99", "nobody listens");
    EXPECT_TRUE(a.empty()) << "delivered on the subscriber's executor, not inline";
    io_a.run();
    io_b.run();
    EXPECT_EQ(a, std::vector<std::string>{"hello"});
    EXPECT_EQ(b, std::vector<std::string>{"user.42"});
}

TEST(InProcessBusTest, NothingArrivesAfterCancelling) {
    boost::asio::io_context io;
    InProcessBus bus;
    int calls = 0;
    auto sub = bus.Subscribe("t", io.get_executor(), [&calls](const BusMessage&) { ++calls; });
    bus.Publish("t", "queued before the cancel");
    sub.Cancel();
    bus.Publish("t", "after the cancel");
    io.run();
    EXPECT_EQ(calls, 0);
    {
        auto scoped = bus.Subscribe("t", io.get_executor(), [&calls](const BusMessage&) { ++calls; });
    }
    bus.Publish("t", "after the scope");
    io.restart();
    io.run();
    EXPECT_EQ(calls, 0);
}

TEST(InProcessBusTest, ASlowSubscriberLosesMessagesInsteadOfGrowingMemory) {
    boost::asio::io_context io;
    InProcessBus bus(3);
    std::vector<std::string> got;
    auto sub = bus.Subscribe("t", io.get_executor(), [&got](const BusMessage& m) { got.push_back(m.payload); });
    for (int idx = 0; idx < 5; ++idx) {
        bus.Publish("t", std::to_string(idx));
    }
    io.run();
    EXPECT_EQ(got, (std::vector<std::string>{"0", "1", "2"}));
    EXPECT_EQ(bus.Dropped(), 2u);
    bus.Publish("t", "caught up");
    io.restart();
    io.run();
    EXPECT_EQ(got.back(), "caught up");
}

}  // namespace
}  // namespace strava1::jobs
