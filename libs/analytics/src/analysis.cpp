#include "strava1/analytics/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "device_totals.hpp"
#include "pool_swim.hpp"
#include "prepared_track.hpp"
#include "strava1/geo/polyline.hpp"
#include "strava1/geo/simplify.hpp"

namespace strava1::analytics {

using formats::Sport;

SportParameters ParametersFor(Sport sport) noexcept {
    // spike ceiling, moving threshold, speed window, MET (docs/analytics.md explains the choices).
    switch (sport) {
        case Sport::kRun:
            return {12.0, 0.5, 5.0, 9.8};
        case Sport::kTrailRun:
            return {10.0, 0.5, 5.0, 10.0};
        case Sport::kWalk:
            return {6.0, 0.4, 5.0, 3.5};
        case Sport::kHike:
            return {6.0, 0.3, 5.0, 6.0};
        case Sport::kRide:
            return {35.0, 1.5, 5.0, 7.5};
        case Sport::kMountainBike:
            return {30.0, 1.0, 5.0, 8.5};
        case Sport::kVirtualRide:
            return {35.0, 1.5, 5.0, 7.0};
        case Sport::kSwim:
            return {4.0, 0.2, 10.0, 7.0};
        case Sport::kRowing:
            return {10.0, 0.5, 5.0, 7.0};
        case Sport::kSki:
            return {50.0, 0.5, 5.0, 7.0};
        case Sport::kTransition:
            return {15.0, 0.5, 5.0, 4.0};
        case Sport::kOther:
        case Sport::kUnknown:
            break;
    }
    return {70.0, 0.5, 5.0, 5.0};
}

namespace {

constexpr double kMile = 1609.344;
constexpr std::size_t kMaxSplits = 20'000;  // 20 000 km: beyond any real activity
constexpr double kGrossEfficiency = 0.24;   // mechanical work / metabolic energy, cycling
constexpr double kJoulesPerKcal = 4184.0;

bool IsRun(Sport sport) { return sport == Sport::kRun || sport == Sport::kTrailRun; }
bool CountsSteps(Sport sport) { return IsRun(sport) || sport == Sport::kWalk || sport == Sport::kHike; }

// Minetti et al. (2002): energy cost of running on a gradient, J/(kg·m).
double MinettiCost(double grade) {
    const double g = std::clamp(grade, -internal::kMaxGrade, internal::kMaxGrade);
    return ((((155.4 * g - 30.4) * g - 43.3) * g + 46.3) * g + 19.5) * g + 3.6;
}

// Per-point cumulative sums the splits and laps interpolate into.
struct Cumulative {
    std::vector<double> gain;
    std::vector<double> loss;
    std::vector<double> flat_equivalent_m;  // moving distance × Minetti factor
    std::vector<double> moving_m;
    std::vector<double> hr_sum;  // Σ hr·w
    std::vector<double> hr_weight;
    std::vector<double> power_sum;
    std::vector<double> power_weight;
};

// Value of a per-point cumulative array at a fractional point index x in [0, n-1].
double At(const std::vector<double>& values, double x) {
    if (values.empty()) {
        return 0.0;
    }
    const double last = static_cast<double>(values.size() - 1);
    x = std::clamp(x, 0.0, last);
    const auto i = static_cast<std::size_t>(x);
    if (i + 1 >= values.size()) {
        return values.back();
    }
    const double f = x - static_cast<double>(i);
    return values[i] + f * (values[i + 1] - values[i]);
}

struct Context {
    const internal::PreparedTrack& prepared;
    const Cumulative& sums;
    bool run = false;
};

IntervalStats Interval(const Context& context, double x0, double x1, bool from_device) {
    const internal::PreparedTrack& p = context.prepared;
    const Cumulative& c = context.sums;
    IntervalStats stats;
    stats.first_index = static_cast<std::size_t>(std::floor(x0));
    stats.end_index = std::min(p.n - 1, static_cast<std::size_t>(std::ceil(x1)));
    stats.from_device = from_device;
    // The activity's distance starts at 0 at its start: what the device counted before its first
    // sample (kept, docs/analytics.md section 1) belongs to whatever starts there.
    stats.start_distance_m = x0 > 0 ? At(p.d, x0) : 0.0;
    stats.distance_m = At(p.d, x1) - stats.start_distance_m;
    stats.elapsed_s = At(p.t, x1) - At(p.t, x0);
    stats.moving_s = At(p.moving_time, x1) - At(p.moving_time, x0);
    if (stats.moving_s > 0) {
        stats.avg_speed_mps = stats.distance_m / stats.moving_s;
    }
    if (!p.altitude.empty()) {
        stats.elevation_gain_m = At(c.gain, x1) - At(c.gain, x0);
        stats.elevation_loss_m = At(c.loss, x1) - At(c.loss, x0);
        stats.elevation_delta_m = At(p.altitude, x1) - At(p.altitude, x0);
    }
    if (context.run && stats.moving_s > 0) {
        const double moving_m = At(c.moving_m, x1) - At(c.moving_m, x0);
        const double flat_m = At(c.flat_equivalent_m, x1) - At(c.flat_equivalent_m, x0);
        if (moving_m > 0) {
            stats.grade_adjusted_speed_mps = stats.avg_speed_mps * flat_m / moving_m;
        }
    }
    if (!c.hr_weight.empty()) {
        const double weight = At(c.hr_weight, x1) - At(c.hr_weight, x0);
        if (weight > 0) {
            stats.avg_heart_rate_bpm = (At(c.hr_sum, x1) - At(c.hr_sum, x0)) / weight;
        }
    }
    if (!c.power_weight.empty()) {
        const double weight = At(c.power_weight, x1) - At(c.power_weight, x0);
        if (weight > 0) {
            stats.avg_power_w = (At(c.power_sum, x1) - At(c.power_sum, x0)) / weight;
        }
    }
    return stats;
}

// Splits of `length_m`: boundaries at exact multiples, the last one partial (if longer than 1 m).
std::vector<IntervalStats> Splits(const Context& context, double length_m) {
    std::vector<IntervalStats> splits;
    const internal::PreparedTrack& p = context.prepared;
    if (p.n < 2 || p.d.back() <= 0) {
        return splits;
    }
    double x0 = 0;
    std::size_t j = 1;
    // A device distance can be garbage (1e12 m); the split list stays bounded.
    for (double boundary = length_m; splits.size() < kMaxSplits; boundary += length_m) {
        while (j < p.n && p.d[j] < boundary) {
            ++j;
        }
        if (j >= p.n) {
            if (p.d.back() - At(p.d, x0) >= 1.0) {
                splits.push_back(Interval(context, x0, static_cast<double>(p.n - 1), false));
            }
            break;
        }
        // d[j-1] < boundary <= d[j]
        const double x1 = static_cast<double>(j - 1) + (boundary - p.d[j - 1]) / (p.d[j] - p.d[j - 1]);
        splits.push_back(Interval(context, x0, x1, false));
        x0 = x1;
    }
    return splits;
}

std::vector<ZoneTime> Zones(std::span<const double> bounds) {
    std::vector<ZoneTime> zones;
    for (std::size_t zone_idx = 0; zone_idx + 1 < bounds.size(); ++zone_idx) {
        zones.push_back(ZoneTime{bounds[zone_idx], bounds[zone_idx + 1], 0.0});
    }
    return zones;
}

void AddToZone(std::vector<ZoneTime>& zones, double value, double seconds) {
    for (auto it = zones.rbegin(); it != zones.rend(); ++it) {
        if (value >= it->lower) {
            it->seconds += seconds;
            return;
        }
    }
}

std::optional<double> NormalizedPower(const internal::Series1Hz& series) {
    // 30 s rolling mean over the seconds the timer ran (paused seconds are skipped, not zeroed),
    // then the fourth root of the mean fourth power.
    constexpr std::size_t kWindow = 30;
    double ring[kWindow] = {};
    std::size_t filled = 0;
    double window_sum = 0;
    double fourth_sum = 0;
    std::size_t samples = 0;
    for (std::size_t second = 0; second < series.power_w.size(); ++second) {
        if (series.running[second] == 0) {
            continue;
        }
        const std::size_t slot = filled % kWindow;
        window_sum += series.power_w[second] - ring[slot];
        ring[slot] = series.power_w[second];
        ++filled;
        if (filled >= kWindow) {
            const double mean = window_sum / kWindow;
            fourth_sum += mean * mean * mean * mean;
            ++samples;
        }
    }
    if (samples == 0) {
        return std::nullopt;
    }
    return std::pow(fourth_sum / static_cast<double>(samples), 0.25);
}

std::optional<std::int64_t> LapEndMs(const formats::Lap& lap) {
    const std::optional<double> length_s = lap.elapsed_s ? lap.elapsed_s : lap.timer_s;
    if (lap.start_time_ms == formats::kNoTime || !length_s || !std::isfinite(*length_s) || *length_s < 0) {
        return std::nullopt;
    }
    return lap.start_time_ms + static_cast<std::int64_t>(std::llround(*length_s * 1000.0));
}

/// A device lap from its own figures, for a lap the samples do not cover.
IntervalStats DeviceLap(const formats::Lap& lap) {
    IntervalStats stats;
    stats.from_device = true;
    stats.first_index = lap.first_index;
    stats.end_index = lap.first_index;
    stats.elapsed_s = lap.elapsed_s.value_or(lap.timer_s.value_or(0.0));
    stats.distance_m = lap.distance_m.value_or(0.0);
    stats.avg_power_w = lap.avg_power_w;
    return stats;
}

/// A pool swim without timed samples (7617306288.fit: its records carry no time): the lengths and
/// the device's laps are all there is.
void AnalyseLengthsOnly(const formats::Activity& activity, const internal::PoolSwim& pool, ActivityAnalysis& result) {
    result.distance_source = DistanceSource::kLengths;
    result.distance_total_m = pool.distance_m;
    result.elapsed_s = static_cast<double>(pool.last_end_ms - pool.first_start_ms) / 1000.0;
    result.timer_s = result.elapsed_s;
    result.moving_s = std::min(pool.active_s, result.timer_s);
    if (result.moving_s > 0) {
        result.avg_speed_mps = result.distance_total_m / result.moving_s;
        result.avg_pace_s_per_km =
            result.avg_speed_mps > 0 ? std::optional(1000.0 / result.avg_speed_mps) : std::nullopt;
    }
    result.max_speed_mps = internal::MaxLengthSpeed(pool);
    for (const formats::Lap& lap : activity.laps) {
        IntervalStats stats = DeviceLap(lap);
        if (const auto end_ms = LapEndMs(lap)) {
            internal::LapFromLengths(pool, lap.start_time_ms, *end_ms, stats);
        }
        if (lap.avg_heart_rate_bpm && *lap.avg_heart_rate_bpm > 0) {
            stats.avg_heart_rate_bpm = lap.avg_heart_rate_bpm;
        }
        result.laps.push_back(stats);
    }
    result.best_efforts = internal::LengthEfforts(pool, internal::PreparedTrack{});
}

bool IsCycling(Sport sport) {
    return sport == Sport::kRide || sport == Sport::kMountainBike || sport == Sport::kVirtualRide;
}

// Calories from the summary's figures: measured work for cycling (a cyclist's gross efficiency;
// applied to runs and rows it gave 26-119 % more than their devices), else heart rate (Keytel et
// al. 2005), else MET. The device's own count wins when it has one (ApplyDeviceCalories).
void EstimateCalories(Sport sport, const AthleteProfile& profile, const SportParameters& parameters,
                      ActivityAnalysis& result) {
    if (IsCycling(sport) && result.work_kj && *result.work_kj > 0) {
        result.calories_kcal = *result.work_kj * 1000.0 / kGrossEfficiency / kJoulesPerKcal;
        result.calorie_method = ActivityAnalysis::CalorieMethod::kPower;
    } else if (result.avg_heart_rate_bpm && profile.age_years && result.timer_s > 0) {
        const double hr = *result.avg_heart_rate_bpm;
        const double age = *profile.age_years;
        const double kg = profile.weight_kg;
        const double male_kj_per_min = -55.0969 + 0.6309 * hr + 0.1988 * kg + 0.2017 * age;
        const double female_kj_per_min = -20.4022 + 0.4472 * hr - 0.1263 * kg + 0.074 * age;
        const double kj_per_min = profile.sex == Sex::kMale     ? male_kj_per_min
                                  : profile.sex == Sex::kFemale ? female_kj_per_min
                                                                : 0.5 * (male_kj_per_min + female_kj_per_min);
        result.calories_kcal = std::max(0.0, kj_per_min / 4.184 * result.timer_s / 60.0);
        result.calorie_method = ActivityAnalysis::CalorieMethod::kHeartRate;
    } else if (result.moving_s > 0) {
        result.calories_kcal = parameters.met * profile.weight_kg * result.moving_s / 3600.0;
        result.calorie_method = ActivityAnalysis::CalorieMethod::kMet;
    }
}

// Speed and pace from the summary's distance and moving time; grade-adjusted in the samples'
// proportion.
void SummarySpeeds(ActivityAnalysis& result) {
    const double samples_speed = result.avg_speed_mps;
    result.avg_speed_mps = 0;
    result.avg_pace_s_per_km.reset();
    if (result.moving_s > 0 && result.distance_total_m > 0) {
        result.avg_speed_mps = result.distance_total_m / result.moving_s;
        result.avg_pace_s_per_km = 1000.0 / result.avg_speed_mps;
    }
    if (result.grade_adjusted_speed_mps && samples_speed > 0 && result.avg_speed_mps > 0) {
        result.grade_adjusted_speed_mps = *result.grade_adjusted_speed_mps * result.avg_speed_mps / samples_speed;
        result.grade_adjusted_pace_s_per_km = 1000.0 / *result.grade_adjusted_speed_mps;
    }
}

ActivityAnalysis AnalyseSamples(const formats::Activity& activity, const AthleteProfile& profile,
                                internal::SampleFacts& facts) {
    ActivityAnalysis result;
    result.sport = activity.sport;
    const formats::Track& track = activity.track;
    const SportParameters parameters = ParametersFor(activity.sport);
    internal::PreparedTrack p = internal::Prepare(activity, parameters);
    // A pool swim's distance and motion come from its lengths (docs/analytics.md, "Pool swims").
    const std::optional<internal::PoolSwim> pool = internal::ReadPoolSwim(activity);
    if (pool) {
        result.pool_length_m = pool->pool_length_m;
        result.pool_in_yards = pool->yards;
        result.lengths = internal::DescribeLengths(*pool, activity.start_time_ms);
        if (p.n > 0 && p.has_time) {
            internal::ApplyLengths(*pool, p);
        }
    }
    const std::size_t n = p.n;
    result.point_count = n;
    result.distance_source = p.source;
    result.spikes_removed = p.spikes;
    if (n == 0 || (pool && !p.has_time)) {
        if (pool) {
            AnalyseLengthsOnly(activity, *pool, result);
            facts.has_distance = pool->distance_m > 0;
        }
        return result;
    }
    const bool run = IsRun(activity.sport);
    result.distance_m = p.d;
    result.time_s = p.t;
    result.distance_total_m = pool ? pool->distance_m : p.d.back();
    result.elapsed_s = p.t.back();
    result.timer_s = p.timer.back();
    result.moving_s = pool ? std::min(pool->active_s, result.timer_s) : p.moving_time.back();

    // Per-segment weights: the timer seconds of segment (i-1, i] belong to sample i.
    const bool has_hr = track.heart_rate_bpm.size() == n;
    const bool has_power = track.power_w.size() == n;
    const bool has_cadence = track.cadence_rpm.size() == n;
    Cumulative sums;
    if (has_hr) {
        sums.hr_sum.assign(n, 0.0);
        sums.hr_weight.assign(n, 0.0);
    }
    if (has_power) {
        sums.power_sum.assign(n, 0.0);
        sums.power_weight.assign(n, 0.0);
    }
    sums.moving_m.assign(n, 0.0);
    sums.flat_equivalent_m.assign(n, 0.0);

    double max_hr = 0;
    double min_hr = 1000;
    double hr_samples_sum = 0;
    std::size_t hr_samples = 0;
    double cadence_sum = 0;
    double cadence_weight = 0;
    double cadence_samples_sum = 0;
    std::size_t cadence_samples = 0;
    double max_power = 0;
    double power_samples_sum = 0;
    std::size_t power_samples = 0;
    double max_speed = 0;

    // HR zones and TRIMP need the athlete's max and resting HR.
    std::optional<double> profile_max_hr = profile.max_hr_bpm;
    if (!profile_max_hr && profile.age_years) {
        profile_max_hr = 220.0 - *profile.age_years;
    }
    const double resting_hr = profile.resting_hr_bpm.value_or(60.0);
    const bool hr_zones = has_hr && profile_max_hr && *profile_max_hr > resting_hr + 10.0;
    if (hr_zones) {
        const double reserve = *profile_max_hr - resting_hr;
        const double bounds[] = {0.0,
                                 resting_hr + 0.6 * reserve,
                                 resting_hr + 0.7 * reserve,
                                 resting_hr + 0.8 * reserve,
                                 resting_hr + 0.9 * reserve,
                                 std::numeric_limits<double>::infinity()};
        result.heart_rate_zones = Zones(bounds);
    }
    const bool power_zones = has_power && profile.ftp_w && *profile.ftp_w > 0;
    if (power_zones) {
        const double ftp = *profile.ftp_w;
        const double bounds[] = {0.0,        0.55 * ftp, 0.75 * ftp, 0.90 * ftp,
                                 1.05 * ftp, 1.20 * ftp, 1.50 * ftp, std::numeric_limits<double>::infinity()};
        result.power_zones = Zones(bounds);
    }
    const double trimp_k = profile.sex == Sex::kMale ? 1.92 : (profile.sex == Sex::kFemale ? 1.67 : 1.795);
    double trimp = 0;

    // Grade for GAP: backwards distance window of at least kGradeWindowM.
    std::size_t grade_back = 0;
    const bool has_altitude = !p.altitude.empty();
    if (has_altitude) {
        sums.gain.assign(n, 0.0);
        sums.loss.assign(n, 0.0);
    }
    double reference_altitude = has_altitude ? p.altitude[0] : 0.0;
    std::optional<float> previous_raw;
    double altitude_min = std::numeric_limits<double>::infinity();
    double altitude_max = -std::numeric_limits<double>::infinity();

    for (std::size_t point_idx = 0; point_idx < n; ++point_idx) {
        const double w = point_idx > 0 ? p.run_s[point_idx] : 0.0;
        if (point_idx > 0) {
            sums.moving_m[point_idx] = sums.moving_m[point_idx - 1];
            sums.flat_equivalent_m[point_idx] = sums.flat_equivalent_m[point_idx - 1];
            if (p.moving[point_idx] != 0) {
                const double step = p.d[point_idx] - p.d[point_idx - 1];
                double factor = 1.0;
                if (run && has_altitude) {
                    while (grade_back + 1 < point_idx &&
                           p.d[point_idx] - p.d[grade_back + 1] >= internal::kGradeWindowM) {
                        ++grade_back;
                    }
                    const double run_m = p.d[point_idx] - p.d[grade_back];
                    const double grade = run_m > 0 ? (p.altitude[point_idx] - p.altitude[grade_back]) / run_m : 0.0;
                    factor = MinettiCost(grade) / MinettiCost(0.0);
                }
                sums.moving_m[point_idx] += step;
                sums.flat_equivalent_m[point_idx] += step * factor;
                if (p.speed_full[point_idx] != 0) {
                    max_speed = std::max(max_speed, p.speed[point_idx]);
                }
            }
        }
        if (has_altitude) {
            if (point_idx > 0) {
                sums.gain[point_idx] = sums.gain[point_idx - 1];
                sums.loss[point_idx] = sums.loss[point_idx - 1];
            }
            const double smoothed = p.altitude[point_idx];
            if (smoothed > reference_altitude + internal::kElevationHysteresisM) {
                sums.gain[point_idx] += smoothed - reference_altitude;
                reference_altitude = smoothed;
            } else if (smoothed < reference_altitude - internal::kElevationHysteresisM) {
                sums.loss[point_idx] += reference_altitude - smoothed;
                reference_altitude = smoothed;
            }
            const float raw = track.altitude_m[point_idx];
            if (!formats::IsMissing(raw) && raw > -500.0F && raw < 9000.0F) {
                if (previous_raw) {
                    const double step = static_cast<double>(raw) - static_cast<double>(*previous_raw);
                    (step > 0 ? result.elevation_gain_raw_m : result.elevation_loss_raw_m) += std::fabs(step);
                }
                previous_raw = raw;
                altitude_min = std::min(altitude_min, static_cast<double>(raw));
                altitude_max = std::max(altitude_max, static_cast<double>(raw));
            }
        }
        if (has_hr) {
            if (point_idx > 0) {
                sums.hr_sum[point_idx] = sums.hr_sum[point_idx - 1];
                sums.hr_weight[point_idx] = sums.hr_weight[point_idx - 1];
            }
            const std::uint16_t bpm = track.heart_rate_bpm[point_idx];
            if (internal::ValidHeartRate(bpm)) {
                max_hr = std::max(max_hr, static_cast<double>(bpm));
                min_hr = std::min(min_hr, static_cast<double>(bpm));
                hr_samples_sum += bpm;
                ++hr_samples;
                sums.hr_sum[point_idx] += bpm * w;
                sums.hr_weight[point_idx] += w;
                if (hr_zones) {
                    AddToZone(result.heart_rate_zones, bpm, w);
                    const double reserve = std::clamp((bpm - resting_hr) / (*profile_max_hr - resting_hr), 0.0, 1.0);
                    trimp += w / 60.0 * reserve * 0.64 * std::exp(trimp_k * reserve);
                }
            }
        }
        if (has_power) {
            if (point_idx > 0) {
                sums.power_sum[point_idx] = sums.power_sum[point_idx - 1];
                sums.power_weight[point_idx] = sums.power_weight[point_idx - 1];
            }
            const std::uint16_t watts = track.power_w[point_idx];
            if (internal::ValidPower(watts)) {
                max_power = std::max(max_power, static_cast<double>(watts));
                power_samples_sum += watts;
                ++power_samples;
                sums.power_sum[point_idx] += watts * w;
                sums.power_weight[point_idx] += w;
                if (power_zones) {
                    AddToZone(result.power_zones, watts, w);
                }
            }
        }
        if (has_cadence) {
            const std::uint16_t rpm = track.cadence_rpm[point_idx];
            if (rpm != formats::kNoValue16 && rpm > 0 && rpm < 300) {
                cadence_sum += rpm * w;
                cadence_weight += w;
                cadence_samples_sum += rpm;
                ++cadence_samples;
            }
        }
    }

    if (has_altitude) {
        result.elevation_gain_m = sums.gain.back();
        result.elevation_loss_m = sums.loss.back();
        if (altitude_min <= altitude_max) {
            result.elevation_min_m = altitude_min;
            result.elevation_max_m = altitude_max;
        }
    }
    result.max_speed_mps = pool ? internal::MaxLengthSpeed(*pool) : max_speed;
    if (result.moving_s > 0) {
        result.avg_speed_mps = result.distance_total_m / result.moving_s;
        if (result.avg_speed_mps > 0) {
            result.avg_pace_s_per_km = 1000.0 / result.avg_speed_mps;
        }
        if (run && sums.moving_m.back() > 0) {
            const double gap = result.avg_speed_mps * sums.flat_equivalent_m.back() / sums.moving_m.back();
            result.grade_adjusted_speed_mps = gap;
            if (gap > 0) {
                result.grade_adjusted_pace_s_per_km = 1000.0 / gap;
            }
        }
    }
    // Time-weighted means; sample means when the track has no usable times.
    if (hr_samples > 0) {
        result.avg_heart_rate_bpm = sums.hr_weight.back() > 0 ? sums.hr_sum.back() / sums.hr_weight.back()
                                                              : hr_samples_sum / static_cast<double>(hr_samples);
        result.max_heart_rate_bpm = max_hr;
    }
    if (cadence_samples > 0) {
        result.avg_cadence_rpm = cadence_weight > 0 ? cadence_sum / cadence_weight
                                                    : cadence_samples_sum / static_cast<double>(cadence_samples);
        if (CountsSteps(activity.sport)) {
            result.avg_cadence_spm = 2.0 * *result.avg_cadence_rpm;
        }
    }
    if (power_samples > 0) {
        result.avg_power_w = sums.power_weight.back() > 0 ? sums.power_sum.back() / sums.power_weight.back()
                                                          : power_samples_sum / static_cast<double>(power_samples);
        result.max_power_w = max_power;
        result.work_kj = sums.power_sum.back() / 1000.0;
    }
    if (hr_zones) {
        result.trimp = trimp;
    }

    // 1 Hz curves and normalised power.
    const internal::Series1Hz series = internal::Resample1Hz(track, p);
    if (!series.distance_m.empty()) {
        if (p.source != DistanceSource::kNone) {
            result.speed_curve = MaxSpeedCurve(series.distance_m);
        }
        if (series.has_power && power_samples > 0) {
            result.power_curve = MeanMaxCurve(series.power_w);
            result.normalized_power_w = NormalizedPower(series);
        }
        if (series.has_heart_rate && hr_samples > 0) {
            result.heart_rate_curve = MeanMaxCurve(series.heart_rate_bpm, series.heart_rate_valid);
        }
    }
    if (result.normalized_power_w && profile.ftp_w && *profile.ftp_w > 0) {
        const double intensity = *result.normalized_power_w / *profile.ftp_w;
        result.intensity_factor = intensity;
        result.training_stress_score =
            result.timer_s * *result.normalized_power_w * intensity / (*profile.ftp_w * 3600.0) * 100.0;
    }

    // Splits, laps, best efforts.
    const Context context{p, sums, run};
    result.splits_km = Splits(context, 1000.0);
    result.splits_mile = Splits(context, kMile);
    for (const formats::Lap& lap : activity.laps) {
        const std::size_t last = std::min(lap.end_index, n - 1);
        IntervalStats stats;
        if (lap.first_index < last) {
            stats = Interval(context, static_cast<double>(lap.first_index), static_cast<double>(last), true);
        } else if (pool) {
            stats = DeviceLap(lap);  // a rest lap can fall between two samples
        } else {
            continue;
        }
        if (pool) {
            if (const auto end_ms = LapEndMs(lap)) {
                internal::LapFromLengths(*pool, lap.start_time_ms, *end_ms, stats);
            }
            if (lap.elapsed_s) {
                stats.elapsed_s = *lap.elapsed_s;  // the device's lap, not the samples around it
            }
        }
        if (!stats.avg_heart_rate_bpm && lap.avg_heart_rate_bpm && *lap.avg_heart_rate_bpm > 0) {
            stats.avg_heart_rate_bpm = lap.avg_heart_rate_bpm;  // a swimmer's strap keeps it for the lap only
        }
        result.laps.push_back(stats);
    }
    if (result.laps.empty()) {
        result.laps = result.splits_km;
    }
    if (pool) {
        result.best_efforts = internal::LengthEfforts(*pool, p);
    } else if (p.has_time && p.source != DistanceSource::kNone) {
        // Swims are raced over swimming's distances, not running's.
        result.best_efforts = activity.sport == Sport::kSwim ? FindBestEfforts(p.timer, p.d, SwimEffortDistances(false))
                                                             : FindBestEfforts(p.timer, p.d);
    }

    facts.has_altitude = has_altitude;
    facts.has_distance = p.source != DistanceSource::kNone && p.d.back() > p.d.front();
    if (hr_samples > 0) {
        facts.min_heart_rate_bpm = min_hr;
        facts.max_heart_rate_bpm = max_hr;
    }

    // Map geometry from the accepted positions.
    if (p.position_ok.size() == n) {  // the positions were read, whichever distance won
        std::vector<geo::LatLng> points;
        points.reserve(n);
        for (std::size_t point_idx = 0; point_idx < n; ++point_idx) {
            if (p.position_ok[point_idx] != 0) {
                points.push_back(
                    {formats::E7ToDegrees(track.lat_e7[point_idx]), formats::E7ToDegrees(track.lng_e7[point_idx])});
            }
        }
        const std::vector<std::size_t> summary = geo::SimplifyRdp(points, 10.0);
        std::vector<geo::LatLng> summary_points;
        summary_points.reserve(summary.size());
        for (const std::size_t keep : summary) {
            summary_points.push_back(points[keep]);
        }
        result.summary_polyline = geo::EncodePolyline(summary_points);
        const std::vector<std::size_t> detailed = geo::SimplifyRdp(points, 2.0);
        result.geometry.reserve(detailed.size());
        for (const std::size_t keep : detailed) {
            result.geometry.push_back(points[keep]);
        }
    }
    return result;
}

}  // namespace

ActivityAnalysis Analyse(const formats::Activity& activity, const AthleteProfile& profile) {
    internal::SampleFacts facts;
    ActivityAnalysis result = AnalyseSamples(activity, profile, facts);
    internal::ApplyDeviceTotals(activity.device_summary, facts, result);
    EstimateCalories(activity.sport, profile, ParametersFor(activity.sport), result);
    internal::ApplyDeviceCalories(activity.device_summary, result);
    SummarySpeeds(result);
    return result;
}

}  // namespace strava1::analytics
