#include "suggestions.hpp"

#include <algorithm>

#include "strava1/base/error.hpp"
#include "strava1/base/field_errors.hpp"
#include "strava1/base/json_writer.hpp"
#include "strava1/db/arrays.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/db/result.hpp"
#include "strava1/http/paging.hpp"

namespace strava1::social {
namespace asio = boost::asio;
using db::Params;

namespace {

// Friends of friends: the most recently accepted `$2` of my follows, `$3` of each one's follows
// (follows' primary key), counted per candidate.
constexpr const char* kFriendsOfFriends =
    "SELECT f.followee_id, count(*)::bigint FROM (SELECT followee_id FROM follows WHERE follower_id = $1 "
    "AND state = 'accepted' ORDER BY accepted_at DESC NULLS LAST LIMIT $2) mine "
    "CROSS JOIN LATERAL (SELECT followee_id FROM follows WHERE follower_id = mine.followee_id AND state = "
    "'accepted' LIMIT $3) f WHERE f.followee_id <> $1 GROUP BY f.followee_id";

// Of the candidates $2, those never to suggest to $1: followed or requested, blocked either way,
// muted, dismissed.
constexpr const char* kExcluded =
    "SELECT c FROM unnest($2::bigint[]) AS c WHERE "
    "EXISTS (SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = c) "
    "OR EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = $1 AND blocked_id = c) OR (blocker_id = c AND blocked_id = $1)) "
    "OR EXISTS (SELECT 1 FROM mutes WHERE muter_id = $1 AND muted_id = c) "
    "OR EXISTS (SELECT 1 FROM suggestion_dismissals WHERE user_id = $1 AND dismissed_id = c)";

constexpr const char* kDismiss =
    "INSERT INTO suggestion_dismissals (user_id, dismissed_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";

std::string SuggestionsJson(const std::vector<SuggestionView>& views) {
    std::string out;
    json::Writer w(out);
    w.BeginObject();
    w.Key("users").BeginArray();
    for (const auto& v : views) {
        w.BeginObject();
        w.Key("id").Int(v.profile.user_id);
        w.Key("username");
        v.profile.username ? w.String(*v.profile.username) : w.Null();
        w.Key("display_name").String(v.profile.display_name);
        w.Key("city");
        v.profile.city ? w.String(*v.profile.city) : w.Null();
        w.Key("follower_count").Int(v.relationship.follower_count);
        w.Key("relationship").BeginObject();
        w.Key("following").String(v.relationship.following);
        w.Key("followed_by").Bool(v.relationship.followed_by);
        w.Key("blocked").Bool(false);
        w.Key("muted").Bool(v.relationship.muted);
        w.EndObject();
        w.Key("reason").String(v.suggestion.reason);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return out;
}

}  // namespace

std::vector<Suggestion> RankSuggestions(const SuggestionSources& sources, const std::vector<std::int64_t>& excluded,
                                        std::int64_t me, std::size_t limit) {
    std::unordered_map<std::int64_t, Suggestion> by_id;
    auto at = [&](std::int64_t id) -> Suggestion& {
        Suggestion& s = by_id[id];
        s.user_id = id;
        return s;
    };
    for (std::int64_t id : sources.same_city) {
        Suggestion& s = at(id);
        s.score += 2;
        s.reason = "Also in " + sources.city;
    }
    for (const auto& [id, club] : sources.clubmates) {
        Suggestion& s = at(id);
        s.score += 5;
        s.reason = "Member of " + club;
    }
    for (const auto& [id, count] : sources.mutuals) {
        if (count <= 0) {
            continue;
        }
        Suggestion& s = at(id);
        s.score += 10 * count;
        s.reason = std::to_string(count) + (count == 1 ? " mutual friend" : " mutual friends");
    }
    by_id.erase(me);
    for (std::int64_t id : excluded) {
        by_id.erase(id);
    }
    std::vector<Suggestion> out;
    out.reserve(by_id.size());
    for (auto& [id, s] : by_id) {
        out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end(), [](const Suggestion& a, const Suggestion& b) {
        return a.score != b.score ? a.score > b.score : a.user_id < b.user_id;
    });
    if (out.size() > limit) {
        out.resize(limit);
    }
    return out;
}

asio::awaitable<std::vector<SuggestionView>> Suggestions::For(std::int64_t me, int limit) {
    SuggestionSources sources;
    db::Result fof = co_await pool_.Query(kFriendsOfFriends, Params::Of(me, limits_.followees, limits_.per_followee));
    for (int row = 0; row < fof.Rows(); ++row) {
        sources.mutuals[fof.Int(row, 0)] = static_cast<int>(fof.Int(row, 1));
    }
    if (clubmates_ != nullptr) {
        for (auto& mate : co_await clubmates_->Of(me, limits_.clubs, limits_.per_club)) {
            sources.clubmates.emplace(mate.user_id, std::move(mate.club_name));
        }
    }
    accounts::SameCity city = co_await profiles_.InSameCity(me, limits_.same_city);
    sources.city = std::move(city.city);
    sources.same_city = std::move(city.user_ids);

    std::vector<std::int64_t> candidates;
    for (const auto& [id, n] : sources.mutuals) {
        candidates.push_back(id);
    }
    for (const auto& [id, club] : sources.clubmates) {
        candidates.push_back(id);
    }
    candidates.insert(candidates.end(), sources.same_city.begin(), sources.same_city.end());
    std::vector<std::int64_t> excluded;
    if (!candidates.empty()) {
        db::Result r = co_await pool_.Query(kExcluded, Params::Of(me, db::Int64Array(candidates)));
        for (int row = 0; row < r.Rows(); ++row) {
            excluded.push_back(r.Int(row, 0));
        }
    }
    std::vector<Suggestion> ranked = RankSuggestions(sources, excluded, me, static_cast<std::size_t>(limit));
    std::vector<std::int64_t> ids;
    for (const auto& s : ranked) {
        ids.push_back(s.user_id);
    }
    std::vector<accounts::ProfileFacts> facts = co_await profiles_.Find(ids, {});
    auto relations = co_await relations_.RelationshipsOf(me, ids);
    std::unordered_map<std::int64_t, accounts::ProfileFacts> by_id;
    for (auto& f : facts) {
        by_id.emplace(f.user_id, std::move(f));
    }
    std::vector<SuggestionView> out;
    for (auto& s : ranked) {
        auto f = by_id.find(s.user_id);
        if (f == by_id.end()) {
            continue;  // deleted meanwhile
        }
        out.push_back(SuggestionView{std::move(s), std::move(f->second), relations[s.user_id]});
    }
    co_return out;
}

asio::awaitable<void> Suggestions::Dismiss(std::int64_t me, std::int64_t user_id) {
    if (user_id == me) {
        FieldErrors errors;
        errors.Add("user_id", "must not be yourself");
        errors.ThrowIfAny();
    }
    auto relation = co_await relations_.RelationOf(me, user_id);
    std::optional<accounts::ProfileFacts> user = co_await profiles_.FindOne(user_id);
    if (!user || relation == app::Relation::kBlocked) {
        throw NotFound("user");  // as for a missing user (ADR 0020)
    }
    co_await pool_.Query(kDismiss, Params::Of(me, user_id));
}

void Suggestions::Register(app::Registry& registry) {
    registry.Route({.method = http::Method::kGet,
                    .path = "/v1/me/suggestions",
                    .summary = "People to follow, each with its reason",
                    .access = http::Access::SignedIn(),
                    .body = http::Body::None(),
                    .handler = [this](http::RequestPtr req) -> asio::awaitable<http::Response> {
                        FieldErrors errors;
                        int limit = http::ReadLimit(*req, errors, http::PageLimits{.default_size = 10, .max_size = 30});
                        errors.ThrowIfAny();
                        auto views = co_await For(req->Caller().user_id, limit);
                        co_return http::Response::Text(200, "application/json", SuggestionsJson(views));
                    }});
    registry.Route({.method = http::Method::kPost,
                    .path = "/v1/me/suggestions/{user_id}/dismiss",
                    .summary = "Stop suggesting a user",
                    .access = http::Access::SignedIn(),
                    .body = http::Body::None(),
                    .handler = [this](http::RequestPtr req) -> asio::awaitable<http::Response> {
                        co_await Dismiss(req->Caller().user_id, req->PathId("user_id", "user"));
                        co_return http::Response::NoContent();
                    }});
}

}  // namespace strava1::social
