#pragma once

// The FIT importer's two halves, private to libs/formats: DecodeFitMessages (fit.cpp) reads the
// bytes into the messages the model needs, AssembleFitActivities (fit_assemble.cpp) applies the rules
// of docs/formats.md "## FIT" (one activity per session, records by time, creator names).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/formats/activity.hpp"
#include "strava1/formats/parse.hpp"

namespace strava1::formats::fit {

/// A session message: one activity to be.
struct SessionInfo {
    std::optional<std::int64_t> start_time_ms;
    std::optional<std::int64_t> timestamp_ms;
    std::optional<std::uint8_t> sport;
    std::optional<std::uint8_t> sub_sport;
    std::optional<double> pool_length_m;
    bool pool_in_yards = false;
    DeviceSummary summary;
    std::size_t file_order = 0;
};

/// A lap message; `lap`'s indexes are filled in by the assembly.
struct LapInfo {
    Lap lap;
    std::optional<std::int64_t> timestamp_ms;
    std::optional<std::uint8_t> sport;
};

/// A sport message (12).
struct SportInfo {
    std::optional<std::uint8_t> sport;
    std::optional<std::uint8_t> sub_sport;
    std::string name;
};

/// Maker, product and serial as file_id or device_info give them.
struct CreatorIds {
    std::optional<std::uint16_t> manufacturer;
    std::optional<std::uint16_t> product;
    std::optional<std::uint32_t> serial_number;
    std::string product_name;
};

/// Everything the decoder keeps of one file (all chained files together), in file order.
struct FitMessages {
    Track track;  ///< every record message, columns at their exact size
    std::vector<SessionInfo> sessions;
    std::vector<LapInfo> laps;
    std::vector<TimerEvent> timer_events;
    std::vector<PoolLength> lengths;
    std::vector<SportInfo> sports;
    std::vector<Waypoint> course_points;
    std::optional<std::uint8_t> file_type;
    std::optional<CreatorIds> file_creator;    ///< the first file_id
    std::optional<CreatorIds> device_creator;  ///< the first device_info with device_index 0
    std::string course_name;
    std::optional<std::uint8_t> course_sport;
    std::optional<std::int64_t> system_time_offset_ms;  ///< from timestamp_correlation: UTC - system time
};

/// Sessions become activities (records, laps, events and lengths assigned by time), or a course
/// becomes a route; relative times are corrected; the creator is named. Never fails.
ImportedFile AssembleFitActivities(FitMessages messages);

}  // namespace strava1::formats::fit
