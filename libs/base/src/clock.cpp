#include "strava1/base/clock.hpp"

#include <charconv>
#include <cstdio>

namespace strava1 {
namespace {

bool ParseInt(std::string_view text, std::size_t pos, std::size_t len, int& out) {
    if (pos + len > text.size()) {
        return false;
    }
    for (std::size_t char_idx = pos; char_idx < pos + len; ++char_idx) {
        if (text[char_idx] < '0' || text[char_idx] > '9') {
            return false;
        }
    }
    auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return ec == std::errc() && ptr == text.data() + pos + len;
}

}  // namespace

const SystemClock& SystemClock::Instance() {
    static const SystemClock clock;
    return clock;
}

std::string FormatRfc3339(SystemTime t, bool millis) {
    auto days = std::chrono::floor<std::chrono::days>(t);
    std::chrono::year_month_day ymd{days};
    std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::milliseconds>(t - days)};
    char buf[40];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld", static_cast<int>(ymd.year()),
                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                          static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                          static_cast<long>(hms.seconds().count()));
    std::string out(buf, static_cast<std::size_t>(n));
    if (millis) {
        std::snprintf(buf, sizeof buf, ".%03ld", static_cast<long>(hms.subseconds().count()));
        out += buf;
    }
    out += 'Z';
    return out;
}

std::optional<std::chrono::year_month_day> ParseDate(std::string_view text) {
    int y = 0;
    int m = 0;
    int d = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !ParseInt(text, 0, 4, y) || !ParseInt(text, 5, 2, m) ||
        !ParseInt(text, 8, 2, d)) {
        return std::nullopt;
    }
    std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                    std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return ymd;
}

std::optional<SystemTime> ParseRfc3339(std::string_view text) {
    if (text.size() < 20) {
        return std::nullopt;
    }
    auto date = ParseDate(text.substr(0, 10));
    int hh = 0;
    int mm = 0;
    int ss = 0;
    if (!date || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !ParseInt(text, 11, 2, hh) ||
        text[13] != ':' || !ParseInt(text, 14, 2, mm) || text[16] != ':' || !ParseInt(text, 17, 2, ss) || hh > 23 ||
        mm > 59 || ss > 60) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    std::chrono::nanoseconds frac{0};
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        std::size_t start = pos;
        std::int64_t scale = 100000000;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            frac += std::chrono::nanoseconds((text[pos] - '0') * scale);
            scale /= 10;
            ++pos;
        }
        if (pos == start) {
            return std::nullopt;
        }
    }
    if (pos >= text.size()) {
        return std::nullopt;
    }
    std::chrono::minutes offset{0};
    if (text[pos] == 'Z' || text[pos] == 'z') {
        ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
        int oh = 0;
        int om = 0;
        if (!ParseInt(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
            !ParseInt(text, pos + 4, 2, om) || oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset = std::chrono::minutes(oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) {
        return std::nullopt;
    }
    SystemTime t = std::chrono::sys_days{*date} + std::chrono::hours(hh) + std::chrono::minutes(mm) +
                   std::chrono::seconds(ss) - offset;
    return t + std::chrono::duration_cast<SystemTime::duration>(frac);
}

}  // namespace strava1
