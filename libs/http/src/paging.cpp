#include "strava1/http/paging.hpp"

#include <cctype>
#include <charconv>

#include "strava1/base/crypto.hpp"

namespace strava1::http {

std::string EncodeCursor(std::span<const std::int64_t> key) {
    std::string raw;
    for (std::size_t part_idx = 0; part_idx < key.size(); ++part_idx) {
        raw += (part_idx == 0 ? "" : ".") + std::to_string(key[part_idx]);
    }
    return crypto::Base64UrlEncode(raw);
}

std::optional<std::vector<std::int64_t>> DecodeCursor(std::string_view cursor, std::size_t parts) {
    if (cursor.size() > 64 || parts == 0) {
        return std::nullopt;
    }
    auto raw = crypto::Base64UrlDecode(cursor);
    if (!raw) {
        return std::nullopt;
    }
    std::vector<std::int64_t> key;
    const char* at = raw->data();
    const char* end = raw->data() + raw->size();
    while (key.size() < parts) {
        std::int64_t value = 0;
        auto [next, ec] = std::from_chars(at, end, value);
        if (ec != std::errc() || next == at) {
            return std::nullopt;
        }
        key.push_back(value);
        if (key.size() < parts) {
            if (next == end || *next != '.') {
                return std::nullopt;
            }
            ++next;
        }
        at = next;
    }
    if (at != end) {
        return std::nullopt;
    }
    return key;
}

std::optional<std::string> Page::NextCursor(int fetched, std::span<const std::int64_t> last_shown_key) const {
    if (fetched <= limit) {
        return std::nullopt;
    }
    return EncodeCursor(last_shown_key);
}

int ReadLimit(const Request& request, FieldErrors& errors, PageLimits limits) {
    auto text = request.QueryParam("limit");
    if (!text) {
        return limits.default_size;
    }
    // As std::stoi reads it (the lists always did): leading blanks and a '+' are allowed.
    std::string_view digits = *text;
    while (!digits.empty() && std::isspace(static_cast<unsigned char>(digits.front()))) {
        digits.remove_prefix(1);
    }
    if (digits.starts_with('+')) {
        digits.remove_prefix(1);
    }
    int value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value < 1 ||
        value > limits.max_size) {
        errors.Add("limit", "must be an integer from 1 to " + std::to_string(limits.max_size));
        return limits.default_size;
    }
    return value;
}

std::optional<std::vector<std::int64_t>> ReadCursor(const Request& request, std::size_t cursor_parts,
                                                    FieldErrors& errors) {
    auto text = request.QueryParam("cursor");
    if (!text) {
        return std::nullopt;
    }
    auto key = DecodeCursor(*text, cursor_parts);
    if (!key) {
        errors.Add("cursor", "is not a cursor this server gave out");
    }
    return key;
}

Page ReadPage(const Request& request, std::size_t cursor_parts, FieldErrors& errors, PageLimits limits) {
    Page page;
    page.limit = ReadLimit(request, errors, limits);
    page.after = ReadCursor(request, cursor_parts, errors);
    return page;
}

}  // namespace strava1::http
