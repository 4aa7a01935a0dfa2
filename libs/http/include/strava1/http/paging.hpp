#pragma once

// Cursor pagination, as every list of the API pages (`?limit=&cursor=`, `next_cursor` in the body;
// docs/api/openapi.yaml `Limit` and `Cursor`). A cursor is opaque to clients: the sort key of the
// last row a page showed (e.g. its start time and id), which the next page's query continues after.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/base/field_errors.hpp"
#include "strava1/http/message.hpp"

namespace strava1::http {

/// Page sizes of one list.
struct PageLimits {
    int default_size = 30;
    int max_size = 100;
};

/// The cursor for a sort key: base64url of its integers joined by '.'.
std::string EncodeCursor(std::span<const std::int64_t> key);
/// The `parts` integers of a cursor EncodeCursor made, or nullopt for anything else (at most 64
/// characters).
std::optional<std::vector<std::int64_t>> DecodeCursor(std::string_view cursor, std::size_t parts);

/// One list request's page: how many rows, and after which sort key.
struct Page {
    int limit = 30;
    std::optional<std::vector<std::int64_t>> after;  ///< the cursor's key; nullopt: the first page

    /// Rows to fetch: one more than the page shows tells whether there is a next page.
    int FetchCount() const noexcept { return limit + 1; }
    /// Rows of `fetched` the page shows.
    int Shown(int fetched) const noexcept { return fetched < limit ? fetched : limit; }
    /// The next page's cursor, from the key of the last row shown, when more rows were fetched than
    /// shown; nullopt (JSON null) on the last page.
    std::optional<std::string> NextCursor(int fetched, std::span<const std::int64_t> last_shown_key) const;
};

/// Reads `?limit=` (an integer from 1 to limits.max_size; absent: limits.default_size) and
/// `?cursor=` (a cursor of `cursor_parts` integers this server gave out) into a Page; what is wrong
/// is added to `errors` under "limit" or "cursor".
Page ReadPage(const Request& request, std::size_t cursor_parts, FieldErrors& errors, PageLimits limits = {});
/// The two halves of ReadPage, for a list whose other query parameters are checked in between.
int ReadLimit(const Request& request, FieldErrors& errors, PageLimits limits = {});
std::optional<std::vector<std::int64_t>> ReadCursor(const Request& request, std::size_t cursor_parts,
                                                    FieldErrors& errors);

}  // namespace strava1::http
