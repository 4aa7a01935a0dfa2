#pragma once

// The SQL of clubs, memberships, events and RSVPs: named statements and the column lists their rows
// are read with. It runs what it is asked and decides nothing (the service does).

#include <boost/asio/awaitable.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strava1/db/columns.hpp"
#include "strava1/db/pool.hpp"

namespace strava1::groups {

/// A club as one viewer reads it: the caller's own membership (role, state) comes with it.
inline constexpr std::array kClubColumns = std::to_array<db::Column>({
    {"id", "c.id"},
    {"name", "c.name"},
    {"description", "c.description"},
    {"sport", "c.sport"},
    {"city", "c.city"},
    {"privacy", "c.privacy"},
    {"member_count", "c.member_count"},
    {"created_at", "to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"my_role", "m.role"},
    {"my_state", "m.state"},
});
consteval int ClubCol(std::string_view name) { return db::ColumnIndex(kClubColumns, name); }

inline constexpr std::array kMemberColumns = std::to_array<db::Column>({
    {"user_id", "user_id"},
    {"role", "role"},
    {"state", "state"},
    {"since", "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
});
consteval int MemberCol(std::string_view name) { return db::ColumnIndex(kMemberColumns, name); }

/// An event as one viewer reads it: counts of answers and the viewer's own answer.
inline constexpr std::array kEventColumns = std::to_array<db::Column>({
    {"id", "e.id"},
    {"club_id", "e.club_id"},
    {"title", "e.title"},
    {"description", "e.description"},
    {"starts_at", "to_char(e.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"ends_at", "to_char(e.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"starts_us", "(extract(epoch FROM e.starts_at) * 1000000)::bigint"},
    {"ends_us", "(extract(epoch FROM e.ends_at) * 1000000)::bigint"},
    {"place", "e.place"},
    {"lat", "e.lat"},
    {"lng", "e.lng"},
    {"route_activity_id", "e.route_activity_id"},
    {"going_count", "(SELECT count(*) FROM club_event_rsvps r WHERE r.event_id = e.id AND r.answer = 'going')"},
    {"maybe_count", "(SELECT count(*) FROM club_event_rsvps r WHERE r.event_id = e.id AND r.answer = 'maybe')"},
    {"my_rsvp", "(SELECT r.answer FROM club_event_rsvps r WHERE r.event_id = e.id AND r.user_id = $1)"},
});
consteval int EventCol(std::string_view name) { return db::ColumnIndex(kEventColumns, name); }

struct ClubFields {
    std::string name;
    std::string description;
    std::string sport;
    std::string city;
    std::string privacy;
};

struct EventFields {
    std::string title;
    std::string description;
    std::int64_t starts_us = 0;
    std::int64_t ends_us = 0;
    std::string place;
    std::optional<double> lat;
    std::optional<double> lng;
    std::optional<std::int64_t> route_activity_id;
};

/// One membership row.
struct Membership {
    std::string role;   ///< owner | admin | member
    std::string state;  ///< active | requested | invited
};

class Repository {
public:
    explicit Repository(db::Pool& pool) : pool_(pool) {}

    // clubs
    static boost::asio::awaitable<std::int64_t> InsertClub(db::Transaction tx, const ClubFields& club);
    boost::asio::awaitable<db::Result> FindClub(std::int64_t viewer_id, std::int64_t club_id);
    /// Clubs whose lower-cased name starts with `name_prefix` (null: any), only the viewer's when
    /// `mine`, newest first after `before_id`.
    boost::asio::awaitable<db::Result> SearchClubs(std::int64_t viewer_id, std::optional<std::string> name_prefix,
                                                   bool mine, std::optional<std::int64_t> before_id, int limit);
    /// Locks the club's row (membership changes and member_count go one at a time); its privacy, or
    /// nullopt when there is no such club.
    static boost::asio::awaitable<std::optional<std::string>> LockClub(db::Transaction tx, std::int64_t club_id);
    static boost::asio::awaitable<void> UpdateClub(db::Transaction tx, std::int64_t club_id, const ClubFields& club);
    boost::asio::awaitable<void> DeleteClub(std::int64_t club_id);
    static boost::asio::awaitable<void> AdjustMemberCount(db::Transaction tx, std::int64_t club_id, int delta);

    // memberships
    boost::asio::awaitable<std::optional<Membership>> FindMembership(std::int64_t club_id, std::int64_t user_id);
    static boost::asio::awaitable<std::optional<Membership>> LockMembership(db::Transaction tx, std::int64_t club_id,
                                                                            std::int64_t user_id);
    static boost::asio::awaitable<void> InsertMembership(db::Transaction tx, std::int64_t club_id, std::int64_t user_id,
                                                         const Membership& membership);
    static boost::asio::awaitable<void> UpdateMembership(db::Transaction tx, std::int64_t club_id, std::int64_t user_id,
                                                         const Membership& membership);
    /// Removes the membership row and the user's answers to the club's events.
    static boost::asio::awaitable<void> DeleteMembership(db::Transaction tx, std::int64_t club_id,
                                                         std::int64_t user_id);
    boost::asio::awaitable<db::Result> Members(std::int64_t club_id, std::string state, std::optional<std::string> role,
                                               std::optional<std::int64_t> after_user_id, int limit);
    boost::asio::awaitable<std::vector<std::int64_t>> ActiveMemberIds(std::int64_t club_id);

    // events
    static boost::asio::awaitable<std::int64_t> InsertEvent(db::Transaction tx, std::int64_t club_id,
                                                            std::int64_t created_by, const EventFields& event);
    boost::asio::awaitable<db::Result> FindEvent(std::int64_t viewer_id, std::int64_t club_id, std::int64_t event_id);
    /// Locks the event's row; whether the club has it.
    static boost::asio::awaitable<bool> LockEvent(db::Transaction tx, std::int64_t club_id, std::int64_t event_id);
    static boost::asio::awaitable<void> UpdateEvent(db::Transaction tx, std::int64_t event_id,
                                                    const EventFields& event);
    static boost::asio::awaitable<bool> DeleteEvent(db::Transaction tx, std::int64_t club_id, std::int64_t event_id);
    /// The club's events that have not ended, soonest first, after (starts_us, id).
    boost::asio::awaitable<db::Result> UpcomingEvents(std::int64_t viewer_id, std::int64_t club_id,
                                                      std::optional<std::vector<std::int64_t>> after, int limit);
    boost::asio::awaitable<void> SetRsvp(std::int64_t event_id, std::int64_t user_id, std::string answer);
    boost::asio::awaitable<void> DeleteRsvp(std::int64_t event_id, std::int64_t user_id);
    /// user_id and answer of the event's RSVPs, by user id after `after_user_id`.
    boost::asio::awaitable<db::Result> Attendees(std::int64_t event_id, std::optional<std::string> answer,
                                                 std::optional<std::int64_t> after_user_id, int limit);

    /// The event's club, start and the members going, for its reminder; nullopt when it is gone.
    struct ReminderFacts {
        std::int64_t club_id = 0;
        std::int64_t starts_us = 0;
        std::vector<std::int64_t> going;
        std::string title;
    };
    static boost::asio::awaitable<std::optional<ReminderFacts>> ReminderOf(db::Transaction tx, std::int64_t event_id);
    /// The club's name and its active owner and admins, for the events notifications subscribe to.
    struct NoticeFacts {
        std::string name;
        std::vector<std::int64_t> admin_ids;
    };
    static boost::asio::awaitable<NoticeFacts> NoticeOf(db::Transaction tx, std::int64_t club_id);

private:
    db::Pool& pool_;
};

}  // namespace strava1::groups
