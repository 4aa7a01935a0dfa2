#pragma once

#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/base/clock.hpp"
#include "strava1/http/router.hpp"

namespace strava1::tiles {

/// OpenStreetMap's standard tiles, the default upstream, and the credit its licence requires.
inline constexpr std::string_view kOpenStreetMapUrl = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
inline constexpr std::string_view kOpenStreetMapAttribution = "© OpenStreetMap contributors";
/// The upstream setting that turns the proxy off.
inline constexpr std::string_view kDisabled = "none";

/// Why `url` cannot be the upstream tile URL template, or nullopt (also for kDisabled). A template
/// is http(s) with {z}, {x} and {y}, and optionally {s} (subdomains a, b, c).
std::optional<std::string> UpstreamUrlProblem(std::string_view url);
/// Why `contact` cannot go into the User-Agent (over 200 bytes, not printable ASCII, or with
/// parentheses), or nullopt.
std::optional<std::string> ContactProblem(std::string_view contact);
/// "Strava+1/<version> (+self-hosted; contact: <contact>)", or without "; contact: …" when empty.
std::string UserAgent(std::string_view version, std::string_view contact);

/// What the tile proxy is told by the composition root.
struct TileSettings {
    std::string upstream_url{kOpenStreetMapUrl};  ///< a template (UpstreamUrlProblem), or kDisabled
    std::string attribution{kOpenStreetMapAttribution};
    int max_zoom = 19;                         ///< 0..22
    std::uint64_t cache_bytes = 512ULL << 20;  ///< bound of the disk cache, in whole 4 KiB blocks
    std::filesystem::path cache_dir;           ///< created on the first tile cached
    std::filesystem::path key_file;            ///< HMAC key of the signed tile URLs, created on first use
    std::string user_agent;                    ///< sent upstream (UserAgent())
};

/// The tile routes slice: `GET /v1/tiles`, which hands a signed-in user the tile URL template
/// (signed, valid 24–48 h, the same for everybody within a UTC day so browsers cache tiles under
/// it), the attribution and the zoom range; and `GET /v1/tiles/{z}/{x}/{y}`, public but answering
/// only the holder of a signed template, which serves a raster tile through a disk cache in front of
/// the upstream tile server. With the upstream kDisabled the template says so and tile requests
/// answer 404. Nothing touches the disk until the first request.
///
/// `cpu` and `clock` must outlive the routes; destroying them stops the upstream fetch threads.
class TileRoutes {
public:
    /// Throws std::invalid_argument for settings that UpstreamUrlProblem or the ranges above refuse.
    TileRoutes(TileSettings settings, boost::asio::thread_pool& cpu, const Clock& clock);
    ~TileRoutes();
    TileRoutes(const TileRoutes&) = delete;
    TileRoutes& operator=(const TileRoutes&) = delete;

    /// The route declarations (the handlers point into this object).
    std::vector<http::Route> Routes();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace strava1::tiles
