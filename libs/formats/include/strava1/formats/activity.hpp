#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

/// The one activity model every importer produces: bytes in (GPX, TCX, FIT, their .gz), values out.
/// Channels are columns (one array per quantity) so a 100k-point track stays compact and the
/// analytics can walk one quantity at a time.
namespace strava1::formats {

/// Sports as importers can tell them apart. When adding, also update SportName/ParseSportName in
/// activity.cpp and the `sport` enum in docs/api/openapi.yaml.
enum class Sport : std::uint8_t {
    kUnknown,
    kRun,
    kTrailRun,
    kWalk,
    kHike,
    kRide,
    kMountainBike,
    kVirtualRide,
    kSwim,  ///< pool or open water; see Activity::pool_length_m
    kRowing,
    kSki,
    kTransition,  ///< a multisport transition (T1/T2)
    kOther,
};

/// Stable lower_snake name ("run", "trail_run", ...), used on the wire and in the database.
const char* SportName(Sport sport) noexcept;

/// The inverse of SportName (exact, lower case); nullopt for any other string.
std::optional<Sport> ParseSportName(std::string_view name) noexcept;

/// Markers for "no value here" inside a channel that has values elsewhere.
inline constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int32_t kNoPosition = std::numeric_limits<std::int32_t>::min();
inline constexpr std::uint16_t kNoValue16 = std::numeric_limits<std::uint16_t>::max();
inline constexpr float kNoFloat = std::numeric_limits<float>::quiet_NaN();

inline bool IsMissing(float v) noexcept { return std::isnan(v); }

/// Degrees are stored as integers of 1e-7 degree (about 1.1 cm), as OpenStreetMap does: exact,
/// half the size of doubles, and far finer than any GNSS receiver.
inline constexpr double kDegreesPerE7 = 1e-7;
inline std::int32_t DegreesToE7(double degrees) noexcept {
    return static_cast<std::int32_t>(std::lround(degrees * 1e7));
}
inline double E7ToDegrees(std::int32_t e7) noexcept { return e7 * kDegreesPerE7; }

/// The recorded samples of one activity, one column per quantity.
///
/// Invariant: every non-empty column has exactly `size()` elements; an empty column means the file
/// had no such values at all. A point with no value in a present column holds the column's marker
/// (kNoTime, kNoPosition, kNoValue16, NaN). Units are SI except where the name says otherwise.
/// Times are UTC milliseconds since the Unix epoch.
struct Track {
    std::vector<std::int64_t> time_ms;
    std::vector<std::int32_t> lat_e7;  ///< present iff lng_e7 is; both kNoPosition or both set
    std::vector<std::int32_t> lng_e7;
    std::vector<float> altitude_m;
    std::vector<double> distance_m;  ///< cumulative distance as the device measured it
    std::vector<float> speed_mps;    ///< as the device measured it
    std::vector<std::uint16_t> heart_rate_bpm;
    std::vector<std::uint16_t> cadence_rpm;  ///< revolutions (bike) or strides... see cadence note
    std::vector<std::uint16_t> power_w;
    std::vector<float> temperature_c;

    std::size_t size() const noexcept { return point_count; }
    bool empty() const noexcept { return point_count == 0; }
    bool HasPositions() const noexcept { return !lat_e7.empty(); }

    /// Number of points; kept separately because any column, even time, may be absent.
    std::size_t point_count = 0;
};
// Cadence note: stored as the device reports it. FIT running cadence is strides per minute (one
// foot), TCX RunCadence too; GPX extensions are device-defined. Analytics doubles running cadence
// for steps per minute; importers never guess.

/// A lap as the device recorded it (FIT lap, TCX Lap). Indexes are into the activity's Track,
/// [first_index, end_index).
struct Lap {
    std::int64_t start_time_ms = kNoTime;
    std::size_t first_index = 0;
    std::size_t end_index = 0;
    std::optional<double> elapsed_s;
    std::optional<double> timer_s;
    std::optional<double> distance_m;
    std::optional<double> calories_kcal;
    std::optional<double> avg_heart_rate_bpm;
    std::optional<double> max_heart_rate_bpm;
    std::optional<double> avg_power_w;
    std::optional<std::string> trigger;  ///< "manual", "distance", "time", "position", "session_end" ...
};

/// One pool length (FIT `length` message): the unit pool swims are analysed in.
struct PoolLength {
    std::int64_t start_time_ms = kNoTime;
    double elapsed_s = 0;
    bool active = true;  ///< false: a rest ("idle") length
    std::optional<std::uint16_t> strokes;
    std::optional<std::string> stroke;  ///< "freestyle", "backstroke", "breaststroke", "butterfly", ...
};

/// Timer start/stop as recorded (FIT event timer, GPX segment boundaries, TCX lap gaps).
struct TimerEvent {
    std::int64_t time_ms = kNoTime;
    bool running = true;  ///< true: timer started/resumed; false: stopped/paused
    /// Read from the file's shape, not a timer the device stopped: a new GPX <trkseg> within one
    /// <trk> (a writer starts one after a lost fix as well as after a pause). Analytics overrules it
    /// when the athlete moved across it at a moving speed (docs/analytics.md, "Timer").
    bool inferred = false;
};

/// What the device itself summarised (FIT session, TCX lap totals). Analytics uses them for the
/// activity's summary unless the samples contradict them (docs/analytics.md, "Device totals").
struct DeviceSummary {
    std::optional<double> elapsed_s;
    std::optional<double> timer_s;
    std::optional<double> moving_s;
    std::optional<double> active_s;  ///< FIT session active_time: a pool swim's time in active lengths
    std::optional<double> distance_m;
    std::optional<double> calories_kcal;
    std::optional<double> ascent_m;
    std::optional<double> descent_m;
    std::optional<double> avg_heart_rate_bpm;
    std::optional<double> max_heart_rate_bpm;
    std::optional<double> avg_power_w;
    std::optional<double> max_power_w;
    std::optional<double> avg_cadence_rpm;
};

/// A named point that is not part of the track: GPX waypoint, TCX course point, FIT course point.
struct Waypoint {
    std::int32_t lat_e7 = kNoPosition;
    std::int32_t lng_e7 = kNoPosition;
    float altitude_m = kNoFloat;
    std::int64_t time_ms = kNoTime;
    std::string name;
    std::string kind;  ///< GPX <sym>/<type>, TCX PointType; empty when not given
};

/// One activity: a single sport over a contiguous time span.
struct Activity {
    Sport sport = Sport::kUnknown;
    std::string sub_sport;  ///< device-specific refinement ("trail", "lap_swimming", ...)
    std::int64_t start_time_ms = kNoTime;
    std::string name;
    std::string description;
    Track track;
    std::vector<Lap> laps;
    std::vector<TimerEvent> timer_events;
    std::vector<PoolLength> lengths;
    std::optional<double> pool_length_m;  ///< always in metres (a 25 yd pool: 22.86)
    bool pool_in_yards = false;           ///< the pool is measured in yards (FIT pool_length_unit statute)
    DeviceSummary device_summary;
};

/// What a file told us about the thing that wrote it.
struct Creator {
    std::string name;  ///< GPX creator attribute, TCX Creator/Name, FIT manufacturer+product
    std::string manufacturer;
    std::string product;
    std::optional<std::uint32_t> serial_number;
};

/// Everything one file yields. A FIT multisport file gives one Activity per session (transitions
/// included, as Sport::kTransition), in time order; see docs/formats.md for the rule.
struct ImportedFile {
    enum class Format : std::uint8_t { kGpx, kTcx, kFit };
    Format format = Format::kGpx;
    Creator creator;
    std::vector<Activity> activities;
    std::vector<Waypoint> waypoints;
    /// Planned routes/courses (GPX rte, TCX Course, FIT course): tracks without a recorded workout.
    std::vector<Activity> routes;
};

/// Why a file was refused, precise enough to fix the file: where (byte offset; line/column for
/// text formats; the element or message) and why.
struct ParseError {
    std::string reason;  ///< e.g. "file CRC mismatch: stored 0x1234, computed 0xabcd"
    std::optional<std::size_t> byte_offset;
    std::optional<std::size_t> line;    ///< 1-based, text formats only
    std::optional<std::size_t> column;  ///< 1-based, text formats only
    std::string context;                ///< element path ("gpx/trk/trkseg/trkpt[12]") or FIT message

    /// One precise line for logs, tools and tests: "line 12, column 4 (gpx/trk/trkseg/trkpt): reason".
    std::string Describe() const;
    /// The same for a person who uploaded the file (problem+json `detail`, an upload's `error`):
    /// "This file is empty", "We couldn't read this file: line 12, the time "noon" is not a date".
    /// The line only (no column, element path, standard or checksum values); a reason with no
    /// plainer wording is kept as it is.
    std::string Plain() const;
};

/// A parser's outcome: the value, or the reason it was refused. Parsers never throw on bad input.
template <class T>
class Result {
public:
    Result(T value) : outcome_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
    Result(ParseError error) : outcome_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const noexcept { return outcome_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    /// Preconditions: ok() for value(), !ok() for error().
    T& value() & { return std::get<0>(outcome_); }
    const T& value() const& { return std::get<0>(outcome_); }
    T&& value() && { return std::get<0>(std::move(outcome_)); }
    const ParseError& error() const { return std::get<1>(outcome_); }

private:
    std::variant<T, ParseError> outcome_;
};

}  // namespace strava1::formats
