#include "strava1/base/text.hpp"

#include <cstdint>

namespace strava1::text {
namespace {

/// Decodes the code point at `idx`; returns its length in bytes, 0 when the sequence is invalid.
std::size_t Decode(std::string_view text, std::size_t idx, std::uint32_t& cp) {
    auto c = static_cast<unsigned char>(text[idx]);
    std::size_t len = 0;
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (idx + len > text.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < len; ++k) {
        auto cc = static_cast<unsigned char>(text[idx + k]);
        if ((cc & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates (a lone or paired surrogate encoded directly is not UTF-8) and
    // code points past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

bool IsControl(std::uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

enum class Verdict { kOk, kBadUtf8, kControl };

Verdict Scan(std::string_view text, Lines lines, std::size_t& count) {
    count = 0;
    for (std::size_t idx = 0; idx < text.size();) {
        std::uint32_t cp = 0;
        std::size_t len = Decode(text, idx, cp);
        if (len == 0) {
            return Verdict::kBadUtf8;
        }
        if (IsControl(cp)) {
            bool allowed = lines == Lines::kMulti &&
                           (cp == '\t' || cp == '\n' || (cp == '\r' && idx + 1 < text.size() && text[idx + 1] == '\n'));
            if (!allowed) {
                return Verdict::kControl;
            }
        }
        idx += len;
        ++count;
    }
    return Verdict::kOk;
}

std::optional<std::string> Reason(Verdict verdict, Lines lines) {
    switch (verdict) {
        case Verdict::kOk:
            return std::nullopt;
        case Verdict::kBadUtf8:
            return "must be valid UTF-8";
        case Verdict::kControl:
            return lines == Lines::kSingle ? "must be one line without control characters"
                                           : "must not contain control characters other than tab and line breaks";
    }
    return std::nullopt;
}

/// Only white space: ASCII space, tab, CR, LF, and the no-break space U+00A0.
bool IsBlank(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        }
        if (c == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0') {
            ++i;
            continue;
        }
        return false;
    }
    return true;
}

}  // namespace

std::optional<std::size_t> Utf8Length(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t idx = 0; idx < text.size(); ++count) {
        std::uint32_t cp = 0;
        std::size_t len = Decode(text, idx, cp);
        if (len == 0) {
            return std::nullopt;
        }
        idx += len;
    }
    return count;
}

std::optional<std::string> CheckCharacters(std::string_view text, Lines lines) {
    std::size_t count = 0;
    return Reason(Scan(text, lines, count), lines);
}

std::optional<std::string> Check(std::string_view text, Lines lines, std::size_t min_chars, std::size_t max_chars) {
    std::size_t count = 0;
    if (auto reason = Reason(Scan(text, lines, count), lines)) {
        return reason;
    }
    if (count < min_chars || count > max_chars) {
        if (min_chars == 0) {
            return "must be at most " + std::to_string(max_chars) + " characters";
        }
        return "must be " + std::to_string(min_chars) + " to " + std::to_string(max_chars) + " characters";
    }
    // A required field of spaces is as empty to a reader as "" (the web forms say "is required").
    if (min_chars > 0 && IsBlank(text)) {
        return "must not be blank";
    }
    return std::nullopt;
}

}  // namespace strava1::text
