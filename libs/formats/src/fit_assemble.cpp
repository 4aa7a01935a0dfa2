// FIT importer, second half: the decoded messages (fit_decoder.hpp) become activities, following
// docs/formats.md "## FIT": one activity per session in time order, records, laps, timer events and
// pool lengths assigned to the session that contains them, courses as routes.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fit_decoder.hpp"
#include "fit_profile.hpp"
#include "strava1/formats/activity.hpp"

namespace strava1::formats::fit {
namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// Turns relative (system) times into UTC once a timestamp_correlation message told how.
void CorrectSystemTimes(FitMessages& m) {
    if (!m.system_time_offset_ms) {
        return;
    }
    const std::int64_t min_absolute = FitTimeToUnixMs(kMinAbsoluteTime);
    const std::int64_t offset = *m.system_time_offset_ms;
    const auto fix = [&](std::int64_t& t) {
        if (t != kNoTime && t < min_absolute) {
            t += offset;
        }
    };
    const auto fix_optional = [&](std::optional<std::int64_t>& t) {
        if (t) {
            fix(*t);
        }
    };
    for (std::int64_t& t : m.track.time_ms) {
        fix(t);
    }
    for (SessionInfo& session : m.sessions) {
        fix_optional(session.start_time_ms);
        fix_optional(session.timestamp_ms);
    }
    for (LapInfo& info : m.laps) {
        fix(info.lap.start_time_ms);
        fix_optional(info.timestamp_ms);
    }
    for (TimerEvent& event : m.timer_events) {
        fix(event.time_ms);
    }
    for (PoolLength& length : m.lengths) {
        fix(length.start_time_ms);
    }
    for (Waypoint& point : m.course_points) {
        fix(point.time_ms);
    }
}

// ---------------------------------------------------------------------------------------------
// Assembly: sessions become activities, records and laps go to the session that contains them.

/// First index in [0, times.size()) whose time is not before `t`: a binary search that stays in
/// bounds (and merely approximate) even when the device's clock went backwards.
std::size_t LowerBound(const std::vector<std::int64_t>& times, std::int64_t t) {
    std::size_t low = 0;
    std::size_t high = times.size();
    while (low < high) {
        const std::size_t mid = low + (high - low) / 2;
        if (times[mid] < t) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

/// Index of the activity a time belongs to: the last one that starts at or before it (so a point
/// inside a session's [start, start + elapsed] goes to that session, a point in a gap to the one
/// before the gap, and a point before the first session to the first).
std::size_t ActivityIndexFor(const std::vector<std::int64_t>& starts, std::int64_t t) {
    const auto it = std::upper_bound(starts.begin(), starts.end(), t);
    return it == starts.begin() ? 0 : static_cast<std::size_t>(it - starts.begin()) - 1;
}

template <class T>
void SplitColumn(std::vector<T>& source, std::vector<Activity>& activities, std::vector<T> Track::*column,
                 const std::vector<std::uint32_t>& owner, const std::vector<std::size_t>& counts) {
    if (source.empty()) {
        return;
    }
    for (std::size_t activity_idx = 0; activity_idx < activities.size(); ++activity_idx) {
        if (counts[activity_idx] > 0) {
            (activities[activity_idx].track.*column).reserve(counts[activity_idx]);
        }
    }
    for (std::size_t point_idx = 0; point_idx < source.size(); ++point_idx) {
        (activities[owner[point_idx]].track.*column).push_back(source[point_idx]);
    }
    // The whole-file column goes before the next is split: the peak stays one column above the output.
    std::vector<T>().swap(source);
}

/// A column split over activities may hold only markers in one of them; the Track invariant wants
/// such a column empty.
template <class T, class IsMarker>
void DropEmptyColumn(std::vector<T>& column, IsMarker is_marker) {
    if (!column.empty() && std::all_of(column.begin(), column.end(), is_marker)) {
        std::vector<T>().swap(column);
    }
}

void NormaliseTrack(Track& track) {
    DropEmptyColumn(track.time_ms, [](std::int64_t v) { return v == kNoTime; });
    DropEmptyColumn(track.lat_e7, [](std::int32_t v) { return v == kNoPosition; });
    if (track.lat_e7.empty()) {
        std::vector<std::int32_t>().swap(track.lng_e7);
    }
    DropEmptyColumn(track.altitude_m, [](float v) { return std::isnan(v); });
    DropEmptyColumn(track.distance_m, [](double v) { return std::isnan(v); });
    DropEmptyColumn(track.speed_mps, [](float v) { return std::isnan(v); });
    DropEmptyColumn(track.heart_rate_bpm, [](std::uint16_t v) { return v == kNoValue16; });
    DropEmptyColumn(track.cadence_rpm, [](std::uint16_t v) { return v == kNoValue16; });
    DropEmptyColumn(track.power_w, [](std::uint16_t v) { return v == kNoValue16; });
    DropEmptyColumn(track.temperature_c, [](float v) { return std::isnan(v); });
}

std::int64_t FirstTime(const Track& track) {
    for (const std::int64_t t : track.time_ms) {
        if (t != kNoTime) {
            return t;
        }
    }
    return kNoTime;
}

void SetSport(Activity& activity, std::optional<std::uint8_t> sport, std::optional<std::uint8_t> sub_sport) {
    if (!sport) {
        return;
    }
    activity.sport = SportFromFit(*sport, sub_sport);
    if (sub_sport) {
        if (const char* name = SubSportName(*sub_sport)) {
            activity.sub_sport = name;
        }
    }
}

void FillCreator(const FitMessages& m, Creator& creator) {
    const CreatorIds* ids = m.file_creator ? &*m.file_creator : nullptr;
    // A file_id without maker or product (some writers) borrows the creator device's.
    if (m.device_creator && (ids == nullptr || (!ids->manufacturer && !ids->product))) {
        ids = &*m.device_creator;
    }
    if (ids == nullptr) {
        return;
    }
    creator.serial_number = ids->serial_number;
    if (ids->manufacturer) {
        const char* name = ManufacturerName(*ids->manufacturer);
        creator.manufacturer = name != nullptr ? name : std::to_string(*ids->manufacturer);
    }
    if (!ids->product_name.empty()) {
        creator.product = ids->product_name;
    } else if (ids->product) {
        const bool garmin_numbering = ids->manufacturer && UsesGarminProductNumbers(*ids->manufacturer);
        const char* name = garmin_numbering ? GarminProductName(*ids->product) : nullptr;
        creator.product = name != nullptr ? name : std::to_string(*ids->product);
    }
    // "COROS" + "COROS PACE 2" reads "COROS PACE 2", not the maker twice.
    const bool product_names_maker =
        !creator.manufacturer.empty() && creator.product.size() >= creator.manufacturer.size() &&
        std::equal(creator.manufacturer.begin(), creator.manufacturer.end(), creator.product.begin(),
                   [](char a, char b) { return AsciiLower(a) == AsciiLower(b); });
    if (product_names_maker || creator.manufacturer.empty()) {
        creator.name = creator.product;
    } else if (creator.product.empty()) {
        creator.name = creator.manufacturer;
    } else {
        creator.name = creator.manufacturer + ' ' + creator.product;
    }
}

Activity ActivityForSession(const FitMessages& m, const SessionInfo& session, std::size_t session_idx) {
    Activity activity;
    if (session.sport) {
        SetSport(activity, session.sport, session.sub_sport);
    } else if (!m.sports.empty()) {
        const SportInfo& info = m.sports.size() == m.sessions.size() ? m.sports[session_idx] : m.sports.front();
        SetSport(activity, info.sport, info.sub_sport);
    }
    activity.device_summary = session.summary;
    if (session.pool_length_m && *session.pool_length_m > 0) {
        activity.pool_length_m = session.pool_length_m;
        activity.pool_in_yards = session.pool_in_yards;
    }
    return activity;
}

/// A session's start: its start_time, else its end minus its elapsed time.
std::optional<std::int64_t> SessionStart(const SessionInfo& session) {
    if (session.start_time_ms) {
        return session.start_time_ms;
    }
    if (session.timestamp_ms && session.summary.elapsed_s) {
        return *session.timestamp_ms - static_cast<std::int64_t>(std::llround(*session.summary.elapsed_s * 1000));
    }
    return session.timestamp_ms;
}

}  // namespace

ImportedFile AssembleFitActivities(FitMessages messages) {
    FitMessages& m = messages;
    ImportedFile out;
    out.format = ImportedFile::Format::kFit;
    FillCreator(m, out.creator);
    CorrectSystemTimes(m);
    out.waypoints = std::move(m.course_points);

    if (m.file_type == file_id::kFileCourse) {
        // A course is a planned route: its records are the path, its course points the cues.
        Activity route;
        route.name = m.course_name;
        SetSport(route, m.course_sport, std::nullopt);
        route.track = std::move(m.track);
        route.start_time_ms = FirstTime(route.track);
        for (LapInfo& info : m.laps) {
            info.lap.end_index = route.track.size();
            route.laps.push_back(std::move(info.lap));
        }
        if (!route.track.empty() || !route.name.empty()) {
            out.routes.push_back(std::move(route));
        }
        return out;
    }

    // Activities in time order; a session whose start is unknown keeps its place in the file.
    std::vector<std::pair<std::int64_t, const SessionInfo*>> order;
    order.reserve(m.sessions.size());
    std::int64_t previous_start = std::numeric_limits<std::int64_t>::min();
    for (const SessionInfo& session : m.sessions) {
        previous_start = SessionStart(session).value_or(previous_start);
        order.emplace_back(previous_start, &session);
    }
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

    std::vector<Activity> activities;
    std::vector<std::int64_t> starts;
    if (order.empty()) {
        if (m.track.empty() && m.laps.empty()) {
            return out;  // settings, locations, monitoring...: no activity in them
        }
        Activity activity;
        if (!m.sports.empty()) {
            SetSport(activity, m.sports.front().sport, m.sports.front().sub_sport);
        } else if (!m.laps.empty()) {
            SetSport(activity, m.laps.front().sport, std::nullopt);
        }
        activities.push_back(std::move(activity));
        starts.push_back(std::numeric_limits<std::int64_t>::min());
    } else {
        for (const auto& [start, session] : order) {
            activities.push_back(ActivityForSession(m, *session, session->file_order));
            starts.push_back(start);
        }
    }

    // Records: one owner per point (points without a time stay with the point before them).
    if (activities.size() == 1) {
        activities.front().track = std::move(m.track);
    } else {
        std::vector<std::uint32_t> owner(m.track.size(), 0);
        std::vector<std::size_t> counts(activities.size(), 0);
        std::uint32_t current = 0;
        for (std::size_t point_idx = 0; point_idx < m.track.size(); ++point_idx) {
            if (!m.track.time_ms.empty() && m.track.time_ms[point_idx] != kNoTime) {
                current = static_cast<std::uint32_t>(ActivityIndexFor(starts, m.track.time_ms[point_idx]));
            }
            owner[point_idx] = current;
            ++counts[current];
        }
        SplitColumn(m.track.time_ms, activities, &Track::time_ms, owner, counts);
        SplitColumn(m.track.lat_e7, activities, &Track::lat_e7, owner, counts);
        SplitColumn(m.track.lng_e7, activities, &Track::lng_e7, owner, counts);
        SplitColumn(m.track.altitude_m, activities, &Track::altitude_m, owner, counts);
        SplitColumn(m.track.distance_m, activities, &Track::distance_m, owner, counts);
        SplitColumn(m.track.speed_mps, activities, &Track::speed_mps, owner, counts);
        SplitColumn(m.track.heart_rate_bpm, activities, &Track::heart_rate_bpm, owner, counts);
        SplitColumn(m.track.cadence_rpm, activities, &Track::cadence_rpm, owner, counts);
        SplitColumn(m.track.power_w, activities, &Track::power_w, owner, counts);
        SplitColumn(m.track.temperature_c, activities, &Track::temperature_c, owner, counts);
        for (std::size_t activity_idx = 0; activity_idx < activities.size(); ++activity_idx) {
            activities[activity_idx].track.point_count = counts[activity_idx];
            NormaliseTrack(activities[activity_idx].track);
        }
    }

    // Laps, timer events and lengths go where their start time falls.
    for (LapInfo& info : m.laps) {
        Lap& lap = info.lap;
        if (lap.start_time_ms == kNoTime && info.timestamp_ms && lap.elapsed_s) {
            lap.start_time_ms = *info.timestamp_ms - static_cast<std::int64_t>(std::llround(*lap.elapsed_s * 1000));
        }
        const std::int64_t start =
            lap.start_time_ms != kNoTime ? lap.start_time_ms : info.timestamp_ms.value_or(kNoTime);
        Activity& activity = activities[ActivityIndexFor(starts, start)];
        const std::vector<std::int64_t>& times = activity.track.time_ms;
        if (!times.empty() && start != kNoTime) {
            // A lap ends at its timestamp (or start + elapsed); the point at the boundary belongs to
            // the lap that ends there, and the next lap starts after it (trimmed below).
            std::optional<std::int64_t> end = info.timestamp_ms;
            if (!end && lap.elapsed_s) {
                end = start + static_cast<std::int64_t>(std::llround(*lap.elapsed_s * 1000));
            }
            lap.first_index = LowerBound(times, start);
            lap.end_index = std::max(lap.first_index, end && *end < std::numeric_limits<std::int64_t>::max()
                                                          ? LowerBound(times, *end + 1)
                                                          : times.size());
        } else {
            lap.first_index = 0;
            lap.end_index = activity.track.size();
        }
        activity.laps.push_back(std::move(lap));
    }
    for (Activity& activity : activities) {
        for (std::size_t lap_idx = 1; lap_idx < activity.laps.size(); ++lap_idx) {
            Lap& previous = activity.laps[lap_idx - 1];
            Lap& lap = activity.laps[lap_idx];
            if (previous.end_index > lap.first_index && lap.first_index >= previous.first_index &&
                previous.end_index <= lap.end_index) {
                lap.first_index = previous.end_index;
            }
        }
    }
    for (const TimerEvent& event : m.timer_events) {
        activities[ActivityIndexFor(starts, event.time_ms)].timer_events.push_back(event);
    }
    for (PoolLength& length : m.lengths) {
        activities[ActivityIndexFor(starts, length.start_time_ms)].lengths.push_back(std::move(length));
    }

    for (std::size_t activity_idx = 0; activity_idx < activities.size(); ++activity_idx) {
        Activity& activity = activities[activity_idx];
        const std::int64_t first_point = FirstTime(activity.track);
        if (!order.empty() && starts[activity_idx] != kNoTime) {
            // A session start far from the recorded points is a broken clock (docs/formats.md):
            // the points win.
            const std::int64_t start = starts[activity_idx];
            constexpr std::int64_t kPlausibleMs = 24LL * 3600 * 1000;
            const std::int64_t min_absolute = FitTimeToUnixMs(kMinAbsoluteTime);
            const bool broken = first_point != kNoTime && ((start < min_absolute && first_point >= min_absolute) ||
                                                           (start >= min_absolute && first_point >= min_absolute &&
                                                            std::llabs(first_point - start) > kPlausibleMs));
            activity.start_time_ms = broken ? first_point : start;
        } else {
            activity.start_time_ms = first_point;
        }
        out.activities.push_back(std::move(activity));
    }
    return out;
}

}  // namespace strava1::formats::fit
