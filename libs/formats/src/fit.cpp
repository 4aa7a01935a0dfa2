// FIT decoder, first half: the bytes become the messages the model needs (fit_decoder.hpp); the
// second half, fit_assemble.cpp, turns them into activities. The rules (what is read, what is
// refused, what becomes an activity) are in docs/formats.md, "## FIT".
//
// Two passes over the bytes. The first checks the structure (headers, CRCs, definitions, sizes) and
// counts record messages, so the second can reserve every column at its exact final size: no
// reallocation, no per-record allocation, and the output is the only large allocation.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fit_crc.hpp"
#include "fit_decoder.hpp"
#include "fit_profile.hpp"
#include "strava1/formats/activity.hpp"
#include "strava1/formats/parse.hpp"
#include "timed_points.hpp"

namespace strava1::formats {
namespace {

namespace mesg = fit::mesg;
using fit::BaseType;

constexpr std::size_t kMinHeaderSize = 12;
constexpr std::size_t kHeaderWithCrcSize = 14;
constexpr std::size_t kCrcSize = 2;
constexpr std::size_t kLocalTypes = 16;
/// Summary messages (session, lap, event, length, sport, course point) become heap objects much
/// larger than their bytes; a file made of nothing else would be a memory bomb. Real files have a
/// few hundred; this bound scales with the file and never bites a device's file.
constexpr std::size_t kSummaryBaseAllowance = 1000;
constexpr std::size_t kSummaryBytesPerMessage = 16;

constexpr double kSemicirclesToE7 = 1.8e9 / 2147483648.0;  // 180° / 2^31, in 1e-7 degrees
constexpr std::int64_t kMaxLatE7 = 900'000'000;

// Record header bits.
constexpr std::uint8_t kCompressedHeaderBit = 0x80;
constexpr std::uint8_t kDefinitionBit = 0x40;
constexpr std::uint8_t kDeveloperDataBit = 0x20;
constexpr std::uint8_t kLocalTypeMask = 0x0F;
constexpr std::uint8_t kTimeOffsetMask = 0x1F;
constexpr std::uint8_t kBaseTypeNumberMask = 0x1F;

const char* MesgName(std::uint16_t global) {
    switch (global) {
        case mesg::kFileId:
            return "file_id";
        case mesg::kSport:
            return "sport";
        case mesg::kSession:
            return "session";
        case mesg::kLap:
            return "lap";
        case mesg::kRecord:
            return "record";
        case mesg::kEvent:
            return "event";
        case mesg::kDeviceInfo:
            return "device_info";
        case mesg::kCourse:
            return "course";
        case mesg::kCoursePoint:
            return "course_point";
        case mesg::kActivity:
            return "activity";
        case mesg::kHrv:
            return "hrv";
        case mesg::kTimestampCorrelation:
            return "timestamp_correlation";
        case mesg::kLength:
            return "length";
        case mesg::kFieldDescription:
            return "field_description";
        case mesg::kDeveloperDataId:
            return "developer_data_id";
        default:
            return nullptr;
    }
}

std::string Hex16(std::uint16_t value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out = "0x0000";
    for (int nibble_idx = 0; nibble_idx < 4; ++nibble_idx) {
        out[5 - nibble_idx] = kDigits[(value >> (4 * nibble_idx)) & 0xF];
    }
    return out;
}

ParseError Error(std::string reason, std::size_t offset, std::string context = {}) {
    ParseError error;
    error.reason = std::move(reason);
    error.byte_offset = offset;
    error.context = std::move(context);
    return error;
}

std::uint16_t Le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t Le32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

/// One element of `size` (1, 2, 4 or 8) bytes as an unsigned integer in the message's byte order.
std::uint64_t ReadRaw(const std::uint8_t* p, std::uint8_t size, bool big_endian) {
    std::uint64_t raw = 0;
    if (big_endian) {
        for (std::uint8_t byte_idx = 0; byte_idx < size; ++byte_idx) {
            raw = (raw << 8) | p[byte_idx];
        }
    } else {
        for (std::uint8_t byte_idx = size; byte_idx > 0; --byte_idx) {
            raw = (raw << 8) | p[byte_idx - 1];
        }
    }
    return raw;
}

/// A field of a definition message, with its offset inside the data message.
struct FieldDef {
    std::uint8_t number = 0;
    std::uint8_t size = 0;
    std::uint8_t base_type = 0;  ///< low 5 bits of the base type byte
    std::uint32_t offset = 0;
};

/// What a developer field means to us, resolved from its field_description when the definition
/// that uses it is read.
enum class DevRole : std::uint8_t { kNone, kHeartRate, kCadence, kPower, kTemperature };

struct DevFieldDef {
    std::uint32_t offset = 0;
    std::uint8_t size = 0;
    std::uint8_t base_type = 0;
    DevRole role = DevRole::kNone;
    double scale = 1;
    double value_offset = 0;
};

struct Definition {
    bool defined = false;
    bool big_endian = false;
    std::uint16_t global = 0;
    std::uint32_t data_size = 0;
    std::vector<FieldDef> fields;
    std::vector<DevFieldDef> dev_fields;            ///< only those with a role; the rest are skipped by size
    std::optional<std::uint32_t> timestamp_offset;  ///< field 253 as a 4-byte value, if present
};

constexpr std::uint16_t DevKey(std::uint8_t dev_index, std::uint8_t field_number) {
    return static_cast<std::uint16_t>((dev_index << 8) | field_number);
}

struct DevFieldDescription {
    std::uint8_t dev_index = 0;
    std::uint8_t field_number = 0;
    std::uint8_t base_type = 0;
    DevRole role = DevRole::kNone;
    double scale = 1;
    double offset = 0;
};

/// A numeric field's first element as a double; nullopt when invalid, not numeric, or when the
/// field's size does not fit its base type (the bytes are then skipped, as the protocol says for
/// sizes that are not a multiple of the type).
std::optional<double> ReadNumber(std::uint8_t base_type, std::uint8_t size, const std::uint8_t* p, bool big_endian) {
    const std::optional<std::uint8_t> element = fit::BaseTypeSize(base_type);
    if (!element || size < *element || size % *element != 0) {
        return std::nullopt;
    }
    const auto type = static_cast<BaseType>(base_type);
    const std::uint64_t raw = ReadRaw(p, *element, big_endian);
    if (fit::IsInvalidRaw(type, raw)) {
        return std::nullopt;
    }
    switch (type) {
        case BaseType::kSint8:
            return static_cast<double>(static_cast<std::int8_t>(raw));
        case BaseType::kSint16:
            return static_cast<double>(static_cast<std::int16_t>(raw));
        case BaseType::kSint32:
            return static_cast<double>(static_cast<std::int32_t>(raw));
        case BaseType::kSint64:
            return static_cast<double>(static_cast<std::int64_t>(raw));
        case BaseType::kFloat32: {
            float value = 0;
            const auto bits = static_cast<std::uint32_t>(raw);
            std::memcpy(&value, &bits, sizeof value);
            if (!std::isfinite(value)) {
                return std::nullopt;
            }
            return static_cast<double>(value);
        }
        case BaseType::kFloat64: {
            double value = 0;
            std::memcpy(&value, &raw, sizeof value);
            if (!std::isfinite(value)) {
                return std::nullopt;
            }
            return value;
        }
        case BaseType::kString:
            return std::nullopt;
        default:
            return static_cast<double>(raw);
    }
}

std::optional<double> ReadField(const FieldDef& field, const std::uint8_t* data, bool big_endian) {
    return ReadNumber(field.base_type, field.size, data + field.offset, big_endian);
}

/// An unsigned field as an integer (enums, counts, timestamps); nullopt when invalid or negative.
std::optional<std::uint32_t> ReadUint(const FieldDef& field, const std::uint8_t* data, bool big_endian) {
    const std::optional<double> value = ReadField(field, data, big_endian);
    if (!value || *value < 0 || *value > std::numeric_limits<std::uint32_t>::max()) {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(*value);
}

std::optional<std::uint8_t> ReadEnum(const FieldDef& field, const std::uint8_t* data, bool big_endian) {
    const std::optional<std::uint32_t> value = ReadUint(field, data, big_endian);
    if (!value || *value > 0xFF) {
        return std::nullopt;
    }
    return static_cast<std::uint8_t>(*value);
}

std::optional<double> Scaled(std::optional<double> value, double scale, double offset = 0) {
    if (!value) {
        return std::nullopt;
    }
    return *value / scale - offset;
}

/// A string field up to its first NUL (or its end: unterminated strings are allowed), with bytes
/// that are not UTF-8 replaced by '?', so the value can go to JSON as it is.
std::string ReadString(const FieldDef& field, const std::uint8_t* data) {
    const std::uint8_t* p = data + field.offset;
    std::size_t length = 0;
    while (length < field.size && p[length] != 0) {
        ++length;
    }
    std::string out(reinterpret_cast<const char*>(p), length);
    std::size_t pos = 0;
    while (pos < out.size()) {
        const auto lead = static_cast<unsigned char>(out[pos]);
        std::size_t extra = 0;
        std::uint32_t min_code = 0;
        if (lead < 0x80) {
            ++pos;
            continue;
        }
        if ((lead & 0xE0) == 0xC0) {
            extra = 1;
            min_code = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            extra = 2;
            min_code = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            extra = 3;
            min_code = 0x10000;
        } else {
            out[pos++] = '?';
            continue;
        }
        bool valid = pos + extra < out.size();
        std::uint32_t code = lead & (0x3F >> extra);
        for (std::size_t cont_idx = 1; valid && cont_idx <= extra; ++cont_idx) {
            const auto cont = static_cast<unsigned char>(out[pos + cont_idx]);
            valid = (cont & 0xC0) == 0x80;
            code = (code << 6) | (cont & 0x3F);
        }
        if (valid && (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))) {
            valid = false;
        }
        if (!valid) {
            out[pos++] = '?';
            continue;
        }
        pos += extra + 1;
    }
    return out;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::optional<std::int64_t> ReadTimeMs(const FieldDef& field, const std::uint8_t* data, bool big_endian) {
    const std::optional<std::uint32_t> value = ReadUint(field, data, big_endian);
    if (!value) {
        return std::nullopt;
    }
    return fit::FitTimeToUnixMs(*value);
}

/// A duration field (ms on the wire, scale 1000) in seconds; nullopt unless within 0..kMaxDurationS,
/// so that later time arithmetic cannot overflow whatever base type a file declares.
std::optional<double> Duration(std::optional<double> raw_ms) {
    constexpr double kMaxDurationS = 1e9;  // ~31 years
    const std::optional<double> seconds = Scaled(raw_ms, 1000);
    if (!seconds || *seconds < 0 || *seconds > kMaxDurationS) {
        return std::nullopt;
    }
    return seconds;
}

std::optional<std::int32_t> SemicirclesToE7(std::optional<double> semicircles) {
    constexpr double kMaxSemicircles = 2147483648.0;  // 180°
    if (!semicircles || std::abs(*semicircles) > kMaxSemicircles) {
        return std::nullopt;
    }
    return static_cast<std::int32_t>(std::lround(*semicircles * kSemicirclesToE7));
}

/// The values of one record message, before they become a row of the Track.
struct PointValues {
    std::int64_t time_ms = kNoTime;
    std::int32_t lat_e7 = kNoPosition;
    std::int32_t lng_e7 = kNoPosition;
    float altitude_m = kNoFloat;
    float enhanced_altitude_m = kNoFloat;
    double distance_m = std::numeric_limits<double>::quiet_NaN();
    float speed_mps = kNoFloat;
    float enhanced_speed_mps = kNoFloat;
    std::uint16_t heart_rate_bpm = kNoValue16;
    std::uint16_t cadence_rpm = kNoValue16;
    std::uint16_t power_w = kNoValue16;
    float temperature_c = kNoFloat;
};

std::uint16_t ToU16(std::optional<double> value) {
    if (!value || *value < 0 || *value >= kNoValue16) {
        return kNoValue16;
    }
    return static_cast<std::uint16_t>(std::lround(*value));
}

/// A value for a float column; one beyond float's range (a hostile declared type) is missing.
float ToFloat(std::optional<double> value) {
    if (!value || std::abs(*value) > std::numeric_limits<float>::max()) {
        return kNoFloat;
    }
    return static_cast<float>(*value);
}

/// Appends to a column that is created on its first real value, so an all-missing quantity stays an
/// empty column, as the Track invariant asks; `capacity` is the exact final row count.
template <class T>
void AppendColumn(std::vector<T>& column, T value, T marker, bool present, std::size_t row, std::size_t capacity) {
    if (column.empty()) {
        if (!present) {
            return;
        }
        column.reserve(std::max(capacity, row + 1));
        column.resize(row, marker);
    }
    column.push_back(present ? value : marker);
}

// ---------------------------------------------------------------------------------------------

class Decoder {
public:
    Decoder(std::string_view bytes, const Limits& limits)
        : bytes_(reinterpret_cast<const std::uint8_t*>(bytes.data())), size_(bytes.size()), limits_(limits) {}

    Result<fit::FitMessages> Run();

private:
    enum class Pass : std::uint8_t { kScan, kDecode };

    std::optional<ParseError> Walk(Pass pass);
    std::optional<ParseError> WalkMessages(Pass pass, std::size_t begin, std::size_t end, bool unfinished);
    std::optional<ParseError> ReadDefinition(std::size_t& pos, std::size_t end, std::uint8_t header, bool unfinished,
                                             bool& stop);
    void OnData(Pass pass, const Definition& def, const std::uint8_t* data, std::int64_t header_time_ms);

    void DecodeRecord(const Definition& def, const std::uint8_t* data, std::int64_t time_ms);
    void DecodeSession(const Definition& def, const std::uint8_t* data);
    void DecodeLap(const Definition& def, const std::uint8_t* data);
    void DecodeEvent(const Definition& def, const std::uint8_t* data, std::int64_t time_ms);
    void DecodeLength(const Definition& def, const std::uint8_t* data, std::int64_t time_ms);
    void DecodeFileId(const Definition& def, const std::uint8_t* data);
    void DecodeDeviceInfo(const Definition& def, const std::uint8_t* data);
    void DecodeSport(const Definition& def, const std::uint8_t* data);
    void DecodeCourse(const Definition& def, const std::uint8_t* data);
    void DecodeCoursePoint(const Definition& def, const std::uint8_t* data);
    void DecodeFieldDescription(const Definition& def, const std::uint8_t* data);
    void DecodeTimestampCorrelation(const Definition& def, const std::uint8_t* data);

    const std::uint8_t* bytes_;
    std::size_t size_;
    const Limits& limits_;

    std::array<Definition, kLocalTypes> definitions_;
    std::optional<std::uint32_t> last_timestamp_;
    /// Developer fields with a role, by DevKey(developer_data_index, field number).
    std::unordered_map<std::uint16_t, DevFieldDescription> dev_descriptions_;

    // Scan results.
    std::size_t record_count_ = 0;
    std::size_t course_point_count_ = 0;  ///< waypoints count against Limits::max_points too
    std::size_t summary_count_ = 0;

    // Decode results.
    fit::FitMessages out_;
    std::uint32_t last_compressed_distance_ = 0;
    double compressed_distance_m_ = 0;
};

Result<fit::FitMessages> Decoder::Run() {
    if (size_ > limits_.max_input_bytes) {
        return Error("file of " + std::to_string(size_) + " bytes exceeds the limit of " +
                         std::to_string(limits_.max_input_bytes),
                     0, "FIT header");
    }
    if (auto error = Walk(Pass::kScan)) {
        return std::move(*error);
    }
    if (record_count_ + course_point_count_ > limits_.max_points) {
        return Error(std::to_string(record_count_ + course_point_count_) +
                         " record and course point messages exceed the limit of " + std::to_string(limits_.max_points) +
                         " points",
                     0, "record");
    }
    if (summary_count_ > kSummaryBaseAllowance + size_ / kSummaryBytesPerMessage) {
        return Error(std::to_string(summary_count_) + " session/lap/event/length messages is more than a " +
                         std::to_string(size_) + "-byte activity file can hold",
                     0, "summary messages");
    }
    if (auto error = Walk(Pass::kDecode)) {
        return std::move(*error);
    }
    return std::move(out_);
}

std::optional<ParseError> Decoder::Walk(Pass pass) {
    if (size_ < kMinHeaderSize) {
        return Error(size_ == 0 ? "empty file: not a FIT file"
                                : "file of " + std::to_string(size_) + " bytes is shorter than a FIT header (12)",
                     0, "FIT header");
    }
    std::size_t file_start = 0;
    while (file_start < size_) {
        const std::size_t remaining = size_ - file_start;
        if (file_start > 0 && std::all_of(bytes_ + file_start, bytes_ + size_, [](std::uint8_t b) { return b == 0; })) {
            break;  // zero padding after the last chained file
        }
        const std::string context = file_start == 0 ? "FIT header" : "FIT header of a chained file";
        if (remaining < kMinHeaderSize) {
            return Error(std::to_string(remaining) + " bytes after the FIT file are not a FIT header", file_start,
                         context);
        }
        const std::uint8_t* header = bytes_ + file_start;
        const std::size_t header_size = header[0];
        if (header_size != kMinHeaderSize && header_size != kHeaderWithCrcSize) {
            return Error("bad header size " + std::to_string(header_size) + " (12 or 14 expected)", file_start,
                         context);
        }
        if (std::memcmp(header + 8, ".FIT", 4) != 0) {
            return Error("missing \".FIT\" signature", file_start + 8, context);
        }
        if (remaining < header_size) {
            return Error(
                "truncated header: " + std::to_string(remaining) + " of " + std::to_string(header_size) + " bytes",
                size_, context);
        }
        if (header_size == kHeaderWithCrcSize && pass == Pass::kScan) {
            const std::uint16_t stored = Le16(header + 12);
            if (stored != 0) {
                const std::uint16_t computed =
                    fit::FitCrc16(std::string_view(reinterpret_cast<const char*>(header), kMinHeaderSize));
                if (stored != computed) {
                    return Error("header CRC mismatch: stored " + Hex16(stored) + ", computed " + Hex16(computed),
                                 file_start + 12, context);
                }
            }
        }
        const std::size_t data_size = Le32(header + 4);
        const std::size_t data_begin = file_start + header_size;
        std::size_t data_end = 0;
        bool unfinished = false;
        if (data_size == 0 && remaining > header_size + kCrcSize) {
            // A writer that never came back to patch the header (the device stopped mid-file): the
            // messages run to the end of the input. docs/formats.md, "unfinished files".
            unfinished = true;
            data_end = size_;
            const std::uint16_t trailing = Le16(bytes_ + size_ - kCrcSize);
            const std::uint16_t computed =
                fit::FitCrc16(std::string_view(reinterpret_cast<const char*>(header), size_ - kCrcSize - file_start));
            if (trailing == computed) {
                data_end = size_ - kCrcSize;
            }
        } else {
            if (data_size > remaining - header_size || remaining - header_size - data_size < kCrcSize) {
                return Error("truncated file: the header announces " + std::to_string(data_size) +
                                 " data bytes and a CRC, " + std::to_string(remaining - header_size) +
                                 " bytes follow the header",
                             size_, context);
            }
            data_end = data_begin + data_size;
            if (pass == Pass::kScan) {
                const std::uint16_t stored = Le16(bytes_ + data_end);
                const std::uint16_t computed =
                    fit::FitCrc16(std::string_view(reinterpret_cast<const char*>(header), data_end - file_start));
                if (stored != computed) {
                    return Error("file CRC mismatch: stored " + Hex16(stored) + ", computed " + Hex16(computed),
                                 data_end, "FIT file CRC");
                }
            }
        }
        // Each chained file starts afresh: local definitions and the compressed-timestamp base do
        // not carry over.
        for (Definition& def : definitions_) {
            def.defined = false;
        }
        last_timestamp_.reset();
        dev_descriptions_.clear();
        if (auto error = WalkMessages(pass, data_begin, data_end, unfinished)) {
            return error;
        }
        if (unfinished) {
            break;
        }
        file_start = data_end + kCrcSize;
    }
    return std::nullopt;
}

std::optional<ParseError> Decoder::ReadDefinition(std::size_t& pos, std::size_t end, std::uint8_t header,
                                                  bool unfinished, bool& stop) {
    const std::size_t start = pos - 1;
    const std::uint8_t local = header & kLocalTypeMask;
    const std::string context = "definition message, local type " + std::to_string(local);
    constexpr std::size_t kFixedPart = 5;  // reserved, architecture, global (2), field count
    if (end - pos < kFixedPart) {
        if (unfinished) {
            stop = true;
            return std::nullopt;
        }
        return Error("definition message runs past the end of the data", start, context);
    }
    const std::uint8_t architecture = bytes_[pos + 1];
    if (architecture > 1) {
        return Error("bad architecture byte " + std::to_string(architecture) + " (0 or 1 expected)", pos + 1, context);
    }
    const bool big_endian = architecture == 1;
    const std::uint16_t global =
        big_endian ? static_cast<std::uint16_t>((bytes_[pos + 2] << 8) | bytes_[pos + 3]) : Le16(bytes_ + pos + 2);
    const std::size_t field_count = bytes_[pos + 4];
    pos += kFixedPart;
    std::size_t dev_count = 0;
    if (end - pos < field_count * 3) {
        if (unfinished) {
            stop = true;
            return std::nullopt;
        }
        return Error("definition message runs past the end of the data", start, context);
    }
    const std::size_t fields_pos = pos;
    pos += field_count * 3;
    std::size_t dev_pos = pos;
    if ((header & kDeveloperDataBit) != 0) {
        if (end - pos < 1 || end - pos - 1 < static_cast<std::size_t>(bytes_[pos]) * 3) {
            if (unfinished) {
                stop = true;
                return std::nullopt;
            }
            return Error("definition message runs past the end of the data", start, context);
        }
        dev_count = bytes_[pos];
        dev_pos = pos + 1;
        pos = dev_pos + dev_count * 3;
    }

    Definition& def = definitions_[local];
    def.defined = true;
    def.big_endian = big_endian;
    def.global = global;
    def.fields.clear();
    def.dev_fields.clear();
    def.timestamp_offset.reset();
    std::uint32_t offset = 0;
    for (std::size_t field_idx = 0; field_idx < field_count; ++field_idx) {
        const std::uint8_t* f = bytes_ + fields_pos + field_idx * 3;
        FieldDef field{f[0], f[1], static_cast<std::uint8_t>(f[2] & kBaseTypeNumberMask), offset};
        if (field.number == fit::kFieldTimestamp && field.size == 4) {
            def.timestamp_offset = offset;
        }
        def.fields.push_back(field);
        offset += field.size;
    }
    for (std::size_t dev_idx = 0; dev_idx < dev_count; ++dev_idx) {
        const std::uint8_t* f = bytes_ + dev_pos + dev_idx * 3;
        const std::uint8_t number = f[0];
        const std::uint8_t size = f[1];
        const std::uint8_t dev_index = f[2];
        if (global == mesg::kRecord) {
            const auto found = dev_descriptions_.find(DevKey(dev_index, number));
            if (found != dev_descriptions_.end()) {
                const DevFieldDescription& description = found->second;
                def.dev_fields.push_back(DevFieldDef{offset, size, description.base_type, description.role,
                                                     description.scale, description.offset});
            }
        }
        offset += size;
    }
    def.data_size = offset;
    return std::nullopt;
}

std::optional<ParseError> Decoder::WalkMessages(Pass pass, std::size_t begin, std::size_t end, bool unfinished) {
    std::size_t pos = begin;
    while (pos < end) {
        const std::size_t message_start = pos;
        const std::uint8_t header = bytes_[pos++];
        std::int64_t header_time_ms = kNoTime;
        std::uint8_t local = header & kLocalTypeMask;
        if ((header & kCompressedHeaderBit) != 0) {
            local = (header >> 5) & 0x3;
            const std::uint32_t time_offset = header & kTimeOffsetMask;
            if (last_timestamp_) {
                std::uint32_t timestamp =
                    (*last_timestamp_ & ~static_cast<std::uint32_t>(kTimeOffsetMask)) + time_offset;
                if (time_offset < (*last_timestamp_ & kTimeOffsetMask)) {
                    timestamp += kTimeOffsetMask + 1;  // the 5-bit offset rolled over
                }
                last_timestamp_ = timestamp;
                header_time_ms = fit::FitTimeToUnixMs(timestamp);
            }
        } else if ((header & kDefinitionBit) != 0) {
            bool stop = false;
            if (auto error = ReadDefinition(pos, end, header, unfinished, stop)) {
                return error;
            }
            if (stop) {
                return std::nullopt;
            }
            continue;
        }
        const Definition& def = definitions_[local];
        if (!def.defined) {
            return Error("data message for local type " + std::to_string(local) + " has no definition", message_start,
                         "data message, local type " + std::to_string(local));
        }
        if (end - pos < def.data_size) {
            if (unfinished) {
                return std::nullopt;
            }
            const char* name = MesgName(def.global);
            return Error("data message of " + std::to_string(def.data_size) + " bytes runs past the end of the data (" +
                             std::to_string(end - pos) + " left)",
                         message_start,
                         std::string(name != nullptr ? name : "message") + " (" + std::to_string(def.global) +
                             "), local type " + std::to_string(local));
        }
        const std::uint8_t* data = bytes_ + pos;
        if (def.timestamp_offset) {
            const std::uint32_t raw = def.big_endian
                                          ? static_cast<std::uint32_t>(ReadRaw(data + *def.timestamp_offset, 4, true))
                                          : Le32(data + *def.timestamp_offset);
            if (raw != 0xFFFF'FFFF) {
                last_timestamp_ = raw;
                header_time_ms = fit::FitTimeToUnixMs(raw);
            }
        }
        OnData(pass, def, data, header_time_ms);
        pos += def.data_size;
    }
    return std::nullopt;
}

void Decoder::OnData(Pass pass, const Definition& def, const std::uint8_t* data, std::int64_t header_time_ms) {
    if (pass == Pass::kScan) {
        switch (def.global) {
            case mesg::kRecord:
                ++record_count_;
                break;
            case mesg::kSession:
            case mesg::kLap:
            case mesg::kEvent:
            case mesg::kCoursePoint:
                ++course_point_count_;
                ++summary_count_;
                break;
            case mesg::kLength:
            case mesg::kSport:
                ++summary_count_;
                break;
            default:
                break;
        }
        return;
    }
    switch (def.global) {
        case mesg::kRecord:
            DecodeRecord(def, data, header_time_ms);
            break;
        case mesg::kSession:
            DecodeSession(def, data);
            break;
        case mesg::kLap:
            DecodeLap(def, data);
            break;
        case mesg::kEvent:
            DecodeEvent(def, data, header_time_ms);
            break;
        case mesg::kLength:
            DecodeLength(def, data, header_time_ms);
            break;
        case mesg::kFileId:
            DecodeFileId(def, data);
            break;
        case mesg::kDeviceInfo:
            DecodeDeviceInfo(def, data);
            break;
        case mesg::kSport:
            DecodeSport(def, data);
            break;
        case mesg::kCourse:
            DecodeCourse(def, data);
            break;
        case mesg::kCoursePoint:
            DecodeCoursePoint(def, data);
            break;
        case mesg::kFieldDescription:
            DecodeFieldDescription(def, data);
            break;
        case mesg::kTimestampCorrelation:
            DecodeTimestampCorrelation(def, data);
            break;
        default:
            break;
    }
}

void Decoder::DecodeTimestampCorrelation(const Definition& def, const std::uint8_t* data) {
    std::optional<std::int64_t> utc_ms;
    std::optional<std::int64_t> system_ms;
    std::int64_t utc_fraction_ms = 0;
    std::int64_t system_fraction_ms = 0;
    for (const FieldDef& field : def.fields) {
        switch (field.number) {
            case fit::kFieldTimestamp:
                utc_ms = ReadTimeMs(field, data, def.big_endian);
                break;
            case fit::timestamp_correlation::kSystemTimestamp:
                system_ms = ReadTimeMs(field, data, def.big_endian);
                break;
            case fit::timestamp_correlation::kTimestampMs:
                utc_fraction_ms = ReadUint(field, data, def.big_endian).value_or(0) % 1000;
                break;
            case fit::timestamp_correlation::kSystemTimestampMs:
                system_fraction_ms = ReadUint(field, data, def.big_endian).value_or(0) % 1000;
                break;
            default:
                break;
        }
    }
    if (utc_ms && system_ms && !out_.system_time_offset_ms) {
        out_.system_time_offset_ms = (*utc_ms + utc_fraction_ms) - (*system_ms + system_fraction_ms);
    }
}

void Decoder::DecodeRecord(const Definition& def, const std::uint8_t* data, std::int64_t time_ms) {
    PointValues point;
    point.time_ms = time_ms;
    std::optional<double> lat;
    std::optional<double> lng;
    const bool big = def.big_endian;
    for (const FieldDef& field : def.fields) {
        switch (field.number) {
            case fit::record::kPositionLat:
                lat = ReadField(field, data, big);
                break;
            case fit::record::kPositionLong:
                lng = ReadField(field, data, big);
                break;
            case fit::record::kAltitude:
                point.altitude_m = ToFloat(Scaled(ReadField(field, data, big), 5, 500));
                break;
            case fit::record::kEnhancedAltitude:
                point.enhanced_altitude_m = ToFloat(Scaled(ReadField(field, data, big), 5, 500));
                break;
            case fit::record::kHeartRate:
                point.heart_rate_bpm = ToU16(ReadField(field, data, big));
                break;
            case fit::record::kCadence:
                point.cadence_rpm = ToU16(ReadField(field, data, big));
                break;
            case fit::record::kPower:
                point.power_w = ToU16(ReadField(field, data, big));
                break;
            case fit::record::kDistance:
                if (auto value = Scaled(ReadField(field, data, big), 100)) {
                    point.distance_m = *value;
                }
                break;
            case fit::record::kSpeed:
                point.speed_mps = ToFloat(Scaled(ReadField(field, data, big), 1000));
                break;
            case fit::record::kEnhancedSpeed:
                point.enhanced_speed_mps = ToFloat(Scaled(ReadField(field, data, big), 1000));
                break;
            case fit::record::kTemperature:
                point.temperature_c = ToFloat(ReadField(field, data, big));
                break;
            case fit::record::kCompressedSpeedDistance: {
                if (field.size != 3) {
                    break;
                }
                const std::uint8_t* p = data + field.offset;
                if (p[0] == 0xFF && p[1] == 0xFF && p[2] == 0xFF) {
                    break;
                }
                // A byte array read as a little-endian bit stream: speed in the low 12 bits (1/100
                // m/s), then a 12-bit rolling distance (1/16 m) that accumulates across records.
                const std::uint32_t bits = p[0] | (p[1] << 8) | (p[2] << 16);
                const std::uint32_t distance_raw = bits >> 12;
                compressed_distance_m_ +=
                    static_cast<double>((distance_raw - last_compressed_distance_) & 0xFFF) / 16.0;
                last_compressed_distance_ = distance_raw;
                if (std::isnan(point.speed_mps)) {
                    point.speed_mps = static_cast<float>((bits & 0xFFF) / 100.0);
                }
                if (std::isnan(point.distance_m)) {
                    point.distance_m = compressed_distance_m_;
                }
                break;
            }
            default:
                break;
        }
    }
    for (const DevFieldDef& dev : def.dev_fields) {
        const std::optional<double> raw = ReadNumber(dev.base_type, dev.size, data + dev.offset, big);
        if (!raw) {
            continue;
        }
        const double value = *raw / dev.scale - dev.value_offset;
        switch (dev.role) {
            case DevRole::kPower:
                if (point.power_w == kNoValue16) {
                    point.power_w = ToU16(value);
                }
                break;
            case DevRole::kHeartRate:
                if (point.heart_rate_bpm == kNoValue16) {
                    point.heart_rate_bpm = ToU16(value);
                }
                break;
            case DevRole::kCadence:
                if (point.cadence_rpm == kNoValue16) {
                    point.cadence_rpm = ToU16(value);
                }
                break;
            case DevRole::kTemperature:
                if (std::isnan(point.temperature_c)) {
                    point.temperature_c = ToFloat(value);
                }
                break;
            case DevRole::kNone:
                break;
        }
    }
    // Positions: both or neither; 0/0 is what receivers write without a fix (docs/formats.md).
    auto lat_e7 = SemicirclesToE7(lat);
    auto lng_e7 = SemicirclesToE7(lng);
    if (lat_e7 && lng_e7 && std::abs(static_cast<std::int64_t>(*lat_e7)) <= kMaxLatE7 &&
        !(*lat_e7 == 0 && *lng_e7 == 0)) {
        point.lat_e7 = *lat_e7;
        point.lng_e7 = *lng_e7;
    }
    const float altitude = std::isnan(point.enhanced_altitude_m) ? point.altitude_m : point.enhanced_altitude_m;
    const float speed = std::isnan(point.enhanced_speed_mps) ? point.speed_mps : point.enhanced_speed_mps;

    const std::size_t row = out_.track.point_count;
    const std::size_t capacity = record_count_;
    AppendColumn(out_.track.time_ms, point.time_ms, kNoTime, point.time_ms != kNoTime, row, capacity);
    const bool has_position = point.lat_e7 != kNoPosition;
    AppendColumn(out_.track.lat_e7, point.lat_e7, kNoPosition, has_position, row, capacity);
    AppendColumn(out_.track.lng_e7, point.lng_e7, kNoPosition, has_position, row, capacity);
    AppendColumn(out_.track.altitude_m, altitude, kNoFloat, !std::isnan(altitude), row, capacity);
    AppendColumn(out_.track.distance_m, point.distance_m, std::numeric_limits<double>::quiet_NaN(),
                 !std::isnan(point.distance_m), row, capacity);
    AppendColumn(out_.track.speed_mps, speed, kNoFloat, !std::isnan(speed), row, capacity);
    AppendColumn(out_.track.heart_rate_bpm, point.heart_rate_bpm, kNoValue16, point.heart_rate_bpm != kNoValue16, row,
                 capacity);
    AppendColumn(out_.track.cadence_rpm, point.cadence_rpm, kNoValue16, point.cadence_rpm != kNoValue16, row, capacity);
    AppendColumn(out_.track.power_w, point.power_w, kNoValue16, point.power_w != kNoValue16, row, capacity);
    AppendColumn(out_.track.temperature_c, point.temperature_c, kNoFloat, !std::isnan(point.temperature_c), row,
                 capacity);
    ++out_.track.point_count;
}

void Decoder::DecodeSession(const Definition& def, const std::uint8_t* data) {
    fit::SessionInfo session;
    session.file_order = out_.sessions.size();
    DeviceSummary& s = session.summary;
    const bool big = def.big_endian;
    for (const FieldDef& field : def.fields) {
        switch (field.number) {
            case fit::kFieldTimestamp:
                session.timestamp_ms = ReadTimeMs(field, data, big);
                break;
            case fit::summary::kStartTime:
                session.start_time_ms = ReadTimeMs(field, data, big);
                break;
            case fit::session::kSport:
                session.sport = ReadEnum(field, data, big);
                break;
            case fit::session::kSubSport:
                session.sub_sport = ReadEnum(field, data, big);
                break;
            case fit::summary::kTotalElapsedTime:
                s.elapsed_s = Duration(ReadField(field, data, big));
                break;
            case fit::summary::kTotalTimerTime:
                s.timer_s = Duration(ReadField(field, data, big));
                break;
            case fit::session::kTotalMovingTime:
                s.moving_s = Duration(ReadField(field, data, big));
                break;
            case fit::session::kActiveTime:
                s.active_s = Duration(ReadField(field, data, big));
                break;
            case fit::summary::kTotalDistance:
                s.distance_m = Scaled(ReadField(field, data, big), 100);
                break;
            case fit::summary::kTotalCalories:
                s.calories_kcal = ReadField(field, data, big);
                break;
            case fit::session::kTotalAscent:
                s.ascent_m = ReadField(field, data, big);
                break;
            case fit::session::kTotalDescent:
                s.descent_m = ReadField(field, data, big);
                break;
            case fit::session::kAvgHeartRate:
                s.avg_heart_rate_bpm = ReadField(field, data, big);
                break;
            case fit::session::kMaxHeartRate:
                s.max_heart_rate_bpm = ReadField(field, data, big);
                break;
            case fit::session::kAvgPower:
                s.avg_power_w = ReadField(field, data, big);
                break;
            case fit::session::kMaxPower:
                s.max_power_w = ReadField(field, data, big);
                break;
            case fit::session::kAvgCadence:
                s.avg_cadence_rpm = ReadField(field, data, big);
                break;
            case fit::session::kPoolLength:
                session.pool_length_m = Scaled(ReadField(field, data, big), 100);
                break;
            case fit::session::kPoolLengthUnit:
                session.pool_in_yards = ReadEnum(field, data, big) == std::optional<std::uint8_t>(1);
                break;
            default:
                break;
        }
    }
    out_.sessions.push_back(session);
}

void Decoder::DecodeLap(const Definition& def, const std::uint8_t* data) {
    fit::LapInfo info;
    Lap& lap = info.lap;
    const bool big = def.big_endian;
    for (const FieldDef& field : def.fields) {
        switch (field.number) {
            case fit::kFieldTimestamp:
                info.timestamp_ms = ReadTimeMs(field, data, big);
                break;
            case fit::summary::kStartTime:
                lap.start_time_ms = ReadTimeMs(field, data, big).value_or(kNoTime);
                break;
            case fit::summary::kTotalElapsedTime:
                lap.elapsed_s = Duration(ReadField(field, data, big));
                break;
            case fit::summary::kTotalTimerTime:
                lap.timer_s = Duration(ReadField(field, data, big));
                break;
            case fit::summary::kTotalDistance:
                lap.distance_m = Scaled(ReadField(field, data, big), 100);
                break;
            case fit::summary::kTotalCalories:
                lap.calories_kcal = ReadField(field, data, big);
                break;
            case fit::lap::kAvgHeartRate:
                lap.avg_heart_rate_bpm = ReadField(field, data, big);
                break;
            case fit::lap::kMaxHeartRate:
                lap.max_heart_rate_bpm = ReadField(field, data, big);
                break;
            case fit::lap::kAvgPower:
                lap.avg_power_w = ReadField(field, data, big);
                break;
            case fit::lap::kSport:
                info.sport = ReadEnum(field, data, big);
                break;
            case fit::lap::kLapTrigger:
                if (auto trigger = ReadEnum(field, data, big)) {
                    if (const char* name = fit::LapTriggerName(*trigger)) {
                        lap.trigger = name;
                    }
                }
                break;
            default:
                break;
        }
    }
    out_.laps.push_back(std::move(info));
}

void Decoder::DecodeEvent(const Definition& def, const std::uint8_t* data, std::int64_t time_ms) {
    std::optional<std::uint8_t> event;
    std::optional<std::uint8_t> event_type;
    for (const FieldDef& field : def.fields) {
        if (field.number == fit::event::kEvent) {
            event = ReadEnum(field, data, def.big_endian);
        } else if (field.number == fit::event::kEventType) {
            event_type = ReadEnum(field, data, def.big_endian);
        }
    }
    if (event != fit::event::kEventTimer || !event_type || time_ms == kNoTime) {
        return;
    }
    switch (*event_type) {
        case fit::event::kTypeStart:
            out_.timer_events.push_back(TimerEvent{time_ms, true});
            break;
        case fit::event::kTypeStop:
        case fit::event::kTypeStopAll:
        case fit::event::kTypeStopDisable:
        case fit::event::kTypeStopDisableAll:
            out_.timer_events.push_back(TimerEvent{time_ms, false});
            break;
        default:
            break;
    }
}

void Decoder::DecodeLength(const Definition& def, const std::uint8_t* data, std::int64_t time_ms) {
    PoolLength length;
    const bool big = def.big_endian;
    std::optional<double> elapsed;
    for (const FieldDef& field : def.fields) {
        switch (field.number) {
            case fit::length::kStartTime:
                length.start_time_ms = ReadTimeMs(field, data, big).value_or(kNoTime);
                break;
            case fit::length::kTotalElapsedTime:
                elapsed = Duration(ReadField(field, data, big));
                break;
            case fit::length::kTotalStrokes:
                if (auto strokes = ReadUint(field, data, big); strokes && *strokes < kNoValue16) {
                    length.strokes = static_cast<std::uint16_t>(*strokes);
                }
                break;
            case fit::length::kSwimStroke:
                if (auto stroke = ReadEnum(field, data, big)) {
                    if (const char* name = fit::SwimStrokeName(*stroke)) {
                        length.stroke = name;
                    }
                }
                break;
            case fit::length::kLengthType:
                if (auto type = ReadEnum(field, data, big)) {
                    length.active = *type != 0;
                }
                break;
            default:
                break;
        }
    }
    length.elapsed_s = elapsed.value_or(0);
    if (length.start_time_ms == kNoTime && time_ms != kNoTime) {
        length.start_time_ms = time_ms - static_cast<std::int64_t>(std::llround(length.elapsed_s * 1000));
    }
    out_.lengths.push_back(std::move(length));
}

void Decoder::DecodeFileId(const Definition& def, const std::uint8_t* data) {
    if (out_.file_creator) {
        return;  // chained files: the first file_id names the file
    }
    fit::CreatorIds ids;
    const bool big = def.big_endian;
    for (const FieldDef& field : def.fields) {
        switch (field.number) {
            case fit::file_id::kType:
                out_.file_type = ReadEnum(field, data, big);
                break;
            case fit::file_id::kManufacturer:
                if (auto value = ReadUint(field, data, big); value && *value <= 0xFFFF) {
                    ids.manufacturer = static_cast<std::uint16_t>(*value);
                }
                break;
            case fit::file_id::kProduct:
                if (auto value = ReadUint(field, data, big); value && *value <= 0xFFFF) {
                    ids.product = static_cast<std::uint16_t>(*value);
                }
                break;
            case fit::file_id::kSerialNumber:
                ids.serial_number = ReadUint(field, data, big);
                break;
            case fit::file_id::kProductName:
                if (field.base_type == static_cast<std::uint8_t>(BaseType::kString)) {
                    ids.product_name = ReadString(field, data);
                }
                break;
            default:
                break;
        }
    }
    out_.file_creator = std::move(ids);
}

void Decoder::DecodeDeviceInfo(const Definition& def, const std::uint8_t* data) {
    if (out_.device_creator) {
        return;
    }
    fit::CreatorIds ids;
    std::optional<std::uint8_t> device_index;
    const bool big = def.big_endian;
    for (const FieldDef& field : def.fields) {
        switch (field.number) {
            case fit::device_info::kDeviceIndex:
                device_index = ReadEnum(field, data, big);
                break;
            case fit::device_info::kManufacturer:
                if (auto value = ReadUint(field, data, big); value && *value <= 0xFFFF) {
                    ids.manufacturer = static_cast<std::uint16_t>(*value);
                }
                break;
            case fit::device_info::kProduct:
                if (auto value = ReadUint(field, data, big); value && *value <= 0xFFFF) {
                    ids.product = static_cast<std::uint16_t>(*value);
                }
                break;
            case fit::device_info::kSerialNumber:
                ids.serial_number = ReadUint(field, data, big);
                break;
            case fit::device_info::kProductName:
                if (field.base_type == static_cast<std::uint8_t>(BaseType::kString)) {
                    ids.product_name = ReadString(field, data);
                }
                break;
            default:
                break;
        }
    }
    if (device_index == 0) {  // device_index 0 is the creator, the device that wrote the file
        out_.device_creator = std::move(ids);
    }
}

void Decoder::DecodeSport(const Definition& def, const std::uint8_t* data) {
    fit::SportInfo info;
    for (const FieldDef& field : def.fields) {
        switch (field.number) {
            case fit::sport::kSport:
                info.sport = ReadEnum(field, data, def.big_endian);
                break;
            case fit::sport::kSubSport:
                info.sub_sport = ReadEnum(field, data, def.big_endian);
                break;
            case fit::sport::kName:
                if (field.base_type == static_cast<std::uint8_t>(BaseType::kString)) {
                    info.name = ReadString(field, data);
                }
                break;
            default:
                break;
        }
    }
    out_.sports.push_back(std::move(info));
}

void Decoder::DecodeCourse(const Definition& def, const std::uint8_t* data) {
    for (const FieldDef& field : def.fields) {
        if (field.number == fit::course::kName && field.base_type == static_cast<std::uint8_t>(BaseType::kString)) {
            out_.course_name = ReadString(field, data);
        } else if (field.number == fit::course::kSport) {
            out_.course_sport = ReadEnum(field, data, def.big_endian);
        }
    }
}

void Decoder::DecodeCoursePoint(const Definition& def, const std::uint8_t* data) {
    Waypoint point;
    std::optional<double> lat;
    std::optional<double> lng;
    const bool big = def.big_endian;
    for (const FieldDef& field : def.fields) {
        switch (field.number) {
            case fit::course_point::kTimestamp:
                point.time_ms = ReadTimeMs(field, data, big).value_or(kNoTime);
                break;
            case fit::course_point::kPositionLat:
                lat = ReadField(field, data, big);
                break;
            case fit::course_point::kPositionLong:
                lng = ReadField(field, data, big);
                break;
            case fit::course_point::kName:
                if (field.base_type == static_cast<std::uint8_t>(BaseType::kString)) {
                    point.name = ReadString(field, data);
                }
                break;
            case fit::course_point::kType:
                if (auto type = ReadEnum(field, data, big)) {
                    if (const char* name = fit::CoursePointName(*type)) {
                        point.kind = name;
                    }
                }
                break;
            default:
                break;
        }
    }
    auto lat_e7 = SemicirclesToE7(lat);
    auto lng_e7 = SemicirclesToE7(lng);
    if (lat_e7 && lng_e7 && std::abs(static_cast<std::int64_t>(*lat_e7)) <= kMaxLatE7) {
        point.lat_e7 = *lat_e7;
        point.lng_e7 = *lng_e7;
    }
    out_.course_points.push_back(std::move(point));
}

/// Which developer fields we keep: those a description maps onto a record field we store
/// (native_mesg_num 20 + native_field_num), and power by name (Stryd and others write "Power"
/// without a native mapping). Everything else is skipped by its size.
DevRole RoleFor(std::optional<std::uint32_t> native_mesg, std::optional<std::uint32_t> native_field,
                const std::string& name) {
    if (native_mesg == mesg::kRecord && native_field) {
        switch (*native_field) {
            case fit::record::kHeartRate:
                return DevRole::kHeartRate;
            case fit::record::kCadence:
                return DevRole::kCadence;
            case fit::record::kPower:
                return DevRole::kPower;
            case fit::record::kTemperature:
                return DevRole::kTemperature;
            default:
                return DevRole::kNone;
        }
    }
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), AsciiLower);
    return lower == "power" ? DevRole::kPower : DevRole::kNone;
}

void Decoder::DecodeFieldDescription(const Definition& def, const std::uint8_t* data) {
    std::optional<std::uint8_t> dev_index;
    std::optional<std::uint8_t> field_number;
    std::optional<std::uint8_t> base_type;
    std::optional<std::uint32_t> native_mesg;
    std::optional<std::uint32_t> native_field;
    std::optional<double> scale;
    std::optional<double> offset;
    std::string name;
    const bool big = def.big_endian;
    for (const FieldDef& field : def.fields) {
        switch (field.number) {
            case fit::field_description::kDeveloperDataIndex:
                dev_index = ReadEnum(field, data, big);
                break;
            case fit::field_description::kFieldDefinitionNumber:
                field_number = ReadEnum(field, data, big);
                break;
            case fit::field_description::kFitBaseTypeId:
                base_type = ReadEnum(field, data, big);
                break;
            case fit::field_description::kNativeMesgNum:
                native_mesg = ReadUint(field, data, big);
                break;
            case fit::field_description::kNativeFieldNum:
                native_field = ReadUint(field, data, big);
                break;
            case fit::field_description::kScale:
                scale = ReadField(field, data, big);
                break;
            case fit::field_description::kOffset:
                offset = ReadField(field, data, big);
                break;
            case fit::field_description::kFieldName:
                if (field.base_type == static_cast<std::uint8_t>(BaseType::kString)) {
                    name = ReadString(field, data);
                }
                break;
            default:
                break;
        }
    }
    if (!dev_index || !field_number || !base_type) {
        return;
    }
    DevFieldDescription description;
    description.dev_index = *dev_index;
    description.field_number = *field_number;
    description.base_type = *base_type & kBaseTypeNumberMask;
    description.role = RoleFor(native_mesg, native_field, name);
    description.scale = (scale && *scale > 0) ? *scale : 1;
    description.offset = offset.value_or(0);
    // A later description of the same field replaces the earlier one, as a redefinition does; only
    // fields we keep are remembered (the others are skipped by size without a description).
    const std::uint16_t key = DevKey(description.dev_index, description.field_number);
    if (description.role == DevRole::kNone) {
        dev_descriptions_.erase(key);
    } else {
        dev_descriptions_[key] = description;
    }
}

}  // namespace

Result<ImportedFile> ParseFit(std::string_view bytes, const Limits& limits) {
    Result<fit::FitMessages> messages = Decoder(bytes, limits).Run();
    if (!messages.ok()) {
        return messages.error();
    }
    ImportedFile file = fit::AssembleFitActivities(std::move(messages).value());
    KeepTimedPoints(file);
    return file;
}

}  // namespace strava1::formats
