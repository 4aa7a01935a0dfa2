#pragma once

// Renderings of an activity's samples for one viewer: the streams document and the GPX export.
// Both take the View from Decide(), so hidden areas and hidden metrics never reach them.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/formats/activity.hpp"
#include "view.hpp"

namespace strava1::activities {

enum class StreamKey : std::uint8_t {
    kTime,
    kLatLng,
    kDistance,
    kAltitude,
    kVelocitySmooth,
    kHeartRate,
    kCadence,
    kWatts,
    kTemp,
    kGradeSmooth,
};
inline constexpr std::size_t kStreamKeyCount = 10;

/// Parses "time,latlng,…"; an unknown key gives its name in `bad`. Empty text selects every key.
std::optional<std::vector<StreamKey>> ParseStreamKeys(std::string_view text, std::string& bad);

/// Most points a resolution returns (low 100, medium 1000, high 10000); nullopt for another word.
std::optional<std::size_t> ResolutionPoints(std::string_view name);

/// {"resolution":…,"original_size":N,"size":n,"breaks":[…],"streams":{key:[…]}} for the keys the
/// track has and the viewer may see, over the visible samples picked evenly down to `max_points`. N
/// counts the visible samples, and time and distance start at the first of them (rebase.hpp):
/// another viewer of an activity with a hidden start gets 0 s and 0 m there, the owner the recorded
/// values. `breaks` lists, ascending, the indexes (into the returned streams) where a visible run
/// begins after hidden samples (a privacy zone on the way); always empty for the owner.
std::string StreamsJson(const formats::Track& track, const View& view, const std::vector<StreamKey>& keys,
                        std::string_view resolution, std::size_t max_points);

/// A GPX 1.1 document of the visible positioned samples (Garmin TrackPointExtension for heart rate
/// and cadence, <power> for power, when the viewer may see them). Times are left out when the
/// viewer may not see the start time; when the start is hidden from them, times are shifted so the
/// first visible point carries the activity's start time, as the streams start their clock there.
std::string ExportGpx(const formats::Track& track, const View& view, std::string_view name, std::string_view sport);

}  // namespace strava1::activities
