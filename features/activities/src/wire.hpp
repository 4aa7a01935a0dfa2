#pragma once

// Wire structs and small parsers for the activities routes (see docs/api/openapi.yaml). Bodies are
// read with the strict reader: unknown fields and wrong types are 400s naming the field.

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/activities/module.hpp"
#include "strava1/base/field_errors.hpp"
#include "strava1/base/json.hpp"
#include "strava1/formats/parse.hpp"

namespace strava1::activities {

struct ManualActivityBody {
    std::string sport;
    std::string start_time;
    double elapsed_s = 0;
    std::optional<double> moving_s;
    std::optional<double> distance_m;
    std::optional<double> elevation_gain_m;
    std::optional<double> calories_kcal;
    std::optional<std::int32_t> perceived_exertion;
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> visibility;
};
BOOST_DESCRIBE_STRUCT(ManualActivityBody, (),
                      (sport, start_time, elapsed_s, moving_s, distance_m, elevation_gain_m, calories_kcal,
                       perceived_exertion, name, description, visibility))

struct PatchActivityBody {
    json::Patch<std::string> name;
    json::Patch<std::string> description;
    json::Patch<std::string> sport;
    json::Patch<std::string> visibility;
    json::Patch<std::vector<std::string>> hidden_metrics;
    json::Patch<std::int32_t> hide_endpoints_m;
    json::Patch<std::int32_t> perceived_exertion;
    json::Patch<bool> hide_from_feed;
};
BOOST_DESCRIBE_STRUCT(PatchActivityBody, (),
                      (name, description, sport, visibility, hidden_metrics, hide_endpoints_m, perceived_exertion,
                       hide_from_feed))

struct PrivacyZoneBody {
    double lat = 0;
    double lng = 0;
    double radius_m = 0;
};
BOOST_DESCRIBE_STRUCT(PrivacyZoneBody, (), (lat, lng, radius_m))

/// PATCH /v1/me/privacy-zones/{zone_id}: the members given move or resize the zone.
struct PatchPrivacyZoneBody {
    json::Patch<double> lat;
    json::Patch<double> lng;
    json::Patch<double> radius_m;
};
BOOST_DESCRIBE_STRUCT(PatchPrivacyZoneBody, (), (lat, lng, radius_m))

/// The shared text rules (libs/base text.hpp) for JSON, query and multipart fields alike: lengths in
/// characters, no control characters; the description is the one multi-line field.
void CheckText(FieldErrors& errors, const char* field, const std::string& value, std::size_t min, std::size_t max);
/// Why `name` is not a sport, or nullopt.
std::optional<std::string> SportProblem(std::string_view name);
/// Whether an upload's activities are kept out of followers' home feeds (its checked field).
bool HidesFromFeed(const UploadFields& fields);
/// The type of an upload (given as data_type, or recognised from the bytes) once its fields pass:
/// 400 naming each bad field, 422 when the type cannot be recognised.
formats::DataType CheckUploadFields(const UploadFields& fields, std::string_view bytes);

/// Microseconds since the Unix epoch from RFC 3339 ("2026-11-30T07:12:03Z", fractional seconds
/// and numeric offsets allowed) or from a plain count of Unix seconds; nullopt otherwise.
std::optional<std::int64_t> ParseTimestampMicros(std::string_view text);

}  // namespace strava1::activities
