#include "time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>

namespace strava1::jobs {
namespace chr = std::chrono;

std::int64_t DaysFromCivil(int year, unsigned month, unsigned day) {
    return chr::sys_days{chr::year{year} / chr::month{month} / chr::day{day}}.time_since_epoch().count();
}

void CivilFromDays(std::int64_t days, int& year, unsigned& month, unsigned& day) {
    const chr::year_month_day ymd{chr::sys_days{chr::days{days}}};
    year = static_cast<int>(ymd.year());
    month = static_cast<unsigned>(ymd.month());
    day = static_cast<unsigned>(ymd.day());
}

namespace {

constexpr std::int64_t kDay = 86400;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// ----- POSIX TZ strings

struct Cursor {
    std::string_view text;
    std::size_t pos = 0;
    bool AtEnd() const { return pos >= text.size(); }
    char Peek() const { return AtEnd() ? '\0' : text[pos]; }
    bool Take(char c) {
        if (Peek() == c) {
            ++pos;
            return true;
        }
        return false;
    }
    std::optional<int> Number(int max_digits) {
        int value = 0;
        int digits = 0;
        while (digits < max_digits && std::isdigit(static_cast<unsigned char>(Peek())) != 0) {
            value = value * 10 + (text[pos++] - '0');
            ++digits;
        }
        return digits > 0 ? std::optional<int>(value) : std::nullopt;
    }
};

bool SkipName(Cursor& c) {
    if (c.Take('<')) {
        const std::size_t close = c.text.find('>', c.pos);
        if (close == std::string_view::npos || close - c.pos < 3) {
            return false;
        }
        c.pos = close + 1;
        return true;
    }
    const std::size_t start = c.pos;
    while (std::isalpha(static_cast<unsigned char>(c.Peek())) != 0) {
        ++c.pos;
    }
    return c.pos - start >= 3;
}

/// [+-]hh[:mm[:ss]] in seconds; hours up to 167 (RFC 8536 allows that for rule times).
std::optional<int> ParseHms(Cursor& c) {
    int sign = 1;
    if (c.Take('-')) {
        sign = -1;
    } else {
        c.Take('+');
    }
    auto hours = c.Number(3);
    if (!hours || *hours > 167) {
        return std::nullopt;
    }
    int seconds = *hours * 3600;
    if (c.Take(':')) {
        auto minutes = c.Number(2);
        if (!minutes || *minutes > 59) {
            return std::nullopt;
        }
        seconds += *minutes * 60;
        if (c.Take(':')) {
            auto secs = c.Number(2);
            if (!secs || *secs > 59) {
                return std::nullopt;
            }
            seconds += *secs;
        }
    }
    return sign * seconds;
}

std::optional<PosixTz::Date> ParseDate(Cursor& c) {
    PosixTz::Date date;
    if (c.Take('M')) {
        // -1 for a missing part (GCC's -O3 flow analysis cannot follow optionals through ?: here).
        const int month = c.Number(2).value_or(-1);
        const int week = c.Take('.') ? c.Number(1).value_or(-1) : -1;
        const int weekday = c.Take('.') ? c.Number(1).value_or(-1) : -1;
        if (month < 1 || month > 12 || week < 1 || week > 5 || weekday < 0 || weekday > 6) {
            return std::nullopt;
        }
        date.kind = PosixTz::Date::Kind::kMonthWeekDay;
        date.month = month;
        date.week = week;
        date.weekday = weekday;
    } else if (c.Take('J')) {
        auto day = c.Number(3);
        if (!day || *day < 1 || *day > 365) {
            return std::nullopt;
        }
        date.kind = PosixTz::Date::Kind::kJulianNoLeap;
        date.day = *day;
    } else {
        auto day = c.Number(3);
        if (!day || *day > 365) {
            return std::nullopt;
        }
        date.kind = PosixTz::Date::Kind::kZeroBased;
        date.day = *day;
    }
    if (c.Take('/')) {
        auto time = ParseHms(c);
        if (!time) {
            return std::nullopt;
        }
        date.time_s = *time;
    }
    return date;
}

/// Seconds since the epoch, in the local time of the rule, at which `date` begins in `year`.
std::int64_t LocalDayStart(const PosixTz::Date& date, int year) {
    using Kind = PosixTz::Date::Kind;
    const std::int64_t jan1 = DaysFromCivil(year, 1, 1);
    const bool leap = chr::year{year}.is_leap();
    std::int64_t days = 0;
    switch (date.kind) {
        case Kind::kJulianNoLeap:
            // Day 60 is always March 1st: February 29th is never counted.
            days = jan1 + date.day - 1 + ((leap && date.day >= 60) ? 1 : 0);
            break;
        case Kind::kZeroBased:
            days = jan1 + date.day;
            break;
        case Kind::kMonthWeekDay: {
            const std::int64_t first = DaysFromCivil(year, static_cast<unsigned>(date.month), 1);
            const int first_weekday = static_cast<int>(chr::weekday{chr::sys_days{chr::days{first}}}.c_encoding());
            std::int64_t day = first + (date.weekday - first_weekday + 7) % 7 + 7 * (date.week - 1);
            const std::int64_t next_month = date.month == 12
                                                ? DaysFromCivil(year + 1, 1, 1)
                                                : DaysFromCivil(year, static_cast<unsigned>(date.month + 1), 1);
            while (day >= next_month) {
                day -= 7;  // week 5 means the last such weekday of the month
            }
            days = day;
            break;
        }
    }
    return days * kDay;
}

}  // namespace

std::optional<PosixTz> PosixTz::Parse(std::string_view text) {
    Cursor c{text};
    PosixTz tz;
    if (!SkipName(c)) {
        return std::nullopt;
    }
    auto std_offset = ParseHms(c);
    if (!std_offset) {
        return std::nullopt;
    }
    tz.std_offset_s = -*std_offset;  // POSIX counts west of Greenwich as positive
    if (c.AtEnd()) {
        return tz;
    }
    if (!SkipName(c)) {
        return std::nullopt;
    }
    tz.dst_offset_s = tz.std_offset_s + 3600;
    if (!c.AtEnd() && c.Peek() != ',') {
        auto dst_offset = ParseHms(c);
        if (!dst_offset) {
            return std::nullopt;
        }
        tz.dst_offset_s = -*dst_offset;
    }
    if (!c.Take(',')) {
        return std::nullopt;  // a daylight time without rules: the TZif footer never says that
    }
    auto start = ParseDate(c);
    auto end = c.Take(',') ? ParseDate(c) : std::nullopt;
    if (!start || !end || !c.AtEnd()) {
        return std::nullopt;
    }
    tz.start = *start;
    tz.end = *end;
    return tz;
}

int PosixTz::OffsetAt(std::int64_t utc_s) const {
    if (!dst_offset_s) {
        return std_offset_s;
    }
    // The year as standard time reckons it; a change near New Year belongs to the year it is written for.
    int year = 0;
    unsigned month = 0;
    unsigned day = 0;
    CivilFromDays(FloorDiv(utc_s + std_offset_s, kDay), year, month, day);
    const std::int64_t start_utc = LocalDayStart(start, year) + start.time_s - std_offset_s;
    const std::int64_t end_utc = LocalDayStart(end, year) + end.time_s - *dst_offset_s;
    const bool in_dst = start_utc < end_utc ? (utc_s >= start_utc && utc_s < end_utc)    // northern hemisphere
                                            : !(utc_s >= end_utc && utc_s < start_utc);  // southern
    return in_dst ? *dst_offset_s : std_offset_s;
}

// ----- TZif (RFC 8536)

namespace {

struct Reader {
    std::string_view bytes;
    std::size_t pos = 0;
    bool Has(std::size_t n) const { return pos + n <= bytes.size(); }
    std::int64_t Int(int width) {
        std::uint64_t value = 0;
        for (int idx = 0; idx < width; ++idx) {
            value = (value << 8) | static_cast<unsigned char>(bytes[pos++]);
        }
        if (width == 4) {
            return static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
        }
        return static_cast<std::int64_t>(value);
    }
};

struct Header {
    char version = 0;
    std::int64_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

std::optional<Header> ReadHeader(Reader& r) {
    if (!r.Has(44) || r.bytes.substr(r.pos, 4) != "TZif") {
        return std::nullopt;
    }
    Header h;
    h.version = r.bytes[r.pos + 4];
    r.pos += 20;
    h.isutcnt = r.Int(4);
    h.isstdcnt = r.Int(4);
    h.leapcnt = r.Int(4);
    h.timecnt = r.Int(4);
    h.typecnt = r.Int(4);
    h.charcnt = r.Int(4);
    if (h.typecnt < 1 || h.typecnt > 256 || h.timecnt < 0 || h.timecnt > 100000 || h.charcnt < 0 || h.leapcnt < 0 ||
        h.isutcnt < 0 || h.isstdcnt < 0) {
        return std::nullopt;
    }
    return h;
}

std::size_t BlockSize(const Header& h, int time_width) {
    return static_cast<std::size_t>(h.timecnt * time_width + h.timecnt + h.typecnt * 6 + h.charcnt +
                                    h.leapcnt * (time_width + 4) + h.isstdcnt + h.isutcnt);
}

}  // namespace

std::optional<TimeZone> TimeZone::FromTzif(std::string_view bytes) {
    Reader r{bytes};
    auto header = ReadHeader(r);
    if (!header) {
        return std::nullopt;
    }
    int width = 4;
    if (header->version >= '2') {
        // Version 2+: skip the 32-bit block, read the 64-bit one that follows its own header.
        const std::size_t skip = BlockSize(*header, 4);
        if (!r.Has(skip)) {
            return std::nullopt;
        }
        r.pos += skip;
        header = ReadHeader(r);
        if (!header) {
            return std::nullopt;
        }
        width = 8;
    }
    if (!r.Has(BlockSize(*header, width))) {
        return std::nullopt;
    }
    TimeZone zone;
    zone.transitions_.reserve(static_cast<std::size_t>(header->timecnt));
    for (std::int64_t idx = 0; idx < header->timecnt; ++idx) {
        zone.transitions_.push_back(r.Int(width));
        if (idx > 0 && zone.transitions_[idx] <= zone.transitions_[idx - 1]) {
            return std::nullopt;
        }
    }
    std::vector<int> type_of_transition;
    for (std::int64_t idx = 0; idx < header->timecnt; ++idx) {
        type_of_transition.push_back(static_cast<unsigned char>(r.bytes[r.pos++]));
    }
    std::vector<int> type_offsets;
    for (std::int64_t idx = 0; idx < header->typecnt; ++idx) {
        const auto utoff = r.Int(4);
        r.pos += 2;  // isdst, abbreviation index
        if (utoff < -89999 || utoff > 93599) {
            return std::nullopt;
        }
        type_offsets.push_back(static_cast<int>(utoff));
    }
    for (int type : type_of_transition) {
        if (type >= static_cast<int>(type_offsets.size())) {
            return std::nullopt;
        }
        zone.offsets_after_.push_back(type_offsets[static_cast<std::size_t>(type)]);
    }
    zone.initial_offset_ = type_offsets[0];
    r.pos += BlockSize(*header, width) - static_cast<std::size_t>(header->timecnt * (width + 1) + header->typecnt * 6);
    if (width == 8 && r.Has(2) && r.bytes[r.pos] == '\n') {
        const std::size_t end = r.bytes.find('\n', r.pos + 1);
        if (end != std::string_view::npos && end > r.pos + 1) {
            zone.footer_ = PosixTz::Parse(r.bytes.substr(r.pos + 1, end - r.pos - 1));
            if (!zone.footer_) {
                return std::nullopt;
            }
        }
    }
    return zone;
}

int TimeZone::OffsetAt(std::int64_t utc_s) const {
    if (transitions_.empty() || utc_s < transitions_.front()) {
        if (transitions_.empty() && footer_) {
            return footer_->OffsetAt(utc_s);
        }
        return initial_offset_;
    }
    if (utc_s >= transitions_.back() && footer_) {
        return footer_->OffsetAt(utc_s);
    }
    const auto after = std::upper_bound(transitions_.begin(), transitions_.end(), utc_s);
    return offsets_after_[static_cast<std::size_t>(after - transitions_.begin() - 1)];
}

std::int64_t TimeZone::ToUtc(std::int64_t local_s) const {
    // Offsets change at most once within two days of any real zone, so the offsets in force a day
    // before and a day after are the only candidates.
    const int before = OffsetAt(local_s - kDay);
    const int after = OffsetAt(local_s + kDay);
    std::optional<std::int64_t> earliest;
    for (int offset : {before, after}) {
        const std::int64_t candidate = local_s - offset;
        if (OffsetAt(candidate) == offset && (!earliest || candidate < *earliest)) {
            earliest = candidate;
        }
    }
    if (earliest) {
        return *earliest;
    }
    // In a gap: read the time with the offset from before the change, which lands as far past the
    // change as the time was past its start.
    return local_s - before;
}

std::shared_ptr<const TimeZone> TimeZone::Find(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.front() == '/' || name.find("..") != std::string_view::npos ||
        !std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '/' || c == '_' || c == '-' || c == '+';
        })) {
        return nullptr;
    }
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> cache;
    std::lock_guard lock(mutex);
    if (auto it = cache.find(name); it != cache.end()) {
        return it->second;
    }
    const char* dir = std::getenv("TZDIR");
    const std::filesystem::path path =
        std::filesystem::path(dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo") / std::string(name);
    std::shared_ptr<const TimeZone> zone;
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
        std::ifstream in(path, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (auto parsed = FromTzif(bytes)) {
            zone = std::make_shared<const TimeZone>(std::move(*parsed));
        }
    }
    // Unknown names are not cached: the cache would grow with whatever callers try.
    if (zone) {
        cache.emplace(std::string(name), zone);
    }
    return zone;
}

}  // namespace strava1::jobs
