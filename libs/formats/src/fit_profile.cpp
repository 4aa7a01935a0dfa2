#include "fit_profile.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace strava1::formats::fit {
namespace {

template <std::size_t N>
const char* Lookup(const std::array<std::pair<std::uint16_t, const char*>, N>& table, std::uint16_t key) noexcept {
    for (const auto& [value, name] : table) {
        if (value == key) {
            return name;
        }
    }
    return nullptr;
}

// The makers seen in uploads (and in tests/data); the rest keep their number.
constexpr std::array<std::pair<std::uint16_t, const char*>, 50> kManufacturers = {{
    {1, "Garmin"},          {2, "Garmin"},         {6, "SRM"},
    {7, "Quarq"},           {9, "Saris"},          {13, "Dynastream"},
    {15, "Dynastream"},     {16, "Timex"},         {23, "Suunto"},
    {28, "TrainingPeaks"},  {32, "Wahoo Fitness"}, {37, "Magellan"},
    {40, "Concept2"},       {41, "Shimano"},       {45, "Xplova"},
    {51, "4iiii"},          {63, "Specialized"},   {68, "CatEye"},
    {69, "Stages Cycling"}, {70, "Sigma Sport"},   {71, "TomTom"},
    {73, "Wattbike"},       {86, "Elite"},         {87, "Nielsen-Kellerman"},
    {89, "Tacx"},           {95, "Stryd"},         {107, "Magene"},
    {108, "Giant"},         {112, "Bryton"},       {115, "iGPSPORT"},
    {116, "Thinkrider"},    {121, "Kinetic"},      {123, "Polar"},
    {129, "COROS"},         {140, "Decathlon"},    {144, "Zwift"},
    {255, "Development"},   {258, "Lezyne"},       {260, "Zwift"},
    {263, "Favero"},        {265, "Strava"},       {267, "Bryton"},
    {268, "SRAM"},          {272, "Magellan"},     {281, "TrainerRoad"},
    {289, "Hammerhead"},    {294, "COROS"},        {305, "WHOOP"},
    {307, "Onelap"},        {310, "Decathlon"},
}};

constexpr std::array<std::pair<std::uint16_t, const char*>, 61> kGarminProducts = {{
    {717, "Forerunner 405"},
    {1018, "Forerunner 310XT"},
    {1036, "Edge 500"},
    {1124, "Forerunner 110"},
    {1169, "Edge 800"},
    {1325, "Edge 200"},
    {1328, "Forerunner 910XT"},
    {1436, "Forerunner 70"},
    {1482, "Forerunner 10"},
    {1561, "Edge 510"},
    {1765, "Forerunner 920XT"},
    {1836, "Edge 1000"},
    {1967, "Fenix 2"},
    {1988, "Epix"},
    {2050, "Fenix 3"},
    {2067, "Edge 520"},
    {2157, "Forerunner 230"},
    {2158, "Forerunner 735XT"},
    {2337, "Vivoactive HR"},
    {2348, "Vivosmart HR"},
    {2431, "Forerunner 235"},
    {2530, "Edge 820"},
    {2544, "Fenix 5S"},
    {2604, "Fenix 5X"},
    {2691, "Forerunner 935"},
    {2697, "Fenix 5"},
    {2713, "Edge 1030"},
    {2886, "Forerunner 645"},
    {2888, "Forerunner 645 Music"},
    {2909, "Edge 130"},
    {3011, "Edge Explore"},
    {3076, "Forerunner 245"},
    {3113, "Forerunner 945"},
    {3121, "Edge 530"},
    {3122, "Edge 830"},
    {3126, "Instinct Esports"},
    {3226, "Venu"},
    {3290, "Fenix 6"},
    {3558, "Edge 130 Plus"},
    {3570, "Edge 1030 Plus"},
    {3589, "Forerunner 745"},
    {3638, "Enduro"},
    {3652, "Forerunner 945 LTE"},
    {3703, "Venu 2"},
    {3843, "Edge 1040"},
    {3869, "Forerunner 55"},
    {3888, "Instinct 2"},
    {3906, "Fenix 7"},
    {3907, "Fenix 7X"},
    {3992, "Forerunner 255"},
    {4024, "Forerunner 955"},
    {4061, "Edge 540"},
    {4062, "Edge 840"},
    {4315, "Forerunner 965"},
    {4432, "Forerunner 165"},
    {4440, "Edge 1050"},
    {4536, "Fenix 8"},
    {4565, "Forerunner 970"},
    {65534, "Connect"},
    {10007, "SDM4"},
    {20119, "Training Center"},
}};

constexpr std::array<const char*, 70> kSubSports = {
    nullptr,
    "treadmill",
    "street",
    "trail",
    "track",
    "spin",
    "indoor_cycling",
    "road",
    "mountain",
    "downhill",
    "recumbent",
    "cyclocross",
    "hand_cycling",
    "track_cycling",
    "indoor_rowing",
    "elliptical",
    "stair_climbing",
    "lap_swimming",
    "open_water",
    "flexibility_training",
    "strength_training",
    "warm_up",
    "match",
    "exercise",
    "challenge",
    "indoor_skiing",
    "cardio_training",
    "indoor_walking",
    "e_bike_fitness",
    "bmx",
    "casual_walking",
    "speed_walking",
    "bike_to_run_transition",
    "run_to_bike_transition",
    "swim_to_bike_transition",
    "atv",
    "motocross",
    "backcountry",
    "resort",
    "rc_drone",
    "wingsuit",
    "whitewater",
    "skate_skiing",
    "yoga",
    "pilates",
    "indoor_running",
    "gravel_cycling",
    "e_bike_mountain",
    "commuting",
    "mixed_surface",
    "navigate",
    "track_me",
    "map",
    "single_gas_diving",
    "multi_gas_diving",
    "gauge_diving",
    "apnea_diving",
    "apnea_hunting",
    "virtual_activity",
    "obstacle",
    nullptr,
    nullptr,
    "breathing",
    "ccr_diving",
    nullptr,
    "sail_race",
    "expedition",
    "ultra",
    "indoor_climbing",
    "bouldering",
};

constexpr std::array<const char*, 9> kLapTriggers = {
    "manual",          "time",        "distance",          "position_start", "position_lap", "position_waypoint",
    "position_marked", "session_end", "fitness_equipment",
};

constexpr std::array<const char*, 9> kSwimStrokes = {
    "freestyle", "backstroke", "breaststroke", "butterfly", "drill", "mixed", "im", "im_by_round", "rimo",
};

constexpr std::array<const char*, 54> kCoursePoints = {
    "generic",          "summit",         "valley",          "water",          "food",
    "danger",           "left",           "right",           "straight",       "first_aid",
    "fourth_category",  "third_category", "second_category", "first_category", "hors_category",
    "sprint",           "left_fork",      "right_fork",      "middle_fork",    "slight_left",
    "sharp_left",       "slight_right",   "sharp_right",     "u_turn",         "segment_start",
    "segment_end",      nullptr,          "campsite",        "aid_station",    "rest_area",
    "general_distance", "service",        "energy_gel",      "sports_drink",   "mile_marker",
    "checkpoint",       "shelter",        "meeting_spot",    "overlook",       "toilet",
    "shower",           "gear",           "sharp_curve",     "steep_incline",  "tunnel",
    "bridge",           "obstacle",       "crossing",        "store",          "transition",
    "navaid",           "transport",      "alert",           "info",
};

template <std::size_t N>
const char* At(const std::array<const char*, N>& table, std::size_t index) noexcept {
    return index < table.size() ? table[index] : nullptr;
}

// FIT `sport` values the model tells apart.
constexpr std::uint8_t kFitGeneric = 0;
constexpr std::uint8_t kFitRunning = 1;
constexpr std::uint8_t kFitCycling = 2;
constexpr std::uint8_t kFitTransition = 3;
constexpr std::uint8_t kFitFitnessEquipment = 4;
constexpr std::uint8_t kFitSwimming = 5;
constexpr std::uint8_t kFitWalking = 11;
constexpr std::uint8_t kFitCrossCountrySkiing = 12;
constexpr std::uint8_t kFitAlpineSkiing = 13;
constexpr std::uint8_t kFitSnowboarding = 14;
constexpr std::uint8_t kFitRowing = 15;
constexpr std::uint8_t kFitHiking = 17;
constexpr std::uint8_t kFitEBiking = 21;
constexpr std::uint8_t kFitInvalidEnum = 0xFF;
// FIT `sub_sport` values that refine the model's Sport.
constexpr std::uint8_t kSubTreadmill = 1;
constexpr std::uint8_t kSubTrail = 3;
constexpr std::uint8_t kSubSpin = 5;
constexpr std::uint8_t kSubIndoorCycling = 6;
constexpr std::uint8_t kSubMountain = 8;
constexpr std::uint8_t kSubDownhill = 9;
constexpr std::uint8_t kSubIndoorRowing = 14;
constexpr std::uint8_t kSubEBikeMountain = 47;
constexpr std::uint8_t kSubVirtualActivity = 58;

}  // namespace

std::optional<std::uint8_t> BaseTypeSize(std::uint8_t base_type_number) noexcept {
    switch (static_cast<BaseType>(base_type_number)) {
        case BaseType::kEnum:
        case BaseType::kSint8:
        case BaseType::kUint8:
        case BaseType::kString:
        case BaseType::kUint8z:
        case BaseType::kByte:
            return 1;
        case BaseType::kSint16:
        case BaseType::kUint16:
        case BaseType::kUint16z:
            return 2;
        case BaseType::kSint32:
        case BaseType::kUint32:
        case BaseType::kFloat32:
        case BaseType::kUint32z:
            return 4;
        case BaseType::kFloat64:
        case BaseType::kSint64:
        case BaseType::kUint64:
        case BaseType::kUint64z:
            return 8;
    }
    return std::nullopt;
}

bool IsInvalidRaw(BaseType type, std::uint64_t raw) noexcept {
    switch (type) {
        case BaseType::kEnum:
        case BaseType::kUint8:
        case BaseType::kByte:
            return raw == 0xFF;
        case BaseType::kSint8:
            return raw == 0x7F;
        case BaseType::kSint16:
            return raw == 0x7FFF;
        case BaseType::kUint16:
            return raw == 0xFFFF;
        case BaseType::kSint32:
            return raw == 0x7FFF'FFFF;
        case BaseType::kUint32:
        case BaseType::kFloat32:
            return raw == 0xFFFF'FFFF;
        case BaseType::kFloat64:
        case BaseType::kUint64:
            return raw == 0xFFFF'FFFF'FFFF'FFFF;
        case BaseType::kSint64:
            return raw == 0x7FFF'FFFF'FFFF'FFFF;
        case BaseType::kUint8z:
        case BaseType::kUint16z:
        case BaseType::kUint32z:
        case BaseType::kUint64z:
            return raw == 0;
        case BaseType::kString:
            return false;
    }
    return true;
}

const char* ManufacturerName(std::uint16_t manufacturer) noexcept { return Lookup(kManufacturers, manufacturer); }

bool UsesGarminProductNumbers(std::uint16_t manufacturer) noexcept {
    constexpr std::uint16_t kGarminFr405Antfs = 2;
    constexpr std::uint16_t kDynastreamOem = 13;
    constexpr std::uint16_t kDynastream = 15;
    return manufacturer == kManufacturerGarmin || manufacturer == kGarminFr405Antfs || manufacturer == kDynastreamOem ||
           manufacturer == kDynastream;
}

const char* GarminProductName(std::uint16_t product) noexcept { return Lookup(kGarminProducts, product); }

Sport SportFromFit(std::uint8_t fit_sport, std::optional<std::uint8_t> fit_sub_sport) noexcept {
    const std::uint8_t sub = fit_sub_sport.value_or(kFitInvalidEnum);
    switch (fit_sport) {
        case kFitGeneric:
        case kFitInvalidEnum:
            return Sport::kUnknown;
        case kFitRunning:
            return sub == kSubTrail ? Sport::kTrailRun : Sport::kRun;
        case kFitCycling:
        case kFitEBiking:
            if (sub == kSubMountain || sub == kSubDownhill || sub == kSubEBikeMountain) {
                return Sport::kMountainBike;
            }
            if (sub == kSubVirtualActivity) {
                return Sport::kVirtualRide;
            }
            return Sport::kRide;
        case kFitTransition:
            return Sport::kTransition;
        case kFitFitnessEquipment:
            // Indoor machines: the sub_sport names the movement.
            if (sub == kSubTreadmill) {
                return Sport::kRun;
            }
            if (sub == kSubIndoorCycling || sub == kSubSpin) {
                return Sport::kRide;
            }
            if (sub == kSubIndoorRowing) {
                return Sport::kRowing;
            }
            return Sport::kOther;
        case kFitSwimming:
            return Sport::kSwim;
        case kFitWalking:
            return Sport::kWalk;
        case kFitHiking:
            return Sport::kHike;
        case kFitRowing:
            return Sport::kRowing;
        case kFitCrossCountrySkiing:
        case kFitAlpineSkiing:
        case kFitSnowboarding:
            return Sport::kSki;
        default:
            return Sport::kOther;
    }
}

const char* SubSportName(std::uint8_t sub_sport) noexcept { return At(kSubSports, sub_sport); }

const char* LapTriggerName(std::uint8_t trigger) noexcept { return At(kLapTriggers, trigger); }

const char* SwimStrokeName(std::uint8_t stroke) noexcept { return At(kSwimStrokes, stroke); }

const char* CoursePointName(std::uint8_t type) noexcept { return At(kCoursePoints, type); }

}  // namespace strava1::formats::fit
