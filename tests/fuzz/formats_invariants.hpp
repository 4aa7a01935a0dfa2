#pragma once

// Shared by the importer fuzz targets: what must hold for every ImportedFile a parser accepts,
// whatever the input. A violation aborts, so libFuzzer reports it as a finding.

#include <cstdlib>
#include <string_view>

#include "strava1/formats/activity.hpp"
#include "strava1/formats/parse.hpp"

namespace strava1::formats::fuzz {

template <class Column>
inline void CheckColumn(const Column& column, std::size_t points) {
    if (!column.empty() && column.size() != points) {
        std::abort();
    }
}

inline void CheckActivity(const Activity& activity, std::size_t& total_points) {
    const Track& track = activity.track;
    const std::size_t points = track.size();
    total_points += points;
    CheckColumn(track.time_ms, points);
    CheckColumn(track.lat_e7, points);
    CheckColumn(track.lng_e7, points);
    CheckColumn(track.altitude_m, points);
    CheckColumn(track.distance_m, points);
    CheckColumn(track.speed_mps, points);
    CheckColumn(track.heart_rate_bpm, points);
    CheckColumn(track.cadence_rpm, points);
    CheckColumn(track.power_w, points);
    CheckColumn(track.temperature_c, points);
    if (track.lat_e7.size() != track.lng_e7.size()) {
        std::abort();
    }
    for (std::size_t point_idx = 0; point_idx < track.lat_e7.size(); ++point_idx) {
        const bool has_lat = track.lat_e7[point_idx] != kNoPosition;
        const bool has_lng = track.lng_e7[point_idx] != kNoPosition;
        if (has_lat != has_lng ||
            (has_lat && (track.lat_e7[point_idx] < -900'000'000 || track.lat_e7[point_idx] > 900'000'000 ||
                         track.lng_e7[point_idx] < -1'800'000'000 || track.lng_e7[point_idx] > 1'800'000'000))) {
            std::abort();
        }
    }
    for (const Lap& lap : activity.laps) {
        if (lap.first_index > lap.end_index || lap.end_index > points) {
            std::abort();
        }
    }
}

/// Aborts unless `file` keeps the model's invariants and `limits`.
inline void CheckImportedFile(const ImportedFile& file, const Limits& limits) {
    std::size_t total_points = 0;
    for (const Activity& activity : file.activities) {
        CheckActivity(activity, total_points);
    }
    for (const Activity& route : file.routes) {
        CheckActivity(route, total_points);
    }
    if (total_points + file.waypoints.size() > limits.max_points) {
        std::abort();
    }
}

/// Every ParseError must say why.
inline void CheckError(const ParseError& error) {
    if (error.reason.empty() || error.Describe().empty()) {
        std::abort();
    }
}

/// One run of a GPX or TCX target: the importer directly and through its .gz entry point (Gunzip,
/// dispatch), then the sniffer. Limits are small so that each run stays fast; the logic is the same.
inline void RunXmlImporter(std::string_view input, Result<ImportedFile> (*parse)(std::string_view, const Limits&),
                           DataType gz_type) {
    Limits limits;
    limits.max_points = 20'000;
    limits.max_decompressed_bytes = 4u << 20;
    limits.max_xml_depth = 32;
    for (const Result<ImportedFile>& outcome : {parse(input, limits), Parse(input, gz_type, limits)}) {
        if (outcome.ok()) {
            CheckImportedFile(outcome.value(), limits);
        } else {
            CheckError(outcome.error());
        }
    }
    (void)SniffDataType(input);
}

}  // namespace strava1::formats::fuzz
