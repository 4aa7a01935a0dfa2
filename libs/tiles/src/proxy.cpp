#include "proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "strava1/base/error.hpp"
#include "strava1/base/log.hpp"
#include "strava1/base/offload.hpp"

namespace strava1::tiles {
namespace asio = boost::asio;

std::string_view TileSourceName(TileSource source) {
    switch (source) {
        case TileSource::kHit:
            return "hit";
        case TileSource::kMiss:
            return "miss";
        case TileSource::kRevalidated:
            return "revalidated";
        case TileSource::kStale:
            return "stale";
    }
    return "hit";
}

TileProxy::TileProxy(UpstreamTemplate upstream, DiskTileCache& cache, TileFetcher& fetcher, asio::thread_pool& cpu,
                     const Clock& clock, ProxyOptions options)
    : upstream_(std::move(upstream)),
      cache_(cache),
      fetcher_(fetcher),
      cpu_(cpu),
      clock_(clock),
      options_(options),
      fetch_pool_(static_cast<std::size_t>(std::max(1, options.fetch_threads))) {}

TileProxy::~TileProxy() {
    fetch_pool_.stop();
    fetch_pool_.join();
}

std::size_t TileProxy::WaitersFor(const TileAddress& tile) {
    std::lock_guard lock(mutex_);
    auto it = flights_.find(tile.Key());
    return it == flights_.end() ? 0 : it->second->waiters.size();
}

// Runs on a fetch thread: the one upstream request for this tile, and the cache update.
TileProxy::Outcome TileProxy::Refresh(const TileAddress& tile) {
    std::optional<TileRecord> cached = cache_.Get(tile);
    if (cached && IsFresh(*cached, clock_.Now(), options_.fresh_for)) {
        return {std::move(cached), TileSource::kHit};  // refreshed while this fetch queued
    }
    UpstreamRequest request;
    request.url = upstream_.Expand(tile);
    if (cached) {
        request.if_none_match = cached->etag;
        request.if_modified_since = cached->last_modified;
    }
    UpstreamResponse response = fetcher_.Fetch(request);
    if (response.kind == UpstreamResponse::Kind::kNotModified && cached) {
        cached->fetched_at = clock_.Now();
        cache_.Put(tile, *cached);
        return {std::move(cached), TileSource::kRevalidated};
    }
    if (response.kind == UpstreamResponse::Kind::kOk) {
        if (auto problem = TileBodyProblem(response.content_type, response.body, options_.max_tile_bytes)) {
            response.error = "refused " + *problem;
        } else {
            TileRecord fresh;
            fresh.content_type = std::move(response.content_type);
            fresh.body = std::move(response.body);
            fresh.etag = std::move(response.etag);
            fresh.last_modified = std::move(response.last_modified);
            fresh.fetched_at = clock_.Now();
            cache_.Put(tile, fresh);
            return {std::move(fresh), TileSource::kMiss};
        }
    } else if (response.kind == UpstreamResponse::Kind::kNotModified) {
        response.error = "upstream answered 304 to a request without validators";
    }
    log::Warn("tile fetch failed",
              {{"tile", tile.Key()}, {"error", response.error}, {"stale_copy", cached.has_value()}});
    return {std::move(cached), TileSource::kStale};
}

void TileProxy::Complete(const std::string& key, const std::shared_ptr<Flight>& flight, Outcome outcome) {
    std::vector<std::shared_ptr<asio::steady_timer>> waiters;
    {
        std::lock_guard lock(mutex_);
        flight->done = true;
        flight->outcome = std::move(outcome);
        waiters.swap(flight->waiters);
        flights_.erase(key);
    }
    for (auto& timer : waiters) {
        // On the waiter's own loop: a timer is not thread-safe. Moving the expiry into the past also
        // covers a waiter that registered but has not started waiting yet.
        asio::post(timer->get_executor(), [timer] { timer->expires_at(asio::steady_timer::time_point::min()); });
    }
}

asio::awaitable<TileAnswer> TileProxy::Get(TileAddress tile) {
    auto read = [this, &tile] { return cache_.Get(tile); };
    std::optional<TileRecord> cached = co_await OnCpu(cpu_, read);
    if (cached && IsFresh(*cached, clock_.Now(), options_.fresh_for)) {
        co_return TileAnswer{std::move(*cached), TileSource::kHit};
    }

    const std::string key = tile.Key();
    auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, options_.wait_limit);
    std::shared_ptr<Flight> flight;
    bool start = false;
    {
        std::lock_guard lock(mutex_);
        auto it = flights_.find(key);
        if (it != flights_.end()) {
            flight = it->second;
        } else if (flights_.size() < options_.max_pending_fetches) {
            flight = std::make_shared<Flight>();
            flights_.emplace(key, flight);
            start = true;
        }
        if (flight) {
            flight->waiters.push_back(timer);
        }
    }
    if (!flight) {
        if (cached) {
            co_return TileAnswer{std::move(*cached), TileSource::kStale};
        }
        throw Error(ErrorKind::kUnavailable, "the map tile server is busy; try again shortly").WithRetryAfter(5);
    }
    if (start) {
        asio::post(fetch_pool_, [this, tile, key, flight] {
            Outcome outcome;
            try {
                outcome = Refresh(tile);
            } catch (const std::exception& e) {
                // The flight must complete whatever happens, or its tile would wait forever.
                log::Error("tile fetch failed", {{"tile", key}, {"error", e.what()}});
            }
            Complete(key, flight, std::move(outcome));
        });
    }

    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    std::optional<Outcome> outcome;
    {
        std::lock_guard lock(mutex_);
        if (flight->done) {
            outcome = flight->outcome;
        } else {
            std::erase(flight->waiters, timer);
        }
    }
    if (outcome && outcome->tile) {
        co_return TileAnswer{std::move(*outcome->tile), outcome->source};
    }
    if (cached) {
        co_return TileAnswer{std::move(*cached), TileSource::kStale};
    }
    if (!outcome) {
        throw Error(ErrorKind::kTimeout, "the map tile server did not answer in time; try again shortly")
            .WithRetryAfter(5);
    }
    throw Error(ErrorKind::kUnavailable, "the map tile server could not provide this tile; try again later")
        .WithRetryAfter(30);
}

}  // namespace strava1::tiles
