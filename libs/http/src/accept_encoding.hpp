#pragma once

#include <string_view>

namespace strava1::http {

/// Whether a client takes gzip, as both the server's compression and the embedded files decide it:
/// "gzip" listed and not refused with q=0 (good enough for every real client; no full q-value parse).
inline bool AcceptsGzip(std::string_view accept_encoding) {
    auto pos = accept_encoding.find("gzip");
    if (pos == std::string_view::npos) {
        return false;
    }
    auto rest = accept_encoding.substr(pos + 4);
    return !(rest.starts_with(";q=0") && !rest.starts_with(";q=0."));
}

}  // namespace strava1::http
