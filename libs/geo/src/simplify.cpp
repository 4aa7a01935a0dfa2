#include "strava1/geo/simplify.hpp"

#include <cmath>
#include <cstdint>
#include <numbers>
#include <utility>

namespace strava1::geo {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kE2 = kWgs84F * (2.0 - kWgs84F);

double DeltaLngDeg(double from, double to) { return std::remainder(to - from, 360.0); }

// Metres per degree of latitude (y) and longitude (x) at a latitude.
struct PlaneScale {
    double x = 0;
    double y = 0;
};

PlaneScale ScaleAt(double lat_deg) {
    const double phi = lat_deg * kDegToRad;
    const double sin_phi = std::sin(phi);
    const double w2 = 1.0 - kE2 * sin_phi * sin_phi;
    const double w = std::sqrt(w2);
    return PlaneScale{kWgs84A / w * std::cos(phi) * kDegToRad, kWgs84A * (1.0 - kE2) / (w2 * w) * kDegToRad};
}

}  // namespace

std::vector<std::size_t> SimplifyRdp(std::span<const LatLng> points, double tolerance_m) {
    std::vector<std::size_t> kept;
    if (points.empty()) {
        return kept;
    }
    if (points.size() == 1) {
        kept.push_back(0);
        return kept;
    }
    const double tolerance2 = tolerance_m > 0 ? tolerance_m * tolerance_m : 0.0;
    std::vector<std::uint8_t> keep(points.size(), 0);
    keep.front() = 1;
    keep.back() = 1;
    std::vector<std::pair<std::size_t, std::size_t>> stack;
    stack.emplace_back(0, points.size() - 1);
    while (!stack.empty()) {
        const auto [first, last] = stack.back();
        stack.pop_back();
        if (last - first < 2) {
            continue;
        }
        const LatLng a = points[first];
        const PlaneScale scale = ScaleAt(0.5 * (a.lat_deg + points[last].lat_deg));
        const double bx = DeltaLngDeg(a.lng_deg, points[last].lng_deg) * scale.x;
        const double by = (points[last].lat_deg - a.lat_deg) * scale.y;
        const double length2 = bx * bx + by * by;
        double worst2 = -1;
        std::size_t worst_idx = first;
        for (std::size_t point_idx = first + 1; point_idx < last; ++point_idx) {
            const double px = DeltaLngDeg(a.lng_deg, points[point_idx].lng_deg) * scale.x;
            const double py = (points[point_idx].lat_deg - a.lat_deg) * scale.y;
            // Distance to the segment: project, clamp to [0, 1], measure.
            double t = length2 > 0 ? (px * bx + py * by) / length2 : 0.0;
            t = t < 0 ? 0 : (t > 1 ? 1 : t);
            const double dx = px - t * bx;
            const double dy = py - t * by;
            const double d2 = dx * dx + dy * dy;
            if (d2 > worst2) {
                worst2 = d2;
                worst_idx = point_idx;
            }
        }
        if (worst2 > tolerance2) {
            keep[worst_idx] = 1;
            stack.emplace_back(first, worst_idx);
            stack.emplace_back(worst_idx, last);
        }
    }
    for (std::size_t point_idx = 0; point_idx < points.size(); ++point_idx) {
        if (keep[point_idx] != 0) {
            kept.push_back(point_idx);
        }
    }
    return kept;
}

}  // namespace strava1::geo
