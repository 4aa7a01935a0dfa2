#pragma once

// The last line of the start/end hiding: an endpoint disc (geo/privacy.hpp) keeps the home point
// out of every single activity, but the visible ends of many activities that leave one home in all
// directions average towards it (their centroid tends to the midpoint of home and the disc centre,
// with a spread that 20 activities do not shrink enough). Before an activity's ends are published,
// the guard checks the estimators an observer would run on every public end near that home; when
// they would land too close, it widens this activity's discs, and failing that hides its map from
// others. docs/analytics.md, "Privacy masking", has the figures.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "strava1/geo/privacy.hpp"

namespace strava1::activities {

/// The first and last positioned samples outside every disc: what others see as start and end.
struct PublicEnds {
    std::optional<geo::LatLng> first;
    std::optional<geo::LatLng> last;
};
PublicEnds VisibleEnds(std::span<const std::int32_t> lat_e7, std::span<const std::int32_t> lng_e7,
                       std::span<const geo::Disc> discs);

/// Whether the centroid, or the algebraic (Kåsa) least-squares circle fit, of `ends` lies within
/// `min_error_m` of `home`. The fit needs three points that are not collinear.
bool Estimable(std::span<const geo::LatLng> ends, geo::LatLng home, double min_error_m);

/// One endpoint's disc and what is already public near its home.
struct GuardedEndpoint {
    std::optional<geo::Disc> disc;          ///< nullopt: this end is not hidden
    geo::LatLng home;                       ///< the anchor's home (secret)
    std::vector<geo::LatLng> earlier_ends;  ///< other activities' public ends at this anchor
};

struct GuardDecision {
    double scale = 1;  ///< the discs' radii are multiplied by this
    bool hide_map = false;
    PublicEnds ends;   ///< with the scaled discs; empty when the map is hidden
};

/// Radius multipliers tried in order before the map is hidden.
inline constexpr double kGuardScales[] = {1.0, 1.5, 2.0, 3.0};

/// Picks the smallest scale at which, for both endpoints, the estimators over the earlier public
/// ends plus this activity's stay at least `min_error_m` from home; none: hide the map.
GuardDecision Guard(std::span<const std::int32_t> lat_e7, std::span<const std::int32_t> lng_e7,
                    const GuardedEndpoint& start, const GuardedEndpoint& end, double min_error_m);

}  // namespace strava1::activities
