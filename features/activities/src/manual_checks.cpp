#include "manual_checks.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace strava1::activities {

double MaxAverageSpeedMps(formats::Sport sport) noexcept {
    using formats::Sport;
    switch (sport) {
        case Sport::kRun:
        case Sport::kTrailRun:
            return 11.0;  // 100 m world record: 10.4 m/s
        case Sport::kWalk:
        case Sport::kHike:
            return 5.0;  // race walking: 4.3 m/s over 20 km
        case Sport::kRide:
        case Sport::kMountainBike:
        case Sport::kVirtualRide:
            return 25.0;  // 90 km/h: a short descent; the hour record is 15 m/s
        case Sport::kSwim:
            return 3.0;  // 50 m freestyle: 2.4 m/s
        case Sport::kRowing:
            return 7.0;  // an eight over 2 km: 6.3 m/s
        case Sport::kSki:
            return 45.0;  // downhill racing averages 30 m/s
        case Sport::kTransition:
            return 11.0;
        case Sport::kOther:
        case Sport::kUnknown:
            break;
    }
    return 50.0;  // 180 km/h: anything a person moves at under their own power or with wind
}

void CheckManualPlausibility(formats::Sport sport, std::int64_t start_us, std::int64_t now_us, double elapsed_s,
                             double moving_s, double distance_m, FieldErrors& errors) {
    if (start_us > now_us + kMaxFutureStartUs) {
        errors.Add("start_time", "must not be more than a day in the future");
    } else if (start_us < kEarliestStartUs) {
        errors.Add("start_time", "must not be before 1900");
    }
    if (auto problem = ManualSpeedProblem(sport, elapsed_s, moving_s, distance_m)) {
        errors.Add("distance_m", std::move(*problem));
    }
}

std::optional<std::string> ManualSpeedProblem(formats::Sport sport, double elapsed_s, double moving_s,
                                              double distance_m) {
    const double seconds = moving_s > 0 ? moving_s : elapsed_s;
    if (distance_m <= 0 || !(seconds > 0)) {
        return std::nullopt;
    }
    const double speed = distance_m / seconds;
    const double limit = MaxAverageSpeedMps(sport);
    if (speed <= limit) {
        return std::nullopt;
    }
    char reason[160];
    std::snprintf(reason, sizeof reason, "%.0f m in %.0f s is %.1f m/s; a %s averages at most %.0f m/s", distance_m,
                  seconds, speed, formats::SportName(sport), limit);
    return std::string(reason);
}

}  // namespace strava1::activities
