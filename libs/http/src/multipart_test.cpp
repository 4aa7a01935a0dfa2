#include "strava1/http/multipart.hpp"

#include <gtest/gtest.h>

#include "strava1/base/error.hpp"

namespace strava1::http {
namespace {

constexpr std::string_view kType = "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW";

std::string Body(std::initializer_list<std::string> parts) {
    std::string out;
    for (const auto& p : parts) {
        out += "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n" + p + "\r\n";
    }
    out += "------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n";
    return out;
}

TEST(Multipart, SplitsFieldsAndFilesWithoutCopyingBodies) {
    std::string file = std::string("\x00\x01\r\n--not-a-boundary\r\n", 22);
    std::string body = Body({"Content-Disposition: form-data; name=\"name\"\r\n\r\nMorning run",
                             "Content-Disposition: form-data; name=\"file\"; filename=\"a; b.fit\"\r\n"
                             "Content-Type: application/octet-stream\r\n\r\n" + file});
    auto parts = ParseMultipart(kType, body);
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].name, "name");
    EXPECT_EQ(parts[0].body, "Morning run");
    EXPECT_FALSE(parts[0].filename.has_value());
    EXPECT_EQ(parts[0].content_type, "text/plain");
    EXPECT_EQ(parts[1].name, "file");
    EXPECT_EQ(parts[1].filename, "a; b.fit");
    EXPECT_EQ(parts[1].content_type, "application/octet-stream");
    EXPECT_EQ(parts[1].body, file);
    EXPECT_GE(parts[1].body.data(), body.data());
    EXPECT_LT(parts[1].body.data(), body.data() + body.size());
}

TEST(Multipart, AcceptsPreambleQuotedBoundaryAndEmptyPart) {
    std::string body = "preamble\r\n--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n--xyz--";
    auto parts = ParseMultipart("Multipart/Form-Data; boundary=\"xyz\"", body);
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0].name, "a");
    EXPECT_EQ(parts[0].body, "");
}

TEST(Multipart, BoundaryRules) {
    EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=abc"), "abc");
    EXPECT_FALSE(MultipartBoundary("application/json").has_value());
    EXPECT_FALSE(MultipartBoundary("multipart/form-data").has_value());
    EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=").has_value());
    EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')).has_value());
}

void ExpectRefused(std::string_view type, const std::string& body, std::string_view why) {
    try {
        ParseMultipart(type, body);
        ADD_FAILURE() << "accepted: " << body;
    } catch (const Error& e) {
        EXPECT_EQ(e.Kind(), ErrorKind::kInvalidArgument);
        EXPECT_NE(e.Detail().find(why), std::string::npos) << e.Detail();
    }
}

TEST(Multipart, RefusesMalformedBodies) {
    ExpectRefused("multipart/form-data", "x", "boundary");
    ExpectRefused(kType, "no delimiter here", "opening boundary");
    ExpectRefused(kType, "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nabc",
                  "closing boundary");
    ExpectRefused(kType, Body({"Content-Type: text/plain\r\n\r\nabc"}), "no Content-Disposition");
    ExpectRefused(kType, Body({"Content-Disposition: form-data\r\n\r\nabc"}), "no name");
    ExpectRefused(kType, Body({"Content-Disposition: attachment; name=\"a\"\r\n\r\nabc"}), "not form-data");
    ExpectRefused(kType, Body({"Content-Disposition: form-data; name=\"a\"\r\n\r\n1",
                               "Content-Disposition: form-data; name=\"a\"\r\n\r\n2"}),
                  "appears twice");
    ExpectRefused(kType, Body({"Content-Disposition: form-data; name=\"a\r\n\r\n1"}), "not form-data");
    ExpectRefused(kType, "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"a\"",
                  "not terminated");
    std::string lots;
    for (int i = 0; i < 17; ++i) {
        lots += "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"f" +
                std::to_string(i) + "\"\r\n\r\nx\r\n";
    }
    lots += "------WebKitFormBoundary7MA4YWxkTrZu0gW--";
    ExpectRefused(kType, lots, "more than 16 parts");
}

}  // namespace
}  // namespace strava1::http
