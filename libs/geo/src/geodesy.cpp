#include "strava1/geo/geodesy.hpp"

#include <cmath>
#include <numbers>

namespace strava1::geo {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kE2 = kWgs84F * (2.0 - kWgs84F);  // first eccentricity squared
constexpr double kMeanRadiusM = (2.0 * kWgs84A + kWgs84B) / 3.0;

// Longitude difference in radians, folded into [-pi, pi] so segments across the antimeridian are short.
double DeltaLngRad(double lng1_deg, double lng2_deg) noexcept {
    double delta = std::remainder(lng2_deg - lng1_deg, 360.0);
    return delta * kDegToRad;
}

double GreatCircleM(LatLng a, LatLng b) noexcept {
    const double phi1 = a.lat_deg * kDegToRad;
    const double phi2 = b.lat_deg * kDegToRad;
    const double dphi = phi2 - phi1;
    const double dlambda = DeltaLngRad(a.lng_deg, b.lng_deg);
    const double h = std::sin(dphi / 2) * std::sin(dphi / 2) +
                     std::cos(phi1) * std::cos(phi2) * std::sin(dlambda / 2) * std::sin(dlambda / 2);
    return 2.0 * kMeanRadiusM * std::asin(std::sqrt(std::fmin(1.0, h)));
}

}  // namespace

double LocalDistanceM(LatLng a, LatLng b) noexcept {
    const double phi_mean = 0.5 * (a.lat_deg + b.lat_deg) * kDegToRad;
    const double sin_phi = std::sin(phi_mean);
    const double w2 = 1.0 - kE2 * sin_phi * sin_phi;
    const double w = std::sqrt(w2);
    const double n = kWgs84A / w;                       // prime-vertical radius of curvature
    const double m = kWgs84A * (1.0 - kE2) / (w2 * w);  // meridional radius of curvature
    const double dy = m * (b.lat_deg - a.lat_deg) * kDegToRad;
    const double dx = n * std::cos(phi_mean) * DeltaLngRad(a.lng_deg, b.lng_deg);
    return std::hypot(dx, dy);
}

std::optional<double> VincentyDistanceM(LatLng a, LatLng b) noexcept {
    const double f = kWgs84F;
    const double l = DeltaLngRad(a.lng_deg, b.lng_deg);
    const double u1 = std::atan((1.0 - f) * std::tan(a.lat_deg * kDegToRad));
    const double u2 = std::atan((1.0 - f) * std::tan(b.lat_deg * kDegToRad));
    const double sin_u1 = std::sin(u1);
    const double cos_u1 = std::cos(u1);
    const double sin_u2 = std::sin(u2);
    const double cos_u2 = std::cos(u2);

    double lambda = l;
    double sin_sigma = 0;
    double cos_sigma = 1;
    double sigma = 0;
    double cos2_alpha = 1;
    double cos_2sigma_m = 0;
    bool converged = false;
    for (int iteration = 0; iteration < 200; ++iteration) {
        const double sin_lambda = std::sin(lambda);
        const double cos_lambda = std::cos(lambda);
        const double t1 = cos_u2 * sin_lambda;
        const double t2 = cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lambda;
        sin_sigma = std::sqrt(t1 * t1 + t2 * t2);
        if (sin_sigma == 0.0) {
            return 0.0;  // coincident points
        }
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lambda;
        sigma = std::atan2(sin_sigma, cos_sigma);
        const double sin_alpha = cos_u1 * cos_u2 * sin_lambda / sin_sigma;
        cos2_alpha = 1.0 - sin_alpha * sin_alpha;
        // On the equator cos²α = 0 and the term is undefined; its limit is 0.
        cos_2sigma_m = cos2_alpha != 0.0 ? cos_sigma - 2.0 * sin_u1 * sin_u2 / cos2_alpha : 0.0;
        const double c = f / 16.0 * cos2_alpha * (4.0 + f * (4.0 - 3.0 * cos2_alpha));
        const double previous = lambda;
        lambda = l + (1.0 - c) * f * sin_alpha *
                         (sigma +
                          c * sin_sigma * (cos_2sigma_m + c * cos_sigma * (-1.0 + 2.0 * cos_2sigma_m * cos_2sigma_m)));
        if (std::fabs(lambda - previous) < 1e-13) {
            converged = true;
            break;
        }
        if (std::fabs(lambda) > std::numbers::pi * 1.0001) {
            break;  // diverging: nearly antipodal
        }
    }
    if (!converged) {
        return std::nullopt;
    }
    const double a2 = kWgs84A * kWgs84A;
    const double b2 = kWgs84B * kWgs84B;
    const double u_sq = cos2_alpha * (a2 - b2) / b2;
    const double big_a = 1.0 + u_sq / 16384.0 * (4096.0 + u_sq * (-768.0 + u_sq * (320.0 - 175.0 * u_sq)));
    const double big_b = u_sq / 1024.0 * (256.0 + u_sq * (-128.0 + u_sq * (74.0 - 47.0 * u_sq)));
    const double c2 = cos_2sigma_m * cos_2sigma_m;
    const double delta_sigma =
        big_b * sin_sigma *
        (cos_2sigma_m + big_b / 4.0 *
                            (cos_sigma * (-1.0 + 2.0 * c2) -
                             big_b / 6.0 * cos_2sigma_m * (-3.0 + 4.0 * sin_sigma * sin_sigma) * (-3.0 + 4.0 * c2)));
    return kWgs84B * big_a * (sigma - delta_sigma);
}

double SegmentDistanceM(LatLng a, LatLng b) noexcept {
    const double local = LocalDistanceM(a, b);
    if (local <= kLocalMethodMaxM) {
        return local;
    }
    if (const std::optional<double> vincenty = VincentyDistanceM(a, b)) {
        return *vincenty;
    }
    return GreatCircleM(a, b);
}

}  // namespace strava1::geo
