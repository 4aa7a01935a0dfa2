#include "strava1/formats/activity.hpp"

#include <array>
#include <string>
#include <string_view>

namespace strava1::formats {
namespace {

struct SportEntry {
    Sport sport;
    const char* name;
};

// One row per enumerator, in enum order (checked below).
constexpr std::array<SportEntry, 13> kSports = {{
    {Sport::kUnknown, "unknown"},
    {Sport::kRun, "run"},
    {Sport::kTrailRun, "trail_run"},
    {Sport::kWalk, "walk"},
    {Sport::kHike, "hike"},
    {Sport::kRide, "ride"},
    {Sport::kMountainBike, "mountain_bike"},
    {Sport::kVirtualRide, "virtual_ride"},
    {Sport::kSwim, "swim"},
    {Sport::kRowing, "rowing"},
    {Sport::kSki, "ski"},
    {Sport::kTransition, "transition"},
    {Sport::kOther, "other"},
}};

constexpr bool SportTableInEnumOrder() {
    for (std::size_t sport_idx = 0; sport_idx < kSports.size(); ++sport_idx) {
        if (static_cast<std::size_t>(kSports[sport_idx].sport) != sport_idx) {
            return false;
        }
    }
    return static_cast<std::size_t>(Sport::kOther) + 1 == kSports.size();
}
static_assert(SportTableInEnumOrder(), "kSports must list every Sport in enum order");

}  // namespace

const char* SportName(Sport sport) noexcept {
    const auto index = static_cast<std::size_t>(sport);
    return index < kSports.size() ? kSports[index].name : "unknown";
}

std::optional<Sport> ParseSportName(std::string_view name) noexcept {
    for (const SportEntry& entry : kSports) {
        if (name == entry.name) {
            return entry.sport;
        }
    }
    return std::nullopt;
}

std::string ParseError::Describe() const {
    std::string out;
    if (line) {
        out += "line " + std::to_string(*line);
        if (column) {
            out += ", column " + std::to_string(*column);
        }
    } else if (byte_offset) {
        out += "byte " + std::to_string(*byte_offset);
    }
    if (!context.empty()) {
        if (!out.empty()) {
            out += ' ';
        }
        out += '(';
        out += context;
        out += ')';
    }
    if (!out.empty()) {
        out += ": ";
    }
    out += reason;
    return out;
}

namespace {

/// TCX and GPX name the same values differently ("HeartRateBpm", "heart rate"); a person reads one.
std::string_view PlainValueName(std::string_view what) {
    struct Name {
        std::string_view element;
        std::string_view plain;
    };
    static constexpr Name kNames[] = {
        {"Time", "time"},
        {"lap StartTime", "lap start time"},
        {"LatitudeDegrees", "latitude"},
        {"LongitudeDegrees", "longitude"},
        {"AltitudeMeters", "elevation"},
        {"DistanceMeters", "distance"},
        {"HeartRateBpm", "heart rate"},
        {"Cadence", "cadence"},
        {"RunCadence", "cadence"},
        {"Watts", "power"},
        {"Speed", "speed"},
    };
    for (const Name& name : kNames) {
        if (what == name.element) {
            return name.plain;
        }
    }
    return what;
}

bool Contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

/// `<what> "<text>" <rest>` (the value readers' wording, xml_values.hpp) → the three parts.
bool SplitValueReason(std::string_view reason, std::string_view& what, std::string_view& quoted,
                      std::string_view& rest) {
    const auto open = reason.find(" \"");
    if (open == std::string_view::npos) {
        return false;
    }
    const auto close = reason.find("\" ", open + 2);
    if (close == std::string_view::npos) {
        return false;
    }
    what = reason.substr(0, open);
    quoted = reason.substr(open + 1, close - open);
    rest = reason.substr(close + 2);
    return true;
}

std::string PlainReason(std::string_view reason) {
    std::string_view what, quoted, rest;
    if (SplitValueReason(reason, what, quoted, rest)) {
        const std::string subject = "the " + std::string(PlainValueName(what)) + " " + std::string(quoted);
        if (rest.starts_with("is not an RFC 3339 date-time")) {
            return subject + " is not a date";
        }
        if (rest.starts_with("is not a number")) {
            return subject + " is not a number";
        }
        if (rest.starts_with("is out of range")) {
            return subject + " is not possible (out of range)";
        }
    }
    if (reason.starts_with("malformed XML: ")) {
        const std::string_view expat = reason.substr(15);
        if (expat.starts_with("no element found") || expat.starts_with("unclosed token") ||
            expat.starts_with("unclosed CDATA")) {
            return "the file ends too early (it may have been cut off)";
        }
        if (expat.starts_with("mismatched tag")) {
            return "a tag is closed that was never opened, so the XML is broken";
        }
        return "the XML is broken (" + std::string(expat.substr(0, expat.find(" (only"))) + ")";
    }
    if (reason.starts_with("not a GPX document") || reason.starts_with("not a TCX document")) {
        return "this is not a " + std::string(reason.substr(6, 3)) + " file";
    }
    if (Contains(reason, "entity")) {
        return "the file declares XML entities, which are refused for safety";
    }
    if (reason.starts_with("truncated") || Contains(reason, "runs past the end")) {
        return "the file ends too early (it may have been cut off)";
    }
    if (Contains(reason, "CRC mismatch")) {
        return "the file is damaged: its checksum (CRC) does not match its content";
    }
    if (reason.starts_with("corrupt gzip stream") || reason.starts_with("trailing bytes after the gzip")) {
        return "the compressed (.gz) file is damaged";
    }
    if (reason.starts_with("not a gzip stream")) {
        return "this is not a .gz file";
    }
    if (reason.starts_with("missing \".FIT\" signature") || reason.starts_with("bad header size")) {
        return "this is not a FIT file";
    }
    if (reason.starts_with("gzip bomb refused")) {
        return "the compressed file expands to far more than the upload limit";
    }
    if (reason.starts_with("more than ") && Contains(reason, "points (limit)")) {
        return "the file has " + std::string(reason.substr(0, reason.find(" (limit)"))) +
               ", more than this server takes";
    }
    return std::string(reason);
}

}  // namespace

std::string ParseError::Plain() const {
    if (reason.starts_with("empty file")) {
        return "This file is empty";
    }
    std::string out = "We couldn't read this file: ";
    if (line) {
        out += "line " + std::to_string(*line) + ", ";
    }
    out += PlainReason(reason);
    return out;
}

}  // namespace strava1::formats
