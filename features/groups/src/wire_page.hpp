#pragma once

// What every paged answer of groups shares (clubs, members, events, attendees, challenges): an
// array under its key, then next_cursor. Private to features/groups.

#include <optional>
#include <string>
#include <string_view>

#include "strava1/base/json_writer.hpp"

namespace strava1::groups {

inline void WriteNextCursor(json::Writer& w, const std::optional<std::string>& next_cursor) {
    w.Key("next_cursor");
    next_cursor ? w.String(*next_cursor) : w.Null();
}

/// `{"<key>": [write_row(w, row) for row < shown], "next_cursor": …}`.
template <class WriteRow>
std::string PageJson(std::string_view key, int shown, const std::optional<std::string>& next_cursor,
                     WriteRow&& write_row) {
    std::string out;
    json::Writer w(out);
    w.BeginObject().Key(key).BeginArray();
    for (int row = 0; row < shown; ++row) {
        write_row(w, row);
    }
    w.EndArray();
    WriteNextCursor(w, next_cursor);
    w.EndObject();
    return out;
}

}  // namespace strava1::groups
