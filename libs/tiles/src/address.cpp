#include "address.hpp"

#include <algorithm>
#include <charconv>

#include "strava1/base/crypto.hpp"

namespace strava1::tiles {
namespace {

constexpr std::int64_t kDay = 24 * 3600;

/// Digits only (no sign, no spaces), at most 10 of them; nullopt otherwise.
std::optional<std::uint64_t> ParseDecimal(std::string_view text) {
    if (text.empty() || text.size() > 10 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

}  // namespace

std::string TileAddress::Key() const { return std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y); }

std::variant<TileAddress, std::vector<FieldError>> ParseTileAddress(std::string_view z, std::string_view x,
                                                                    std::string_view y, int max_zoom) {
    std::vector<FieldError> errors;
    auto zoom = ParseDecimal(z);
    auto column = ParseDecimal(x);
    auto row = ParseDecimal(y);
    if (!zoom || *zoom > static_cast<std::uint64_t>(max_zoom)) {
        errors.push_back({"z", "must be an integer from 0 to " + std::to_string(max_zoom)});
    }
    const bool zoom_ok = errors.empty();
    const std::uint64_t side = zoom_ok ? (std::uint64_t{1} << *zoom) : 0;
    auto check = [&](const char* field, const std::optional<std::uint64_t>& value) {
        if (!value) {
            errors.push_back({field, "must be an integer"});
        } else if (zoom_ok && *value >= side) {
            errors.push_back({field, "must be an integer from 0 to " + std::to_string(side - 1) + " at zoom " +
                                         std::to_string(*zoom)});
        }
    };
    check("x", column);
    check("y", row);
    if (!errors.empty()) {
        return errors;
    }
    return TileAddress{static_cast<int>(*zoom), static_cast<std::uint32_t>(*column), static_cast<std::uint32_t>(*row)};
}

std::variant<UpstreamTemplate, std::string> UpstreamTemplate::Parse(std::string_view text) {
    std::string_view rest;
    if (StartsWith(text, "https://")) {
        rest = text.substr(8);
    } else if (StartsWith(text, "http://")) {
        rest = text.substr(7);
    } else {
        return std::string("must start with http:// or https://");
    }
    if (rest.empty() || rest.front() == '/' || (rest.front() == '{' && !StartsWith(rest, "{s}"))) {
        return std::string("must name a host");
    }
    if (std::any_of(text.begin(), text.end(), [](char c) {
            return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f;
        })) {
        return std::string("must not contain spaces or control characters");
    }
    bool seen_z = false;
    bool seen_x = false;
    bool seen_y = false;
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        if (text[pos] == '}') {
            return std::string("has a '}' that closes no placeholder");
        }
        if (text[pos] != '{') {
            continue;
        }
        std::string_view placeholder = text.substr(pos, 3);
        if (placeholder == "{z}") {
            seen_z = true;
        } else if (placeholder == "{x}") {
            seen_x = true;
        } else if (placeholder == "{y}") {
            seen_y = true;
        } else if (placeholder != "{s}") {
            return std::string("may use only the placeholders {z}, {x}, {y} and {s}");
        }
        pos += 2;
    }
    if (!seen_z || !seen_x || !seen_y) {
        return std::string("must contain {z}, {x} and {y}");
    }
    return UpstreamTemplate(std::string(text));
}

std::string UpstreamTemplate::Expand(const TileAddress& tile) const {
    static constexpr std::string_view kSubdomains[] = {"a", "b", "c"};
    std::string out;
    out.reserve(text_.size() + 16);
    for (std::size_t pos = 0; pos < text_.size(); ++pos) {
        if (text_[pos] != '{') {
            out += text_[pos];
            continue;
        }
        switch (text_[pos + 1]) {  // Parse admitted only the four three-character placeholders
            case 'z':
                out += std::to_string(tile.z);
                break;
            case 'x':
                out += std::to_string(tile.x);
                break;
            case 'y':
                out += std::to_string(tile.y);
                break;
            default:
                out += kSubdomains[(std::uint64_t{tile.x} + tile.y) % 3];
                break;
        }
        pos += 2;
    }
    return out;
}

std::int64_t TileUrlExpiry(SystemTime now) {
    const std::int64_t seconds = UnixSeconds(now);
    return (seconds / kDay + 2) * kDay;
}

std::string SignTileUrl(std::string_view key, std::int64_t expires_unix_s) {
    return crypto::Base64UrlEncode(crypto::HmacSha256(key, "strava1-tile-url-v1\n" + std::to_string(expires_unix_s)));
}

TileUrlVerdict VerifyTileUrl(std::string_view key, const std::optional<std::string>& exp,
                             const std::optional<std::string>& sig, SystemTime now) {
    if (!exp || !sig) {
        return TileUrlVerdict::kMalformed;
    }
    auto expires = ParseDecimal(*exp);
    if (!expires || exp->front() == '0') {
        return TileUrlVerdict::kMalformed;
    }
    const std::string expected = SignTileUrl(key, static_cast<std::int64_t>(*expires));
    if (!crypto::ConstantTimeEqual(expected, *sig)) {
        return TileUrlVerdict::kBadSignature;
    }
    if (UnixSeconds(now) >= static_cast<std::int64_t>(*expires)) {
        return TileUrlVerdict::kExpired;
    }
    return TileUrlVerdict::kValid;
}

std::optional<std::string> TileBodyProblem(std::string_view content_type, std::string_view body,
                                           std::size_t max_bytes) {
    std::string type(content_type.substr(0, content_type.find(';')));
    while (!type.empty() && type.back() == ' ') {
        type.pop_back();
    }
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (body.empty()) {
        return "an empty body";
    }
    if (body.size() > max_bytes) {
        return "a body of " + std::to_string(body.size()) + " bytes, over the " + std::to_string(max_bytes) +
               "-byte limit";
    }
    // The bytes must be what the type says: an error page labelled image/png is not a tile.
    bool matches = false;
    if (type == "image/png") {
        matches = StartsWith(body, "\x89PNG\r\n\x1a\n");
    } else if (type == "image/jpeg") {
        matches = StartsWith(body, "\xff\xd8\xff");
    } else if (type == "image/webp") {
        matches = body.size() >= 12 && StartsWith(body, "RIFF") && body.substr(8, 4) == "WEBP";
    } else {
        return "content type \"" + type + "\", not a PNG, JPEG or WebP image";
    }
    if (!matches) {
        return "a body that is not the " + type + " it claims to be";
    }
    return std::nullopt;
}

}  // namespace strava1::tiles
