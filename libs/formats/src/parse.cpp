#include "strava1/formats/parse.hpp"

#include <zlib.h>

#include <array>
#include <cstring>
#include <string>
#include <string_view>

namespace strava1::formats {
namespace {

struct DataTypeEntry {
    DataType type;
    const char* name;
};

constexpr std::array<DataTypeEntry, 6> kDataTypes = {{
    {DataType::kGpx, "gpx"},
    {DataType::kTcx, "tcx"},
    {DataType::kFit, "fit"},
    {DataType::kGpxGz, "gpx.gz"},
    {DataType::kTcxGz, "tcx.gz"},
    {DataType::kFitGz, "fit.gz"},
}};

// How far into a file the root element is looked for (XML declaration, comments, a BOM).
constexpr std::size_t kSniffBytes = 4096;

bool EqualsAsciiNoCase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t char_idx = 0; char_idx < a.size(); ++char_idx) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[char_idx]) != lower(b[char_idx])) {
            return false;
        }
    }
    return true;
}

bool IsFit(std::string_view bytes) noexcept {
    if (bytes.size() < 12) {
        return false;
    }
    const auto header_size = static_cast<unsigned char>(bytes[0]);
    return (header_size == 12 || header_size == 14) && bytes.substr(8, 4) == ".FIT";
}

/// Where the root element `name` starts in `sample` ("<name" or "<prefix:name", followed by a
/// delimiter), or npos.
std::size_t FindRoot(std::string_view sample, std::string_view name) noexcept {
    for (std::size_t pos = sample.find(name); pos != std::string_view::npos; pos = sample.find(name, pos + 1)) {
        if (pos == 0) {
            continue;
        }
        const char before = sample[pos - 1];
        const std::size_t after_pos = pos + name.size();
        const char after = after_pos < sample.size() ? sample[after_pos] : ' ';
        const bool delimited =
            after == ' ' || after == '>' || after == '/' || after == '\n' || after == '\r' || after == '\t';
        if (!delimited) {
            continue;
        }
        if (before == '<') {
            return pos;
        }
        if (before == ':') {  // a prefixed root: find its '<' through the prefix characters
            std::size_t start = pos - 1;
            while (start > 0 && sample[start - 1] != '<' && sample[start - 1] != ' ' && sample[start - 1] != '/') {
                --start;
            }
            if (start > 0 && sample[start - 1] == '<') {
                return pos;
            }
        }
    }
    return std::string_view::npos;
}

std::optional<DataType> SniffXml(std::string_view bytes) noexcept {
    std::array<char, kSniffBytes> narrowed{};
    std::string_view sample = bytes.substr(0, kSniffBytes);
    // UTF-16 (with its BOM): look at the low bytes only, which is enough to find ASCII names.
    if (bytes.size() >= 2) {
        const auto b0 = static_cast<unsigned char>(bytes[0]);
        const auto b1 = static_cast<unsigned char>(bytes[1]);
        if ((b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)) {
            const std::size_t low = b0 == 0xFF ? 0 : 1;
            std::size_t size = 0;
            for (std::size_t byte_idx = 2 + low; byte_idx < bytes.size() && size < narrowed.size(); byte_idx += 2) {
                narrowed[size++] = bytes[byte_idx];
            }
            sample = std::string_view(narrowed.data(), size);
        }
    }
    const std::size_t gpx = FindRoot(sample, "gpx");
    const std::size_t tcx = FindRoot(sample, "TrainingCenterDatabase");
    if (gpx == std::string_view::npos && tcx == std::string_view::npos) {
        return std::nullopt;
    }
    return gpx < tcx ? DataType::kGpx : DataType::kTcx;
}

/// The first few KiB of a gzip stream's content (enough to tell the inner type), or empty.
std::string_view GunzipPrefix(std::string_view bytes, std::array<char, kSniffBytes>& out) noexcept {
    z_stream stream;
    std::memset(&stream, 0, sizeof(stream));
    if (inflateInit2(&stream, 15 + 16) != Z_OK) {
        return {};
    }
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    stream.avail_in = static_cast<uInt>(std::min<std::size_t>(bytes.size(), 1u << 30));
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    int status = Z_OK;
    while (status == Z_OK && stream.avail_out > 0) {
        status = inflate(&stream, Z_NO_FLUSH);
    }
    const std::size_t produced = out.size() - stream.avail_out;
    inflateEnd(&stream);
    return std::string_view(out.data(), produced);
}

ParseError TooLarge(std::size_t size, std::size_t limit) {
    ParseError error;
    error.reason = "input of " + std::to_string(size) + " bytes is over the limit of " + std::to_string(limit) +
                   " bytes (Limits::max_input_bytes)";
    error.byte_offset = limit;
    return error;
}

}  // namespace

std::optional<DataType> ParseDataType(std::string_view name) noexcept {
    if (!name.empty() && name.front() == '.') {
        name.remove_prefix(1);
    }
    for (const DataTypeEntry& entry : kDataTypes) {
        if (EqualsAsciiNoCase(name, entry.name)) {
            return entry.type;
        }
    }
    return std::nullopt;
}

const char* DataTypeName(DataType type) noexcept {
    for (const DataTypeEntry& entry : kDataTypes) {
        if (entry.type == type) {
            return entry.name;
        }
    }
    return "unknown";
}

std::optional<DataType> SniffDataType(std::string_view bytes) noexcept {
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
        static_cast<unsigned char>(bytes[1]) == 0x8b) {
        std::array<char, kSniffBytes> buffer{};
        const std::string_view inner = GunzipPrefix(bytes, buffer);
        if (IsFit(inner)) {
            return DataType::kFitGz;
        }
        const std::optional<DataType> xml = SniffXml(inner);
        if (!xml) {
            return std::nullopt;
        }
        return *xml == DataType::kGpx ? DataType::kGpxGz : DataType::kTcxGz;
    }
    if (IsFit(bytes)) {
        return DataType::kFit;
    }
    return SniffXml(bytes);
}

Result<ImportedFile> Parse(std::string_view bytes, DataType type, const Limits& limits) {
    if (bytes.size() > limits.max_input_bytes) {
        return TooLarge(bytes.size(), limits.max_input_bytes);
    }
    switch (type) {
        case DataType::kGpx:
            return ParseGpx(bytes, limits);
        case DataType::kTcx:
            return ParseTcx(bytes, limits);
        case DataType::kFit:
            return ParseFit(bytes, limits);
        case DataType::kGpxGz:
        case DataType::kTcxGz:
        case DataType::kFitGz:
            break;
    }
    Result<std::string> inflated = Gunzip(bytes, limits);
    if (!inflated) {
        return inflated.error();
    }
    const std::string_view inner = inflated.value();
    switch (type) {
        case DataType::kGpxGz:
            return ParseGpx(inner, limits);
        case DataType::kTcxGz:
            return ParseTcx(inner, limits);
        default:
            return ParseFit(inner, limits);
    }
}

}  // namespace strava1::formats
