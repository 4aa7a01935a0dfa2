#pragma once

// Re-basing what others see of an activity whose start or end is hidden. The first point another
// viewer sees must not carry the owner's cumulative distance and time (they would tell how long the
// hidden start is), so for them the activity begins at its first visible sample: streams count
// time and distance from there, splits and laps are measured from there, best efforts are those
// wholly inside, and every index counts the samples they are shown.

#include <boost/json/array.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "strava1/analytics/analysis.hpp"
#include "strava1/formats/activity.hpp"

namespace strava1::activities {

/// The samples one viewer is shown, from the first to the last visible one.
struct VisibleWindow {
    std::size_t first = 0;  ///< index of the first visible sample
    std::size_t last = 0;   ///< index of the last visible sample (inclusive)
    std::size_t size = 0;   ///< samples of the whole activity
    /// rank[i - first]: visible samples before sample i, for i in [first, last + 1].
    std::vector<std::size_t> rank;

    /// True when samples are hidden before `first` or after `last`: outputs must be re-based.
    bool Trims() const noexcept { return first > 0 || last + 1 < size; }
    /// Visible samples in the window (the size of the viewer's full-resolution streams).
    std::size_t VisibleCount() const noexcept { return rank.back(); }
    /// The position, in the viewer's streams, of the first visible sample at or after `index`.
    std::size_t StreamIndexAtOrAfter(std::size_t index) const noexcept;
    /// The position, in the viewer's streams, of the last visible sample at or before `index`.
    std::size_t StreamIndexAtOrBefore(std::size_t index) const noexcept;
};

/// The window of `visible` (one flag per sample, VisibleSamples); nullopt when nothing is visible.
std::optional<VisibleWindow> FindVisibleWindow(std::span<const std::uint8_t> visible);

/// Where the viewer's time and distance start: the time (ms) of the first sample at or after
/// `first` that has one, and its distance (m; 0 when `first` is 0, so the owner's streams keep the
/// recorded values).
struct StreamOrigin {
    std::int64_t time_ms = formats::kNoTime;
    double distance_m = 0;
};
StreamOrigin OriginAt(const formats::Track& track, std::size_t first);

/// Laps and splits (the shapes of the stored analysis: docs/api/openapi.yaml `Interval`) measured
/// over the window alone, as if the activity began at its first visible sample: device laps are
/// clipped to the window (laps entirely outside it dropped), splits restart at 0 m there, and
/// start_index/end_index count the viewer's stream samples. `stored_laps` is the stored analysis'
/// laps array (device laps carry "from_device": true).
struct RebasedIntervals {
    boost::json::array laps;
    boost::json::array splits_km;
    boost::json::array splits_mile;
    boost::json::array heart_rate_zones;  ///< time in zones over the window (empty without a max HR)
    boost::json::array power_zones;       ///< likewise, without an FTP
};
RebasedIntervals RebaseIntervals(const formats::Track& track, formats::Sport sport, const VisibleWindow& window,
                                 const boost::json::array& stored_laps);

/// The analysis RebaseIntervals measures from: samples [first, last] of the window as an activity
/// of their own (no positions: the stored distance channel is the distance), device laps clipped to
/// it; `profile` decides zones, calories and load.
analytics::ActivityAnalysis AnalyseWindow(const formats::Track& track, formats::Sport sport,
                                          const VisibleWindow& window, const boost::json::array& stored_laps,
                                          const analytics::AthleteProfile& profile);
/// Its laps, splits and zones, with indexes in the viewer's streams.
RebasedIntervals IntervalsOfWindow(const analytics::ActivityAnalysis& analysis, const VisibleWindow& window);

/// Stored laps or splits of an activity the viewer sees from its first to its last sample, with
/// samples hidden in between (a privacy zone on the way): their figures stand, their indexes are
/// moved to the viewer's streams.
void IndexForViewer(boost::json::array& intervals, const VisibleWindow& window);

/// A stored best effort's indexes in the viewer's streams, or nullopt when it reaches outside the
/// window (it would time part of the hidden start or end).
std::optional<std::pair<std::size_t, std::size_t>> RebaseEffort(const VisibleWindow& window, std::size_t start_index,
                                                                std::size_t end_index);

}  // namespace strava1::activities
