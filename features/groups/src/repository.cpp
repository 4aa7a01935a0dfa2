#include "repository.hpp"

namespace strava1::groups {
namespace asio = boost::asio;
using db::Params;

namespace {

const std::string kClubFrom = " FROM clubs c LEFT JOIN club_members m ON m.club_id = c.id AND m.user_id = $1::bigint";
const std::string kFindClub = "SELECT " + db::SelectList(kClubColumns) + kClubFrom + " WHERE c.id = $2";
// "mine" joins on the caller's active memberships (club_members_user); a name prefix uses clubs_name_prefix.
const std::string kSearchClubs =
    "SELECT " + db::SelectList(kClubColumns) + kClubFrom +
    " WHERE ($2::text IS NULL OR lower(c.name) LIKE lower($2) || '%') AND (NOT $3::boolean OR m.state = 'active')"
    " AND ($4::bigint IS NULL OR c.id < $4) ORDER BY c.id DESC LIMIT $5";
constexpr const char* kInsertClub =
    "INSERT INTO clubs (name, description, sport, city, privacy, member_count) VALUES ($1, $2, $3, $4, $5, 0) "
    "RETURNING id";
constexpr const char* kLockClub = "SELECT privacy FROM clubs WHERE id = $1 FOR UPDATE";
constexpr const char* kUpdateClub =
    "UPDATE clubs SET name = $2, description = $3, sport = $4, city = $5, privacy = $6 WHERE id = $1";
constexpr const char* kDeleteClub = "DELETE FROM clubs WHERE id = $1";
constexpr const char* kAdjustCount = "UPDATE clubs SET member_count = member_count + $2 WHERE id = $1";

constexpr const char* kFindMembership = "SELECT role, state FROM club_members WHERE club_id = $1 AND user_id = $2";
constexpr const char* kLockMembership =
    "SELECT role, state FROM club_members WHERE club_id = $1 AND user_id = $2 FOR UPDATE";
constexpr const char* kInsertMembership =
    "INSERT INTO club_members (club_id, user_id, role, state) VALUES ($1, $2, $3, $4)";
constexpr const char* kUpdateMembership =
    "UPDATE club_members SET role = $3, state = $4 WHERE club_id = $1 AND user_id = $2";
constexpr const char* kDeleteMembership = "DELETE FROM club_members WHERE club_id = $1 AND user_id = $2";
constexpr const char* kDeleteClubRsvps =
    "DELETE FROM club_event_rsvps r USING club_events e WHERE r.event_id = e.id AND e.club_id = $1 AND r.user_id = $2";
const std::string kMembers = "SELECT " + db::SelectList(kMemberColumns) +
                             " FROM club_members WHERE club_id = $1 AND state = $2 AND ($3::text IS NULL OR role = $3)"
                             " AND ($4::bigint IS NULL OR user_id > $4) ORDER BY user_id LIMIT $5";
constexpr const char* kActiveMemberIds =
    "SELECT user_id FROM club_members WHERE club_id = $1 AND state = 'active' ORDER BY user_id";

const std::string kEventSelect = "SELECT " + db::SelectList(kEventColumns) + " FROM club_events e";
constexpr const char* kInsertEvent =
    "INSERT INTO club_events (club_id, created_by, title, description, starts_at, ends_at, place, lat, lng, "
    "route_activity_id) VALUES ($1, $2, $3, $4, timestamptz 'epoch' + $5::bigint * interval '1 microsecond', "
    "timestamptz 'epoch' + $6::bigint * interval '1 microsecond', $7, $8, $9, $10) RETURNING id";
const std::string kFindEvent = kEventSelect + " WHERE e.id = $2 AND e.club_id = $3";
constexpr const char* kLockEvent = "SELECT 1 FROM club_events WHERE id = $2 AND club_id = $1 FOR UPDATE";
constexpr const char* kUpdateEvent =
    "UPDATE club_events SET title = $2, description = $3, "
    "starts_at = timestamptz 'epoch' + $4::bigint * interval '1 microsecond', "
    "ends_at = timestamptz 'epoch' + $5::bigint * interval '1 microsecond', place = $6, lat = $7, lng = $8, "
    "route_activity_id = $9 WHERE id = $1";
constexpr const char* kDeleteEvent = "DELETE FROM club_events WHERE id = $2 AND club_id = $1";
const std::string kUpcomingEvents =
    kEventSelect +
    " WHERE e.club_id = $2 AND e.ends_at > now() AND ($3::bigint IS NULL OR (e.starts_at, e.id) > "
    "(timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4::bigint)) ORDER BY e.starts_at, e.id LIMIT $5";
constexpr const char* kSetRsvp =
    "INSERT INTO club_event_rsvps (event_id, user_id, answer) VALUES ($1, $2, $3) "
    "ON CONFLICT (event_id, user_id) DO UPDATE SET answer = EXCLUDED.answer";
constexpr const char* kDeleteRsvp = "DELETE FROM club_event_rsvps WHERE event_id = $1 AND user_id = $2";
constexpr const char* kAttendees =
    "SELECT user_id, answer FROM club_event_rsvps WHERE event_id = $1 AND ($2::text IS NULL OR answer = $2) "
    "AND ($3::bigint IS NULL OR user_id > $3) ORDER BY user_id LIMIT $4";
constexpr const char* kReminderOf =
    "SELECT e.club_id, (extract(epoch FROM e.starts_at) * 1000000)::bigint AS starts_us, "
    "COALESCE((SELECT array_agg(r.user_id ORDER BY r.user_id) FROM club_event_rsvps r WHERE r.event_id = e.id AND "
    "r.answer = 'going'), '{}')::text AS going, e.title FROM club_events e WHERE e.id = $1";
// What a notification about the club says: its name, and who manages it (owner and admins).
constexpr const char* kNoticeOf =
    "SELECT c.name, COALESCE((SELECT array_agg(m.user_id ORDER BY m.user_id) FROM club_members m WHERE "
    "m.club_id = c.id AND m.state = 'active' AND m.role IN ('owner', 'admin')), '{}')::text FROM clubs c "
    "WHERE c.id = $1";

std::vector<std::int64_t> ParseIds(std::string_view pg_array) {
    std::vector<std::int64_t> out;
    std::string current;
    for (char ch : pg_array) {
        if (ch >= '0' && ch <= '9') {
            current += ch;
        } else if (!current.empty()) {
            out.push_back(std::stoll(current));
            current.clear();
        }
    }
    return out;
}

}  // namespace

asio::awaitable<std::int64_t> Repository::InsertClub(db::Transaction tx, const ClubFields& c) {
    db::Result r = co_await tx.Query(kInsertClub, Params::Of(c.name, c.description, c.sport, c.city, c.privacy));
    co_return r.Int(0, 0);
}

asio::awaitable<db::Result> Repository::FindClub(std::int64_t viewer_id, std::int64_t club_id) {
    co_return co_await pool_.QueryPipelined(kFindClub, Params::Of(viewer_id, club_id));
}

asio::awaitable<db::Result> Repository::SearchClubs(std::int64_t viewer_id, std::optional<std::string> name_prefix,
                                                    bool mine, std::optional<std::int64_t> before_id, int limit) {
    co_return co_await pool_.Query(kSearchClubs, Params::Of(viewer_id, name_prefix, mine, before_id, limit));
}

asio::awaitable<std::optional<std::string>> Repository::LockClub(db::Transaction tx, std::int64_t club_id) {
    db::Result r = co_await tx.Query(kLockClub, Params::Of(club_id));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return r.String(0, 0);
}

asio::awaitable<void> Repository::UpdateClub(db::Transaction tx, std::int64_t club_id, const ClubFields& c) {
    co_await tx.Query(kUpdateClub, Params::Of(club_id, c.name, c.description, c.sport, c.city, c.privacy));
}

asio::awaitable<void> Repository::DeleteClub(std::int64_t club_id) {
    co_await pool_.Query(kDeleteClub, Params::Of(club_id));
}

asio::awaitable<void> Repository::AdjustMemberCount(db::Transaction tx, std::int64_t club_id, int delta) {
    co_await tx.Query(kAdjustCount, Params::Of(club_id, delta));
}

asio::awaitable<std::optional<Membership>> Repository::FindMembership(std::int64_t club_id, std::int64_t user_id) {
    db::Result r = co_await pool_.QueryPipelined(kFindMembership, Params::Of(club_id, user_id));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return Membership{r.String(0, 0), r.String(0, 1)};
}

asio::awaitable<std::optional<Membership>> Repository::LockMembership(db::Transaction tx, std::int64_t club_id,
                                                                      std::int64_t user_id) {
    db::Result r = co_await tx.Query(kLockMembership, Params::Of(club_id, user_id));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return Membership{r.String(0, 0), r.String(0, 1)};
}

asio::awaitable<void> Repository::InsertMembership(db::Transaction tx, std::int64_t club_id, std::int64_t user_id,
                                                   const Membership& m) {
    co_await tx.Query(kInsertMembership, Params::Of(club_id, user_id, m.role, m.state));
}

asio::awaitable<void> Repository::UpdateMembership(db::Transaction tx, std::int64_t club_id, std::int64_t user_id,
                                                   const Membership& m) {
    co_await tx.Query(kUpdateMembership, Params::Of(club_id, user_id, m.role, m.state));
}

asio::awaitable<void> Repository::DeleteMembership(db::Transaction tx, std::int64_t club_id, std::int64_t user_id) {
    co_await tx.Query(kDeleteMembership, Params::Of(club_id, user_id));
    co_await tx.Query(kDeleteClubRsvps, Params::Of(club_id, user_id));
}

asio::awaitable<db::Result> Repository::Members(std::int64_t club_id, std::string state,
                                                std::optional<std::string> role,
                                                std::optional<std::int64_t> after_user_id, int limit) {
    co_return co_await pool_.Query(kMembers, Params::Of(club_id, state, role, after_user_id, limit));
}

asio::awaitable<std::vector<std::int64_t>> Repository::ActiveMemberIds(std::int64_t club_id) {
    db::Result r = co_await pool_.Query(kActiveMemberIds, Params::Of(club_id));
    std::vector<std::int64_t> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(r.Int(row, 0));
    }
    co_return out;
}

asio::awaitable<std::int64_t> Repository::InsertEvent(db::Transaction tx, std::int64_t club_id, std::int64_t created_by,
                                                      const EventFields& e) {
    Params p = Params::Of(club_id, created_by, e.title, e.description, e.starts_us, e.ends_us, e.place);
    p.Add(e.lat).Add(e.lng).Add(e.route_activity_id);
    db::Result r = co_await tx.Query(kInsertEvent, std::move(p));
    co_return r.Int(0, 0);
}

asio::awaitable<db::Result> Repository::FindEvent(std::int64_t viewer_id, std::int64_t club_id, std::int64_t event_id) {
    co_return co_await pool_.QueryPipelined(kFindEvent, Params::Of(viewer_id, event_id, club_id));
}

asio::awaitable<bool> Repository::LockEvent(db::Transaction tx, std::int64_t club_id, std::int64_t event_id) {
    db::Result r = co_await tx.Query(kLockEvent, Params::Of(club_id, event_id));
    co_return !r.Empty();
}

asio::awaitable<void> Repository::UpdateEvent(db::Transaction tx, std::int64_t event_id, const EventFields& e) {
    Params p = Params::Of(event_id, e.title, e.description, e.starts_us, e.ends_us, e.place);
    p.Add(e.lat).Add(e.lng).Add(e.route_activity_id);
    co_await tx.Query(kUpdateEvent, std::move(p));
}

asio::awaitable<bool> Repository::DeleteEvent(db::Transaction tx, std::int64_t club_id, std::int64_t event_id) {
    db::Result r = co_await tx.Query(kDeleteEvent, Params::Of(club_id, event_id));
    co_return r.Affected() > 0;
}

asio::awaitable<db::Result> Repository::UpcomingEvents(std::int64_t viewer_id, std::int64_t club_id,
                                                       std::optional<std::vector<std::int64_t>> after, int limit) {
    std::optional<std::int64_t> after_us;
    std::optional<std::int64_t> after_id;
    if (after) {
        after_us = (*after)[0];
        after_id = (*after)[1];
    }
    co_return co_await pool_.Query(kUpcomingEvents, Params::Of(viewer_id, club_id, after_us, after_id, limit));
}

asio::awaitable<void> Repository::SetRsvp(std::int64_t event_id, std::int64_t user_id, std::string answer) {
    co_await pool_.Query(kSetRsvp, Params::Of(event_id, user_id, answer));
}

asio::awaitable<void> Repository::DeleteRsvp(std::int64_t event_id, std::int64_t user_id) {
    co_await pool_.Query(kDeleteRsvp, Params::Of(event_id, user_id));
}

asio::awaitable<db::Result> Repository::Attendees(std::int64_t event_id, std::optional<std::string> answer,
                                                  std::optional<std::int64_t> after_user_id, int limit) {
    co_return co_await pool_.Query(kAttendees, Params::Of(event_id, answer, after_user_id, limit));
}

asio::awaitable<std::optional<Repository::ReminderFacts>> Repository::ReminderOf(db::Transaction tx,
                                                                                 std::int64_t event_id) {
    db::Result r = co_await tx.Query(kReminderOf, Params::Of(event_id));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return ReminderFacts{r.Int(0, 0), r.Int(0, 1), ParseIds(r.Text(0, 2)), r.String(0, 3)};
}

asio::awaitable<Repository::NoticeFacts> Repository::NoticeOf(db::Transaction tx, std::int64_t club_id) {
    db::Result r = co_await tx.Query(kNoticeOf, Params::Of(club_id));
    if (r.Empty()) {
        co_return NoticeFacts{};
    }
    co_return NoticeFacts{r.String(0, 0), ParseIds(r.Text(0, 1))};
}

}  // namespace strava1::groups
