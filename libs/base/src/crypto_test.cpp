#include "strava1/base/crypto.hpp"

#include <gtest/gtest.h>

namespace strava1::crypto {
namespace {

TEST(Base64Url, RoundTripsAllLengths) {
    std::string bytes;
    for (int len = 0; len < 40; ++len) {
        auto decoded = Base64UrlDecode(Base64UrlEncode(bytes));
        ASSERT_TRUE(decoded);
        EXPECT_EQ(*decoded, bytes);
        bytes.push_back(static_cast<char>(len * 37 + 250));
    }
}

TEST(Base64Url, KnownVectors) {
    // RFC 4648 §10 vectors, in the url alphabet without padding.
    EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
    EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64Url, RejectsPaddingForeignCharactersAndBadLengths) {
    EXPECT_FALSE(Base64UrlDecode("Zm8="));
    EXPECT_FALSE(Base64UrlDecode("Zm+v"));
    EXPECT_FALSE(Base64UrlDecode("Z"));
    EXPECT_FALSE(Base64UrlDecode("Zm9"));  // non-canonical trailing bits
}

TEST(Sha256, KnownVector) {
    EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HmacSha256, Rfc4231Case2) {
    EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
    EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
    EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
    EXPECT_FALSE(ConstantTimeEqual("abc", "abcd"));
}

}  // namespace
}  // namespace strava1::crypto
