// The server checks a request body by the kind its route states, never by the size of its limit: a
// JSON route with a large limit still refuses a body that is not JSON, a route that takes no body
// refuses one, a multipart route wants multipart/form-data, and a raw route takes any bytes.
#include "strava1/http/server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <thread>

namespace strava1::http {
namespace {
namespace asio = boost::asio;

boost::asio::awaitable<Response> Echo(RequestPtr request) {
    co_return Response::Text(200, "text/plain", std::to_string(request->body.size()));
}

Route Post(std::string path, Body body) {
    return {.method = Method::kPost,
            .path = std::move(path),
            .summary = "test",
            .access = Access::Anyone(),
            .body = body,
            .handler = Echo};
}

class BodyKinds : public ::testing::Test {
protected:
    void SetUp() override {
        router_.Add(Post("/json", Body::Json(8u << 20)));  // larger than the default JSON limit
        router_.Add(Post("/none", Body::None()));
        router_.Add(Post("/raw", Body::Raw(1024)));
        router_.Add(Post("/multipart", Body::Multipart(1024)));
        metrics_ = std::make_unique<Metrics>(router_);
        ServerOptions options;
        options.port = 0;
        server_ = std::make_unique<Server>(io_, options, router_, nullptr, nullptr, *metrics_);
        server_->Start();
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        server_->Stop();
        io_.stop();
        thread_.join();
    }

    /// The status line and body of one request, sent on its own connection.
    std::pair<int, std::string> Send(const std::string& path, const std::string& content_type,
                                     const std::string& body) {
        asio::io_context client;
        asio::ip::tcp::socket socket(client);
        socket.connect({asio::ip::make_address("127.0.0.1"), server_->Port()});
        std::string request = "POST " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n";
        if (!content_type.empty()) {
            request += "Content-Type: " + content_type + "\r\n";
        }
        request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        asio::write(socket, asio::buffer(request));
        std::string response;
        boost::system::error_code ec;
        asio::read(socket, asio::dynamic_buffer(response), ec);
        int status = std::stoi(response.substr(9, 3));
        return {status, response.substr(response.find("\r\n\r\n") + 4)};
    }

    asio::io_context io_{1};
    Router router_;
    std::unique_ptr<Metrics> metrics_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
};

TEST_F(BodyKinds, AJsonRouteWithALargeLimitStillWantsJson) {
    EXPECT_EQ(Send("/json", "text/plain", "hello").first, 415);
    EXPECT_EQ(Send("/json", "", "{}").first, 415);
    auto ok = Send("/json", "application/json; charset=utf-8", R"({"a":1})");
    EXPECT_EQ(ok.first, 200);
    EXPECT_EQ(ok.second, "7");
    EXPECT_EQ(Send("/json", "application/merge-patch+json", "{}").first, 200);
}

TEST_F(BodyKinds, ARouteWithoutABodyRefusesOne) {
    EXPECT_EQ(Send("/none", "", "").first, 200);
    auto refused = Send("/none", "application/json", "{}");
    EXPECT_EQ(refused.first, 413);
    EXPECT_NE(refused.second.find("takes no request body"), std::string::npos) << refused.second;
}

TEST_F(BodyKinds, RawTakesAnyTypeMultipartOnlyFormData) {
    EXPECT_EQ(Send("/raw", "application/octet-stream", "abc").first, 200);
    EXPECT_EQ(Send("/raw", "application/json", "{}").first, 200);
    EXPECT_EQ(Send("/raw", "x", std::string(1025, 'a')).first, 413);
    EXPECT_EQ(Send("/multipart", "application/octet-stream", "abc").first, 415);
    EXPECT_EQ(Send("/multipart", "multipart/form-data", "abc").first, 415) << "no boundary";
    std::string form = "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--b--\r\n";
    EXPECT_EQ(Send("/multipart", "multipart/form-data; boundary=b", form).first, 200);
}

}  // namespace
}  // namespace strava1::http
