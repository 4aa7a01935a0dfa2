// The stream blob: a Track as one bytea value. Layout and rationale in docs/formats.md, "Stream
// storage format"; the golden blobs in tests/fuzz/corpus/stream_codec/ pin version 1 byte for byte.

#include "strava1/formats/stream_codec.hpp"

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "strava1/formats/activity.hpp"
#include "strava1/formats/parse.hpp"

namespace strava1::formats {
namespace {

static_assert(kMaxStreamPoints >= Limits{}.max_points, "every track an importer accepts must be storable");

/// The byte that opens every column: how its present values are written.
enum class Coding : std::uint8_t {
    kRaw = 0,           ///< floating-point columns only: little-endian IEEE-754 bits, for values no quantum fits
    kDelta = 1,         ///< zigzag varints of v[i] - v[i-1]
    kDeltaOfDelta = 2,  ///< zigzag varints of (v[i] - v[i-1]) - (v[i-1] - v[i-2])
};

// Quantised values stay within ±2^50 (1.1e13 m at 1 cm). Far enough below 2^53 that quantum ×
// (value / quantum) rounds back to the same integer in a double, so a decoded track encodes to the
// same bytes again; beyond it a column is stored raw.
constexpr std::int64_t kMaxQuantised = std::int64_t{1} << 50;

struct ColumnSpec {
    unsigned bit;            ///< in the column mask; columns follow one another in bit order
    const char* name;        ///< the Track member, used as ParseError::context
    double quanta_per_unit;  ///< floating-point columns: 100 for 1 cm; unused for integer columns
};

constexpr std::uint64_t kAllColumns = (1u << 10) - 1;
constexpr unsigned kLatBit = 1;
constexpr unsigned kLngBit = 2;

/// Calls `visit(spec, column)` for every column of `track`, in the order they are stored. The one
/// place that lists the columns: adding one to Track means adding it here (with the next bit) and a
/// new kStreamVersion.
template <class TrackRef, class Visit>
void VisitColumns(TrackRef& track, Visit&& visit) {
    visit(ColumnSpec{0, "time_ms", 0}, track.time_ms);
    visit(ColumnSpec{kLatBit, "lat_e7", 0}, track.lat_e7);
    visit(ColumnSpec{kLngBit, "lng_e7", 0}, track.lng_e7);
    visit(ColumnSpec{3, "altitude_m", 100}, track.altitude_m);  // 1 cm
    visit(ColumnSpec{4, "distance_m", 100}, track.distance_m);  // 1 cm
    visit(ColumnSpec{5, "speed_mps", 1000}, track.speed_mps);   // 1 mm/s
    visit(ColumnSpec{6, "heart_rate_bpm", 0}, track.heart_rate_bpm);
    visit(ColumnSpec{7, "cadence_rpm", 0}, track.cadence_rpm);
    visit(ColumnSpec{8, "power_w", 0}, track.power_w);
    visit(ColumnSpec{9, "temperature_c", 10}, track.temperature_c);  // 0.1 °C
}

template <class T>
constexpr T MissingMarker() {
    if constexpr (std::is_floating_point_v<T>) {
        return std::numeric_limits<T>::quiet_NaN();
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
        return kNoTime;
    } else if constexpr (std::is_same_v<T, std::int32_t>) {
        return kNoPosition;
    } else {
        static_assert(std::is_same_v<T, std::uint16_t>);
        return kNoValue16;
    }
}

template <class T>
bool IsMarker(T value) {
    if constexpr (std::is_floating_point_v<T>) {
        return std::isnan(value);
    } else {
        return value == MissingMarker<T>();
    }
}

/// The unsigned integer as wide as T, for T's IEEE bits.
template <class T>
using BitsOf = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

// Differences are taken modulo 2^64 (unsigned arithmetic), so that even kNoTime + 1 next to INT64_MAX
// round-trips; the decoder undoes them the same way.
std::uint64_t ZigZag(std::uint64_t difference) { return (difference << 1) ^ (0 - (difference >> 63)); }

std::uint64_t UnZigZag(std::uint64_t token) { return (token >> 1) ^ (0 - (token & 1)); }

std::size_t VarintSize(std::uint64_t value) { return (static_cast<std::size_t>(std::bit_width(value | 1)) + 6) / 7; }

char* WriteVarint(char* out, std::uint64_t value) {
    while (value >= 0x80) {
        *out++ = static_cast<char>((value & 0x7F) | 0x80);
        value >>= 7;
    }
    *out++ = static_cast<char>(value);
    return out;
}

void AppendVarint(std::string& out, std::uint64_t value) {
    char buffer[10];
    out.append(buffer, WriteVarint(buffer, value));
}

/// round(value × quanta_per_unit), half away from zero; nullopt when that is not finite or beyond
/// ±kMaxQuantised. The bound is checked on the rounded value: a decoded kMaxQuantised, scaled back up,
/// may come out a fraction above it and must still quantise.
template <class T>
std::optional<std::int64_t> Quantise(T value, double quanta_per_unit) {
    const double scaled = static_cast<double>(value) * quanta_per_unit;
    if (!(std::abs(scaled) < 2.0 * static_cast<double>(kMaxQuantised))) {
        return std::nullopt;
    }
    const std::int64_t quantised = std::llround(scaled);
    if (quantised < -kMaxQuantised || quantised > kMaxQuantised) {
        return std::nullopt;
    }
    return quantised;
}

/// The second-difference predictor. The first value is coded against 0 and the second against the
/// first (there is no earlier step to extrapolate from), so the two big tokens of a series are not
/// made bigger still.
struct SecondDifference {
    std::uint64_t previous = 0;
    std::uint64_t previous_step = 0;
    bool first = true;

    std::uint64_t Token(std::uint64_t value) {
        const std::uint64_t step = value - previous;
        const std::uint64_t token = ZigZag(step - previous_step);
        Advance(value, step);
        return token;
    }
    std::uint64_t Value(std::uint64_t token) {
        const std::uint64_t step = previous_step + UnZigZag(token);
        const std::uint64_t value = previous + step;
        Advance(value, step);
        return value;
    }
    void Advance(std::uint64_t value, std::uint64_t step) {
        previous = value;
        previous_step = first ? 0 : step;
        first = false;
    }
};

/// Buffers reused from column to column by one EncodeTrack call.
struct EncodeScratch {
    std::vector<std::uint64_t> runs;    ///< the missing map: present, missing, present, ... lengths
    std::vector<std::uint64_t> values;  ///< present values: integers or quanta (two's complement), or raw bits
};

template <class T>
void EncodeColumn(const ColumnSpec& spec, const std::vector<T>& column, EncodeScratch& scratch, std::string& out) {
    constexpr bool kFloating = std::is_floating_point_v<T>;
    scratch.runs.clear();
    scratch.values.clear();
    std::uint64_t run = 0;
    bool in_missing = false;
    bool raw = false;
    for (const T value : column) {
        const bool missing = IsMarker(value);
        if (missing != in_missing) {
            scratch.runs.push_back(run);
            run = 0;
            in_missing = missing;
        }
        ++run;
        if (missing) {
            continue;
        }
        if constexpr (kFloating) {
            const std::optional<std::int64_t> quantised = Quantise(value, spec.quanta_per_unit);
            raw = raw || !quantised;
            scratch.values.push_back(static_cast<std::uint64_t>(quantised.value_or(0)));
        } else {
            scratch.values.push_back(static_cast<std::uint64_t>(static_cast<std::int64_t>(value)));
        }
    }
    // Without a single missing value the map stays empty: one byte, the count 0.
    if (!scratch.runs.empty()) {
        scratch.runs.push_back(run);
    }

    Coding coding = Coding::kDelta;
    std::size_t values_size = 0;
    if (raw) {
        coding = Coding::kRaw;
        values_size = scratch.values.size() * sizeof(T);
        scratch.values.clear();
        if constexpr (kFloating) {
            for (const T value : column) {
                if (!IsMarker(value)) {
                    scratch.values.push_back(std::bit_cast<BitsOf<T>>(value));
                }
            }
        }
    } else {
        // Steady series (time at a fixed rate, cumulative distance, positions at a steady pace) code
        // smaller as second differences, noisy ones (heart rate, cadence) as first: measure both.
        std::size_t delta_size = 0;
        std::uint64_t previous = 0;
        SecondDifference second;
        std::size_t second_size = 0;
        for (const std::uint64_t value : scratch.values) {
            delta_size += VarintSize(ZigZag(value - previous));
            previous = value;
            second_size += VarintSize(second.Token(value));
        }
        values_size = delta_size;
        if (second_size < delta_size) {
            coding = Coding::kDeltaOfDelta;
            values_size = second_size;
        }
    }

    std::size_t runs_size = VarintSize(scratch.runs.size());
    for (const std::uint64_t length : scratch.runs) {
        runs_size += VarintSize(length);
    }
    const std::size_t body_size = 1 + runs_size + values_size;
    AppendVarint(out, body_size);
    const std::size_t body_start = out.size();
    out.resize(body_start + body_size);
    char* cursor = out.data() + body_start;
    *cursor++ = static_cast<char>(coding);
    cursor = WriteVarint(cursor, scratch.runs.size());
    for (const std::uint64_t length : scratch.runs) {
        cursor = WriteVarint(cursor, length);
    }
    switch (coding) {
        case Coding::kRaw:
            for (const std::uint64_t bits : scratch.values) {
                for (std::size_t byte_idx = 0; byte_idx < sizeof(T); ++byte_idx) {
                    *cursor++ = static_cast<char>((bits >> (8 * byte_idx)) & 0xFF);
                }
            }
            break;
        case Coding::kDelta: {
            std::uint64_t previous = 0;
            for (const std::uint64_t value : scratch.values) {
                cursor = WriteVarint(cursor, ZigZag(value - previous));
                previous = value;
            }
            break;
        }
        case Coding::kDeltaOfDelta: {
            SecondDifference second;
            for (const std::uint64_t value : scratch.values) {
                cursor = WriteVarint(cursor, second.Token(value));
            }
            break;
        }
    }
}

enum class VarintStatus : std::uint8_t { kOk, kTruncated, kTooLong };

/// Reads one LEB128 varint from data[pos, end): at most 10 bytes, the 10th carrying only bit 63.
inline VarintStatus ReadVarint(const unsigned char* data, std::size_t end, std::size_t& pos, std::uint64_t& value) {
    std::uint64_t result = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (pos == end) {
            return VarintStatus::kTruncated;
        }
        const std::uint64_t byte = data[pos++];
        if (shift == 63 && byte > 1) {
            return VarintStatus::kTooLong;
        }
        result |= (byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) {
            value = result;
            return VarintStatus::kOk;
        }
    }
}

class Decoder {
public:
    explicit Decoder(std::string_view blob) : blob_(blob), data_(reinterpret_cast<const unsigned char*>(blob.data())) {}

    Result<Track> Run() {
        Track track;
        if (!ReadHeader(track)) {
            return std::move(*error_);
        }
        VisitColumns(track, [&](const ColumnSpec& spec, auto& column) {
            if (!error_ && (mask_ & (std::uint64_t{1} << spec.bit)) != 0) {
                DecodeColumn(spec, column, track.point_count);
            }
        });
        if (error_) {
            return std::move(*error_);
        }
        if (pos_ != blob_.size()) {
            context_ = "";
            Fail(pos_, std::to_string(blob_.size() - pos_) + " bytes after the last column");
            return std::move(*error_);
        }
        return track;
    }

private:
    bool Fail(std::size_t offset, std::string reason) {
        ParseError error;
        error.reason = std::move(reason);
        error.byte_offset = offset;
        error.context = context_;
        error_ = std::move(error);
        return false;
    }

    /// Reads a varint that must end before `end` (the blob's or, inside a column, the column's);
    /// false with the error set.
    bool Varint(std::size_t end, std::uint64_t& value, const char* what) {
        const std::size_t start = pos_;
        switch (ReadVarint(data_, end, pos_, value)) {
            case VarintStatus::kOk:
                return true;
            case VarintStatus::kTruncated:
                return Fail(start, std::string("truncated: ") + what + " runs past the end of the " +
                                       (end == column_end_ ? "column" : "blob"));
            case VarintStatus::kTooLong:
                return Fail(start, std::string(what) + " is a varint longer than 64 bits");
        }
        return false;
    }

    bool ReadHeader(Track& track) {
        const std::size_t magic_size = kStreamMagic.size();
        if (blob_.substr(0, magic_size) != kStreamMagic.substr(0, blob_.size())) {
            return Fail(0, "not a track stream: it does not start with \"" + std::string(kStreamMagic) + "\"");
        }
        if (blob_.size() <= magic_size) {
            return Fail(blob_.size(), "truncated: the blob ends inside the header");
        }
        const std::uint8_t version = data_[magic_size];
        if (version != kStreamVersion) {
            return Fail(magic_size, "unsupported stream version " + std::to_string(version) + " (this build reads " +
                                        std::to_string(kStreamVersion) + ")");
        }
        pos_ = magic_size + 1;
        const std::size_t count_at = pos_;
        std::uint64_t points = 0;
        if (!Varint(blob_.size(), points, "the point count")) {
            return false;
        }
        if (points > kMaxStreamPoints) {
            return Fail(count_at, std::to_string(points) + " points is over the limit of " +
                                      std::to_string(kMaxStreamPoints) + " (kMaxStreamPoints)");
        }
        const std::size_t mask_at = pos_;
        if (!Varint(blob_.size(), mask_, "the column mask")) {
            return false;
        }
        if ((mask_ & ~kAllColumns) != 0) {
            return Fail(mask_at, "unknown columns in the column mask 0x" + Hex(mask_));
        }
        if (points == 0 && mask_ != 0) {
            return Fail(mask_at, "a track of 0 points with columns (mask 0x" + Hex(mask_) + ")");
        }
        if (((mask_ >> kLatBit) & 1) != ((mask_ >> kLngBit) & 1)) {
            return Fail(mask_at, "latitudes without longitudes or the reverse (mask 0x" + Hex(mask_) + ")");
        }
        track.point_count = static_cast<std::size_t>(points);
        return true;
    }

    static std::string Hex(std::uint64_t value) {
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string out;
        do {
            out.insert(out.begin(), kDigits[value & 0xF]);
            value >>= 4;
        } while (value != 0);
        return out;
    }

    template <class T>
    bool DecodeColumn(const ColumnSpec& spec, std::vector<T>& column, std::size_t points) {
        constexpr bool kFloating = std::is_floating_point_v<T>;
        context_ = spec.name;
        column_end_ = std::string_view::npos;
        const std::size_t length_at = pos_;
        std::uint64_t length = 0;
        if (!Varint(blob_.size(), length, "the column length")) {
            return false;
        }
        if (length > blob_.size() - pos_) {
            return Fail(length_at, "truncated: the column is " + std::to_string(length) + " bytes long but only " +
                                       std::to_string(blob_.size() - pos_) + " remain");
        }
        const std::size_t end = pos_ + static_cast<std::size_t>(length);
        column_end_ = end;
        if (pos_ == end) {
            return Fail(length_at, "truncated: the column is empty");
        }
        const std::size_t coding_at = pos_;
        const std::uint8_t coding_byte = data_[pos_++];
        const bool coding_known = coding_byte == static_cast<std::uint8_t>(Coding::kDelta) ||
                                  coding_byte == static_cast<std::uint8_t>(Coding::kDeltaOfDelta) ||
                                  (kFloating && coding_byte == static_cast<std::uint8_t>(Coding::kRaw));
        if (!coding_known) {
            return Fail(coding_at, "unknown coding " + std::to_string(coding_byte) + " for this column");
        }
        const auto coding = static_cast<Coding>(coding_byte);

        // The missing map. Every run takes at least one byte, so its count is checked against the
        // bytes left before the runs are kept.
        const std::size_t runs_at = pos_;
        std::uint64_t run_count = 0;
        if (!Varint(end, run_count, "the missing-value run count")) {
            return false;
        }
        if (run_count > end - pos_) {
            return Fail(runs_at, std::to_string(run_count) + " missing-value runs cannot fit in the " +
                                     std::to_string(end - pos_) + " bytes left of the column");
        }
        runs_.clear();
        std::size_t present = points;
        if (run_count > 0) {
            runs_.reserve(static_cast<std::size_t>(run_count));
            std::uint64_t covered = 0;
            present = 0;
            for (std::uint64_t run_idx = 0; run_idx < run_count; ++run_idx) {
                const std::size_t run_at = pos_;
                std::uint64_t run = 0;
                if (!Varint(end, run, "a missing-value run")) {
                    return false;
                }
                if (run == 0 && run_idx > 0) {
                    return Fail(run_at, "missing-value run " + std::to_string(run_idx) + " is empty");
                }
                if (run > points - covered) {
                    return Fail(run_at,
                                "the missing-value runs cover more than the " + std::to_string(points) + " points");
                }
                covered += run;
                if (run_idx % 2 == 0) {
                    present += static_cast<std::size_t>(run);
                }
                runs_.push_back(static_cast<std::size_t>(run));
            }
            if (covered != points) {
                return Fail(runs_at, "the missing-value runs cover " + std::to_string(covered) + " of the " +
                                         std::to_string(points) + " points");
            }
        } else {
            runs_.push_back(points);
        }
        const std::size_t value_bytes = coding == Coding::kRaw ? sizeof(T) : 1;
        if (present > (end - pos_) / value_bytes) {
            return Fail(pos_, std::to_string(present) + " values cannot fit in the " + std::to_string(end - pos_) +
                                  " bytes left of the column");
        }

        // Only now, with every count known to be backed by bytes (or bounded by kMaxStreamPoints for the
        // missing ones), is the column allocated.
        column.assign(points, MissingMarker<T>());
        std::uint64_t previous = 0;
        SecondDifference second;
        std::size_t point_idx = 0;
        for (std::size_t run_idx = 0; run_idx < runs_.size(); ++run_idx) {
            const std::size_t run_end = point_idx + runs_[run_idx];
            if (run_idx % 2 == 1) {
                point_idx = run_end;
                continue;
            }
            for (; point_idx < run_end; ++point_idx) {
                const std::size_t value_at = pos_;
                if constexpr (kFloating) {
                    if (coding == Coding::kRaw) {
                        // In bounds: `present` raw values were checked to fit before the loop.
                        BitsOf<T> bits = 0;
                        for (std::size_t byte_idx = 0; byte_idx < sizeof(T); ++byte_idx) {
                            bits |= static_cast<BitsOf<T>>(data_[pos_++]) << (8 * byte_idx);
                        }
                        column[point_idx] = std::bit_cast<T>(bits);
                        if (std::isnan(column[point_idx])) {
                            return Fail(value_at, "a NaN among the values (missing values belong in the missing map)");
                        }
                        continue;
                    }
                }
                std::uint64_t token = 0;
                if (pos_ < end && data_[pos_] < 0x80) {
                    token = data_[pos_++];  // most tokens are one byte: no call for them
                } else if (!Varint(end, token, "a value")) {
                    return false;
                }
                std::uint64_t value = 0;
                if (coding == Coding::kDelta) {
                    value = previous + UnZigZag(token);
                    previous = value;
                } else {
                    value = second.Value(token);
                }
                const auto signed_value = static_cast<std::int64_t>(value);
                if constexpr (kFloating) {
                    if (signed_value < -kMaxQuantised || signed_value > kMaxQuantised) {
                        return Fail(value_at, "quantised value " + std::to_string(signed_value) + " is out of range");
                    }
                    column[point_idx] = static_cast<T>(static_cast<double>(signed_value) / spec.quanta_per_unit);
                } else {
                    if constexpr (sizeof(T) < sizeof(std::int64_t)) {
                        if (signed_value < std::numeric_limits<T>::min() ||
                            signed_value > std::numeric_limits<T>::max()) {
                            return Fail(value_at, "value " + std::to_string(signed_value) + " is out of range");
                        }
                    }
                    if (static_cast<T>(signed_value) == MissingMarker<T>()) {
                        return Fail(value_at,
                                    "a value equal to the missing marker (missing values belong in the "
                                    "missing map)");
                    }
                    column[point_idx] = static_cast<T>(signed_value);
                }
            }
        }
        if (pos_ != end) {
            return Fail(pos_, std::to_string(end - pos_) + " bytes after the column's values");
        }
        return true;
    }

    std::string_view blob_;
    const unsigned char* data_;
    std::size_t pos_ = 0;
    std::uint64_t mask_ = 0;
    std::size_t column_end_ = std::string_view::npos;  ///< the end of the column being read
    const char* context_ = "";
    std::vector<std::size_t> runs_;
    std::optional<ParseError> error_;
};

}  // namespace

std::string EncodeTrack(const Track& track) {
    const std::size_t points = track.size();
    if (points > kMaxStreamPoints) {
        throw std::invalid_argument("EncodeTrack: " + std::to_string(points) + " points is over kMaxStreamPoints");
    }
    if (track.lat_e7.empty() != track.lng_e7.empty()) {
        throw std::invalid_argument("EncodeTrack: latitudes without longitudes or the reverse");
    }
    std::uint64_t mask = 0;
    std::size_t columns = 0;
    VisitColumns(track, [&](const ColumnSpec& spec, const auto& column) {
        if (column.empty()) {
            return;
        }
        if (column.size() != points) {
            throw std::invalid_argument(std::string("EncodeTrack: column ") + spec.name + " has " +
                                        std::to_string(column.size()) + " values for " + std::to_string(points) +
                                        " points");
        }
        mask |= std::uint64_t{1} << spec.bit;
        ++columns;
    });

    std::string out;
    // Real tracks take one to two bytes per value; this avoids most regrowth without holding much more.
    out.reserve(16 + columns * (8 + points + points / 2));
    out += kStreamMagic;
    out.push_back(static_cast<char>(kStreamVersion));
    AppendVarint(out, points);
    AppendVarint(out, mask);
    EncodeScratch scratch;
    scratch.values.reserve(points);
    VisitColumns(track, [&](const ColumnSpec& spec, const auto& column) {
        if (!column.empty()) {
            EncodeColumn(spec, column, scratch, out);
        }
    });
    return out;
}

Result<Track> DecodeTrack(std::string_view blob) { return Decoder(blob).Run(); }

}  // namespace strava1::formats
