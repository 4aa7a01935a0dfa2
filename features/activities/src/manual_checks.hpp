#pragma once

// What a manual activity may claim beyond each field's own range: a date that has been (give or
// take a day of time zones and clock skew) and an average speed the sport allows.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strava1/base/field_errors.hpp"
#include "strava1/formats/activity.hpp"

namespace strava1::activities {

/// The fastest average speed (distance over moving time, m/s) a manual activity of `sport` may
/// claim: above the world's best over any distance the sport is done at, with a margin (the table
/// is in the README, "Manual activities").
double MaxAverageSpeedMps(formats::Sport sport) noexcept;

/// How far ahead of now a manual activity may start: a day, for time zones and clock skew.
inline constexpr std::int64_t kMaxFutureStartUs = 86'400'000'000;
/// The earliest start accepted: 1900-01-01T00:00:00Z.
inline constexpr std::int64_t kEarliestStartUs = -2'208'988'800'000'000;

/// Appends an error naming `start_time` when it is more than a day ahead of `now_us` or before
/// 1900, and one naming `distance_m` when distance over time (the moving time when above 0, else
/// the elapsed time) is faster than the sport allows.
void CheckManualPlausibility(formats::Sport sport, std::int64_t start_us, std::int64_t now_us, double elapsed_s,
                             double moving_s, double distance_m, FieldErrors& errors);

/// The speed half of CheckManualPlausibility, for an activity whose sport changes (PATCH): nullopt
/// when distance over time (as above) is within what `sport` allows, else the reason.
std::optional<std::string> ManualSpeedProblem(formats::Sport sport, double elapsed_s, double moving_s,
                                              double distance_m);

}  // namespace strava1::activities
