#pragma once

#include <optional>

/// Distances on the WGS84 ellipsoid. Pure functions, thread-safe, no allocation.
namespace strava1::geo {

/// A position in degrees (WGS84). Latitude in [-90, 90]; longitude any value (normalised internally).
struct LatLng {
    double lat_deg = 0;
    double lng_deg = 0;
};

/// WGS84 defining constants.
inline constexpr double kWgs84A = 6'378'137.0;                ///< semi-major axis, metres
inline constexpr double kWgs84F = 1.0 / 298.257'223'563;      ///< flattening
inline constexpr double kWgs84B = kWgs84A * (1.0 - kWgs84F);  ///< semi-minor axis, metres

/// Segments at most this long use LocalDistanceM in SegmentDistanceM; longer ones use Vincenty.
inline constexpr double kLocalMethodMaxM = 10'000.0;

/// Fast distance for short segments: the segment is projected onto the plane tangent at its mean
/// latitude, scaled by the ellipsoid's meridional radius of curvature M and prime-vertical radius N
/// there (dy = M·Δφ, dx = N·cos φm·Δλ).
///
/// Error bound (measured against Vincenty in geodesy_test.cpp, random segments, |lat| ≤ 80°):
/// relative error below 1e-7 (0.1 mm per km) up to 1 km and below 5e-6 up to 10 km; the dominant term is
/// d²·tan²φ/(24·R²) (a parallel is not a geodesic). GPS samples are 1-50 m apart, where the error
/// is far below a millimetre. Accuracy degrades near the poles (|lat| > 85°) and past 10 km.
double LocalDistanceM(LatLng a, LatLng b) noexcept;

/// Vincenty's inverse formula on WGS84 (accurate to well under a millimetre where it converges).
/// nullopt when the iteration does not converge (nearly antipodal points, about 0.5% of the globe's
/// antipodal band); callers fall back to another method.
std::optional<double> VincentyDistanceM(LatLng a, LatLng b) noexcept;

/// The distance for any pair: LocalDistanceM when that is at most kLocalMethodMaxM, else Vincenty
/// (and, should Vincenty not converge, a spherical great-circle distance at mean radius).
double SegmentDistanceM(LatLng a, LatLng b) noexcept;

}  // namespace strava1::geo
