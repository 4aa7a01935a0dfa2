#pragma once

#include "strava1/groups/clubmates.hpp"

namespace strava1::db {
class Pool;
}

namespace strava1::groups {

/// Clubmates from club_members.
class PgClubmates final : public Clubmates {
public:
    explicit PgClubmates(db::Pool& pool) : pool_(pool) {}
    boost::asio::awaitable<std::vector<Clubmate>> Of(std::int64_t user_id, int clubs, int per_club) override;
    boost::asio::awaitable<std::vector<std::int64_t>> ClubsOf(std::int64_t user_id) override;
    boost::asio::awaitable<std::vector<ClubName>> Names(std::vector<std::int64_t> club_ids) override;

private:
    db::Pool& pool_;
};

}  // namespace strava1::groups
