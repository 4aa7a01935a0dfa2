#include "strava1/http/static_files.hpp"

#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "accept_encoding.hpp"

namespace strava1::http {
namespace fs = std::filesystem;

namespace {

// Pages load everything from this server; scripts never come from anywhere else, inline or eval'd.
// Checked in Chromium (no console errors, no violation events; web/tests/browser). The web app's map
// tiles come through this server's tile proxy (libs/tiles), so its images are 'self' too; Preact
// sets style attributes through the CSSOM, which style-src does not restrict. Beyond 'self':
// - the API docs page (Redoc, under /docs/ only): style-src 'unsafe-inline' (its styled-components
//   inject <style> elements, and the page has one), img-src data: (its icons), worker-src blob:
//   (its search index runs in a worker made from a blob: URL).
constexpr std::string_view kAppPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'";
constexpr std::string_view kDocsPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'";

constexpr std::string_view kNotBuiltPage = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Strava+1: the web app is not built</title>
</head>
<body>
<h1>The web app was not built into this binary</h1>
<p>The server and its API are running (<a href="/healthz">/healthz</a>, <a href="/openapi.json">/openapi.json</a>),
but this <code>strava1</code> was compiled before the web app was built, so there is no app and no API
docs page to show.</p>
<p>Build the web app, then the binary: <code>make run</code> does both, or
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code> and rebuild <code>strava1</code>.
During development, <code>strava1 serve --web-dir=web/dist</code> serves a built web app from disk.</p>
</body>
</html>
)";

/// True when If-None-Match names `etag` (weak comparison, as RFC 9110 asks for GET) or is `*`.
bool Matches(std::string_view if_none_match, std::string_view etag) {
    while (!if_none_match.empty()) {
        auto comma = if_none_match.find(',');
        std::string_view item = if_none_match.substr(0, comma);
        if_none_match = comma == std::string_view::npos ? std::string_view() : if_none_match.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        while (!item.empty() && item.back() == ' ') {
            item.remove_suffix(1);
        }
        if (item.starts_with("W/")) {
            item.remove_prefix(2);
        }
        if (item == "*" || item == etag) {
            return true;
        }
    }
    return false;
}

bool IsHtml(std::string_view content_type) { return content_type.starts_with("text/html"); }

void SetCache(Response& r, CachePolicy cache) {
    r.SetHeader("Cache-Control", cache == CachePolicy::kImmutable ? "public, max-age=31536000, immutable" : "no-cache");
}

/// Answers 304 instead when the client's copy is current.
void RevalidateAgainst(Response& r, const Request& request, std::string_view etag) {
    r.SetHeader("ETag", std::string(etag));
    if (Matches(request.Header("if-none-match"), etag)) {
        r.status = 304;
        r.body.clear();
    }
}

CachePolicy CacheFor(std::string_view relative) {
    // Vite puts a content hash in every name under assets/; nothing else is named by content.
    return relative.starts_with("assets/") ? CachePolicy::kImmutable : CachePolicy::kRevalidate;
}

}  // namespace

PagePolicy PolicyFor(std::string_view relative) {
    return relative.starts_with("docs/") ? PagePolicy::kApiDocs : PagePolicy::kApp;
}

void AddPageSecurityHeaders(Response& response, PagePolicy policy) {
    response.SetHeader("Content-Security-Policy",
                       std::string(policy == PagePolicy::kApiDocs ? kDocsPolicy : kAppPolicy));
    response.SetHeader("X-Frame-Options", "DENY");
    // Tile servers (OpenStreetMap's among them) want to know the site; they get the origin only.
    response.SetHeader("Referrer-Policy", "strict-origin-when-cross-origin");
}

Response ServeEmbedded(const EmbeddedFile& file, const Request& request, CachePolicy cache) {
    const std::string_view content_type = StaticFiles::ContentTypeFor(file.path);
    const bool gzip = !file.gzip.empty() && AcceptsGzip(request.Header("accept-encoding"));
    Response r = Response::Text(200, std::string(content_type), std::string(gzip ? file.gzip : file.data));
    SetCache(r, cache);
    if (!file.gzip.empty()) {
        r.SetHeader("Vary", "Accept-Encoding");
    }
    if (gzip) {
        r.SetHeader("Content-Encoding", "gzip");
        // Each representation has its own validator: a cache must not swap one for the other.
        std::string etag(file.etag);
        etag.insert(etag.size() - 1, "-gz");
        RevalidateAgainst(r, request, etag);
    } else {
        RevalidateAgainst(r, request, file.etag);
    }
    if (IsHtml(content_type)) {
        AddPageSecurityHeaders(r, PolicyFor(file.path));
    }
    return r;
}

StaticFiles::StaticFiles(fs::path root) : root_(fs::weakly_canonical(std::move(root))) {}

StaticFiles::StaticFiles(std::span<const EmbeddedFile> files) {
    for (const EmbeddedFile& file : files) {
        embedded_.emplace(file.path, &file);
    }
}

std::string_view StaticFiles::ContentTypeFor(std::string_view file_name) {
    const auto dot = file_name.rfind('.');
    const std::string_view ext = dot == std::string_view::npos ? std::string_view() : file_name.substr(dot);
    static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".webp", "image/webp"},
        {".gif", "image/gif"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".wasm", "application/wasm"},
        {".txt", "text/plain; charset=utf-8"},
        {".xml", "application/xml"},
    };
    for (const auto& [known, type] : kTypes) {
        if (ext == known) {
            return type;
        }
    }
    return "application/octet-stream";
}

std::optional<Response> StaticFiles::ServeFromDisk(const fs::path& relative, const Request& request) const {
    std::error_code ec;
    fs::path full = fs::weakly_canonical(*root_ / relative, ec);
    if (ec) {
        return std::nullopt;
    }
    // The canonical path must stay under the root (defeats "..", encoded dots and symlinks out).
    auto [root_end, ignored] = std::mismatch(root_->begin(), root_->end(), full.begin(), full.end());
    if (root_end != root_->end() || !fs::is_regular_file(full, ec)) {
        return std::nullopt;
    }
    std::ifstream in(full, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    Response r = Response::Text(200, std::string(ContentTypeFor(full.filename().string())), buf.str());
    SetCache(r, CacheFor(relative.generic_string()));
    auto mtime = fs::last_write_time(full, ec);
    // Built by appends: GCC 12 at -O3 warns falsely (stringop-overflow) on the operator+ chain.
    std::string etag = "\"";
    etag.append(std::to_string(r.body.size()));
    etag.push_back('-');
    etag.append(std::to_string(ec ? 0 : mtime.time_since_epoch().count()));
    etag.push_back('"');
    RevalidateAgainst(r, request, etag);
    if (IsHtml(r.content_type)) {
        AddPageSecurityHeaders(r, PolicyFor(relative.generic_string()));
    }
    return r;
}

std::optional<Response> StaticFiles::ServeFile(const std::string& relative, const Request& request) const {
    if (root_) {
        return ServeFromDisk(relative, request);
    }
    if (auto found = embedded_.find(relative); found != embedded_.end()) {
        return ServeEmbedded(*found->second, request, CacheFor(relative));
    }
    return std::nullopt;
}

std::optional<Response> StaticFiles::Serve(const Request& request) const {
    if (request.method != Method::kGet && request.method != Method::kHead) {
        return std::nullopt;
    }
    const std::string& path = request.path;
    if (path.empty() || path.front() != '/' || path.find('\0') != std::string::npos) {
        return std::nullopt;
    }
    std::string relative = path.substr(1);
    const bool is_asset = relative.starts_with("assets/");
    std::string last = relative.substr(relative.find_last_of('/') + 1);
    const bool client_route = !is_asset && last.find('.') == std::string::npos;
    if (!root_ && !embedded_.contains("index.html")) {
        if (!client_route) {
            return std::nullopt;
        }
        Response r = Response::Text(200, "text/html; charset=utf-8", std::string(kNotBuiltPage));
        AddPageSecurityHeaders(r, PagePolicy::kApp);
        return r;
    }
    if (relative.empty()) {
        relative = "index.html";
    } else if (relative.back() == '/') {
        relative += "index.html";
    }
    if (auto r = ServeFile(relative, request)) {
        return r;
    }
    if (is_asset) {
        return std::nullopt;  // a missing hashed asset is a 404, never the app shell
    }
    if (auto r = ServeFile(relative + "/index.html", request)) {
        return r;
    }
    // Client-side routes have no extension; a missing file that has one stays 404.
    if (client_route) {
        return ServeFile("index.html", request);
    }
    return std::nullopt;
}

std::string Gzip(std::string_view data) {
    z_stream zs{};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("deflateInit2 failed");
    }
    std::string out;
    out.resize(deflateBound(&zs, data.size()));
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&zs, Z_FINISH);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        throw std::runtime_error("deflate failed");
    }
    out.resize(zs.total_out);
    return out;
}

}  // namespace strava1::http
