#include "validation.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>

namespace strava1::accounts {
namespace {

// The most common leaked passwords that still pass the length rule.
constexpr std::array<std::string_view, 24> kCommonPasswords = {
    "1234567890", "12345678910", "0123456789", "qwertyuiop", "1q2w3e4r5t", "password123", "password1234",
    "iloveyou123", "qwerty1234", "1qaz2wsx3edc", "abcdefghij", "abc1234567", "passw0rd123", "letmein1234",
    "football123", "welcome123", "monkey12345", "princess123", "aaaaaaaaaa", "0987654321", "1111111111",
    "qwertyuiop123", "administrator", "strava12345"};

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

std::optional<std::string> CheckText(std::string_view text, text::Lines lines, std::size_t max_chars) {
    return text::Check(text, lines, 0, max_chars);
}

std::string NormaliseEmail(std::string_view email) {
    while (!email.empty() && email.front() == ' ') {
        email.remove_prefix(1);
    }
    while (!email.empty() && email.back() == ' ') {
        email.remove_suffix(1);
    }
    return Lower(email);
}

std::optional<std::string> CheckEmail(std::string_view email) {
    if (email.size() < 3 || email.size() > 254) {
        return "must be a valid email address";
    }
    auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 || at != email.rfind('@') || at + 1 >= email.size()) {
        return "must be a valid email address";
    }
    auto domain = email.substr(at + 1);
    if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.') {
        return "must be a valid email address";
    }
    for (char c : email) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7F || c == ',' || c == '<' || c == '>' || c == '"') {
            return "must be a valid email address";
        }
    }
    return std::nullopt;
}

std::optional<std::string> CheckPassword(std::string_view password, std::string_view email) {
    auto len = text::Utf8Length(password);
    if (!len) {
        return "must be valid UTF-8";
    }
    if (*len < 10) {
        return "must be at least 10 characters";
    }
    if (*len > 128) {
        return "must be at most 128 characters";
    }
    std::string lower = Lower(password);
    if (!email.empty() && (lower == Lower(email) || lower == Lower(email.substr(0, email.find('@'))))) {
        return "must not be your email address";
    }
    if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password.front(); })) {
        return "must not repeat a single character";
    }
    if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), lower) != kCommonPasswords.end()) {
        return "is too common; choose another";
    }
    return std::nullopt;
}

std::optional<std::string> CheckUsername(std::string_view username) {
    if (username.size() < 3 || username.size() > 30) {
        return "must be 3 to 30 characters";
    }
    for (char c : username) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
        if (!ok) {
            return "may contain only letters, digits, '_' and '.'";
        }
    }
    return std::nullopt;
}

std::optional<std::string> CheckDisplayName(std::string_view name) {
    if (auto problem = text::Check(name, text::Lines::kSingle, 1, 80)) {
        return problem;
    }
    if (std::all_of(name.begin(), name.end(), [](char c) { return c == ' '; })) {
        return "must not be blank";
    }
    return std::nullopt;
}

std::optional<std::string> CheckTimeZone(std::string_view zone) {
    // GCC 12's library has no std::chrono::locate_zone, so consult the system tz database (tzdata)
    // directly, after making sure the name cannot walk out of it.
    const char* kReason = "must be an IANA time zone name such as Europe/Paris";
    if (zone.empty() || zone.size() > 64 || zone.front() == '/' || zone.find("..") != std::string_view::npos) {
        return kReason;
    }
    for (char c : zone) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '/' && c != '_' && c != '-' && c != '+') {
            return kReason;
        }
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(std::filesystem::path("/usr/share/zoneinfo") / std::string(zone), ec)) {
        return kReason;
    }
    return std::nullopt;
}

std::optional<std::string> CheckCountry(std::string_view code) {
    if (code.size() != 2 || !std::isupper(static_cast<unsigned char>(code[0])) ||
        !std::isupper(static_cast<unsigned char>(code[1]))) {
        return "must be an ISO 3166-1 alpha-2 code such as FR";
    }
    return std::nullopt;
}

}  // namespace strava1::accounts
