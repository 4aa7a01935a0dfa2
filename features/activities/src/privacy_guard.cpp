#include "privacy_guard.hpp"

#include <cmath>

#include "strava1/geo/geodesy.hpp"

namespace strava1::activities {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
constexpr double kMetresPerDegree = 111'195.0;  // mean Earth radius; metres of error at 10 km are irrelevant here

struct Xy {
    double x;
    double y;
};

Xy Project(geo::LatLng p, geo::LatLng origin) {
    return {(p.lng_deg - origin.lng_deg) * kMetresPerDegree * std::cos(origin.lat_deg * kDegToRad),
            (p.lat_deg - origin.lat_deg) * kMetresPerDegree};
}

double Det3(const double m[3][3]) {
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

}  // namespace

PublicEnds VisibleEnds(std::span<const std::int32_t> lat_e7, std::span<const std::int32_t> lng_e7,
                       std::span<const geo::Disc> discs) {
    PublicEnds out;
    if (lat_e7.empty()) {
        return out;
    }
    std::vector<std::uint8_t> visible = geo::VisibleMask(lat_e7, lng_e7, discs);
    for (std::size_t i = 0; i < lat_e7.size(); ++i) {
        if (visible[i] != 0 && lat_e7[i] != geo::kNoPositionE7) {
            geo::LatLng p{lat_e7[i] * 1e-7, lng_e7[i] * 1e-7};
            if (!out.first) {
                out.first = p;
            }
            out.last = p;
        }
    }
    return out;
}

bool Estimable(std::span<const geo::LatLng> ends, geo::LatLng home, double min_error_m) {
    if (ends.empty()) {
        return false;
    }
    std::vector<Xy> xy;
    xy.reserve(ends.size());
    double cx = 0;
    double cy = 0;
    for (const auto& p : ends) {
        xy.push_back(Project(p, home));
        cx += xy.back().x;
        cy += xy.back().y;
    }
    cx /= static_cast<double>(xy.size());
    cy /= static_cast<double>(xy.size());
    if (std::hypot(cx, cy) < min_error_m) {
        return true;
    }
    if (xy.size() < 3) {
        return false;
    }
    // x² + y² + D x + E y + F = 0 in the least-squares sense, centred on the centroid for conditioning.
    double a[3][3] = {};
    double b[3] = {};
    for (const auto& p : xy) {
        const double row[3] = {p.x - cx, p.y - cy, 1.0};
        const double rhs = -((p.x - cx) * (p.x - cx) + (p.y - cy) * (p.y - cy));
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c) {
                a[r][c] += row[r] * row[c];
            }
            b[r] += row[r] * rhs;
        }
    }
    const double det = Det3(a);
    if (!(std::abs(det) > 1e-9 * std::abs(a[0][0] * a[1][1] * a[2][2]))) {
        return false;  // collinear ends: the fit has no centre
    }
    double solved[2];
    for (int k = 0; k < 2; ++k) {
        double m[3][3];
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c) {
                m[r][c] = c == k ? b[r] : a[r][c];
            }
        }
        solved[k] = Det3(m) / det;
    }
    const double fx = cx - solved[0] / 2;
    const double fy = cy - solved[1] / 2;
    return std::hypot(fx, fy) < min_error_m;
}

GuardDecision Guard(std::span<const std::int32_t> lat_e7, std::span<const std::int32_t> lng_e7,
                    const GuardedEndpoint& start, const GuardedEndpoint& end, double min_error_m) {
    GuardDecision decision;
    if (!start.disc && !end.disc) {
        decision.ends = VisibleEnds(lat_e7, lng_e7, {});
        return decision;
    }
    for (double scale : kGuardScales) {
        std::vector<geo::Disc> discs;
        for (const auto* e : {&start, &end}) {
            if (e->disc) {
                discs.push_back(geo::Disc{e->disc->centre, e->disc->radius_m * scale});
            }
        }
        PublicEnds ends = VisibleEnds(lat_e7, lng_e7, discs);
        if (!ends.first) {
            decision.scale = scale;
            return decision;  // nothing is left to see: nothing to estimate from
        }
        bool safe = true;
        for (const auto* e : {&start, &end}) {
            if (!e->disc) {
                continue;
            }
            std::vector<geo::LatLng> pool = e->earlier_ends;
            // This activity's ends that belong to this home (the nearer hidden one): a loop gives
            // both, a commute one.
            for (const auto& p : {*ends.first, *ends.last}) {
                const GuardedEndpoint* other = e == &start ? &end : &start;
                if (!other->disc || geo::LocalDistanceM(p, e->home) <= geo::LocalDistanceM(p, other->home)) {
                    pool.push_back(p);
                }
            }
            if (Estimable(pool, e->home, min_error_m)) {
                safe = false;
                break;
            }
        }
        if (safe) {
            decision.scale = scale;
            decision.ends = ends;
            return decision;
        }
    }
    decision.scale = kGuardScales[std::size(kGuardScales) - 1];
    decision.hide_map = true;
    return decision;
}

}  // namespace strava1::activities
