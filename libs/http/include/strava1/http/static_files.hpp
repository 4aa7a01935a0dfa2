#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>

#include "strava1/http/message.hpp"

namespace strava1::http {

/// A file compiled into the binary (the web app, the OpenAPI document): views of static storage.
struct EmbeddedFile {
    std::string_view path;  ///< relative, '/'-separated: "index.html", "assets/index-3f2a.js"
    std::string_view data;
    std::string_view gzip;  ///< the same bytes gzip-compressed; empty when that would not pay
    std::string_view etag;  ///< quoted strong validator from the content hash
};

/// How long a client may keep a file without asking again.
enum class CachePolicy {
    kRevalidate,  ///< `no-cache`: every use revalidates (cheap with the ETag)
    kImmutable,   ///< hashed names: a year, never revalidated
};

/// Answers GET/HEAD for one embedded file: Content-Type from its name, the ETag (304 when it
/// matches If-None-Match), the gzip copy when the client accepts gzip (Vary: Accept-Encoding),
/// and the security headers of pages for HTML.
Response ServeEmbedded(const EmbeddedFile& file, const Request& request, CachePolicy cache);

/// Which Content-Security-Policy a page gets: the web app's, or the API docs page's (Redoc needs a
/// little more: inline styles, data: icons, a blob: worker).
enum class PagePolicy { kApp, kApiDocs };

/// The policy for a file of the web app: kApiDocs under docs/, else kApp.
PagePolicy PolicyFor(std::string_view relative_path);

/// The headers every HTML page carries: a Content-Security-Policy that lets the page load only
/// from this server (plus what it needs, see the comment on the policies in static_files.cpp), no
/// framing (`frame-ancestors 'none'` and `X-Frame-Options: DENY`), and a referrer policy.
void AddPageSecurityHeaders(Response& response, PagePolicy policy);

/// Serves the web app at `/`: from a directory (STRAVA1_WEB_DIR, for development) or from files
/// compiled into the binary. Hashed assets under /assets/ are immutable for a year, everything else
/// revalidates; paths without a file extension fall back to index.html (client-side routes), paths
/// under /assets/ never do. Directory mode never serves outside the root (no "..", no symlinks out).
/// Embedded mode without an index.html (the binary was built before the web app) answers every
/// page with a short HTML page saying so. Thread-safe after construction.
class StaticFiles {
public:
    explicit StaticFiles(std::filesystem::path root);
    /// `files` must outlive this object (they are static storage in practice).
    explicit StaticFiles(std::span<const EmbeddedFile> files);
    /// nullopt when the path is not a file here and not a client-side route.
    std::optional<Response> Serve(const Request& request) const;
    static std::string_view ContentTypeFor(std::string_view file_name);

private:
    std::optional<Response> ServeFile(const std::string& relative, const Request& request) const;
    std::optional<Response> ServeFromDisk(const std::filesystem::path& relative, const Request& request) const;

    std::optional<std::filesystem::path> root_;
    std::unordered_map<std::string_view, const EmbeddedFile*> embedded_;
};

/// gzip-compresses `data` (level 6). Used for JSON and text bodies above a size threshold.
std::string Gzip(std::string_view data);

}  // namespace strava1::http
