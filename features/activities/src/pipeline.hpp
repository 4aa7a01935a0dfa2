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

/// What decoding one file will take, known before the work starts.
struct DecodePlan {
    formats::DataType type = formats::DataType::kGpx;        ///< as uploaded
    formats::DataType plain_type = formats::DataType::kGpx;  ///< what the parser reads (.gz removed)
    std::size_t plain_bytes = 0;   ///< the decompressed size of a .gz; the file's size otherwise
    std::size_t memory_bytes = 0;  ///< estimated peak memory of decoding and analysing it
};

/// Estimated peak memory of decoding and analysing per byte the parser reads: the text itself plus
/// the columns and analysis of its points (a GPX/TCX point takes ~150 bytes of XML), and for FIT,
/// whose records are ~25 bytes, about ten times the file.
inline constexpr std::size_t kXmlMemoryPerByte = 3;
inline constexpr std::size_t kFitMemoryPerByte = 12;

/// The first, cheap step of an upload: for a .gz, its decompressed size, counted through a 64 KiB
/// buffer without keeping the output, so a bomb is refused (a ParseError naming the limit) having
/// cost nothing; then the plan. Pure, runs on the CPU pool.
formats::Result<DecodePlan> PlanDecode(std::string_view bytes, formats::DataType type,
                                       std::size_t max_decompressed_bytes);

/// Decodes and analyses one file as planned (a .gz is inflated once, into exactly
/// plan.plain_bytes). A FIT multisport file gives one activity per sport session (transitions are
/// not activities; their time stays a gap between them). A file with no activity (only routes or
/// waypoints) is a ParseError: there is nothing to record.
formats::Result<std::vector<PreparedActivity>> PrepareFile(std::string_view bytes, const DecodePlan& plan,
                                                           const analytics::AthleteProfile& profile);

/// Analyses an already decoded activity (also used for tests and the importer).
PreparedActivity PrepareActivity(formats::Activity activity, std::string device, const analytics::AthleteProfile& profile);

/// The analysis parts that are read whole: {"laps":[...],"splits_km":[...],"splits_mile":[...],
/// "heart_rate_zones":[...],"power_zones":[...],"power_curve":[...],"speed_curve":[...],
/// "heart_rate_curve":[...],"pool_length_m":…,"pool_length_unit":"m"|"yd"|null,"lengths":[...]}.
std::string WriteAnalysisJson(const analytics::ActivityAnalysis& analysis);

}  // namespace strava1::activities
