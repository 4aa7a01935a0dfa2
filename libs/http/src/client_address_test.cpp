#include "strava1/http/client_address.hpp"

#include <gtest/gtest.h>

namespace strava1::http {
namespace {

boost::asio::ip::address Ip(const char* text) { return boost::asio::ip::make_address(text); }

TrustedProxies Parse(std::string_view list) {
    std::string error;
    auto parsed = TrustedProxies::Parse(list, error);
    EXPECT_TRUE(parsed) << error;
    return parsed.value_or(TrustedProxies{});
}

TEST(TrustedProxies, ParsesAddressesAndNetworks) {
    auto proxies = Parse(" 10.0.0.0/8, 192.168.1.1 ,fd00::/8,::1");
    EXPECT_TRUE(proxies.Contains(Ip("10.200.3.4")));
    EXPECT_FALSE(proxies.Contains(Ip("11.0.0.1")));
    EXPECT_TRUE(proxies.Contains(Ip("192.168.1.1")));
    EXPECT_FALSE(proxies.Contains(Ip("192.168.1.2")));
    EXPECT_TRUE(proxies.Contains(Ip("fdab::7")));
    EXPECT_TRUE(proxies.Contains(Ip("::1")));
    EXPECT_TRUE(proxies.Contains(Ip("::ffff:10.1.2.3")));  // IPv4-mapped counts as IPv4
    EXPECT_TRUE(Parse("0.0.0.0/0").Contains(Ip("8.8.8.8")));
    EXPECT_TRUE(Parse("").Empty());
    std::string error;
    for (std::string_view bad : {"10.0.0.0/33", "localhost", "10.0.0.0/", "10.0.0.0/x", "::1/129", "1.2.3.4/8/8"}) {
        EXPECT_FALSE(TrustedProxies::Parse(bad, error)) << bad;
        EXPECT_NE(error.find('"'), std::string::npos);
    }
}

TEST(TrustedProxies, IgnoresForwardedForUnlessThePeerIsTrusted) {
    TrustedProxies none;
    EXPECT_EQ(none.ClientAddress(Ip("127.0.0.1"), {"203.0.113.9"}), "127.0.0.1");
    auto proxies = Parse("127.0.0.1");
    EXPECT_EQ(proxies.ClientAddress(Ip("198.51.100.1"), {"203.0.113.9"}), "198.51.100.1");
    EXPECT_EQ(proxies.ClientAddress(Ip("::ffff:198.51.100.1"), {}), "198.51.100.1");
}

TEST(TrustedProxies, TakesTheRightmostUntrustedHop) {
    auto proxies = Parse("127.0.0.1, 10.0.0.0/8");
    EXPECT_EQ(proxies.ClientAddress(Ip("127.0.0.1"), {"203.0.113.9"}), "203.0.113.9");
    // The client claims 1.1.1.1; our edge proxy 10.0.0.5 saw 203.0.113.9.
    EXPECT_EQ(proxies.ClientAddress(Ip("127.0.0.1"), {"1.1.1.1, 203.0.113.9, 10.0.0.5"}), "203.0.113.9");
    // Several header lines are one list, in order.
    EXPECT_EQ(proxies.ClientAddress(Ip("127.0.0.1"), {"1.1.1.1", "203.0.113.9", "10.0.0.5"}), "203.0.113.9");
    // Ports and brackets as some proxies write them.
    EXPECT_EQ(proxies.ClientAddress(Ip("127.0.0.1"), {"203.0.113.9:4711"}), "203.0.113.9");
    EXPECT_EQ(proxies.ClientAddress(Ip("127.0.0.1"), {"[2001:db8::1]:4711"}), "2001:db8::1");
    EXPECT_EQ(proxies.ClientAddress(Ip("127.0.0.1"), {"2001:db8::2"}), "2001:db8::2");
    // Every hop trusted: the leftmost.
    EXPECT_EQ(proxies.ClientAddress(Ip("127.0.0.1"), {"10.0.0.7, 10.0.0.5"}), "10.0.0.7");
    // Garbage stops the walk at the last good hop.
    EXPECT_EQ(proxies.ClientAddress(Ip("127.0.0.1"), {"not-an-ip, 203.0.113.9"}), "203.0.113.9");
    EXPECT_EQ(proxies.ClientAddress(Ip("127.0.0.1"), {"203.0.113.9, garbage"}), "127.0.0.1");
    EXPECT_EQ(proxies.ClientAddress(Ip("127.0.0.1"), {"10.0.0.5, unknown"}), "127.0.0.1");
    EXPECT_EQ(proxies.ClientAddress(Ip("127.0.0.1"), {" , 203.0.113.9 ,"}), "203.0.113.9");
}

TEST(ForwardedProtoIsHttps, ReadsTheFirstEntry) {
    EXPECT_TRUE(ForwardedProtoIsHttps("https"));
    EXPECT_TRUE(ForwardedProtoIsHttps(" HTTPS "));
    EXPECT_TRUE(ForwardedProtoIsHttps("https, http"));
    EXPECT_FALSE(ForwardedProtoIsHttps("http"));
    EXPECT_FALSE(ForwardedProtoIsHttps("http, https"));
    EXPECT_FALSE(ForwardedProtoIsHttps(""));
    EXPECT_FALSE(ForwardedProtoIsHttps("httpsx"));
    EXPECT_FALSE(ForwardedProtoIsHttps("wss"));
}

TEST(ClientNetwork, AnIpv6Slash64IsOneClientAndMappedIpv4IsIpv4) {
    EXPECT_EQ(ClientNetwork("2001:db8:1:2::1"), "2001:db8:1:2::/64");
    EXPECT_EQ(ClientNetwork("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
    EXPECT_EQ(ClientNetwork("2001:DB8:1:2:0:0:0:7"), "2001:db8:1:2::/64");
    EXPECT_NE(ClientNetwork("2001:db8:1:3::1"), ClientNetwork("2001:db8:1:2::1"));
    EXPECT_NE(ClientNetwork("2001:db8:1:2::1"), ClientNetwork("2001:db8:1::1"));
    EXPECT_EQ(ClientNetwork("fe80::1"), "fe80::/64");
    EXPECT_EQ(ClientNetwork("::1"), "::/64");
    EXPECT_EQ(ClientNetwork("::ffff:203.0.113.7"), "203.0.113.7");
    EXPECT_EQ(ClientNetwork("203.0.113.7"), "203.0.113.7");
    EXPECT_NE(ClientNetwork("203.0.113.7"), ClientNetwork("203.0.113.8"));
    EXPECT_EQ(ClientNetwork("unknown"), "unknown");
}

}  // namespace
}  // namespace strava1::http
