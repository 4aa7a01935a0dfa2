#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strava1/http/pipeline.hpp"

namespace strava1::testing {

/// Header fields of a request or a response, as (name, value).
using Headers = std::vector<std::pair<std::string, std::string>>;

/// What an in-process request got back: the status, the header fields the server would have put on
/// the wire, the body and, when the body is JSON (or problem+json), the parsed document.
struct InProcessResponse {
    int status = 0;
    std::string content_type;
    Headers headers;  ///< as on the wire, Content-Type included (names as the server spells them)
    std::string body;
    boost::json::value json;  ///< null unless the body is JSON
    double millis = 0;        ///< time in the pipeline

    /// The first header of this name (any case), or empty.
    std::string_view Header(std::string_view name) const;
};

/// A user signed up through the real /v1/auth/signup route.
struct TestUser {
    std::int64_t id = 0;
    std::string email;
    std::string password;
    std::string access_token;
    std::string refresh_token;
};

/// Runs requests through an http::Pipeline (the one the Server runs after parsing a socket's
/// bytes: routing, authentication, rate limits, content-type and size checks, Idempotency-Key,
/// problem+json) on `io`, without a socket, driving `io` until each answer is ready. For service-
/// and route-level tests that take milliseconds; the e2e tier (tests/e2e) covers the wire itself.
///
/// A client is a cheap value: As(user) returns a copy that sends the user's bearer token.
class InProcessClient {
public:
    InProcessClient(boost::asio::io_context& io, http::Pipeline& pipeline);

    /// JSON bodies: null sends none. `headers` are added as given (Content-Type: application/json
    /// is added for a body unless set).
    InProcessResponse Get(std::string_view target, const Headers& headers = {}) const;
    InProcessResponse Post(std::string_view target, const boost::json::value& body = nullptr,
                           const Headers& headers = {}) const;
    InProcessResponse Patch(std::string_view target, const boost::json::value& body = nullptr,
                            const Headers& headers = {}) const;
    InProcessResponse Put(std::string_view target, const boost::json::value& body = nullptr,
                          const Headers& headers = {}) const;
    InProcessResponse Delete(std::string_view target, const Headers& headers = {}) const;
    /// Any request with raw bytes (a file upload, a malformed body).
    InProcessResponse Send(http::Method method, std::string_view target, std::string body,
                           const Headers& headers = {}) const;

    /// A copy that sends `user`'s access token.
    InProcessClient As(const TestUser& user) const;
    /// A copy that sends this bearer token (e.g. a refreshed or a forged one).
    InProcessClient WithToken(std::string token) const;
    /// A copy whose requests come from this client address (rate limits count per address).
    InProcessClient From(std::string remote_ip) const;

    /// Signs up `n` users through POST /v1/auth/signup (distinct e-mail addresses, one password),
    /// failing the test (and throwing) unless each answers 201 with a user and its tokens.
    std::vector<TestUser> Users(int n) const;

private:
    boost::asio::io_context* io_;
    http::Pipeline* pipeline_;
    std::optional<std::string> token_;
    std::string remote_ip_ = "127.0.0.1";
};

/// Checks that `response` is an RFC 9457 problem document (application/problem+json) with this
/// status and, when `field` is given, a field error naming it in "errors".
void ExpectProblem(const InProcessResponse& response, int status, std::string_view field = {});

/// A multipart/form-data body: its bytes and its Content-Type (with the boundary).
struct MultipartBody {
    std::string content_type;
    std::string bytes;
};
/// Builds a multipart/form-data body of one file part (`file_field`, `file_name`, its bytes) and
/// plain text fields.
MultipartBody Multipart(std::string_view file_field, std::string_view file_name, std::string_view file_bytes,
                        const Headers& text_fields = {});

}  // namespace strava1::testing
