#include "strava1/base/text.hpp"

#include <gtest/gtest.h>

namespace strava1::text {
namespace {

TEST(Text, CountsCharactersNotBytes) {
    std::string e255;
    for (int idx = 0; idx < 255; ++idx) {
        e255 += "é";
    }
    EXPECT_EQ(e255.size(), 510u);
    EXPECT_EQ(Utf8Length(e255), 255u);
    EXPECT_EQ(Check(e255, Lines::kSingle, 1, 255), std::nullopt);
    EXPECT_EQ(Check(e255 + "é", Lines::kSingle, 1, 255), "must be 1 to 255 characters");
    EXPECT_EQ(Check("", Lines::kSingle, 1, 255), "must be 1 to 255 characters");
    EXPECT_EQ(Check("", Lines::kMulti, 0, 10), std::nullopt);
    EXPECT_EQ(Check("abcdefghijk", Lines::kMulti, 0, 10), "must be at most 10 characters");
    EXPECT_EQ(Utf8Length("🏃✓"), 2u);
}

TEST(Text, SingleLineRefusesEveryControlCharacter) {
    for (std::string bad :
         {std::string("a\0b", 3), std::string(1, '\0'), std::string("a\tb"), std::string("a\nb"), std::string("a\r\nb"),
          std::string("\x7f"), std::string("\xc2\x85"), std::string("\xc2\x9f"), std::string("\x1b[31m")}) {
        EXPECT_EQ(Check(bad, Lines::kSingle, 0, 100), "must be one line without control characters") << bad;
    }
    EXPECT_EQ(Check("Café ✓ \xc2\xa0 (nbsp)", Lines::kSingle, 0, 100), std::nullopt);
}

TEST(Text, MultiLineAllowsTabLfAndCrLfOnly) {
    EXPECT_EQ(Check("one\r\ntwo\nthree\tfour", Lines::kMulti, 0, 100), std::nullopt);
    for (std::string bad :
         {std::string("public\0secret", 13), std::string("lone\rcr"), std::string("end\r"), std::string("bell\x07"),
          std::string("\xc2\x85"), std::string("\x0b"), std::string("\x0c")}) {
        EXPECT_EQ(Check(bad, Lines::kMulti, 0, 100),
                  "must not contain control characters other than tab and line breaks")
            << bad;
    }
}

TEST(Text, RefusesInvalidUtf8) {
    for (std::string bad : {std::string("\xff"), std::string("\xc3"), std::string("\xc0\xaf"),  // truncated, overlong
                            std::string("\xed\xa0\x80"),                                        // a surrogate
                            std::string("\xf4\x90\x80\x80"),                                    // past U+10FFFF
                            std::string("ok\x80")}) {
        EXPECT_EQ(Utf8Length(bad), std::nullopt) << bad;
        EXPECT_EQ(Check(bad, Lines::kMulti, 0, 100), "must be valid UTF-8");
        EXPECT_EQ(CheckCharacters(bad, Lines::kSingle), "must be valid UTF-8");
    }
}

TEST(TextCheck, RequiredFieldOfOnlyWhiteSpaceIsBlank) {
    EXPECT_EQ(Check("   ", Lines::kSingle, 1, 255), "must not be blank");
    EXPECT_EQ(Check("\xC2\xA0 ", Lines::kSingle, 1, 255), "must not be blank");  // no-break space
    EXPECT_EQ(Check(" \n\t", Lines::kMulti, 1, 255), "must not be blank");
    EXPECT_EQ(Check("  padded  ", Lines::kSingle, 1, 255), std::nullopt);
    EXPECT_EQ(Check("   ", Lines::kSingle, 0, 255), std::nullopt);  // optional fields may be blank
}

TEST(TextTrimOws, RemovesOnlySpacesAndTabsAtBothEnds) {
    EXPECT_EQ(TrimOws(" \t gzip, br \t"), "gzip, br");
    EXPECT_EQ(TrimOws("a b"), "a b");
    EXPECT_EQ(TrimOws("\r\nx\n"), "\r\nx\n");  // line ends are not optional white space
    EXPECT_EQ(TrimOws(" \t "), "");
    static_assert(TrimOws("  x ") == "x");
}

}  // namespace
}  // namespace strava1::text
