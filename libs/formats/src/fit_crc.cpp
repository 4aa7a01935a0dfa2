#include "fit_crc.hpp"

#include <array>
#include <cstddef>

namespace strava1::formats::fit {
namespace {

/// Garmin's nibble table: the CRC-16/ARC remainder of each 4-bit value.
constexpr std::array<std::uint16_t, 16> kNibbleTable = {
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
};

constexpr std::uint16_t NibbleStep(std::uint16_t crc, std::uint8_t nibble) {
    const std::uint16_t tmp = kNibbleTable[crc & 0xF];
    crc = static_cast<std::uint16_t>((crc >> 4) & 0x0FFF);
    return static_cast<std::uint16_t>(crc ^ tmp ^ kNibbleTable[nibble & 0xF]);
}

/// Eight bytes per step ("slicing by 8"): table k holds the CRC of a byte followed by k zero bytes.
/// The tables derive from the nibble table at compile time, so they cannot disagree with it.
constexpr std::array<std::array<std::uint16_t, 256>, 8> MakeTables() {
    std::array<std::array<std::uint16_t, 256>, 8> tables{};
    for (std::size_t value = 0; value < 256; ++value) {
        std::uint16_t crc = 0;
        crc = NibbleStep(crc, static_cast<std::uint8_t>(value & 0xF));
        crc = NibbleStep(crc, static_cast<std::uint8_t>(value >> 4));
        tables[0][value] = crc;
    }
    for (std::size_t slice = 1; slice < tables.size(); ++slice) {
        for (std::size_t value = 0; value < 256; ++value) {
            const std::uint16_t previous = tables[slice - 1][value];
            tables[slice][value] = static_cast<std::uint16_t>((previous >> 8) ^ tables[0][previous & 0xFF]);
        }
    }
    return tables;
}

constexpr std::array<std::array<std::uint16_t, 256>, 8> kTables = MakeTables();

static_assert(kTables[0][0x31] == NibbleStep(NibbleStep(0, 0x1), 0x3));

}  // namespace

std::uint16_t FitCrc16(std::string_view bytes, std::uint16_t crc) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t left = bytes.size();
    while (left >= 8) {
        const auto b0 = static_cast<std::uint8_t>(p[0] ^ (crc & 0xFF));
        const auto b1 = static_cast<std::uint8_t>(p[1] ^ (crc >> 8));
        crc = static_cast<std::uint16_t>(kTables[7][b0] ^ kTables[6][b1] ^ kTables[5][p[2]] ^ kTables[4][p[3]] ^
                                         kTables[3][p[4]] ^ kTables[2][p[5]] ^ kTables[1][p[6]] ^ kTables[0][p[7]]);
        p += 8;
        left -= 8;
    }
    for (; left > 0; --left, ++p) {
        crc = static_cast<std::uint16_t>((crc >> 8) ^ kTables[0][(crc ^ *p) & 0xFF]);
    }
    return crc;
}

}  // namespace strava1::formats::fit
