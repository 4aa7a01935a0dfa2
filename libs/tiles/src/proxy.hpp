#pragma once
// The proxy's decisions: serve a fresh cached tile, otherwise fetch (or revalidate) it upstream
// once however many requests want it, on a small pool of fetch threads, and fall back to the stale
// copy when upstream fails.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "address.hpp"
#include "cache.hpp"
#include "strava1/base/clock.hpp"
#include "upstream.hpp"

namespace strava1::tiles {

/// Where a served tile came from (the X-Tile-Cache header says it).
enum class TileSource {
    kHit,          ///< the cache, fresh: upstream not asked
    kMiss,         ///< fetched from upstream now
    kRevalidated,  ///< the cache, confirmed by upstream (304) now
    kStale,        ///< the cache, past its freshness, because upstream failed or was too slow
};
std::string_view TileSourceName(TileSource source);

struct TileAnswer {
    TileRecord tile;
    TileSource source = TileSource::kHit;
};

struct ProxyOptions {
    /// Upstream fetches at once (the OpenStreetMap policy allows 2); the fetch threads.
    int fetch_threads = 2;
    /// Distinct tiles waiting for or in an upstream fetch; beyond it a request without a cached copy
    /// gets 503, so a burst cannot queue unbounded work behind the two fetch threads.
    std::size_t max_pending_fetches = 64;
    /// How long a request waits for its tile's fetch before taking the stale copy or a 504.
    std::chrono::milliseconds wait_limit{20000};
    std::size_t max_tile_bytes = 1 << 20;
    std::chrono::seconds fresh_for = kTileFreshFor;
};

/// Thread-safe: requests on any event loop may call Get at once. The cache and fetcher must outlive
/// the proxy; destroying it stops the fetch threads (pending fetches are abandoned). Requests that
/// wait for a fetch must run on a single-threaded event loop (ADR 0006), which resumes them.
class TileProxy {
public:
    TileProxy(UpstreamTemplate upstream, DiskTileCache& cache, TileFetcher& fetcher, boost::asio::thread_pool& cpu,
              const Clock& clock, ProxyOptions options = {});
    ~TileProxy();
    TileProxy(const TileProxy&) = delete;
    TileProxy& operator=(const TileProxy&) = delete;

    /// The tile; throws Error kUnavailable (upstream failed, or too many fetches pending) or
    /// kTimeout (upstream too slow) when there is no cached copy to fall back on.
    boost::asio::awaitable<TileAnswer> Get(TileAddress tile);

    /// Requests now waiting for `tile`'s fetch (a test's view of the coalescing).
    std::size_t WaitersFor(const TileAddress& tile);

private:
    struct Outcome {
        std::optional<TileRecord> tile;  ///< null: upstream failed and nothing was cached
        TileSource source = TileSource::kMiss;
    };
    struct Flight {
        bool done = false;
        Outcome outcome;
        std::vector<std::shared_ptr<boost::asio::steady_timer>> waiters;
    };

    Outcome Refresh(const TileAddress& tile);
    void Complete(const std::string& key, const std::shared_ptr<Flight>& flight, Outcome outcome);

    UpstreamTemplate upstream_;
    DiskTileCache& cache_;
    TileFetcher& fetcher_;
    boost::asio::thread_pool& cpu_;
    const Clock& clock_;
    ProxyOptions options_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
    boost::asio::thread_pool fetch_pool_;  // last: stopped and joined first
};

}  // namespace strava1::tiles
