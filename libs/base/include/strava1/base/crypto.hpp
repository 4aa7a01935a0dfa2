#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strava1::crypto {

/// RFC 4648 §5 base64url without padding.
std::string Base64UrlEncode(std::string_view bytes);
/// Strict: rejects padding, characters outside the url alphabet and impossible lengths.
std::optional<std::string> Base64UrlDecode(std::string_view text);
/// Standard base64 (with padding), for PEM bodies and similar.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

/// Raw 32-byte SHA-256 digest.
std::string Sha256(std::string_view data);
/// Lower-case hex.
std::string Hex(std::string_view bytes);
/// Raw HMAC-SHA256.
std::string HmacSha256(std::string_view key, std::string_view data);
/// `n` bytes from the OS CSPRNG (OpenSSL RAND_bytes). Throws on failure.
std::string RandomBytes(std::size_t n);
/// Constant-time comparison of equal-length strings (false when lengths differ).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace strava1::crypto
