#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strava1::http {

/// One part of a multipart/form-data body (RFC 7578). `body` points into the request body.
struct FormPart {
    std::string name;                     ///< Content-Disposition name
    std::optional<std::string> filename;  ///< Content-Disposition filename, when a file
    std::string content_type;             ///< the part's Content-Type; "text/plain" when absent
    std::string_view body;
};

/// The boundary of a multipart/form-data Content-Type header value, or nullopt when the value is
/// not multipart/form-data or has no usable boundary (1..70 characters, RFC 2046).
std::optional<std::string> MultipartBoundary(std::string_view content_type);

/// Splits a multipart/form-data body. Throws Error(kInvalidArgument) naming what is wrong (missing
/// boundary, a part without Content-Disposition or name, no closing delimiter, more than
/// `max_parts` parts, a repeated part name). Linear in the body size; no copies of part bodies.
std::vector<FormPart> ParseMultipart(std::string_view content_type, std::string_view body, std::size_t max_parts = 16);

}  // namespace strava1::http
