#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace strava1::accounts {

/// Each returns nullopt when valid, else the reason shown to the client for that field.
std::optional<std::string> CheckEmail(std::string_view email);
std::optional<std::string> CheckPassword(std::string_view password, std::string_view email);
std::optional<std::string> CheckUsername(std::string_view username);
std::optional<std::string> CheckDisplayName(std::string_view name);
std::optional<std::string> CheckTimeZone(std::string_view zone);
std::optional<std::string> CheckCountry(std::string_view code);
/// Valid UTF-8 of at most `max_chars` code points, without control characters other than \n and \t.
std::optional<std::string> CheckText(std::string_view text, std::size_t max_chars);

/// Lower-cases ASCII and trims surrounding spaces (emails compare case-insensitively).
std::string NormaliseEmail(std::string_view email);
/// Number of UTF-8 code points, or nullopt when `text` is not valid UTF-8.
std::optional<std::size_t> Utf8Length(std::string_view text);

}  // namespace strava1::accounts
