#pragma once

// The accounts contract for other features: the profile facts they need about a user. Accounts owns
// them (the `users` table); no other feature reads that table (scripts/check-deps.py refuses it).

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace strava1::accounts {

/// What other features may know of one user's profile.
struct ProfileFacts {
    std::int64_t user_id = 0;
    std::optional<std::string> username;
    std::string display_name;
    std::optional<std::string> avatar_url;  ///< none yet: the media issue adds avatars
    std::optional<std::string> city;        ///< as the user wrote it (follow suggestions: "Also in Leeds")
    std::string units = "metric";           ///< "metric" | "imperial"
    std::string time_zone = "UTC";          ///< IANA name
    // What analysis needs (zones, calories, training load); unset when the user has not said.
    std::optional<double> weight_kg;
    std::optional<double> max_hr_bpm;
    std::optional<double> resting_hr_bpm;
    std::optional<double> ftp_w;
    std::optional<std::string> sex;   ///< "male" | "female" | "other"
    std::optional<double> age_years;  ///< whole years, from the birthdate
    // Defaults the user chose for what they record.
    std::string default_visibility = "everyone";  ///< "everyone" | "followers" | "only_me"
    int hide_endpoints_m = 200;                   ///< radius hidden around starts and ends
    /// Follow requests wait for the user's approval (a private profile); false: follows are instant.
    bool approve_followers = false;
    /// The calendar day (YYYY-MM-DD), in this user's time zone, of each instant the caller asked
    /// about, in that order (PostgreSQL's time-zone rules decide it; the C++ library here has none).
    std::vector<std::string> local_dates;
};

/// Users who live where one user does (follow suggestions).
struct SameCity {
    std::string city;                    ///< the user's city as written; empty when unset
    std::vector<std::int64_t> user_ids;  ///< others with that city (compared case-insensitively), newest first
};

/// Reads profile facts. Implemented by accounts::Module; thread-safe; each call is one statement.
class Profiles {
public:
    virtual ~Profiles() = default;

    /// The facts of each user of `user_ids` that exists, in no particular order (a missing or
    /// deleted user is left out). `local_dates_of_us` (µs since the Unix epoch) fills each one's
    /// `local_dates`.
    virtual boost::asio::awaitable<std::vector<ProfileFacts>> Find(std::vector<std::int64_t> user_ids,
                                                                   std::vector<std::int64_t> local_dates_of_us) = 0;

    /// The id of the user with this email (compared case-insensitively), or nullopt.
    virtual boost::asio::awaitable<std::optional<std::int64_t>> FindIdByEmail(std::string email) = 0;

    /// {lower-cased username, user id} of each of `usernames` that names a user (compared
    /// case-insensitively; unknown ones are left out): @mentions in social's posts and comments.
    virtual boost::asio::awaitable<std::vector<std::pair<std::string, std::int64_t>>> FindIdsByUsername(
        std::vector<std::string> usernames) = 0;

    /// Up to `limit` users of `user_id`'s city (none when the user has not set one).
    virtual boost::asio::awaitable<SameCity> InSameCity(std::int64_t user_id, int limit) = 0;
    /// Find for one user: nullopt when there is no such user.
    boost::asio::awaitable<std::optional<ProfileFacts>> FindOne(std::int64_t user_id,
                                                                std::vector<std::int64_t> local_dates_of_us = {});
};

}  // namespace strava1::accounts
