#include "strava1/storage/object_store.hpp"

#include "strava1/base/error.hpp"

namespace strava1::storage {
namespace {

bool IsSegmentChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

}  // namespace

std::optional<std::string> KeyProblem(std::string_view key) {
    if (key.empty()) {
        return "must not be empty";
    }
    if (key.size() > kMaxKeyBytes) {
        return "must be at most " + std::to_string(kMaxKeyBytes) + " bytes";
    }
    if (key.front() == '/') {
        return "must not start with '/'";
    }
    std::size_t segment_start = 0;
    while (true) {
        std::size_t slash = key.find('/', segment_start);
        std::string_view segment =
            key.substr(segment_start, slash == std::string_view::npos ? std::string_view::npos : slash - segment_start);
        if (segment.empty()) {
            return "must not contain an empty segment ('//' or a trailing '/')";
        }
        if (segment == "." || segment == "..") {
            return "must not contain a '.' or '..' segment";
        }
        for (char c : segment) {
            if (!IsSegmentChar(c)) {
                return "may contain only A-Z, a-z, 0-9, '.', '_', '-' and '/'";
            }
        }
        if (slash == std::string_view::npos) {
            return std::nullopt;
        }
        segment_start = slash + 1;
    }
}

void ValidateKey(std::string_view key) {
    if (auto problem = KeyProblem(key)) {
        throw InvalidField("key", "object key " + *problem);
    }
}

std::optional<std::string> ContentTypeProblem(std::string_view content_type) {
    if (content_type.empty()) {
        return "must not be empty";
    }
    if (content_type.size() > 255) {
        return "must be at most 255 bytes";
    }
    for (char c : content_type) {
        if (c < 0x20 || c > 0x7e) {
            return "must be printable ASCII";
        }
    }
    return std::nullopt;
}

}  // namespace strava1::storage
