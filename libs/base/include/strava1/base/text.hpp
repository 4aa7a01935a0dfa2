#pragma once

// The one check for user-supplied text, whatever the way it arrives (JSON member, query parameter,
// multipart field): valid UTF-8, no control characters beyond what the field's kind allows, and a
// length counted in characters (code points), never in bytes.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace strava1::text {

/// What line structure a text field may have.
enum class Lines {
    kSingle,  ///< names, titles, ids: no control character at all (not even tab or newline)
    kMulti,   ///< descriptions, bios: tab, LF and CR-LF allowed; no other control character
};

/// Number of code points, or nullopt when `text` is not valid UTF-8 (overlong forms, surrogates,
/// code points above U+10FFFF and truncated sequences are all invalid).
std::optional<std::size_t> Utf8Length(std::string_view text);

/// Why `text` is not acceptable as a field of kind `lines`, or nullopt when it is. Control
/// characters are C0 (U+0000–U+001F), DEL and C1 (U+0080–U+009F). The reasons are client-facing
/// ("must not contain control characters", "must be 1 to 255 characters", ...).
std::optional<std::string> Check(std::string_view text, Lines lines, std::size_t min_chars, std::size_t max_chars);

/// Only the character rules of Check (UTF-8 and control characters), without a length bound.
std::optional<std::string> CheckCharacters(std::string_view text, Lines lines);

/// `text` without the spaces and tabs around it (HTTP's optional white space, RFC 9110 §5.6.3).
constexpr std::string_view TrimOws(std::string_view text) noexcept {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace strava1::text
