#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "strava1/app/relations.hpp"

namespace strava1::db {
class Pool;
}

namespace strava1::social {

/// The relation contract (app::Relations, ADR 0020) read from social's tables. Built from the pool
/// alone, before the features that ask it (accounts, activities), so that social may depend on them.
class FollowStore final : public app::Relations {
public:
    explicit FollowStore(db::Pool& pool) : pool_(pool) {}

    boost::asio::awaitable<app::Relation> RelationOf(std::int64_t viewer_id, std::int64_t owner_id) override;
    boost::asio::awaitable<std::unordered_map<std::int64_t, app::Relation>> RelationsOf(
        std::int64_t viewer_id, std::vector<std::int64_t> owner_ids) override;
    boost::asio::awaitable<app::Relationship> RelationshipOf(std::int64_t viewer_id, std::int64_t user_id) override;
    boost::asio::awaitable<std::unordered_map<std::int64_t, app::Relationship>> RelationshipsOf(
        std::int64_t viewer_id, std::vector<std::int64_t> user_ids) override;
    boost::asio::awaitable<std::vector<std::int64_t>> BlockedWith(std::int64_t viewer_id) override;

private:
    db::Pool& pool_;
};

}  // namespace strava1::social
