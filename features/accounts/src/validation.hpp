#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "strava1/base/text.hpp"

namespace strava1::accounts {

/// Each returns nullopt when valid, else the reason shown to the client for that field.
std::optional<std::string> CheckEmail(std::string_view email);
std::optional<std::string> CheckPassword(std::string_view password, std::string_view email);
std::optional<std::string> CheckUsername(std::string_view username);
std::optional<std::string> CheckTimeZone(std::string_view zone);
std::optional<std::string> CheckCountry(std::string_view code);
/// Display name: one line of 1 to 80 characters, not only spaces.
std::optional<std::string> CheckDisplayName(std::string_view name);
/// Free text of the profile, with the shared rules of text::Check (characters, not bytes).
std::optional<std::string> CheckText(std::string_view text, text::Lines lines, std::size_t max_chars);

/// Lower-cases ASCII and trims surrounding spaces (emails compare case-insensitively).
std::string NormaliseEmail(std::string_view email);

}  // namespace strava1::accounts
