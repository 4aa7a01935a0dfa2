#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/geo/geodesy.hpp"

/// Google's encoded polyline format (developers.google.com/maps/documentation/utilities/polylinealgorithm),
/// as used by Strava's `summary_polyline`. Pure functions, thread-safe.
namespace strava1::geo {

/// Encodes points at 10^-precision degree (5 is Google's and Strava's choice; 6 is OSRM's).
/// Each coordinate is rounded to the nearest unit; deltas are taken between rounded values so the
/// error never accumulates. Precondition: 1 <= precision <= 7.
std::string EncodePolyline(std::span<const LatLng> points, int precision = 5);

/// Decodes a polyline; nullopt when the text is malformed (a character outside '?'..'~', a value cut
/// short, or an odd number of values). Never throws on bad input.
std::optional<std::vector<LatLng>> DecodePolyline(std::string_view encoded, int precision = 5);

}  // namespace strava1::geo
