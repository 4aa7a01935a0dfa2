#include "text_values.hpp"

#include <array>
#include <bit>
#include <charconv>
#include <cstddef>
#include <cstring>
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

/// Eight bytes as a little-endian word: byte 0 of the text is the lowest byte.
inline std::uint64_t LoadLittleEndian64(const char* p) noexcept {
    std::uint64_t word = 0;
    std::memcpy(&word, p, sizeof word);
    if constexpr (std::endian::native == std::endian::big) {
        word = __builtin_bswap64(word);
    }
    return word;
}

/// Whether every byte of `word` selected by `mask` (0xFF per byte) is an ASCII digit. XOR maps
/// '0'..'9' to 0..9 and every other byte to 10 or more; adding 0x76 sets the high bit exactly for
/// those (a carry out of a byte only ever follows a byte that already failed).
inline bool DigitsAt(std::uint64_t word, std::uint64_t mask) noexcept {
    const std::uint64_t values = (word ^ 0x3030'3030'3030'3030) & mask;
    return (((values + 0x7676'7676'7676'7676) | values) & 0x8080'8080'8080'8080) == 0;
}

/// The number written by eight digit values (0..9, one per byte, the first digit in the lowest
/// byte): pairs, then quadruples, then the whole, with three multiplications.
inline std::uint32_t EightDigits(std::uint64_t values) noexcept {
    values = values * 10 + (values >> 8);  // each even byte: a two-digit number
    values = (((values & 0x0000'00FF'0000'00FF) * (100 + (1'000'000ull << 32))) +
              (((values >> 16) & 0x0000'00FF'0000'00FF) * (1 + (10'000ull << 32)))) >>
             32;
    return static_cast<std::uint32_t>(values);
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

constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/// Digits at `p` (before `end`) appended to `value`; returns the first byte that is not a digit.
/// Overflows silently past 19 digits: callers count digits and refuse such a value.
inline const char* AccumulateDigits(const char* p, const char* end, std::uint64_t& value) noexcept {
    while (p < end) {
        const auto digit = static_cast<unsigned>(static_cast<unsigned char>(*p) - '0');
        if (digit > 9) {
            break;
        }
        value = value * 10 + digit;
        ++p;
    }
    return p;
}

/// What GPS files hold ("-12.3456789", "135"), as written - no sign but '-', no white space, no
/// exponent: when the digits fit in 53 bits and there are at most 22 decimals, mantissa /
/// 10^decimals is one correctly rounded IEEE operation on two exact values (Clinger), so it equals
/// from_chars. False for any other shape; the caller then takes the general path.
inline bool ParsePlainDecimal(std::string_view text, double& out) noexcept {
    const char* p = text.data();
    const char* const end = p + text.size();
    if (p == end) {
        return false;
    }
    const bool negative = *p == '-';
    p += negative ? 1 : 0;
    std::uint64_t mantissa = 0;
    const char* const integer_begin = p;
    p = AccumulateDigits(p, end, mantissa);
    std::size_t digits = static_cast<std::size_t>(p - integer_begin);
    if (digits == 0) {
        return false;
    }
    std::size_t decimals = 0;
    if (p != end) {
        if (*p != '.') {
            return false;
        }
        const char* const fraction_begin = ++p;
        decimals = static_cast<std::size_t>(end - fraction_begin);
        if (decimals == 0) {
            return false;  // "5."
        }
        p = AccumulateDigits(p, end, mantissa);
        if (p != end) {
            return false;  // trailing bytes
        }
        digits += decimals;
    }
    // At most 19 digits, so the mantissa did not overflow (and decimals <= 22); exact up to 2^53.
    if (digits > 19 || mantissa > (std::uint64_t{1} << 53)) {
        return false;
    }
    const double value = static_cast<double>(mantissa) / kPowersOfTen[decimals];
    out = negative ? -value : value;
    return true;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view text) noexcept {
    double plain = 0;
    if (ParsePlainDecimal(text, plain)) {
        return plain;
    }
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
    if (ParsePlainDecimal(text, plain)) {  // it was surrounded by white space, or had a '+'
        return plain;
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

bool ParseFixedE7(std::string_view text, std::int32_t& out) noexcept {
    const char* p = text.data();
    const char* const end = p + text.size();
    if (p == end) {
        return false;
    }
    const bool negative = *p == '-';
    p += negative ? 1 : 0;
    // Seven decimals, as nearly every device writes them ("46.0123456"): the last eight bytes are
    // the '.' and the decimals, checked and converted at once.
    if (text.size() >= 9 && end[-8] == '.') {
        const auto integer_digits = static_cast<std::size_t>(end - 8 - p);
        const std::uint64_t word = LoadLittleEndian64(end - 8);
        constexpr std::uint64_t kDecimals = 0xFFFF'FFFF'FFFF'FF00;  // bytes 1-7
        if (integer_digits < 1 || integer_digits > 3 || !DigitsAt(word, kDecimals)) {
            return false;
        }
        std::uint32_t degrees = 0;
        for (; p < end - 8; ++p) {
            const auto digit = static_cast<unsigned>(static_cast<unsigned char>(*p) - '0');
            if (digit > 9) {
                return false;
            }
            degrees = degrees * 10 + digit;
        }
        const std::uint64_t units =
            std::uint64_t{degrees} * 10'000'000 + EightDigits((word ^ 0x3030'3030'3030'3030) & kDecimals);
        if (units > 1'800'000'000) {
            return false;
        }
        out = negative ? -static_cast<std::int32_t>(units) : static_cast<std::int32_t>(units);
        return true;
    }
    std::uint32_t degrees = 0;
    std::size_t integer_digits = 0;
    for (; p < end && integer_digits <= 3; ++p, ++integer_digits) {
        const auto digit = static_cast<unsigned>(static_cast<unsigned char>(*p) - '0');
        if (digit > 9) {
            break;
        }
        degrees = degrees * 10 + digit;
    }
    if (integer_digits == 0 || integer_digits > 3) {
        return false;
    }
    std::uint32_t fraction = 0;  // in units of 10^-decimals
    std::size_t decimals = 0;
    if (p != end) {
        if (*p != '.') {
            return false;
        }
        ++p;
        decimals = static_cast<std::size_t>(end - p);
        if (decimals == 0 || decimals > 7) {
            return false;
        }
        if (text.size() >= 8) {
            // The text's last eight bytes end with the decimals: check and convert them at once,
            // the bytes before them masked off (they read as leading zeros).
            const std::uint64_t word = LoadLittleEndian64(end - 8);
            const std::uint64_t mask = ~std::uint64_t{0} << (8 * (8 - decimals));
            if (!DigitsAt(word, mask)) {
                return false;
            }
            fraction = EightDigits((word ^ 0x3030'3030'3030'3030) & mask);
        } else {
            for (; p < end; ++p) {
                const auto digit = static_cast<unsigned>(static_cast<unsigned char>(*p) - '0');
                if (digit > 9) {
                    return false;
                }
                fraction = fraction * 10 + digit;
            }
        }
    }
    static constexpr std::uint32_t kScale[] = {10'000'000, 1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};
    const std::uint64_t units = std::uint64_t{degrees} * 10'000'000 + std::uint64_t{fraction} * kScale[decimals];
    if (units > 1'800'000'000) {
        return false;
    }
    out = negative ? -static_cast<std::int32_t>(units) : static_cast<std::int32_t>(units);
    return true;
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
    // Sixteen bytes in two words: "YYYY-MM-" and "DDTHH:MM" (the input is at least 19 bytes).
    const std::uint64_t date = LoadLittleEndian64(text.data());
    const std::uint64_t clock = LoadLittleEndian64(text.data() + 8);
    constexpr std::uint64_t kDateDigits = 0x00FF'FF00'FFFF'FFFF;   // bytes 0-3 and 5-6
    constexpr std::uint64_t kClockDigits = 0xFFFF'00FF'FF00'FFFF;  // bytes 0-1, 3-4 and 6-7
    constexpr std::uint64_t kDateDashes = (std::uint64_t{'-'} << 32) | (std::uint64_t{'-'} << 56);
    const char separator = text[10];
    const auto second_tens = static_cast<unsigned>(static_cast<unsigned char>(text[17]) - '0');
    const auto second_units = static_cast<unsigned>(static_cast<unsigned char>(text[18]) - '0');
    if (!DigitsAt(date, kDateDigits) || !DigitsAt(clock, kClockDigits) || (date & ~kDateDigits) != kDateDashes ||
        text[13] != ':' || text[16] != ':' || second_tens > 9 || second_units > 9 ||
        (separator != 'T' && separator != 't' && separator != ' ')) {
        return std::nullopt;
    }
    auto digit = [](std::uint64_t word, unsigned byte) { return static_cast<unsigned>((word >> (8 * byte)) & 0x0F); };
    const unsigned year = digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3);
    const unsigned month = digit(date, 5) * 10 + digit(date, 6);
    const unsigned day = digit(clock, 0) * 10 + digit(clock, 1);
    const unsigned hour = digit(clock, 3) * 10 + digit(clock, 4);
    const unsigned minute = digit(clock, 6) * 10 + digit(clock, 7);
    const unsigned second = second_tens * 10 + second_units;
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
