#pragma once

// What other viewers are shown of an activity whose samples are partly hidden from them (a hidden
// start or end, a privacy zone on the way): when an end is hidden, the activity from their first to
// their last visible sample, every figure, lap, split, zone and best effort measured over that
// window alone (rebase.hpp), so nothing they get measures a hidden start or end. Computed when the
// activity is stored and again whenever what hides its samples changes (its hide radius, its sport,
// the owner's privacy zones), and stored beside it (activities.public_areas, public_summary,
// public_analysis): another viewer's request, list or stats reads it instead of decoding the track
// and analysing it again. Pure: runs on the CPU pool.

#include <boost/json/array.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strava1/analytics/analysis.hpp"
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
    /// The owner's, for zones, calories and load over the window.
    analytics::AthleteProfile profile;
};

/// What others are shown instead of the stored figures (`summary`) and analysis (`analysis`), as
/// JSON objects; nullopt members: the stored ones are theirs. Both are nullopt when they are shown
/// every sample (nothing hidden, no positions to hide by).
///
/// `summary` holds the figures of the activities table that others are shown otherwise (the keys of
/// docs/api/openapi.yaml `ActivitySummary`: distance_m, elapsed_s, moving_s, elevation_gain_m,
/// elevation_loss_m, avg_speed_mps, max_speed_mps, avg_pace_s_per_km, gap_s_per_km,
/// avg_heart_rate_bpm, max_heart_rate_bpm, avg_cadence, avg_power_w, max_power_w,
/// normalized_power_w, calories_kcal, trimp, tss, intensity_factor, point_count; null when unknown)
/// plus "first" and "last", the stored sample indexes of the window (null when nothing is visible):
/// measured over the window when the start or end is hidden, all zero and null when nothing is
/// visible, and only {"point_count"} (the visible samples) when only samples on the way are hidden,
/// whose stored figures stand.
///
/// `analysis` is {"laps":[…],"splits_km":[…],"splits_mile":[…],"best_efforts":[[start,end,
/// shown_start,shown_end],…]} and, when an end is hidden, "heart_rate_zones", "power_zones" and the
/// mean-max curves "power_curve", "heart_rate_curve" and "speed_curve" (the stored shape) measured
/// over the window (the stored ones stand when only samples on the way are hidden):
/// laps and splits in the stored shape, measured from the first visible sample when the start or
/// end is hidden (the stored ones, re-indexed, when only samples on the way are), indexes counting
/// the samples of the viewer's streams; the stored best efforts (by their stored indexes) wholly
/// inside the window, with their indexes in those streams. Empty arrays when nothing is visible.
struct PublicView {
    std::optional<std::string> summary;
    std::optional<std::string> analysis;
};
PublicView ComputePublicView(const PublicViewInput& input);

/// Names the hidden areas a public view was computed for (in any order) and the version of its
/// computation: a stored view serves a viewer only while this matches the areas Decide() gives
/// them. Starts with kPublicViewVersion.
std::string HiddenAreasFingerprint(std::span<const geo::Disc> areas);
/// Bumped when what ComputePublicView computes changes, so stored views are computed again.
/// v2: the mean-max curves measured over the window.
inline constexpr std::string_view kPublicViewVersion = "v2:";

}  // namespace strava1::activities
