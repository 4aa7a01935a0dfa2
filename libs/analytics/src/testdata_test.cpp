// Data-driven: every activity in the collected real files (../shared/testdata, read in place, never
// copied) is analysed; general invariants hold for all, the figures other tools published
// (testdata/SOURCES.md) hold within the tolerances docs/analytics.md documents, and the best-effort
// and mean-max results equal brute-force oracles. Missing test data skips loudly; with
// STRAVA1_REQUIRE_SERVICES=1 it fails.

#include "strava1/testing/testdata.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "pool_swim.hpp"
#include "prepared_track.hpp"
#include "strava1/analytics/analysis.hpp"
#include "strava1/formats/parse.hpp"

#ifndef STRAVA1_TESTDATA_DIR
#error "libs/analytics/CMakeLists.txt defines STRAVA1_TESTDATA_DIR for strava1_analytics_test"
#endif

namespace strava1::analytics {
namespace {

namespace fs = std::filesystem;

using ::strava1::testing::ReadFile;

fs::path DataDir() { return ::strava1::testing::TestdataDir(STRAVA1_TESTDATA_DIR); }



struct Analysed {
    std::string label;  // "fit/2067489619.fit#0"
    formats::Activity activity;
    ActivityAnalysis analysis;
};

struct Collected {
    std::vector<Analysed> activities;
    std::size_t files = 0;             ///< GPX, TCX and FIT files found
    std::vector<std::string> refused;  ///< those the parser refuses ("gpx/x.gpx"), in order
};

// Every activity of every GPX, TCX and FIT file that parses (some fixtures are broken on purpose:
// which ones is checked in TableAndInvariants).
const Collected& Collect() {
    static const Collected collected = [] {
        Collected out;
        for (const char* kind : {"fit", "gpx", "tcx"}) {
            const fs::path dir = DataDir() / kind;
            if (!fs::is_directory(dir)) {
                continue;
            }
            std::vector<fs::path> files;
            for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
                if (entry.is_regular_file() && entry.path().extension() == std::string(".") + kind) {
                    files.push_back(entry.path());
                }
            }
            std::sort(files.begin(), files.end());
            for (const fs::path& path : files) {
                ++out.files;
                const formats::Result<formats::ImportedFile> parsed =
                    formats::Parse(ReadFile(path), *formats::ParseDataType(kind));
                if (!parsed.ok()) {
                    out.refused.push_back(std::string(kind) + "/" + path.filename().string());
                    continue;
                }
                for (std::size_t activity_idx = 0; activity_idx < parsed.value().activities.size(); ++activity_idx) {
                    const formats::Activity& activity = parsed.value().activities[activity_idx];
                    AthleteProfile profile;
                    profile.max_hr_bpm = 190;
                    profile.resting_hr_bpm = 55;
                    profile.ftp_w = 250;
                    profile.age_years = 40;
                    profile.sex = Sex::kMale;
                    out.activities.push_back(Analysed{
                        std::string(kind) + "/" + path.filename().string() + "#" + std::to_string(activity_idx),
                        activity, Analyse(activity, profile)});
                }
            }
        }
        return out;
    }();
    return collected;
}

const std::vector<Analysed>& AllActivities() { return Collect().activities; }

std::string Clock(double seconds) {
    const long total = std::lround(seconds);
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
    return buffer;
}

std::string Opt(const std::optional<double>& value, const char* format = "%.0f") {
    if (!value) {
        return "-";
    }
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), format, *value);
    return buffer;
}

TEST(Testdata, TableAndInvariants) {
    const std::vector<Analysed>& all = AllActivities();
    if (all.empty()) {
        STRAVA1_SKIP_OR_FAIL("no activity files under " + DataDir().string() + " (set STRAVA1_TESTDATA)");
    }
    // MANIFEST.csv: 41 FIT, 41 GPX and 13 TCX files. The parser refuses exactly these (the reasons:
    // libs/formats/src/*_conformance_test.cpp), and the rest hold this many activities.
    const Collected& collected = Collect();
    std::string refused;
    for (const std::string& name : collected.refused) {
        refused += name + " ";
    }
    std::printf("%zu files, %zu activities; refused: %s\n", collected.files, all.size(), refused.c_str());
    EXPECT_EQ(collected.files, 41u + 41u + 13u);
    EXPECT_EQ(refused, "fit/empty-sessions.fit fit/lezyne_super_gps-garmin_fit-sample-bad-endian.fit fit/nick.fit ");
    EXPECT_EQ(all.size(), 87u);
    std::printf("%-48s %-13s %6s %3s %8s %8s %8s %8s %6s %6s %6s %6s %5s %4s %5s %5s %7s %5s\n", "activity", "sport",
                "points", "src", "km", "elapsed", "timer", "moving", "gain", "loss", "rawup", "devup", "avgHR", "max",
                "avgW", "NP", "best1k", "spike");
    for (const Analysed& item : all) {
        const ActivityAnalysis& a = item.analysis;
        std::string best_1k = "-";
        for (const BestEffort& effort : a.best_efforts) {
            if (effort.name == "1k") {
                best_1k = Clock(effort.time_s);
            }
        }
        std::printf("%-48s %-13s %6zu %3d %8.3f %8s %8s %8s %6.1f %6.1f %6.1f %6s %5s %4s %5s %5s %7s %5zu\n",
                    item.label.c_str(), formats::SportName(a.sport), a.point_count, static_cast<int>(a.distance_source),
                    a.distance_total_m / 1000.0, Clock(a.elapsed_s).c_str(), Clock(a.timer_s).c_str(),
                    Clock(a.moving_s).c_str(), a.elevation_gain_m, a.elevation_loss_m, a.elevation_gain_raw_m,
                    Opt(item.activity.device_summary.ascent_m).c_str(), Opt(a.avg_heart_rate_bpm).c_str(),
                    Opt(a.max_heart_rate_bpm).c_str(), Opt(a.avg_power_w).c_str(), Opt(a.normalized_power_w).c_str(),
                    best_1k.c_str(), a.spikes_removed);

        SCOPED_TRACE(item.label);
        EXPECT_EQ(a.point_count, item.activity.track.size());
        EXPECT_LE(a.moving_s, a.timer_s + 1e-6);
        EXPECT_LE(a.timer_s, a.elapsed_s + 1e-6);
        EXPECT_GE(a.distance_total_m, 0.0);
        // The samples' own figures (the summary may take the device's: docs/analytics.md, "Device totals").
        EXPECT_LE(a.totals.ascent.samples.value_or(0), a.elevation_gain_raw_m + 1e-6);
        EXPECT_LE(a.totals.descent.samples.value_or(0), a.elevation_loss_raw_m + 1e-6);
        double split_sum = 0;
        for (const IntervalStats& split : a.splits_km) {
            split_sum += split.distance_m;
            EXPECT_LE(split.distance_m, 1000.0 + 1e-6);
        }
        if (!a.splits_km.empty()) {
            EXPECT_NEAR(split_sum, a.distance_m.back(), 1.0);
        }
        for (std::size_t effort_idx = 1; effort_idx < a.best_efforts.size(); ++effort_idx) {
            EXPECT_GE(a.best_efforts[effort_idx].time_s, a.best_efforts[effort_idx - 1].time_s);
        }
        for (const BestEffort& effort : a.best_efforts) {
            EXPECT_LE(effort.start_index, effort.end_index);
            EXPECT_LT(effort.end_index, std::max<std::size_t>(a.point_count, 1));
        }
        if (a.avg_heart_rate_bpm) {
            EXPECT_LE(*a.avg_heart_rate_bpm, *a.max_heart_rate_bpm);
        }
        double zone_total = 0;
        for (const ZoneTime& zone : a.heart_rate_zones) {
            zone_total += zone.seconds;
        }
        if (!a.heart_rate_zones.empty()) {
            EXPECT_LE(zone_total, a.totals.timer.samples.value_or(0) + 1e-6);
        }
    }
}

// Published figures (testdata/SOURCES.md) and our tolerance for each kind (docs/analytics.md).
struct Expected {
    const char* label;
    std::optional<double> moving_s;
    std::optional<double> elapsed_s;
    std::optional<double> max_hr_bpm;
    std::optional<double> distance_m;
    std::optional<double> ascent_raw_m;
    std::optional<double> descent_raw_m;
    std::optional<double> ascent_m = {};  ///< a smoothed figure (a device's or a tool's)
};

constexpr double kMovingTolerance = 0.03;        // relative, against sports-lib's moving time
constexpr double kDistanceTolerance = 0.03;      // relative: our GPS distance against the device's
constexpr double kMaxHrTolerance = 1.0;          // bpm: sports-lib may take the device's session maximum
constexpr double kRawElevationTolerance = 0.05;  // metres, against python-tcxparser's raw sums
constexpr double kAscentTolerance = 0.05;        // relative, our smoothed gain against a published one

TEST(Testdata, PublishedFigures) {
    const std::vector<Analysed>& all = AllActivities();
    if (all.empty()) {
        STRAVA1_SKIP_OR_FAIL("no activity files under " + DataDir().string() + " (set STRAVA1_TESTDATA)");
    }
    const std::vector<Expected> expected = {
        // python-tcxparser: ascent/descent are raw sums of altitude steps; max HR 189.
        {"tcx/test.tcx#0", {}, {}, 189, {}, 153.80981445, 166.307128903},
        // sports-lib: moving 45:42 (fit) / 44:48 (gpx), elapsed 47:04, distance 4489.39 m, max HR 179 / 178.
        {"fit/2067489619.fit#0", 45 * 60 + 42, 47 * 60 + 4, 179, 4489.39, {}, {}},
        {"gpx/2067489619.gpx#0", 44 * 60 + 48, {}, 178, 4489.39, {}, {}},
        // sports-lib: moving 02:00:42, elapsed 02:04:36, distance 42220.87 m, max HR 186, ascent 668 m.
        {"fit/3939576645.fit#0", 2 * 3600 + 42, 2 * 3600 + 4 * 60 + 36, 186, 42220.87, {}, {}, 668},
        {"gpx/3939576645.gpx#0", 2 * 3600 + 42, 2 * 3600 + 4 * 60 + 36, 186, 42220.87, {}, {}},
        // sports-lib: moving 01:19:37, elapsed 01:23:09, 14004.85 m, max HR 167 (its gpx/tcx are not collected).
        {"fit/6782987395.fit#0", 3600 + 19 * 60 + 37, 3600 + 23 * 60 + 9, 167, 14004.85, {}, {}},
    };
    std::printf("%-24s %-8s %10s %10s %8s\n", "activity", "figure", "published", "ours", "diff");
    for (const Expected& want : expected) {
        const auto found =
            std::find_if(all.begin(), all.end(), [&](const Analysed& item) { return item.label == want.label; });
        if (found == all.end()) {
            ADD_FAILURE() << want.label << " missing from the test data";
            continue;
        }
        const ActivityAnalysis& a = found->analysis;
        const auto report = [&](const char* figure, double published, double ours) {
            std::printf("%-24s %-8s %10.2f %10.2f %+7.2f%%\n", want.label, figure, published, ours,
                        published != 0 ? 100.0 * (ours - published) / published : 0.0);
        };
        if (want.moving_s) {
            report("moving", *want.moving_s, a.moving_s);
            EXPECT_NEAR(a.moving_s, *want.moving_s, kMovingTolerance * *want.moving_s) << want.label;
        }
        if (want.elapsed_s) {
            report("elapsed", *want.elapsed_s, a.elapsed_s);
            EXPECT_NEAR(a.elapsed_s, *want.elapsed_s, 1.0) << want.label;
        }
        if (want.max_hr_bpm) {
            report("maxHR", *want.max_hr_bpm, a.max_heart_rate_bpm.value_or(0));
            EXPECT_NEAR(a.max_heart_rate_bpm.value_or(0), *want.max_hr_bpm, kMaxHrTolerance) << want.label;
        }
        if (want.distance_m) {
            report("distance", *want.distance_m, a.distance_total_m);
            EXPECT_NEAR(a.distance_total_m, *want.distance_m, kDistanceTolerance * *want.distance_m) << want.label;
        }
        if (want.ascent_raw_m) {
            report("rawup", *want.ascent_raw_m, a.elevation_gain_raw_m);
            report("up", *want.ascent_raw_m, a.elevation_gain_m);
            EXPECT_NEAR(a.elevation_gain_raw_m, *want.ascent_raw_m, kRawElevationTolerance) << want.label;
            // Smoothing and hysteresis remove noise, never add climbing.
            EXPECT_LE(a.elevation_gain_m, *want.ascent_raw_m);
            EXPECT_GE(a.elevation_gain_m, 0.5 * *want.ascent_raw_m);
        }
        if (want.ascent_m) {
            report("ascent", *want.ascent_m, a.elevation_gain_m);
            EXPECT_NEAR(a.elevation_gain_m, *want.ascent_m, kAscentTolerance * *want.ascent_m) << want.label;
        }
        if (want.descent_raw_m) {
            report("rawdown", *want.descent_raw_m, a.elevation_loss_raw_m);
            report("down", *want.descent_raw_m, a.elevation_loss_m);
            EXPECT_NEAR(a.elevation_loss_raw_m, *want.descent_raw_m, kRawElevationTolerance) << want.label;
            EXPECT_LE(a.elevation_loss_m, *want.descent_raw_m);
            EXPECT_GE(a.elevation_loss_m, 0.5 * *want.descent_raw_m);
        }
    }
}

// Issue 7, item 5: every swim of the collected files against SOURCES.md (sports-lib's spec), where
// it says something of it. Where we differ, the note says why.
TEST(Testdata, EverySwimAgainstSourcesMd) {
    const std::vector<Analysed>& all = AllActivities();
    if (all.empty()) {
        STRAVA1_SKIP_OR_FAIL("no activity files under " + DataDir().string() + " (set STRAVA1_TESTDATA)");
    }
    struct Swim {
        const char* label;
        std::optional<double> distance_m;
        std::optional<double> calories_kcal;
        std::optional<double> avg_hr_bpm;
        std::optional<double> max_hr_bpm;
        std::optional<double> moving_s;  ///< within 3 %
        std::optional<double> timer_s;   ///< within 1 s
        std::optional<double> elapsed_s;
        std::optional<std::int64_t> start_ms;
        std::size_t laps = 0;
    };
    // 2018-10-13T17:05:01Z, the triathlon's swim start.
    constexpr std::int64_t kTriathlonStart = 1'539'450'301'000;
    const Swim swims[] = {
        // sports-lib gives 57:53 moving for the FIT and 44:06 for the TCX; the watch's own active time
        // (session active_time, the lengths) is 44:06, which we show for both (docs/analytics.md 8a).
        {"fit/6688025408.fit#0", 2300, 458, 126, 146, 44 * 60 + 6, 3963, 3983, {}, 36},
        // The TCX has no elapsed time (1:06:23 is the FIT session's) and no lengths; it says
        // Sport="Other", so its moving time keeps the samples' rule: 40:21 (an exception, see
        // SameWorkoutInEveryFormat). Its average HR is its laps' (118.4; sports-lib's 119 is the samples').
        {"tcx/6688025408.tcx#0", 2300, 458, 119, 146, {}, 3963, {}, {}, 36},
        {"fit/7617306288.fit#0", 150, {}, {}, {}, {}, {}, {}, {}, 6},
        {"fit/4623204522.fit#0", 3933.3, 869, 93, 112, 3600 + 76, 3689, 3689, kTriathlonStart, 0},
        // The leg as Strava exported it: its samples' heart rate (72 against sports-lib's 74).
        {"gpx/4623204522-1.gpx#0", {}, {}, 74, 115, {}, {}, 3600 + 88, kTriathlonStart, 0},
    };
    for (const Swim& want : swims) {
        const auto found =
            std::find_if(all.begin(), all.end(), [&](const Analysed& item) { return item.label == want.label; });
        if (found == all.end()) {
            ADD_FAILURE() << want.label << " missing from the test data";
            continue;
        }
        SCOPED_TRACE(want.label);
        const ActivityAnalysis& a = found->analysis;
        if (want.distance_m) {
            EXPECT_NEAR(a.distance_total_m, *want.distance_m, 0.5);
        }
        if (want.calories_kcal) {
            EXPECT_NEAR(a.calories_kcal, *want.calories_kcal, 0.5);
        }
        if (want.avg_hr_bpm) {
            EXPECT_NEAR(a.avg_heart_rate_bpm.value_or(0), *want.avg_hr_bpm, 2.0);
        }
        if (want.max_hr_bpm) {
            EXPECT_NEAR(a.max_heart_rate_bpm.value_or(0), *want.max_hr_bpm, 0.5);
        }
        if (want.moving_s) {
            EXPECT_NEAR(a.moving_s, *want.moving_s, 0.03 * *want.moving_s);
        }
        if (want.timer_s) {
            EXPECT_NEAR(a.timer_s, *want.timer_s, 1.0);
        }
        if (want.elapsed_s) {
            EXPECT_NEAR(a.elapsed_s, *want.elapsed_s, 1.0);
        }
        if (want.start_ms) {
            EXPECT_EQ(found->activity.start_time_ms, *want.start_ms);
        }
        if (want.laps > 0) {
            EXPECT_EQ(a.laps.size(), want.laps);
        }
    }
}

// Issue 7, item 5: the pool swims of the collected files, from their lengths, against SOURCES.md
// (sports-lib's spec) and the device's own session (read by the Garmin SDK: 46 active lengths,
// active time 2645.813 s for 6688025408.fit).
TEST(Testdata, PoolSwimsFromTheirLengths) {
    const std::vector<Analysed>& all = AllActivities();
    if (all.empty()) {
        STRAVA1_SKIP_OR_FAIL("no activity files under " + DataDir().string() + " (set STRAVA1_TESTDATA)");
    }
    struct Swim {
        const char* label;
        double distance_m;
        std::size_t laps;
        std::size_t lengths;
        std::size_t active_lengths;
        double active_s;
    };
    const Swim swims[] = {
        {"fit/6688025408.fit#0", 2300.0, 36, 64, 46, 2645.813},
        {"fit/7617306288.fit#0", 150.0, 6, 10, 6, 171.373},
    };
    std::printf("%-24s %9s %9s %8s %9s %9s\n", "swim", "distance", "moving", "/100m", "lengths", "efforts");
    for (const Swim& want : swims) {
        const auto found =
            std::find_if(all.begin(), all.end(), [&](const Analysed& item) { return item.label == want.label; });
        if (found == all.end()) {
            ADD_FAILURE() << want.label << " missing from the test data";
            continue;
        }
        SCOPED_TRACE(want.label);
        const ActivityAnalysis& a = found->analysis;
        std::printf("%-24s %9.1f %9.1f %8.1f %9zu %9zu\n", want.label, a.distance_total_m, a.moving_s,
                    a.avg_speed_mps > 0 ? 100.0 / a.avg_speed_mps : 0.0, a.lengths.size(), a.best_efforts.size());
        EXPECT_EQ(a.distance_source, DistanceSource::kLengths);
        EXPECT_DOUBLE_EQ(a.distance_total_m, want.distance_m);
        EXPECT_NEAR(a.moving_s, want.active_s, 0.01 * want.active_s);  // rest is not moving time
        EXPECT_EQ(a.laps.size(), want.laps);
        EXPECT_EQ(a.lengths.size(), want.lengths);
        EXPECT_EQ(static_cast<std::size_t>(std::count_if(a.lengths.begin(), a.lengths.end(),
                                                         [](const SwimLength& length) { return length.active; })),
                  want.active_lengths);
        double lap_distance = 0;
        for (const IntervalStats& lap : a.laps) {
            lap_distance += lap.distance_m;
            EXPECT_EQ(lap.rest, lap.distance_m == 0);
            if (!lap.rest) {
                // A lap's pace is its lengths' (the issue saw 0:02 /100 m for 0.10 km in 1:39).
                EXPECT_GT(100.0 / lap.avg_speed_mps, 60.0);
                EXPECT_LE(lap.moving_s, lap.elapsed_s + 1.0);
            }
        }
        EXPECT_NEAR(lap_distance, want.distance_m, 1e-6);
        for (const BestEffort& effort : a.best_efforts) {
            EXPECT_LT(effort.distance_m / effort.time_s, 2.0) << effort.name;  // not "400 m in 0:01"
        }
    }
}

// SOURCES.md's same-activity sets: one workout in several formats gives close figures
// (docs/analytics.md, section 10). 6782987395's GPX and TCX are not collected.
TEST(Testdata, SameWorkoutInEveryFormat) {
    const std::vector<Analysed>& all = AllActivities();
    if (all.empty()) {
        STRAVA1_SKIP_OR_FAIL("no activity files under " + DataDir().string() + " (set STRAVA1_TESTDATA)");
    }
    struct Pair {
        const char* reference;
        const char* other;
        const char* moving_exception;  ///< why the moving times may differ more, or nullptr
    };
    const Pair pairs[] = {
        {"fit/2067489619.fit#0", "gpx/2067489619.gpx#0", nullptr},
        {"fit/3939576645.fit#0", "gpx/3939576645.gpx#0", nullptr},
        {"fit/4623204522.fit#0", "gpx/4623204522-1.gpx#0", nullptr},
        {"fit/6688025408.fit#0", "tcx/6688025408.tcx#0",
         "the TCX says Sport=\"Other\" and has no lengths: its drill laps at 0.45 m/s are under an unknown sport's "
         "0.5 m/s"},
    };
    const auto find = [&](const char* label) -> const ActivityAnalysis* {
        const auto it = std::find_if(all.begin(), all.end(), [&](const Analysed& item) { return item.label == label; });
        return it == all.end() ? nullptr : &it->analysis;
    };
    std::printf("%-24s %-24s %10s %10s %9s %9s\n", "reference", "other", "m", "m", "moving", "moving");
    for (const Pair& pair : pairs) {
        const ActivityAnalysis* reference = find(pair.reference);
        const ActivityAnalysis* other = find(pair.other);
        if (reference == nullptr || other == nullptr) {
            ADD_FAILURE() << pair.reference << " or " << pair.other << " missing from the test data";
            continue;
        }
        SCOPED_TRACE(pair.other);
        std::printf("%-24s %-24s %10.1f %10.1f %9s %9s%s\n", pair.reference, pair.other, reference->distance_total_m,
                    other->distance_total_m, Clock(reference->moving_s).c_str(), Clock(other->moving_s).c_str(),
                    pair.moving_exception != nullptr ? "  (moving: an exception)" : "");
        EXPECT_NEAR(other->distance_total_m, reference->distance_total_m, 0.03 * reference->distance_total_m);
        if (pair.moving_exception == nullptr) {
            EXPECT_NEAR(other->moving_s, reference->moving_s, 0.03 * reference->moving_s);
        } else {
            EXPECT_GT(std::fabs(other->moving_s - reference->moving_s), 0.03 * reference->moving_s)
                << "no longer an exception: " << pair.moving_exception;
        }
    }
}

// O(n²) oracle for one distance, independent of best_efforts.cpp's two pointers.
double BruteForceBest(const std::vector<double>& t, const std::vector<double>& d, double target_m) {
    double best = std::numeric_limits<double>::infinity();
    const std::size_t n = t.size();
    for (std::size_t end = 1; end < n; ++end) {
        const double start_at = d[end] - target_m;
        for (std::size_t i = 0; i < end; ++i) {
            if (d[i] <= start_at && start_at < d[i + 1]) {
                best = std::min(best, t[end] - (t[i] + (start_at - d[i]) / (d[i + 1] - d[i]) * (t[i + 1] - t[i])));
            }
        }
    }
    for (std::size_t start = 0; start < n; ++start) {
        const double end_at = d[start] + target_m;
        for (std::size_t j = start + 1; j < n; ++j) {
            if (d[j - 1] < end_at && end_at <= d[j]) {
                best =
                    std::min(best, t[j - 1] + (end_at - d[j - 1]) / (d[j] - d[j - 1]) * (t[j] - t[j - 1]) - t[start]);
                break;
            }
        }
    }
    return best;
}

constexpr std::size_t kOraclePointLimit = 2'600;  // keeps the O(n²) oracle to seconds under ASan

TEST(Testdata, BestEffortsEqualTheOracle) {
    const std::vector<Analysed>& all = AllActivities();
    if (all.empty()) {
        STRAVA1_SKIP_OR_FAIL("no activity files under " + DataDir().string() + " (set STRAVA1_TESTDATA)");
    }
    std::size_t checked = 0;
    for (const Analysed& item : all) {
        // Pool swims' efforts are whole lengths (pool_swim_test.cpp), not this stream's optimum.
        if (item.analysis.best_efforts.empty() || item.analysis.point_count > kOraclePointLimit ||
            item.analysis.distance_source == DistanceSource::kLengths) {
            continue;
        }
        const internal::PreparedTrack p = internal::Prepare(item.activity, ParametersFor(item.activity.sport));
        for (const BestEffort& effort : item.analysis.best_efforts) {
            const double expected = BruteForceBest(p.timer, p.d, effort.distance_m);
            EXPECT_NEAR(effort.time_s, expected, 1e-6 * expected + 1e-9) << item.label << " " << effort.name;
            ++checked;
        }
    }
    std::printf("best efforts checked against the oracle: %zu\n", checked);
    // Exact: an activity or an effort that silently dropped out of the comparison shows here.
    EXPECT_EQ(checked, 278u);
}

std::optional<double> BruteForceMeanMax(const std::vector<double>& series, const std::vector<std::uint8_t>& valid,
                                        int duration) {
    std::optional<double> best;
    for (std::size_t start = 0; start + duration <= series.size(); ++start) {
        double total = 0;
        bool ok = true;
        for (int offset = 0; offset < duration && ok; ++offset) {
            ok = valid.empty() || valid[start + offset] != 0;
            total += series[start + offset];
        }
        if (ok && (!best || total / duration > *best)) {
            best = total / duration;
        }
    }
    return best;
}

constexpr std::size_t kOracleSecondsLimit = 6'000;

TEST(Testdata, CurvesEqualTheOracleOnTheResampledData) {
    const std::vector<Analysed>& all = AllActivities();
    if (all.empty()) {
        STRAVA1_SKIP_OR_FAIL("no activity files under " + DataDir().string() + " (set STRAVA1_TESTDATA)");
    }
    std::size_t checked = 0;
    for (const Analysed& item : all) {
        internal::PreparedTrack p = internal::Prepare(item.activity, ParametersFor(item.activity.sport));
        if (const auto pool = internal::ReadPoolSwim(item.activity); pool && p.has_time) {
            internal::ApplyLengths(*pool, p);  // as Analyse does
        }
        const internal::Series1Hz series = internal::Resample1Hz(item.activity.track, p);
        if (series.distance_m.empty() || series.distance_m.size() > kOracleSecondsLimit) {
            continue;
        }
        for (const CurvePoint& point : item.analysis.power_curve) {
            const std::optional<double> expected = BruteForceMeanMax(series.power_w, {}, point.duration_s);
            ASSERT_TRUE(expected.has_value()) << item.label;
            EXPECT_NEAR(point.value, *expected, 1e-9 * *expected + 1e-9) << item.label << " power " << point.duration_s;
            ++checked;
        }
        for (const CurvePoint& point : item.analysis.heart_rate_curve) {
            const std::optional<double> expected =
                BruteForceMeanMax(series.heart_rate_bpm, series.heart_rate_valid, point.duration_s);
            ASSERT_TRUE(expected.has_value()) << item.label;
            EXPECT_NEAR(point.value, *expected, 1e-9 * *expected + 1e-9) << item.label << " hr " << point.duration_s;
            ++checked;
        }
        std::vector<double> per_second(series.distance_m.size() - 1);
        for (std::size_t second = 0; second + 1 < series.distance_m.size(); ++second) {
            per_second[second] = series.distance_m[second + 1] - series.distance_m[second];
        }
        for (const CurvePoint& point : item.analysis.speed_curve) {
            const std::optional<double> expected = BruteForceMeanMax(per_second, {}, point.duration_s);
            ASSERT_TRUE(expected.has_value()) << item.label;
            EXPECT_NEAR(point.value, *expected, 1e-9 * *expected + 1e-9) << item.label << " speed " << point.duration_s;
            ++checked;
        }
    }
    std::printf("curve points checked against the oracle: %zu\n", checked);
    // Exact: an activity or a curve point that silently dropped out of the comparison shows here.
    EXPECT_EQ(checked, 1813u);
}

}  // namespace
}  // namespace strava1::analytics
