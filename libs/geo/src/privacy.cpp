#include "strava1/geo/privacy.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <optional>

namespace strava1::geo {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kE7ToRad = kDegToRad * 1e-7;
constexpr double kE2 = kWgs84F * (2.0 - kWgs84F);  // first eccentricity squared
constexpr double kMaxLatE7 = 900'000'000.0;

// splitmix64 (Steele, Lea, Flood 2014): one step from state x. Cheap, and every input bit reaches
// every output bit, which is all the disc parameters need; the secrecy is in the inputs.
std::uint64_t Mix(std::uint64_t x) noexcept {
    std::uint64_t z = x + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// The top 53 bits as a double in [0, 1).
double Unit(std::uint64_t bits) noexcept { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

double ClampHideRadiusM(double hide_radius_m) noexcept {
    if (!(hide_radius_m > 0)) {
        return 0;  // also NaN
    }
    return std::min(hide_radius_m, kMaxHideRadiusM);
}

// Radii of curvature: a radian of latitude is M metres, a radian of longitude N·cos(latitude).
struct Radii {
    double meridional_m;
    double prime_vertical_m;
};

Radii RadiiAt(double lat_deg) noexcept {
    const double sin_phi = std::sin(lat_deg * kDegToRad);
    const double w2 = 1.0 - kE2 * sin_phi * sin_phi;
    const double w = std::sqrt(w2);
    return {kWgs84A * (1.0 - kE2) / (w2 * w), kWgs84A / w};
}

// The point `north_m`, `east_m` from `origin` on the local tangent plane, built so that
// LocalDistanceM(origin, result) equals hypot(north_m, east_m): radii and cosine are taken at the
// mean latitude, as LocalDistanceM does, which depends on the result: two fixed-point steps leave
// a residual far below a millimetre for offsets of a few kilometres.
LatLng OffsetBy(LatLng origin, double north_m, double east_m) noexcept {
    double mean_lat_deg = origin.lat_deg;
    LatLng result = origin;
    for (int step = 0; step < 2; ++step) {
        const Radii radii = RadiiAt(mean_lat_deg);
        result.lat_deg = origin.lat_deg + north_m / radii.meridional_m / kDegToRad;
        mean_lat_deg = 0.5 * (origin.lat_deg + result.lat_deg);
        const double metres_per_rad_lng = RadiiAt(mean_lat_deg).prime_vertical_m * std::cos(mean_lat_deg * kDegToRad);
        result.lng_deg = origin.lng_deg + east_m / metres_per_rad_lng / kDegToRad;
    }
    result.lng_deg = std::remainder(result.lng_deg, 360.0);
    return result;
}

// Discs up to this radius, centred within kFastMaxLatDeg of the equator, take the fast inside
// test; the rest (huge zones, the polar caps) measure each point with Vincenty. Not
// LocalDistanceM: near a pole it overstates distances across the pole, which would show points
// that are inside.
constexpr double kFastMaxRadiusM = 20'000.0;
constexpr double kFastMaxLatDeg = 80.0;

// A disc turned into the constants of the inner loop. Distances are on the plane tangent at the
// centre, y = M(φm)·Δφ and x = N(φm)·cos(φm)·Δλ, with the radii and the cosine at the mean
// latitude φm = φc + Δφ/2 taken to first order in Δφ. Against Vincenty (ad-hoc sweep, 2·10^5
// random pairs, |lat| ≤ 80°) the relative error is below 4e-8 up to 1 km, 4e-6 up to 10 km and
// 1.5e-5 up to 20 km; what remains is the plane's own d²·tan²φ/(24·R²).
struct PreparedDisc {
    double lat_e7;
    double lng_e7;
    double half_height_e7;  // bounding box, E7 degrees each side of the centre
    double half_width_e7;
    double y_per_e7;    // metres per E7 of latitude at the centre
    double y_slope;     // its change per E7 of latitude difference
    double x_per_e7;    // metres per E7 of longitude at the centre
    double x_slope;     // its change per E7 of latitude difference
    double radius2_m2;  // widened radius, squared
};

PreparedDisc Prepare(double lat_deg, double lng_deg, double radius_m) noexcept {
    const double phi = lat_deg * kDegToRad;
    const double sin_phi = std::sin(phi);
    const double cos_phi = std::cos(phi);
    const Radii radii = RadiiAt(lat_deg);
    // d(ln N)/dφ = e²·sinφ·cosφ/W², d(ln M)/dφ three times that; halved for the mean latitude.
    const double n_log_slope = kE2 * sin_phi * cos_phi / (1.0 - kE2 * sin_phi * sin_phi);
    PreparedDisc prepared{};
    prepared.lat_e7 = lat_deg * 1e7;
    prepared.lng_e7 = lng_deg * 1e7;
    prepared.y_per_e7 = radii.meridional_m * kE7ToRad;
    prepared.y_slope = prepared.y_per_e7 * 1.5 * n_log_slope * kE7ToRad;
    prepared.x_per_e7 = radii.prime_vertical_m * cos_phi * kE7ToRad;
    prepared.x_slope = radii.prime_vertical_m * (n_log_slope * cos_phi - sin_phi) * 0.5 * kE7ToRad * kE7ToRad;
    prepared.radius2_m2 = radius_m * radius_m;
    // The box must contain every point the test below accepts. Within 1% beyond the plain
    // half-height, the y scale is at least min_y_per_e7. Inside the lat band the x scale is at least
    // N·cos(φ_far): the first-order cosine lies above the concave cosine, and the radius term only
    // raises it on the poleward side. +1: the centre is not on the E7 grid.
    const double band_e7 = 1.01 * radius_m / prepared.y_per_e7;
    const double min_y_per_e7 = prepared.y_per_e7 - std::fabs(prepared.y_slope) * band_e7;
    prepared.half_height_e7 = radius_m / min_y_per_e7 + 1.0;
    const double far_lat_deg = std::fabs(lat_deg) + prepared.half_height_e7 * 1e-7;
    prepared.half_width_e7 = radius_m / (radii.prime_vertical_m * std::cos(far_lat_deg * kDegToRad) * kE7ToRad) + 1.0;
    return prepared;
}

// Per-sample state while masking.
constexpr std::uint8_t kNoFix = 0;
constexpr std::uint8_t kShown = 1;
constexpr std::uint8_t kHidden = 2;

bool HasPosition(std::int32_t lat_e7, std::int32_t lng_e7) noexcept {
    if (lat_e7 == kNoPositionE7 || lng_e7 == kNoPositionE7) {
        return false;
    }
    if (lat_e7 == 0 && lng_e7 == 0) {
        return false;
    }
    return std::fabs(static_cast<double>(lat_e7)) <= kMaxLatE7;
}

void HideInsideFast(const PreparedDisc& disc, std::span<const std::int32_t> lat_e7,
                    std::span<const std::int32_t> lng_e7, std::span<std::uint8_t> state) noexcept {
    for (std::size_t sample_idx = 0; sample_idx < state.size(); ++sample_idx) {
        const double dlat = static_cast<double>(lat_e7[sample_idx]) - disc.lat_e7;
        if (std::fabs(dlat) > disc.half_height_e7 || state[sample_idx] != kShown) {
            continue;
        }
        double dlng = static_cast<double>(lng_e7[sample_idx]) - disc.lng_e7;
        if (dlng > 1.8e9) {
            dlng -= 3.6e9;
        } else if (dlng < -1.8e9) {
            dlng += 3.6e9;
        }
        if (std::fabs(dlng) > disc.half_width_e7) {
            continue;
        }
        const double x = dlng * (disc.x_per_e7 + disc.x_slope * dlat);
        const double y = dlat * (disc.y_per_e7 + disc.y_slope * dlat);
        if (x * x + y * y <= disc.radius2_m2) {
            state[sample_idx] = kHidden;
        }
    }
}

void HideInsideExact(LatLng centre, double radius_m, std::span<const std::int32_t> lat_e7,
                     std::span<const std::int32_t> lng_e7, std::span<std::uint8_t> state) noexcept {
    // The meridional radius is smallest at the equator, a·(1 − e²): no point farther in latitude
    // can be inside.
    const double band_e7 = radius_m / (kWgs84A * (1.0 - kE2) * kE7ToRad) + 1.0;
    const double centre_lat_e7 = centre.lat_deg * 1e7;
    for (std::size_t sample_idx = 0; sample_idx < state.size(); ++sample_idx) {
        if (state[sample_idx] != kShown || std::fabs(lat_e7[sample_idx] - centre_lat_e7) > band_e7) {
            continue;
        }
        const LatLng point{lat_e7[sample_idx] * 1e-7, lng_e7[sample_idx] * 1e-7};
        // Vincenty fails only for nearly antipodal points, which matters only for a continent-sized
        // zone; the great-circle fallback is within 0.5% there.
        const std::optional<double> vincenty_m = VincentyDistanceM(centre, point);
        if ((vincenty_m ? *vincenty_m : SegmentDistanceM(centre, point)) <= radius_m) {
            state[sample_idx] = kHidden;
        }
    }
}

void HideInside(const Disc& disc, std::span<const std::int32_t> lat_e7, std::span<const std::int32_t> lng_e7,
                std::span<std::uint8_t> state) noexcept {
    const double lat_deg = std::clamp(disc.centre.lat_deg, -90.0, 90.0);
    const double lng_deg = std::remainder(disc.centre.lng_deg, 360.0);
    const double radius_m = disc.radius_m * (1.0 + kInsideSlack);
    if (disc.radius_m <= kFastMaxRadiusM && std::fabs(lat_deg) <= kFastMaxLatDeg) {
        HideInsideFast(Prepare(lat_deg, lng_deg, radius_m), lat_e7, lng_e7, state);
    } else {
        HideInsideExact({lat_deg, lng_deg}, radius_m, lat_e7, lng_e7, state);
    }
}

}  // namespace

Anchor NewAnchor(LatLng home, double hide_radius_m, std::uint64_t random) noexcept {
    const double radius_m = ClampHideRadiusM(hide_radius_m);
    const std::uint64_t direction_bits = Mix(random);
    const std::uint64_t magnitude_bits = Mix(direction_bits);
    const double direction_rad = 2.0 * std::numbers::pi * Unit(direction_bits);
    const double magnitude_m =
        radius_m * (kAnchorOffsetMinR + (kAnchorOffsetMaxR - kAnchorOffsetMinR) * Unit(magnitude_bits));
    return {home, magnitude_m * std::cos(direction_rad), magnitude_m * std::sin(direction_rad)};
}

bool AnchorCovers(const Anchor& anchor, LatLng point, double hide_radius_m) noexcept {
    const double radius_m = ClampHideRadiusM(hide_radius_m);
    return radius_m > 0 && LocalDistanceM(anchor.home, point) <= radius_m;
}

Disc EndpointDisc(const Anchor& anchor, double hide_radius_m, std::uint64_t activity_seed, Endpoint endpoint) noexcept {
    const double radius_m = ClampHideRadiusM(hide_radius_m);
    const LatLng centre = OffsetBy(anchor.home, anchor.offset_north_m, anchor.offset_east_m);
    if (radius_m == 0) {
        return {centre, 0};
    }
    // The two endpoints of one activity draw different u; an observer who learns one radius learns
    // nothing of the other.
    const double u = Unit(Mix(Mix(activity_seed) ^ (static_cast<std::uint64_t>(endpoint) + 1)));
    const double offset_m = std::hypot(anchor.offset_north_m, anchor.offset_east_m);
    return {centre, offset_m + radius_m * (2.0 + u)};
}

std::vector<std::uint8_t> VisibleMask(std::span<const std::int32_t> lat_e7, std::span<const std::int32_t> lng_e7,
                                      std::span<const Disc> discs) {
    const std::size_t count = lat_e7.size();
    std::vector<std::uint8_t> state(count, kNoFix);
    const std::size_t positioned_count = std::min(count, lng_e7.size());
    bool any_position = false;
    for (std::size_t sample_idx = 0; sample_idx < positioned_count; ++sample_idx) {
        if (HasPosition(lat_e7[sample_idx], lng_e7[sample_idx])) {
            state[sample_idx] = kShown;
            any_position = true;
        }
    }
    bool any_disc = false;
    for (const Disc& disc : discs) {
        if (!(disc.radius_m > 0)) {
            continue;
        }
        any_disc = true;
        HideInside(disc, lat_e7.first(positioned_count), lng_e7.first(positioned_count),
                   std::span(state).first(positioned_count));
    }
    if (!any_disc || !any_position) {
        return std::vector<std::uint8_t>(count, 1);
    }

    // Rule 2 needs the nearest positioned neighbour on each side; a forward pass marks samples
    // after a hidden one, a backward pass those before one. kNoFix samples reached by neither stay
    // visible unless rule 3 takes them.
    std::vector<std::uint8_t> visible(count, 0);
    std::uint8_t previous = kNoFix;
    for (std::size_t sample_idx = 0; sample_idx < count; ++sample_idx) {
        if (state[sample_idx] != kNoFix) {
            previous = state[sample_idx];
            visible[sample_idx] = state[sample_idx] == kShown ? 1 : 0;
        } else {
            visible[sample_idx] = previous == kHidden ? 0 : 1;
        }
    }
    std::uint8_t next = kNoFix;
    for (std::size_t sample_idx = count; sample_idx-- > 0;) {
        if (state[sample_idx] != kNoFix) {
            next = state[sample_idx];
        } else if (next == kHidden) {
            visible[sample_idx] = 0;
        }
    }

    const auto is_shown = [](std::uint8_t sample_state) { return sample_state == kShown; };
    const auto first_shown = std::find_if(state.begin(), state.end(), is_shown);
    if (first_shown == state.end()) {
        return std::vector<std::uint8_t>(count, 0);
    }
    const auto last_shown = std::find_if(state.rbegin(), state.rend(), is_shown);
    const auto first_idx = static_cast<std::size_t>(first_shown - state.begin());
    const auto last_idx = count - 1 - static_cast<std::size_t>(last_shown - state.rbegin());
    std::fill(visible.begin(), visible.begin() + static_cast<std::ptrdiff_t>(first_idx), 0);
    std::fill(visible.begin() + static_cast<std::ptrdiff_t>(last_idx) + 1, visible.end(), 0);
    return visible;
}

}  // namespace strava1::geo
