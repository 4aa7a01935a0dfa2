#pragma once

// What other viewers are shown of an activity whose samples are partly hidden from them (a hidden
// start or end, a privacy zone on the way): its laps, splits and best efforts measured over what
// they see (rebase.hpp). Computed when the activity is stored and again whenever what hides its
// samples changes (its hide radius, its sport, the owner's privacy zones), and stored beside it
// (activities.public_areas, public_analysis), so another viewer's request reads it instead of
// decoding the track and analysing it again. Pure: runs on the CPU pool.

#include <boost/json/array.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strava1/formats/activity.hpp"
#include "strava1/geo/privacy.hpp"

namespace strava1::activities {

/// What decides what others are shown of one stored activity.
struct PublicViewInput {
    formats::Track track;  ///< as stored (formats::DecodeTrack of its stream blob)
    formats::Sport sport = formats::Sport::kUnknown;
    /// What Decide() gives every other viewer: the activity's start and end discs and the owner's
    /// privacy zones.
    std::vector<geo::Disc> hidden_areas;
    /// The stored analysis' "laps", "splits_km" and "splits_mile" arrays (pipeline.hpp).
    boost::json::array laps;
    boost::json::array splits_km;
    boost::json::array splits_mile;
    /// The stored best efforts' sample indexes (best_efforts.start_index, end_index).
    std::vector<std::pair<std::size_t, std::size_t>> efforts;
};

/// What others are shown instead of the stored analysis; nullopt when they are shown every sample
/// (nothing hidden, no positions to hide by), so the stored analysis and its indexes are theirs.
/// Otherwise a JSON object {"laps":[…],"splits_km":[…],"splits_mile":[…],"best_efforts":[[start,
/// end,shown_start,shown_end],…]}: laps and splits in the stored shape, measured from their first
/// visible sample when the start or end is hidden (the stored ones, re-indexed, when only samples
/// on the way are), indexes counting the samples of their streams; the stored best efforts (by
/// their stored indexes) wholly inside what they see, with their indexes in those streams. Empty
/// arrays when they see no sample at all.
std::optional<std::string> ComputePublicAnalysis(const PublicViewInput& input);

/// Names the hidden areas a public view was computed for (in any order) and the version of its
/// computation: a stored view serves a viewer only while this matches the areas Decide() gives
/// them. Starts with kPublicViewVersion.
std::string HiddenAreasFingerprint(std::span<const geo::Disc> areas);
/// Bumped when what ComputePublicAnalysis computes changes, so stored views are computed again.
inline constexpr std::string_view kPublicViewVersion = "v1:";

}  // namespace strava1::activities
