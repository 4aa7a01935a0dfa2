#pragma once

#include <cstdint>
#include <optional>

#include "strava1/formats/activity.hpp"

/// The part of the Garmin FIT profile the importer uses: base types and their invalid values,
/// message and field numbers, scales and offsets, and the enums that become names. Numbers are the
/// protocol's (FIT SDK profile, Profile.xlsx); everything else in a file is skipped by size.
namespace strava1::formats::fit {

/// FIT timestamps count seconds from 1989-12-31T00:00:00Z.
inline constexpr std::int64_t kFitEpochUnixS = 631'065'600;
/// date_time values below this are seconds since the device powered on, not since the FIT epoch.
inline constexpr std::uint32_t kMinAbsoluteTime = 0x10000000;

inline constexpr std::int64_t FitTimeToUnixMs(std::uint32_t fit_s) noexcept {
    return (static_cast<std::int64_t>(fit_s) + kFitEpochUnixS) * 1000;
}

/// Base type numbers (the low 5 bits of a field definition's base type byte).
enum class BaseType : std::uint8_t {
    kEnum = 0x00,
    kSint8 = 0x01,
    kUint8 = 0x02,
    kSint16 = 0x03,
    kUint16 = 0x04,
    kSint32 = 0x05,
    kUint32 = 0x06,
    kString = 0x07,
    kFloat32 = 0x08,
    kFloat64 = 0x09,
    kUint8z = 0x0A,
    kUint16z = 0x0B,
    kUint32z = 0x0C,
    kByte = 0x0D,
    kSint64 = 0x0E,
    kUint64 = 0x0F,
    kUint64z = 0x10,
};

/// Size in bytes of one element of the base type; nullopt for a number the protocol does not define.
std::optional<std::uint8_t> BaseTypeSize(std::uint8_t base_type_number) noexcept;

/// True when the raw value (the element's bytes read as an unsigned integer of the type's size) is
/// the type's "invalid" marker: 0xFF.. for unsigned/enum/byte, 0x7F.. for signed, 0 for the *z
/// types, all ones for floats. Strings are never invalid here (an empty string is).
bool IsInvalidRaw(BaseType type, std::uint64_t raw) noexcept;

/// Global message numbers.
namespace mesg {
inline constexpr std::uint16_t kFileId = 0;
inline constexpr std::uint16_t kSport = 12;
inline constexpr std::uint16_t kSession = 18;
inline constexpr std::uint16_t kLap = 19;
inline constexpr std::uint16_t kRecord = 20;
inline constexpr std::uint16_t kEvent = 21;
inline constexpr std::uint16_t kDeviceInfo = 23;
inline constexpr std::uint16_t kCourse = 31;
inline constexpr std::uint16_t kCoursePoint = 32;
inline constexpr std::uint16_t kActivity = 34;
inline constexpr std::uint16_t kHrv = 78;
inline constexpr std::uint16_t kTimestampCorrelation = 162;
inline constexpr std::uint16_t kLength = 101;
inline constexpr std::uint16_t kFieldDescription = 206;
inline constexpr std::uint16_t kDeveloperDataId = 207;
}  // namespace mesg

/// Field numbers common to all messages.
inline constexpr std::uint8_t kFieldTimestamp = 253;
inline constexpr std::uint8_t kFieldMessageIndex = 254;

namespace file_id {
inline constexpr std::uint8_t kType = 0;
inline constexpr std::uint8_t kManufacturer = 1;
inline constexpr std::uint8_t kProduct = 2;
inline constexpr std::uint8_t kSerialNumber = 3;
inline constexpr std::uint8_t kTimeCreated = 4;
inline constexpr std::uint8_t kProductName = 8;
/// `file` enum values the importer tells apart.
inline constexpr std::uint8_t kFileActivity = 4;
inline constexpr std::uint8_t kFileCourse = 6;
}  // namespace file_id

namespace record {
inline constexpr std::uint8_t kPositionLat = 0;              ///< sint32 semicircles
inline constexpr std::uint8_t kPositionLong = 1;             ///< sint32 semicircles
inline constexpr std::uint8_t kAltitude = 2;                 ///< uint16, scale 5, offset 500, m
inline constexpr std::uint8_t kHeartRate = 3;                ///< uint8 bpm
inline constexpr std::uint8_t kCadence = 4;                  ///< uint8 rpm
inline constexpr std::uint8_t kDistance = 5;                 ///< uint32, scale 100, m
inline constexpr std::uint8_t kSpeed = 6;                    ///< uint16, scale 1000, m/s
inline constexpr std::uint8_t kPower = 7;                    ///< uint16 W
inline constexpr std::uint8_t kCompressedSpeedDistance = 8;  ///< 3 bytes: speed 12 bits /100, distance 12 bits /16
inline constexpr std::uint8_t kTemperature = 13;             ///< sint8 °C
inline constexpr std::uint8_t kEnhancedSpeed = 73;           ///< uint32, scale 1000, m/s
inline constexpr std::uint8_t kEnhancedAltitude = 78;        ///< uint32, scale 5, offset 500, m
}  // namespace record

/// Fields shared by session (18) and lap (19) where their numbers agree.
namespace summary {
inline constexpr std::uint8_t kEvent = 0;
inline constexpr std::uint8_t kEventType = 1;
inline constexpr std::uint8_t kStartTime = 2;
inline constexpr std::uint8_t kTotalElapsedTime = 7;  ///< uint32, scale 1000, s
inline constexpr std::uint8_t kTotalTimerTime = 8;    ///< uint32, scale 1000, s
inline constexpr std::uint8_t kTotalDistance = 9;     ///< uint32, scale 100, m
inline constexpr std::uint8_t kTotalCalories = 11;    ///< uint16 kcal
}  // namespace summary

namespace session {
inline constexpr std::uint8_t kSport = 5;
inline constexpr std::uint8_t kSubSport = 6;
inline constexpr std::uint8_t kAvgHeartRate = 16;
inline constexpr std::uint8_t kMaxHeartRate = 17;
inline constexpr std::uint8_t kAvgCadence = 18;
inline constexpr std::uint8_t kAvgPower = 20;
inline constexpr std::uint8_t kMaxPower = 21;
inline constexpr std::uint8_t kTotalAscent = 22;      ///< uint16 m
inline constexpr std::uint8_t kTotalDescent = 23;     ///< uint16 m
inline constexpr std::uint8_t kPoolLength = 44;       ///< uint16, scale 100, m
inline constexpr std::uint8_t kPoolLengthUnit = 46;   ///< display_measure: 0 metric, 1 statute (yards)
inline constexpr std::uint8_t kTotalMovingTime = 59;  ///< uint32, scale 1000, s
inline constexpr std::uint8_t kActiveTime = 78;       ///< uint32, scale 1000, s (pool swims: in active lengths)
}  // namespace session

namespace lap {
inline constexpr std::uint8_t kAvgHeartRate = 15;
inline constexpr std::uint8_t kMaxHeartRate = 16;
inline constexpr std::uint8_t kAvgPower = 19;
inline constexpr std::uint8_t kLapTrigger = 24;
inline constexpr std::uint8_t kSport = 25;
inline constexpr std::uint8_t kSubSport = 39;
}  // namespace lap

namespace event {
inline constexpr std::uint8_t kEvent = 0;
inline constexpr std::uint8_t kEventType = 1;
inline constexpr std::uint8_t kEventTimer = 0;
inline constexpr std::uint8_t kTypeStart = 0;
inline constexpr std::uint8_t kTypeStop = 1;
inline constexpr std::uint8_t kTypeStopAll = 4;
inline constexpr std::uint8_t kTypeStopDisable = 8;
inline constexpr std::uint8_t kTypeStopDisableAll = 9;
}  // namespace event

namespace device_info {
inline constexpr std::uint8_t kDeviceIndex = 0;  ///< 0 is the creator (the recording device)
inline constexpr std::uint8_t kManufacturer = 2;
inline constexpr std::uint8_t kSerialNumber = 3;
inline constexpr std::uint8_t kProduct = 4;
inline constexpr std::uint8_t kProductName = 27;
}  // namespace device_info

namespace length {
inline constexpr std::uint8_t kStartTime = 2;
inline constexpr std::uint8_t kTotalElapsedTime = 3;  ///< uint32, scale 1000, s
inline constexpr std::uint8_t kTotalStrokes = 5;
inline constexpr std::uint8_t kSwimStroke = 7;
inline constexpr std::uint8_t kLengthType = 12;  ///< 0 idle, 1 active
}  // namespace length

namespace sport {
inline constexpr std::uint8_t kSport = 0;
inline constexpr std::uint8_t kSubSport = 1;
inline constexpr std::uint8_t kName = 3;
}  // namespace sport

namespace course {
inline constexpr std::uint8_t kSport = 4;
inline constexpr std::uint8_t kName = 5;
}  // namespace course

namespace course_point {
inline constexpr std::uint8_t kTimestamp = 1;
inline constexpr std::uint8_t kPositionLat = 2;
inline constexpr std::uint8_t kPositionLong = 3;
inline constexpr std::uint8_t kType = 5;
inline constexpr std::uint8_t kName = 6;
}  // namespace course_point

/// Ties the device's relative clock (system time) to UTC: the offset that turns the
/// date_time values below kMinAbsoluteTime (VIRB cameras, some watches) into real times.
namespace timestamp_correlation {
inline constexpr std::uint8_t kSystemTimestamp = 1;  ///< uint32 s, relative
inline constexpr std::uint8_t kTimestampMs = 4;      ///< uint16 ms part of timestamp (253)
inline constexpr std::uint8_t kSystemTimestampMs = 5;
}  // namespace timestamp_correlation

namespace hrv {
inline constexpr std::uint8_t kTime = 0;  ///< uint16[], scale 1000, s
}  // namespace hrv

namespace field_description {
inline constexpr std::uint8_t kDeveloperDataIndex = 0;
inline constexpr std::uint8_t kFieldDefinitionNumber = 1;
inline constexpr std::uint8_t kFitBaseTypeId = 2;
inline constexpr std::uint8_t kFieldName = 3;
inline constexpr std::uint8_t kScale = 6;
inline constexpr std::uint8_t kOffset = 7;
inline constexpr std::uint8_t kNativeMesgNum = 14;
inline constexpr std::uint8_t kNativeFieldNum = 15;
}  // namespace field_description

namespace developer_data_id {
inline constexpr std::uint8_t kDeveloperDataIndex = 3;
}  // namespace developer_data_id

/// Manufacturer enum value to a display name ("Garmin", "Wahoo Fitness"); nullptr when not known.
const char* ManufacturerName(std::uint16_t manufacturer) noexcept;
inline constexpr std::uint16_t kManufacturerGarmin = 1;
inline constexpr std::uint16_t kManufacturerDevelopment = 255;

/// True for the makers whose `product` field uses the garmin_product numbering (Garmin and its
/// Dynastream ANT+ arm).
bool UsesGarminProductNumbers(std::uint16_t manufacturer) noexcept;

/// Garmin product numbers (garmin_product enum) to a display name ("Forerunner 935"); nullptr when
/// not known.
const char* GarminProductName(std::uint16_t product) noexcept;

/// The FIT sport / sub_sport pair to the model's Sport. sub_sport may be absent.
Sport SportFromFit(std::uint8_t fit_sport, std::optional<std::uint8_t> fit_sub_sport) noexcept;

/// lower_snake name of a sub_sport ("trail", "lap_swimming"); nullptr for generic or unknown.
const char* SubSportName(std::uint8_t sub_sport) noexcept;

/// lap_trigger enum to "manual", "time", "distance", "position_start", ..., nullptr when unknown.
const char* LapTriggerName(std::uint8_t trigger) noexcept;

/// swim_stroke enum to "freestyle", "backstroke", ...; nullptr when unknown.
const char* SwimStrokeName(std::uint8_t stroke) noexcept;

/// course_point enum to "summit", "water", "left", ...; nullptr when unknown.
const char* CoursePointName(std::uint8_t type) noexcept;

}  // namespace strava1::formats::fit
