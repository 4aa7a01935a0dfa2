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
    fuzz::RunXmlImporter(std::string_view(reinterpret_cast<const char*>(data), size), ParseTcx, DataType::kTcxGz);
    return 0;
}
