#include "clubmates.hpp"

#include "strava1/db/arrays.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/db/result.hpp"

namespace strava1::groups {
namespace {

// The user's clubs through club_members_user, each club's members through club_members_list.
constexpr const char* kClubmates =
    "SELECT DISTINCT ON (m.user_id) m.user_id, c.name "
    "FROM (SELECT club_id FROM club_members WHERE user_id = $1 AND state = 'active' ORDER BY club_id LIMIT $2) mine "
    "JOIN clubs c ON c.id = mine.club_id "
    "CROSS JOIN LATERAL (SELECT user_id FROM club_members cm WHERE cm.club_id = mine.club_id "
    "AND cm.state = 'active' AND cm.user_id <> $1 LIMIT $3) m "
    "ORDER BY m.user_id, c.name";
constexpr const char* kClubsOf =
    "SELECT club_id FROM club_members WHERE user_id = $1 AND state = 'active' ORDER BY club_id";
constexpr const char* kNames = "SELECT id, name FROM clubs WHERE id = ANY ($1::bigint[])";

}  // namespace

boost::asio::awaitable<std::vector<Clubmate>> PgClubmates::Of(std::int64_t user_id, int clubs, int per_club) {
    db::Result r = co_await pool_.Query(kClubmates, db::Params::Of(user_id, clubs, per_club));
    std::vector<Clubmate> out;
    out.reserve(r.Rows());
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(Clubmate{.user_id = r.Int(row, 0), .club_name = r.String(row, 1)});
    }
    co_return out;
}

boost::asio::awaitable<std::vector<std::int64_t>> PgClubmates::ClubsOf(std::int64_t user_id) {
    db::Result r = co_await pool_.Query(kClubsOf, db::Params::Of(user_id));
    std::vector<std::int64_t> out;
    out.reserve(r.Rows());
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(r.Int(row, 0));
    }
    co_return out;
}

boost::asio::awaitable<std::vector<ClubName>> PgClubmates::Names(std::vector<std::int64_t> club_ids) {
    std::vector<ClubName> out;
    if (club_ids.empty()) {
        co_return out;
    }
    db::Result r = co_await pool_.Query(kNames, db::Params::Of(db::Int64Array(club_ids)));
    out.reserve(r.Rows());
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(ClubName{.club_id = r.Int(row, 0), .name = r.String(row, 1)});
    }
    co_return out;
}

}  // namespace strava1::groups
