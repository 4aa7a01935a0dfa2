#pragma once

// A small FIT writer for tests and benchmarks: enough of the protocol to build synthetic files
// byte by byte (definitions in either byte order, compressed-timestamp headers, developer fields,
// bad CRCs, chained files). Not part of the library; include it only from _test/_benchmark/_fuzz
// sources.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "fit_crc.hpp"

namespace strava1::formats::fit::testing {

/// Base type bytes as they appear in a field definition (with the endian-ability bit).
namespace base {
inline constexpr std::uint8_t kEnum = 0x00;
inline constexpr std::uint8_t kSint8 = 0x01;
inline constexpr std::uint8_t kUint8 = 0x02;
inline constexpr std::uint8_t kSint16 = 0x83;
inline constexpr std::uint8_t kUint16 = 0x84;
inline constexpr std::uint8_t kSint32 = 0x85;
inline constexpr std::uint8_t kUint32 = 0x86;
inline constexpr std::uint8_t kString = 0x07;
inline constexpr std::uint8_t kFloat32 = 0x88;
inline constexpr std::uint8_t kUint8z = 0x0A;
inline constexpr std::uint8_t kUint32z = 0x8C;
inline constexpr std::uint8_t kByte = 0x0D;
}  // namespace base

struct FieldSpec {
    std::uint8_t number;
    std::uint8_t size;
    std::uint8_t base_type;
};

struct DevFieldSpec {
    std::uint8_t number;
    std::uint8_t size;
    std::uint8_t dev_index;
};

/// A field value: an integer (written in the definition's byte order, truncated to the field
/// size) or raw bytes (written as given, padded with zeros or cut to the field size).
using Value = std::variant<std::uint64_t, std::string>;

/// Seconds since the FIT epoch for a Unix time in seconds.
inline std::uint32_t FitTime(std::int64_t unix_s) { return static_cast<std::uint32_t>(unix_s - 631'065'600); }

/// Degrees to semicircles, as devices write positions.
inline std::uint32_t Semicircles(double degrees) {
    return static_cast<std::uint32_t>(static_cast<std::int32_t>(degrees * (2147483648.0 / 180.0)));
}

class FitWriter {
public:
    /// Starts a message definition for `local` (0..15). Values of later Data() calls follow
    /// `fields` then `dev_fields`, in order.
    FitWriter& Define(std::uint8_t local, std::uint16_t global, const std::vector<FieldSpec>& fields,
                      bool big_endian = false, const std::vector<DevFieldSpec>& dev_fields = {}) {
        const bool has_dev = !dev_fields.empty();
        data_.push_back(static_cast<char>(0x40 | (has_dev ? 0x20 : 0) | (local & 0x0F)));
        data_.push_back(0);  // reserved
        data_.push_back(static_cast<char>(big_endian ? 1 : 0));
        if (big_endian) {
            data_.push_back(static_cast<char>(global >> 8));
            data_.push_back(static_cast<char>(global & 0xFF));
        } else {
            data_.push_back(static_cast<char>(global & 0xFF));
            data_.push_back(static_cast<char>(global >> 8));
        }
        data_.push_back(static_cast<char>(fields.size()));
        for (const FieldSpec& field : fields) {
            data_.push_back(static_cast<char>(field.number));
            data_.push_back(static_cast<char>(field.size));
            data_.push_back(static_cast<char>(field.base_type));
        }
        if (has_dev) {
            data_.push_back(static_cast<char>(dev_fields.size()));
            for (const DevFieldSpec& field : dev_fields) {
                data_.push_back(static_cast<char>(field.number));
                data_.push_back(static_cast<char>(field.size));
                data_.push_back(static_cast<char>(field.dev_index));
            }
        }
        Layout& layout = layouts_[local & 0x0F];
        layout.big_endian = big_endian;
        layout.sizes.clear();
        for (const FieldSpec& field : fields) {
            layout.sizes.push_back(field.size);
        }
        for (const DevFieldSpec& field : dev_fields) {
            layout.sizes.push_back(field.size);
        }
        return *this;
    }

    /// A data message with a normal header.
    FitWriter& Data(std::uint8_t local, const std::vector<Value>& values) {
        data_.push_back(static_cast<char>(local & 0x0F));
        AppendValues(local & 0x0F, values);
        return *this;
    }

    /// A data message with a compressed-timestamp header (local 0..3, 5-bit time offset).
    FitWriter& CompressedData(std::uint8_t local, std::uint8_t time_offset, const std::vector<Value>& values) {
        data_.push_back(static_cast<char>(0x80 | ((local & 0x3) << 5) | (time_offset & 0x1F)));
        AppendValues(local & 0x3, values);
        return *this;
    }

    /// Bytes appended to the data section as they are.
    FitWriter& Raw(std::string_view bytes) {
        data_.append(bytes);
        return *this;
    }

    /// Header (12 or 14 bytes, the latter with its CRC) + data + file CRC. `data_size_override`
    /// writes another data size into the header (the CRC stays over the real bytes).
    std::string Finish(bool header14 = true, std::optional<std::uint32_t> data_size_override = std::nullopt) const {
        std::string out;
        out.push_back(static_cast<char>(header14 ? 14 : 12));
        out.push_back(0x20);  // protocol 2.0
        AppendLe(out, 2132, 2);
        AppendLe(out, data_size_override.value_or(static_cast<std::uint32_t>(data_.size())), 4);
        out.append(".FIT");
        if (header14) {
            AppendLe(out, FitCrc16(out), 2);
        }
        out.append(data_);
        AppendLe(out, FitCrc16(out), 2);
        return out;
    }

    std::size_t DataSize() const { return data_.size(); }

private:
    struct Layout {
        bool big_endian = false;
        std::vector<std::uint8_t> sizes;
    };

    static void AppendLe(std::string& out, std::uint64_t value, std::size_t size) {
        for (std::size_t byte_idx = 0; byte_idx < size; ++byte_idx) {
            out.push_back(static_cast<char>((value >> (8 * byte_idx)) & 0xFF));
        }
    }

    void AppendValues(std::uint8_t local, const std::vector<Value>& values) {
        const Layout& layout = layouts_[local];
        for (std::size_t field_idx = 0; field_idx < layout.sizes.size(); ++field_idx) {
            const std::size_t size = layout.sizes[field_idx];
            const Value value = field_idx < values.size() ? values[field_idx] : Value(std::uint64_t{0});
            if (const auto* bytes = std::get_if<std::string>(&value)) {
                std::string padded = bytes->substr(0, size);
                padded.resize(size, '\0');
                data_.append(padded);
                continue;
            }
            const std::uint64_t number = std::get<std::uint64_t>(value);
            for (std::size_t byte_idx = 0; byte_idx < size; ++byte_idx) {
                const std::size_t shift = layout.big_endian ? (size - 1 - byte_idx) : byte_idx;
                data_.push_back(static_cast<char>(shift < 8 ? (number >> (8 * shift)) & 0xFF : 0));
            }
        }
    }

    std::string data_;
    std::array<Layout, 16> layouts_{};
};

/// Joins files into one chained FIT file.
inline std::string Chain(const std::vector<std::string>& files) {
    std::string out;
    for (const std::string& file : files) {
        out += file;
    }
    return out;
}

/// Global message numbers the helpers below write.
namespace global {
inline constexpr std::uint16_t kFileId = 0;
inline constexpr std::uint16_t kSport = 12;
inline constexpr std::uint16_t kSession = 18;
inline constexpr std::uint16_t kLap = 19;
inline constexpr std::uint16_t kRecord = 20;
inline constexpr std::uint16_t kEvent = 21;
inline constexpr std::uint16_t kDeviceInfo = 23;
inline constexpr std::uint16_t kActivity = 34;
inline constexpr std::uint16_t kLength = 101;
inline constexpr std::uint16_t kFieldDescription = 206;
inline constexpr std::uint16_t kDeveloperDataId = 207;
}  // namespace global

/// The start of the synthetic activities: 2024-05-01T06:00:00Z.
inline constexpr std::int64_t kStartUnixS = 1'714'543'200;

/// file_id for a Garmin Forerunner 935 activity (manufacturer 1, product 2691, serial 12345).
inline void WriteFileId(FitWriter& writer, bool big_endian = false) {
    writer.Define(0, global::kFileId,
                  {{0, 1, base::kEnum},
                   {1, 2, base::kUint16},
                   {2, 2, base::kUint16},
                   {3, 4, base::kUint32z},
                   {4, 4, base::kUint32}},
                  big_endian);
    writer.Data(0, {std::uint64_t{4}, std::uint64_t{1}, std::uint64_t{2691}, std::uint64_t{12345},
                    std::uint64_t{FitTime(kStartUnixS)}});
}

/// The record definition the helpers use (local 1): timestamp, lat, long, altitude, heart rate,
/// cadence, distance, speed, power, temperature.
inline void DefineFullRecord(FitWriter& writer, bool big_endian = false, std::uint8_t local = 1) {
    writer.Define(local, global::kRecord,
                  {{253, 4, base::kUint32},
                   {0, 4, base::kSint32},
                   {1, 4, base::kSint32},
                   {2, 2, base::kUint16},
                   {3, 1, base::kUint8},
                   {4, 1, base::kUint8},
                   {5, 4, base::kUint32},
                   {6, 2, base::kUint16},
                   {7, 2, base::kUint16},
                   {13, 1, base::kSint8}},
                  big_endian);
}

/// Record `point_idx` of a steady synthetic run: 1 s apart, 3 m/s, heading north-east from
/// 46.05 N 14.5 E, altitude oscillating around 300 m.
inline void WriteFullRecord(FitWriter& writer, std::size_t point_idx, std::int64_t start_unix_s = kStartUnixS,
                            std::uint8_t local = 1) {
    const double lat = 46.05 + 0.00002 * static_cast<double>(point_idx);
    const double lng = 14.5 + 0.00002 * static_cast<double>(point_idx);
    const double altitude = 300.0 + static_cast<double>(point_idx % 50);
    writer.Data(
        local,
        {std::uint64_t{FitTime(start_unix_s + static_cast<std::int64_t>(point_idx))}, std::uint64_t{Semicircles(lat)},
         std::uint64_t{Semicircles(lng)}, std::uint64_t{static_cast<std::uint64_t>((altitude + 500) * 5)},
         std::uint64_t{120 + point_idx % 40}, std::uint64_t{85}, std::uint64_t{point_idx * 300}, std::uint64_t{3000},
         std::uint64_t{250 + point_idx % 20}, std::uint64_t{static_cast<std::uint8_t>(20)}});
}

/// A session (local 2) of `sport` starting at `start_unix_s`, `elapsed_s` long.
inline void WriteSession(FitWriter& writer, std::int64_t start_unix_s, std::uint32_t elapsed_s, std::uint8_t sport,
                         std::uint8_t sub_sport = 0, std::uint32_t distance_cm = 0, bool big_endian = false) {
    writer.Define(2, global::kSession,
                  {{253, 4, base::kUint32},
                   {2, 4, base::kUint32},
                   {5, 1, base::kEnum},
                   {6, 1, base::kEnum},
                   {7, 4, base::kUint32},
                   {8, 4, base::kUint32},
                   {9, 4, base::kUint32},
                   {16, 1, base::kUint8},
                   {17, 1, base::kUint8}},
                  big_endian);
    writer.Data(
        2, {std::uint64_t{FitTime(start_unix_s + elapsed_s)}, std::uint64_t{FitTime(start_unix_s)},
            std::uint64_t{sport}, std::uint64_t{sub_sport}, std::uint64_t{elapsed_s * 1000ULL},
            std::uint64_t{elapsed_s * 1000ULL}, std::uint64_t{distance_cm}, std::uint64_t{140}, std::uint64_t{170}});
}

/// A lap (local 3) starting at `start_unix_s`, `elapsed_s` long.
inline void WriteLap(FitWriter& writer, std::int64_t start_unix_s, std::uint32_t elapsed_s, std::uint8_t trigger = 0,
                     bool big_endian = false) {
    writer.Define(3, global::kLap,
                  {{253, 4, base::kUint32},
                   {2, 4, base::kUint32},
                   {7, 4, base::kUint32},
                   {8, 4, base::kUint32},
                   {24, 1, base::kEnum}},
                  big_endian);
    writer.Data(3, {std::uint64_t{FitTime(start_unix_s + elapsed_s)}, std::uint64_t{FitTime(start_unix_s)},
                    std::uint64_t{elapsed_s * 1000ULL}, std::uint64_t{elapsed_s * 1000ULL}, std::uint64_t{trigger}});
}

/// A timer event (local 4): start (`running`) or stop_all.
inline void WriteTimerEvent(FitWriter& writer, std::int64_t unix_s, bool running, bool big_endian = false) {
    writer.Define(4, global::kEvent, {{253, 4, base::kUint32}, {0, 1, base::kEnum}, {1, 1, base::kEnum}}, big_endian);
    writer.Data(4, {std::uint64_t{FitTime(unix_s)}, std::uint64_t{0}, std::uint64_t{running ? 0U : 4U}});
}

/// A complete running activity of `records` points: file_id, timer start, records, timer stop,
/// lap, session, activity. Both byte orders give the same values.
inline std::string BuildRunActivity(std::size_t records, bool big_endian = false, bool header14 = true) {
    FitWriter writer;
    WriteFileId(writer, big_endian);
    WriteTimerEvent(writer, kStartUnixS, true, big_endian);
    DefineFullRecord(writer, big_endian);
    for (std::size_t point_idx = 0; point_idx < records; ++point_idx) {
        WriteFullRecord(writer, point_idx);
    }
    const auto elapsed = static_cast<std::uint32_t>(records == 0 ? 0 : records - 1);
    WriteTimerEvent(writer, kStartUnixS + elapsed, false, big_endian);
    WriteLap(writer, kStartUnixS, elapsed, 7, big_endian);
    WriteSession(writer, kStartUnixS, elapsed, 1, 0, static_cast<std::uint32_t>(elapsed * 300), big_endian);
    writer.Define(5, global::kActivity, {{253, 4, base::kUint32}, {1, 2, base::kUint16}}, big_endian);
    writer.Data(5, {std::uint64_t{FitTime(kStartUnixS + elapsed)}, std::uint64_t{1}});
    return writer.Finish(header14);
}

}  // namespace strava1::formats::fit::testing
