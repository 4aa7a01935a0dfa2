#include "device_totals.hpp"

#include <algorithm>
#include <cmath>

namespace strava1::analytics::internal {
namespace {

/// A device figure worth looking at: present, finite, not negative.
std::optional<double> Usable(const std::optional<double>& value) {
    if (value && std::isfinite(*value) && *value >= 0) {
        return value;
    }
    return std::nullopt;
}

double TimeTolerance(double samples_s) { return std::max(kTimeTolerance * samples_s, kTimeSlackS); }

/// Takes the device's figure when `agrees`, else the samples'; records both.
void Choose(FigureCheck& check, std::optional<double> device, double samples, bool agrees, double& figure) {
    check.device = device;
    check.samples = samples;
    if (device && agrees) {
        check.used = FigureSource::kDevice;
        figure = *device;
    } else {
        check.used = FigureSource::kSamples;
        figure = samples;
    }
}

}  // namespace

void ApplyDeviceTotals(const formats::DeviceSummary& device, const SampleFacts& facts, ActivityAnalysis& result) {
    DeviceTotalsCheck& totals = result.totals;
    const double samples_timer = result.timer_s;
    // Without any distance the samples cannot tell moving from standing (an indoor row without a
    // distance, a freediving session): all of the timer time counts, as the device's timer does.
    const double samples_moving = facts.has_distance ? result.moving_s : result.timer_s;

    // Timer first: it says whether the samples cover the activity at all.
    const std::optional<double> device_timer = Usable(device.timer_s);
    totals.partial_samples =
        device_timer && *device_timer > 0 && samples_timer < kPartialCoverage * *device_timer - kTimeSlackS;
    Choose(totals.timer, device_timer, samples_timer,
           device_timer && *device_timer > 0 && *device_timer >= samples_timer - TimeTolerance(samples_timer),
           result.timer_s);

    const std::optional<double> device_elapsed = Usable(device.elapsed_s);
    Choose(totals.elapsed, device_elapsed, result.elapsed_s,
           device_elapsed && *device_elapsed >= result.elapsed_s - TimeTolerance(result.elapsed_s), result.elapsed_s);
    // TCX laps have no elapsed time; a partial recording's span is not the activity's.
    result.elapsed_s = std::max(result.elapsed_s, result.timer_s);

    const std::optional<double> device_distance = Usable(device.distance_m);
    const double samples_distance = result.distance_total_m;
    bool distance_agrees = false;
    if (device_distance) {
        if (samples_distance <= 0) {
            distance_agrees = true;  // nothing to contradict it
        } else if (totals.partial_samples) {
            distance_agrees = *device_distance >= kDistanceMinRatio * samples_distance;
        } else {
            const double ratio = *device_distance / samples_distance;
            distance_agrees = ratio >= kDistanceMinRatio && ratio <= kDistanceMaxRatio;
        }
    }
    Choose(totals.distance, device_distance, samples_distance, distance_agrees, result.distance_total_m);

    // Moving time: the device's (a pool swim's active time) when it has one that agrees; else the
    // samples', within the timer the summary took. A partial recording's moving share applies to
    // the device's whole timer time.
    const std::optional<double> device_moving = Usable(device.moving_s ? device.moving_s : device.active_s);
    double samples_figure = std::min(samples_moving, result.timer_s);
    if (totals.partial_samples && samples_timer > 0) {
        samples_figure = std::min(result.timer_s, samples_moving * result.timer_s / samples_timer);
    }
    const bool moving_agrees =
        device_moving && *device_moving <= result.timer_s + kTimeSlackS &&
        (totals.partial_samples ||
         std::fabs(*device_moving - samples_moving) <= std::max(kMovingTolerance * samples_moving, kMovingSlackS));
    Choose(totals.moving, device_moving, samples_figure, moving_agrees, result.moving_s);
    totals.moving.samples = samples_moving;
    result.moving_s = std::min(result.moving_s, result.timer_s);

    const auto climb = [&](FigureCheck& check, const std::optional<double>& device_value, double smoothed, double raw,
                           double& figure) {
        const std::optional<double> value = Usable(device_value);
        const bool agrees = value && (!facts.has_altitude || (*value >= kClimbLowerRatio * smoothed - kClimbSlackM &&
                                                              *value <= kClimbUpperRatio * raw + kClimbSlackM));
        Choose(check, value, smoothed, agrees, figure);
        if (!facts.has_altitude && check.used == FigureSource::kSamples) {
            check.samples.reset();
        }
    };
    climb(totals.ascent, device.ascent_m, result.elevation_gain_m, result.elevation_gain_raw_m,
          result.elevation_gain_m);
    climb(totals.descent, device.descent_m, result.elevation_loss_m, result.elevation_loss_raw_m,
          result.elevation_loss_m);

    // Average heart rate: the device's when it lies within the samples' range (a swim strap's
    // stored data reaches the watch only afterwards; 4623204522.fit's swim: 93 against 76 from the
    // samples, within their range), or when the samples are partial.
    std::optional<double> device_hr = Usable(device.avg_heart_rate_bpm);
    if (device_hr && (*device_hr < 20 || *device_hr > 250)) {
        device_hr.reset();  // 0 is what writers put for "no heart rate"
    }
    totals.avg_heart_rate.device = device_hr;
    totals.avg_heart_rate.samples = result.avg_heart_rate_bpm;
    const bool hr_agrees =
        device_hr &&
        (!facts.min_heart_rate_bpm || totals.partial_samples ||
         (*device_hr >= *facts.min_heart_rate_bpm && *device_hr <= facts.max_heart_rate_bpm.value_or(250)));
    if (hr_agrees) {
        totals.avg_heart_rate.used = FigureSource::kDevice;
        result.avg_heart_rate_bpm = device_hr;
        // The maximum stays the samples' unless the device saw more (a partial recording, a strap's
        // stored data); never below the average.
        double max_hr = std::max(result.max_heart_rate_bpm.value_or(0.0), *device_hr);
        if (const std::optional<double> device_max = Usable(device.max_heart_rate_bpm);
            device_max && *device_max <= 250) {
            max_hr = std::max(max_hr, *device_max);
        }
        result.max_heart_rate_bpm = max_hr;
    } else if (result.avg_heart_rate_bpm) {
        totals.avg_heart_rate.used = FigureSource::kSamples;
    }
}

void ApplyDeviceCalories(const formats::DeviceSummary& device, ActivityAnalysis& result) {
    FigureCheck& check = result.totals.calories;
    check.device = Usable(device.calories_kcal);
    if (result.calorie_method != ActivityAnalysis::CalorieMethod::kNone) {
        check.samples = result.calories_kcal;
        check.used = FigureSource::kSamples;
    }
    // 0 is what writers put when they do not count calories (developer-types-sample.fit, 57 min).
    const bool plausible = check.device && *check.device > 0 && result.timer_s > 0 &&
                           *check.device <= kMaxKcalPerHour * result.timer_s / 3600.0;
    if (plausible) {
        result.calories_kcal = *check.device;
        result.calorie_method = ActivityAnalysis::CalorieMethod::kDevice;
        check.used = FigureSource::kDevice;
    }
}

}  // namespace strava1::analytics::internal
