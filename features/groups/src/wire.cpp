#include "wire.hpp"

#include "strava1/base/json_writer.hpp"
#include "wire_page.hpp"

namespace strava1::groups {

namespace {

void OptDouble(json::Writer& w, const db::Result& r, int row, int col) {
    r.IsNull(row, col) ? w.Null() : w.Double(r.Double(row, col));
}

void WriteClub(json::Writer& w, const db::Result& r, int row) {
    w.BeginObject();
    w.Key("id").Int(r.Int(row, ClubCol("id")));
    w.Key("name").String(r.Text(row, ClubCol("name")));
    w.Key("description").String(r.Text(row, ClubCol("description")));
    w.Key("sport").String(r.Text(row, ClubCol("sport")));
    w.Key("city").String(r.Text(row, ClubCol("city")));
    w.Key("privacy").String(r.Text(row, ClubCol("privacy")));
    w.Key("member_count").Int(r.Int(row, ClubCol("member_count")));
    w.Key("created_at").String(r.Text(row, ClubCol("created_at")));
    w.Key("membership");
    if (r.IsNull(row, ClubCol("my_role"))) {
        w.Null();
    } else {
        w.BeginObject();
        w.Key("role").String(r.Text(row, ClubCol("my_role")));
        w.Key("state").String(r.Text(row, ClubCol("my_state")));
        w.EndObject();
    }
    w.EndObject();
}

void WriteEvent(json::Writer& w, const db::Result& r, int row, bool route_visible) {
    w.BeginObject();
    w.Key("id").Int(r.Int(row, EventCol("id")));
    w.Key("club_id").Int(r.Int(row, EventCol("club_id")));
    w.Key("title").String(r.Text(row, EventCol("title")));
    w.Key("description").String(r.Text(row, EventCol("description")));
    w.Key("starts_at").String(r.Text(row, EventCol("starts_at")));
    w.Key("ends_at").String(r.Text(row, EventCol("ends_at")));
    w.Key("place").String(r.Text(row, EventCol("place")));
    w.Key("lat");
    OptDouble(w, r, row, EventCol("lat"));
    w.Key("lng");
    OptDouble(w, r, row, EventCol("lng"));
    w.Key("route_activity_id");
    route_visible && !r.IsNull(row, EventCol("route_activity_id")) ? w.Int(r.Int(row, EventCol("route_activity_id")))
                                                                   : w.Null();
    w.Key("going_count").Int(r.Int(row, EventCol("going_count")));
    w.Key("maybe_count").Int(r.Int(row, EventCol("maybe_count")));
    w.Key("my_rsvp");
    r.IsNull(row, EventCol("my_rsvp")) ? w.Null() : w.String(r.Text(row, EventCol("my_rsvp")));
    w.EndObject();
}

std::string_view NameOf(const Names& names, std::int64_t user_id) {
    auto found = names.find(user_id);
    return found == names.end() ? std::string_view() : std::string_view(found->second);
}

}  // namespace

std::string ClubJson(const db::Result& r, int row) {
    std::string out;
    json::Writer w(out);
    WriteClub(w, r, row);
    return out;
}

std::string ClubListJson(const db::Result& r, int shown, const std::optional<std::string>& next_cursor) {
    return PageJson("clubs", shown, next_cursor, [&](json::Writer& w, int row) { WriteClub(w, r, row); });
}

std::string MembershipJson(std::int64_t club_id, std::int64_t user_id, const std::optional<Membership>& m) {
    std::string out;
    json::Writer w(out);
    w.BeginObject();
    w.Key("club_id").Int(club_id);
    w.Key("user_id").Int(user_id);
    w.Key("role");
    m ? w.String(m->role) : w.Null();
    w.Key("state");
    m ? w.String(m->state) : w.Null();
    w.EndObject();
    return out;
}

std::string MemberListJson(const db::Result& r, int shown, const Names& names,
                           const std::optional<std::string>& next_cursor) {
    return PageJson("members", shown, next_cursor, [&](json::Writer& w, int row) {
        const std::int64_t user_id = r.Int(row, MemberCol("user_id"));
        w.BeginObject();
        w.Key("user_id").Int(user_id);
        w.Key("display_name").String(NameOf(names, user_id));
        w.Key("role").String(r.Text(row, MemberCol("role")));
        w.Key("state").String(r.Text(row, MemberCol("state")));
        w.Key("since").String(r.Text(row, MemberCol("since")));
        w.EndObject();
    });
}

std::string EventJson(const db::Result& r, int row, bool route_visible) {
    std::string out;
    json::Writer w(out);
    WriteEvent(w, r, row, route_visible);
    return out;
}

std::string EventListJson(const db::Result& r, int shown, const std::vector<bool>& route_visible,
                          const std::optional<std::string>& next_cursor) {
    return PageJson("events", shown, next_cursor, [&](json::Writer& w, int row) {
        WriteEvent(w, r, row, route_visible.at(static_cast<std::size_t>(row)));
    });
}

std::string AttendeeListJson(const db::Result& r, int shown, const Names& names,
                             const std::optional<std::string>& next_cursor) {
    return PageJson("attendees", shown, next_cursor, [&](json::Writer& w, int row) {
        const std::int64_t user_id = r.Int(row, 0);
        w.BeginObject();
        w.Key("user_id").Int(user_id);
        w.Key("display_name").String(NameOf(names, user_id));
        w.Key("answer").String(r.Text(row, 1));
        w.EndObject();
    });
}

std::string LeaderboardJson(std::int64_t club_id, const std::string& sport, const std::string& week,
                            const std::string& from, const std::string& to, const std::vector<LeaderboardLine>& lines) {
    std::string out;
    json::Writer w(out);
    w.BeginObject();
    w.Key("club_id").Int(club_id);
    w.Key("sport").String(sport);
    w.Key("week").String(week);
    w.Key("from").String(from);
    w.Key("to").String(to);
    w.Key("entries").BeginArray();
    int rank = 0;
    for (const auto& line : lines) {
        w.BeginObject();
        w.Key("rank").Int(++rank);
        w.Key("user_id").Int(line.user_id);
        w.Key("display_name").String(line.display_name);
        w.Key("activities").Int(line.activities);
        w.Key("distance_m").Double(line.distance_m);
        w.Key("moving_s").Double(line.moving_s);
        w.Key("elevation_gain_m").Double(line.elevation_gain_m);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return out;
}

}  // namespace strava1::groups
