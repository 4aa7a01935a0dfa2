// Data-driven conformance of the FIT decoder against real files written by devices and other
// tools, read in place from the shared test data (../shared/testdata/fit; never copied here: some
// are GPL/AGPL). Three checks:
//   1. every file against what shared/testdata/SOURCES.md says of it (counts, sports, the
//      sports-lib and repo expectations, the expected refusals), one table row per file;
//   2. the fit/expected/*.csv record dumps shipped with python-fitparse, field by field;
//   3. the official Garmin FIT SDK (tests/fitsdk/dump.mjs under node): same record count, same
//      timestamps, distance within 0.5 %.
// Missing test data, node or the SDK skips loudly; with STRAVA1_REQUIRE_SERVICES=1 it fails.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/formats/activity.hpp"
#include "strava1/formats/parse.hpp"
#include "strava1/testing/testdata.hpp"

#ifndef STRAVA1_TESTDATA_DIR
#error "libs/formats/CMakeLists.txt defines STRAVA1_TESTDATA_DIR for strava1_formats_test"
#endif
#ifndef STRAVA1_FIXTURES_DIR
#error "libs/formats/CMakeLists.txt defines STRAVA1_FIXTURES_DIR for strava1_formats_test"
#endif

namespace strava1::formats {
namespace {

namespace fs = std::filesystem;

using ::strava1::testing::ReadFile;

fs::path FitDataDir() { return ::strava1::testing::TestdataDir(STRAVA1_TESTDATA_DIR) / "fit"; }

fs::path FitSdkDir() { return fs::path(STRAVA1_FIXTURES_DIR) / ".." / "fitsdk"; }

std::vector<fs::path> FitFiles(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        std::string extension = entry.path().extension().string();
        std::transform(extension.begin(), extension.end(), extension.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (entry.is_regular_file() && extension == ".fit") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// --- 1. SOURCES.md expectations -------------------------------------------------------------

/// What SOURCES.md says of one file (repo expectation first, Garmin JS SDK survey second), in the
/// model's terms. Durations from sports-lib are whole seconds there: compared within 1 s.
struct Expectation {
    const char* file = "";
    const char* error = nullptr;  ///< substring of the reason when the file must be refused
    int records = -1;             ///< record messages in the file
    int untimed = 0;              ///< of those, without a time: left out (docs/formats.md)
    int activities = -1;
    int laps = -1;              ///< over all activities
    std::vector<Sport> sports;  ///< per activity, in time order
    int routes = 0;
    int waypoints = -1;
    // Checked on activities[0] (sports-lib spec values).
    std::optional<double> distance_m;
    std::optional<double> calories_kcal;
    std::optional<double> avg_hr;
    std::optional<double> max_hr;
    std::optional<double> avg_power_w;
    std::optional<double> ascent_m;
    std::optional<double> timer_s;
    std::optional<double> elapsed_s;
    std::optional<double> pool_length_m;
    int active_lengths = -1;
    int lengths = -1;
    std::optional<std::int64_t> start_ms;
    std::optional<std::int64_t> end_ms;  ///< start + elapsed
    const char* creator = nullptr;       ///< case-insensitive substring of Creator::name
    bool power = false;                  ///< a power column (from a developer field where so noted)
    bool first_position_not_zero = false;
    const char* note = "";
};

std::int64_t Utc(int year, int month, int day, int hour, int minute, int second) {
    // days_from_civil (H. Hinnant), for the UTC instants SOURCES.md quotes.
    year -= month <= 2 ? 1 : 0;
    const int era = (year >= 0 ? year : year - 399) / 400;
    const int yoe = year - era * 400;
    const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
    return ((days * 24 + hour) * 60 + minute) * 60 * 1000 + second * 1000LL;
}

const std::vector<Expectation>& Expectations() {
    using S = Sport;
    static const std::vector<Expectation> kTable = {
        {.file = "0134902991.fit",
         .records = 739,
         .activities = 1,
         .laps = 1,
         .sports = {S::kRide},
         .creator = "Onelap",
         .note = "developer fields"},
        {.file = "2015-10-13-08-43-15.fit",
         .records = 221,
         .activities = 1,
         .laps = 1,
         .sports = {S::kRide},
         .creator = "Edge 200"},
        {.file = "20170518-191602-1740899583.fit",
         .records = 1641,
         .activities = 1,
         .laps = 8,
         .sports = {S::kRowing},
         .creator = "Vivoactive HR",
         .note = "fitness_equipment/indoor_rowing, dev fields"},
        {.file = "2067489619.fit",
         .records = 503,
         .activities = 1,
         .laps = 3,
         .sports = {S::kRun},
         .distance_m = 4489.39,
         .avg_hr = 130,
         .max_hr = 179,
         .timer_s = 47 * 60,
         .elapsed_s = 47 * 60 + 4,
         .creator = "Garmin VivoActive HR",
         .note = "sports-lib running (1)"},
        {.file = "27-days-activity.fit",
         .records = 3699,
         .activities = 1,
         .laps = 1,
         .sports = {S::kRide},
         .creator = "Magellan",
         .note = "27 days"},
        {.file = "3939576645.fit",
         .records = 2547,
         .activities = 1,
         .laps = 1,
         .sports = {S::kRide},
         .distance_m = 42220.87,
         .calories_kcal = 1497,
         .avg_hr = 155,
         .max_hr = 186,
         .ascent_m = 668,
         .timer_s = 2 * 3600 + 64,
         .elapsed_s = 2 * 3600 + 4 * 60 + 36,
         .creator = "Garmin Edge 1000",
         .note = "sports-lib cycling (1)"},
        {.file = "4623204522.fit",
         .records = 30582,
         .activities = 5,
         .laps = 73,
         .sports = {S::kSwim, S::kTransition, S::kRide, S::kTransition, S::kRun},
         .distance_m = 3933.3,
         .calories_kcal = 869,
         .avg_hr = 93,
         .max_hr = 112,
         .timer_s = 3600 + 89,
         .elapsed_s = 3600 + 89,
         .start_ms = Utc(2018, 10, 13, 17, 5, 1),
         .end_ms = Utc(2018, 10, 13, 18, 6, 29),
         .creator = "Forerunner 935",
         .note = "sports-lib Ironman, 5 activities"},
        {.file = "6688025408.fit",
         .records = 3964,
         .activities = 1,
         .laps = 36,
         .sports = {S::kSwim},
         .distance_m = 2300,
         .calories_kcal = 458,
         .avg_hr = 126,
         .max_hr = 146,
         .timer_s = 3600 + 6 * 60 + 3,
         .elapsed_s = 3600 + 6 * 60 + 23,
         .pool_length_m = 50,
         .active_lengths = 46,
         .lengths = 64,
         .creator = "Garmin Forerunner 935",
         .note = "sports-lib pool swim (1), chained"},
        {.file = "6782987395.fit",
         .records = 4988,
         .activities = 1,
         .laps = 2,
         .sports = {S::kRun},
         .distance_m = 14004.85,
         .avg_hr = 137,
         .max_hr = 167,
         .timer_s = 3600 + 23 * 60 + 9,
         .elapsed_s = 3600 + 23 * 60 + 9,
         .creator = "Forerunner 945",
         .note = "sports-lib running (2)"},
        {.file = "6909950168.fit",
         .records = 2197,
         .activities = 1,
         .laps = 7,
         .sports = {S::kTrailRun},
         .distance_m = 6458,
         .calories_kcal = 487,
         .avg_hr = 148,
         .max_hr = 161,
         .avg_power_w = 227,
         .timer_s = 36 * 60 + 1,
         .elapsed_s = 36 * 60 + 36,
         .creator = "Suunto 9",
         .power = true,
         .note = "sports-lib Suunto trail run (3)"},
        {.file = "7617306288.fit",
         .records = 10,
         .untimed = 10,
         .activities = 1,
         .laps = 6,
         .sports = {S::kSwim},
         .distance_m = 150,
         .lengths = 10,
         .note = "sports-lib pool swim (4); its 10 records have no timestamp: the lengths carry it"},
        {.file = "Lctns_Instinct.fit",
         .records = 0,
         .activities = 0,
         .waypoints = 0,
         .note = "locations file: not an activity (location messages not read)"},
        {.file = "Settings.fit", .records = 0, .activities = 0, .creator = "Edge 510", .note = "settings file"},
        {.file = "activity-small-fenix2-run.fit",
         .records = 2809,
         .activities = 1,
         .laps = 4,
         .sports = {S::kRun},
         .creator = "Fenix 2"},
        {.file = "antfs-dump.63.fit",
         .records = 686,
         .activities = 1,
         .laps = 1,
         .sports = {S::kRun},
         .creator = "Forerunner 70",
         .note = "compressed timestamps (SDK cannot)"},
        {.file = "broken-dates.fit",
         .records = 3279,
         .activities = 1,
         .sports = {S::kRide},
         .start_ms = Utc(2017, 3, 20, 19, 9, 28),
         .end_ms = Utc(2017, 3, 20, 19, 20, 26) + 83,
         .note = "sports-lib broken session start_time"},
        {.file = "broken-start-latlng.fit",
         .records = 6864,
         .activities = 1,
         .sports = {S::kRide},
         .creator = "SRM",
         .first_position_not_zero = true,
         .note = "sports-lib broken start lat/lng"},
        {.file = "coros-pace-2-cycling-misaligned-fields.fit",
         .records = 11272,
         .activities = 1,
         .laps = 4,
         .sports = {S::kRide},
         .creator = "COROS",
         .note = "field sizes off the profile"},
        {.file = "developer-types-sample.fit",
         .records = 3424,
         .activities = 1,
         .laps = 1,
         .sports = {S::kRun},
         .creator = "Stryd",
         .power = true,
         .note = "power from a developer field"},
        {.file = "empty-activities.fit",
         .records = 2319,
         .activities = 1,
         .creator = "Zwift",
         .note = "data_size 0: recovered (sports-lib refuses)"},
        {.file = "empty-sessions.fit", .error = "empty file", .note = "0 bytes"},
        {.file = "fit-sample.fit",
         .records = 540,
         .activities = 1,
         .laps = 7,
         .sports = {S::kRun},
         .creator = "Forerunner 110"},
        {.file = "fitwrite-track.fit",
         .records = 64,
         .activities = 0,
         .routes = 1,
         .waypoints = 12,
         .note = "course: a route + 12 course points"},
        {.file = "garmin-edge-500-activity.fit",
         .records = 10686,
         .activities = 1,
         .laps = 9,
         .sports = {S::kRide},
         .creator = "Edge 500"},
        {.file = "garmin-edge-800.fit",
         .records = 1286,
         .activities = 1,
         .laps = 1,
         .sports = {S::kRide},
         .creator = "Edge 800"},
        {.file = "garmin-fenix-5-bike.fit",
         .records = 19,
         .activities = 1,
         .laps = 1,
         .sports = {S::kRide},
         .creator = "Fenix 5"},
        {.file = "garmin-fenix-5-run.fit",
         .records = 21,
         .activities = 1,
         .laps = 1,
         .sports = {S::kRun},
         .creator = "Fenix 5"},
        {.file = "garmin-forerunner-10.fit",
         .records = 514,
         .activities = 1,
         .laps = 11,
         .sports = {S::kRun},
         .creator = "Forerunner 10"},
        {.file = "garmin-fr935-cr.fit",
         .records = 7515,
         .activities = 1,
         .laps = 89,
         .sports = {S::kSwim},
         .creator = "Forerunner 935",
         .note = "chained, developer fields"},
        {.file = "garmin-virb-ultra-30.fit",
         .records = 210,
         .activities = 1,
         .laps = 1,
         .sports = {S::kUnknown},
         .start_ms = Utc(2017, 6, 28, 2, 33, 5) + 891,
         .creator = "Garmin",
         .note = "system times made UTC by timestamp_correlation"},
        {.file = "garmin-vivosmart-hr.fit",
         .records = 15,
         .activities = 1,
         .laps = 1,
         .sports = {S::kRun},
         .creator = "Vivosmart HR"},
        {.file = "lezyne_super_gps-garmin_fit-sample-bad-endian.fit",
         .error = "file CRC mismatch",
         .note = "CRC wrong (GPSBabel: recovery mode only)"},
        {.file = "mornindew-broken.fit",
         .records = 6874,
         .activities = 1,
         .laps = 11,
         .sports = {S::kRun},
         .creator = "Forerunner 920XT",
         .note = "developer fields"},
        {.file = "nick.fit", .error = "file CRC mismatch", .note = "badly terminated (fitparse: check_crc=False)"},
        {.file = "null_compressed_speed_dist.fit",
         .records = 1808,
         .activities = 1,
         .laps = 1,
         .sports = {S::kVirtualRide},
         .creator = "Zwift"},
        {.file = "sample_mulitple_header.fit",
         .records = 1773,
         .activities = 5,
         .laps = 5,
         .sports = {S::kSwim, S::kTransition, S::kRide, S::kTransition, S::kRun},
         .creator = "Forerunner 920XT",
         .note = "chained multisport"},
        {.file = "sportslib_garmin.fit",
         .records = 20342,
         .activities = 1,
         .laps = 5,
         .sports = {S::kRun},
         .creator = "Forerunner 910XT"},
        {.file = "tormoder_bpg_garmin.fit",
         .records = 8823,
         .activities = 1,
         .laps = 2,
         .sports = {S::kRide},
         .creator = "Edge 530",
         .power = true,
         .note = ">85 fields in a definition, 10k hrv"},
        {.file = "triathlon_summary_first.fit",
         .records = 4043,
         .activities = 5,
         .laps = 11,
         .sports = {S::kSwim, S::kTransition, S::kRide, S::kTransition, S::kRun},
         .creator = "Forerunner 255",
         .note = "sessions before records"},
        {.file = "unterminated-strings.fit",
         .records = 33,
         .activities = 1,
         .laps = 1,
         .sports = {S::kRide},
         .creator = "Wahoo",
         .note = "strings without NUL"},
        {.file = "valid_only_contain_fileid.fit", .records = 1, .activities = 1, .creator = "Bryton"},
    };
    return kTable;
}

std::string Lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::size_t TotalPoints(const ImportedFile& file) {
    std::size_t total = 0;
    for (const Activity& activity : file.activities) {
        total += activity.track.size();
    }
    for (const Activity& route : file.routes) {
        total += route.track.size();
    }
    return total;
}

void ExpectNear(const char* what, std::optional<double> actual, std::optional<double> expected, double tolerance) {
    if (!expected) {
        return;
    }
    ASSERT_TRUE(actual.has_value()) << what << " missing, expected " << *expected;
    EXPECT_NEAR(*actual, *expected, tolerance) << what;
}

void CheckExpectation(const Expectation& expect, const Result<ImportedFile>& result) {
    if (expect.error != nullptr) {
        ASSERT_FALSE(result.ok()) << "expected a refusal containing \"" << expect.error << "\"";
        EXPECT_NE(result.error().reason.find(expect.error), std::string::npos) << result.error().reason;
        EXPECT_TRUE(result.error().byte_offset.has_value());
        return;
    }
    ASSERT_TRUE(result.ok()) << result.error().reason << " at byte " << result.error().byte_offset.value_or(0) << " ("
                             << result.error().context << ")";
    const ImportedFile& file = result.value();
    EXPECT_EQ(file.format, ImportedFile::Format::kFit);
    if (expect.records >= 0) {
        EXPECT_EQ(TotalPoints(file) + static_cast<std::size_t>(expect.untimed),
                  static_cast<std::size_t>(expect.records))
            << "record points (timed) + untimed records";
    }
    if (expect.activities >= 0) {
        EXPECT_EQ(file.activities.size(), static_cast<std::size_t>(expect.activities)) << "activities";
    }
    EXPECT_EQ(file.routes.size(), static_cast<std::size_t>(expect.routes)) << "routes";
    if (expect.waypoints >= 0) {
        EXPECT_EQ(file.waypoints.size(), static_cast<std::size_t>(expect.waypoints)) << "waypoints";
    }
    if (expect.laps >= 0) {
        std::size_t laps = 0;
        for (const Activity& activity : file.activities) {
            laps += activity.laps.size();
        }
        EXPECT_EQ(laps, static_cast<std::size_t>(expect.laps)) << "laps";
    }
    if (!expect.sports.empty()) {
        std::vector<Sport> sports;
        for (const Activity& activity : file.activities) {
            sports.push_back(activity.sport);
        }
        EXPECT_EQ(sports, expect.sports);
    }
    if (expect.creator != nullptr) {
        EXPECT_NE(Lower(file.creator.name).find(Lower(expect.creator)), std::string::npos)
            << "creator \"" << file.creator.name << "\"";
    }
    // Whatever the file, the Track invariant holds and laps index inside their track.
    for (const Activity& activity : file.activities) {
        const Track& track = activity.track;
        for (const std::size_t size :
             {track.time_ms.size(), track.lat_e7.size(), track.lng_e7.size(), track.altitude_m.size(),
              track.distance_m.size(), track.speed_mps.size(), track.heart_rate_bpm.size(), track.cadence_rpm.size(),
              track.power_w.size(), track.temperature_c.size()}) {
            EXPECT_TRUE(size == 0 || size == track.size()) << "column of " << size << " in a track of " << track.size();
        }
        EXPECT_EQ(track.lat_e7.size(), track.lng_e7.size());
        for (const Lap& lap : activity.laps) {
            EXPECT_LE(lap.first_index, lap.end_index);
            EXPECT_LE(lap.end_index, track.size());
        }
    }
    if (file.activities.empty()) {
        return;
    }
    const Activity& first = file.activities.front();
    const DeviceSummary& summary = first.device_summary;
    ExpectNear("distance_m", summary.distance_m, expect.distance_m, 0.01);
    ExpectNear("calories_kcal", summary.calories_kcal, expect.calories_kcal, 0.5);
    ExpectNear("avg_heart_rate_bpm", summary.avg_heart_rate_bpm, expect.avg_hr, 0.5);
    ExpectNear("max_heart_rate_bpm", summary.max_heart_rate_bpm, expect.max_hr, 0.5);
    ExpectNear("avg_power_w", summary.avg_power_w, expect.avg_power_w, 0.5);
    ExpectNear("ascent_m", summary.ascent_m, expect.ascent_m, 0.5);
    ExpectNear("timer_s", summary.timer_s, expect.timer_s, 1.0);
    ExpectNear("elapsed_s", summary.elapsed_s, expect.elapsed_s, 1.0);
    ExpectNear("pool_length_m", first.pool_length_m, expect.pool_length_m, 0.01);
    if (expect.lengths >= 0) {
        EXPECT_EQ(first.lengths.size(), static_cast<std::size_t>(expect.lengths)) << "lengths";
    }
    if (expect.active_lengths >= 0) {
        EXPECT_EQ(
            std::count_if(first.lengths.begin(), first.lengths.end(), [](const PoolLength& l) { return l.active; }),
            expect.active_lengths)
            << "active lengths";
    }
    if (expect.start_ms) {
        EXPECT_EQ(first.start_time_ms, *expect.start_ms) << "start";
    }
    if (expect.end_ms) {
        ASSERT_TRUE(summary.elapsed_s.has_value());
        EXPECT_NEAR(static_cast<double>(first.start_time_ms) + *summary.elapsed_s * 1000,
                    static_cast<double>(*expect.end_ms), 1000.0)
            << "end";
    }
    if (expect.power) {
        EXPECT_FALSE(first.track.power_w.empty()) << "power column";
    }
    if (expect.first_position_not_zero) {
        const auto it = std::find_if(first.track.lat_e7.begin(), first.track.lat_e7.end(),
                                     [](std::int32_t v) { return v != kNoPosition; });
        ASSERT_NE(it, first.track.lat_e7.end());
        const std::size_t point_idx = static_cast<std::size_t>(it - first.track.lat_e7.begin());
        EXPECT_NE(first.track.lat_e7[point_idx], 0);
        EXPECT_NE(first.track.lng_e7[point_idx], 0);
    }
}

std::string SportsOf(const ImportedFile& file) {
    std::string out;
    for (const Activity& activity : file.activities) {
        if (!out.empty()) {
            out += '/';
        }
        out += SportName(activity.sport);
    }
    return out.empty() ? "-" : out;
}

TEST(FitConformance, EveryFileMatchesSourcesMd) {
    const fs::path dir = FitDataDir();
    if (!fs::is_directory(dir)) {
        STRAVA1_SKIP_OR_FAIL("no FIT test data at " + dir.string() + " (set STRAVA1_TESTDATA)");
    }
    std::map<std::string, const Expectation*> by_name;
    std::vector<std::string> missing;
    for (const Expectation& expect : Expectations()) {
        by_name[expect.file] = &expect;
        if (!fs::exists(dir / expect.file)) {
            missing.push_back(expect.file);
        }
    }
    std::ostringstream table;
    table << "\nFIT conformance against shared/testdata/SOURCES.md\n"
          << std::left << std::setw(52) << "file" << std::setw(8) << "points" << std::setw(6) << "acts" << std::setw(6)
          << "laps" << std::setw(36) << "sports"
          << "result / note\n";
    std::size_t checked = 0;
    for (const fs::path& path : FitFiles(dir)) {
        const std::string name = path.filename().string();
        SCOPED_TRACE(name);
        const auto found = by_name.find(name);
        if (found == by_name.end()) {
            ADD_FAILURE() << name << " has no expectation here: add what SOURCES.md says of it";
            continue;
        }
        const std::string bytes = ReadFile(path);
        const Result<ImportedFile> result = ParseFit(bytes);
        const int failures_before =
            ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
        CheckExpectation(*found->second, result);
        const bool row_ok =
            ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count() == failures_before;
        table << std::setw(52) << name;
        if (result.ok()) {
            std::size_t laps = 0;
            for (const Activity& activity : result.value().activities) {
                laps += activity.laps.size();
            }
            table << std::setw(8) << TotalPoints(result.value()) << std::setw(6) << result.value().activities.size()
                  << std::setw(6) << laps << std::setw(36) << SportsOf(result.value());
        } else {
            table << std::setw(20) << "refused" << std::setw(36) << result.error().reason.substr(0, 34);
        }
        table << (row_ok ? "ok" : "MISMATCH") << "  " << found->second->note << "\n";
        ++checked;
    }
    std::cout << table.str() << checked << " files checked\n";
    if (!missing.empty()) {
        std::string names;
        for (const std::string& name : missing) {
            names += " " + name;
        }
        STRAVA1_SKIP_OR_FAIL("FIT test data missing from " + dir.string() + ":" + names);
    }
    // Every expectation met its file: the 41 FIT files MANIFEST.csv lists (44 under fit/, less the
    // three fit/expected CSVs).
    EXPECT_EQ(checked, Expectations().size());
    EXPECT_EQ(checked, 41U);
}

// --- 2. python-fitparse CSV record dumps ----------------------------------------------------

std::vector<std::string> SplitCsv(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    for (const char c : line) {
        if (c == ',') {
            cells.push_back(cell);
            cell.clear();
        } else if (c != '\r') {
            cell.push_back(c);
        }
    }
    cells.push_back(cell);
    return cells;
}

/// "Sun Sep 25 06:00:22 PDT 2011" (the dump tool's local time, PDT = UTC-7) to Unix ms.
std::optional<std::int64_t> ParseCsvTime(const std::string& text) {
    static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::istringstream in(text);
    std::string weekday;
    std::string month_name;
    std::string clock;
    std::string zone;
    int day = 0;
    int year = 0;
    if (!(in >> weekday >> month_name >> day >> clock >> zone >> year) || clock.size() != 8) {
        return std::nullopt;
    }
    const auto month = std::find(kMonths.begin(), kMonths.end(), month_name);
    if (month == kMonths.end()) {
        return std::nullopt;
    }
    int zone_hours = 0;
    if (zone == "PDT") {
        zone_hours = -7;
    } else if (zone == "PST") {
        zone_hours = -8;
    } else if (zone != "UTC" && zone != "GMT") {
        return std::nullopt;
    }
    const int hour = std::stoi(clock.substr(0, 2));
    const int minute = std::stoi(clock.substr(3, 2));
    const int second = std::stoi(clock.substr(6, 2));
    return Utc(year, static_cast<int>(month - kMonths.begin()) + 1, day, hour, minute, second) -
           zone_hours * 3600LL * 1000;
}

TEST(FitConformance, RecordsMatchFitparseCsvDumps) {
    const fs::path dir = FitDataDir();
    if (!fs::is_directory(dir / "expected")) {
        STRAVA1_SKIP_OR_FAIL("no fit/expected CSVs at " + (dir / "expected").string());
    }
    // The record dumps MANIFEST.csv lists under fit/expected, each beside its FIT file.
    const std::vector<std::string> kDumped = {"garmin-edge-500-activity", "garmin-fenix-5-bike", "garmin-fenix-5-run"};
    std::vector<std::string> listed;
    for (const auto& entry : fs::directory_iterator(dir / "expected")) {
        listed.push_back(entry.path().filename().string());
    }
    std::sort(listed.begin(), listed.end());
    std::vector<std::string> expected_csvs;
    for (const std::string& name : kDumped) {
        expected_csvs.push_back(name + "-records.csv");
        if (!fs::exists(dir / (name + ".fit"))) {
            STRAVA1_SKIP_OR_FAIL("fit/" + name + ".fit, whose records fit/expected dumps, is missing from " +
                                 dir.string());
        }
    }
    EXPECT_EQ(listed, expected_csvs) << "a dump was added or removed: list it in kDumped";
    std::size_t files = 0;
    for (const std::string& dumped : kDumped) {
        const std::string csv_name = dumped + "-records.csv";
        const fs::path fit_path = dir / (dumped + ".fit");
        const fs::directory_entry entry(dir / "expected" / csv_name);
        SCOPED_TRACE(csv_name);
        const Result<ImportedFile> result = ParseFit(ReadFile(fit_path));
        ASSERT_TRUE(result.ok()) << result.error().reason;
        ASSERT_EQ(result.value().activities.size(), 1U);
        const Track& track = result.value().activities[0].track;

        std::ifstream in(entry.path());
        ASSERT_TRUE(in) << entry.path() << " cannot be read";
        std::string line;
        std::getline(in, line);
        const std::vector<std::string> header = SplitCsv(line);
        std::map<std::string, std::size_t> column;
        for (std::size_t col_idx = 0; col_idx < header.size(); ++col_idx) {
            column[header[col_idx]] = col_idx;
        }
        std::size_t row = 0;
        std::size_t mismatches = 0;
        while (std::getline(in, line)) {
            if (line.empty()) {
                continue;
            }
            const std::vector<std::string> cells = SplitCsv(line);
            ASSERT_LT(row, track.size()) << "more CSV rows than points";
            const auto cell = [&](const char* name) -> std::optional<double> {
                const auto it = column.find(name);
                if (it == column.end() || it->second >= cells.size() || cells[it->second].empty()) {
                    return std::nullopt;
                }
                return std::stod(cells[it->second]);
            };
            const auto fail = [&](const char* what, double expected, double actual) {
                if (++mismatches <= 10) {
                    ADD_FAILURE() << "row " << row + 1 << " " << what << ": expected " << expected << ", got "
                                  << actual;
                }
            };
            const std::optional<std::int64_t> time = ParseCsvTime(cells.at(column.at("timestamp")));
            ASSERT_TRUE(time.has_value()) << cells.at(column.at("timestamp"));
            if (track.time_ms.at(row) != *time) {
                fail("timestamp", static_cast<double>(*time), static_cast<double>(track.time_ms.at(row)));
            }
            if (auto hr = cell("heart_rate")) {
                const double actual = track.heart_rate_bpm.empty() ? -1 : track.heart_rate_bpm[row];
                if (actual != *hr) {
                    fail("heart_rate", *hr, actual);
                }
            }
            if (auto cadence = cell("cadence")) {
                // The dump tool writes an invalid cadence as 0.
                const bool missing = track.cadence_rpm.empty() || track.cadence_rpm[row] == kNoValue16;
                const double actual = missing ? 0 : track.cadence_rpm[row];
                if (actual != *cadence) {
                    fail("cadence", *cadence, actual);
                }
            }
            if (auto speed = cell("speed")) {
                const double actual = track.speed_mps.empty() ? -1 : track.speed_mps[row];
                if (std::abs(actual - *speed) > 0.0005) {
                    fail("speed", *speed, actual);
                }
            }
            if (auto distance = cell("distance")) {
                const double actual = track.distance_m.empty() ? -1 : track.distance_m[row];
                if (std::abs(actual - *distance) > 0.005) {
                    fail("distance", *distance, actual);
                }
            }
            if (auto altitude = cell("altitude")) {
                const double actual = track.altitude_m.empty() ? -1e9 : track.altitude_m[row];
                if (std::abs(actual - *altitude) > 0.01) {
                    fail("altitude", *altitude, actual);
                }
            }
            if (auto temperature = cell("temperature")) {
                const double actual = track.temperature_c.empty() ? -1e9 : track.temperature_c[row];
                if (actual != *temperature) {
                    fail("temperature", *temperature, actual);
                }
            }
            const auto lat = cell("position_lat");
            const auto lng = cell("position_long");
            // The dump tool repeats the last valid position where the record has none.
            if (lat && lng && !track.lat_e7.empty() && track.lat_e7[row] != kNoPosition) {
                const double lat_e7 = *lat * (1.8e9 / 2147483648.0);
                const double lng_e7 = *lng * (1.8e9 / 2147483648.0);
                if (std::abs(track.lat_e7[row] - lat_e7) > 0.5 || std::abs(track.lng_e7[row] - lng_e7) > 0.5) {
                    fail("position_lat", lat_e7, track.lat_e7[row]);
                }
            }
            ++row;
        }
        EXPECT_EQ(row, track.size()) << "CSV rows vs points";
        EXPECT_EQ(mismatches, 0U);
        std::cout << csv_name << ": " << row << " records compared field by field, " << mismatches << " mismatches\n";
        ++files;
    }
    EXPECT_EQ(files, kDumped.size());
}

// --- 3. The official Garmin FIT SDK ---------------------------------------------------------

/// Our last valid cumulative distance, in time order over all activities (and routes).
std::optional<double> LastDistance(const ImportedFile& file) {
    std::optional<double> last;
    std::int64_t last_time = std::numeric_limits<std::int64_t>::min();
    std::vector<const Activity*> all;
    for (const Activity& activity : file.activities) {
        all.push_back(&activity);
    }
    for (const Activity& route : file.routes) {
        all.push_back(&route);
    }
    for (const Activity* activity : all) {
        const Track& track = activity->track;
        for (std::size_t point_idx = 0; point_idx < track.distance_m.size(); ++point_idx) {
            const std::int64_t t = track.time_ms.empty() ? last_time : track.time_ms[point_idx];
            if (!std::isnan(track.distance_m[point_idx]) && t >= last_time) {
                last = track.distance_m[point_idx];
                last_time = t;
            }
        }
    }
    return last;
}

TEST(FitConformance, MatchesTheGarminFitSdk) {
    const fs::path dir = FitDataDir();
    if (!fs::is_directory(dir)) {
        STRAVA1_SKIP_OR_FAIL("no FIT test data at " + dir.string() + " (set STRAVA1_TESTDATA)");
    }
    const fs::path sdk = FitSdkDir();
    const fs::path script = fs::weakly_canonical(sdk / "dump.mjs");
    if (!::strava1::testing::RunCommand("node --version 2>/dev/null")) {
        STRAVA1_SKIP_OR_FAIL("node is not installed: cannot compare with the Garmin FIT SDK");
    }
    if (!fs::exists(sdk / "node_modules" / "@garmin" / "fitsdk")) {
        STRAVA1_SKIP_OR_FAIL("@garmin/fitsdk is not installed in " + sdk.string() + " (run scripts/deps.sh)");
    }
    std::ostringstream table;
    table << "\nFIT decoder vs the Garmin FIT SDK (@garmin/fitsdk, node)\n"
          << std::left << std::setw(52) << "file" << std::setw(9) << "ours" << std::setw(9) << "sdk" << std::setw(7)
          << "times" << std::setw(24) << "distance ours/sdk"
          << "verdict\n";
    // What the SDK itself cannot read cleanly (its reason in the table): compressed timestamps, a bad
    // CRC, not FIT at all, its crash on a file with the summary first. Every other file is compared.
    const std::vector<std::string> kNotComparable = {
        "antfs-dump.63.fit",  "empty-activities.fit",
        "empty-sessions.fit", "lezyne_super_gps-garmin_fit-sample-bad-endian.fit",
        "nick.fit",           "triathlon_summary_first.fit"};
    std::vector<std::string> not_compared;
    std::size_t compared = 0;
    for (const fs::path& path : FitFiles(dir)) {
        const std::string name = path.filename().string();
        SCOPED_TRACE(name);
        const Result<ImportedFile> ours = ParseFit(ReadFile(path));
        const std::optional<std::string> output =
            ::strava1::testing::RunCommand("node " + ::strava1::testing::ShellQuote(script.string()) + " " +
                                           ::strava1::testing::ShellQuote(path.string()) + " 2>/dev/null");
        table << std::setw(52) << name;
        if (!output) {
            table << "sdk crashed\n";
            not_compared.push_back(name);
            continue;
        }
        const boost::json::object sdk_out = boost::json::parse(*output).as_object();
        const boost::json::array& errors = sdk_out.at("errors").as_array();
        const bool sdk_clean = sdk_out.at("is_fit").as_bool() && sdk_out.at("integrity").as_bool() && errors.empty();
        const auto sdk_records = static_cast<std::size_t>(sdk_out.at("record_count").as_int64());
        table << std::setw(9) << (ours.ok() ? std::to_string(TotalPoints(ours.value())) : "refused") << std::setw(9)
              << sdk_records;
        if (!sdk_clean) {
            std::string why = !sdk_out.at("is_fit").as_bool()      ? "not FIT"
                              : !sdk_out.at("integrity").as_bool() ? "integrity check failed"
                                                                   : "";
            if (!errors.empty()) {
                why += (why.empty() ? "" : "; ") + std::string(errors.at(0).as_string()).substr(0, 60);
            }
            table << std::setw(7) << "-" << std::setw(24) << "-"
                  << "not compared, SDK: " << why << "\n";
            not_compared.push_back(name);
            continue;
        }
        if (!ours.ok()) {
            ADD_FAILURE() << "the SDK decodes it cleanly, we refuse it: " << ours.error().reason;
            table << "FAIL (we refuse: " << ours.error().reason << ")\n";
            continue;
        }
        const ImportedFile& file = ours.value();

        // Timestamps as multisets (a multisport file is split, the SDK keeps file order). Where the
        // SDK reports the device's relative clock and we corrected it to UTC, the difference must be
        // one constant.
        std::vector<std::int64_t> sdk_times;
        std::size_t sdk_untimed = 0;
        for (const boost::json::value& t : sdk_out.at("record_times_ms").as_array()) {
            if (t.is_null()) {
                ++sdk_untimed;
            } else {
                sdk_times.push_back(t.to_number<std::int64_t>());
            }
        }
        std::vector<std::int64_t> our_times;
        std::size_t our_untimed = 0;
        for (const Activity& activity : file.activities) {
            for (std::size_t point_idx = 0; point_idx < activity.track.size(); ++point_idx) {
                const std::int64_t t = activity.track.time_ms.empty() ? kNoTime : activity.track.time_ms[point_idx];
                if (t == kNoTime) {
                    ++our_untimed;
                } else {
                    our_times.push_back(t);
                }
            }
        }
        for (const Activity& route : file.routes) {
            for (const std::int64_t t : route.track.time_ms) {
                if (t != kNoTime) {
                    our_times.push_back(t);
                }
            }
        }
        // Records without a time are left out (docs/formats.md, "Points without a time").
        EXPECT_EQ(TotalPoints(file) + sdk_untimed, sdk_records) << "record count (ours + the SDK's untimed)";
        EXPECT_EQ(our_untimed, 0U) << "an untimed point was kept";
        std::sort(sdk_times.begin(), sdk_times.end());
        std::sort(our_times.begin(), our_times.end());
        bool times_equal = our_times.size() == sdk_times.size() && our_untimed == 0;
        if (times_equal && !our_times.empty()) {
            const std::int64_t shift = our_times.front() - sdk_times.front();
            constexpr std::int64_t kRelativeLimitMs = 0x10000000LL * 1000 + 631'065'600'000LL;
            const bool relative = sdk_times.front() < kRelativeLimitMs;
            for (std::size_t time_idx = 0; time_idx < our_times.size() && times_equal; ++time_idx) {
                times_equal = our_times[time_idx] - sdk_times[time_idx] == (relative ? shift : 0);
            }
        }
        EXPECT_TRUE(times_equal) << "timestamps differ";

        const std::optional<double> our_distance = LastDistance(file);
        const boost::json::value& sdk_distance_value = sdk_out.at("last_timed_distance_m");
        const std::optional<double> sdk_distance =
            sdk_distance_value.is_null() ? std::nullopt : std::optional<double>(sdk_distance_value.to_number<double>());
        bool distance_ok = our_distance.has_value() == sdk_distance.has_value();
        if (distance_ok && sdk_distance) {
            distance_ok = std::abs(*our_distance - *sdk_distance) <= std::max(0.005 * *sdk_distance, 0.01);
        }
        EXPECT_TRUE(distance_ok) << "distance ours " << our_distance.value_or(-1) << " sdk "
                                 << sdk_distance.value_or(-1);

        // Sessions: one activity each, same elapsed time and distance.
        const boost::json::array& sessions = sdk_out.at("sessions").as_array();
        if (!sessions.empty() && file.routes.empty()) {
            EXPECT_EQ(file.activities.size(), sessions.size()) << "sessions";
            std::vector<double> sdk_elapsed;
            std::vector<double> our_elapsed;
            for (const boost::json::value& session : sessions) {
                const boost::json::value& elapsed = session.at("total_elapsed_time_s");
                sdk_elapsed.push_back(elapsed.is_null() ? -1 : elapsed.to_number<double>());
            }
            for (const Activity& activity : file.activities) {
                our_elapsed.push_back(activity.device_summary.elapsed_s.value_or(-1));
            }
            std::sort(sdk_elapsed.begin(), sdk_elapsed.end());
            std::sort(our_elapsed.begin(), our_elapsed.end());
            ASSERT_EQ(sdk_elapsed.size(), our_elapsed.size());
            for (std::size_t session_idx = 0; session_idx < sdk_elapsed.size(); ++session_idx) {
                EXPECT_NEAR(our_elapsed[session_idx], sdk_elapsed[session_idx], 0.001) << "session elapsed";
            }
        }
        std::ostringstream distances;
        distances << std::fixed << std::setprecision(1) << our_distance.value_or(-1) << "/"
                  << sdk_distance.value_or(-1);
        const bool ok = TotalPoints(file) + sdk_untimed == sdk_records && times_equal && distance_ok;
        table << std::setw(7) << (times_equal ? "same" : "DIFF") << std::setw(24) << distances.str()
              << (ok ? "match" : "MISMATCH") << "\n";
        ++compared;
    }
    std::cout << table.str() << compared << " files compared with the SDK\n";
    EXPECT_EQ(not_compared, kNotComparable);
    EXPECT_EQ(compared, 41U - kNotComparable.size()) << "every other FIT file of MANIFEST.csv";
}

}  // namespace
}  // namespace strava1::formats
