#include "validation.hpp"

#include <gtest/gtest.h>

#include "passwords.hpp"

namespace strava1::accounts {
namespace {

TEST(Password, Policy) {
    EXPECT_EQ(CheckPassword("short", "a@b.co"), "must be at least 10 characters");
    EXPECT_EQ(CheckPassword(std::string(129, 'x') + "y", "a@b.co"), "must be at most 128 characters");
    EXPECT_EQ(CheckPassword("aaaaaaaaaaaa", "a@b.co"), "must not repeat a single character");
    EXPECT_EQ(CheckPassword("Password123", "a@b.co"), "is too common; choose another");
    EXPECT_EQ(CheckPassword("runner@example.com", "Runner@Example.com"), "must not be your email address");
    EXPECT_EQ(CheckPassword("correct horse battery", "a@b.co"), std::nullopt);
    // Length counts characters, not bytes: ten accented letters pass.
    EXPECT_EQ(CheckPassword("éééééééééè", "a@b.co"), std::nullopt);
    EXPECT_EQ(CheckPassword("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6", "a@b.co"), "must be valid UTF-8");
}

TEST(Email, AcceptsRealAddressesRejectsOthers) {
    EXPECT_EQ(CheckEmail("runner@example.com"), std::nullopt);
    EXPECT_EQ(CheckEmail("first.last+tag@sub.example.org"), std::nullopt);
    for (const char* bad : {"", "no-at", "@example.com", "a@", "a@b", "a@@b.com", "a b@c.com", "a@.com", "a@com."}) {
        EXPECT_NE(CheckEmail(bad), std::nullopt) << bad;
    }
    EXPECT_EQ(NormaliseEmail("  Runner@Example.COM "), "runner@example.com");
}

TEST(Username, Rules) {
    EXPECT_EQ(CheckUsername("jo_runs.2"), std::nullopt);
    EXPECT_NE(CheckUsername("jo"), std::nullopt);
    EXPECT_NE(CheckUsername("jo runs"), std::nullopt);
    EXPECT_NE(CheckUsername(std::string(31, 'a')), std::nullopt);
}

TEST(Text, LengthUtf8AndControlCharacters) {
    EXPECT_EQ(CheckText("hello\nworld", text::Lines::kMulti, 20), std::nullopt);
    EXPECT_NE(CheckText("hello\nworld", text::Lines::kSingle, 20), std::nullopt);
    EXPECT_NE(CheckText("bell\a", text::Lines::kMulti, 20), std::nullopt);
    EXPECT_NE(CheckText(std::string(21, 'x'), text::Lines::kMulti, 20), std::nullopt);
    EXPECT_EQ(CheckText("ééééé", text::Lines::kSingle, 5), std::nullopt);         // characters, not bytes
    EXPECT_NE(CheckText("\xc0\xaf", text::Lines::kMulti, 20), std::nullopt);      // overlong '/'
    EXPECT_NE(CheckText("\xed\xa0\x80", text::Lines::kMulti, 20), std::nullopt);  // surrogate
}

TEST(Misc, TimeZoneCountryDisplayName) {
    EXPECT_EQ(CheckTimeZone("Europe/Paris"), std::nullopt);
    EXPECT_EQ(CheckTimeZone("UTC"), std::nullopt);
    EXPECT_NE(CheckTimeZone("Mars/Olympus"), std::nullopt);
    EXPECT_EQ(CheckCountry("FR"), std::nullopt);
    EXPECT_NE(CheckCountry("fr"), std::nullopt);
    EXPECT_NE(CheckCountry("FRA"), std::nullopt);
    EXPECT_NE(CheckDisplayName("   "), std::nullopt);
    EXPECT_NE(CheckDisplayName(""), std::nullopt);
    EXPECT_EQ(CheckDisplayName("Ana Runner"), std::nullopt);
    EXPECT_NE(CheckDisplayName("Ana\tRunner"), std::nullopt);
    EXPECT_NE(CheckDisplayName(std::string(1, '\0')), std::nullopt);
    std::string e80;
    for (int idx = 0; idx < 80; ++idx) {
        e80 += "é";
    }
    EXPECT_EQ(CheckDisplayName(e80), std::nullopt);
    EXPECT_NE(CheckDisplayName(e80 + "é"), std::nullopt);
}

TEST(Passwords, HashVerifiesAndRejects) {
    std::string hash = HashPassword("correct horse battery", HashCost::kFast);
    EXPECT_TRUE(hash.starts_with("$argon2id$"));
    EXPECT_TRUE(VerifyPassword("correct horse battery", hash));
    EXPECT_FALSE(VerifyPassword("correct horse batterz", hash));
    EXPECT_NE(HashPassword("correct horse battery", HashCost::kFast), hash) << "salted";
    std::string strong = HashPassword("x1y2z3w4v5", HashCost::kInteractive);
    EXPECT_NE(strong.find("m=65536"), std::string::npos) << strong;
    EXPECT_TRUE(VerifyPassword("x1y2z3w4v5", strong));
}

}  // namespace
}  // namespace strava1::accounts
