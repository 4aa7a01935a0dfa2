#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>
#include <vector>

#include "strava1/jobs/schedule.hpp"
#include "time_zone.hpp"

namespace strava1::jobs {
namespace {

constexpr std::array<const char*, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                     "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<const char*, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldSpec {
    const char* name;
    int min;
    int max;
    const char* const* names;  // nullptr, or the names of min..min+count-1
    int name_count;
};

constexpr FieldSpec kFields[] = {
    {"minute", 0, 59, nullptr, 0},
    {"hour", 0, 23, nullptr, 0},
    {"day of month", 1, 31, nullptr, 0},
    {"month", 1, 12, kMonthNames.data(), 12},
    {"day of week", 0, 7, kDayNames.data(), 7},
};

std::optional<int> ParseValue(std::string_view text, const FieldSpec& spec) {
    if (text.empty()) {
        return std::nullopt;
    }
    if (std::isalpha(static_cast<unsigned char>(text[0])) != 0) {
        if (spec.names == nullptr || text.size() != 3) {
            return std::nullopt;
        }
        std::string lower(text);
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        for (int idx = 0; idx < spec.name_count; ++idx) {
            if (lower == spec.names[idx]) {
                return spec.min + idx;
            }
        }
        return std::nullopt;
    }
    if (text.size() > 2 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    const int value = std::stoi(std::string(text));
    if (value < spec.min || value > spec.max) {
        return std::nullopt;
    }
    return value;
}

/// Sets the values `text` names; false (and `why`) when malformed.
bool ParseField(std::string_view text, const FieldSpec& spec, std::vector<bool>& out, std::string& why) {
    auto fail = [&](const std::string& reason) {
        why = std::string(spec.name) + " field \"" + std::string(text) + "\": " + reason;
        return false;
    };
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) {
            comma = text.size();
        }
        std::string_view item = text.substr(start, comma - start);
        int step = 1;
        bool stepped = false;
        if (auto slash = item.find('/'); slash != std::string_view::npos) {
            std::string_view step_text = item.substr(slash + 1);
            if (step_text.empty() || step_text.size() > 2 ||
                !std::all_of(step_text.begin(), step_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                return fail("a step must be a number after '/'");
            }
            step = std::stoi(std::string(step_text));
            if (step < 1 || step > spec.max) {
                return fail("step out of range");
            }
            item = item.substr(0, slash);
            stepped = true;
        }
        int low = spec.min;
        int high = spec.max;
        if (item == "*") {
            // every value
        } else if (auto dash = item.find('-'); dash != std::string_view::npos) {
            auto a = ParseValue(item.substr(0, dash), spec);
            auto b = ParseValue(item.substr(dash + 1), spec);
            if (!a || !b) {
                return fail("expected a range of values " + std::to_string(spec.min) + "-" + std::to_string(spec.max));
            }
            if (*a > *b) {
                return fail("a range must not run backwards");
            }
            low = *a;
            high = *b;
        } else {
            auto value = ParseValue(item, spec);
            if (!value) {
                return fail("expected *, a value " + std::to_string(spec.min) + "-" + std::to_string(spec.max) +
                            ", a range or a list");
            }
            low = *value;
            // "a/n" runs from a to the end; a lone value is just itself.
            high = stepped ? spec.max : *value;
        }
        for (int v = low; v <= high; v += step) {
            out[static_cast<std::size_t>(v)] = true;
        }
        start = comma + 1;
    }
    return true;
}

std::string_view Macro(std::string_view text) {
    if (text == "@yearly" || text == "@annually") {
        return "0 0 1 1 *";
    }
    if (text == "@monthly") {
        return "0 0 1 * *";
    }
    if (text == "@weekly") {
        return "0 0 * * 0";
    }
    if (text == "@daily" || text == "@midnight") {
        return "0 0 * * *";
    }
    if (text == "@hourly") {
        return "0 * * * *";
    }
    return {};
}

constexpr std::int64_t kMinute = 60;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::optional<Cron> Cron::Parse(std::string_view text, std::string* why) {
    std::string reason;
    auto fail = [&](std::string r) -> std::optional<Cron> {
        if (why != nullptr) {
            *why = std::move(r);
        }
        return std::nullopt;
    };
    if (text.size() > 200) {
        return fail("too long");
    }
    std::string_view expanded = text;
    if (!text.empty() && text.front() == '@') {
        expanded = Macro(text);
        if (expanded.empty()) {
            return fail("unknown macro \"" + std::string(text) + "\" (@yearly, @monthly, @weekly, @daily, @hourly)");
        }
    }
    std::istringstream in{std::string(expanded)};
    std::vector<std::string> fields;
    for (std::string field; in >> field;) {
        fields.push_back(field);
    }
    if (fields.size() != 5) {
        return fail("expected five fields: minute hour day-of-month month day-of-week");
    }
    Cron cron;
    cron.text_ = std::string(text);
    std::vector<std::vector<bool>> sets;
    for (std::size_t idx = 0; idx < 5; ++idx) {
        std::vector<bool> set(static_cast<std::size_t>(kFields[idx].max + 1), false);
        if (!ParseField(fields[idx], kFields[idx], set, reason)) {
            return fail(reason);
        }
        sets.push_back(std::move(set));
    }
    for (int v = 0; v < 60; ++v) {
        cron.minutes_[static_cast<std::size_t>(v)] = sets[0][static_cast<std::size_t>(v)];
    }
    for (int v = 0; v < 24; ++v) {
        cron.hours_[static_cast<std::size_t>(v)] = sets[1][static_cast<std::size_t>(v)];
    }
    for (int v = 1; v <= 31; ++v) {
        cron.days_[static_cast<std::size_t>(v)] = sets[2][static_cast<std::size_t>(v)];
    }
    for (int v = 1; v <= 12; ++v) {
        cron.months_[static_cast<std::size_t>(v)] = sets[3][static_cast<std::size_t>(v)];
    }
    for (int v = 0; v <= 7; ++v) {
        if (sets[4][static_cast<std::size_t>(v)]) {
            cron.weekdays_[static_cast<std::size_t>(v % 7)] = true;
        }
    }
    cron.days_restricted_ = fields[2].front() != '*';
    cron.weekdays_restricted_ = fields[4].front() != '*';
    return cron;
}

bool Cron::DayMatches(int year, unsigned month, unsigned day) const {
    const bool by_day = days_[day];
    const auto weekday =
        std::chrono::weekday{std::chrono::sys_days{std::chrono::days{DaysFromCivil(year, month, day)}}};
    const bool by_weekday = weekdays_[weekday.c_encoding()];
    if (days_restricted_ && weekdays_restricted_) {
        return by_day || by_weekday;
    }
    return by_day && by_weekday;
}

std::optional<SystemTime> Cron::Next(SystemTime after, const TimeZone& zone) const {
    const std::int64_t after_s =
        FloorDiv(std::chrono::duration_cast<std::chrono::microseconds>(after.time_since_epoch()).count(), 1'000'000);
    // Walk local wall-clock time minute by minute (skipping whole months, days and hours that cannot
    // match), from the minute after `after` as read in the zone.
    std::int64_t local = FloorDiv(after_s + zone.OffsetAt(after_s), kMinute) * kMinute + kMinute;
    const std::int64_t limit = local + 5 * 366 * kDay;
    while (local < limit) {
        const std::int64_t day_index = FloorDiv(local, kDay);
        const std::int64_t second_of_day = local - day_index * kDay;
        int year = 0;
        unsigned month = 0;
        unsigned day = 0;
        CivilFromDays(day_index, year, month, day);
        if (!months_[month]) {
            local = (month == 12 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, month + 1, 1)) * kDay;
            continue;
        }
        if (!DayMatches(year, month, day)) {
            local = (day_index + 1) * kDay;
            continue;
        }
        const auto hour = static_cast<std::size_t>(second_of_day / kHour);
        if (!hours_[hour]) {
            local = day_index * kDay + static_cast<std::int64_t>(hour + 1) * kHour;
            continue;
        }
        auto minute = static_cast<std::size_t>((second_of_day % kHour) / kMinute);
        while (minute < 60 && !minutes_[minute]) {
            ++minute;
        }
        if (minute == 60) {
            local = day_index * kDay + static_cast<std::int64_t>(hour + 1) * kHour;
            continue;
        }
        local =
            day_index * kDay + static_cast<std::int64_t>(hour) * kHour + static_cast<std::int64_t>(minute) * kMinute;
        const std::int64_t utc = zone.ToUtc(local);
        if (utc > after_s) {
            return SystemTime{std::chrono::seconds(utc)};
        }
        // That local minute was already reached (the repeated hour where clocks went back).
        local += kMinute;
    }
    return std::nullopt;
}

std::optional<SystemTime> Cron::Next(SystemTime after, std::string_view time_zone) const {
    auto zone = TimeZone::Find(time_zone);
    if (!zone) {
        return std::nullopt;
    }
    return Next(after, *zone);
}

bool KnownTimeZone(std::string_view time_zone) { return TimeZone::Find(time_zone) != nullptr; }

}  // namespace strava1::jobs
