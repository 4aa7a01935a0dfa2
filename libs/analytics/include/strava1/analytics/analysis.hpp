#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strava1/analytics/best_efforts.hpp"
#include "strava1/analytics/mean_max.hpp"
#include "strava1/formats/activity.hpp"
#include "strava1/geo/geodesy.hpp"

/// Activity analysis: one formats::Activity and an athlete profile in, every derived figure out.
/// Pure and deterministic: no I/O, no clock, no global state; safe to call from many threads at
/// once. Linear in the number of points (RDP simplification aside). Methods and every parameter
/// are described in docs/analytics.md.
namespace strava1::analytics {

enum class Sex : std::uint8_t { kUnknown, kMale, kFemale };

/// What the analysis needs to know about the athlete. Missing values disable what needs them
/// (HR zones without a max HR, power zones and TSS without an FTP) or fall back as documented.
struct AthleteProfile {
    double weight_kg = 75.0;
    std::optional<double> max_hr_bpm;      ///< else 220 - age when the age is known
    std::optional<double> resting_hr_bpm;  ///< else 60
    std::optional<double> ftp_w;
    Sex sex = Sex::kUnknown;
    std::optional<double> age_years;
};

/// Per-sport thresholds (docs/analytics.md lists the table).
struct SportParameters {
    double spike_speed_mps = 0;   ///< a position implying a faster speed from the last good one is dropped
    double moving_speed_mps = 0;  ///< windowed speed at or above this counts as moving
    double speed_window_s = 0;    ///< speeds are measured over at least this many seconds (backwards)
    double met = 0;               ///< metabolic equivalent for the calorie fallback
};
SportParameters ParametersFor(formats::Sport sport) noexcept;

/// Where the distance stream came from.
enum class DistanceSource : std::uint8_t { kNone, kPositions, kDevice, kSpeed, kLengths };

/// Figures over a stretch of the activity (a split or a lap).
struct IntervalStats {
    std::size_t first_index = 0;  ///< the point at or before the start
    std::size_t end_index = 0;    ///< the point at or after the end
    double start_distance_m = 0;
    double distance_m = 0;
    double elapsed_s = 0;
    double moving_s = 0;
    double avg_speed_mps = 0;                        ///< distance over moving time (0 when not moving)
    std::optional<double> grade_adjusted_speed_mps;  ///< runs only
    double elevation_gain_m = 0;
    double elevation_loss_m = 0;
    std::optional<double> elevation_delta_m;  ///< smoothed altitude at the end minus at the start
    std::optional<double> avg_heart_rate_bpm;
    std::optional<double> avg_power_w;
    bool from_device = false;  ///< a device lap (true) or computed (false)
    bool rest = false;         ///< a pool swim's lap without an active length
};

/// One pool length as the swimmer's device recorded it (docs/analytics.md, "Pool swims").
struct SwimLength {
    std::size_t index = 0;  ///< 1-based, in time order, rest lengths included
    double start_s = 0;     ///< since the activity's start
    double elapsed_s = 0;
    bool active = true;                 ///< false: rest
    double distance_m = 0;              ///< the pool's length when active, else 0
    std::optional<std::string> stroke;  ///< "freestyle", "backstroke", "drill", ...
    std::optional<std::uint16_t> strokes;
    std::optional<double> stroke_rate_spm;  ///< strokes per minute
    std::optional<double> swolf;            ///< whole seconds for the length plus its strokes
    std::optional<double> avg_speed_mps;
};

/// Where a summary figure came from.
enum class FigureSource : std::uint8_t { kNone, kSamples, kDevice };

/// One summary figure: what the device's own totals said, what the samples gave (pool swims: the
/// lengths), and which the summary took (docs/analytics.md, "Device totals").
struct FigureCheck {
    std::optional<double> device;
    std::optional<double> samples;
    FigureSource used = FigureSource::kNone;
};

struct DeviceTotalsCheck {
    FigureCheck distance;
    FigureCheck elapsed;
    FigureCheck timer;
    FigureCheck moving;
    FigureCheck ascent;
    FigureCheck descent;
    FigureCheck calories;
    FigureCheck avg_heart_rate;
    bool partial_samples = false;  ///< the samples cover less than 90 % of the device's timer time
};

/// Time spent in one zone.
struct ZoneTime {
    double lower = 0;  ///< inclusive lower bound (bpm or W)
    double upper = 0;  ///< exclusive upper bound; infinity for the top zone
    double seconds = 0;
};

struct ActivityAnalysis {
    formats::Sport sport = formats::Sport::kUnknown;
    std::size_t point_count = 0;
    DistanceSource distance_source = DistanceSource::kNone;
    std::size_t spikes_removed = 0;  ///< positions dropped as GPS spikes

    /// Per point: the derived cumulative distance (m) and seconds since the first point.
    std::vector<double> distance_m;
    std::vector<double> time_s;

    /// The summary. Each of these is the device's own total when the file has one that the samples
    /// do not contradict, else the samples' figure; `totals` says which and holds both.
    double distance_total_m = 0;
    double elapsed_s = 0;  ///< samples: first to last point
    double timer_s = 0;    ///< samples: elapsed minus the timer's stopped intervals
    double moving_s = 0;

    double elevation_gain_m = 0;  ///< smoothed, with hysteresis
    double elevation_loss_m = 0;
    double elevation_gain_raw_m = 0;  ///< sum of positive steps between consecutive samples
    double elevation_loss_raw_m = 0;
    std::optional<double> elevation_min_m;
    std::optional<double> elevation_max_m;

    double avg_speed_mps = 0;                            ///< distance over moving time
    double max_speed_mps = 0;                            ///< windowed (speed_window_s), spike-free
    std::optional<double> avg_pace_s_per_km;             ///< when moving
    std::optional<double> grade_adjusted_speed_mps;      ///< runs
    std::optional<double> grade_adjusted_pace_s_per_km;  ///< runs

    std::optional<double> avg_heart_rate_bpm;
    std::optional<double> max_heart_rate_bpm;
    std::optional<double> avg_cadence_rpm;  ///< as recorded, zeros excluded
    std::optional<double> avg_cadence_spm;  ///< runs and walks: steps per minute (twice the stride rate)
    std::optional<double> avg_power_w;      ///< zeros included
    std::optional<double> max_power_w;
    std::optional<double> normalized_power_w;
    std::optional<double> work_kj;
    std::optional<double> intensity_factor;  ///< NP / FTP
    std::optional<double> training_stress_score;
    std::optional<double> trimp;  ///< Banister TRIMP ("relative effort")

    enum class CalorieMethod : std::uint8_t { kNone, kPower, kHeartRate, kMet, kDevice };
    double calories_kcal = 0;
    CalorieMethod calorie_method = CalorieMethod::kNone;

    std::vector<IntervalStats> splits_km;
    std::vector<IntervalStats> splits_mile;
    std::vector<IntervalStats> laps;  ///< device laps, else one per km

    std::vector<BestEffort> best_efforts;

    std::vector<CurvePoint> power_curve;       ///< W
    std::vector<CurvePoint> speed_curve;       ///< m/s (pace curve)
    std::vector<CurvePoint> heart_rate_curve;  ///< bpm

    std::vector<ZoneTime> heart_rate_zones;  ///< 5 zones when a max HR is known
    std::vector<ZoneTime> power_zones;       ///< 7 zones when an FTP is known

    std::string summary_polyline;       ///< Google polyline of the track simplified to 10 m
    std::vector<geo::LatLng> geometry;  ///< the track simplified to 2 m, for maps

    /// Pool swims (a swim without positions, with a pool length and lengths): figures come from the
    /// lengths. Empty/nullopt for everything else.
    std::optional<double> pool_length_m;
    bool pool_in_yards = false;
    std::vector<SwimLength> lengths;

    DeviceTotalsCheck totals;
};

/// Analyses one activity. Never throws on odd data (missing channels, unsorted or missing times,
/// a single point): what cannot be computed stays empty, nullopt or zero.
ActivityAnalysis Analyse(const formats::Activity& activity, const AthleteProfile& profile);

}  // namespace strava1::analytics
