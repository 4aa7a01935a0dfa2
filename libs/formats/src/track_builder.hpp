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

    /// Gives back capacity the estimate over-reserved.
    void Finish() {
        track_.time_ms.shrink_to_fit();
        track_.lat_e7.shrink_to_fit();
        track_.lng_e7.shrink_to_fit();
        track_.altitude_m.shrink_to_fit();
        track_.distance_m.shrink_to_fit();
        track_.speed_mps.shrink_to_fit();
        track_.heart_rate_bpm.shrink_to_fit();
        track_.cadence_rpm.shrink_to_fit();
        track_.power_w.shrink_to_fit();
        track_.temperature_c.shrink_to_fit();
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

    Track& track_;
    std::size_t expected_points_;
};

}  // namespace strava1::formats
