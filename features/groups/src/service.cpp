#include "service.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>

#include "strava1/base/field_errors.hpp"
#include "strava1/base/text.hpp"
#include "strava1/db/error.hpp"
#include "strava1/formats/activity.hpp"
#include "strava1/http/paging.hpp"

namespace strava1::groups {
namespace asio = boost::asio;
using app::RequireAdmin;
using app::RequireMember;
using Role = app::Membership::Role;

namespace {

constexpr const char* kClub = "club";
constexpr const char* kEvent = "event";

std::int64_t Micros(SystemTime t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

SystemTime FromMicros(std::int64_t us) { return SystemTime(std::chrono::microseconds(us)); }

void CheckClub(FieldErrors& errors, const ClubFields& c) {
    errors.Check("name", text::Check(c.name, text::Lines::kSingle, 1, 100));
    errors.Check("description", text::Check(c.description, text::Lines::kMulti, 0, 2000));
    errors.Check("city", text::Check(c.city, text::Lines::kSingle, 0, 100));
    if (!formats::ParseSportName(c.sport) || c.sport == "unknown" || c.sport == "transition") {
        errors.Add("sport", "must be one of the sports (run, ride, swim, ...)");
    }
    if (c.privacy != "public" && c.privacy != "private") {
        errors.Add("privacy", "must be public or private");
    }
}

/// A page of `fetched` rows: how many it shows and the cursor after the last shown.
template <class KeyOf>
PageOf Paged(db::Result rows, const ListPage& page, KeyOf key_of) {
    http::Page p{page.limit, page.after};
    PageOf out;
    const int fetched = rows.Rows();
    out.shown = p.Shown(fetched);
    if (out.shown > 0) {
        const std::vector<std::int64_t> key = key_of(rows, out.shown - 1);
        out.next_cursor = p.NextCursor(fetched, key);
    }
    out.rows = std::move(rows);
    return out;
}

std::optional<std::int64_t> First(const std::optional<std::vector<std::int64_t>>& after) {
    if (!after || after->empty()) {
        return std::nullopt;
    }
    return after->front();
}

/// The event fields with every check of one create or edit: texts, the times (start in the future
/// when it is set now; end after start), a position given whole.
void CheckEvent(FieldErrors& errors, const EventFields& e, bool start_set, SystemTime now) {
    errors.Check("title", text::Check(e.title, text::Lines::kSingle, 1, 200));
    errors.Check("description", text::Check(e.description, text::Lines::kMulti, 0, 2000));
    errors.Check("place", text::Check(e.place, text::Lines::kSingle, 0, 200));
    if (start_set && !errors.Has("starts_at") && e.starts_us <= Micros(now)) {
        errors.Add("starts_at", "must be in the future");
    }
    if (!errors.Has("starts_at") && !errors.Has("ends_at") && e.ends_us <= e.starts_us) {
        errors.Add("ends_at", "must be after starts_at");
    }
    if (e.lat.has_value() != e.lng.has_value()) {
        errors.Add(e.lat ? "lng" : "lat", "lat and lng go together");
    }
    if (e.lat && (*e.lat < -90 || *e.lat > 90)) {
        errors.Add("lat", "must be from -90 to 90");
    }
    if (e.lng && (*e.lng < -180 || *e.lng > 180)) {
        errors.Add("lng", "must be from -180 to 180");
    }
}

std::int64_t ReadTime(FieldErrors& errors, std::string_view field, const std::string& value) {
    std::optional<SystemTime> t = ParseRfc3339(value);
    if (!t) {
        errors.Add(std::string(field), "must be an RFC 3339 date-time such as 2026-05-01T07:00:00Z");
        return 0;
    }
    return Micros(*t);
}

bool Runs(Role role) { return role == Role::kAdmin; }

}  // namespace

// --- ISO weeks ---

namespace {
std::chrono::sys_days MondayOfWeekOne(int year) {
    using namespace std::chrono;
    const sys_days jan4 = sys_days(std::chrono::year(year) / January / 4);
    return jan4 - days(weekday(jan4).iso_encoding() - 1);
}
}  // namespace

std::optional<std::pair<SystemTime, SystemTime>> IsoWeek(std::string_view week) {
    int year = 0;
    int number = 0;
    char tail = 0;
    if (week.size() != 8 || week[4] != '-' || week[5] != 'W' ||
        std::sscanf(std::string(week).c_str(), "%4d-W%2d%c", &year, &number, &tail) != 2 || year < 1970 ||
        year > 9998 || number < 1) {
        return std::nullopt;
    }
    const auto start = MondayOfWeekOne(year) + std::chrono::weeks(number - 1);
    if (start >= MondayOfWeekOne(year + 1)) {
        return std::nullopt;  // week 53 of a year with 52
    }
    return std::pair{SystemTime(start), SystemTime(start + std::chrono::weeks(1))};
}

std::string IsoWeekOf(SystemTime t) {
    using namespace std::chrono;
    const sys_days day = floor<days>(t);
    // The ISO year is the year of the week's Thursday.
    const sys_days thursday = day - days(weekday(day).iso_encoding() - 1) + days(3);
    const int year = static_cast<int>(year_month_day(thursday).year());
    const int number = static_cast<int>((thursday - MondayOfWeekOne(year)).count() / 7) + 1;
    char out[32];  // room for any int the compiler may assume, though a year and week are short
    std::snprintf(out, sizeof out, "%04d-W%02d", year, number);
    return out;
}

// --- membership ---

asio::awaitable<Role> ClubMembership::RoleOf(std::int64_t club_id, std::int64_t user_id) {
    std::optional<groups::Membership> m = co_await repository_.FindMembership(club_id, user_id);
    if (!m || m->state != "active") {
        co_return Role::kNone;
    }
    co_return m->role == "member" ? Role::kMember : Role::kAdmin;
}

// --- clubs ---

asio::awaitable<db::Result> Service::CreateClub(const Principal& caller, NewClubBody body) {
    ClubFields club{std::move(body.name), body.description.value_or(""), std::move(body.sport), body.city.value_or(""),
                    std::move(body.privacy)};
    FieldErrors errors;
    CheckClub(errors, club);
    errors.ThrowIfAny();
    db::Transaction tx = co_await deps_.pool.Begin();
    const std::int64_t club_id = co_await Repository::InsertClub(tx, club);
    const groups::Membership owner{"owner", "active"};
    co_await Repository::InsertMembership(tx, club_id, caller.user_id, owner);
    co_await Repository::AdjustMemberCount(tx, club_id, 1);
    co_await tx.Commit();
    co_return co_await repository_.FindClub(caller.user_id, club_id);
}

asio::awaitable<PageOf> Service::SearchClubs(const Principal& caller, std::optional<std::string> query, bool mine,
                                             ListPage page) {
    std::optional<std::string> prefix;
    if (query && !query->empty()) {
        FieldErrors errors;
        errors.Check("q", text::Check(*query, text::Lines::kSingle, 1, 100));
        errors.ThrowIfAny();
        std::string escaped;
        for (char ch : *query) {
            if (ch == '%' || ch == '_' || ch == '\\') {
                escaped += '\\';
            }
            escaped += ch;
        }
        prefix = std::move(escaped);
    }
    db::Result rows = co_await repository_.SearchClubs(caller.user_id, prefix, mine, First(page.after), page.limit + 1);
    co_return Paged(std::move(rows), page,
                    [](const db::Result& r, int row) { return std::vector<std::int64_t>{r.Int(row, ClubCol("id"))}; });
}

asio::awaitable<db::Result> Service::GetClub(const Principal& caller, std::int64_t club_id) {
    // Every signed-in user sees a club's card, private or not (its members, events and leaderboard
    // are for members only: ADR 0021).
    db::Result club = co_await repository_.FindClub(caller.user_id, club_id);
    if (club.Empty()) {
        throw NotFound(kClub);
    }
    co_return club;
}

asio::awaitable<db::Result> Service::PatchClub(const Principal& caller, std::int64_t club_id, PatchClubBody body) {
    co_await RequireAdmin(&membership_, club_id, caller, kClub);
    db::Result current = co_await GetClub(caller, club_id);
    FieldErrors errors;
    errors.NotNull("name", body.name.present, body.name.value.has_value());
    errors.NotNull("sport", body.sport.present, body.sport.value.has_value());
    errors.NotNull("privacy", body.privacy.present, body.privacy.value.has_value());
    ClubFields club{
        body.name.value.value_or(current.String(0, ClubCol("name"))),
        body.description.present ? body.description.value.value_or("") : current.String(0, ClubCol("description")),
        body.sport.value.value_or(current.String(0, ClubCol("sport"))),
        body.city.present ? body.city.value.value_or("") : current.String(0, ClubCol("city")),
        body.privacy.value.value_or(current.String(0, ClubCol("privacy")))};
    CheckClub(errors, club);
    errors.ThrowIfAny();
    db::Transaction tx = co_await deps_.pool.Begin();
    const auto found1 = co_await Repository::LockClub(tx, club_id);
    if (!found1) {
        throw NotFound(kClub);
    }
    co_await Repository::UpdateClub(tx, club_id, club);
    co_await tx.Commit();
    co_return co_await GetClub(caller, club_id);
}

asio::awaitable<void> Service::DeleteClub(const Principal& caller, std::int64_t club_id) {
    // Owner only; everyone else, admins included, is answered as for a missing club (OwnerOf).
    std::optional<groups::Membership> m = co_await repository_.FindMembership(club_id, caller.user_id);
    if (!m || m->role != "owner") {
        throw NotFound(kClub);
    }
    // Its events' reminder jobs stay and find no event when they run (PublishReminder).
    co_await repository_.DeleteClub(club_id);
}

asio::awaitable<std::optional<groups::Membership>> Service::Join(const Principal& caller, std::int64_t club_id) {
    db::Transaction tx = co_await deps_.pool.Begin();
    std::optional<std::string> privacy = co_await Repository::LockClub(tx, club_id);
    if (!privacy) {
        throw NotFound(kClub);
    }
    std::optional<groups::Membership> m = co_await Repository::LockMembership(tx, club_id, caller.user_id);
    if (!m) {
        m = groups::Membership{"member", *privacy == "public" ? "active" : "requested"};
        co_await Repository::InsertMembership(tx, club_id, caller.user_id, *m);
        if (m->state == "active") {
            co_await Repository::AdjustMemberCount(tx, club_id, 1);
        } else {
            co_await PublishNotice(tx, kClubJoinRequested, club_id, caller.user_id, caller.user_id);
        }
    } else if (m->state == "invited") {
        // Joining is how an invitation is accepted, whatever the club's privacy.
        m->state = "active";
        co_await Repository::UpdateMembership(tx, club_id, caller.user_id, *m);
        co_await Repository::AdjustMemberCount(tx, club_id, 1);
    }
    co_await tx.Commit();
    co_return m;
}

asio::awaitable<void> Service::PublishNotice(db::Transaction tx, const char* type, std::int64_t club_id,
                                             std::int64_t user_id, std::int64_t by_user_id) {
    Repository::NoticeFacts facts = co_await Repository::NoticeOf(tx, club_id);
    boost::json::array admins;
    for (std::int64_t id : facts.admin_ids) {
        admins.push_back(id);
    }
    jobs::Event event{type, boost::json::object{{"club_id", club_id},
                                                {"club_name", facts.name},
                                                {"user_id", user_id},
                                                {"by_user_id", by_user_id},
                                                {"admin_ids", std::move(admins)}}};
    co_await deps_.jobs.Publish(tx, std::move(event));
}

asio::awaitable<void> Service::Leave(const Principal& caller, std::int64_t club_id) {
    db::Transaction tx = co_await deps_.pool.Begin();
    const auto found2 = co_await Repository::LockClub(tx, club_id);
    if (!found2) {
        throw NotFound(kClub);
    }
    std::optional<groups::Membership> m = co_await Repository::LockMembership(tx, club_id, caller.user_id);
    if (m && m->role == "owner") {
        throw Error(ErrorKind::kConflict,
                    "the owner cannot leave the club: hand it over first (PATCH "
                    "/v1/clubs/{club_id}/members/{user_id} with {\"role\": \"owner\"}), or delete the club");
    }
    if (m) {
        co_await Repository::DeleteMembership(tx, club_id, caller.user_id);
        if (m->state == "active") {
            co_await Repository::AdjustMemberCount(tx, club_id, -1);
        }
    }
    co_await tx.Commit();
}

asio::awaitable<std::optional<groups::Membership>> Service::Invite(const Principal& caller, std::int64_t club_id,
                                                                   std::int64_t user_id) {
    co_await RequireAdmin(&membership_, club_id, caller, kClub);
    db::Transaction tx = co_await deps_.pool.Begin();
    const auto found3 = co_await Repository::LockClub(tx, club_id);
    if (!found3) {
        throw NotFound(kClub);
    }
    std::optional<groups::Membership> m = co_await Repository::LockMembership(tx, club_id, user_id);
    if (!m) {
        m = groups::Membership{"member", "invited"};
        try {
            co_await Repository::InsertMembership(tx, club_id, user_id, *m);
        } catch (const db::DbError& e) {
            if (e.Sqlstate() == "23503") {
                throw InvalidField("user_id", "no such user");
            }
            throw;
        }
        co_await PublishNotice(tx, kClubInvited, club_id, user_id, caller.user_id);
    } else if (m->state == "requested") {
        // Inviting someone who asked to join is accepting them.
        m->state = "active";
        co_await Repository::UpdateMembership(tx, club_id, user_id, *m);
        co_await Repository::AdjustMemberCount(tx, club_id, 1);
    }
    co_await tx.Commit();
    co_return m;
}

asio::awaitable<std::optional<groups::Membership>> Service::Accept(const Principal& caller, std::int64_t club_id,
                                                                   std::int64_t user_id) {
    co_await RequireAdmin(&membership_, club_id, caller, kClub);
    db::Transaction tx = co_await deps_.pool.Begin();
    const auto found4 = co_await Repository::LockClub(tx, club_id);
    if (!found4) {
        throw NotFound(kClub);
    }
    std::optional<groups::Membership> m = co_await Repository::LockMembership(tx, club_id, user_id);
    if (!m || m->state == "invited") {
        throw NotFound("request");
    }
    if (m->state == "requested") {
        m->state = "active";
        co_await Repository::UpdateMembership(tx, club_id, user_id, *m);
        co_await Repository::AdjustMemberCount(tx, club_id, 1);
    }
    co_await tx.Commit();
    co_return m;
}

asio::awaitable<std::optional<groups::Membership>> Service::SetRole(const Principal& caller, std::int64_t club_id,
                                                                    std::int64_t user_id, std::string role) {
    co_await RequireAdmin(&membership_, club_id, caller, kClub);
    if (role != "owner" && role != "admin" && role != "member") {
        throw InvalidField("role", "must be owner, admin or member");
    }
    db::Transaction tx = co_await deps_.pool.Begin();
    const auto found5 = co_await Repository::LockClub(tx, club_id);
    if (!found5) {
        throw NotFound(kClub);
    }
    std::optional<groups::Membership> self = co_await Repository::LockMembership(tx, club_id, caller.user_id);
    std::optional<groups::Membership> m = co_await Repository::LockMembership(tx, club_id, user_id);
    if (!m || m->state != "active") {
        throw NotFound("member");
    }
    const bool caller_owns = self && self->role == "owner";
    if (m->role == "owner" && role != "owner") {
        throw Error(ErrorKind::kConflict,
                    "the owner's role changes only by handing the club over: make another member owner");
    }
    if (role == "owner" && m->role != "owner") {
        if (!caller_owns) {
            throw Error(ErrorKind::kPermissionDenied, "only the owner may hand the club over");
        }
        // The owner becomes an admin first: a club has exactly one owner (club_members_one_owner).
        const groups::Membership demoted{"admin", "active"};
        co_await Repository::UpdateMembership(tx, club_id, caller.user_id, demoted);
    }
    m->role = role;
    co_await Repository::UpdateMembership(tx, club_id, user_id, *m);
    co_await tx.Commit();
    co_return m;
}

asio::awaitable<void> Service::Remove(const Principal& caller, std::int64_t club_id, std::int64_t user_id) {
    co_await RequireAdmin(&membership_, club_id, caller, kClub);
    db::Transaction tx = co_await deps_.pool.Begin();
    const auto found6 = co_await Repository::LockClub(tx, club_id);
    if (!found6) {
        throw NotFound(kClub);
    }
    std::optional<groups::Membership> self = co_await Repository::LockMembership(tx, club_id, caller.user_id);
    std::optional<groups::Membership> m = co_await Repository::LockMembership(tx, club_id, user_id);
    if (!m) {
        throw NotFound("member");
    }
    if (m->role == "owner") {
        throw Error(ErrorKind::kConflict, "the owner cannot be removed: they may hand the club over");
    }
    if (m->role == "admin" && user_id != caller.user_id && !(self && self->role == "owner")) {
        throw Error(ErrorKind::kPermissionDenied, "only the owner may remove an admin");
    }
    co_await Repository::DeleteMembership(tx, club_id, user_id);
    if (m->state == "active") {
        co_await Repository::AdjustMemberCount(tx, club_id, -1);
    }
    co_await tx.Commit();
}

asio::awaitable<PageOf> Service::Members(const Principal& caller, std::int64_t club_id,
                                         std::optional<std::string> state, std::optional<std::string> role,
                                         ListPage page, Names& names) {
    Role caller_role = co_await RequireMember(&membership_, club_id, caller, kClub);
    const std::string wanted = state.value_or("active");
    FieldErrors errors;
    if (wanted != "active" && wanted != "requested" && wanted != "invited") {
        errors.Add("state", "must be active, requested or invited");
    }
    if (role && *role != "owner" && *role != "admin" && *role != "member") {
        errors.Add("role", "must be owner, admin or member");
    }
    errors.ThrowIfAny();
    if (wanted != "active" && !Runs(caller_role)) {
        throw Error(ErrorKind::kPermissionDenied, "only an admin of this club may list its requests and invitations");
    }
    db::Result rows = co_await repository_.Members(club_id, wanted, role, First(page.after), page.limit + 1);
    PageOf out = Paged(std::move(rows), page, [](const db::Result& r, int row) {
        return std::vector<std::int64_t>{r.Int(row, MemberCol("user_id"))};
    });
    std::vector<std::int64_t> ids;
    for (int row = 0; row < out.shown; ++row) {
        ids.push_back(out.rows.Int(row, MemberCol("user_id")));
    }
    co_await NamesOf(std::move(ids), names);
    co_return out;
}

asio::awaitable<void> Service::NamesOf(std::vector<std::int64_t> user_ids, Names& names) {
    if (user_ids.empty()) {
        co_return;
    }
    std::vector<std::int64_t> no_instants;  // (GCC 12: no braced temporaries inside co_await)
    std::vector<accounts::ProfileFacts> facts =
        co_await deps_.profiles.Find(std::move(user_ids), std::move(no_instants));
    for (auto& f : facts) {
        names[f.user_id] = std::move(f.display_name);
    }
}

// --- events ---

asio::awaitable<void> Service::EnqueueReminder(db::Transaction tx, std::int64_t event_id, std::int64_t starts_us) {
    const std::string key = std::string(kReminderKind) + ":" + std::to_string(event_id);
    co_await deps_.jobs.CancelByKey(tx, kReminderKind, key);
    jobs::NewJob job;
    job.kind = kReminderKind;
    job.payload = boost::json::object{{"event_id", event_id}, {"starts_us", starts_us}};
    job.unique_key = key;
    job.run_at = std::max(deps_.clock.Now(), FromMicros(starts_us) - kReminderLead);
    co_await deps_.jobs.Enqueue(tx, std::move(job));
}

asio::awaitable<db::Result> Service::CreateEvent(const Principal& caller, std::int64_t club_id, NewEventBody body) {
    co_await RequireAdmin(&membership_, club_id, caller, kClub);
    FieldErrors errors;
    EventFields e;
    e.title = std::move(body.title);
    e.description = body.description.value_or("");
    e.starts_us = ReadTime(errors, "starts_at", body.starts_at);
    e.ends_us = ReadTime(errors, "ends_at", body.ends_at);
    e.place = body.place.value_or("");
    e.lat = body.lat;
    e.lng = body.lng;
    e.route_activity_id = body.route_activity_id;
    CheckEvent(errors, e, true, deps_.clock.Now());
    if (e.route_activity_id) {
        std::optional<activities::VisibleSummary> route =
            co_await deps_.activities.Summary(caller.user_id, *e.route_activity_id);
        if (!route) {
            errors.Add("route_activity_id", "no activity you may see has this id");
        }
    }
    errors.ThrowIfAny();
    db::Transaction tx = co_await deps_.pool.Begin();
    const std::int64_t event_id = co_await Repository::InsertEvent(tx, club_id, caller.user_id, e);
    co_await EnqueueReminder(tx, event_id, e.starts_us);
    co_await tx.Commit();
    co_return co_await repository_.FindEvent(caller.user_id, club_id, event_id);
}

asio::awaitable<db::Result> Service::GetEvent(const Principal& caller, std::int64_t club_id, std::int64_t event_id) {
    co_await RequireMember(&membership_, club_id, caller, kClub);
    db::Result event = co_await repository_.FindEvent(caller.user_id, club_id, event_id);
    if (event.Empty()) {
        throw NotFound(kEvent);
    }
    co_return event;
}

asio::awaitable<db::Result> Service::PatchEvent(const Principal& caller, std::int64_t club_id, std::int64_t event_id,
                                                PatchEventBody body) {
    co_await RequireAdmin(&membership_, club_id, caller, kClub);
    db::Result current = co_await GetEvent(caller, club_id, event_id);
    FieldErrors errors;
    for (auto [field, present, has] :
         {std::tuple{"title", body.title.present, body.title.value.has_value()},
          std::tuple{"starts_at", body.starts_at.present, body.starts_at.value.has_value()},
          std::tuple{"ends_at", body.ends_at.present, body.ends_at.value.has_value()}}) {
        errors.NotNull(field, present, has);
    }
    EventFields e;
    e.title = body.title.value.value_or(current.String(0, EventCol("title")));
    e.description =
        body.description.present ? body.description.value.value_or("") : current.String(0, EventCol("description"));
    e.starts_us = body.starts_at.value ? ReadTime(errors, "starts_at", *body.starts_at.value)
                                       : current.Int(0, EventCol("starts_us"));
    e.ends_us =
        body.ends_at.value ? ReadTime(errors, "ends_at", *body.ends_at.value) : current.Int(0, EventCol("ends_us"));
    e.place = body.place.present ? body.place.value.value_or("") : current.String(0, EventCol("place"));
    e.lat = body.lat.present ? body.lat.value : current.OptDouble(0, EventCol("lat"));
    e.lng = body.lng.present ? body.lng.value : current.OptDouble(0, EventCol("lng"));
    e.route_activity_id = body.route_activity_id.present ? body.route_activity_id.value
                                                         : current.OptInt(0, EventCol("route_activity_id"));
    const bool moved = e.starts_us != current.Int(0, EventCol("starts_us"));
    CheckEvent(errors, e, moved, deps_.clock.Now());
    if (body.route_activity_id.value) {
        std::optional<activities::VisibleSummary> route =
            co_await deps_.activities.Summary(caller.user_id, *body.route_activity_id.value);
        if (!route) {
            errors.Add("route_activity_id", "no activity you may see has this id");
        }
    }
    errors.ThrowIfAny();
    db::Transaction tx = co_await deps_.pool.Begin();
    const auto found7 = co_await Repository::LockEvent(tx, club_id, event_id);
    if (!found7) {
        throw NotFound(kEvent);
    }
    co_await Repository::UpdateEvent(tx, event_id, e);
    if (moved) {
        co_await EnqueueReminder(tx, event_id, e.starts_us);
    }
    co_await tx.Commit();
    co_return co_await GetEvent(caller, club_id, event_id);
}

asio::awaitable<void> Service::DeleteEvent(const Principal& caller, std::int64_t club_id, std::int64_t event_id) {
    co_await RequireAdmin(&membership_, club_id, caller, kClub);
    db::Transaction tx = co_await deps_.pool.Begin();
    const auto found8 = co_await Repository::DeleteEvent(tx, club_id, event_id);
    if (!found8) {
        throw NotFound(kEvent);
    }
    const std::string key = std::string(kReminderKind) + ":" + std::to_string(event_id);
    co_await deps_.jobs.CancelByKey(tx, kReminderKind, key);
    co_await tx.Commit();
}

asio::awaitable<PageOf> Service::Events(const Principal& caller, std::int64_t club_id, ListPage page) {
    co_await RequireMember(&membership_, club_id, caller, kClub);
    db::Result rows = co_await repository_.UpcomingEvents(caller.user_id, club_id, page.after, page.limit + 1);
    co_return Paged(std::move(rows), page, [](const db::Result& r, int row) {
        return std::vector<std::int64_t>{r.Int(row, EventCol("starts_us")), r.Int(row, EventCol("id"))};
    });
}

asio::awaitable<db::Result> Service::Rsvp(const Principal& caller, std::int64_t club_id, std::int64_t event_id,
                                          std::string answer) {
    db::Result event = co_await GetEvent(caller, club_id, event_id);
    if (answer != "going" && answer != "maybe") {
        throw InvalidField("answer", "must be going or maybe");
    }
    if (event.Int(0, EventCol("ends_us")) <= Micros(deps_.clock.Now())) {
        throw Error(ErrorKind::kConflict, "the event has ended");
    }
    co_await repository_.SetRsvp(event_id, caller.user_id, std::move(answer));
    co_return co_await GetEvent(caller, club_id, event_id);
}

asio::awaitable<void> Service::CancelRsvp(const Principal& caller, std::int64_t club_id, std::int64_t event_id) {
    co_await GetEvent(caller, club_id, event_id);
    co_await repository_.DeleteRsvp(event_id, caller.user_id);
}

asio::awaitable<PageOf> Service::Attendees(const Principal& caller, std::int64_t club_id, std::int64_t event_id,
                                           std::optional<std::string> answer, ListPage page, Names& names) {
    co_await GetEvent(caller, club_id, event_id);
    if (answer && *answer != "going" && *answer != "maybe") {
        throw InvalidField("answer", "must be going or maybe");
    }
    db::Result rows = co_await repository_.Attendees(event_id, answer, First(page.after), page.limit + 1);
    PageOf out = Paged(std::move(rows), page,
                       [](const db::Result& r, int row) { return std::vector<std::int64_t>{r.Int(row, 0)}; });
    std::vector<std::int64_t> ids;
    for (int row = 0; row < out.shown; ++row) {
        ids.push_back(out.rows.Int(row, 0));
    }
    co_await NamesOf(std::move(ids), names);
    co_return out;
}

asio::awaitable<std::vector<bool>> Service::RoutesVisible(const Principal& caller, const db::Result& events,
                                                          int shown) {
    std::vector<std::int64_t> ids;
    for (int row = 0; row < shown; ++row) {
        if (!events.IsNull(row, EventCol("route_activity_id"))) {
            ids.push_back(events.Int(row, EventCol("route_activity_id")));
        }
    }
    std::vector<activities::VisibleSummary> seen = co_await deps_.activities.Summaries(caller.user_id, ids);
    std::vector<bool> out;
    for (int row = 0; row < shown; ++row) {
        bool visible = false;
        if (!events.IsNull(row, EventCol("route_activity_id"))) {
            const std::int64_t id = events.Int(row, EventCol("route_activity_id"));
            visible = std::any_of(seen.begin(), seen.end(), [id](const auto& s) { return s.id == id; });
        }
        out.push_back(visible);
    }
    co_return out;
}

// --- leaderboard ---

asio::awaitable<Service::Leaderboard> Service::WeeklyLeaderboard(const Principal& caller, std::int64_t club_id,
                                                                 std::optional<std::string> sport,
                                                                 std::optional<std::string> week) {
    co_await RequireMember(&membership_, club_id, caller, kClub);
    Leaderboard board;
    board.sport = sport.value_or("run");
    board.week = week.value_or(IsoWeekOf(deps_.clock.Now()));
    FieldErrors errors;
    if (!formats::ParseSportName(board.sport)) {
        errors.Add("sport", "must be one of the sports (run, ride, swim, ...)");
    }
    std::optional<std::pair<SystemTime, SystemTime>> range = IsoWeek(board.week);
    if (!range) {
        errors.Add("week", "must be an ISO week such as 2026-W05");
    }
    errors.ThrowIfAny();
    board.from = range->first;
    board.to = range->second;
    std::vector<std::int64_t> members = co_await repository_.ActiveMemberIds(club_id);
    std::vector<activities::OwnerTotals> totals =
        co_await deps_.activities.Totals(caller.user_id, members, board.from, board.to, board.sport);
    Names names;
    std::vector<std::int64_t> ids;
    for (const auto& t : totals) {
        ids.push_back(t.owner_id);
    }
    co_await NamesOf(std::move(ids), names);
    for (const auto& t : totals) {
        board.lines.push_back(
            LeaderboardLine{t.owner_id, names[t.owner_id], t.count, t.distance_m, t.moving_s, t.elevation_gain_m});
    }
    std::sort(board.lines.begin(), board.lines.end(), [](const LeaderboardLine& a, const LeaderboardLine& b) {
        if (a.distance_m != b.distance_m) {
            return a.distance_m > b.distance_m;
        }
        if (a.moving_s != b.moving_s) {
            return a.moving_s > b.moving_s;
        }
        return a.user_id < b.user_id;
    });
    co_return board;
}

// --- the reminder ---

asio::awaitable<bool> PublishReminder(db::Pool& pool, const jobs::Client& jobs, std::int64_t event_id,
                                      std::int64_t starts_us) {
    db::Transaction tx = co_await pool.Begin();
    std::optional<Repository::ReminderFacts> facts = co_await Repository::ReminderOf(tx, event_id);
    if (!facts || facts->starts_us != starts_us) {
        co_await tx.Rollback();
        co_return false;
    }
    boost::json::array going;
    for (std::int64_t id : facts->going) {
        going.push_back(id);
    }
    jobs::Event event;
    event.type = kEventReminder;
    event.payload = boost::json::object{{"event_id", event_id},
                                        {"club_id", facts->club_id},
                                        {"starts_at", FormatRfc3339(FromMicros(starts_us))},
                                        {"title", facts->title},
                                        {"user_ids", std::move(going)}};
    co_await jobs.Publish(tx, std::move(event));
    co_await tx.Commit();
    co_return true;
}

}  // namespace strava1::groups
