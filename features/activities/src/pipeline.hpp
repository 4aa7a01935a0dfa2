#pragma once

// The CPU half of an upload: bytes in, everything the database needs out. Pure (no I/O), so it
// runs on the CPU pool and is unit-tested without a server.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/analytics/analysis.hpp"
#include "strava1/formats/activity.hpp"
#include "strava1/formats/parse.hpp"
#include "strava1/geo/geodesy.hpp"

namespace strava1::activities {

/// One activity ready to be inserted.
struct PreparedActivity {
    formats::Sport sport = formats::Sport::kUnknown;
    std::string sub_sport;
    std::string file_name;    ///< the name inside the file, if any
    std::string description;  ///< likewise
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
    std::string device;  ///< creator name, for duplicate detection and display; empty if unknown
    std::size_t point_count = 0;

    // Summary: the device's own totals unless the samples contradict them (docs/analytics.md).
    double distance_m = 0;
    double elapsed_s = 0;
    double moving_s = 0;
    double timer_s = 0;
    double elevation_gain_m = 0;
    double elevation_loss_m = 0;
    std::optional<double> calories_kcal;

    analytics::ActivityAnalysis analysis;
    std::string stream_blob;    ///< formats::EncodeTrack of the track, distance replaced by the analysis'
    std::string analysis_json;  ///< laps, splits, zones, curves (see WriteAnalysisJson)
    std::string summary_polyline;
    std::string polyline;  ///< the detailed (2 m) geometry
    std::vector<std::int32_t> lat_e7;  ///< the recorded positions, for the privacy guard
    std::vector<std::int32_t> lng_e7;
    std::optional<geo::LatLng> first_position;
    std::optional<geo::LatLng> last_position;
};

/// Decodes and analyses one file. A FIT multisport file gives one activity per sport session
/// (transitions are not activities; their time stays a gap between them). A file with no
/// activity (only routes or waypoints) is a ParseError: there is nothing to record.
formats::Result<std::vector<PreparedActivity>> PrepareFile(std::string_view bytes, formats::DataType type,
                                                           const analytics::AthleteProfile& profile);

/// Analyses an already decoded activity (also used for tests and the importer).
PreparedActivity PrepareActivity(formats::Activity activity, std::string device, const analytics::AthleteProfile& profile);

/// The analysis parts that are read whole: {"laps":[...],"splits_km":[...],"splits_mile":[...],
/// "heart_rate_zones":[...],"power_zones":[...],"power_curve":[...],"speed_curve":[...],
/// "heart_rate_curve":[...],"pool_length_m":…,"pool_length_unit":"m"|"yd"|null,"lengths":[...]}.
std::string WriteAnalysisJson(const analytics::ActivityAnalysis& analysis);

}  // namespace strava1::activities
