#pragma once

// The clubs service: checks fields, states the resource policy of each action (app::RequireMember /
// RequireAdmin with the club membership below), runs the transactions that keep member_count and
// the reminder jobs in step with the rows. It takes no HTTP type.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "repository.hpp"
#include "strava1/app/policy.hpp"
#include "strava1/base/principal.hpp"
#include "strava1/groups/module.hpp"
#include "wire.hpp"

namespace strava1::groups {

/// app::Membership for clubs: owners and admins run the club (kAdmin), active members are kMember;
/// requests, invitations, removed members and strangers are kNone.
class ClubMembership final : public app::Membership {
public:
    explicit ClubMembership(Repository& repository) : repository_(repository) {}
    boost::asio::awaitable<Role> RoleOf(std::int64_t club_id, std::int64_t user_id) override;

private:
    Repository& repository_;
};

/// A list request's paging, as the routes read it.
struct ListPage {
    int limit = 30;
    std::optional<std::vector<std::int64_t>> after;
};

/// A page of rows: the result, how many of its rows the page shows, and the next cursor.
struct PageOf {
    db::Result rows;
    int shown = 0;
    std::optional<std::string> next_cursor;
};

/// The reminder job's kind; its unique key is kReminderKind + ":" + the event id.
inline constexpr const char* kReminderKind = "groups.event-reminder";
/// How long before an event starts its reminder is published.
inline constexpr std::chrono::hours kReminderLead{1};

/// The ISO week "YYYY-Www" as [Monday 00:00 UTC, the next Monday); nullopt when malformed or the
/// year has no such week.
std::optional<std::pair<SystemTime, SystemTime>> IsoWeek(std::string_view week);
/// The ISO week `t` falls in, "YYYY-Www".
std::string IsoWeekOf(SystemTime t);

/// The reminder job's work: publishes kEventReminder for the event when it still exists and still
/// starts at `starts_us` (a moved event has a newer job). Returns whether it published.
boost::asio::awaitable<bool> PublishReminder(db::Pool& pool, const jobs::Client& jobs, std::int64_t event_id,
                                             std::int64_t starts_us);

class Service {
public:
    Service(Deps deps, Repository& repository) : deps_(deps), repository_(repository), membership_(repository) {}

    app::Membership& Membership() { return membership_; }

    boost::asio::awaitable<db::Result> CreateClub(const Principal& caller, NewClubBody body);
    boost::asio::awaitable<PageOf> SearchClubs(const Principal& caller, std::optional<std::string> query, bool mine,
                                               ListPage page);
    boost::asio::awaitable<db::Result> GetClub(const Principal& caller, std::int64_t club_id);
    boost::asio::awaitable<db::Result> PatchClub(const Principal& caller, std::int64_t club_id, PatchClubBody body);
    boost::asio::awaitable<void> DeleteClub(const Principal& caller, std::int64_t club_id);

    boost::asio::awaitable<std::optional<groups::Membership>> Join(const Principal& caller, std::int64_t club_id);
    boost::asio::awaitable<void> Leave(const Principal& caller, std::int64_t club_id);
    boost::asio::awaitable<std::optional<groups::Membership>> Invite(const Principal& caller, std::int64_t club_id,
                                                                     std::int64_t user_id);
    boost::asio::awaitable<std::optional<groups::Membership>> Accept(const Principal& caller, std::int64_t club_id,
                                                                     std::int64_t user_id);
    boost::asio::awaitable<std::optional<groups::Membership>> SetRole(const Principal& caller, std::int64_t club_id,
                                                                      std::int64_t user_id, std::string role);
    boost::asio::awaitable<void> Remove(const Principal& caller, std::int64_t club_id, std::int64_t user_id);
    boost::asio::awaitable<PageOf> Members(const Principal& caller, std::int64_t club_id,
                                           std::optional<std::string> state, std::optional<std::string> role,
                                           ListPage page, Names& names);

    boost::asio::awaitable<db::Result> CreateEvent(const Principal& caller, std::int64_t club_id, NewEventBody body);
    boost::asio::awaitable<db::Result> GetEvent(const Principal& caller, std::int64_t club_id, std::int64_t event_id);
    boost::asio::awaitable<db::Result> PatchEvent(const Principal& caller, std::int64_t club_id, std::int64_t event_id,
                                                  PatchEventBody body);
    boost::asio::awaitable<void> DeleteEvent(const Principal& caller, std::int64_t club_id, std::int64_t event_id);
    boost::asio::awaitable<PageOf> Events(const Principal& caller, std::int64_t club_id, ListPage page);
    boost::asio::awaitable<db::Result> Rsvp(const Principal& caller, std::int64_t club_id, std::int64_t event_id,
                                            std::string answer);
    boost::asio::awaitable<void> CancelRsvp(const Principal& caller, std::int64_t club_id, std::int64_t event_id);
    boost::asio::awaitable<PageOf> Attendees(const Principal& caller, std::int64_t club_id, std::int64_t event_id,
                                             std::optional<std::string> answer, ListPage page, Names& names);
    /// Whether the viewer may see each event's route activity (row order).
    boost::asio::awaitable<std::vector<bool>> RoutesVisible(const Principal& caller, const db::Result& events,
                                                            int shown);

    struct Leaderboard {
        std::string sport;
        std::string week;
        SystemTime from;
        SystemTime to;
        std::vector<LeaderboardLine> lines;
    };
    boost::asio::awaitable<Leaderboard> WeeklyLeaderboard(const Principal& caller, std::int64_t club_id,
                                                          std::optional<std::string> sport,
                                                          std::optional<std::string> week);

private:
    boost::asio::awaitable<void> EnqueueReminder(db::Transaction tx, std::int64_t event_id, std::int64_t starts_us);
    /// Publishes groups.club.invited / groups.club.join_requested (module.hpp) in the change's transaction.
    boost::asio::awaitable<void> PublishNotice(db::Transaction tx, const char* type, std::int64_t club_id,
                                               std::int64_t user_id, std::int64_t by_user_id);
    boost::asio::awaitable<void> NamesOf(std::vector<std::int64_t> user_ids, Names& names);

    Deps deps_;
    Repository& repository_;
    ClubMembership membership_;
};

}  // namespace strava1::groups
