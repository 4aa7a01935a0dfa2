#include "strava1/tiles/tile_routes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "address.hpp"
#include "cache.hpp"
#include "proxy.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/base/json_writer.hpp"
#include "strava1/base/offload.hpp"
#include "upstream.hpp"

namespace strava1::tiles {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr int kMaxZoomLimit = 22;
/// What a browser may keep a tile for: a day, or until its signed URL expires if that is sooner;
/// a stale copy only briefly, so the fresh one follows once upstream is back.
constexpr std::int64_t kBrowserMaxAgeS = 24 * 3600;
constexpr std::int64_t kStaleBrowserMaxAgeS = 300;

/// The key from `path`, made (0600, in a 0700 directory) when missing. Two processes starting at
/// once agree: the key is written under a temporary name and linked into place, and whoever loses
/// the race reads the winner's.
std::string LoadOrCreateKey(const fs::path& path) {
    auto read = [&path] {
        std::string key;
        if (std::ifstream in(path); in) {
            std::getline(in, key);
        }
        return key;
    };
    std::string key = read();
    if (key.size() >= 43) {
        return key;
    }
    fs::create_directories(path.parent_path());
    fs::permissions(path.parent_path(), fs::perms::owner_all, fs::perm_options::replace);
    const fs::path temp = path.string() + ".tmp-" + crypto::Hex(crypto::RandomBytes(4));
    const std::string fresh = crypto::Base64UrlEncode(crypto::RandomBytes(32)) + "\n";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw std::runtime_error("cannot create " + temp.string());
    }
    const bool written =
        ::write(fd, fresh.data(), fresh.size()) == static_cast<ssize_t>(fresh.size()) && ::fsync(fd) == 0;
    ::close(fd);
    const bool linked = written && ::link(temp.c_str(), path.c_str()) == 0;
    ::unlink(temp.c_str());
    key = read();
    if (key.size() < 43) {
        throw std::runtime_error(linked ? "cannot read " + path.string() : "cannot write " + path.string());
    }
    return key;
}

std::string PathParam(const http::Request& request, const std::string& name) {
    auto it = request.path_params.find(name);
    return it == request.path_params.end() ? std::string() : it->second;
}

}  // namespace

std::optional<std::string> UpstreamUrlProblem(std::string_view url) {
    if (url == kDisabled) {
        return std::nullopt;
    }
    auto parsed = UpstreamTemplate::Parse(url);
    if (auto* problem = std::get_if<std::string>(&parsed)) {
        return *problem;
    }
    return std::nullopt;
}

std::optional<std::string> ContactProblem(std::string_view contact) {
    if (contact.size() > 200) {
        return "must be at most 200 characters";
    }
    const bool plain = std::all_of(contact.begin(), contact.end(),
                                   [](char c) { return c >= 0x20 && c < 0x7f && c != '(' && c != ')' && c != '\\'; });
    if (!plain) {
        return "must be printable ASCII without parentheses or backslashes (an e-mail address or a URL)";
    }
    return std::nullopt;
}

std::string UserAgent(std::string_view version, std::string_view contact) {
    std::string agent = "Strava+1/" + std::string(version) + " (+self-hosted";
    if (!contact.empty()) {
        agent += "; contact: " + std::string(contact);
    }
    return agent + ")";
}

struct TileRoutes::Impl {
    Impl(TileSettings s, asio::thread_pool& cpu_pool, const Clock& c)
        : settings(std::move(s)), cpu(cpu_pool), clock(c) {}

    asio::awaitable<http::Response> Source(http::RequestPtr request);
    asio::awaitable<http::Response> Tile(http::RequestPtr request);
    asio::awaitable<std::string> Key();

    TileSettings settings;
    asio::thread_pool& cpu;
    const Clock& clock;
    std::unique_ptr<DiskTileCache> cache;
    std::unique_ptr<CurlTileFetcher> fetcher;
    std::unique_ptr<TileProxy> proxy;  // null: tiles are turned off
    std::mutex key_mutex;
    std::string key;
};

TileRoutes::TileRoutes(TileSettings settings, asio::thread_pool& cpu, const Clock& clock) {
    if (auto problem = UpstreamUrlProblem(settings.upstream_url)) {
        throw std::invalid_argument("tile upstream URL " + *problem);
    }
    if (settings.max_zoom < 0 || settings.max_zoom > kMaxZoomLimit || settings.cache_bytes == 0 ||
        settings.user_agent.empty()) {
        throw std::invalid_argument("tile settings need a zoom 0..22, a cache bound and a User-Agent");
    }
    impl_ = std::make_unique<Impl>(std::move(settings), cpu, clock);
    Impl& impl = *impl_;
    if (impl.settings.upstream_url != kDisabled) {
        auto upstream = std::get<UpstreamTemplate>(UpstreamTemplate::Parse(impl.settings.upstream_url));
        impl.cache = std::make_unique<DiskTileCache>(impl.settings.cache_dir, impl.settings.cache_bytes);
        CurlFetcherOptions fetch;
        fetch.user_agent = impl.settings.user_agent;
        impl.fetcher = std::make_unique<CurlTileFetcher>(fetch);
        ProxyOptions proxy;
        proxy.max_tile_bytes = fetch.max_body_bytes;
        impl.proxy = std::make_unique<TileProxy>(std::move(upstream), *impl.cache, *impl.fetcher, cpu, clock, proxy);
    }
}

TileRoutes::~TileRoutes() = default;

std::vector<http::Route> TileRoutes::Routes() {
    Impl* impl = impl_.get();
    return {{.method = http::Method::kGet,
             .path = "/v1/tiles",
             .summary = "Where the map's tiles come from: a signed URL template and the attribution",
             .access = http::Access::SignedIn(),
             .body = http::Body::None(),
             .handler = [impl](http::RequestPtr request) { return impl->Source(std::move(request)); }},
            {.method = http::Method::kGet,
             .path = "/v1/tiles/{z}/{x}/{y}",
             .summary = "A map tile through the server's cache, with a signed URL",
             .access = http::Access::SignedUrl(),  // map libraries send no token
             .body = http::Body::None(),
             .handler = [impl](http::RequestPtr request) { return impl->Tile(std::move(request)); }}};
}

asio::awaitable<std::string> TileRoutes::Impl::Key() {
    {
        std::lock_guard lock(key_mutex);
        if (!key.empty()) {
            co_return key;
        }
    }
    auto load = [this] {
        std::lock_guard lock(key_mutex);
        if (key.empty()) {
            key = LoadOrCreateKey(settings.key_file);
        }
        return key;
    };
    co_return co_await OnCpu(cpu, load);
}

asio::awaitable<http::Response> TileRoutes::Impl::Source(http::RequestPtr request) {
    (void)request;
    std::string body;
    json::Writer w(body);
    w.BeginObject();
    w.Key("enabled").Bool(proxy != nullptr);
    if (proxy) {
        const std::int64_t expires = TileUrlExpiry(clock.Now());
        const std::string signing_key = co_await Key();
        w.Key("url").String("/v1/tiles/{z}/{x}/{y}?exp=" + std::to_string(expires) +
                            "&sig=" + SignTileUrl(signing_key, expires));
        w.Key("expires_at").String(FormatRfc3339(SystemTime{std::chrono::seconds(expires)}));
        w.Key("attribution").String(settings.attribution);
    } else {
        w.Key("url").Null();
        w.Key("expires_at").Null();
        w.Key("attribution").Null();
    }
    w.Key("min_zoom").Int(0);
    w.Key("max_zoom").Int(settings.max_zoom);
    w.Key("tile_size").Int(256);
    w.EndObject();
    http::Response response = http::Response::Text(200, "application/json", std::move(body));
    response.SetHeader("Cache-Control", "private, no-store");
    co_return response;
}

asio::awaitable<http::Response> TileRoutes::Impl::Tile(http::RequestPtr request) {
    if (!proxy) {
        throw Error(ErrorKind::kNotFound, "map tiles are turned off on this server");
    }
    auto parsed = ParseTileAddress(PathParam(*request, "z"), PathParam(*request, "x"), PathParam(*request, "y"),
                                   settings.max_zoom);
    if (auto* errors = std::get_if<std::vector<FieldError>>(&parsed)) {
        throw Error(ErrorKind::kInvalidArgument, "this is not a tile of the map", std::move(*errors));
    }
    const TileAddress tile = std::get<TileAddress>(parsed);
    const std::string signing_key = co_await Key();
    const auto exp = request->QueryParam("exp");
    const SystemTime now = clock.Now();
    switch (VerifyTileUrl(signing_key, exp, request->QueryParam("sig"), now)) {
        case TileUrlVerdict::kValid:
            break;
        case TileUrlVerdict::kExpired:
            throw Error(ErrorKind::kPermissionDenied, "this tile link has expired; get a new one from GET /v1/tiles");
        case TileUrlVerdict::kMalformed:
        case TileUrlVerdict::kBadSignature:
            throw Error(ErrorKind::kPermissionDenied, "this tile link is not valid; get one from GET /v1/tiles");
    }
    TileAnswer answer = co_await proxy->Get(tile);
    std::int64_t max_age = std::min<std::int64_t>(kBrowserMaxAgeS, std::stoll(*exp) - UnixSeconds(now));
    if (answer.source == TileSource::kStale) {
        max_age = std::min(max_age, kStaleBrowserMaxAgeS);
    }
    http::Response response =
        http::Response::Text(200, std::move(answer.tile.content_type), std::move(answer.tile.body));
    response.SetHeader("Cache-Control", "public, max-age=" + std::to_string(std::max<std::int64_t>(max_age, 0)));
    response.SetHeader("X-Tile-Cache", std::string(TileSourceName(answer.source)));
    co_return response;
}

}  // namespace strava1::tiles
