#include "framing.hpp"

#include <gtest/gtest.h>

namespace strava1::http {
namespace {

using State = HeaderBlockScanner::State;

State ScanWhole(std::string_view head, std::size_t limit = 16 * 1024) {
    HeaderBlockScanner scanner(limit);
    return scanner.Feed(head);
}

State ScanByteByByte(std::string_view head, std::size_t limit = 16 * 1024) {
    HeaderBlockScanner scanner(limit);
    for (char c : head) {
        scanner.Feed(std::string_view(&c, 1));
    }
    return scanner.Current();
}

TEST(HeaderBlockScanner, FindsTheEndOfTheBlockWhateverTheChunks) {
    std::string_view head = "GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n{\"body\": \"\r\n\r\n\"}";
    EXPECT_EQ(ScanWhole(head), State::kComplete);
    EXPECT_EQ(ScanByteByByte(head), State::kComplete);
    EXPECT_EQ(ScanWhole("GET / HTTP/1.1\r\nHost: a\r\n"), State::kNeedMore);
    // Empty lines before the request line are tolerated, not taken for the end of the block.
    EXPECT_EQ(ScanWhole("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n"), State::kNeedMore);
    EXPECT_EQ(ScanWhole("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), State::kComplete);
}

TEST(HeaderBlockScanner, BoundsTheWholeBlockNotEachLine) {
    std::string head = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int idx = 0; idx < 100; ++idx) {
        head += "X-Filler: " + std::string(188, 'a') + "\r\n";  // 200 bytes each, far below 16 KiB
    }
    head += "\r\n";
    EXPECT_EQ(ScanWhole(head), State::kTooLarge);
    EXPECT_EQ(ScanByteByByte(head), State::kTooLarge);
    EXPECT_EQ(ScanWhole(head, head.size()), State::kComplete);
    EXPECT_EQ(ScanWhole(head, head.size() - 1), State::kTooLarge);
}

TEST(HeaderBlockScanner, RefusesObsoleteLineFolding) {
    EXPECT_EQ(ScanWhole("GET / HTTP/1.1\r\nHost: a\r\nX: one\r\n two\r\n\r\n"), State::kFolded);
    EXPECT_EQ(ScanByteByByte("GET / HTTP/1.1\r\nHost: a\r\nX: one\r\n\ttwo\r\n\r\n"), State::kFolded);
    // Whitespace between the request line and the first field (RFC 9112 §2.2).
    EXPECT_EQ(ScanWhole("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), State::kFolded);
    // Spaces inside a line are ordinary.
    EXPECT_EQ(ScanWhole("GET / HTTP/1.1\r\nHost:   a\r\nX: b c\r\n\r\n"), State::kComplete);
}

TEST(FramingProblem, HostMustBeThereExactlyOnceOnHttp11) {
    HeadFacts ok{11, 1, "example.com:8080", 0, 0, false};
    EXPECT_EQ(FramingProblem(ok), std::nullopt);
    HeadFacts none{11, 0, "", 0, 0, false};
    EXPECT_EQ(FramingProblem(none), "an HTTP/1.1 request needs a Host header");
    HeadFacts two{11, 2, "", 0, 0, false};
    EXPECT_EQ(FramingProblem(two), "a request must not carry more than one Host header");
    HeadFacts old_none{10, 0, "", 0, 0, false};
    EXPECT_EQ(FramingProblem(old_none), std::nullopt);
    HeadFacts old_two{10, 2, "", 0, 0, false};
    EXPECT_TRUE(FramingProblem(old_two));
    HeadFacts bad{11, 1, "a b", 0, 0, false};
    EXPECT_EQ(FramingProblem(bad), "the Host header is not a valid host[:port]");
}

TEST(FramingProblem, RefusesAmbiguousOrOldFraming) {
    EXPECT_EQ(FramingProblem({11, 1, "a", 2, 0, false}), "ambiguous message framing");
    EXPECT_EQ(FramingProblem({11, 1, "a", 1, 1, true}), "ambiguous message framing");
    EXPECT_EQ(FramingProblem({10, 1, "a", 0, 1, true}), "Transfer-Encoding is not allowed in an HTTP/1.0 request");
    EXPECT_EQ(FramingProblem({11, 1, "a", 0, 1, false}), "unsupported Transfer-Encoding");
    EXPECT_EQ(FramingProblem({11, 1, "a", 0, 1, true}), std::nullopt);
    EXPECT_EQ(FramingProblem({10, 0, "", 1, 0, false}), std::nullopt);
}

TEST(ValidHost, AcceptsHostsAndPortsOnly) {
    for (std::string_view good : {"", "a", "example.com", "example.com:80", "127.0.0.1:8080", "[::1]", "[::1]:8080",
                                  "[2001:db8::1]", "xn--bcher-kva.example"}) {
        EXPECT_TRUE(ValidHost(good)) << good;
    }
    for (std::string_view bad : {"a b", "a\tb", "a/b", "a@b", ":80", "a:", "a:80:90", "a:8o", "a:123456", "[::1", "[]",
                                 "[::1]x", "[zz]", "a\x01"}) {
        EXPECT_FALSE(ValidHost(bad)) << bad;
    }
}

}  // namespace
}  // namespace strava1::http
