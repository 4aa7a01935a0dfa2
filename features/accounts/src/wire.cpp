#include "wire.hpp"

#include "repository.hpp"

namespace strava1::accounts {
namespace {

// GET /v1/me is the most frequent authenticated call: its JSON is written straight from the row;
// building a boost::json::object first cost more than the query.
/// Members of a JSON object from columns of a one-row result (SQL NULL → JSON null).
struct RowWriter {
    const db::Result& r;
    json::Writer& w;
    void Text(const char* key, int col) {
        w.Key(key);
        r.IsNull(0, col) ? w.Null() : w.String(r.Text(0, col));
    }
    void Number(const char* key, int col) {
        w.Key(key);
        r.IsNull(0, col) ? w.Null() : w.Double(r.Double(0, col));
    }
    void Integer(const char* key, int col) {
        w.Key(key);
        r.IsNull(0, col) ? w.Null() : w.Int(r.Int(0, col));
    }
};

void WriteMe(json::Writer& w, const db::Result& r) {
    RowWriter row{r, w};
    w.BeginObject();
    row.Integer("id", MeCol("id"));
    row.Text("email", MeCol("email"));
    row.Text("username", MeCol("username"));
    row.Text("display_name", MeCol("display_name"));
    row.Text("bio", MeCol("bio"));
    row.Text("city", MeCol("city"));
    row.Text("country", MeCol("country"));
    row.Text("sex", MeCol("sex"));
    row.Text("birthdate", MeCol("birthdate"));
    row.Number("weight_kg", MeCol("weight_kg"));
    row.Number("height_cm", MeCol("height_cm"));
    row.Integer("max_hr_bpm", MeCol("max_hr_bpm"));
    row.Integer("resting_hr_bpm", MeCol("resting_hr_bpm"));
    row.Integer("ftp_w", MeCol("ftp_w"));
    row.Text("units", MeCol("units"));
    row.Text("time_zone", MeCol("time_zone"));
    row.Text("default_visibility", MeCol("default_visibility"));
    row.Text("message_policy", MeCol("message_policy"));
    row.Text("created_at", MeCol("created_at"));
    row.Text("updated_at", MeCol("updated_at"));
    row.Integer("hide_endpoints_m", MeCol("hide_endpoints_m"));
    w.Key("approve_followers").Bool(r.Text(0, MeCol("approve_followers")) == "t");
    w.EndObject();
}

}  // namespace

std::string MeJson(const db::Result& me) {
    std::string out;
    out.reserve(512);
    json::Writer w(out);
    WriteMe(w, me);
    return out;
}

std::string PublicProfileJson(const db::Result& profile, const app::Relationship& relationship) {
    std::string out;
    json::Writer w(out);
    RowWriter row{profile, w};
    w.BeginObject();
    row.Integer("id", PublicCol("id"));
    row.Text("username", PublicCol("username"));
    row.Text("display_name", PublicCol("display_name"));
    row.Text("bio", PublicCol("bio"));
    row.Text("city", PublicCol("city"));
    row.Text("country", PublicCol("country"));
    row.Text("created_at", PublicCol("created_at"));
    w.Key("follower_count").Int(relationship.follower_count);
    w.Key("following_count").Int(relationship.following_count);
    w.Key("relationship").BeginObject();
    w.Key("following").String(relationship.following);
    w.Key("followed_by").Bool(relationship.followed_by);
    w.Key("blocked").Bool(relationship.blocked);
    w.Key("muted").Bool(relationship.muted);
    w.EndObject();
    w.EndObject();
    return out;
}

std::string SearchJson(const std::vector<std::pair<SearchHit, app::Relationship>>& hits, std::size_t shown,
                       const std::optional<std::string>& next_cursor) {
    std::string out;
    json::Writer w(out);
    w.BeginObject();
    w.Key("users").BeginArray();
    for (std::size_t i = 0; i < shown && i < hits.size(); ++i) {
        const auto& [hit, rel] = hits[i];
        w.BeginObject();
        w.Key("id").Int(hit.id);
        w.Key("username");
        hit.username ? w.String(*hit.username) : w.Null();
        w.Key("display_name").String(hit.display_name);
        w.Key("city");
        hit.city ? w.String(*hit.city) : w.Null();
        w.Key("follower_count").Int(rel.follower_count);
        w.Key("relationship").BeginObject();
        w.Key("following").String(rel.following);
        w.Key("followed_by").Bool(rel.followed_by);
        w.Key("blocked").Bool(false);  // blocked pairs are never hits
        w.Key("muted").Bool(rel.muted);
        w.EndObject();
        w.EndObject();
    }
    w.EndArray();
    w.Key("next_cursor");
    next_cursor ? w.String(*next_cursor) : w.Null();
    w.EndObject();
    return out;
}

std::string SignedInJson(const IssuedTokens& tokens, const db::Result& me) {
    std::string out;
    out.reserve(1024);
    json::Writer w(out);
    w.BeginObject();
    w.Key("access_token").String(tokens.access_token);
    w.Key("token_type").String("Bearer");
    w.Key("expires_in").Int(tokens.expires_in_s);
    w.Key("refresh_token").String(tokens.refresh_token);
    w.Key("user");
    WriteMe(w, me);
    w.EndObject();
    return out;
}

std::string SessionsJson(const std::vector<SessionView>& sessions) {
    std::string out;
    json::Writer w(out);
    w.BeginObject();
    w.Key("sessions").BeginArray();
    for (const auto& s : sessions) {
        w.BeginObject();
        w.Key("id").Int(s.id);
        w.Key("created_at").String(s.created_at);
        w.Key("last_used_at").String(s.last_used_at);
        w.Key("user_agent");
        s.user_agent ? w.String(*s.user_agent) : w.Null();
        w.Key("current").Bool(s.current);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return out;
}

}  // namespace strava1::accounts
