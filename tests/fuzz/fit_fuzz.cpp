// libFuzzer target for the FIT decoder (libs/formats/src/fit*.cpp): any input must give a value or
// a ParseError without a crash, a leak, a sanitizer report or an exception. An accepted file must
// also keep the model's invariants (formats_invariants.hpp, shared with the GPX/TCX targets).
//
// Random mutations almost never keep a file CRC valid, which would stop most inputs at the CRC
// check. So each input is decoded twice: as it is, and as the data section of a file whose header
// and CRCs are made to fit, which takes every mutation into the message decoder.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "formats_invariants.hpp"
#include "strava1/formats/activity.hpp"
#include "strava1/formats/parse.hpp"

namespace {

/// CRC-16/ARC, bit by bit: independent of the library's table-driven one on purpose.
std::uint16_t Crc16(std::string_view bytes) {
    std::uint16_t crc = 0;
    for (const char c : bytes) {
        crc ^= static_cast<std::uint8_t>(c);
        for (int bit_idx = 0; bit_idx < 8; ++bit_idx) {
            crc =
                (crc & 1) != 0 ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA001) : static_cast<std::uint16_t>(crc >> 1);
        }
    }
    return crc;
}

void AppendLe(std::string& out, std::uint64_t value, int size) {
    for (int byte_idx = 0; byte_idx < size; ++byte_idx) {
        out.push_back(static_cast<char>((value >> (8 * byte_idx)) & 0xFF));
    }
}

/// `data` as the data section of a well-formed 14-byte-header FIT file.
std::string Wrap(std::string_view data) {
    std::string file;
    file.push_back(14);
    file.push_back(0x20);
    AppendLe(file, 2132, 2);
    AppendLe(file, data.size(), 4);
    file += ".FIT";
    AppendLe(file, Crc16(file), 2);
    file += data;
    AppendLe(file, Crc16(file), 2);
    return file;
}

void Check(std::string_view input) {
    strava1::formats::Limits limits;
    limits.max_points = 200'000;  // keeps each run small; the limit path itself is exercised too
    const auto result = strava1::formats::ParseFit(input, limits);
    if (!result.ok()) {
        strava1::formats::fuzz::CheckError(result.error());
        if (!result.error().byte_offset || *result.error().byte_offset > input.size()) {
            std::abort();  // a FIT refusal also says where
        }
        return;
    }
    strava1::formats::fuzz::CheckImportedFile(result.value(), limits);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    Check(input);
    // A whole FIT file as input: its data section, with header and CRCs made valid.
    if (size > 16 && input.substr(8, 4) == ".FIT") {
        const std::size_t header = static_cast<std::uint8_t>(input[0]) == 12 ? 12 : 14;
        Check(Wrap(input.substr(header, size - header - 2)));
    } else {
        Check(Wrap(input));
    }
    return 0;
}
