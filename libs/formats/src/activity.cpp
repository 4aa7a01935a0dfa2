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

}  // namespace strava1::formats
