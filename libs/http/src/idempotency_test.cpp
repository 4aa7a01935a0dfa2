#include "strava1/http/idempotency.hpp"

#include <gtest/gtest.h>

namespace strava1::http {
namespace {

Request Make(std::string query, std::string body, std::string content_type = "application/octet-stream") {
    Request r;
    r.method = Method::kPost;
    r.path = "/v1/uploads";
    r.query = std::move(query);
    r.body = std::move(body);
    r.headers.emplace_back("content-type", std::move(content_type));
    return r;
}

TEST(RequestFingerprint, CoversMethodPathQueryAndBody) {
    auto base = RequestFingerprint(Make("data_type=gpx&name=Morning", "<gpx/>"));
    EXPECT_EQ(base.size(), 64u);
    for (const char* other : {"data_type=gpx&name=Evening", "data_type=gpx&name=Morning&sport=ride",
                              "data_type=gpx&name=Morning&description=x", "data_type=gpx&name=Morning&external_id=1",
                              "name=Morning", "data_type=gpx"}) {
        EXPECT_NE(RequestFingerprint(Make(other, "<gpx/>")), base) << other;
    }
    EXPECT_NE(RequestFingerprint(Make("data_type=gpx&name=Morning", "<gpx />")), base);
    Request put = Make("data_type=gpx&name=Morning", "<gpx/>");
    put.method = Method::kPut;
    EXPECT_NE(RequestFingerprint(put), base);
    Request other_path = Make("data_type=gpx&name=Morning", "<gpx/>");
    other_path.path = "/v1/activities";
    EXPECT_NE(RequestFingerprint(other_path), base);
    // Field boundaries cannot be shifted: "a=bc" is not "ab=c".
    EXPECT_NE(RequestFingerprint(Make("a=bc", "")), RequestFingerprint(Make("ab=c", "")));
}

TEST(RequestFingerprint, QueryComparesDecodedParametersInAnyOrder) {
    auto base = RequestFingerprint(Make("data_type=gpx&name=Morning%20run", "x"));
    EXPECT_EQ(RequestFingerprint(Make("name=Morning+run&data_type=gpx", "x")), base);
    EXPECT_EQ(RequestFingerprint(Make("name=Morning%20run&&data_type=%67px", "x")), base);
    // Repeated names keep their order: the route reads the first.
    EXPECT_NE(RequestFingerprint(Make("name=a&name=b", "x")), RequestFingerprint(Make("name=b&name=a", "x")));
}

TEST(RequestFingerprint, JsonComparesByParsedValue) {
    auto json = [](std::string body) { return RequestFingerprint(Make("", std::move(body), "application/json")); };
    auto base = json(R"({"sport":"walk","elapsed_s":600,"name":"Café","tags":[1,2],"x":{"b":1,"a":null}})");
    EXPECT_EQ(json("{\n  \"x\": {\"a\": null, \"b\": 1},\n  \"tags\": [1, 2], \"name\": \"Caf\\u00e9\",\n"
                   "  \"elapsed_s\": 600.0, \"sport\": \"walk\"\n}"),
              base);
    EXPECT_EQ(json(R"({"sport":"walk","elapsed_s":6e2,"name":"Café","tags":[1,2],"x":{"b":1,"a":null}})"), base);
    EXPECT_NE(json(R"({"sport":"walk","elapsed_s":601,"name":"Café","tags":[1,2],"x":{"b":1,"a":null}})"), base);
    EXPECT_NE(json(R"({"sport":"walk","elapsed_s":600,"name":"Café","tags":[2,1],"x":{"b":1,"a":null}})"), base);
    EXPECT_NE(json(R"({"sport":"walk","elapsed_s":"600","name":"Café","tags":[1,2],"x":{"b":1,"a":null}})"), base);
    EXPECT_NE(json(R"({"sport":"walk","elapsed_s":600.5,"name":"Café","tags":[1,2],"x":{"b":1,"a":null}})"), base);
    // application/problem+json style types count as JSON too; malformed JSON compares bytes.
    EXPECT_EQ(RequestFingerprint(Make("", R"({"a":1})", "application/merge-patch+json; charset=utf-8")),
              RequestFingerprint(Make("", R"({ "a" : 1 })", "application/merge-patch+json")));
    EXPECT_NE(json("{\"a\":"), json("{\"a\": "));
}

TEST(RequestFingerprint, NumbersBeyondTheIntegerRangeAreFingerprintedWithoutOverflow) {
    auto json = [](const std::string& body) { return RequestFingerprint(Make("", body, "application/json")); };
    // Converting any of these doubles to std::int64_t is undefined behaviour (the sanitizer build
    // of this library checks float-cast-overflow); they must take the plain number path.
    for (const char* number :
         {"1e300", "-1e300", "1.7976931348623157e308", "-1.7976931348623157e308", "9.3e18", "-9.3e18",
          "9.223372036854775807e18", "1.8446744073709552e19", "-9.3e15", "9e15", "4.9e-324"}) {
        std::string compact = std::string(R"({"x":)") + number + "}";
        std::string spaced = std::string("{ \"x\" : ") + number + " }";
        EXPECT_EQ(json(compact).size(), 64u) << number;
        EXPECT_EQ(json(compact), json(spaced)) << number;
    }
    EXPECT_NE(json(R"({"x":1e300})"), json(R"({"x":-1e300})"));
    EXPECT_NE(json(R"({"x":1e300})"), json(R"({"x":1.7976931348623157e308})"));
    EXPECT_NE(json(R"({"x":9.3e18})"), json(R"({"x":-9.3e18})"));
    EXPECT_NE(json(R"({"x":9.3e18})"), json(R"({"x":9.2e18})"));
    // Integral doubles inside the exact range still equal their integer spelling.
    EXPECT_EQ(json(R"({"x":8999999999999998.0})"), json(R"({"x":8999999999999998})"));
    EXPECT_EQ(json(R"({"x":-8999999999999998.0})"), json(R"({"x":-8999999999999998})"));
    EXPECT_EQ(json(R"({"x":-0.0})"), json(R"({"x":0})"));
}

TEST(RequestFingerprint, MultipartComparesPartsNotTheBoundary) {
    auto body = [](const std::string& boundary, const std::string& name) {
        return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n" + name + "\r\n--" +
               boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.gpx\"\r\n\r\n<gpx/>\r\n--" +
               boundary + "--\r\n";
    };
    auto fp = [&](const std::string& boundary, const std::string& name) {
        return RequestFingerprint(Make("", body(boundary, name), "multipart/form-data; boundary=" + boundary));
    };
    EXPECT_EQ(fp("b1", "Lunch"), fp("another-boundary", "Lunch"));
    EXPECT_NE(fp("b1", "Lunch"), fp("b1", "Dinner"));
}

TEST(KeepsOutcome, RefusedRequestsAndServerErrorsAreNotKept) {
    for (int status : {200, 201, 204, 401, 403, 404, 409, 422}) {
        EXPECT_TRUE(KeepsOutcome(status)) << status;
    }
    for (int status : {400, 413, 429, 500, 503, 504}) {
        EXPECT_FALSE(KeepsOutcome(status)) << status;
    }
}

}  // namespace
}  // namespace strava1::http
