#pragma once

// Follow suggestions (ADR 0027): people the caller does not follow, has not blocked, muted or
// dismissed, and who did not block the caller: friends of friends (the reason counts the people the
// caller follows who follow them), members of the caller's clubs, people of the same city. Every
// source is bounded, so a caller following 5,000 people costs what one following 200 does.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "strava1/accounts/profiles.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/app/relations.hpp"
#include "strava1/groups/clubmates.hpp"

namespace strava1::db {
class Pool;
}

namespace strava1::social {

/// Where suggestions come from, before exclusions.
struct SuggestionSources {
    std::unordered_map<std::int64_t, int> mutuals;            ///< candidate → people I follow who follow them
    std::unordered_map<std::int64_t, std::string> clubmates;  ///< candidate → a club we share
    std::vector<std::int64_t> same_city;                      ///< candidates in my city
    std::string city;                                         ///< my city, as I wrote it
};

struct Suggestion {
    std::int64_t user_id = 0;
    std::string reason;  ///< "3 mutual friends", "Member of Riverside Runners", "Also in Leeds"
    int score = 0;
};

/// Ranks the candidates not in `excluded`: 10 a mutual friend, 5 a shared club, 2 the same city;
/// ties by id. The reason names the strongest source. At most `limit`.
std::vector<Suggestion> RankSuggestions(const SuggestionSources& sources, const std::vector<std::int64_t>& excluded,
                                        std::int64_t me, std::size_t limit);

/// Bounds of each source (the fan-out cap of friends of friends: ADR 0027).
struct SuggestionLimits {
    int followees = 200;    ///< of the people I follow, the most recently accepted
    int per_followee = 50;  ///< of each one's follows
    int clubs = 20;
    int per_club = 50;
    int same_city = 50;
};

struct SuggestionView {
    Suggestion suggestion;
    accounts::ProfileFacts profile;
    app::Relationship relationship;
};

class Suggestions {
public:
    Suggestions(db::Pool& pool, accounts::Profiles& profiles, app::Relations& relations, groups::Clubmates* clubmates,
                SuggestionLimits limits = {})
        : pool_(pool), profiles_(profiles), relations_(relations), clubmates_(clubmates), limits_(limits) {}

    boost::asio::awaitable<std::vector<SuggestionView>> For(std::int64_t me, int limit);
    /// Stops suggesting `user_id` to `me` (400 for oneself, 404 for a missing or hidden user).
    boost::asio::awaitable<void> Dismiss(std::int64_t me, std::int64_t user_id);

    void Register(app::Registry& registry);

private:
    db::Pool& pool_;
    accounts::Profiles& profiles_;
    app::Relations& relations_;
    groups::Clubmates* clubmates_;
    SuggestionLimits limits_;
};

}  // namespace strava1::social
