#pragma once
// Fetching one tile from the upstream tile server: a blocking call, made only on the proxy's own
// fetch threads, never on an event loop.

#include <chrono>
#include <cstddef>
#include <string>

namespace strava1::tiles {

struct UpstreamRequest {
    std::string url;
    std::string if_none_match;      ///< the cached copy's ETag, for revalidation
    std::string if_modified_since;  ///< the cached copy's Last-Modified
};

struct UpstreamResponse {
    enum class Kind {
        kOk,           ///< 200 with a body (not yet checked to be an image)
        kNotModified,  ///< 304: the cached copy is still current
        kFailed,       ///< anything else: connection, timeout, status, a body over the limit
    };
    Kind kind = Kind::kFailed;
    std::string body;
    std::string content_type;
    std::string etag;
    std::string last_modified;
    std::string error;  ///< why, for the log (kFailed)
};

/// Where tiles come from. Implementations block; the proxy calls them on its fetch threads only.
class TileFetcher {
public:
    virtual ~TileFetcher() = default;
    virtual UpstreamResponse Fetch(const UpstreamRequest& request) = 0;
};

struct CurlFetcherOptions {
    std::string user_agent;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds timeout{15000};  ///< the whole transfer
    std::size_t max_body_bytes = 1 << 20;
};

/// libcurl, one reused easy handle per calling thread (keep-alive to the tile server, as its usage
/// policy prefers). http and https only, no redirects (a 3xx is a failure), certificates verified.
class CurlTileFetcher final : public TileFetcher {
public:
    explicit CurlTileFetcher(CurlFetcherOptions options);
    UpstreamResponse Fetch(const UpstreamRequest& request) override;

private:
    CurlFetcherOptions options_;
};

}  // namespace strava1::tiles
