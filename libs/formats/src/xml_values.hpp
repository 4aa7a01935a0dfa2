#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "strava1/formats/activity.hpp"
#include "strava1/formats/parse.hpp"
#include "text_values.hpp"
#include "xml.hpp"

/// Reading element text and attributes into model values, with the one error wording GPX and TCX
/// share: `<what> "<text as written>" <why>`. Each Read* leaves `out` untouched for empty text
/// (a missing value, not an error) and returns false after failing the document.
namespace strava1::formats::xml {

/// Quotes at most 40 bytes of `text` for an error message.
inline std::string Quote(std::string_view text) {
    text = text::Trim(text);
    std::string out = "\"";
    if (text.size() > 40) {
        out.append(text.substr(0, 40));
        out += "...";
    } else {
        out.append(text);
    }
    out += '"';
    return out;
}

/// What the text of a value held. kRead: the value is in `out`, or `out` was left alone because the
/// text is blank or the number not finite (both a missing value). The others refuse the document;
/// the Read* functions below word why. The *Text functions never fail the document themselves, so
/// a handler can also try them where it must not (Handler::RunShape).
enum class ValueText : std::uint8_t { kRead, kNotANumber, kOutOfRange, kNotATime };

inline ValueText DoubleText(std::string_view text, double& out) noexcept {
    // ParseNumber trims on its own; only a failed parse needs to know whether the text was blank.
    const std::optional<double> value = text::ParseNumber(text);
    if (!value) {
        return text::Trim(text).empty() ? ValueText::kRead : ValueText::kNotANumber;
    }
    if (std::isfinite(*value)) {
        out = *value;
    }
    return ValueText::kRead;
}

inline ValueText FloatText(std::string_view text, float& out) noexcept {
    double value = std::nan("");
    const ValueText result = DoubleText(text, value);
    if (result == ValueText::kRead && std::isfinite(value) && std::fabs(value) < 3.0e38) {
        out = static_cast<float>(value);
    }
    return result;
}

/// Non-negative integers below the kNoValue16 marker (heart rate, cadence, power); fractions are
/// rounded ("85.0" is 85).
inline ValueText Uint16Text(std::string_view text, std::uint16_t& out) noexcept {
    // Plain digits are what devices write (usually without white space, so try before trimming);
    // anything else takes the general number path.
    auto plain_digits = [&out](std::string_view digits) {
        if (digits.empty() || digits.size() > 5) {
            return false;
        }
        std::uint32_t value = 0;
        for (const char c : digits) {
            if (c < '0' || c > '9') {
                return false;
            }
            value = value * 10 + static_cast<std::uint32_t>(c - '0');
        }
        if (value >= kNoValue16) {
            return false;
        }
        out = static_cast<std::uint16_t>(value);
        return true;
    };
    if (plain_digits(text)) {
        return ValueText::kRead;
    }
    const std::string_view trimmed = text::Trim(text);
    if (trimmed.empty() || plain_digits(trimmed)) {
        return ValueText::kRead;
    }
    double value = std::nan("");
    if (DoubleText(trimmed, value) != ValueText::kRead) {
        return ValueText::kNotANumber;
    }
    if (std::isnan(value)) {
        return ValueText::kRead;
    }
    if (value < 0 || value >= kNoValue16 - 0.5) {  // rounds to the marker or beyond
        return ValueText::kOutOfRange;
    }
    out = static_cast<std::uint16_t>(std::lround(value));
    return ValueText::kRead;
}

inline ValueText TimeText(std::string_view text, std::int64_t& out) noexcept {
    const std::optional<std::int64_t> value = text::ParseTimeMs(text);  // trims on its own
    if (!value) {
        return text::Trim(text).empty() ? ValueText::kRead : ValueText::kNotATime;
    }
    out = *value;
    return ValueText::kRead;
}

/// True for ValueText::kRead; else fails the document with `<what> "<text>" <why>`.
inline bool CheckValue(Reader& reader, ValueText result, std::string_view text, const char* what) {
    switch (result) {
        case ValueText::kRead:
            return true;
        case ValueText::kNotANumber:
            reader.Fail(std::string(what) + ' ' + Quote(text) + " is not a number");
            return false;
        case ValueText::kOutOfRange:
            reader.Fail(std::string(what) + ' ' + Quote(text) + " is out of range [0, 65534]");
            return false;
        case ValueText::kNotATime:
            reader.Fail(std::string(what) + ' ' + Quote(text) +
                        " is not an RFC 3339 date-time (like 2024-05-01T07:30:00Z or 2024-05-01T09:30:00.5+02:00)");
            return false;
    }
    return false;
}

inline bool ReadDouble(Reader& reader, std::string_view text, const char* what, double& out) {
    return CheckValue(reader, DoubleText(text, out), text, what);
}

inline bool ReadFloat(Reader& reader, std::string_view text, const char* what, float& out) {
    return CheckValue(reader, FloatText(text, out), text, what);
}

inline bool ReadUint16(Reader& reader, std::string_view text, const char* what, std::uint16_t& out) {
    return CheckValue(reader, Uint16Text(text, out), text, what);
}

inline bool ReadTime(Reader& reader, std::string_view text, const char* what, std::int64_t& out) {
    return CheckValue(reader, TimeText(text, out), text, what);
}

/// Degrees of latitude (limit 90) or longitude (limit 180), already parsed from `text`. Unlike the
/// sensor values, a position must be a number when present: an unreadable position is a broken
/// file, not a missing value.
inline bool CheckDegrees(Reader& reader, const std::optional<double>& value, std::string_view text, const char* what,
                         double limit) {
    if (!value || !std::isfinite(*value)) {
        reader.Fail(std::string(what) + ' ' + Quote(text) + " is not a number");
        return false;
    }
    if (std::fabs(*value) > limit) {
        reader.Fail(std::string(what) + ' ' + Quote(text) + " is out of range [-" +
                    std::to_string(static_cast<int>(limit)) + ", " + std::to_string(static_cast<int>(limit)) + "]");
        return false;
    }
    return true;
}

inline bool ReadDegrees(Reader& reader, std::string_view text, const char* what, double limit, double& out) {
    const std::optional<double> value = text::ParseNumber(text);
    if (!CheckDegrees(reader, value, text, what, limit)) {
        return false;
    }
    out = *value;
    return true;
}

/// How many samples to reserve for: occurrences of `tag` (e.g. "<trkpt"), but never more than the
/// input could hold at `min_point_bytes` per sample nor more than the limit, so a hostile file of
/// bare tags cannot make the reservation outgrow the input.
///
/// Counted exactly in a document of up to kEstimateSampleBytes; in a larger one, counted in its
/// first kEstimateSampleBytes and extrapolated (plus 1/16): a second pass over tens of megabytes
/// costs as much as a tenth of the parse, and the columns grow on their own if the estimate is low.
inline constexpr std::size_t kEstimateSampleBytes = 512u << 10;

inline std::size_t EstimatePoints(std::string_view bytes, std::string_view tag, std::size_t min_point_bytes,
                                  const Limits& limits) noexcept {
    std::size_t estimate = 0;
    if (bytes.size() <= kEstimateSampleBytes) {
        estimate = CountOccurrences(bytes, tag);
    } else {
        const std::size_t sampled = CountOccurrences(bytes.substr(0, kEstimateSampleBytes), tag);
        // sampled <= kEstimateSampleBytes and bytes.size() <= SIZE_MAX: no overflow in 64 bits for
        // any input that fits in memory (2^19 * 2^44).
        const double scaled = static_cast<double>(sampled) * static_cast<double>(bytes.size()) /
                              static_cast<double>(kEstimateSampleBytes);
        estimate = static_cast<std::size_t>(scaled + scaled / 16.0) + (sampled != 0 ? 16 : 0);
    }
    return std::min({estimate, bytes.size() / min_point_bytes, limits.max_points});
}

/// A GPX/TCX document may be what was uploaded (Limits::max_input_bytes) or what a .gz expanded to
/// (Limits::max_decompressed_bytes); anything larger than both is refused before parsing.
inline std::optional<ParseError> CheckInputSize(std::string_view bytes, const Limits& limits, const char* format) {
    const std::size_t limit = std::max(limits.max_input_bytes, limits.max_decompressed_bytes);
    if (bytes.size() <= limit) {
        return std::nullopt;
    }
    ParseError error;
    error.reason = std::string(format) + " document of " + std::to_string(bytes.size()) +
                   " bytes is over the limit of " + std::to_string(limit) + " bytes";
    error.byte_offset = limit;
    return error;
}

/// Reads one GPX or TCX document into an ImportedFile with `DocumentHandler` (constructed from
/// `(bytes, limits)`, an xml::Handler with `Result<ImportedFile> Finish()`). The fast engine reads
/// nearly every real file; what it cannot decide, expat reads again from the start with a fresh
/// handler.
template <class DocumentHandler>
Result<ImportedFile> ParseDocument(std::string_view bytes, const Limits& limits, const char* format) {
    if (std::optional<ParseError> error = CheckInputSize(bytes, limits, format)) {
        return std::move(*error);
    }
    for (const Engine engine : {Engine::kFast, Engine::kExpat}) {
        DocumentHandler handler(bytes, limits);
        Outcome outcome = Parse(engine, bytes, limits, handler);
        if (outcome.needs_expat) {
            continue;
        }
        if (outcome.error) {
            return std::move(*outcome.error);
        }
        return handler.Finish();
    }
    ParseError error;  // unreachable: expat always decides
    error.reason = "XML engine gave no answer";
    return error;
}

}  // namespace strava1::formats::xml
