#include "wire.hpp"

#include <unordered_map>

#include "strava1/base/json_writer.hpp"

namespace strava1::social {

std::string FollowJson(std::int64_t user_id, const std::string& state) {
    std::string out;
    json::Writer w(out);
    w.BeginObject();
    w.Key("user_id").Int(user_id);
    w.Key("state").String(state);
    w.EndObject();
    return out;
}

std::string UserPageJson(const UserPage& page, const char* at_key, bool with_friend) {
    std::unordered_map<std::int64_t, const accounts::ProfileFacts*> facts;
    for (const auto& f : page.facts) {
        facts[f.user_id] = &f;
    }
    std::string out;
    json::Writer w(out);
    w.BeginObject();
    w.Key("users").BeginArray();
    for (const auto& row : page.rows) {
        auto found = facts.find(row.user_id);
        if (found == facts.end()) {
            continue;  // deleted since the row was read
        }
        w.BeginObject();
        w.Key("id").Int(row.user_id);
        w.Key("username");
        found->second->username ? w.String(*found->second->username) : w.Null();
        w.Key("display_name").String(found->second->display_name);
        if (with_friend) {
            w.Key("is_friend").Bool(row.is_friend);
        }
        if (at_key != nullptr) {
            w.Key(at_key).String(row.at);
        }
        w.EndObject();
    }
    w.EndArray();
    w.Key("next_cursor");
    page.next_cursor ? w.String(*page.next_cursor) : w.Null();
    w.EndObject();
    return out;
}

}  // namespace strava1::social
