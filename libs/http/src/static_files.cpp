#include "strava1/http/static_files.hpp"

#include <zlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace strava1::http {
namespace fs = std::filesystem;

StaticFiles::StaticFiles(fs::path root) : root_(fs::weakly_canonical(std::move(root))) {}

std::string_view StaticFiles::ContentTypeFor(const fs::path& file) {
    auto ext = file.extension().string();
    if (ext == ".html") {
        return "text/html; charset=utf-8";
    }
    if (ext == ".js" || ext == ".mjs") {
        return "text/javascript; charset=utf-8";
    }
    if (ext == ".css") {
        return "text/css; charset=utf-8";
    }
    if (ext == ".json") {
        return "application/json";
    }
    if (ext == ".webmanifest") {
        return "application/manifest+json";
    }
    if (ext == ".svg") {
        return "image/svg+xml";
    }
    if (ext == ".png") {
        return "image/png";
    }
    if (ext == ".ico") {
        return "image/x-icon";
    }
    if (ext == ".woff2") {
        return "font/woff2";
    }
    if (ext == ".txt") {
        return "text/plain; charset=utf-8";
    }
    return "application/octet-stream";
}

std::optional<Response> StaticFiles::ServeFile(const fs::path& relative, const Request& request) const {
    std::error_code ec;
    fs::path full = fs::weakly_canonical(root_ / relative, ec);
    if (ec) {
        return std::nullopt;
    }
    // The canonical path must stay under the root (defeats "..", encoded dots and symlinks out).
    auto [root_end, ignored] = std::mismatch(root_.begin(), root_.end(), full.begin(), full.end());
    if (root_end != root_.end() || !fs::is_regular_file(full, ec)) {
        return std::nullopt;
    }
    std::ifstream in(full, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    Response r = Response::Text(200, std::string(ContentTypeFor(full)), buf.str());
    std::string rel = relative.generic_string();
    if (rel.starts_with("assets/")) {
        r.SetHeader("Cache-Control", "public, max-age=31536000, immutable");
    } else {
        r.SetHeader("Cache-Control", "no-cache");
    }
    auto mtime = fs::last_write_time(full, ec);
    // Built by appends: GCC 12 at -O3 warns falsely (stringop-overflow) on the operator+ chain.
    std::string etag = "\"";
    etag.append(std::to_string(r.body.size()));
    etag.push_back('-');
    etag.append(std::to_string(ec ? 0 : mtime.time_since_epoch().count()));
    etag.push_back('"');
    r.SetHeader("ETag", etag);
    if (request.Header("if-none-match") == etag) {
        r.status = 304;
        r.body.clear();
    }
    return r;
}

std::optional<Response> StaticFiles::Serve(const Request& request) const {
    if (request.method != Method::kGet && request.method != Method::kHead) {
        return std::nullopt;
    }
    std::string path = request.path;
    if (path.find('\0') != std::string::npos) {
        return std::nullopt;
    }
    std::string relative = path.substr(1);
    if (relative.empty()) {
        relative = "index.html";
    } else if (relative.back() == '/') {
        relative += "index.html";
    }
    if (auto r = ServeFile(relative, request)) {
        return r;
    }
    if (auto r = ServeFile(relative + "/index.html", request)) {
        return r;
    }
    // SPA fallback: client-side routes have no extension; missing assets stay 404.
    std::string last = relative.substr(relative.find_last_of('/') + 1);
    if (last.find('.') == std::string::npos) {
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
