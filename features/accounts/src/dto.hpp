#pragma once

// Wire structs for the accounts routes (see docs/api/openapi.yaml). Read with the strict reader:
// unknown fields and wrong types are 400s naming the field.

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "strava1/base/json.hpp"

namespace strava1::accounts {

struct SignupBody {
    std::string email;
    std::string password;
    std::string display_name;
};
BOOST_DESCRIBE_STRUCT(SignupBody, (), (email, password, display_name))

struct LoginBody {
    std::string email;
    std::string password;
};
BOOST_DESCRIBE_STRUCT(LoginBody, (), (email, password))

struct RefreshBody {
    std::string refresh_token;
};
BOOST_DESCRIBE_STRUCT(RefreshBody, (), (refresh_token))

struct PasswordBody {
    std::string current_password;
    std::string new_password;
};
BOOST_DESCRIBE_STRUCT(PasswordBody, (), (current_password, new_password))

struct DeleteMeBody {
    std::optional<std::string> password;
};
BOOST_DESCRIBE_STRUCT(DeleteMeBody, (), (password))

struct PatchMeBody {
    json::Patch<std::string> username;
    json::Patch<std::string> display_name;
    json::Patch<std::string> bio;
    json::Patch<std::string> city;
    json::Patch<std::string> country;
    json::Patch<std::string> sex;
    json::Patch<std::string> birthdate;
    json::Patch<double> weight_kg;
    json::Patch<double> height_cm;
    json::Patch<std::int32_t> max_hr_bpm;
    json::Patch<std::int32_t> resting_hr_bpm;
    json::Patch<std::int32_t> ftp_w;
    json::Patch<std::string> units;
    json::Patch<std::string> time_zone;
    json::Patch<std::string> default_visibility;
    json::Patch<std::string> message_policy;
    json::Patch<std::int32_t> hide_endpoints_m;
};
BOOST_DESCRIBE_STRUCT(PatchMeBody, (),
                      (username, display_name, bio, city, country, sex, birthdate, weight_kg, height_cm, max_hr_bpm,
                       resting_hr_bpm, ftp_w, units, time_zone, default_visibility, message_policy, hide_endpoints_m))

}  // namespace strava1::accounts
