#include "strava1/base/json_writer.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "strava1/base/json.hpp"

namespace strava1::json {
namespace {

TEST(JsonWriter, WritesNestedContainersWithSeparators) {
    std::string out;
    Writer w(out);
    w.BeginObject()
        .Key("id").Int(-42)
        .Key("tags").BeginArray().String("a").BeginObject().EndObject().BeginArray().EndArray().Int(3).EndArray()
        .Key("ok").Bool(true)
        .Key("none").Null()
        .Key("empty").BeginObject().EndObject()
        .EndObject();
    EXPECT_EQ(out, R"({"id":-42,"tags":["a",{},[],3],"ok":true,"none":null,"empty":{}})");
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
    std::string out;
    Writer(out).String(std::string("q\"b\\n\nt\tc\x01z\x1f\0", 13));  // a NUL inside, too
    EXPECT_EQ(out, R"("q\"b\\n\nt\tc\u0001z\u001f\u0000")");
}

TEST(JsonWriter, KeepsUtf8AndReadsBackToTheSameValue) {
    std::string out;
    Writer w(out);
    w.BeginObject().Key("naïve \"key\"").String("Škofja Loka ✓ 🏃").Key("w").Double(71.5).EndObject();
    auto parsed = Parse(out);
    EXPECT_EQ(parsed.at("naïve \"key\"").as_string(), "Škofja Loka ✓ 🏃");
    EXPECT_DOUBLE_EQ(parsed.at("w").as_double(), 71.5);
}

TEST(JsonWriter, DoublesRoundTripAndNonFiniteBecomesNull) {
    std::string out;
    Writer w(out);
    w.BeginArray().Double(0.1).Double(72).Double(1e300).Double(std::numeric_limits<double>::quiet_NaN())
        .Double(-std::numeric_limits<double>::infinity()).EndArray();
    EXPECT_EQ(out, "[0.1,72,1e+300,null,null]");
    auto parsed = Parse(out);
    EXPECT_EQ(parsed.as_array().at(2).to_number<double>(), 1e300);
}

}  // namespace
}  // namespace strava1::json
