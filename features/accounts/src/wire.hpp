#pragma once

// Wire types of the accounts routes (docs/api/openapi.yaml): request structs, read with the strict
// reader (unknown fields and wrong types are 400s naming the field), and the JSON writers of what the
// routes answer.

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strava1/app/relations.hpp"
#include "strava1/base/json.hpp"
#include "strava1/base/json_writer.hpp"
#include "strava1/db/result.hpp"

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
    json::Patch<bool> approve_followers;
};
BOOST_DESCRIBE_STRUCT(PatchMeBody, (),
                      (username, display_name, bio, city, country, sex, birthdate, weight_kg, height_cm, max_hr_bpm,
                       resting_hr_bpm, ftp_w, units, time_zone, default_visibility, message_policy, hide_endpoints_m,
                       approve_followers))

/// An access and refresh token pair as the sign-in routes answer it (AuthTokens).
struct IssuedTokens {
    std::string access_token;
    std::int64_t expires_in_s = 0;
    std::string refresh_token;
};

/// One live session (GET /v1/auth/sessions).
struct SessionView {
    std::int64_t id = 0;
    std::string created_at;
    std::string last_used_at;
    std::optional<std::string> user_agent;
    bool current = false;
};

/// The owner's view of a user from a row of kMeColumns (repository.hpp), as GET /v1/me answers it.
std::string MeJson(const db::Result& me);
/// A user as others see them, from a row of kPublicProfileColumns.
/// With `relationship`: its viewer's relation to the user and the user's follower counts.
std::string PublicProfileJson(const db::Result& profile, const app::Relationship& relationship);
/// A page of people search: {"users": [{id, username, display_name, city, follower_count,
/// relationship: {following, followed_by}}], "next_cursor"}.
struct SearchHit;
std::string SearchJson(const std::vector<std::pair<SearchHit, app::Relationship>>& hits, std::size_t shown,
                       const std::optional<std::string>& next_cursor);
/// AuthTokens with the signed-in user: {"access_token", "token_type", "expires_in", "refresh_token", "user"}.
std::string SignedInJson(const IssuedTokens& tokens, const db::Result& me);
/// {"sessions": [...]}.
std::string SessionsJson(const std::vector<SessionView>& sessions);

}  // namespace strava1::accounts
