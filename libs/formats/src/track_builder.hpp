#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "strava1/formats/activity.hpp"

namespace strava1::formats {

/// One sample as an importer read it, before it joins the columns. Every field starts missing.
struct PointValues {
    std::int64_t time_ms = kNoTime;
    std::int32_t lat_e7 = kNoPosition;
    std::int32_t lng_e7 = kNoPosition;
    float altitude_m = kNoFloat;
    double distance_m = std::numeric_limits<double>::quiet_NaN();
    float speed_mps = kNoFloat;
    std::uint16_t heart_rate_bpm = kNoValue16;
    std::uint16_t cadence_rpm = kNoValue16;
    std::uint16_t power_w = kNoValue16;
    float temperature_c = kNoFloat;

    bool HasPosition() const noexcept { return lat_e7 != kNoPosition && lng_e7 != kNoPosition; }
};

/// Appends samples to a Track keeping its invariant (see activity.hpp): a column appears with the
/// first sample that has the quantity, back-filled with its marker, and from then on gets the marker
/// for every sample without it. Never allocates per sample once a column has its reservation.
///
/// Lifetime: `track` must outlive the builder and must not move while it is used.
class TrackBuilder {
public:
    /// `expected_points`: how many samples to reserve for, in each column the first time it
    /// appears (a cheap estimate such as the number of "<trkpt" in the file; 0 for none).
    TrackBuilder(Track& track, std::size_t expected_points) noexcept
        : track_(track), expected_points_(expected_points) {}

    void Append(const PointValues& point) {
        const std::size_t count = track_.point_count;
        Put(track_.time_ms, point.time_ms, point.time_ms != kNoTime, kNoTime, count);
        const bool positioned = point.HasPosition();
        Put(track_.lat_e7, point.lat_e7, positioned, kNoPosition, count);
        Put(track_.lng_e7, point.lng_e7, positioned, kNoPosition, count);
        Put(track_.altitude_m, point.altitude_m, !IsMissing(point.altitude_m), kNoFloat, count);
        Put(track_.distance_m, point.distance_m, !std::isnan(point.distance_m),
            std::numeric_limits<double>::quiet_NaN(), count);
        Put(track_.speed_mps, point.speed_mps, !IsMissing(point.speed_mps), kNoFloat, count);
        Put(track_.heart_rate_bpm, point.heart_rate_bpm, point.heart_rate_bpm != kNoValue16, kNoValue16, count);
        Put(track_.cadence_rpm, point.cadence_rpm, point.cadence_rpm != kNoValue16, kNoValue16, count);
        Put(track_.power_w, point.power_w, point.power_w != kNoValue16, kNoValue16, count);
        Put(track_.temperature_c, point.temperature_c, !IsMissing(point.temperature_c), kNoFloat, count);
        track_.point_count = count + 1;
    }

    /// Gives back capacity the estimate over-reserved, when that is more than an eighth of what is
    /// used (trimming reallocates and copies the column, which a close estimate does not need).
    void Finish() {
        Trim(track_.time_ms);
        Trim(track_.lat_e7);
        Trim(track_.lng_e7);
        Trim(track_.altitude_m);
        Trim(track_.distance_m);
        Trim(track_.speed_mps);
        Trim(track_.heart_rate_bpm);
        Trim(track_.cadence_rpm);
        Trim(track_.power_w);
        Trim(track_.temperature_c);
    }

private:
    template <class T>
    void Put(std::vector<T>& column, T value, bool present, T marker, std::size_t count) {
        if (present) {
            if (column.empty()) {
                column.reserve(std::max(expected_points_, count + 1));
                column.assign(count, marker);
            }
            column.push_back(value);
        } else if (!column.empty()) {
            column.push_back(marker);
        }
    }

    template <class T>
    static void Trim(std::vector<T>& column) {
        if (column.capacity() - column.size() > column.size() / 8) {
            column.shrink_to_fit();
        }
    }

    Track& track_;
    std::size_t expected_points_;
};

}  // namespace strava1::formats
