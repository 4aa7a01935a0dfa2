#pragma once

#include <cstdint>
#include <string_view>

/// The CRC-16 every FIT file carries (header CRC and file CRC). Garmin describes it with a 16-entry
/// nibble table; it is CRC-16/ARC (reflected polynomial 0xA001, initial value 0, no final XOR), so
/// FitCrc16("123456789") == 0xBB3D.
namespace strava1::formats::fit {

/// Continues `crc` over `bytes`; start with 0. Pure, thread-safe.
std::uint16_t FitCrc16(std::string_view bytes, std::uint16_t crc = 0) noexcept;

}  // namespace strava1::formats::fit
