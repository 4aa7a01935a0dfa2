// GET /v1/objects/{key}, the storage routes slice: an object is served to the holder of a link the
// store signed, and only while the module owning its key still references it.
#include "strava1/storage/object_routes.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "strava1/base/crypto.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::storage {
namespace {
namespace asio = boost::asio;
namespace fs = std::filesystem;

/// A module's references, by hand.
class FakeReferences final : public ObjectReferences {
public:
    std::set<std::string> live;
    int asked = 0;
    asio::awaitable<bool> IsReferenced(std::string key) override {
        ++asked;
        co_return live.contains(key);
    }
};

class ObjectRoutesTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("strava1-object-routes-" + crypto::Hex(crypto::RandomBytes(6)));
        store_ = std::make_unique<LocalObjectStore>(root_, std::string(32, 'k'), "", clock_);
        routes_ = std::make_unique<ObjectRoutes>(*store_, cpu_, clock_);
        routes_->AddOwner("original-", originals_);
        store_->Put("original-1-abc.gpx", "<gpx/>", "application/gpx+xml");
        store_->Put("other-1.bin", "x", "application/octet-stream");
        originals_.live.insert("original-1-abc.gpx");
    }
    void TearDown() override {
        cpu_.join();
        std::error_code ec;
        fs::remove_all(root_, ec);
    }

    /// The request a client makes with `url` ("/v1/objects/<key>?…"), answered.
    http::Response Get(const std::string& url) {
        auto request = std::make_shared<http::Request>();
        auto q = url.find('?');
        request->path = url.substr(0, q);
        request->query = q == std::string::npos ? "" : url.substr(q + 1);
        request->path_params["key"] = request->path.substr(std::string("/v1/objects/").size());
        try {
            return testing::RunSync(io_, routes_->GetObject(request));
        } catch (const Error& e) {
            return http::Response::Text(Describe(e.Kind()).status, "text/plain", e.Detail());
        }
    }

    asio::io_context io_;
    asio::thread_pool cpu_{1};
    testing::FakeClock clock_;
    fs::path root_;
    std::unique_ptr<LocalObjectStore> store_;
    FakeReferences originals_;
    std::unique_ptr<ObjectRoutes> routes_;
};

TEST_F(ObjectRoutesTest, ServesAReferencedObjectThroughItsSignedLink) {
    auto link = store_->SignedGetUrl("original-1-abc.gpx", std::chrono::seconds(300), "activity-1.gpx");
    http::Response ok = Get(link.url);
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.body, "<gpx/>");
    EXPECT_EQ(ok.content_type, "application/gpx+xml");
    EXPECT_EQ(ok.Header("content-disposition"), "attachment; filename=\"activity-1.gpx\"");
    EXPECT_EQ(ok.Header("cache-control"), "private, no-store");
    ASSERT_EQ(routes_->Routes().size(), 1u);
    EXPECT_EQ(routes_->Routes()[0].path, "/v1/objects/{key}");
    EXPECT_EQ(routes_->Routes()[0].access.kind, http::AccessKind::kSignedUrl);
    EXPECT_EQ(routes_->Routes()[0].Auth(), http::AuthPolicy::kPublic);
}

TEST_F(ObjectRoutesTest, AnObjectNoLongerReferencedIsNotFoundWhateverTheLink) {
    auto link = store_->SignedGetUrl("original-1-abc.gpx", std::chrono::seconds(300), std::nullopt);
    originals_.live.clear();  // its upload went with the account
    EXPECT_EQ(Get(link.url).status, 404);
    EXPECT_EQ(originals_.asked, 1);
    auto other = store_->SignedGetUrl("other-1.bin", std::chrono::seconds(300), std::nullopt);
    EXPECT_EQ(Get(other.url).status, 404) << "no module owns the key";
}

TEST_F(ObjectRoutesTest, ExpiredForgedAndMalformedLinks) {
    auto link = store_->SignedGetUrl("original-1-abc.gpx", std::chrono::seconds(60), std::nullopt);
    clock_.Advance(std::chrono::seconds(61));
    EXPECT_EQ(Get(link.url).status, 403);
    auto forged = link.url;
    forged.replace(forged.find("abc"), 3, "abd");
    EXPECT_EQ(Get(forged).status, 403);
    EXPECT_EQ(Get("/v1/objects/original-1-abc.gpx").status, 403) << "no signature at all";
    EXPECT_EQ(Get("/v1/objects/..?expires=1&sig=x").status, 404);
    EXPECT_EQ(originals_.asked, 0) << "references are asked only for genuine links";
}

}  // namespace
}  // namespace strava1::storage
