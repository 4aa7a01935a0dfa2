#pragma once

// Array parameters in text form, for statements that take `$n::bigint[]` or `$n::text[]` (libpq sends
// every parameter as text here): one writer of the literal instead of one per repository.

#include <cstdint>
#include <string>
#include <vector>

namespace strava1::db {

/// {1,2,3}: a bigint[] parameter.
inline std::string Int64Array(const std::vector<std::int64_t>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) {
            out += ',';
        }
        out += std::to_string(values[i]);
    }
    out += '}';
    return out;
}

/// {"a","b\"c"}: a text[] parameter; every element quoted, '"' and '\' escaped, so any text is safe.
inline std::string TextArray(const std::vector<std::string>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        out += i ? ",\"" : "\"";
        for (char c : values[i]) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

}  // namespace strava1::db
