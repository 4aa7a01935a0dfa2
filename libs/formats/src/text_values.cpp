#include "text_values.hpp"

#include <array>
#include <charconv>
#include <cstddef>
#include <string_view>
#include <system_error>

namespace strava1::formats::text {
namespace {

bool IsDigit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Reads exactly `count` digits at `pos`, advancing it.
bool ReadDigits(std::string_view text, std::size_t& pos, std::size_t count, unsigned& out) noexcept {
    if (pos + count > text.size()) {
        return false;
    }
    unsigned value = 0;
    for (std::size_t digit_idx = 0; digit_idx < count; ++digit_idx) {
        const char c = text[pos + digit_idx];
        if (!IsDigit(c)) {
            return false;
        }
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    pos += count;
    out = value;
    return true;
}

bool Expect(std::string_view text, std::size_t& pos, char c) noexcept {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

bool IsLeapYear(std::int64_t year) noexcept { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned DaysInMonth(std::int64_t year, unsigned month) noexcept {
    static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

struct Label {
    std::string_view key;  // normalised: lower-case letters and digits only
    Sport sport;
};

constexpr std::array<Label, 57> kLabels = {{
    {"run", Sport::kRun},
    {"running", Sport::kRun},
    {"streetrunning", Sport::kRun},
    {"trackrunning", Sport::kRun},
    {"treadmillrunning", Sport::kRun},
    {"indoorrunning", Sport::kRun},
    {"virtualrun", Sport::kRun},
    {"trailrun", Sport::kTrailRun},
    {"trailrunning", Sport::kTrailRun},
    {"walk", Sport::kWalk},
    {"walking", Sport::kWalk},
    {"casualwalking", Sport::kWalk},
    {"speedwalking", Sport::kWalk},
    {"hike", Sport::kHike},
    {"hiking", Sport::kHike},
    {"ride", Sport::kRide},
    {"biking", Sport::kRide},
    {"bike", Sport::kRide},
    {"cycling", Sport::kRide},
    {"roadbiking", Sport::kRide},
    {"roadcycling", Sport::kRide},
    {"gravelride", Sport::kRide},
    {"gravelcycling", Sport::kRide},
    {"cyclocross", Sport::kRide},
    {"ebikeride", Sport::kRide},
    {"ebiking", Sport::kRide},
    {"mountainbike", Sport::kMountainBike},
    {"mountainbiking", Sport::kMountainBike},
    {"mountainbikeride", Sport::kMountainBike},
    {"mtb", Sport::kMountainBike},
    {"downhillbiking", Sport::kMountainBike},
    {"virtualride", Sport::kVirtualRide},
    {"indoorcycling", Sport::kVirtualRide},
    {"virtualcycling", Sport::kVirtualRide},
    {"swim", Sport::kSwim},
    {"swimming", Sport::kSwim},
    {"lapswimming", Sport::kSwim},
    {"poolswim", Sport::kSwim},
    {"poolswimming", Sport::kSwim},
    {"openwaterswimming", Sport::kSwim},
    {"rowing", Sport::kRowing},
    {"row", Sport::kRowing},
    {"indoorrowing", Sport::kRowing},
    {"ski", Sport::kSki},
    {"skiing", Sport::kSki},
    {"alpineski", Sport::kSki},
    {"alpineskiing", Sport::kSki},
    {"backcountryski", Sport::kSki},
    {"nordicski", Sport::kSki},
    {"crosscountryskiing", Sport::kSki},
    {"transition", Sport::kTransition},
    {"other", Sport::kOther},
    // Strava's GPX export writes its activity type as a number.
    {"1", Sport::kRide},
    {"4", Sport::kHike},
    {"9", Sport::kRun},
    {"10", Sport::kWalk},
    {"16", Sport::kSwim},
}};

}  // namespace

std::optional<double> ParseNumber(std::string_view text) noexcept {
    text = Trim(text);
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
        if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
            return std::nullopt;
        }
    }
    if (text.empty()) {
        return std::nullopt;
    }
    // Fast path for what GPS files hold ("-12.3456789", "135"): when the digits fit in 53 bits and
    // there are at most 22 decimals, mantissa / 10^decimals is one correctly rounded IEEE
    // operation on two exact values (Clinger), so it equals from_chars. Anything else goes there.
    {
        static constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        std::size_t pos = 0;
        const bool negative = text[0] == '-';
        if (negative) {
            pos = 1;
        }
        // At most 19 digits in all, so the mantissa cannot overflow; exact as a double up to 2^53.
        constexpr std::size_t kMaxDigits = 19;
        std::size_t digits = 0;
        std::uint64_t mantissa = 0;
        while (pos < text.size() && IsDigit(text[pos]) && digits < kMaxDigits) {
            mantissa = mantissa * 10 + static_cast<std::uint64_t>(text[pos] - '0');
            ++digits;
            ++pos;
        }
        const std::size_t integer_digits = digits;
        std::size_t decimals = 0;
        if (integer_digits > 0 && pos < text.size() && text[pos] == '.') {
            ++pos;
            while (pos < text.size() && IsDigit(text[pos]) && digits < kMaxDigits) {
                mantissa = mantissa * 10 + static_cast<std::uint64_t>(text[pos] - '0');
                ++digits;
                ++decimals;
                ++pos;
            }
            if (decimals == 0) {
                pos = text.size() + 1;  // "5.": not the fast path's shape
            }
        }
        if (integer_digits > 0 && pos == text.size() && mantissa <= (std::uint64_t{1} << 53) && decimals <= 22) {
            const double value = static_cast<double>(mantissa) / kPowersOfTen[decimals];
            return negative ? -value : value;
        }
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day) noexcept {
    // Count from 0000-03-01 so the leap day is the last day of the (shifted) year; 400-year eras
    // repeat exactly (146097 days).
    const std::int64_t shifted_year = month <= 2 ? year - 1 : year;
    const std::int64_t era = (shifted_year >= 0 ? shifted_year : shifted_year - 399) / 400;
    const std::int64_t year_of_era = shifted_year - era * 400;                 // [0, 399]
    const unsigned shifted_month = month > 2 ? month - 3 : month + 9;          // March = 0
    const std::int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1;  // [0, 365]
    const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;  // 719468: days from 0000-03-01 to 1970-01-01
}

std::optional<std::int64_t> ParseTimeMs(std::string_view text) noexcept {
    text = Trim(text);
    // The fixed-width head "YYYY-MM-DDTHH:MM:SS", read in place.
    if (text.size() < 19) {
        return std::nullopt;
    }
    bool digits_ok = true;
    auto field = [&](std::size_t at, std::size_t count) {
        unsigned value = 0;
        for (std::size_t digit_idx = 0; digit_idx < count; ++digit_idx) {
            const auto digit = static_cast<unsigned>(text[at + digit_idx] - '0');
            digits_ok = digits_ok && digit <= 9;
            value = value * 10 + digit;
        }
        return value;
    };
    const unsigned year = field(0, 4);
    const unsigned month = field(5, 2);
    const unsigned day = field(8, 2);
    const unsigned hour = field(11, 2);
    const unsigned minute = field(14, 2);
    const unsigned second = field(17, 2);
    const char separator = text[10];
    if (!digits_ok || text[4] != '-' || text[7] != '-' || text[13] != ':' || text[16] != ':' ||
        (separator != 'T' && separator != 't' && separator != ' ')) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
        second > 60) {
        return std::nullopt;
    }
    // Fraction: keep nine digits (nanoseconds), ignore the rest, round to milliseconds.
    std::int64_t nanos = 0;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        std::size_t digits = 0;
        std::int64_t scale = 100'000'000;
        while (pos < text.size() && IsDigit(text[pos])) {
            if (digits < 9) {
                nanos += (text[pos] - '0') * scale;
                scale /= 10;
            }
            ++digits;
            ++pos;
        }
        if (digits == 0) {
            return std::nullopt;
        }
    }
    std::int64_t offset_minutes = 0;
    if (pos < text.size()) {
        const char sign = text[pos];
        if (sign == 'Z' || sign == 'z') {
            ++pos;
        } else if (sign == '+' || sign == '-') {
            ++pos;
            unsigned offset_hours = 0;
            unsigned offset_mins = 0;
            if (!ReadDigits(text, pos, 2, offset_hours)) {
                return std::nullopt;
            }
            if (pos < text.size()) {
                Expect(text, pos, ':');
                if (!ReadDigits(text, pos, 2, offset_mins)) {
                    return std::nullopt;
                }
            }
            if (offset_hours > 23 || offset_mins > 59) {
                return std::nullopt;
            }
            offset_minutes = static_cast<std::int64_t>(offset_hours) * 60 + static_cast<std::int64_t>(offset_mins);
            if (sign == '-') {
                offset_minutes = -offset_minutes;
            }
        } else {
            return std::nullopt;
        }
    }
    if (pos != text.size()) {
        return std::nullopt;
    }
    const std::int64_t days = DaysFromCivil(year, month, day);
    const std::int64_t seconds = days * 86'400 + hour * 3'600 + minute * 60 + second - offset_minutes * 60;
    return seconds * 1'000 + (nanos + 500'000) / 1'000'000;
}

Sport SportFromLabel(std::string_view label) noexcept {
    // Normalise into a small buffer; labels longer than it are not sports we know.
    std::array<char, 32> buffer{};
    std::size_t size = 0;
    for (const char c : label) {
        char normalised = c;
        if (c >= 'A' && c <= 'Z') {
            normalised = static_cast<char>(c - 'A' + 'a');
        } else if (c == ' ' || c == '_' || c == '-' || c == '\t' || c == '\n' || c == '\r') {
            continue;
        } else if (!((c >= 'a' && c <= 'z') || IsDigit(c))) {
            return Sport::kUnknown;
        }
        if (size == buffer.size()) {
            return Sport::kUnknown;
        }
        buffer[size++] = normalised;
    }
    const std::string_view key(buffer.data(), size);
    for (const Label& entry : kLabels) {
        if (entry.key == key) {
            return entry.sport;
        }
    }
    return Sport::kUnknown;
}

}  // namespace strava1::formats::text
