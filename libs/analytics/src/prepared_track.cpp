#include "prepared_track.hpp"

#include <algorithm>
#include <cmath>

#include "strava1/geo/geodesy.hpp"

namespace strava1::analytics::internal {
namespace {

using formats::kNoPosition;
using formats::kNoTime;

void PrepareTimes(const formats::Track& track, PreparedTrack& out) {
    out.t.assign(out.n, 0.0);
    if (track.time_ms.size() != out.n) {
        return;
    }
    const auto first =
        std::find_if(track.time_ms.begin(), track.time_ms.end(), [](std::int64_t value) { return value != kNoTime; });
    if (first == track.time_ms.end()) {
        return;
    }
    // Missing times take the previous one and times going backwards are held (a non-decreasing
    // axis); points before the first time take it.
    const std::int64_t origin = *first;
    std::int64_t last = origin;
    for (std::size_t point_idx = 0; point_idx < out.n; ++point_idx) {
        const std::int64_t value = track.time_ms[point_idx];
        if (value != kNoTime && value > last) {
            last = value;
        }
        out.t[point_idx] = static_cast<double>(last - origin) / 1000.0;
    }
    out.has_time = out.t.back() > 0;
}

// Seconds of each segment (t[i-1], t[i]] during which the timer ran by `events` (sorted), exactly,
// not by where the segment's middle falls: a sparse recording's segment that overlaps a short stop
// still ran for most of its length. The timer runs from the start unless an event at or before the
// first point says otherwise.
std::vector<double> RunSeconds(const std::vector<formats::TimerEvent>& events, std::int64_t origin_ms,
                               const std::vector<double>& t) {
    std::vector<double> run(t.size(), 0.0);
    const auto at = [&](std::size_t event_idx) {
        return static_cast<double>(events[event_idx].time_ms - origin_ms) / 1000.0;
    };
    bool running = true;
    std::size_t event_idx = 0;
    while (event_idx < events.size() && at(event_idx) <= 0.0) {
        running = events[event_idx++].running;
    }
    for (std::size_t point_idx = 1; point_idx < t.size(); ++point_idx) {
        // Walk the events inside the segment, adding the stretches where the timer ran.
        double from = t[point_idx - 1];
        const double to = t[point_idx];
        double ran = 0;
        while (event_idx < events.size() && at(event_idx) < to) {
            const double change = std::max(at(event_idx), from);
            if (running) {
                ran += change - from;
            }
            from = change;
            running = events[event_idx++].running;
        }
        if (running) {
            ran += to - from;
        }
        run[point_idx] = ran;
    }
    return run;
}

void PrepareTimer(const formats::Activity& activity, std::int64_t origin_ms, PreparedTrack& out) {
    out.run_s.assign(out.n, 0.0);
    for (std::size_t point_idx = 1; point_idx < out.n; ++point_idx) {
        out.run_s[point_idx] = out.t[point_idx] - out.t[point_idx - 1];
    }
    out.hard_run_s = out.run_s;
    if (!out.has_time || activity.timer_events.empty()) {
        return;
    }
    std::vector<formats::TimerEvent> events;
    events.reserve(activity.timer_events.size());
    bool any_inferred = false;
    for (const formats::TimerEvent& event : activity.timer_events) {
        if (event.time_ms != kNoTime) {
            events.push_back(event);
            any_inferred = any_inferred || event.inferred;
        }
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const formats::TimerEvent& a, const formats::TimerEvent& b) { return a.time_ms < b.time_ms; });
    out.run_s = RunSeconds(events, origin_ms, out.t);
    if (!any_inferred) {
        out.hard_run_s = out.run_s;
        return;
    }
    events.erase(std::remove_if(events.begin(), events.end(), [](const formats::TimerEvent& e) { return e.inferred; }),
                 events.end());
    out.hard_run_s = RunSeconds(events, origin_ms, out.t);
}

bool PositionPresent(const formats::Track& track, std::size_t point_idx) {
    const std::int32_t lat = track.lat_e7[point_idx];
    const std::int32_t lng = track.lng_e7[point_idx];
    if (lat == kNoPosition || lng == kNoPosition) {
        return false;
    }
    // (0, 0) is what broken receivers write before a fix; nobody trains there.
    return !(lat == 0 && lng == 0) && lat >= -900'000'000 && lat <= 900'000'000;
}

geo::LatLng At(const formats::Track& track, std::size_t point_idx) {
    return geo::LatLng{formats::E7ToDegrees(track.lat_e7[point_idx]), formats::E7ToDegrees(track.lng_e7[point_idx])};
}

/// Whether the distance between two samples belongs to the activity: the timer ran in between, or
/// only an inferred stop (a new GPX segment) lies between them and the athlete crossed it at a
/// moving speed for the sport. A stretch recorded entirely while the device's timer was stopped
/// adds nothing, as the device adds nothing to its own distance then.
bool Counts(double step_m, double dt_s, double ran_s, double hard_ran_s, const SportParameters& parameters) {
    return ran_s > 0 || (hard_ran_s > 0 && step_m >= parameters.moving_speed_mps * dt_s);
}

bool DistanceFromPositions(const formats::Track& track, const SportParameters& parameters, PreparedTrack& out) {
    out.position_ok.assign(out.n, 0);
    if (!track.HasPositions() || track.lat_e7.size() != out.n || track.lng_e7.size() != out.n) {
        return false;
    }
    std::size_t present = 0;
    for (std::size_t point_idx = 0; point_idx < out.n && present < 2; ++point_idx) {
        present += PositionPresent(track, point_idx) ? 1 : 0;
    }
    if (present < 2) {
        return false;
    }
    // Cumulative timer-running seconds, for the stretch between two accepted positions.
    std::vector<double> ran(out.n, 0.0);
    std::vector<double> hard_ran(out.n, 0.0);
    for (std::size_t point_idx = 1; point_idx < out.n; ++point_idx) {
        ran[point_idx] = ran[point_idx - 1] + out.run_s[point_idx];
        hard_ran[point_idx] = hard_ran[point_idx - 1] + out.hard_run_s[point_idx];
    }
    // `counted`: the points the distance was measured to; the others are interpolated in time below.
    std::vector<std::uint8_t> counted(out.n, 0);
    bool anchored = false;
    std::size_t anchor = 0;    // the last accepted position (spike filter)
    std::size_t measured = 0;  // the last counted position (distance)
    int rejected_in_a_row = 0;
    for (std::size_t point_idx = 0; point_idx < out.n; ++point_idx) {
        const double previous = point_idx > 0 ? out.d[point_idx - 1] : 0.0;
        out.d[point_idx] = previous;
        if (!PositionPresent(track, point_idx)) {
            continue;
        }
        if (!anchored) {
            anchored = true;
            anchor = point_idx;
            measured = point_idx;
            out.position_ok[point_idx] = 1;
            counted[point_idx] = 1;
            continue;
        }
        const double step = geo::SegmentDistanceM(At(track, anchor), At(track, point_idx));
        const double dt = out.t[point_idx] - out.t[anchor];
        // Samples closer than a second apart still get a second's allowance: timestamps are coarse.
        if (out.has_time && step > parameters.spike_speed_mps * std::max(dt, 1.0)) {
            if (++rejected_in_a_row <= kMaxConsecutiveSpikes) {
                ++out.spikes;
                continue;
            }
            // Re-anchor without adding the jump.
            anchor = point_idx;
            measured = point_idx;
            out.position_ok[point_idx] = 1;
            counted[point_idx] = 1;
            rejected_in_a_row = 0;
            continue;
        }
        rejected_in_a_row = 0;
        // A receiver wanders by a metre or two while the athlete stands still; summing the wander
        // adds distance never covered. A position within kJitterRadiusM of the last counted one adds
        // nothing yet: the distance is measured from that one once the athlete is farther away.
        const double moved =
            measured == anchor ? step : geo::SegmentDistanceM(At(track, measured), At(track, point_idx));
        anchor = point_idx;
        out.position_ok[point_idx] = 1;
        if (moved < kJitterRadiusM) {
            continue;
        }
        const double span = out.t[point_idx] - out.t[measured];
        if (!out.has_time ||
            Counts(moved, span, ran[point_idx] - ran[measured], hard_ran[point_idx] - hard_ran[measured], parameters)) {
            out.d[point_idx] = out.d[measured] + moved;
        } else {
            out.d[point_idx] = out.d[measured];
        }
        measured = point_idx;
        counted[point_idx] = 1;
    }
    // Points the distance was not measured to (no position, dropped as a spike, or within the
    // jitter radius) get it interpolated in time between their measured neighbours, so windowed
    // speeds stay smooth.
    std::size_t previous_ok = out.n;
    for (std::size_t point_idx = 0; point_idx < out.n; ++point_idx) {
        if (counted[point_idx] == 0) {
            continue;
        }
        if (previous_ok != out.n && point_idx > previous_ok + 1) {
            const double span = out.t[point_idx] - out.t[previous_ok];
            const double gained = out.d[point_idx] - out.d[previous_ok];
            for (std::size_t gap_idx = previous_ok + 1; gap_idx < point_idx; ++gap_idx) {
                const double f = span > 0 ? (out.t[gap_idx] - out.t[previous_ok]) / span : 0.0;
                out.d[gap_idx] = out.d[previous_ok] + f * gained;
            }
        }
        previous_ok = point_idx;
    }
    out.source = DistanceSource::kPositions;
    return true;
}

constexpr double kDeviceDistanceMinRatio = 0.9;
constexpr double kDeviceDistanceMaxRatio = 1.15;

/// The device's cumulative distance. Its value at the first sample that has one is kept when the
/// athlete could have covered it since the activity started (at the sport's spike ceiling, with
/// kDistanceOffsetSlackS for a device that counts before it writes its first record): a pool swim
/// whose records carry a distance only from the end of its first set (500 m in 608 s), a run's first
/// metre. Otherwise it is what an earlier leg of a multisport file left in the counter, and is
/// taken off. Samples without a value get one interpolated in time between their neighbours (from 0
/// at the activity's start before the first), held after the last.
bool DistanceFromDevice(const formats::Track& track, double start_s, const SportParameters& parameters,
                        PreparedTrack& out) {
    if (track.distance_m.size() != out.n) {
        return false;
    }
    const auto first = std::find_if(track.distance_m.begin(), track.distance_m.end(),
                                    [](double value) { return std::isfinite(value); });
    if (first == track.distance_m.end()) {
        return false;
    }
    const auto first_idx = static_cast<std::size_t>(first - track.distance_m.begin());
    const double since_start_s = out.has_time ? std::max(0.0, out.t[first_idx] - start_s) : 0.0;
    const bool covered = *first >= 0 && *first <= parameters.spike_speed_mps * (since_start_s + kDistanceOffsetSlackS);
    const double origin = covered ? 0.0 : *first;
    double last = 0;
    std::size_t previous_known = out.n;  // the last sample with a value
    for (std::size_t point_idx = 0; point_idx < out.n; ++point_idx) {
        const double value = track.distance_m[point_idx];
        if (!std::isfinite(value)) {
            out.d[point_idx] = last;
            continue;
        }
        last = std::max(last, value - origin);
        out.d[point_idx] = last;
        // Fill the samples since the previous value (or since the start) linearly in time.
        const double from_t = previous_known == out.n ? start_s : out.t[previous_known];
        const double from_d = previous_known == out.n ? 0.0 : out.d[previous_known];
        const std::size_t gap_begin = previous_known == out.n ? 0 : previous_known + 1;
        const double span = out.t[point_idx] - from_t;
        for (std::size_t gap_idx = gap_begin; gap_idx < point_idx; ++gap_idx) {
            const double f = span > 0 && out.has_time ? std::clamp((out.t[gap_idx] - from_t) / span, 0.0, 1.0) : 0.0;
            out.d[gap_idx] = from_d + f * (last - from_d);
        }
        previous_known = point_idx;
    }
    out.source = DistanceSource::kDevice;
    return true;
}

bool DistanceFromSpeed(const formats::Track& track, PreparedTrack& out) {
    if (track.speed_mps.size() != out.n || !out.has_time) {
        return false;
    }
    bool any = false;
    for (std::size_t point_idx = 1; point_idx < out.n; ++point_idx) {
        const float speed = track.speed_mps[point_idx];
        const bool ok = !formats::IsMissing(speed) && speed >= 0;
        any = any || ok;
        // A measured speed holds while the timer runs.
        out.d[point_idx] = out.d[point_idx - 1] + (ok ? speed * out.run_s[point_idx] : 0.0);
    }
    out.source = any ? DistanceSource::kSpeed : DistanceSource::kNone;
    return any;
}

void PrepareMotion(const SportParameters& parameters, PreparedTrack& out) {
    out.running.assign(out.n, 0);
    out.speed.assign(out.n, 0.0);
    out.speed_full.assign(out.n, 0);
    out.moving.assign(out.n, 0);
    out.timer.assign(out.n, 0.0);
    out.moving_time.assign(out.n, 0.0);
    std::size_t back = 0;   // window start for the segment ending at point_idx
    std::size_t floor = 0;  // windows never reach back across a stopped segment
    for (std::size_t point_idx = 1; point_idx < out.n; ++point_idx) {
        const double dt = out.t[point_idx] - out.t[point_idx - 1];
        const double step = out.d[point_idx] - out.d[point_idx - 1];
        // A segment stopped only by an inferred stop (a new GPX segment) and crossed at a moving
        // speed was no stop: the athlete kept going, the fix was lost (docs/analytics.md, "Timer").
        // The device's own stops are kept, also over part of a segment: its running part counts.
        double active = out.run_s[point_idx];
        if (active <= 0 && out.hard_run_s[point_idx] > 0 && dt > 0 && step >= parameters.moving_speed_mps * dt) {
            active = out.hard_run_s[point_idx];
        }
        out.run_s[point_idx] = active;
        out.timer[point_idx] = out.timer[point_idx - 1] + active;
        if (active <= 0) {
            if (dt > 0) {
                floor = point_idx;  // a zero-length segment (a repeated time) is no stop
            }
            out.moving_time[point_idx] = out.moving_time[point_idx - 1];
            continue;
        }
        out.running[point_idx] = 1;
        // The speed window is measured in timer seconds: a stop inside a segment does not dilute the
        // speed of the part the timer ran for.
        back = std::max(back, floor);
        while (back + 1 < point_idx && out.timer[point_idx] - out.timer[back + 1] >= parameters.speed_window_s) {
            ++back;
        }
        const double span = out.timer[point_idx] - out.timer[back];
        const double speed = span > 0 ? (out.d[point_idx] - out.d[back]) / span : 0.0;
        out.speed[point_idx] = speed;
        out.speed_full[point_idx] = span >= parameters.speed_window_s ? 1 : 0;
        const bool moving = out.has_time && speed >= parameters.moving_speed_mps;
        out.moving[point_idx] = moving ? 1 : 0;
        out.moving_time[point_idx] = out.moving_time[point_idx - 1] + (moving ? active : 0.0);
    }
}

bool ValidAltitude(float altitude) { return !formats::IsMissing(altitude) && altitude > -500.0F && altitude < 9000.0F; }

void PrepareAltitude(const formats::Track& track, PreparedTrack& out) {
    if (track.altitude_m.size() != out.n) {
        return;
    }
    const std::vector<float>& raw = track.altitude_m;
    if (std::none_of(raw.begin(), raw.end(), ValidAltitude)) {
        return;
    }
    out.altitude.assign(out.n, 0.0);
    // Centred window by time (or ±2 points without times), over valid samples only, two pointers.
    const double half = kAltitudeWindowS / 2;
    std::size_t lo = 0;
    std::size_t hi = 0;  // one past the window's last point
    double sum = 0;
    std::size_t count = 0;
    double last_valid = 0;
    for (std::size_t point_idx = 0; point_idx < out.n; ++point_idx) {
        if (ValidAltitude(raw[point_idx])) {
            last_valid = raw[point_idx];
            break;
        }
    }
    for (std::size_t point_idx = 0; point_idx < out.n; ++point_idx) {
        const auto inside_hi = [&](std::size_t idx) {
            return out.has_time ? out.t[idx] <= out.t[point_idx] + half : idx <= point_idx + 2;
        };
        const auto outside_lo = [&](std::size_t idx) {
            return out.has_time ? out.t[idx] < out.t[point_idx] - half : idx + 2 < point_idx;
        };
        while (hi < out.n && inside_hi(hi)) {
            if (ValidAltitude(raw[hi])) {
                sum += raw[hi];
                ++count;
            }
            ++hi;
        }
        while (lo < point_idx && outside_lo(lo)) {
            if (ValidAltitude(raw[lo])) {
                sum -= raw[lo];
                --count;
            }
            ++lo;
        }
        if (ValidAltitude(raw[point_idx])) {
            last_valid = raw[point_idx];
        }
        out.altitude[point_idx] = count > 0 ? sum / static_cast<double>(count) : last_valid;
    }
}

}  // namespace

PreparedTrack Prepare(const formats::Activity& activity, const SportParameters& parameters) {
    const formats::Track& track = activity.track;
    PreparedTrack out;
    out.n = track.size();
    if (out.n == 0) {
        return out;
    }
    PrepareTimes(track, out);
    std::int64_t origin_ms = 0;
    if (out.has_time) {
        origin_ms = *std::find_if(track.time_ms.begin(), track.time_ms.end(),
                                  [](std::int64_t value) { return value != kNoTime; });
    }
    out.origin_ms = origin_ms;
    PrepareTimer(activity, origin_ms, out);
    // The activity's start on the samples' time axis (the session may start a little before the
    // first record): the device's distance counts from there.
    const double start_s = out.has_time && activity.start_time_ms != kNoTime
                               ? std::min(0.0, static_cast<double>(activity.start_time_ms - origin_ms) / 1000.0)
                               : 0.0;
    out.d.assign(out.n, 0.0);
    if (DistanceFromPositions(track, parameters, out)) {
        // A watch integrates its own fixes (at 1 Hz, or from an accelerometer) even when it records
        // fewer points ("smart recording"), so chords between recorded points undercount curves.
        // Its distance wins when it agrees with the positions; far off, it is taken as broken.
        PreparedTrack device;
        device.n = out.n;
        device.d.assign(out.n, 0.0);
        const double from_positions = out.d.back();
        device.t = out.t;
        device.has_time = out.has_time;
        if (from_positions > 0 && DistanceFromDevice(track, start_s, parameters, device)) {
            const double ratio = device.d.back() / from_positions;
            if (ratio >= kDeviceDistanceMinRatio && ratio <= kDeviceDistanceMaxRatio) {
                out.d = std::move(device.d);
                out.source = DistanceSource::kDevice;
            }
        }
    } else if (!DistanceFromDevice(track, start_s, parameters, out)) {
        DistanceFromSpeed(track, out);
    }
    PrepareMotion(parameters, out);
    PrepareAltitude(track, out);
    return out;
}

Series1Hz Resample1Hz(const formats::Track& track, const PreparedTrack& prepared) {
    Series1Hz series;
    if (!prepared.has_time || prepared.t.back() > static_cast<double>(kMaxResampledSeconds)) {
        return series;
    }
    const std::size_t seconds = static_cast<std::size_t>(std::floor(prepared.t.back())) + 1;
    series.has_power = track.power_w.size() == prepared.n;
    series.has_heart_rate = track.heart_rate_bpm.size() == prepared.n;
    series.distance_m.resize(seconds);
    series.running.resize(seconds);
    if (series.has_power) {
        series.power_w.resize(seconds);
    }
    if (series.has_heart_rate) {
        series.heart_rate_bpm.resize(seconds);
        series.heart_rate_valid.resize(seconds);
    }
    std::size_t cover = 0;  // the first point at or after the second
    for (std::size_t second = 0; second < seconds; ++second) {
        const auto at = static_cast<double>(second);
        while (cover + 1 < prepared.n && prepared.t[cover] < at) {
            ++cover;
        }
        const double dt = cover > 0 ? prepared.t[cover] - prepared.t[cover - 1] : 0.0;
        if (cover > 0 && dt > 0) {
            const double f = (at - prepared.t[cover - 1]) / dt;
            series.distance_m[second] =
                prepared.d[cover - 1] + std::clamp(f, 0.0, 1.0) * (prepared.d[cover] - prepared.d[cover - 1]);
        } else {
            series.distance_m[second] = prepared.d[cover];
        }
        const bool running = cover == 0 || prepared.running[cover] != 0;
        series.running[second] = running ? 1 : 0;
        const bool held = running && dt <= kHoldCapS;
        if (series.has_power) {
            const std::uint16_t watts = track.power_w[cover];
            series.power_w[second] = held && ValidPower(watts) ? watts : 0.0;
        }
        if (series.has_heart_rate) {
            const std::uint16_t bpm = track.heart_rate_bpm[cover];
            const bool ok = held && ValidHeartRate(bpm);
            series.heart_rate_bpm[second] = ok ? bpm : 0.0;
            series.heart_rate_valid[second] = ok ? 1 : 0;
        }
    }
    return series;
}

}  // namespace strava1::analytics::internal
