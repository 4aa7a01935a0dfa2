#include "strava1/analytics/best_efforts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

namespace strava1::analytics {
namespace {

constexpr double kMile = 1609.344;
constexpr std::array<EffortDistance, 16> kDistances = {{
    {400.0, "400m"},
    {kMile / 2, "1/2 mile"},
    {1000.0, "1k"},
    {kMile, "1 mile"},
    {2 * kMile, "2 mile"},
    {5000.0, "5k"},
    {10000.0, "10k"},
    {15000.0, "15k"},
    {10 * kMile, "10 mile"},
    {20000.0, "20k"},
    {21097.5, "Half-Marathon"},
    {30000.0, "30k"},
    {42195.0, "Marathon"},
    {50000.0, "50k"},
    {100000.0, "100k"},
    {100 * kMile, "100 mile"},
}};

constexpr double kYard = 0.9144;
constexpr std::array<EffortDistance, 10> kSwimMetres = {{
    {100.0, "100m"},
    {200.0, "200m"},
    {400.0, "400m"},
    {800.0, "800m"},
    {1000.0, "1000m"},
    {1500.0, "1500m"},
    {kMile, "1 mile"},
    {2000.0, "2000m"},
    {3000.0, "3000m"},
    {3800.0, "3800m"},
}};
constexpr std::array<EffortDistance, 5> kSwimYards = {{
    {100 * kYard, "100yd"},
    {200 * kYard, "200yd"},
    {500 * kYard, "500yd"},
    {1000 * kYard, "1000yd"},
    {1650 * kYard, "1650yd"},
}};

}  // namespace

std::span<const EffortDistance> StandardEffortDistances() noexcept { return kDistances; }

std::span<const EffortDistance> SwimEffortDistances(bool yards) noexcept {
    if (yards) {
        return kSwimYards;
    }
    return kSwimMetres;
}

namespace {

// Finds points by distance in O(1) typical: distance is cut into buckets (about two per point) and
// `below_[b]` counts the points in buckets before b; a lookup binary-searches one bucket. The
// bucket function is monotone, so a point in an earlier bucket is strictly shorter, one in a later
// bucket strictly longer.
class DistanceIndex {
public:
    DistanceIndex(const double* d, std::size_t n) : d_(d), n_(n), origin_(d[0]) {
        const double span = d[n - 1] - d[0];
        const std::size_t buckets = 2 * n;
        scale_ = span > 0 ? static_cast<double>(buckets) / span : 0.0;
        below_.assign(buckets + 2, 0);
        for (std::size_t point_idx = 0; point_idx < n; ++point_idx) {
            ++below_[Bucket(d[point_idx]) + 1];
        }
        for (std::size_t bucket = 1; bucket < below_.size(); ++bucket) {
            below_[bucket] += below_[bucket - 1];
        }
    }

    /// The last point with d <= x. Precondition: d[0] <= x.
    std::size_t LastAtOrBefore(double x) const {
        const std::size_t bucket = Bucket(x);
        const double* first = d_ + below_[bucket];
        const double* last = d_ + below_[bucket + 1];
        return static_cast<std::size_t>(std::upper_bound(first, last, x) - d_) - 1;
    }

    /// The first point with d >= x. Precondition: x <= d[n - 1].
    std::size_t FirstAtOrAfter(double x) const {
        const std::size_t bucket = Bucket(x);
        const double* first = d_ + below_[bucket];
        const double* last = d_ + below_[bucket + 1];
        return static_cast<std::size_t>(std::lower_bound(first, last, x) - d_);
    }

    /// A point at or after LastAtOrBefore(x) without searching (the last one of x's bucket, at most
    /// `cap`, when LastAtOrBefore(x) <= cap is known): for conservative bounds.
    std::size_t NotBeforeLastAtOrBefore(double x, std::size_t cap) const {
        return std::min<std::size_t>(below_[Bucket(x) + 1] - 1, cap);
    }

    /// A point at or before FirstAtOrAfter(x), at least 1, without searching.
    std::size_t NotAfterFirstAtOrAfter(double x) const { return std::max<std::size_t>(below_[Bucket(x)], 1); }

private:
    std::size_t Bucket(double x) const {
        const double position = (x - origin_) * scale_;
        if (!(position > 0)) {
            return 0;
        }
        const double top = static_cast<double>(below_.size() - 2);
        return static_cast<std::size_t>(position < top ? position : top);
    }

    const double* d_;
    std::size_t n_;
    double origin_;
    double scale_ = 0;
    std::vector<std::uint32_t> below_;
};

// Points per block: a block whose lower bound cannot beat the best so far is skipped whole.
constexpr std::size_t kBlock = 16;
// Blocks per super-block, the first level of the same test.
constexpr std::size_t kSuperBlock = 8 * kBlock;
// Every this many end points one candidate seeds the best, so pruning starts early.
constexpr std::size_t kSeedStride = 256;

class EffortSearch {
public:
    EffortSearch(const double* t, const double* d, std::size_t n, const DistanceIndex& index, double distance_m,
                 double min_pace)
        : t_(t), d_(d), n_(n), index_(index), distance_m_(distance_m), min_pace_(min_pace) {}

    BestEffort Run() {
        const std::size_t first_end = index_.FirstAtOrAfter(d_[0] + distance_m_);
        for (std::size_t j = first_end; j < n_; j += kSeedStride) {
            EndingOn(j, index_.LastAtOrBefore(d_[j] - distance_m_));
        }
        // Efforts ending on a point j of block [j0, j1]: they start at or before t[s(j1) + 1] and end
        // at or after t[j0].
        for (std::size_t j0 = first_end; j0 < n_; j0 += kBlock) {
            const std::size_t j1 = std::min(j0 + kBlock, n_) - 1;
            if ((j0 - first_end) % kSuperBlock == 0) {
                // The same bound over a run of blocks skips long slow stretches in one test.
                const std::size_t last = std::min(j0 + kSuperBlock, n_) - 1;
                if (EndingBound(j0, index_.NotBeforeLastAtOrBefore(d_[last] - distance_m_, last - 1) + 1) >= best_) {
                    j0 += kSuperBlock - kBlock;
                    continue;
                }
            }
            // (A later start point only lowers the bound, so the bucket's last point will do.)
            if (EndingBound(j0, index_.NotBeforeLastAtOrBefore(d_[j1] - distance_m_, j1 - 1) + 1) >= best_) {
                continue;
            }
            std::size_t start = index_.LastAtOrBefore(d_[j0] - distance_m_);
            for (std::size_t j = j0; j <= j1; ++j) {
                while (d_[start + 1] <= d_[j] - distance_m_) {
                    ++start;
                }
                EndingOn(j, start);
            }
        }
        // Efforts starting on a point k of block [k0, k1]: they end at or after t[e(k0) - 1] and
        // start at or before t[k1].
        const std::size_t last_start = index_.LastAtOrBefore(d_[n_ - 1] - distance_m_);
        for (std::size_t k0 = 0; k0 <= last_start; k0 += kBlock) {
            const std::size_t k1 = std::min(k0 + kBlock - 1, last_start);
            if (k0 % kSuperBlock == 0) {
                const std::size_t last = std::min(k0 + kSuperBlock - 1, last_start);
                if (StartingBound(index_.NotAfterFirstAtOrAfter(d_[k0] + distance_m_) - 1, last) >= best_) {
                    k0 += kSuperBlock - kBlock;
                    continue;
                }
            }
            // (An earlier end point only lowers the bound, so the bucket's first point will do.)
            if (StartingBound(index_.NotAfterFirstAtOrAfter(d_[k0] + distance_m_) - 1, k1) >= best_) {
                continue;
            }
            std::size_t end = index_.FirstAtOrAfter(d_[k0] + distance_m_);
            for (std::size_t k = k0; k <= k1; ++k) {
                while (d_[end] < d_[k] + distance_m_) {
                    ++end;
                }
                StartingOn(k, end);
            }
        }
        effort_.distance_m = distance_m_;
        effort_.time_s = best_;
        return effort_;
    }

private:
    // A lower bound for efforts that end on or after point j0 and start before point `inner` (or
    // anywhere, when inner > j0): the time from t[inner] to t[j0], plus the rest of the distance at
    // the track's top speed (min_pace_ seconds per metre, slightly understated); the extra term only
    // tightens the plain t[j0] - t[inner].
    double EndingBound(std::size_t j0, std::size_t inner) const {
        const double rest = distance_m_ - (d_[j0] - d_[inner]);
        return t_[j0] - t_[inner] + (rest > 0 ? rest * min_pace_ : 0.0);
    }

    // Likewise for efforts that start on or before point k1 and end after point `inner`.
    double StartingBound(std::size_t inner, std::size_t k1) const {
        const double rest = distance_m_ - (d_[inner] - d_[k1]);
        return t_[inner] - t_[k1] + (rest > 0 ? rest * min_pace_ : 0.0);
    }

    // The effort ending on point j; d[start] <= target < d[start + 1].
    void EndingOn(std::size_t j, std::size_t start) {
        if (t_[j] - t_[start + 1] >= best_) {  // a lower bound: it starts at or before t[start + 1]
            return;
        }
        const double target = d_[j] - distance_m_;
        const double begin =
            t_[start] + (target - d_[start]) / (d_[start + 1] - d_[start]) * (t_[start + 1] - t_[start]);
        if (t_[j] - begin < best_) {
            best_ = t_[j] - begin;
            effort_.start_time_s = begin;
            effort_.end_time_s = t_[j];
            effort_.start_index = start;
            effort_.end_index = j;
        }
    }

    // The effort starting on point k; d[end - 1] < target <= d[end].
    void StartingOn(std::size_t k, std::size_t end) {
        if (t_[end - 1] - t_[k] >= best_) {  // a lower bound: it ends at or after t[end - 1]
            return;
        }
        const double target = d_[k] + distance_m_;
        const double finish = t_[end - 1] + (target - d_[end - 1]) / (d_[end] - d_[end - 1]) * (t_[end] - t_[end - 1]);
        if (finish - t_[k] < best_) {
            best_ = finish - t_[k];
            effort_.start_time_s = t_[k];
            effort_.end_time_s = finish;
            effort_.start_index = k;
            effort_.end_index = end;
        }
    }

    const double* t_;
    const double* d_;
    std::size_t n_;
    const DistanceIndex& index_;
    double distance_m_;
    double min_pace_;
    double best_ = std::numeric_limits<double>::infinity();
    BestEffort effort_;
};

// The smallest seconds per metre over the segments that move (0 when one moves in no time), less a
// relative 1e-9 so that rounding cannot make a bound exceed a real effort.
double MinPace(const double* t, const double* d, std::size_t n) {
    double pace = std::numeric_limits<double>::infinity();
    for (std::size_t i = 1; i < n; ++i) {
        const double dd = d[i] - d[i - 1];
        const double dt = t[i] - t[i - 1];
        if (dd > 0 && dt < pace * dd) {
            pace = dt / dd;
        }
    }
    return std::isfinite(pace) && pace > 0 ? pace * (1 - 1e-9) : 0.0;
}

bool Searchable(std::span<const double> time_s, std::span<const double> distance) {
    const std::size_t n = std::min(time_s.size(), distance.size());
    return n >= 2 && n < std::numeric_limits<std::uint32_t>::max() / 4;
}

}  // namespace

std::optional<BestEffort> FindBestEffort(std::span<const double> time_s, std::span<const double> distance,
                                         double distance_m, std::string_view name) {
    if (!Searchable(time_s, distance)) {
        return std::nullopt;
    }
    const std::size_t n = std::min(time_s.size(), distance.size());
    if (!(distance_m > 0) || distance[n - 1] - distance[0] < distance_m) {
        return std::nullopt;
    }
    const DistanceIndex index(distance.data(), n);
    const double min_pace = MinPace(time_s.data(), distance.data(), n);
    BestEffort effort = EffortSearch(time_s.data(), distance.data(), n, index, distance_m, min_pace).Run();
    effort.name = name;
    return effort;
}

std::vector<BestEffort> FindBestEfforts(std::span<const double> time_s, std::span<const double> distance,
                                        std::span<const EffortDistance> targets) {
    std::vector<BestEffort> efforts;
    if (!Searchable(time_s, distance)) {
        return efforts;
    }
    const std::size_t n = std::min(time_s.size(), distance.size());
    const DistanceIndex index(distance.data(), n);  // shared by all distances
    const double min_pace = MinPace(time_s.data(), distance.data(), n);
    for (const EffortDistance& target : targets) {
        if (distance[n - 1] - distance[0] < target.distance_m) {
            break;  // ascending: no longer one fits either
        }
        BestEffort effort = EffortSearch(time_s.data(), distance.data(), n, index, target.distance_m, min_pace).Run();
        effort.name = target.name;
        efforts.push_back(effort);
    }
    return efforts;
}

}  // namespace strava1::analytics
