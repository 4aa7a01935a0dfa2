#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "strava1/formats/activity.hpp"

/// Entry points of the importers. Pure functions: bytes in, values out, no I/O, no global state,
/// safe to call from any thread at once. Linear in the input; bad input gives a ParseError, never a
/// crash, an exception or an assertion.
namespace strava1::formats {

/// Bounds that keep one hostile file from taking the server down. The defaults suit uploads.
struct Limits {
    std::size_t max_input_bytes = 64u << 20;          ///< the (compressed) bytes given to Parse
    std::size_t max_decompressed_bytes = 256u << 20;  ///< a .gz expanding past this is a gzip bomb
    std::size_t max_points = 5'000'000;               ///< samples per file, all activities together
    std::size_t max_xml_depth = 64;                   ///< element nesting in GPX/TCX
};

enum class DataType : std::uint8_t { kGpx, kTcx, kFit, kGpxGz, kTcxGz, kFitGz };

/// "gpx", "tcx", "fit", "gpx.gz", "tcx.gz", "fit.gz" (the Strava upload API's data_type values).
std::optional<DataType> ParseDataType(std::string_view name) noexcept;
const char* DataTypeName(DataType type) noexcept;

/// Guesses the type from the first bytes (gzip magic, ".FIT" signature, <gpx / <TrainingCenterDatabase).
std::optional<DataType> SniffDataType(std::string_view bytes) noexcept;

Result<ImportedFile> ParseGpx(std::string_view bytes, const Limits& limits = {});
Result<ImportedFile> ParseTcx(std::string_view bytes, const Limits& limits = {});
Result<ImportedFile> ParseFit(std::string_view bytes, const Limits& limits = {});

/// Decompresses a gzip member stream, refusing output beyond limits.max_decompressed_bytes. Counts
/// first (gzip.hpp), so a bomb is refused before any output is allocated.
Result<std::string> Gunzip(std::string_view bytes, const Limits& limits = {});

/// Dispatches on `type`, decompressing the .gz variants first.
Result<ImportedFile> Parse(std::string_view bytes, DataType type, const Limits& limits = {});

}  // namespace strava1::formats
