#pragma once

#include <filesystem>
#include <optional>

#include "strava1/http/message.hpp"

namespace strava1::http {

/// Serves the built web app (web/dist): hashed assets under /assets/ are immutable for a year,
/// everything else revalidates; paths without a file extension fall back to index.html (SPA).
/// Never serves outside the root (no "..", no symlinks out). Thread-safe (stateless reads).
class StaticFiles {
public:
    explicit StaticFiles(std::filesystem::path root);
    /// nullopt when the path is not a file here and not an SPA route.
    std::optional<Response> Serve(const Request& request) const;
    static std::string_view ContentTypeFor(const std::filesystem::path& file);

private:
    std::optional<Response> ServeFile(const std::filesystem::path& relative, const Request& request) const;
    std::filesystem::path root_;
};

/// gzip-compresses `data` (level 6). Used for JSON and text bodies above a size threshold.
std::string Gzip(std::string_view data);

}  // namespace strava1::http
