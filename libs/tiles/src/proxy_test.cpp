#include "proxy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <condition_variable>

#include "strava1/base/crypto.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::tiles {
namespace {
namespace asio = boost::asio;
namespace fs = std::filesystem;
using std::chrono::hours;

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + "tile bytes";

/// Answers what it is told; optionally holds every fetch until released.
class FakeFetcher final : public TileFetcher {
public:
    UpstreamResponse Fetch(const UpstreamRequest& request) override {
        std::unique_lock lock(mutex_);
        requests.push_back(request);
        released_.wait(lock, [this] { return open_; });
        return answer;
    }
    void Hold() {
        std::lock_guard lock(mutex_);
        open_ = false;
    }
    void Release() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        released_.notify_all();
    }
    std::size_t Calls() {
        std::lock_guard lock(mutex_);
        return requests.size();
    }

    UpstreamResponse answer;
    std::vector<UpstreamRequest> requests;

private:
    std::mutex mutex_;
    std::condition_variable released_;
    bool open_ = true;
};

UpstreamResponse Ok(std::string content_type = "image/png", std::string body = kPng) {
    UpstreamResponse r;
    r.kind = UpstreamResponse::Kind::kOk;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    r.etag = "\"e1\"";
    r.last_modified = "Mon, 24 Nov 2025 16:00:00 GMT";
    return r;
}

UpstreamResponse Failed() {
    UpstreamResponse r;
    r.error = "upstream answered HTTP 500";
    return r;
}

/// A request's outcome: the answer, or the error kind it threw.
struct Result {
    std::optional<TileAnswer> answer;
    std::optional<ErrorKind> error;
    bool finished = false;
};

class TileProxyTest : public ::testing::Test {
protected:
    TileProxyTest() : cache_(root_, 1 << 20) {}
    ~TileProxyTest() override {
        fetcher_.Release();  // a held fetch would keep the proxy's fetch threads from joining
        proxy_.reset();
        cpu_.join();
        std::error_code ignored;
        fs::remove_all(root_, ignored);
    }

    TileProxy& Proxy(ProxyOptions options = {}) {
        if (!proxy_) {
            auto upstream = std::get<UpstreamTemplate>(UpstreamTemplate::Parse("http://upstream.test/{z}/{x}/{y}.png"));
            proxy_ = std::make_unique<TileProxy>(std::move(upstream), cache_, fetcher_, cpu_, clock_, options);
        }
        return *proxy_;
    }

    std::shared_ptr<Result> Start(TileAddress tile) {
        auto result = std::make_shared<Result>();
        asio::co_spawn(io_, Proxy().Get(tile), [result](std::exception_ptr e, TileAnswer answer) {
            result->finished = true;
            if (!e) {
                result->answer = std::move(answer);
                return;
            }
            try {
                std::rethrow_exception(e);
            } catch (const Error& error) {
                result->error = error.Kind();
            }
        });
        return result;
    }

    Result Get(TileAddress tile) {
        auto result = Start(tile);
        io_.restart();
        io_.run();
        EXPECT_TRUE(result->finished);
        return *result;
    }

    /// Runs the loop until `done` holds, failing after a deadline (never a fixed sleep).
    template <class Predicate>
    void RunUntil(Predicate done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done()) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "timed out";
            io_.restart();
            io_.run_for(std::chrono::milliseconds(5));
        }
    }

    TileRecord Cached(SystemTime fetched_at) {
        TileRecord tile;
        tile.content_type = "image/png";
        tile.body = kPng + " (cached)";
        tile.etag = "\"e0\"";
        tile.last_modified = "Sun, 02 Nov 2025 10:00:00 GMT";
        tile.fetched_at = fetched_at;
        return tile;
    }

    fs::path root_ = fs::temp_directory_path() / ("strava1-tile-proxy-" + crypto::Hex(crypto::RandomBytes(6)));
    asio::io_context io_;
    asio::thread_pool cpu_{1};
    testing::FakeClock clock_;
    DiskTileCache cache_;
    FakeFetcher fetcher_;
    std::unique_ptr<TileProxy> proxy_;
};

TEST_F(TileProxyTest, AMissIsFetchedOnceThenServedFromTheCacheWhileFresh) {
    fetcher_.answer = Ok();
    Result first = Get({3, 2, 1});
    ASSERT_TRUE(first.answer);
    EXPECT_EQ(first.answer->source, TileSource::kMiss);
    EXPECT_EQ(first.answer->tile.body, kPng);
    ASSERT_EQ(fetcher_.Calls(), 1u);
    EXPECT_EQ(fetcher_.requests[0].url, "http://upstream.test/3/2/1.png");
    EXPECT_EQ(fetcher_.requests[0].if_none_match, "");

    clock_.Advance(hours(7 * 24 - 1));
    Result again = Get({3, 2, 1});
    ASSERT_TRUE(again.answer);
    EXPECT_EQ(again.answer->source, TileSource::kHit);
    EXPECT_EQ(again.answer->tile.body, kPng);
    EXPECT_EQ(fetcher_.Calls(), 1u);
}

TEST_F(TileProxyTest, AStaleTileIsRevalidatedWithItsValidators) {
    cache_.Put({4, 3, 2}, Cached(clock_.Now()));
    clock_.Advance(hours(8 * 24));
    fetcher_.answer.kind = UpstreamResponse::Kind::kNotModified;
    Result revalidated = Get({4, 3, 2});
    ASSERT_TRUE(revalidated.answer);
    EXPECT_EQ(revalidated.answer->source, TileSource::kRevalidated);
    EXPECT_EQ(revalidated.answer->tile.body, kPng + " (cached)");
    ASSERT_EQ(fetcher_.Calls(), 1u);
    EXPECT_EQ(fetcher_.requests[0].if_none_match, "\"e0\"");
    EXPECT_EQ(fetcher_.requests[0].if_modified_since, "Sun, 02 Nov 2025 10:00:00 GMT");
    // Confirmed now, so fresh for another seven days.
    EXPECT_EQ(cache_.Get({4, 3, 2})->fetched_at, clock_.Now());
    EXPECT_EQ(Get({4, 3, 2}).answer->source, TileSource::kHit);
    EXPECT_EQ(fetcher_.Calls(), 1u);

    // A changed tile replaces the cached one.
    clock_.Advance(hours(8 * 24));
    fetcher_.answer = Ok();
    Result changed = Get({4, 3, 2});
    EXPECT_EQ(changed.answer->source, TileSource::kMiss);
    EXPECT_EQ(cache_.Get({4, 3, 2})->body, kPng);
    EXPECT_EQ(cache_.Get({4, 3, 2})->etag, "\"e1\"");
}

TEST_F(TileProxyTest, WhenUpstreamFailsTheStaleCopyIsServedElseUnavailable) {
    cache_.Put({5, 1, 1}, Cached(clock_.Now()));
    clock_.Advance(hours(30 * 24));
    fetcher_.answer = Failed();
    Result stale = Get({5, 1, 1});
    ASSERT_TRUE(stale.answer);
    EXPECT_EQ(stale.answer->source, TileSource::kStale);
    EXPECT_EQ(stale.answer->tile.body, kPng + " (cached)");

    Result none = Get({5, 2, 2});
    EXPECT_FALSE(none.answer);
    EXPECT_EQ(none.error, ErrorKind::kUnavailable);
    EXPECT_FALSE(cache_.Get({5, 2, 2}));
}

TEST_F(TileProxyTest, ABodyThatIsNotAnImageIsRefusedAndNotCached) {
    fetcher_.answer = Ok("text/html", "<html>rate limited</html>");
    Result html = Get({6, 1, 1});
    EXPECT_EQ(html.error, ErrorKind::kUnavailable);
    fetcher_.answer = Ok("image/png", "<html>rate limited</html>");
    EXPECT_EQ(Get({6, 1, 1}).error, ErrorKind::kUnavailable);
    EXPECT_FALSE(cache_.Get({6, 1, 1}));
    EXPECT_EQ(fetcher_.Calls(), 2u);
}

TEST_F(TileProxyTest, ConcurrentRequestsForOneTileShareOneUpstreamFetch) {
    fetcher_.answer = Ok();
    fetcher_.Hold();
    std::vector<std::shared_ptr<Result>> results;
    for (int i = 0; i < 6; ++i) {
        results.push_back(Start({7, 5, 5}));
    }
    RunUntil([&] { return Proxy().WaitersFor({7, 5, 5}) == 6; });
    EXPECT_EQ(fetcher_.Calls(), 1u);
    fetcher_.Release();
    RunUntil([&] { return std::all_of(results.begin(), results.end(), [](auto& r) { return r->finished; }); });
    EXPECT_EQ(fetcher_.Calls(), 1u);
    for (const auto& result : results) {
        ASSERT_TRUE(result->answer);
        EXPECT_EQ(result->answer->source, TileSource::kMiss);
        EXPECT_EQ(result->answer->tile.body, kPng);
    }
    EXPECT_EQ(Proxy().WaitersFor({7, 5, 5}), 0u);
}

TEST_F(TileProxyTest, PendingFetchesAreBoundedAndASlowUpstreamTimesOut) {
    ProxyOptions options;
    options.max_pending_fetches = 1;
    options.wait_limit = std::chrono::milliseconds(100);
    Proxy(options);
    fetcher_.answer = Ok();
    fetcher_.Hold();
    auto slow = Start({8, 1, 1});
    RunUntil([&] { return Proxy().WaitersFor({8, 1, 1}) == 1; });
    // Another tile finds no room for its fetch: 503 at once, nothing queued.
    auto refused = Start({8, 2, 2});
    RunUntil([&] { return refused->finished; });
    EXPECT_EQ(refused->error, ErrorKind::kUnavailable);
    RunUntil([&] { return slow->finished; });
    EXPECT_EQ(slow->error, ErrorKind::kTimeout);
    fetcher_.Release();
    EXPECT_EQ(fetcher_.Calls(), 1u);
}

}  // namespace
}  // namespace strava1::tiles
