#include "people_search.hpp"

namespace strava1::accounts {

ParsedSearch ParseSearch(std::string_view q) {
    auto space = [](char c) { return c == ' ' || c == '\t'; };
    while (!q.empty() && space(q.front())) {
        q.remove_prefix(1);
    }
    while (!q.empty() && space(q.back())) {
        q.remove_suffix(1);
    }
    if (q.empty()) {
        return {std::nullopt, "must not be empty"};
    }
    std::size_t chars = 0;
    for (std::size_t i = 0; i < q.size();) {
        auto c = static_cast<unsigned char>(q[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > q.size()) {
            return {std::nullopt, "must be UTF-8 text"};
        }
        for (std::size_t k = 1; k < len; ++k) {
            if ((static_cast<unsigned char>(q[i + k]) >> 6) != 0x2) {
                return {std::nullopt, "must be UTF-8 text"};
            }
        }
        if (c < 0x20 || c == 0x7F) {
            return {std::nullopt, "must not hold control characters"};
        }
        i += len;
        ++chars;
    }
    if (chars > kMaxSearchChars) {
        return {std::nullopt, "must be at most " + std::to_string(kMaxSearchChars) + " characters"};
    }
    SearchTerms terms;
    terms.text.reserve(q.size());
    for (char c : q) {
        terms.text += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return {std::move(terms), {}};
}

}  // namespace strava1::accounts
