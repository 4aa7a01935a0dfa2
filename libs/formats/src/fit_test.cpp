// Unit tests of the FIT decoder on synthetic files built byte by byte (fit_test_writer.hpp), so
// every rule of docs/formats.md "## FIT" is pinned by a file we fully control.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "fit_crc.hpp"
#include "fit_profile.hpp"
#include "fit_test_writer.hpp"
#include "strava1/formats/activity.hpp"
#include "strava1/formats/parse.hpp"

namespace strava1::formats {
namespace {

using fit::testing::BuildRunActivity;
using fit::testing::DefineFullRecord;
using fit::testing::FitTime;
using fit::testing::FitWriter;
using fit::testing::kStartUnixS;
using fit::testing::Semicircles;
using fit::testing::Value;
using fit::testing::WriteFileId;
using fit::testing::WriteFullRecord;
using fit::testing::WriteLap;
using fit::testing::WriteSession;
using fit::testing::WriteTimerEvent;
namespace base = fit::testing::base;
namespace global = fit::testing::global;

constexpr std::int64_t kStartMs = kStartUnixS * 1000;

ImportedFile ParseOk(const std::string& bytes, const Limits& limits = {}) {
    Result<ImportedFile> result = ParseFit(bytes, limits);
    EXPECT_TRUE(result.ok()) << (result.ok() ? ""
                                             : result.error().reason + " at byte " +
                                                   std::to_string(result.error().byte_offset.value_or(0)) + " (" +
                                                   result.error().context + ")");
    if (!result.ok()) {
        return {};
    }
    return std::move(result).value();
}

ParseError ParseFails(const std::string& bytes, const Limits& limits = {}) {
    Result<ImportedFile> result = ParseFit(bytes, limits);
    EXPECT_FALSE(result.ok());
    if (result.ok()) {
        return {};
    }
    return result.error();
}

std::uint64_t U(std::uint64_t value) { return value; }

// --- CRC ------------------------------------------------------------------------------------

TEST(FitCrc, ReproducesThePublishedVector) {
    // shared/reference/test-vectors.md 11.6: CRC-16 with Garmin's nibble table = CRC-16/ARC.
    EXPECT_EQ(fit::FitCrc16("123456789"), 0xBB3D);
    EXPECT_EQ(fit::FitCrc16(""), 0x0000);
    // Continuing a CRC equals computing it in one go.
    EXPECT_EQ(fit::FitCrc16("6789", fit::FitCrc16("12345")), 0xBB3D);
}

// --- Decoding values ------------------------------------------------------------------------

TEST(FitParse, DecodesRecordsWithProfileScaleAndOffset) {
    const ImportedFile file = ParseOk(BuildRunActivity(10));
    EXPECT_EQ(file.format, ImportedFile::Format::kFit);
    EXPECT_EQ(file.creator.manufacturer, "Garmin");
    EXPECT_EQ(file.creator.product, "Forerunner 935");
    EXPECT_EQ(file.creator.name, "Garmin Forerunner 935");
    EXPECT_EQ(file.creator.serial_number, 12345U);
    ASSERT_EQ(file.activities.size(), 1U);
    const Activity& activity = file.activities[0];
    EXPECT_EQ(activity.sport, Sport::kRun);
    EXPECT_EQ(activity.start_time_ms, kStartMs);
    const Track& track = activity.track;
    ASSERT_EQ(track.size(), 10U);
    ASSERT_EQ(track.time_ms.size(), 10U);
    EXPECT_EQ(track.time_ms[0], kStartMs);
    EXPECT_EQ(track.time_ms[9], kStartMs + 9000);
    // Semicircles to 1e-7 degrees, within the rounding of the semicircle itself (~84 nanodegrees).
    EXPECT_NEAR(E7ToDegrees(track.lat_e7[0]), 46.05, 1e-6);
    EXPECT_NEAR(E7ToDegrees(track.lng_e7[0]), 14.5, 1e-6);
    EXPECT_NEAR(E7ToDegrees(track.lat_e7[9]), 46.05018, 1e-6);
    // altitude: raw / 5 - 500
    EXPECT_FLOAT_EQ(track.altitude_m[0], 300.0F);
    EXPECT_FLOAT_EQ(track.altitude_m[7], 307.0F);
    // distance: raw / 100, speed: raw / 1000
    EXPECT_DOUBLE_EQ(track.distance_m[9], 27.0);
    EXPECT_FLOAT_EQ(track.speed_mps[3], 3.0F);
    EXPECT_EQ(track.heart_rate_bpm[5], 125);
    EXPECT_EQ(track.cadence_rpm[5], 85);
    EXPECT_EQ(track.power_w[5], 255);
    EXPECT_FLOAT_EQ(track.temperature_c[0], 20.0F);
    ASSERT_EQ(activity.laps.size(), 1U);
    EXPECT_EQ(activity.laps[0].first_index, 0U);
    EXPECT_EQ(activity.laps[0].end_index, 10U);
    EXPECT_EQ(activity.laps[0].trigger, "session_end");
    EXPECT_DOUBLE_EQ(activity.laps[0].elapsed_s.value_or(0), 9.0);
    ASSERT_EQ(activity.timer_events.size(), 2U);
    EXPECT_TRUE(activity.timer_events[0].running);
    EXPECT_FALSE(activity.timer_events[1].running);
    EXPECT_EQ(activity.timer_events[1].time_ms, kStartMs + 9000);
    EXPECT_DOUBLE_EQ(activity.device_summary.elapsed_s.value_or(0), 9.0);
    EXPECT_DOUBLE_EQ(activity.device_summary.distance_m.value_or(0), 27.0);
    EXPECT_DOUBLE_EQ(activity.device_summary.avg_heart_rate_bpm.value_or(0), 140.0);
}

TEST(FitParse, BigEndianGivesTheSameValuesAsLittleEndian) {
    const ImportedFile little = ParseOk(BuildRunActivity(25, false));
    const ImportedFile big = ParseOk(BuildRunActivity(25, true));
    ASSERT_EQ(little.activities.size(), 1U);
    ASSERT_EQ(big.activities.size(), 1U);
    const Track& a = little.activities[0].track;
    const Track& b = big.activities[0].track;
    EXPECT_EQ(a.time_ms, b.time_ms);
    EXPECT_EQ(a.lat_e7, b.lat_e7);
    EXPECT_EQ(a.lng_e7, b.lng_e7);
    EXPECT_EQ(a.altitude_m, b.altitude_m);
    EXPECT_EQ(a.distance_m, b.distance_m);
    EXPECT_EQ(a.heart_rate_bpm, b.heart_rate_bpm);
    EXPECT_EQ(a.power_w, b.power_w);
    EXPECT_EQ(big.creator.name, "Garmin Forerunner 935");
    EXPECT_EQ(big.activities[0].device_summary.elapsed_s, little.activities[0].device_summary.elapsed_s);
}

TEST(FitParse, AcceptsTwelveByteHeaderAndZeroHeaderCrc) {
    const ImportedFile twelve = ParseOk(BuildRunActivity(3, false, false));
    ASSERT_EQ(twelve.activities.size(), 1U);
    EXPECT_EQ(twelve.activities[0].track.size(), 3U);

    std::string zero_crc = BuildRunActivity(3);
    zero_crc[12] = 0;
    zero_crc[13] = 0;
    // The file CRC covers the header, so it must be recomputed after the edit.
    const std::uint16_t crc = fit::FitCrc16(std::string_view(zero_crc).substr(0, zero_crc.size() - 2));
    zero_crc[zero_crc.size() - 2] = static_cast<char>(crc & 0xFF);
    zero_crc[zero_crc.size() - 1] = static_cast<char>(crc >> 8);
    EXPECT_EQ(ParseOk(zero_crc).activities.size(), 1U);
}

TEST(FitParse, InvalidValuesBecomeMarkersAndAllInvalidColumnsStayEmpty) {
    FitWriter writer;
    WriteFileId(writer);
    DefineFullRecord(writer);
    // Point 0: every field invalid except time. Point 1: valid values.
    writer.Data(1, {U(FitTime(kStartUnixS)), U(0x7FFFFFFF), U(0x7FFFFFFF), U(0xFFFF), U(0xFF), U(0xFF), U(0xFFFFFFFF),
                    U(0xFFFF), U(0xFFFF), U(0x7F)});
    writer.Data(1, {U(FitTime(kStartUnixS + 1)), U(Semicircles(10.0)), U(Semicircles(20.0)), U(0xFFFF), U(150), U(0xFF),
                    U(1000), U(0xFFFF), U(0xFFFF), U(0x7F)});
    const ImportedFile file = ParseOk(writer.Finish());
    ASSERT_EQ(file.activities.size(), 1U);
    const Track& track = file.activities[0].track;
    ASSERT_EQ(track.size(), 2U);
    ASSERT_EQ(track.lat_e7.size(), 2U);
    EXPECT_EQ(track.lat_e7[0], kNoPosition);
    EXPECT_EQ(track.lng_e7[0], kNoPosition);
    EXPECT_NEAR(E7ToDegrees(track.lat_e7[1]), 10.0, 1e-6);
    ASSERT_EQ(track.heart_rate_bpm.size(), 2U);
    EXPECT_EQ(track.heart_rate_bpm[0], kNoValue16);
    EXPECT_EQ(track.heart_rate_bpm[1], 150);
    ASSERT_EQ(track.distance_m.size(), 2U);
    EXPECT_TRUE(std::isnan(track.distance_m[0]));
    EXPECT_DOUBLE_EQ(track.distance_m[1], 10.0);
    EXPECT_TRUE(track.altitude_m.empty());
    EXPECT_TRUE(track.cadence_rpm.empty());
    EXPECT_TRUE(track.speed_mps.empty());
    EXPECT_TRUE(track.power_w.empty());
    EXPECT_TRUE(track.temperature_c.empty());
}

TEST(FitParse, PositionZeroZeroIsNoFix) {
    FitWriter writer;
    writer.Define(1, global::kRecord, {{253, 4, base::kUint32}, {0, 4, base::kSint32}, {1, 4, base::kSint32}});
    writer.Data(1, {U(FitTime(kStartUnixS)), U(0), U(0)});
    writer.Data(1, {U(FitTime(kStartUnixS + 1)), U(Semicircles(1.0)), U(Semicircles(2.0))});
    const ImportedFile file = ParseOk(writer.Finish());
    ASSERT_EQ(file.activities.size(), 1U);
    const Track& track = file.activities[0].track;
    ASSERT_EQ(track.lat_e7.size(), 2U);
    EXPECT_EQ(track.lat_e7[0], kNoPosition);
    EXPECT_NE(track.lat_e7[1], kNoPosition);
}

TEST(FitParse, EnhancedFieldsWinOverTheirShortForms) {
    FitWriter writer;
    writer.Define(1, global::kRecord,
                  {{253, 4, base::kUint32},
                   {2, 2, base::kUint16},
                   {78, 4, base::kUint32},
                   {6, 2, base::kUint16},
                   {73, 4, base::kUint32}});
    // altitude 100 m vs enhanced 5000 m (beyond uint16's range after scale/offset); speed 1 vs 70 m/s.
    writer.Data(1, {U(FitTime(kStartUnixS)), U((100 + 500) * 5), U((5000 + 500) * 5), U(1000), U(70000)});
    const ImportedFile file = ParseOk(writer.Finish());
    const Track& track = file.activities.at(0).track;
    EXPECT_FLOAT_EQ(track.altitude_m.at(0), 5000.0F);
    EXPECT_FLOAT_EQ(track.speed_mps.at(0), 70.0F);
}

TEST(FitParse, ArrayFieldsUseTheirFirstElementAndMisalignedFieldsAreSkipped) {
    FitWriter writer;
    // heart_rate as a uint8[3] array; cadence declared uint16 with 3 bytes (not a multiple of 2: the
    // bytes are skipped); power after them must still be read at the right offset.
    writer.Define(1, global::kRecord,
                  {{253, 4, base::kUint32}, {3, 3, base::kUint8}, {4, 3, base::kUint16}, {7, 2, base::kUint16}});
    writer.Data(1, {U(FitTime(kStartUnixS)), std::string("\x8C\x01\x02", 3), std::string("\x10\x20\x30", 3), U(321)});
    const ImportedFile file = ParseOk(writer.Finish());
    const Track& track = file.activities.at(0).track;
    EXPECT_EQ(track.heart_rate_bpm.at(0), 140);
    EXPECT_TRUE(track.cadence_rpm.empty());
    EXPECT_EQ(track.power_w.at(0), 321);
}

TEST(FitParse, DeclaredTypesOutsideTheProfileCannotOverflow) {
    // Fields declared as float64 holding 1e300: read with the declared type, then refused as out of
    // range instead of overflowing a float column or the time arithmetic (UBSan is the oracle).
    std::uint64_t huge = 0;
    const double value = 1e300;
    std::memcpy(&huge, &value, sizeof huge);
    FitWriter writer;
    writer.Define(1, global::kRecord,
                  {{253, 4, base::kUint32}, {0, 8, 0x89}, {1, 8, 0x89}, {2, 8, 0x89}, {13, 8, 0x89}});
    writer.Data(1, {U(FitTime(kStartUnixS)), U(huge), U(huge), U(huge), U(huge)});
    writer.Define(2, global::kSession, {{253, 4, base::kUint32}, {7, 8, 0x89}, {8, 8, 0x89}});
    writer.Data(2, {U(FitTime(kStartUnixS)), U(huge), U(huge)});
    writer.Define(3, global::kLap, {{253, 4, base::kUint32}, {7, 8, 0x89}});
    writer.Data(3, {U(FitTime(kStartUnixS)), U(huge)});
    const ImportedFile file = ParseOk(writer.Finish());
    ASSERT_EQ(file.activities.size(), 1U);
    const Activity& activity = file.activities[0];
    EXPECT_TRUE(activity.track.lat_e7.empty());
    EXPECT_TRUE(activity.track.altitude_m.empty());
    EXPECT_TRUE(activity.track.temperature_c.empty());
    EXPECT_FALSE(activity.device_summary.elapsed_s.has_value());
    EXPECT_EQ(activity.start_time_ms, kStartMs);
    ASSERT_EQ(activity.laps.size(), 1U);
    EXPECT_FALSE(activity.laps[0].elapsed_s.has_value());
}

TEST(FitParse, FieldSmallerThanItsBaseTypeIsSkipped) {
    FitWriter writer;
    writer.Define(1, global::kRecord, {{253, 4, base::kUint32}, {5, 2, base::kUint32}, {3, 1, base::kUint8}});
    writer.Data(1, {U(FitTime(kStartUnixS)), U(500), U(99)});
    const ImportedFile file = ParseOk(writer.Finish());
    const Track& track = file.activities.at(0).track;
    EXPECT_TRUE(track.distance_m.empty());
    EXPECT_EQ(track.heart_rate_bpm.at(0), 99);
}

TEST(FitParse, UnterminatedAndInvalidUtf8StringsAreKeptSafely) {
    FitWriter writer;
    writer.Define(0, global::kFileId,
                  {{0, 1, base::kEnum}, {1, 2, base::kUint16}, {2, 2, base::kUint16}, {8, 6, base::kString}});
    // No NUL inside the 6 bytes; the second product name byte is not UTF-8.
    writer.Data(0, {U(4), U(32), U(37), std::string("ELEMNT")});
    writer.Define(1, global::kRecord, {{253, 4, base::kUint32}});
    writer.Data(1, {U(FitTime(kStartUnixS))});
    const ImportedFile file = ParseOk(writer.Finish());
    EXPECT_EQ(file.creator.manufacturer, "Wahoo Fitness");
    EXPECT_EQ(file.creator.product, "ELEMNT");
    EXPECT_EQ(file.creator.name, "Wahoo Fitness ELEMNT");

    FitWriter bad;
    bad.Define(0, global::kFileId, {{0, 1, base::kEnum}, {1, 2, base::kUint16}, {8, 4, base::kString}});
    bad.Data(0, {U(4), U(9999), std::string("A\xC3(B", 4)});
    const ImportedFile bad_file = ParseOk(bad.Finish());
    EXPECT_EQ(bad_file.creator.product, "A?(B");
    EXPECT_EQ(bad_file.creator.manufacturer, "9999");
}

TEST(FitParse, CreatorNameDoesNotRepeatTheMaker) {
    FitWriter writer;
    writer.Define(0, global::kFileId,
                  {{0, 1, base::kEnum}, {1, 2, base::kUint16}, {2, 2, base::kUint16}, {8, 16, base::kString}});
    writer.Data(0, {U(4), U(294), U(802), std::string("COROS PACE 2")});
    const ImportedFile file = ParseOk(writer.Finish());
    EXPECT_EQ(file.creator.manufacturer, "COROS");
    EXPECT_EQ(file.creator.name, "COROS PACE 2");
    EXPECT_TRUE(file.activities.empty());
}

// --- Compressed timestamps ------------------------------------------------------------------

TEST(FitParse, CompressedTimestampsRollOverTheFiveBitOffset) {
    FitWriter writer;
    // Base time with low five bits = 30.
    const std::uint32_t base_time = (FitTime(kStartUnixS) & ~0x1FU) + 30;
    writer.Define(0, global::kRecord, {{253, 4, base::kUint32}, {3, 1, base::kUint8}});
    writer.Data(0, {U(base_time), U(100)});
    writer.Define(1, global::kRecord, {{3, 1, base::kUint8}});
    writer.CompressedData(1, 31, {U(101)});  // +1
    writer.CompressedData(1, 2, {U(102)});   // rolled over: +3 more
    writer.CompressedData(1, 2, {U(103)});   // same second again
    writer.CompressedData(1, 10, {U(104)});  // +8
    const ImportedFile file = ParseOk(writer.Finish());
    const Track& track = file.activities.at(0).track;
    ASSERT_EQ(track.size(), 5U);
    const std::int64_t t0 = fit::FitTimeToUnixMs(base_time);
    EXPECT_EQ(track.time_ms[0], t0);
    EXPECT_EQ(track.time_ms[1], t0 + 1000);
    EXPECT_EQ(track.time_ms[2], t0 + 4000);
    EXPECT_EQ(track.time_ms[3], t0 + 4000);
    EXPECT_EQ(track.time_ms[4], t0 + 12000);
    EXPECT_EQ(track.heart_rate_bpm[4], 104);
}

TEST(FitParse, CompressedTimestampWithoutABaseHasNoTime) {
    FitWriter writer;
    writer.Define(0, global::kRecord, {{3, 1, base::kUint8}});
    writer.CompressedData(0, 5, {U(100)});
    const ImportedFile file = ParseOk(writer.Finish());
    // Without any time and without a session that dates it, it is no recorded activity
    // (docs/formats.md, "Points without a time").
    EXPECT_TRUE(file.activities.empty());
    const Track& track = file.routes.at(0).track;
    EXPECT_EQ(track.size(), 1U);
    EXPECT_TRUE(track.time_ms.empty());
    EXPECT_EQ(track.heart_rate_bpm.at(0), 100);
}

TEST(FitParse, CompressedSpeedDistanceAccumulatesAcrossItsRollover) {
    FitWriter writer;
    writer.Define(1, global::kRecord, {{253, 4, base::kUint32}, {8, 3, base::kByte}});
    // speed in the low 12 bits (1/100 m/s), distance in the high 12 bits (1/16 m, rolling at 256 m).
    const auto packed = [](std::uint32_t speed, std::uint32_t distance) {
        const std::uint32_t bits = speed | (distance << 12);
        return std::string{static_cast<char>(bits & 0xFF), static_cast<char>((bits >> 8) & 0xFF),
                           static_cast<char>((bits >> 16) & 0xFF)};
    };
    writer.Data(1, {U(FitTime(kStartUnixS)), packed(300, 16)});        // 1 m
    writer.Data(1, {U(FitTime(kStartUnixS + 1)), packed(250, 4080)});  // 255 m
    writer.Data(1, {U(FitTime(kStartUnixS + 2)), packed(250, 32)});    // rolled over: 258 m
    writer.Data(1, {U(FitTime(kStartUnixS + 3)), std::string("\xFF\xFF\xFF", 3)});
    const ImportedFile file = ParseOk(writer.Finish());
    const Track& track = file.activities.at(0).track;
    ASSERT_EQ(track.distance_m.size(), 4U);
    EXPECT_DOUBLE_EQ(track.distance_m[0], 1.0);
    EXPECT_DOUBLE_EQ(track.distance_m[1], 255.0);
    EXPECT_DOUBLE_EQ(track.distance_m[2], 258.0);
    EXPECT_TRUE(std::isnan(track.distance_m[3]));
    EXPECT_FLOAT_EQ(track.speed_mps[0], 3.0F);
    EXPECT_FLOAT_EQ(track.speed_mps[2], 2.5F);
}

TEST(FitParse, TimestampCorrelationTurnsSystemTimesIntoUtc) {
    // A camera that counts seconds from power-on (values below 0x10000000) and says once, at the
    // end, which UTC instant its system time 100 was.
    FitWriter writer;
    writer.Define(1, global::kRecord, {{253, 4, base::kUint32}, {3, 1, base::kUint8}});
    writer.Data(1, {U(98), U(100)});
    writer.Data(1, {U(99), U(101)});
    writer.Define(2, 162,
                  {{253, 4, base::kUint32}, {1, 4, base::kUint32}, {4, 2, base::kUint16}, {5, 2, base::kUint16}});
    writer.Data(2, {U(FitTime(kStartUnixS)), U(100), U(250), U(0)});
    const ImportedFile file = ParseOk(writer.Finish());
    const Track& track = file.activities.at(0).track;
    ASSERT_EQ(track.time_ms.size(), 2U);
    EXPECT_EQ(track.time_ms[0], kStartMs + 250 - 2000);
    EXPECT_EQ(track.time_ms[1], kStartMs + 250 - 1000);
    EXPECT_EQ(file.activities[0].start_time_ms, kStartMs + 250 - 2000);
}

// --- Developer fields -----------------------------------------------------------------------

std::string FileWithDeveloperFields(bool big_endian) {
    FitWriter writer;
    WriteFileId(writer, big_endian);
    writer.Define(2, global::kDeveloperDataId, {{1, 16, base::kByte}, {3, 1, base::kUint8}}, big_endian);
    writer.Data(2, {std::string(16, '\x42'), U(0)});
    writer.Define(3, global::kFieldDescription,
                  {{0, 1, base::kUint8},
                   {1, 1, base::kUint8},
                   {2, 1, base::kUint8},
                   {3, 16, base::kString},
                   {8, 8, base::kString}},
                  big_endian);
    writer.Data(3, {U(0), U(0), U(0x84), std::string("Power"), std::string("Watts")});
    writer.Data(3, {U(0), U(1), U(0x86), std::string("Form Power"), std::string("Watts")});
    writer.Data(3, {U(0), U(2), U(0x07), std::string("Note"), std::string("")});
    // The record: heart rate, then developer fields 1 (unknown, 4 bytes), 2 (a 5-byte string), 0 (power).
    writer.Define(1, global::kRecord, {{253, 4, base::kUint32}, {3, 1, base::kUint8}}, big_endian,
                  {{1, 4, 0}, {2, 5, 0}, {0, 2, 0}});
    for (std::uint64_t point_idx = 0; point_idx < 3; ++point_idx) {
        writer.Data(1, {U(FitTime(kStartUnixS + static_cast<std::int64_t>(point_idx))), U(120 + point_idx),
                        U(0xDEADBEEF), std::string("abcde"), U(200 + point_idx)});
    }
    // A record definition whose developer field has no description: skipped by its size.
    writer.Define(4, global::kRecord, {{253, 4, base::kUint32}, {3, 1, base::kUint8}}, big_endian, {{9, 3, 5}});
    writer.Data(4, {U(FitTime(kStartUnixS + 3)), U(130), std::string("xyz")});
    return writer.Finish();
}

TEST(FitParse, DeveloperFieldsAreSkippedByTheirSizeAndPowerIsKept) {
    for (const bool big_endian : {false, true}) {
        SCOPED_TRACE(big_endian ? "big endian" : "little endian");
        const ImportedFile file = ParseOk(FileWithDeveloperFields(big_endian));
        ASSERT_EQ(file.activities.size(), 1U);
        const Track& track = file.activities[0].track;
        ASSERT_EQ(track.size(), 4U);
        EXPECT_EQ(track.heart_rate_bpm, (std::vector<std::uint16_t>{120, 121, 122, 130}));
        ASSERT_EQ(track.power_w.size(), 4U);
        EXPECT_EQ(track.power_w[0], 200);
        EXPECT_EQ(track.power_w[2], 202);
        EXPECT_EQ(track.power_w[3], kNoValue16);
        EXPECT_EQ(track.time_ms[3], kStartMs + 3000);
    }
}

// --- Chained files, sessions and multisport -------------------------------------------------

TEST(FitParse, ChainedFilesAreReadOneAfterAnother) {
    FitWriter first;
    WriteFileId(first);
    DefineFullRecord(first);
    for (std::size_t point_idx = 0; point_idx < 5; ++point_idx) {
        WriteFullRecord(first, point_idx);
    }
    WriteSession(first, kStartUnixS, 4, 5, 18);
    FitWriter second;
    // Definitions do not carry over: the second file defines its own.
    DefineFullRecord(second, true);
    for (std::size_t point_idx = 10; point_idx < 13; ++point_idx) {
        WriteFullRecord(second, point_idx);
    }
    WriteSession(second, kStartUnixS + 10, 2, 2, 0, 0, true);
    const ImportedFile file = ParseOk(fit::testing::Chain({first.Finish(), second.Finish(false)}));
    ASSERT_EQ(file.activities.size(), 2U);
    EXPECT_EQ(file.activities[0].sport, Sport::kSwim);
    EXPECT_EQ(file.activities[0].sub_sport, "open_water");
    EXPECT_EQ(file.activities[0].track.size(), 5U);
    EXPECT_EQ(file.activities[1].sport, Sport::kRide);
    EXPECT_EQ(file.activities[1].track.size(), 3U);
    EXPECT_EQ(file.activities[1].start_time_ms, kStartMs + 10000);
    EXPECT_EQ(file.creator.name, "Garmin Forerunner 935");
}

TEST(FitParse, DefinitionsDoNotCarryIntoAChainedFile) {
    FitWriter first;
    DefineFullRecord(first);
    WriteFullRecord(first, 0);
    FitWriter second;
    second.Raw(std::string("\x01", 1) + std::string(29, '\0'));  // data for local 1, never defined here
    const std::string chained = fit::testing::Chain({first.Finish(), second.Finish()});
    const ParseError error = ParseFails(chained);
    EXPECT_NE(error.reason.find("no definition"), std::string::npos) << error.reason;
    EXPECT_EQ(error.byte_offset, first.Finish().size() + 14);
}

TEST(FitParse, MultisportSplitsRecordsLapsAndEventsBySession) {
    // Sessions come first (as in triathlon_summary_first.fit), then the records of all legs.
    FitWriter writer;
    WriteFileId(writer);
    WriteSession(writer, kStartUnixS + 200, 100, 1);      // run, 200..300
    WriteSession(writer, kStartUnixS, 100, 5, 18);        // swim, 0..100
    WriteSession(writer, kStartUnixS + 100, 100, 3, 34);  // transition, 100..200
    WriteLap(writer, kStartUnixS + 200, 50);
    WriteLap(writer, kStartUnixS, 100);
    WriteLap(writer, kStartUnixS + 250, 50);
    WriteTimerEvent(writer, kStartUnixS, true);
    WriteTimerEvent(writer, kStartUnixS + 300, false);
    DefineFullRecord(writer);
    for (std::size_t point_idx = 0; point_idx <= 300; point_idx += 10) {
        WriteFullRecord(writer, point_idx);
    }
    const ImportedFile file = ParseOk(writer.Finish());
    ASSERT_EQ(file.activities.size(), 3U);
    const Activity& swim = file.activities[0];
    const Activity& transition = file.activities[1];
    const Activity& run = file.activities[2];
    EXPECT_EQ(swim.sport, Sport::kSwim);
    EXPECT_EQ(transition.sport, Sport::kTransition);
    EXPECT_EQ(transition.sub_sport, "swim_to_bike_transition");
    EXPECT_EQ(run.sport, Sport::kRun);
    // A point at a boundary belongs to the session that starts there.
    EXPECT_EQ(swim.track.size(), 10U);        // 0..90
    EXPECT_EQ(transition.track.size(), 10U);  // 100..190
    EXPECT_EQ(run.track.size(), 11U);         // 200..300
    EXPECT_EQ(run.track.time_ms.front(), kStartMs + 200'000);
    EXPECT_EQ(run.track.time_ms.size(), run.track.size());
    EXPECT_EQ(run.track.heart_rate_bpm.size(), run.track.size());
    EXPECT_EQ(swim.start_time_ms, kStartMs);
    EXPECT_EQ(run.start_time_ms, kStartMs + 200'000);
    ASSERT_EQ(swim.laps.size(), 1U);
    EXPECT_EQ(swim.laps[0].first_index, 0U);
    EXPECT_EQ(swim.laps[0].end_index, 10U);
    EXPECT_TRUE(transition.laps.empty());
    ASSERT_EQ(run.laps.size(), 2U);
    EXPECT_EQ(run.laps[0].first_index, 0U);
    EXPECT_EQ(run.laps[0].end_index, 6U);  // 200..250, the boundary point closes the first lap
    EXPECT_EQ(run.laps[1].first_index, 6U);
    EXPECT_EQ(run.laps[1].end_index, 11U);
    ASSERT_EQ(swim.timer_events.size(), 1U);
    ASSERT_EQ(run.timer_events.size(), 1U);
    EXPECT_FALSE(run.timer_events[0].running);
}

TEST(FitParse, RecordsWithoutSessionMakeOneActivity) {
    FitWriter writer;
    WriteFileId(writer);
    writer.Define(6, global::kSport, {{0, 1, base::kEnum}, {1, 1, base::kEnum}, {3, 8, base::kString}});
    writer.Data(6, {U(2), U(8), std::string("MTB")});
    DefineFullRecord(writer);
    for (std::size_t point_idx = 0; point_idx < 4; ++point_idx) {
        WriteFullRecord(writer, point_idx);
    }
    const ImportedFile file = ParseOk(writer.Finish());
    ASSERT_EQ(file.activities.size(), 1U);
    EXPECT_EQ(file.activities[0].sport, Sport::kMountainBike);
    EXPECT_EQ(file.activities[0].sub_sport, "mountain");
    EXPECT_EQ(file.activities[0].track.size(), 4U);
    EXPECT_EQ(file.activities[0].start_time_ms, kStartMs);
}

TEST(FitParse, FileWithoutRecordsOrSessionsHasNoActivity) {
    FitWriter writer;
    WriteFileId(writer);
    const ImportedFile file = ParseOk(writer.Finish());
    EXPECT_TRUE(file.activities.empty());
    EXPECT_EQ(file.creator.name, "Garmin Forerunner 935");
}

TEST(FitParse, PoolLengthsGoToTheirSwim) {
    FitWriter writer;
    WriteFileId(writer);
    writer.Define(7, global::kLength,
                  {{253, 4, base::kUint32},
                   {2, 4, base::kUint32},
                   {3, 4, base::kUint32},
                   {5, 2, base::kUint16},
                   {7, 1, base::kEnum},
                   {12, 1, base::kEnum}});
    writer.Data(7, {U(FitTime(kStartUnixS + 40)), U(FitTime(kStartUnixS)), U(40'000), U(20), U(0), U(1)});
    writer.Data(7, {U(FitTime(kStartUnixS + 70)), U(FitTime(kStartUnixS + 40)), U(30'000), U(0xFFFF), U(0xFF), U(0)});
    writer.Data(7, {U(FitTime(kStartUnixS + 115)), U(FitTime(kStartUnixS + 70)), U(45'000), U(24), U(2), U(1)});
    writer.Define(2, global::kSession,
                  {{2, 4, base::kUint32},
                   {5, 1, base::kEnum},
                   {6, 1, base::kEnum},
                   {7, 4, base::kUint32},
                   {44, 2, base::kUint16}});
    writer.Data(2, {U(FitTime(kStartUnixS)), U(5), U(17), U(115'000), U(2500)});
    const ImportedFile file = ParseOk(writer.Finish());
    ASSERT_EQ(file.activities.size(), 1U);
    const Activity& swim = file.activities[0];
    EXPECT_EQ(swim.sport, Sport::kSwim);
    EXPECT_EQ(swim.sub_sport, "lap_swimming");
    EXPECT_DOUBLE_EQ(swim.pool_length_m.value_or(0), 25.0);
    EXPECT_TRUE(swim.track.empty());
    ASSERT_EQ(swim.lengths.size(), 3U);
    EXPECT_TRUE(swim.lengths[0].active);
    EXPECT_EQ(swim.lengths[0].strokes, 20);
    EXPECT_EQ(swim.lengths[0].stroke, "freestyle");
    EXPECT_DOUBLE_EQ(swim.lengths[0].elapsed_s, 40.0);
    EXPECT_FALSE(swim.lengths[1].active);
    EXPECT_FALSE(swim.lengths[1].strokes.has_value());
    EXPECT_FALSE(swim.lengths[1].stroke.has_value());
    EXPECT_EQ(swim.lengths[2].stroke, "breaststroke");
    EXPECT_EQ(swim.lengths[2].start_time_ms, kStartMs + 70'000);
}

TEST(FitParse, UntimedRecordsAreLeftOutOfASessionThatDatesTheActivity) {
    // As a Forerunner 910XT pool swim writes them (7617306288.fit): records with a distance but no
    // timestamp, and a session with a start and a duration. The records go (timed points only);
    // the session keeps the activity.
    FitWriter writer;
    WriteFileId(writer);
    writer.Define(1, global::kRecord, {{5, 4, base::kUint32}});
    writer.Data(1, {U(2500)});
    writer.Data(1, {U(5000)});
    WriteSession(writer, kStartUnixS, 60, 5, 17, 5000);
    const ImportedFile file = ParseOk(writer.Finish());
    ASSERT_EQ(file.activities.size(), 1U);
    EXPECT_TRUE(file.routes.empty());
    EXPECT_TRUE(file.activities[0].track.empty());
    EXPECT_TRUE(file.activities[0].track.distance_m.empty());
    EXPECT_EQ(file.activities[0].start_time_ms, kStartMs);
}

TEST(FitParse, CourseFileBecomesARouteWithWaypoints) {
    FitWriter writer;
    writer.Define(0, global::kFileId, {{0, 1, base::kEnum}, {1, 2, base::kUint16}});
    writer.Data(0, {U(6), U(1)});
    writer.Define(1, 31, {{5, 16, base::kString}, {4, 1, base::kEnum}});
    writer.Data(1, {std::string("Loop"), U(2)});
    writer.Define(2, global::kRecord, {{253, 4, base::kUint32}, {0, 4, base::kSint32}, {1, 4, base::kSint32}});
    writer.Data(2, {U(FitTime(kStartUnixS)), U(Semicircles(45.0)), U(Semicircles(7.0))});
    writer.Data(2, {U(FitTime(kStartUnixS + 5)), U(Semicircles(45.001)), U(Semicircles(7.001))});
    writer.Define(3, 32,
                  {{1, 4, base::kUint32},
                   {2, 4, base::kSint32},
                   {3, 4, base::kSint32},
                   {5, 1, base::kEnum},
                   {6, 8, base::kString}});
    writer.Data(3,
                {U(FitTime(kStartUnixS + 5)), U(Semicircles(45.001)), U(Semicircles(7.001)), U(1), std::string("Top")});
    const ImportedFile file = ParseOk(writer.Finish());
    EXPECT_TRUE(file.activities.empty());
    ASSERT_EQ(file.routes.size(), 1U);
    EXPECT_EQ(file.routes[0].name, "Loop");
    EXPECT_EQ(file.routes[0].sport, Sport::kRide);
    EXPECT_EQ(file.routes[0].track.size(), 2U);
    ASSERT_EQ(file.waypoints.size(), 1U);
    EXPECT_EQ(file.waypoints[0].name, "Top");
    EXPECT_EQ(file.waypoints[0].kind, "summit");
    EXPECT_NEAR(E7ToDegrees(file.waypoints[0].lat_e7), 45.001, 1e-6);
}

TEST(FitParse, CreatorComesFromDeviceInfoWhenFileIdHasNone) {
    FitWriter writer;
    writer.Define(0, global::kFileId, {{0, 1, base::kEnum}});
    writer.Data(0, {U(4)});
    writer.Define(1, global::kDeviceInfo,
                  {{0, 1, base::kUint8}, {2, 2, base::kUint16}, {4, 2, base::kUint16}, {3, 4, base::kUint32z}});
    writer.Data(1, {U(1), U(32), U(1), U(7)});         // a sensor, not the creator
    writer.Data(1, {U(0), U(1), U(1036), U(424242)});  // device_index 0: the recording device
    const ImportedFile file = ParseOk(writer.Finish());
    EXPECT_EQ(file.creator.name, "Garmin Edge 500");
    EXPECT_EQ(file.creator.serial_number, 424242U);
}

TEST(FitParse, SessionStartFarFromThePointsIsABrokenClock) {
    FitWriter writer;
    DefineFullRecord(writer);
    for (std::size_t point_idx = 0; point_idx < 3; ++point_idx) {
        WriteFullRecord(writer, point_idx);
    }
    WriteSession(writer, kStartUnixS - 10 * 86400, 2, 2);  // ten days off
    const ImportedFile file = ParseOk(writer.Finish());
    ASSERT_EQ(file.activities.size(), 1U);
    EXPECT_EQ(file.activities[0].start_time_ms, kStartMs);
    EXPECT_EQ(file.activities[0].track.size(), 3U);
}

TEST(FitParse, ZeroPaddingAfterTheLastFileIsIgnoredOtherBytesAreNot) {
    const std::string file = BuildRunActivity(2);
    EXPECT_EQ(ParseOk(file + std::string(7, '\0')).activities.size(), 1U);
    const ParseError error = ParseFails(file + "junk");
    EXPECT_EQ(error.byte_offset, file.size());
    EXPECT_NE(error.reason.find("not a FIT header"), std::string::npos) << error.reason;
}

// --- Errors ---------------------------------------------------------------------------------

TEST(FitErrors, EmptyAndTinyInputsAreNotFit) {
    EXPECT_NE(ParseFails("").reason.find("empty"), std::string::npos);
    EXPECT_EQ(ParseFails("abc").byte_offset, 0U);
}

TEST(FitErrors, BadHeaderSizeAndSignature) {
    std::string bytes = BuildRunActivity(2);
    bytes[0] = 13;
    EXPECT_NE(ParseFails(bytes).reason.find("header size"), std::string::npos);
    bytes = BuildRunActivity(2);
    bytes[9] = 'X';
    const ParseError error = ParseFails(bytes);
    EXPECT_NE(error.reason.find("signature"), std::string::npos);
    EXPECT_EQ(error.byte_offset, 8U);
}

TEST(FitErrors, HeaderCrcMismatch) {
    std::string bytes = BuildRunActivity(2);
    bytes[12] = static_cast<char>(bytes[12] ^ 0x01);
    const ParseError error = ParseFails(bytes);
    EXPECT_NE(error.reason.find("header CRC mismatch"), std::string::npos) << error.reason;
    EXPECT_EQ(error.byte_offset, 12U);
}

TEST(FitErrors, FileCrcMismatchNamesStoredAndComputed) {
    std::string bytes = BuildRunActivity(2);
    bytes[20] = static_cast<char>(bytes[20] ^ 0x10);  // a data byte
    const ParseError error = ParseFails(bytes);
    EXPECT_NE(error.reason.find("file CRC mismatch: stored 0x"), std::string::npos) << error.reason;
    EXPECT_NE(error.reason.find("computed 0x"), std::string::npos) << error.reason;
    EXPECT_EQ(error.byte_offset, bytes.size() - 2);
}

TEST(FitErrors, DataMessageWithoutDefinition) {
    FitWriter writer;
    WriteFileId(writer);
    const std::size_t offset = 14 + writer.DataSize();
    writer.Raw(std::string("\x05\x00\x00", 3));
    const ParseError error = ParseFails(writer.Finish());
    EXPECT_NE(error.reason.find("local type 5 has no definition"), std::string::npos) << error.reason;
    EXPECT_EQ(error.byte_offset, offset);
    EXPECT_NE(error.context.find("local type 5"), std::string::npos);
}

TEST(FitErrors, MessageRunningPastTheDataIsABadDataSize) {
    FitWriter writer;
    DefineFullRecord(writer);
    WriteFullRecord(writer, 0);
    const std::size_t record_offset = 14 + writer.DataSize();
    WriteFullRecord(writer, 1);
    // Cut the data section in the middle of the second record (the header says fewer bytes than
    // were written; the CRC is over what the header says).
    const std::string full = writer.Finish();
    FitWriter cut;
    cut.Raw(full.substr(14, record_offset - 14 + 10));
    const ParseError error = ParseFails(cut.Finish());
    EXPECT_NE(error.reason.find("runs past the end of the data"), std::string::npos) << error.reason;
    EXPECT_EQ(error.byte_offset, record_offset);
    EXPECT_NE(error.context.find("record (20)"), std::string::npos) << error.context;
}

TEST(FitErrors, BadArchitectureByte) {
    FitWriter writer;
    writer.Raw(std::string("\x40\x00\x07\x14\x00\x00", 6));
    const ParseError error = ParseFails(writer.Finish());
    EXPECT_NE(error.reason.find("architecture"), std::string::npos);
    EXPECT_EQ(error.byte_offset, 14U + 2);
}

TEST(FitErrors, TruncationAtEveryByteIsAnErrorNeverACrash) {
    const std::string full = BuildRunActivity(3);
    ASSERT_TRUE(ParseFit(full).ok());
    for (std::size_t length = 0; length < full.size(); ++length) {
        const Result<ImportedFile> result = ParseFit(std::string_view(full).substr(0, length));
        ASSERT_FALSE(result.ok()) << "prefix of " << length << " bytes was accepted";
        EXPECT_FALSE(result.error().reason.empty());
        ASSERT_TRUE(result.error().byte_offset.has_value());
        EXPECT_LE(*result.error().byte_offset, full.size());
    }
}

/// What a decoder may answer for any input it accepts: every column either absent or one value per
/// point, laps and timer events inside the track.
void ExpectWellFormed(const ImportedFile& file, std::size_t byte_idx) {
    for (const std::vector<Activity>* list : {&file.activities, &file.routes}) {
        for (const Activity& activity : *list) {
            const Track& t = activity.track;
            const std::size_t n = t.size();
            const auto sized = [&](std::size_t column) { return column == 0 || column == n; };
            EXPECT_TRUE(sized(t.time_ms.size()) && sized(t.lat_e7.size()) && sized(t.altitude_m.size()) &&
                        sized(t.distance_m.size()) && sized(t.speed_mps.size()) && sized(t.heart_rate_bpm.size()) &&
                        sized(t.cadence_rpm.size()) && sized(t.power_w.size()) && sized(t.temperature_c.size()))
                << "a column of another length than the " << n << " points, flip at " << byte_idx;
            EXPECT_EQ(t.lat_e7.size(), t.lng_e7.size()) << "flip at " << byte_idx;
            for (const Lap& lap : activity.laps) {
                EXPECT_LE(lap.first_index, lap.end_index) << "flip at " << byte_idx;
                EXPECT_LE(lap.end_index, n) << "flip at " << byte_idx;
            }
        }
    }
}

TEST(FitErrors, EveryFlippedByteIsHandled) {
    // Each single-byte corruption is refused by the CRC. With the CRC recomputed, the structure must
    // refuse it with a reason at a byte of the file, or what is decoded is well formed; which of the
    // two, per byte, is fixed for this file (a change in how corruption is caught shows here).
    const std::string full = BuildRunActivity(3);
    std::size_t refused = 0;
    std::size_t decoded = 0;
    for (std::size_t byte_idx = 0; byte_idx < full.size(); ++byte_idx) {
        std::string corrupt = full;
        corrupt[byte_idx] = static_cast<char>(corrupt[byte_idx] ^ 0xA5);
        const Result<ImportedFile> plain = ParseFit(corrupt);
        ASSERT_FALSE(plain.ok()) << "flip at " << byte_idx;
        // The header's size byte and ".FIT" signature are checked first; every other byte by the CRC.
        const char* why = byte_idx == 0                      ? "bad header size"
                          : (byte_idx >= 8 && byte_idx < 12) ? ".FIT\" signature"
                                                             : "CRC";
        EXPECT_NE(plain.error().reason.find(why), std::string::npos)
            << "flip at " << byte_idx << ": " << plain.error().reason;
        if (byte_idx >= 14 && byte_idx + 2 < corrupt.size()) {
            const std::uint16_t crc = fit::FitCrc16(std::string_view(corrupt).substr(0, corrupt.size() - 2));
            corrupt[corrupt.size() - 2] = static_cast<char>(crc & 0xFF);
            corrupt[corrupt.size() - 1] = static_cast<char>(crc >> 8);
            const Result<ImportedFile> result = ParseFit(corrupt);
            if (result.ok()) {
                ++decoded;
                ExpectWellFormed(result.value(), byte_idx);
            } else {
                ++refused;
                EXPECT_FALSE(result.error().reason.empty()) << "flip at " << byte_idx;
                if (result.error().byte_offset) {
                    EXPECT_LE(*result.error().byte_offset, corrupt.size()) << "flip at " << byte_idx;
                }
            }
        }
    }
    std::printf("flipped bytes with a valid CRC: %zu refused, %zu decoded\n", refused, decoded);
    EXPECT_EQ(refused, 64u);
    EXPECT_EQ(decoded, 245u);
}

TEST(FitErrors, LimitsAreEnforced) {
    const std::string bytes = BuildRunActivity(20);
    Limits points;
    points.max_points = 19;
    EXPECT_NE(ParseFails(bytes, points).reason.find("limit of 19 points"), std::string::npos);
    Limits input;
    input.max_input_bytes = bytes.size() - 1;
    EXPECT_NE(ParseFails(bytes, input).reason.find("exceeds the limit"), std::string::npos);
}

TEST(FitErrors, SummaryMessageFloodIsRefused) {
    FitWriter writer;
    writer.Define(0, global::kLap, {});
    writer.Raw(std::string(4000, '\0'));  // 4000 empty lap messages in 4 KB
    EXPECT_NE(ParseFails(writer.Finish()).reason.find("more than"), std::string::npos);
}

// --- Unfinished files (data_size 0) ---------------------------------------------------------

TEST(FitParse, UnfinishedFileIsReadToItsLastCompleteMessage) {
    FitWriter writer;
    WriteFileId(writer);
    DefineFullRecord(writer);
    for (std::size_t point_idx = 0; point_idx < 6; ++point_idx) {
        WriteFullRecord(writer, point_idx);
    }
    // The device stopped mid-record and never patched the header: data_size 0, no valid CRC.
    std::string bytes = writer.Finish(true, 0);
    bytes.resize(bytes.size() - 2 - 12);
    const ImportedFile file = ParseOk(bytes);
    ASSERT_EQ(file.activities.size(), 1U);
    EXPECT_EQ(file.activities[0].track.size(), 5U);

    // With the CRC intact at the end it is used as the end of the data.
    const ImportedFile whole = ParseOk(writer.Finish(true, 0));
    ASSERT_EQ(whole.activities.size(), 1U);
    EXPECT_EQ(whole.activities[0].track.size(), 6U);
}

TEST(FitParse, EmptyDataSectionIsAValidEmptyFile) {
    FitWriter writer;
    const ImportedFile file = ParseOk(writer.Finish());
    EXPECT_TRUE(file.activities.empty());
}

// --- Profile --------------------------------------------------------------------------------

TEST(FitProfile, InvalidValuesPerBaseType) {
    using fit::BaseType;
    EXPECT_TRUE(fit::IsInvalidRaw(BaseType::kUint8, 0xFF));
    EXPECT_TRUE(fit::IsInvalidRaw(BaseType::kSint8, 0x7F));
    EXPECT_TRUE(fit::IsInvalidRaw(BaseType::kUint16, 0xFFFF));
    EXPECT_TRUE(fit::IsInvalidRaw(BaseType::kSint16, 0x7FFF));
    EXPECT_TRUE(fit::IsInvalidRaw(BaseType::kSint32, 0x7FFFFFFF));
    EXPECT_TRUE(fit::IsInvalidRaw(BaseType::kUint32, 0xFFFFFFFF));
    EXPECT_TRUE(fit::IsInvalidRaw(BaseType::kUint32z, 0));
    EXPECT_TRUE(fit::IsInvalidRaw(BaseType::kSint64, 0x7FFFFFFFFFFFFFFF));
    EXPECT_FALSE(fit::IsInvalidRaw(BaseType::kSint8, 0x80));
    EXPECT_FALSE(fit::IsInvalidRaw(BaseType::kUint8z, 0xFF));
    EXPECT_EQ(fit::BaseTypeSize(0x11), std::nullopt);
}

TEST(FitProfile, SportsMapOntoTheModel) {
    EXPECT_EQ(fit::SportFromFit(1, 3), Sport::kTrailRun);
    EXPECT_EQ(fit::SportFromFit(2, 58), Sport::kVirtualRide);
    EXPECT_EQ(fit::SportFromFit(3, std::nullopt), Sport::kTransition);
    EXPECT_EQ(fit::SportFromFit(4, 1), Sport::kRun);
    EXPECT_EQ(fit::SportFromFit(11, std::nullopt), Sport::kWalk);
    EXPECT_EQ(fit::SportFromFit(0, std::nullopt), Sport::kUnknown);
    EXPECT_EQ(fit::SportFromFit(47, std::nullopt), Sport::kOther);
    EXPECT_STREQ(fit::ManufacturerName(32), "Wahoo Fitness");
    EXPECT_STREQ(fit::GarminProductName(1036), "Edge 500");
    EXPECT_EQ(fit::ManufacturerName(4242), nullptr);
}

}  // namespace
}  // namespace strava1::formats
