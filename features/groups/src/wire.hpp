#pragma once

// Wire types of the club routes (docs/api/openapi.yaml): request structs read with the strict reader
// (an unknown field — ids, counts, roles the server owns — or a wrong type is a 400 naming it), and
// the JSON writers of the answers.

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "repository.hpp"
#include "strava1/base/json.hpp"
#include "strava1/db/result.hpp"

namespace strava1::groups {

struct NewClubBody {
    std::string name;
    std::optional<std::string> description;
    std::string sport;
    std::optional<std::string> city;
    std::string privacy;
};
BOOST_DESCRIBE_STRUCT(NewClubBody, (), (name, description, sport, city, privacy))

struct PatchClubBody {
    json::Patch<std::string> name;
    json::Patch<std::string> description;
    json::Patch<std::string> sport;
    json::Patch<std::string> city;
    json::Patch<std::string> privacy;
};
BOOST_DESCRIBE_STRUCT(PatchClubBody, (), (name, description, sport, city, privacy))

struct InviteBody {
    std::int64_t user_id = 0;
};
BOOST_DESCRIBE_STRUCT(InviteBody, (), (user_id))

struct MemberRoleBody {
    std::string role;
};
BOOST_DESCRIBE_STRUCT(MemberRoleBody, (), (role))

struct NewEventBody {
    std::string title;
    std::optional<std::string> description;
    std::string starts_at;
    std::string ends_at;
    std::optional<std::string> place;
    std::optional<double> lat;
    std::optional<double> lng;
    std::optional<std::int64_t> route_activity_id;
};
BOOST_DESCRIBE_STRUCT(NewEventBody, (), (title, description, starts_at, ends_at, place, lat, lng, route_activity_id))

struct PatchEventBody {
    json::Patch<std::string> title;
    json::Patch<std::string> description;
    json::Patch<std::string> starts_at;
    json::Patch<std::string> ends_at;
    json::Patch<std::string> place;
    json::Patch<double> lat;
    json::Patch<double> lng;
    json::Patch<std::int64_t> route_activity_id;
};
BOOST_DESCRIBE_STRUCT(PatchEventBody, (), (title, description, starts_at, ends_at, place, lat, lng, route_activity_id))

struct RsvpBody {
    std::string answer;
};
BOOST_DESCRIBE_STRUCT(RsvpBody, (), (answer))

/// Display names by user id, for lists of people.
using Names = std::unordered_map<std::int64_t, std::string>;

/// A Club: the card everyone signed in may see, and the caller's membership (null when none).
std::string ClubJson(const db::Result& r, int row = 0);
/// {"clubs": [...], "next_cursor"}.
std::string ClubListJson(const db::Result& r, int shown, const std::optional<std::string>& next_cursor);
/// {"role", "state"} of one user in one club.
std::string MembershipJson(std::int64_t club_id, std::int64_t user_id, const std::optional<Membership>& m);
std::string MemberListJson(const db::Result& r, int shown, const Names& names,
                           const std::optional<std::string>& next_cursor);
/// A ClubEvent; `route_activity_id` only when the viewer may see that activity.
std::string EventJson(const db::Result& r, int row, bool route_visible);
std::string EventListJson(const db::Result& r, int shown, const std::vector<bool>& route_visible,
                          const std::optional<std::string>& next_cursor);
std::string AttendeeListJson(const db::Result& r, int shown, const Names& names,
                             const std::optional<std::string>& next_cursor);

/// One member's line on the leaderboard.
struct LeaderboardLine {
    std::int64_t user_id = 0;
    std::string display_name;
    std::int64_t activities = 0;
    double distance_m = 0;
    double moving_s = 0;
    double elevation_gain_m = 0;
};
std::string LeaderboardJson(std::int64_t club_id, const std::string& sport, const std::string& week,
                            const std::string& from, const std::string& to, const std::vector<LeaderboardLine>& lines);

}  // namespace strava1::groups
