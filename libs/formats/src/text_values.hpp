#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "strava1/formats/activity.hpp"

/// Text values as GPX and TCX write them: numbers, timestamps, sport labels. Pure, no allocation.
namespace strava1::formats::text {

/// Without leading and trailing XML white space (space, tab, CR, LF).
inline std::string_view Trim(std::string_view text) noexcept {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && space(text[begin])) {
        ++begin;
    }
    while (end > begin && space(text[end - 1])) {
        --end;
    }
    return text.substr(begin, end - begin);
}

/// A decimal number as XML Schema writes one ("-12.5", "+3", "1e-3", ".5"), surrounding white space
/// allowed. NaN and infinities are returned as parsed; nullopt for anything else (also empty).
std::optional<double> ParseNumber(std::string_view text) noexcept;

/// Degrees as integers of 1e-7 for the shape devices write: "[-]d{1,3}[.d{1,7}]", as written (no
/// '+', no white space, no exponent), at most 180 degrees in magnitude. Then the result is exactly
/// DegreesToE7(*ParseNumber(text)): the decimal times 10^7 is an integer below 2^31, and the two
/// roundings of the double path stay within 5e-7 of it. False for any other text (the caller takes
/// the double path, which also words the errors).
bool ParseFixedE7(std::string_view text, std::int32_t& out) noexcept;

/// Days since 1970-01-01 of a proleptic Gregorian date, for any year (no time_t range limit).
/// Preconditions: 1 <= month <= 12, 1 <= day <= 31.
std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day) noexcept;

/// An RFC 3339 / xsd:dateTime timestamp as UTC milliseconds since the epoch:
/// `YYYY-MM-DDTHH:MM:SS[.fraction][Z|+hh:mm|-hh:mm|+hhmm]`, 't' or a space also accepted for 'T',
/// 'z' for 'Z'. No offset at all is read as UTC (xsd allows it; devices that omit it write UTC).
/// Fractions of any length are rounded to the millisecond. Years 0000..9999, leap seconds (":60")
/// accepted. nullopt for anything else, including impossible dates (2023-02-29).
std::optional<std::int64_t> ParseTimeMs(std::string_view text) noexcept;

/// A sport from a free-text label: GPX <type> ("running", "road_biking", "Trail Running"), the TCX
/// Sport attribute ("Running", "Biking", "Other"), Strava's numeric GPX types ("1" ride, "4" hike,
/// "9" run, "10" walk, "16" swim). Case, spaces, '_' and '-' are ignored. Unknown -> kUnknown.
Sport SportFromLabel(std::string_view label) noexcept;

}  // namespace strava1::formats::text
