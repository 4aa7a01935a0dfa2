#include "wire.hpp"

#include <charconv>
#include <chrono>

#include "strava1/base/crypto.hpp"
#include "strava1/base/text.hpp"

namespace strava1::activities {
namespace {

bool Digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) {
        return false;
    }
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

}  // namespace

void CheckText(FieldErrors& errors, const char* field, const std::string& value, std::size_t min, std::size_t max) {
    auto lines = std::string_view(field) == "description" ? text::Lines::kMulti : text::Lines::kSingle;
    if (auto problem = text::Check(value, lines, min, max)) {
        errors.Add(field, std::move(*problem));
    }
}

std::optional<std::string> SportProblem(std::string_view name) {
    if (!formats::ParseSportName(name)) {
        return "is not a known sport";
    }
    return std::nullopt;
}

bool HidesFromFeed(const UploadFields& fields) { return fields.hide_from_feed == "true"; }

formats::DataType CheckUploadFields(const UploadFields& fields, std::string_view bytes) {
    FieldErrors errors;
    std::optional<formats::DataType> type;
    if (fields.data_type) {
        type = formats::ParseDataType(*fields.data_type);
        if (!type) {
            errors.Add("data_type", "must be one of gpx, tcx, fit, gpx.gz, tcx.gz, fit.gz");
        }
    } else {
        type = formats::SniffDataType(bytes);
        if (!type) {
            throw Error(ErrorKind::kUnprocessable,
                        "We couldn't read this file: it is not a GPX, TCX or FIT file (nor one of them gzipped)");
        }
    }
    if (fields.name) {
        CheckText(errors, "name", *fields.name, 1, 255);
    }
    if (fields.description) {
        CheckText(errors, "description", *fields.description, 0, 10000);
    }
    if (fields.external_id) {
        CheckText(errors, "external_id", *fields.external_id, 1, 255);
    }
    if (fields.hide_from_feed && *fields.hide_from_feed != "true" && *fields.hide_from_feed != "false") {
        errors.Add("hide_from_feed", "must be true or false");
    }
    if (fields.sport) {
        if (auto problem = SportProblem(*fields.sport)) {
            errors.Add("sport", *problem);
        }
    }
    errors.ThrowIfAny();
    return *type;
}

std::optional<std::int64_t> ParseTimestampMicros(std::string_view s) {
    if (!s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos) {
        std::int64_t seconds = 0;
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), seconds);
        if (ec != std::errc() || ptr != s.data() + s.size() || seconds > 32503680000LL) {
            return std::nullopt;  // past year 3000
        }
        return seconds * 1'000'000;
    }
    // YYYY-MM-DDTHH:MM:SS[.f+](Z|±HH:MM)
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!Digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, month) || s[7] != '-' ||
        !Digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !Digits(s, 11, 2, hour) ||
        s[13] != ':' || !Digits(s, 14, 2, minute) || s[16] != ':' || !Digits(s, 17, 2, second)) {
        return std::nullopt;
    }
    std::size_t i = 19;
    std::int64_t micros = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        int scale = 100000;
        std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (scale > 0) {
                micros += (s[i] - '0') * scale;
                scale /= 10;
            }
            ++i;
        }
        if (i == start) {
            return std::nullopt;
        }
    }
    int offset_minutes = 0;
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
        ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        int oh = 0, om = 0;
        if (!Digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !Digits(s, i + 4, 2, om) || oh > 23 ||
            om > 59) {
            return std::nullopt;
        }
        offset_minutes = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return std::nullopt;  // a time without a zone is ambiguous
    }
    if (i != s.size() || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60 || year < 1900) {
        return std::nullopt;
    }
    std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                    std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    std::int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
    std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    return seconds * 1'000'000 + micros;
}

}  // namespace strava1::activities
