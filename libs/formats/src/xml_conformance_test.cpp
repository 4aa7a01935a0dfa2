// Data-driven conformance of the GPX and TCX importers against real files written by others
// (../shared/testdata/gpx and tcx, read in place: several are GPL/AGPL and must never be copied
// into this repository) in two ways:
//
// 1. What ../shared/testdata/SOURCES.md says of each file, encoded in the tables below. Its
//    counts were made by plain text matching over the whole file, so an `ele` or `time` count there
//    also counts waypoint, route-point and metadata elements, and a cadence count also matches
//    lap-level elements; the tables assert the true point-level figure and every row whose figure
//    differs from SOURCES.md says why in its note.
// 2. GPSBabel (Debian's /usr/bin/gpsbabel, run as a subprocess, never linked): the same number of
//    points, the same timestamps to the millisecond and the same distance within 0.5 %.
//
// Without the data directory or without gpsbabel the tests are skipped loudly; with
// STRAVA1_REQUIRE_SERVICES=1 (CI) they fail instead.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "strava1/formats/parse.hpp"
#include "xml_test_support.hpp"

namespace strava1::formats {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RequireServices;
using testing::TestdataDir;

// ---- expectations from SOURCES.md ---------------------------------------------------------------

struct GpxCase {
    const char* file;
    std::size_t activities = 0;
    std::size_t points = 0;      // track points of the activity (all trk/trkseg together)
    std::size_t elevations = 0;  // point-level counts of values
    std::size_t times = 0;
    std::size_t heart_rates = 0;
    std::size_t cadences = 0;
    std::size_t temperatures = 0;
    std::size_t speeds = 0;
    std::size_t timer_events = 0;  // pause/resume pairs at segment boundaries (and legacy markers)
    // Track points without a time: left out of the activity, or, when no track point has one, the
    // whole track is a route (docs/formats.md, "Points without a time").
    std::size_t untimed = 0;
    std::size_t laps = 0;
    std::size_t routes = 0;
    std::size_t route_points = 0;
    std::size_t waypoints = 0;
    Sport sport = Sport::kUnknown;
    const char* creator = "";
    const char* note = "";
};

// SOURCES.md "time" counts include the <metadata><time> (and waypoint/route-point times); "ele"
// counts include waypoints and route points. Those differences are systematic and noted once
// here, not per row; rows note everything else.
const GpxCase kGpxCases[] = {
    {.file = "2067489619.gpx",
     .activities = 1,
     .points = 502,
     .elevations = 502,
     .times = 502,
     .heart_rates = 502,
     .cadences = 502,
     .sport = Sport::kRun,
     .creator = "Garmin Connect"},
    {.file = "3939576645.gpx",
     .activities = 1,
     .points = 2547,
     .elevations = 2547,
     .times = 2547,
     .heart_rates = 2547,
     .cadences = 2547,
     .temperatures = 2547,
     .sport = Sport::kRide,
     .creator = "Garmin Connect",
     .note = "type road_biking -> ride"},
    {.file = "4623204522-1.gpx",
     .activities = 1,
     .points = 88,
     .elevations = 88,
     .times = 88,
     .heart_rates = 88,
     .cadences = 88,
     .temperatures = 88,
     .sport = Sport::kSwim,
     .creator = "StravaGPX",
     .note = "Strava numeric type 16 -> swim"},
    {.file = "GC7FA4.gpx",
     .waypoints = 1,
     .creator = "Groundspeak, Inc. All Rights Reserved. http://www.groundspeak.com"},
    {.file = "Mojstrovka.gpx",
     .activities = 1,
     .points = 184,
     .elevations = 184,
     .times = 184,
     .creator = "GPSBabel - http://www.gpsbabel.org",
     .note = "point times are 1901-12-13 (INT32_MIN seconds), read as written"},
    {.file = "amazfit.gpx",
     .activities = 1,
     .points = 1216,
     .elevations = 1216,
     .times = 1216,
     .heart_rates = 1216,
     .sport = Sport::kRun,
     .creator = "Huami Amazfit Sports Watch"},
    {.file = "around-visnjan-with-car.gpx",
     .activities = 1,
     .points = 104,
     .elevations = 104,
     .times = 104,
     .creator = "eTrex 20x"},
    {.file = "bigtime.gpx", .waypoints = 2, .creator = "GPSBabel - https://www.gpsbabel.org"},
    {.file = "cerknicko-jezero-no-creator.gpx",
     .activities = 1,
     .points = 296,
     .elevations = 296,
     .times = 296,
     .timer_events = 12,
     .waypoints = 7,
     .note = "8 trk, 7 with points: 6 boundaries"},
    {.file = "cerknicko-jezero-without-elevations.gpx",
     .activities = 1,
     .points = 295,
     .times = 295,
     .timer_events = 12,
     .untimed = 1,
     .waypoints = 7,
     .creator = "GPSBabel - http://www.gpsbabel.org",
     .note = "SOURCES time 296 = 295 point times + metadata; the untimed point is left out"},
    {.file = "cerknicko-jezero.gpx",
     .activities = 1,
     .points = 296,
     .elevations = 296,
     .times = 296,
     .timer_events = 12,
     .waypoints = 7,
     .creator = "GPSBabel - http://www.gpsbabel.org"},
    {.file = "custom_schema_locations.gpx", .creator = "gpx.py -- https://github.com/tkrajina/gpxpy"},
    {.file = "default_schema_locations.gpx", .creator = "gpx.py -- https://github.com/tkrajina/gpxpy"},
    {.file = "expertgps.gpx",
     .activities = 1,
     .points = 64,
     .elevations = 12,
     .times = 64,
     .routes = 1,
     .route_points = 46,
     .waypoints = 86,
     .creator = "ExpertGPS 1.3.7 - http://www.topografix.com",
     .note = "ISO-8859-1"},
    {.file = "first_and_last_elevation.gpx",
     .activities = 1,
     .points = 10,
     .elevations = 2,
     .times = 10,
     .creator = "gpx.py -- https://github.com/tkrajina/gpxpy"},
    {.file = "garmin.gpx",
     .activities = 1,
     .points = 217,
     .elevations = 217,
     .times = 217,
     .heart_rates = 217,
     .cadences = 217,
     .sport = Sport::kRun,
     .creator = "Garmin Connect"},
    {.file = "garminconnect.gpx",
     .activities = 1,
     .points = 68,
     .elevations = 68,
     .times = 68,
     .heart_rates = 68,
     .temperatures = 68,
     .sport = Sport::kRide,
     .creator = "Garmin Connect"},
    {.file = "gpsbabel_route.gpx",
     .routes = 2,
     .route_points = 14,
     .creator = "GPSBabel - http://gpsbabel.sourceforge.net"},
    {.file = "gpx-with-node-with-comments.gpx",
     .activities = 1,
     .points = 1,
     .elevations = 1,
     .times = 1,
     .creator = "Ultra GPS Logger"},
    {.file = "gpx1.1_with_all_fields.gpx",
     .activities = 1,
     .points = 1,
     .elevations = 1,
     .times = 1,
     .routes = 2,
     .route_points = 5,
     .waypoints = 2,
     .creator = "...",
     .note = "2 trk/2 trkseg, one point; times without offset read as UTC; type 't' -> unknown"},
    {.file = "gpx1.1_with_extensions.gpx", .waypoints = 1, .creator = "nawagers"},
    {.file = "gpx11_with_speed_no_namespace.gpx",
     .activities = 1,
     .points = 3,
     .elevations = 3,
     .times = 3,
     .speeds = 3,
     .creator = "Cruiser",
     .note = "unprefixed <speed> in a GPX 1.1 point"},
    {.file = "gpx11_without_speed.gpx",
     .activities = 1,
     .points = 3,
     .elevations = 3,
     .times = 3,
     .creator = "Cruiser"},
    {.file = "gpx_subsecond-sample.gpx",
     .activities = 1,
     .points = 5,
     .elevations = 5,
     .times = 5,
     .speeds = 5,
     .creator = "GPSBabel - https://www.gpsbabel.org"},
    {.file = "gpx_timezone.gpx",
     .activities = 1,
     .points = 1,
     .elevations = 1,
     .times = 1,
     .waypoints = 1,
     .creator = "OpenTracks (Debug)",
     .note = "+01:15 offset"},
    {.file = "gpxpassthrough10.gpx",
     .activities = 1,
     .points = 3,
     .elevations = 3,
     .times = 3,
     .routes = 1,
     .route_points = 3,
     .waypoints = 3,
     .creator = "hand crafted"},
    {.file = "gpxpassthrough11.gpx",
     .activities = 1,
     .points = 3,
     .elevations = 3,
     .times = 3,
     .routes = 1,
     .route_points = 3,
     .waypoints = 3,
     .creator = "hand crafted"},
    {.file = "korita-zbevnica.gpx",
     .activities = 1,
     .points = 513,
     .elevations = 513,
     .times = 513,
     .timer_events = 2,
     .untimed = 358,
     .waypoints = 2,
     .creator = "GPSBabel - http://www.gpsbabel.org",
     .note = "SOURCES time 514 = 513 point times + metadata; 4 trk, 3 with points (one of 358 untimed ones, left out), "
             "1 boundary between timed ones"},
    {.file = "legacy_gpx_pause_resume.gpx",
     .activities = 1,
     .points = 4,
     .elevations = 4,
     .times = 4,
     .timer_events = 2,
     .waypoints = 2,
     .creator = "OpenTracks (Debug)",
     .note = "SOURCES 6 trkpt: 2 are OpenTracks legacy pause/resume markers (lat 100/200) -> timer events"},
    {.file = "movescount.gpx",
     .activities = 1,
     .points = 1592,
     .elevations = 1592,
     .times = 1592,
     .heart_rates = 1590,
     .cadences = 1590,
     .temperatures = 1590,
     .speeds = 1590,
     .laps = 39,
     .sport = Sport::kUnknown,
     .creator = "Movescount - http://www.movescount.com",
     .note = "SOURCES cad/atemp 0: its text match misses gpxdata:cadence/temp, which we read; 39 gpxdata laps"},
    {.file = "route.gpx", .routes = 1, .route_points = 55, .creator = "gpx.py -- https://github.com/tkrajina/gpxpy"},
    {.file = "sports-tracker.gpx",
     .activities = 1,
     .points = 7785,
     .elevations = 7785,
     .times = 7785,
     .heart_rates = 7766,
     .creator = "Sports Tracker"},
    {.file = "strava.gpx",
     .activities = 1,
     .points = 7264,
     .elevations = 7264,
     .times = 7264,
     .heart_rates = 7264,
     .cadences = 7264,
     .temperatures = 7258,
     .creator = "StravaGPX"},
    {.file = "track-with-extremes.gpx",
     .untimed = 25,
     .routes = 1,
     .route_points = 25,
     .creator = "GPSBabel - http://www.gpsbabel.org",
     .note = "SOURCES time 1 is the metadata time: no point has one, so the track is a route"},
    {.file = "track-with-less-sec-time.gpx",
     .activities = 1,
     .points = 2,
     .elevations = 2,
     .times = 2,
     .sport = Sport::kRun,
     .creator = "NikePlus GPX Bridge"},
    {.file = "track_with_dilution_errors.gpx",
     .untimed = 1,
     .routes = 2,
     .route_points = 2,
     .waypoints = 1,
     .creator = "gpx.py -- https://github.com/tkrajina/gpxpy"},
    {.file = "track_with_speed.gpx",
     .activities = 1,
     .points = 3,
     .elevations = 3,
     .times = 3,
     .speeds = 3,
     .note = "bare <gpx>, no version/namespace/creator"},
    {.file = "unicode.gpx", .waypoints = 6, .creator = "GPSBabel - http://www.gpsbabel.org"},
    {.file = "unicode2.gpx",
     .activities = 1,
     .creator = "OSMTracker for Android\xe2\x84\xa2 - http://osmtracker-android.googlecode.com/",
     .note = "a trk without points is still one (empty) activity"},
    {.file = "unicode_with_bom_noencoding.gpx",
     .waypoints = 1,
     .creator = "GPS Visualizer http://www.gpsvisualizer.com/"},
    {.file = "unknowntag.gpx", .routes = 1, .route_points = 1, .creator = "MapSource 6.12.2"},
};

struct TcxCase {
    const char* file;
    std::size_t activities = 0;
    std::size_t courses = 0;
    std::size_t laps = 0;    // of the activities (course laps are not track laps)
    std::size_t points = 0;  // Trackpoints of activities and courses
    std::size_t positions = 0;
    std::size_t heart_rates = 0;
    std::size_t cadences = 0;  // point-level Cadence or TPX RunCadence
    std::size_t watts = 0;
    std::size_t waypoints = 0;      // CoursePoints
    Sport sport = Sport::kUnknown;  // of the first activity
    const char* creator = "";
    const char* note = "";
};

const TcxCase kTcxCases[] = {
    {.file = "6688025408.tcx",
     .activities = 1,
     .laps = 36,
     .points = 3999,
     .heart_rates = 3999,
     .sport = Sport::kOther,
     .creator = "Forerunner 935",
     .note = "pool swim without positions"},
    {.file = "bike.tcx",
     .activities = 1,
     .laps = 2,
     .points = 1812,
     .positions = 1812,
     .sport = Sport::kRide,
     .creator = "Forerunner 910XT"},
    {.file = "course.tcx",
     .courses = 1,
     .points = 1205,
     .positions = 1202,
     .heart_rates = 1202,
     .creator = "Garmin Training Center(r)",
     .note = "SOURCES laps 1 is the course lap (kept as the route's summary); creator from Author"},
    {.file = "gtrnctr-lap_s.tcx",
     .activities = 1,
     .laps = 14,
     .points = 943,
     .positions = 928,
     .heart_rates = 943,
     .sport = Sport::kRun,
     .creator = "Garmin Forerunner 110",
     .note = "SOURCES run cadence 14 matches lap-level LX MaxRunCadence, not points"},
    {.file = "gtrnctr-readcp.tcx",
     .courses = 1,
     .points = 18,
     .positions = 18,
     .waypoints = 16,
     .note = "16 CoursePoints; GPSBabel's 17 wpt add the course lap's start"},
    {.file = "history.tcx",
     .activities = 1,
     .laps = 1,
     .points = 1205,
     .positions = 1202,
     .heart_rates = 1202,
     .sport = Sport::kRide,
     .creator = "EDGE305"},
    {.file = "kona2013.tcx",
     .activities = 1,
     .laps = 1,
     .points = 5,
     .positions = 5,
     .heart_rates = 5,
     .cadences = 5,
     .watts = 5,
     .sport = Sport::kRide,
     .creator = "Garmin Edge 500",
     .note = "SOURCES cadence 6 / watts 7 include the lap's Cadence, AvgWatts, MaxWatts"},
    {.file = "movescount.tcx",
     .activities = 1,
     .laps = 2,
     .points = 903,
     .positions = 903,
     .heart_rates = 903,
     .cadences = 903,
     .sport = Sport::kRun,
     .note = "SOURCES bike cadence 2 is the laps' Cadence; 903 RunCadence"},
    {.file = "no_hr.tcx",
     .activities = 1,
     .laps = 3,
     .points = 384,
     .positions = 383,
     .sport = Sport::kRun,
     .creator = "Forerunner 410 Software Version 2.20"},
    {.file = "sup_activity_1.tcx",
     .activities = 1,
     .laps = 2,
     .points = 111,
     .positions = 111,
     .heart_rates = 111,
     .sport = Sport::kOther,
     .creator = "v\xc3\xadvoactive HR"},
    {.file = "tcxdata.tcx",
     .activities = 1,
     .laps = 1,
     .points = 4,
     .positions = 4,
     .heart_rates = 4,
     .cadences = 4,
     .watts = 4,
     .sport = Sport::kOther,
     .note = "SOURCES HR/cadence/watts 4/5/4 with the lap's Cadence; point-level 4/4/4"},
    {.file = "test.tcx",
     .activities = 1,
     .laps = 3,
     .points = 384,
     .positions = 383,
     .heart_rates = 383,
     .sport = Sport::kRun,
     .creator = "Forerunner 410 Software Version 2.20"},
    {.file = "unknown_example.tcx",
     .activities = 1,
     .laps = 32,
     .points = 752,
     .positions = 752,
     .heart_rates = 752,
     .cadences = 752,
     .sport = Sport::kRun,
     .creator = "Suunto Spartan Ultra"},
};

// ---- helpers ------------------------------------------------------------------------------------

/// Skips (or, with STRAVA1_REQUIRE_SERVICES=1, fails) when something the test needs is missing.
#define STRAVA1_NEED(condition, message)                                                                  \
    do {                                                                                                  \
        if (!(condition)) {                                                                               \
            std::fprintf(stderr, "\n*** xml_conformance_test: %s ***\n\n", std::string(message).c_str()); \
            if (RequireServices()) {                                                                      \
                FAIL() << (message) << " (STRAVA1_REQUIRE_SERVICES=1)";                                   \
            }                                                                                             \
            GTEST_SKIP() << (message);                                                                    \
        }                                                                                                 \
    } while (false)

fs::path GpsbabelPath() {
    if (const char* path = std::getenv("STRAVA1_GPSBABEL"); path != nullptr && *path != '\0') {
        return path;
    }
    return "/usr/bin/gpsbabel";
}

bool Executable(const fs::path& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string ShellQuote(const std::string& text) {
    std::string out = "'";
    for (const char c : text) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

struct Sample {
    double lat = 0;
    double lon = 0;
    std::int64_t time_ms = kNoTime;
};

/// An xcsv style for GPSBabel: full-precision degrees and the time as epoch milliseconds (0 when
/// the point has none), so nothing is lost in the comparison.
fs::path StyleFile() {
    static const fs::path kPath = [] {
        // Per process: the TCX and GPX conformance tests run at once under ctest -j and would
        // otherwise truncate the file while the other's gpsbabel reads it.
        fs::path file =
            fs::path(::testing::TempDir()) / ("strava1_gpsbabel_style_" + std::to_string(::getpid()) + ".txt");
        std::FILE* out = std::fopen(file.c_str(), "w");
        std::fputs(
            "FIELD_DELIMITER COMMA\nRECORD_DELIMITER NEWLINE\nBADCHARS COMMA\n"
            "IFIELD LAT_DECIMAL, \"\", \"%.9f\"\nIFIELD LON_DECIMAL, \"\", \"%.9f\"\n"
            "IFIELD TIMET_TIME_MS, \"\", \"%lld\"\n",
            out);
        std::fclose(out);
        return file;
    }();
    return kPath;
}

/// What GPSBabel reads from `file`: its tracks, routes or waypoints ("tracks", "routes",
/// "waypoints"), as one point sequence. nullopt if GPSBabel failed.
std::optional<std::vector<Sample>> Gpsbabel(const fs::path& file, const char* input_format, const char* keep) {
    const std::string all[] = {"tracks", "routes", "waypoints"};
    std::string nuke;
    for (const std::string& type : all) {
        if (type != keep) {
            nuke += (nuke.empty() ? "" : ",") + type;
        }
    }
    const std::string command = ShellQuote(GpsbabelPath().string()) + " -i " + input_format + " -f " +
                                ShellQuote(file.string()) + " -x nuketypes," + nuke +
                                " -o xcsv,style=" + ShellQuote(StyleFile().string()) + " -F - 2>/dev/null";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return std::nullopt;
    }
    std::string output;
    std::array<char, 65536> buffer{};
    std::size_t got = 0;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        output.append(buffer.data(), got);
    }
    const int status = ::pclose(pipe);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return std::nullopt;
    }
    std::vector<Sample> samples;
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty()) {
            continue;
        }
        Sample sample;
        long long time_ms = 0;
        if (std::sscanf(line.c_str(), "%lf,%lf,%lld", &sample.lat, &sample.lon, &time_ms) != 3) {
            return std::nullopt;
        }
        sample.time_ms = time_ms == 0 ? kNoTime : time_ms;  // GPSBabel writes 0 for "no time"
        samples.push_back(sample);
    }
    return samples;
}

/// Positioned samples of tracks, in order.
std::vector<Sample> Positioned(const std::vector<const Track*>& tracks) {
    std::vector<Sample> out;
    for (const Track* track : tracks) {
        for (std::size_t point_idx = 0; point_idx < track->size(); ++point_idx) {
            if (!track->HasPositions() || track->lat_e7[point_idx] == kNoPosition) {
                continue;
            }
            out.push_back(Sample{E7ToDegrees(track->lat_e7[point_idx]), E7ToDegrees(track->lng_e7[point_idx]),
                                 track->time_ms.empty() ? kNoTime : track->time_ms[point_idx]});
        }
    }
    return out;
}

/// Great-circle length of the sequence (haversine, mean Earth radius 6371.0088 km).
double HaversineLength(const std::vector<Sample>& samples) {
    constexpr double kEarthRadiusM = 6'371'008.8;
    constexpr double kRadians = 3.14159265358979323846 / 180.0;
    double total = 0;
    for (std::size_t point_idx = 1; point_idx < samples.size(); ++point_idx) {
        const Sample& a = samples[point_idx - 1];
        const Sample& b = samples[point_idx];
        const double dlat = (b.lat - a.lat) * kRadians;
        const double dlon = (b.lon - a.lon) * kRadians;
        const double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(a.lat * kRadians) *
                                                                       std::cos(b.lat * kRadians) * std::sin(dlon / 2) *
                                                                       std::sin(dlon / 2);
        total += 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(h)));
    }
    return total;
}

/// ISO 8601 UTC with milliseconds, via the standard calendar (independent of our own parser).
std::string FormatTime(std::int64_t ms) {
    if (ms == kNoTime) {
        return "-";
    }
    using namespace std::chrono;
    const sys_time<milliseconds> point{milliseconds{ms}};
    const sys_days day = floor<days>(point);
    const year_month_day date{day};
    const hh_mm_ss<milliseconds> clock{point - day};
    char buffer[40];
    std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
    return buffer;
}

std::int64_t FirstTime(const std::vector<Sample>& samples) {
    for (const Sample& sample : samples) {
        if (sample.time_ms != kNoTime) {
            return sample.time_ms;
        }
    }
    return kNoTime;
}

std::int64_t LastTime(const std::vector<Sample>& samples) {
    for (auto it = samples.rbegin(); it != samples.rend(); ++it) {
        if (it->time_ms != kNoTime) {
            return it->time_ms;
        }
    }
    return kNoTime;
}

/// Compares our points with GPSBabel's; returns "" when they agree, else what differs.
std::string CompareWithGpsbabel(const std::vector<Sample>& ours, const std::vector<Sample>& babel) {
    std::string problems;
    if (ours.size() != babel.size()) {
        problems += "point count " + std::to_string(ours.size()) + " vs " + std::to_string(babel.size()) + "; ";
    } else {
        std::size_t time_mismatches = 0;
        std::size_t first_mismatch = 0;
        for (std::size_t point_idx = 0; point_idx < ours.size(); ++point_idx) {
            if (ours[point_idx].time_ms != babel[point_idx].time_ms) {
                if (time_mismatches++ == 0) {
                    first_mismatch = point_idx;
                }
            }
        }
        if (time_mismatches != 0) {
            problems += std::to_string(time_mismatches) + " timestamps differ (first at point " +
                        std::to_string(first_mismatch) + ": " + FormatTime(ours[first_mismatch].time_ms) + " vs " +
                        FormatTime(babel[first_mismatch].time_ms) + "); ";
        }
    }
    const double ours_m = HaversineLength(ours);
    const double babel_m = HaversineLength(babel);
    const bool both_tiny = ours_m < 1.0 && babel_m < 1.0;
    if (!both_tiny && std::fabs(ours_m - babel_m) > 0.005 * std::max(ours_m, babel_m)) {
        problems += "distance " + std::to_string(ours_m) + " m vs " + std::to_string(babel_m) + " m; ";
    }
    return problems;
}

struct Row {
    std::string file;
    std::size_t ours = 0;
    std::size_t babel = 0;
    std::int64_t first = kNoTime;
    std::int64_t last = kNoTime;
    double ours_m = 0;
    double babel_m = 0;
    std::string verdict;
    std::string extra;  // GPX: route points and waypoints, ours/gpsbabel
};

void PrintTable(const char* title, const std::vector<Row>& rows) {
    std::printf("\n%s\n", title);
    std::printf("%-40s %15s  %-24s  %-24s  %24s  %-16s %s\n", "file", "points ours/gps", "first time", "last time",
                "distance m ours/gpsbabel", "rtept,wpt o/g", "verdict");
    for (const Row& row : rows) {
        char points[32];
        char distance[48];
        std::snprintf(points, sizeof(points), "%zu/%zu", row.ours, row.babel);
        std::snprintf(distance, sizeof(distance), "%.1f/%.1f", row.ours_m, row.babel_m);
        std::printf("%-40s %15s  %-24s  %-24s  %24s  %-16s %s\n", row.file.c_str(), points,
                    FormatTime(row.first).c_str(), FormatTime(row.last).c_str(), distance,
                    row.extra.empty() ? "-" : row.extra.c_str(), row.verdict.c_str());
    }
    std::fflush(stdout);
}

std::size_t CountPresent16(const std::vector<std::uint16_t>& column) {
    return static_cast<std::size_t>(
        std::count_if(column.begin(), column.end(), [](std::uint16_t v) { return v != kNoValue16; }));
}
std::size_t CountPresentFloat(const std::vector<float>& column) {
    return static_cast<std::size_t>(
        std::count_if(column.begin(), column.end(), [](float v) { return !std::isnan(v); }));
}
std::size_t CountPresentTime(const std::vector<std::int64_t>& column) {
    return static_cast<std::size_t>(
        std::count_if(column.begin(), column.end(), [](std::int64_t v) { return v != kNoTime; }));
}
std::size_t CountPositions(const Track& track) {
    return static_cast<std::size_t>(
        std::count_if(track.lat_e7.begin(), track.lat_e7.end(), [](std::int32_t v) { return v != kNoPosition; }));
}

/// The files of one testdata folder, by name.
std::set<std::string> FilesIn(const fs::path& dir, const char* extension) {
    std::set<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().extension() == extension) {
            names.insert(entry.path().filename().string());
        }
    }
    return names;
}

template <class Case, std::size_t N>
void CheckTableCoversFolder(const Case (&cases)[N], const std::set<std::string>& files) {
    std::set<std::string> listed;
    for (const Case& expectation : cases) {
        listed.insert(expectation.file);
        EXPECT_TRUE(files.count(expectation.file)) << expectation.file << " is in the table but not in the folder";
    }
    for (const std::string& file : files) {
        EXPECT_TRUE(listed.count(file)) << file << ": new test file without a row in the table; add one";
    }
}

Result<ImportedFile> ParseFile(const fs::path& path, DataType type) {
    const std::string bytes = ReadFile(path);
    return Parse(bytes, type);
}

// ---- tests --------------------------------------------------------------------------------------

class XmlConformance : public ::testing::Test {
protected:
    void SetUp() override {
        STRAVA1_NEED(fs::is_directory(TestdataDir() / "gpx") && fs::is_directory(TestdataDir() / "tcx"),
                     "test data not found at " + TestdataDir().string() + " (set STRAVA1_TESTDATA)");
    }
};

TEST_F(XmlConformance, GpxFilesAsSourcesMdAndGpsbabelDescribeThem) {
    STRAVA1_NEED(Executable(GpsbabelPath()), "gpsbabel not found at " + GpsbabelPath().string() +
                                                 " (apt-get install gpsbabel, or set STRAVA1_GPSBABEL)");
    const fs::path dir = TestdataDir() / "gpx";
    CheckTableCoversFolder(kGpxCases, FilesIn(dir, ".gpx"));

    std::vector<Row> rows;
    for (const GpxCase& expect : kGpxCases) {
        SCOPED_TRACE(expect.file);
        const fs::path path = dir / expect.file;
        if (!fs::exists(path)) {
            continue;
        }
        Result<ImportedFile> parsed = ParseFile(path, DataType::kGpx);
        ASSERT_TRUE(parsed.ok()) << parsed.error().Describe();
        const ImportedFile& file = parsed.value();

        EXPECT_EQ(file.creator.name, expect.creator);
        ASSERT_EQ(file.activities.size(), expect.activities);
        std::vector<const Track*> tracks;
        if (expect.activities == 1) {
            const Activity& activity = file.activities[0];
            const Track& track = activity.track;
            tracks.push_back(&track);
            EXPECT_EQ(track.size(), expect.points);
            EXPECT_EQ(CountPositions(track), expect.points);  // GPX points always have one
            EXPECT_EQ(CountPresentFloat(track.altitude_m), expect.elevations);
            EXPECT_EQ(CountPresentTime(track.time_ms), expect.times);
            EXPECT_EQ(CountPresent16(track.heart_rate_bpm), expect.heart_rates);
            EXPECT_EQ(CountPresent16(track.cadence_rpm), expect.cadences);
            EXPECT_EQ(CountPresentFloat(track.temperature_c), expect.temperatures);
            EXPECT_EQ(CountPresentFloat(track.speed_mps), expect.speeds);
            EXPECT_EQ(activity.timer_events.size(), expect.timer_events);
            EXPECT_EQ(activity.laps.size(), expect.laps);
            EXPECT_EQ(activity.sport, expect.sport);
        }
        EXPECT_EQ(file.routes.size(), expect.routes);
        std::size_t route_points = 0;
        std::vector<const Track*> route_tracks;
        for (const Activity& route : file.routes) {
            route_points += route.track.size();
            route_tracks.push_back(&route.track);
        }
        EXPECT_EQ(route_points, expect.route_points);
        EXPECT_EQ(file.waypoints.size(), expect.waypoints);

        // GPSBabel: tracks point by point, route points and waypoints by count.
        std::optional<std::vector<Sample>> babel = Gpsbabel(path, "gpx", "tracks");
        ASSERT_TRUE(babel) << "gpsbabel failed on " << path;
        std::string documented;
        // GPSBabel keeps track points without a time; we leave them out of
        // the activity, or make the whole track a route when none has a time.
        std::vector<Sample> babel_untimed;
        for (const Sample& sample : *babel) {
            if (sample.time_ms == kNoTime && std::fabs(sample.lat) <= 90) {
                babel_untimed.push_back(sample);
            }
        }
        EXPECT_EQ(babel_untimed.size(), expect.untimed) << "untimed track points";
        babel->erase(std::remove_if(
                         babel->begin(), babel->end(),
                         [](const Sample& sample) { return sample.time_ms == kNoTime && std::fabs(sample.lat) <= 90; }),
                     babel->end());
        if (!babel_untimed.empty()) {
            documented = " (gpsbabel's " + std::to_string(babel_untimed.size()) +
                         " untimed track points: " + (expect.activities == 0 ? "a route here)" : "left out here)");
        }
        const std::size_t markers = static_cast<std::size_t>(std::count_if(
            babel->begin(), babel->end(), [](const Sample& sample) { return std::fabs(sample.lat) > 90; }));
        if (markers != 0) {
            // OpenTracks' legacy pause/resume markers: GPSBabel keeps them as points at latitude 100
            // and 200; we turn them into timer events.
            babel->erase(std::remove_if(babel->begin(), babel->end(),
                                        [](const Sample& sample) { return std::fabs(sample.lat) > 90; }),
                         babel->end());
            documented = " (gpsbabel's " + std::to_string(markers) + " lat>90 pause markers are timer events here)";
        }
        const std::vector<Sample> ours = Positioned(tracks);
        std::string problems = CompareWithGpsbabel(ours, *babel);
        std::optional<std::vector<Sample>> babel_routes = Gpsbabel(path, "gpx", "routes");
        std::optional<std::vector<Sample>> babel_waypoints = Gpsbabel(path, "gpx", "waypoints");
        ASSERT_TRUE(babel_routes && babel_waypoints);
        if (expect.activities == 0) {
            babel_routes->insert(babel_routes->end(), babel_untimed.begin(), babel_untimed.end());
        }
        if (babel_routes->size() != route_points) {
            problems +=
                "route points " + std::to_string(route_points) + " vs " + std::to_string(babel_routes->size()) + "; ";
        }
        const std::vector<Sample> route_samples = Positioned(route_tracks);
        if (!CompareWithGpsbabel(route_samples, *babel_routes).empty()) {
            problems += "routes: " + CompareWithGpsbabel(route_samples, *babel_routes);
        }
        if (babel_waypoints->size() != file.waypoints.size()) {
            problems += "waypoints " + std::to_string(file.waypoints.size()) + " vs " +
                        std::to_string(babel_waypoints->size()) + "; ";
        } else {
            for (std::size_t waypoint_idx = 0; waypoint_idx < file.waypoints.size(); ++waypoint_idx) {
                if (file.waypoints[waypoint_idx].time_ms != (*babel_waypoints)[waypoint_idx].time_ms) {
                    problems += "waypoint " + std::to_string(waypoint_idx) + " time differs; ";
                    break;
                }
            }
        }
        EXPECT_EQ(problems, "") << "GPSBabel disagrees";

        Row row{expect.file,
                ours.size(),
                babel->size(),
                FirstTime(ours),
                LastTime(ours),
                HaversineLength(ours),
                HaversineLength(*babel),
                "",
                ""};
        row.extra = std::to_string(route_points) + "/" + std::to_string(babel_routes->size()) + "," +
                    std::to_string(file.waypoints.size()) + "/" + std::to_string(babel_waypoints->size());
        row.verdict = problems.empty() ? "ok" + documented : "MISMATCH: " + problems;
        if (problems.empty() && *expect.note != '\0') {
            row.verdict += std::string(" - ") + expect.note;
        }
        rows.push_back(row);
    }
    PrintTable("GPX: our import vs GPSBabel 1.8 (tracks)", rows);
}

TEST_F(XmlConformance, TcxFilesAsSourcesMdAndGpsbabelDescribeThem) {
    STRAVA1_NEED(Executable(GpsbabelPath()), "gpsbabel not found at " + GpsbabelPath().string() +
                                                 " (apt-get install gpsbabel, or set STRAVA1_GPSBABEL)");
    const fs::path dir = TestdataDir() / "tcx";
    CheckTableCoversFolder(kTcxCases, FilesIn(dir, ".tcx"));

    std::vector<Row> rows;
    for (const TcxCase& expect : kTcxCases) {
        SCOPED_TRACE(expect.file);
        const fs::path path = dir / expect.file;
        if (!fs::exists(path)) {
            continue;
        }
        Result<ImportedFile> parsed = ParseFile(path, DataType::kTcx);
        ASSERT_TRUE(parsed.ok()) << parsed.error().Describe();
        const ImportedFile& file = parsed.value();

        EXPECT_EQ(file.format, ImportedFile::Format::kTcx);
        EXPECT_EQ(file.creator.name, expect.creator);
        ASSERT_EQ(file.activities.size(), expect.activities);
        ASSERT_EQ(file.routes.size(), expect.courses);
        std::vector<const Track*> tracks;
        std::size_t laps = 0;
        for (const Activity& activity : file.activities) {
            tracks.push_back(&activity.track);
            laps += activity.laps.size();
            // Laps tile the track: contiguous, in order, covering every point.
            std::size_t next = 0;
            for (const Lap& lap : activity.laps) {
                EXPECT_EQ(lap.first_index, next);
                EXPECT_LE(lap.first_index, lap.end_index);
                next = lap.end_index;
            }
            EXPECT_EQ(next, activity.track.size());
        }
        for (const Activity& course : file.routes) {
            tracks.push_back(&course.track);
        }
        if (!file.activities.empty()) {
            EXPECT_EQ(file.activities[0].sport, expect.sport);
        }
        std::size_t points = 0;
        std::size_t positions = 0;
        std::size_t heart_rates = 0;
        std::size_t cadences = 0;
        std::size_t watts = 0;
        for (const Track* track : tracks) {
            points += track->size();
            positions += CountPositions(*track);
            heart_rates += CountPresent16(track->heart_rate_bpm);
            cadences += CountPresent16(track->cadence_rpm);
            watts += CountPresent16(track->power_w);
        }
        EXPECT_EQ(laps, expect.laps);
        EXPECT_EQ(points, expect.points);
        EXPECT_EQ(positions, expect.positions);
        EXPECT_EQ(heart_rates, expect.heart_rates);
        EXPECT_EQ(cadences, expect.cadences);
        EXPECT_EQ(watts, expect.watts);
        EXPECT_EQ(file.waypoints.size(), expect.waypoints);

        // GPSBabel keeps only the points that have a position (so do we here), activities then
        // courses, as one track sequence. Its waypoints are lap starts as well as course points,
        // so they are not compared.
        std::optional<std::vector<Sample>> babel = Gpsbabel(path, "gtrnctr", "tracks");
        ASSERT_TRUE(babel) << "gpsbabel failed on " << path;
        const std::vector<Sample> ours = Positioned(tracks);
        const std::string problems = CompareWithGpsbabel(ours, *babel);
        EXPECT_EQ(problems, "") << "GPSBabel disagrees";
        Row row{expect.file,
                ours.size(),
                babel->size(),
                FirstTime(ours),
                LastTime(ours),
                HaversineLength(ours),
                HaversineLength(*babel),
                problems.empty() ? "ok" : "MISMATCH: " + problems,
                ""};
        if (problems.empty() && *expect.note != '\0') {
            row.verdict += std::string(" - ") + expect.note;
        }
        rows.push_back(row);
    }
    PrintTable("TCX: our import vs GPSBabel 1.8 (positioned track points)", rows);
}

// python-tcxparser's own tests on test.tcx (tests/test_tcxparser.py), recomputed from our samples.
TEST_F(XmlConformance, TcxparserExpectationsForTestTcx) {
    Result<ImportedFile> parsed = ParseFile(TestdataDir() / "tcx" / "test.tcx", DataType::kTcx);
    ASSERT_TRUE(parsed.ok()) << parsed.error().Describe();
    const Activity& run = parsed.value().activities.at(0);
    const Track& track = run.track;
    EXPECT_EQ(run.sport, Sport::kRun);
    EXPECT_EQ(FormatTime(run.start_time_ms), "2012-12-26T21:29:53.000Z");
    EXPECT_EQ(FormatTime(track.time_ms.back()), "2012-12-26T22:03:05.000Z");
    double last_distance = std::nan("");
    for (const double metres : track.distance_m) {
        if (!std::isnan(metres)) {
            last_distance = metres;
        }
    }
    EXPECT_NEAR(last_distance, 4686.31103516, 1e-6);
    ASSERT_TRUE(run.device_summary.timer_s);
    EXPECT_NEAR(*run.device_summary.timer_s, 1992.78, 1e-9);
    EXPECT_EQ(run.device_summary.calories_kcal, 379.0);

    std::vector<int> heart_rates;
    for (const std::uint16_t bpm : track.heart_rate_bpm) {
        if (bpm != kNoValue16) {
            heart_rates.push_back(bpm);
        }
    }
    ASSERT_FALSE(heart_rates.empty());
    const double hr_sum = std::accumulate(heart_rates.begin(), heart_rates.end(), 0.0);
    EXPECT_EQ(*std::min_element(heart_rates.begin(), heart_rates.end()), 60);
    EXPECT_EQ(static_cast<int>(hr_sum / static_cast<double>(heart_rates.size())), 156);
    EXPECT_EQ(*std::max_element(heart_rates.begin(), heart_rates.end()), 189);
    EXPECT_EQ(heart_rates.front(), 62);
    EXPECT_EQ(heart_rates.back(), 180);

    std::vector<double> altitudes;
    for (const float metres : track.altitude_m) {
        if (!std::isnan(metres)) {
            altitudes.push_back(metres);
        }
    }
    const double altitude_sum = std::accumulate(altitudes.begin(), altitudes.end(), 0.0);
    EXPECT_NEAR(altitude_sum / static_cast<double>(altitudes.size()), 172.020056184, 1e-4);
    EXPECT_NEAR(*std::min_element(altitudes.begin(), altitudes.end()), 157.793579102, 1e-4);
    EXPECT_NEAR(*std::max_element(altitudes.begin(), altitudes.end()), 215.95324707, 1e-4);
    double ascent = 0;
    double descent = 0;
    for (std::size_t point_idx = 1; point_idx < altitudes.size(); ++point_idx) {
        const double step = altitudes[point_idx] - altitudes[point_idx - 1];
        (step > 0 ? ascent : descent) += std::fabs(step);
    }
    EXPECT_NEAR(ascent, 153.80981445, 1e-3);
    EXPECT_NEAR(descent, 166.307128903, 1e-3);
    // Pace 07:05 per km: duration over the last distance.
    const int pace_s_per_km = static_cast<int>(*run.device_summary.timer_s / (last_distance / 1000.0));
    EXPECT_EQ(pace_s_per_km / 60, 7);
    EXPECT_EQ(pace_s_per_km % 60, 5);
    EXPECT_EQ(run.description, "Aerobics");
    ASSERT_TRUE(track.HasPositions());
    EXPECT_EQ(track.lat_e7.front(), DegreesToE7(35.951880198));
    EXPECT_EQ(track.lng_e7.front(), DegreesToE7(-79.0931872185));

    // no_hr.tcx is the same run without heart rate: no column at all.
    Result<ImportedFile> no_hr = ParseFile(TestdataDir() / "tcx" / "no_hr.tcx", DataType::kTcx);
    ASSERT_TRUE(no_hr.ok()) << no_hr.error().Describe();
    EXPECT_TRUE(no_hr.value().activities.at(0).track.heart_rate_bpm.empty());
}

// sports-lib's spec expectations that are about the samples (its moving-time figures are
// analytics, not import, and are checked where that is computed).
TEST_F(XmlConformance, SportsLibExpectations) {
    struct HeartRate {
        int avg = 0;
        int max = 0;
    };
    auto heart_rate = [](const Track& track) {
        double sum = 0;
        int count = 0;
        int max = 0;
        for (const std::uint16_t bpm : track.heart_rate_bpm) {
            if (bpm != kNoValue16) {
                sum += bpm;
                ++count;
                max = std::max<int>(max, bpm);
            }
        }
        return HeartRate{count == 0 ? 0 : static_cast<int>(std::lround(sum / count)), max};
    };
    const struct {
        const char* file;
        DataType type;
        Sport sport;
        int avg_hr;
        int max_hr;
    } cases[] = {
        {"gpx/2067489619.gpx", DataType::kGpx, Sport::kRun, 134, 178},
        {"gpx/3939576645.gpx", DataType::kGpx, Sport::kRide, 153, 186},
        {"gpx/4623204522-1.gpx", DataType::kGpx, Sport::kSwim, 74, 115},
        {"tcx/6688025408.tcx", DataType::kTcx, Sport::kOther, 119, 146},  // sports-lib says swimming (from FIT)
    };
    for (const auto& expect : cases) {
        SCOPED_TRACE(expect.file);
        Result<ImportedFile> parsed = ParseFile(TestdataDir() / expect.file, expect.type);
        ASSERT_TRUE(parsed.ok()) << parsed.error().Describe();
        const Activity& activity = parsed.value().activities.at(0);
        EXPECT_EQ(activity.sport, expect.sport);
        const HeartRate hr = heart_rate(activity.track);
        EXPECT_EQ(hr.avg, expect.avg_hr);
        EXPECT_EQ(hr.max, expect.max_hr);
    }
    Result<ImportedFile> swim = ParseFile(TestdataDir() / "gpx" / "4623204522-1.gpx", DataType::kGpx);
    ASSERT_TRUE(swim.ok());
    const Track& swim_track = swim.value().activities.at(0).track;
    EXPECT_EQ(FormatTime(swim_track.time_ms.front()), "2018-10-13T17:05:01.000Z");
    EXPECT_EQ(FormatTime(swim_track.time_ms.back()), "2018-10-13T18:06:29.000Z");

    Result<ImportedFile> pool = ParseFile(TestdataDir() / "tcx" / "6688025408.tcx", DataType::kTcx);
    ASSERT_TRUE(pool.ok());
    const Activity& pool_swim = pool.value().activities.at(0);
    EXPECT_EQ(pool_swim.laps.size(), 36u);
    EXPECT_NEAR(pool_swim.device_summary.distance_m.value_or(0), 2300.0, 0.5);
    EXPECT_EQ(pool_swim.device_summary.calories_kcal, 458.0);
    EXPECT_EQ(static_cast<int>(pool_swim.device_summary.timer_s.value_or(0)), 3963);  // 01:06:03
}

// Every real file is recognised by its first bytes.
TEST_F(XmlConformance, SniffRecognisesEveryFile) {
    for (const auto& [folder, type] : {std::pair{"gpx", DataType::kGpx}, std::pair{"tcx", DataType::kTcx}}) {
        for (const std::string& name :
             FilesIn(TestdataDir() / folder, folder == std::string("gpx") ? ".gpx" : ".tcx")) {
            EXPECT_EQ(SniffDataType(ReadFile(TestdataDir() / folder / name)), type) << folder << "/" << name;
        }
    }
}

}  // namespace
}  // namespace strava1::formats
