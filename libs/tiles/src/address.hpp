#pragma once
// Pure pieces of the tile proxy: which tile a request names, where upstream that tile lives, the
// signed tile URL the web app is handed, and whether an upstream body is a tile at all.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "strava1/base/clock.hpp"
#include "strava1/base/error.hpp"

namespace strava1::tiles {

/// One tile of the Web Mercator pyramid: 0 <= x, y < 2^z.
struct TileAddress {
    int z = 0;
    std::uint32_t x = 0;
    std::uint32_t y = 0;

    /// "z/x/y": the cache's key and the file name's source.
    std::string Key() const;
    bool operator==(const TileAddress&) const = default;
};

/// The tile the path segments name, or every problem with them (fields "z", "x", "y"): each must
/// be a decimal integer, z in 0..max_zoom, x and y in 0..2^z-1.
std::variant<TileAddress, std::vector<FieldError>> ParseTileAddress(std::string_view z, std::string_view x,
                                                                    std::string_view y, int max_zoom);

/// An upstream tile URL template: http(s) with {z}, {x} and {y}, and optionally {s} (a subdomain
/// a, b or c, chosen by the tile so one tile always comes from the same host).
class UpstreamTemplate {
public:
    /// The template, or why it is unusable (for the settings error).
    static std::variant<UpstreamTemplate, std::string> Parse(std::string_view text);
    std::string Expand(const TileAddress& tile) const;
    const std::string& Text() const { return text_; }

private:
    explicit UpstreamTemplate(std::string text) : text_(std::move(text)) {}
    std::string text_;
};

/// The signed tile URLs: one signature covers every tile of a time window, so the template the
/// web app gets is the same for everybody within a day and browsers cache the tiles under it.
/// A template handed out at `now` is valid until the end of the next UTC day (24 to 48 hours).
std::int64_t TileUrlExpiry(SystemTime now);
/// base64url HMAC-SHA256 of the expiry under `key`.
std::string SignTileUrl(std::string_view key, std::int64_t expires_unix_s);

enum class TileUrlVerdict { kValid, kMalformed, kBadSignature, kExpired };
/// Checks the `exp` and `sig` query parameters (either may be missing). The signature is compared in
/// constant time before the expiry is looked at.
TileUrlVerdict VerifyTileUrl(std::string_view key, const std::optional<std::string>& exp,
                             const std::optional<std::string>& sig, SystemTime now);

/// Why an upstream 200 answer is not a tile we pass on (not an image type we serve, its bytes not
/// matching its type, empty or over `max_bytes`), or nullopt. Served types: PNG, JPEG, WebP.
std::optional<std::string> TileBodyProblem(std::string_view content_type, std::string_view body, std::size_t max_bytes);

}  // namespace strava1::tiles
