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
    EXPECT_NO_THROW(Parse("[[[[1]]]]"));
}

TEST(Write, OptionalsBecomeNull) {
    Inner in{"x", std::nullopt};
    EXPECT_EQ(Serialize(Write(in)), R"({"name":"x","count":null})");
}

}  // namespace
}  // namespace strava1::json
