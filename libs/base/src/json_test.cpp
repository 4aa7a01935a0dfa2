#include "strava1/base/json.hpp"

#include <boost/describe/class.hpp>
#include <gtest/gtest.h>

namespace strava1::json {
namespace {

struct Inner {
    std::string name;
    std::optional<int> count;
};
BOOST_DESCRIBE_STRUCT(Inner, (), (name, count))

struct Outer {
    std::string title;
    std::int32_t year = 0;
    std::optional<double> weight_kg;
    std::vector<Inner> items;
    Patch<std::string> bio;
    bool flag = false;
};
BOOST_DESCRIBE_STRUCT(Outer, (), (title, year, weight_kg, items, bio, flag))

std::vector<FieldError> ErrorsOf(std::string_view body) {
    try {
        ReadBody<Outer>(body);
    } catch (const Error& e) {
        EXPECT_EQ(e.Kind(), ErrorKind::kInvalidArgument);
        return e.Fields();
    }
    ADD_FAILURE() << "expected an error for " << body;
    return {};
}

TEST(StrictReader, ReadsAllMemberKinds) {
    auto v = ReadBody<Outer>(
        R"({"title":"t","year":2024,"weight_kg":71,"items":[{"name":"a","count":3},{"name":"b"}],"bio":null,"flag":true})");
    EXPECT_EQ(v.title, "t");
    EXPECT_EQ(v.year, 2024);
    ASSERT_TRUE(v.weight_kg);
    EXPECT_DOUBLE_EQ(*v.weight_kg, 71.0);
    ASSERT_EQ(v.items.size(), 2u);
    EXPECT_EQ(v.items[0].count, 3);
    EXPECT_FALSE(v.items[1].count);
    EXPECT_TRUE(v.bio.present);
    EXPECT_FALSE(v.bio.value);
    EXPECT_TRUE(v.flag);
}

TEST(StrictReader, AbsentPatchIsNotPresent) {
    auto v = ReadBody<Outer>(R"({"title":"t","year":1,"items":[],"flag":false})");
    EXPECT_FALSE(v.bio.present);
    EXPECT_FALSE(v.weight_kg);
}

TEST(StrictReader, NamesMissingRequiredField) {
    auto errors = ErrorsOf(R"({"year":1,"items":[],"flag":false})");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].field, "title");
    EXPECT_EQ(errors[0].reason, "is required");
}

TEST(StrictReader, NamesUnknownField) {
    auto errors = ErrorsOf(R"({"title":"t","year":1,"items":[],"flag":false,"is_admin":true})");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].field, "is_admin");
    EXPECT_EQ(errors[0].reason, "unknown field");
}

TEST(StrictReader, NamesWrongTypesWithNestedPaths) {
    auto errors = ErrorsOf(R"({"title":5,"year":"x","items":[{"name":"a","count":"3"}],"flag":1})");
    ASSERT_EQ(errors.size(), 4u);
    EXPECT_EQ(errors[0].field, "title");
    EXPECT_EQ(errors[0].reason, "must be a string");
    EXPECT_EQ(errors[1].field, "year");
    EXPECT_EQ(errors[2].field, "items[0].count");
    EXPECT_EQ(errors[2].reason, "must be an integer");
    EXPECT_EQ(errors[3].field, "flag");
}

TEST(StrictReader, RejectsOutOfRangeIntegers) {
    auto errors = ErrorsOf(R"({"title":"t","year":3000000000,"items":[],"flag":false})");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].reason, "is out of range");
}

TEST(StrictReader, RejectsNonObjectBody) {
    auto errors = ErrorsOf("[1,2]");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].field, "body");
}

TEST(Parse, MalformedJsonNamesOffset) {
    try {
        Parse(R"({"a": tru})");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.Kind(), ErrorKind::kInvalidArgument);
        EXPECT_NE(e.Detail().find("invalid JSON at byte"), std::string::npos) << e.Detail();
    }
}

TEST(Parse, RejectsTrailingGarbageAndEmpty) {
    EXPECT_THROW(Parse("{} {}"), Error);
    EXPECT_THROW(Parse(""), Error);
}

TEST(Parse, RejectsDeepNesting) {
    std::string deep(1000, '[');
    deep += std::string(1000, ']');
    EXPECT_THROW(Parse(deep), Error);
    EXPECT_EQ(Parse("[[[[1]]]]"), boost::json::parse("[[[[1]]]]"));
    // The limit is the default max_depth of 32: 32 levels parse, 33 do not.
    EXPECT_EQ(Parse(std::string(32, '[') + std::string(32, ']')),
              boost::json::parse(std::string(32, '[') + std::string(32, ']')));
    EXPECT_THROW(Parse(std::string(33, '[') + std::string(33, ']')), Error);
}

TEST(Parse, RejectsDuplicateKeysNamingThePath) {
    auto path_of = [](std::string_view body) -> std::string {
        try {
            Parse(body);
        } catch (const Error& e) {
            EXPECT_EQ(e.Kind(), ErrorKind::kInvalidArgument);
            EXPECT_EQ(e.Fields().size(), 1u);
            EXPECT_EQ(e.Fields().at(0).reason, "duplicate key");
            return e.Fields().at(0).field;
        }
        return "(accepted)";
    };
    EXPECT_EQ(path_of(R"({"city":"a","city":"b"})"), "city");
    EXPECT_EQ(path_of(R"({"x":{"a":1,"b":2,"a":3}})"), "x.a");
    EXPECT_EQ(path_of(R"({"items":[{"n":1},{"n":1,"n":2}]})"), "items[1].n");
    EXPECT_EQ(path_of(R"([[1],{"k":1,"k":1}])"), "[1].k");
    // Escapes are decoded before comparing: "\u0061" is "a".
    EXPECT_EQ(path_of(R"({"a":1,"\u0061":2})"), "a");
    // The same key in sibling or nested objects is not a duplicate.
    EXPECT_EQ(path_of(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})"), "(accepted)");
    EXPECT_EQ(Parse(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})").at("b").as_array().size(), 2u);
}

TEST(Parse, ComparesWholeKeysThatArriveInParts) {
    // Escaped keys longer than the parser's internal buffer reach the handler in several parts.
    std::string escaped;
    std::string decoded;
    for (int idx = 0; idx < 3000; ++idx) {
        escaped += "\\u00e9";
        decoded += "é";
    }
    EXPECT_THROW(Parse("{\"" + escaped + "\":1,\"" + escaped + "\":2}"), Error);
    auto ok = Parse("{\"" + escaped + "\":1,\"" + escaped + "x\":2}");
    EXPECT_EQ(ok.as_object().size(), 2u);
    EXPECT_EQ(ok.at(decoded).as_int64(), 1);
}

TEST(Parse, RejectsLoneSurrogatesAndInvalidUtf8) {
    EXPECT_THROW(Parse(R"({"a":"\ud800"})"), Error);
    EXPECT_THROW(Parse(R"({"a":"\udc00x"})"), Error);
    EXPECT_THROW(Parse("{\"a\":\"\xff\"}"), Error);
    EXPECT_THROW(Parse("{\"a\":\"\xed\xa0\x80\"}"), Error);  // a surrogate encoded as UTF-8
    EXPECT_EQ(Parse(R"({"a":"\ud83c\udfc3"})").at("a").as_string(), "\xf0\x9f\x8f\x83");
}

TEST(StrictReader, StringMembersRefuseControlCharactersOtherThanLineBreaksAndTab) {
    auto errors = ErrorsOf(R"({"title":"public\u0000secret","year":1,"items":[{"name":"\u0007"}],"flag":false})");
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].field, "title");
    EXPECT_NE(errors[0].reason.find("control characters"), std::string::npos) << errors[0].reason;
    EXPECT_EQ(errors[1].field, "items[0].name");
    auto v = ReadBody<Outer>(R"({"title":"a\tb\r\nc\nd","year":1,"items":[],"flag":false})");
    EXPECT_EQ(v.title, "a\tb\r\nc\nd");
    EXPECT_EQ(ErrorsOf(R"({"title":"lone\rCR","year":1,"items":[],"flag":false})").at(0).field, "title");
    EXPECT_EQ(ErrorsOf(R"({"title":"c1\u0085","year":1,"items":[],"flag":false})").at(0).field, "title");
}

TEST(Serialize, WritesShortestRoundTripNumbers) {
    boost::json::value v = {{"lat", 45.205299}, {"w", 61.5}, {"whole", 172.0},
                            {"tiny", 1e-7},     {"n", -3},   {"big", std::uint64_t{18446744073709551615u}},
                            {"s", "é\n"}};
    EXPECT_EQ(Serialize(v),
              R"({"lat":45.205299,"w":61.5,"whole":172,"tiny":1e-07,"n":-3,"big":18446744073709551615,"s":"é\n"})");
    EXPECT_EQ(Parse(Serialize(v)).at("lat").as_double(), 45.205299);
    EXPECT_EQ(Serialize(boost::json::array{0.1, 0.30000000000000004, -0.0}), "[0.1,0.30000000000000004,-0]");
}

TEST(Write, OptionalsBecomeNull) {
    Inner in{"x", std::nullopt};
    EXPECT_EQ(Serialize(Write(in)), R"({"name":"x","count":null})");
}

}  // namespace
}  // namespace strava1::json
