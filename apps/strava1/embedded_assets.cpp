#include "embedded_assets.hpp"

#include <cstddef>
#include <vector>

// The table cmake/Strava1EmbedAssets.cmake writes in assembly: eight 64-bit words per file.
extern "C" {
struct Strava1EmbeddedEntry {
    const char* path;
    std::size_t path_size;
    const char* data;
    std::size_t data_size;
    const char* gzip;  // null when there is no gzip copy
    std::size_t gzip_size;
    const char* etag;
    std::size_t etag_size;
};
extern const Strava1EmbeddedEntry strava1_web_files[];
extern const std::size_t strava1_web_files_count;
extern const Strava1EmbeddedEntry strava1_openapi_json;
}

namespace strava1::app {
namespace {

http::EmbeddedFile ToFile(const Strava1EmbeddedEntry& entry) {
    return http::EmbeddedFile{
        {entry.path, entry.path_size},
        {entry.data, entry.data_size},
        entry.gzip == nullptr ? std::string_view() : std::string_view(entry.gzip, entry.gzip_size),
        {entry.etag, entry.etag_size},
    };
}

}  // namespace

std::span<const http::EmbeddedFile> EmbeddedWebFiles() {
    static const std::vector<http::EmbeddedFile> kFiles = [] {
        std::vector<http::EmbeddedFile> files;
        for (std::size_t idx = 0; idx < strava1_web_files_count; ++idx) {
            files.push_back(ToFile(strava1_web_files[idx]));
        }
        return files;
    }();
    return kFiles;
}

const http::EmbeddedFile& EmbeddedOpenApi() {
    static const http::EmbeddedFile kDocument = ToFile(strava1_openapi_json);
    return kDocument;
}

}  // namespace strava1::app
