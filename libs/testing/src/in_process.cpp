#include "strava1/testing/in_process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>

#include "strava1/base/crypto.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::testing {
namespace asio = boost::asio;

namespace {

bool IEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

std::string Lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool IsJson(std::string_view content_type) {
    return content_type.starts_with("application/json") || content_type.starts_with("application/problem+json");
}

}  // namespace

std::string_view InProcessResponse::Header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
        if (IEquals(n, name)) {
            return v;
        }
    }
    return {};
}

InProcessClient::InProcessClient(asio::io_context& io, http::Pipeline& pipeline) : io_(&io), pipeline_(&pipeline) {}

InProcessResponse InProcessClient::Send(http::Method method, std::string_view target, std::string body,
                                        const Headers& headers) const {
    // Built as the server builds it from a socket's bytes: lower-case header names, the target
    // split and decoded by the same function, the client address as the socket would give it.
    auto request = std::make_shared<http::Request>();
    request->method = method;
    request->remote_ip = remote_ip_;
    if (!http::Pipeline::SetTarget(*request, target)) {
        throw std::invalid_argument("malformed request target: " + std::string(target));
    }
    for (const auto& [name, value] : headers) {
        request->headers.emplace_back(Lower(name), value);
    }
    if (token_ && request->Header("authorization").empty()) {
        request->headers.emplace_back("authorization", "Bearer " + *token_);
    }
    request->body = std::move(body);

    auto started = std::chrono::steady_clock::now();
    http::RouteMatch match = pipeline_->Begin(*request);
    http::Response answer = RunSync(*io_, pipeline_->Answer(request, match));
    bool gzip = pipeline_->Encode(*request, answer);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    pipeline_->Record(*request, match, answer, seconds);

    InProcessResponse out;
    out.status = answer.status;
    out.content_type = answer.content_type;
    if (!answer.content_type.empty()) {
        out.headers.emplace_back("Content-Type", answer.content_type);
    }
    for (auto& field : http::Pipeline::WireHeaders(answer, request->request_id, gzip)) {
        if (!IEquals(field.first, "content-type")) {
            out.headers.push_back(std::move(field));
        }
    }
    out.body = std::move(answer.body);
    out.millis = seconds * 1000.0;
    if (IsJson(out.content_type) && !out.body.empty() && !gzip) {
        boost::system::error_code ec;
        out.json = boost::json::parse(out.body, ec);
        if (ec) {
            ADD_FAILURE() << "a " << out.content_type << " body that is not JSON: " << out.body;
        }
    }
    return out;
}

namespace {

std::string JsonBody(const boost::json::value& body) {
    return body.is_null() ? std::string() : boost::json::serialize(body);
}

Headers WithJsonType(const boost::json::value& body, const Headers& headers) {
    Headers out = headers;
    if (body.is_null()) {
        return out;
    }
    for (const auto& [name, value] : headers) {
        if (IEquals(name, "content-type")) {
            return out;
        }
    }
    out.emplace_back("content-type", "application/json");
    return out;
}

}  // namespace

InProcessResponse InProcessClient::Get(std::string_view target, const Headers& headers) const {
    return Send(http::Method::kGet, target, {}, headers);
}

InProcessResponse InProcessClient::Post(std::string_view target, const boost::json::value& body,
                                        const Headers& headers) const {
    return Send(http::Method::kPost, target, JsonBody(body), WithJsonType(body, headers));
}

InProcessResponse InProcessClient::Patch(std::string_view target, const boost::json::value& body,
                                         const Headers& headers) const {
    return Send(http::Method::kPatch, target, JsonBody(body), WithJsonType(body, headers));
}

InProcessResponse InProcessClient::Put(std::string_view target, const boost::json::value& body,
                                       const Headers& headers) const {
    return Send(http::Method::kPut, target, JsonBody(body), WithJsonType(body, headers));
}

InProcessResponse InProcessClient::Delete(std::string_view target, const Headers& headers) const {
    return Send(http::Method::kDelete, target, {}, headers);
}

InProcessClient InProcessClient::As(const TestUser& user) const { return WithToken(user.access_token); }

InProcessClient InProcessClient::WithToken(std::string token) const {
    InProcessClient copy = *this;
    copy.token_ = std::move(token);
    return copy;
}

InProcessClient InProcessClient::From(std::string remote_ip) const {
    InProcessClient copy = *this;
    copy.remote_ip_ = std::move(remote_ip);
    return copy;
}

std::vector<TestUser> InProcessClient::Users(int n) const {
    // Unique across the clients of one process, so that fixtures may call this more than once.
    static std::atomic<int> next{1};
    const std::string run = crypto::Hex(crypto::RandomBytes(3));
    InProcessClient anonymous = *this;
    anonymous.token_.reset();
    std::vector<TestUser> users;
    for (int i = 0; i < n; ++i) {
        TestUser user;
        int number = next++;
        user.email = "user" + std::to_string(number) + "-" + run + "@example.com";
        user.password = "correct horse battery staple";
        auto r =
            anonymous.Post("/v1/auth/signup", boost::json::object{{"email", user.email},
                                                                  {"password", user.password},
                                                                  {"display_name", "User " + std::to_string(number)}});
        if (r.status != 201 || !r.json.is_object() || !r.json.as_object().contains("user")) {
            ADD_FAILURE() << "sign-up of " << user.email << " answered " << r.status << ": " << r.body;
            throw std::runtime_error("sign-up failed");
        }
        const auto& doc = r.json.as_object();
        user.id = doc.at("user").at("id").to_number<std::int64_t>();
        user.access_token = std::string(doc.at("access_token").as_string());
        user.refresh_token = std::string(doc.at("refresh_token").as_string());
        users.push_back(std::move(user));
    }
    return users;
}

void ExpectProblem(const InProcessResponse& response, int status, std::string_view field) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.content_type, "application/problem+json") << response.body;
    ASSERT_TRUE(response.json.is_object()) << response.body;
    const auto& doc = response.json.as_object();
    ASSERT_TRUE(doc.contains("status") && doc.contains("title")) << "not a problem document: " << response.body;
    EXPECT_EQ(doc.at("status").to_number<int>(), status);
    if (field.empty()) {
        return;
    }
    bool named = false;
    if (const auto* errors = doc.if_contains("errors"); errors != nullptr && errors->is_array()) {
        for (const auto& error : errors->as_array()) {
            if (error.is_object() && error.as_object().contains("field") &&
                error.as_object().at("field").as_string() == field) {
                named = true;
            }
        }
    }
    EXPECT_TRUE(named) << "no field error for \"" << field << "\" in " << response.body;
}

MultipartBody Multipart(std::string_view file_field, std::string_view file_name, std::string_view file_bytes,
                        const Headers& text_fields) {
    const std::string boundary = "strava1-test-" + crypto::Hex(crypto::RandomBytes(8));
    MultipartBody out;
    out.content_type = "multipart/form-data; boundary=" + boundary;
    for (const auto& [name, value] : text_fields) {
        out.bytes +=
            "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }
    out.bytes += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + std::string(file_field) +
                 "\"; filename=\"" + std::string(file_name) + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
    out.bytes += file_bytes;
    out.bytes += "\r\n--" + boundary + "--\r\n";
    return out;
}

}  // namespace strava1::testing
