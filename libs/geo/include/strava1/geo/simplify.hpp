#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "strava1/geo/geodesy.hpp"

/// Line simplification for map geometry. Pure functions, thread-safe.
namespace strava1::geo {

/// Ramer–Douglas–Peucker: the indexes (ascending, first and last always included) of the points to
/// keep so that every dropped point lies within `tolerance_m` metres of the simplified line.
///
/// Distances are measured on a local tangent plane per candidate segment (radii of curvature at the
/// segment's mean latitude, as LocalDistanceM), to the segment (not the infinite line), so spikes
/// and back-and-forth sections are kept. Iterative with an explicit stack: deep inputs (a zig-zag of
/// a million points) cannot overflow the call stack. O(n log n) typical, O(n²) worst case.
/// Empty input gives an empty result; one point gives {0}. tolerance_m <= 0 keeps every point
/// that is not exactly on the line.
std::vector<std::size_t> SimplifyRdp(std::span<const LatLng> points, double tolerance_m);

}  // namespace strava1::geo
