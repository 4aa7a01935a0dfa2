// libFuzzer target for the TCX importer (activities, laps, courses) and the layers under it: the
// hardened expat layer (entities, depth, encodings), RFC 3339 and number parsing, the track
// builder, and - through the .gz entry point - Gunzip and SniffDataType. Any input must give a
// value that keeps the model's invariants or a ParseError with a reason; crashes, leaks, sanitizer
// reports and broken invariants are findings.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats_invariants.hpp"
#include "strava1/formats/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace strava1::formats;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    Limits limits;
    limits.max_points = 20'000;
    limits.max_decompressed_bytes = 4u << 20;  // keeps each run fast; the logic is the same
    limits.max_xml_depth = 32;

    const Result<ImportedFile> parsed = ParseTcx(input, limits);
    if (parsed.ok()) {
        fuzz::CheckImportedFile(parsed.value(), limits);
    } else {
        fuzz::CheckError(parsed.error());
    }
    const Result<ImportedFile> gzipped = Parse(input, DataType::kTcxGz, limits);
    if (gzipped.ok()) {
        fuzz::CheckImportedFile(gzipped.value(), limits);
    } else {
        fuzz::CheckError(gzipped.error());
    }
    (void)SniffDataType(input);
    return 0;
}
