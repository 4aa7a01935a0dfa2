#pragma once

#include "repository.hpp"
#include "strava1/accounts/profiles.hpp"

namespace strava1::accounts {

/// Accounts' contract for other features (profiles.hpp), answered from its own tables.
class ProfileDirectory final : public Profiles {
public:
    explicit ProfileDirectory(Repository& repository) : repository_(repository) {}

    boost::asio::awaitable<std::vector<ProfileFacts>> Find(std::vector<std::int64_t> user_ids,
                                                           std::vector<std::int64_t> local_dates_of_us) override {
        return repository_.FindProfileFacts(std::move(user_ids), std::move(local_dates_of_us));
    }
    boost::asio::awaitable<std::optional<std::int64_t>> FindIdByEmail(std::string email) override {
        return repository_.FindIdByEmail(std::move(email));
    }
    boost::asio::awaitable<std::vector<std::pair<std::string, std::int64_t>>> FindIdsByUsername(
        std::vector<std::string> usernames) override {
        return repository_.FindIdsByUsername(std::move(usernames));
    }

    boost::asio::awaitable<SameCity> InSameCity(std::int64_t user_id, int limit) override {
        return repository_.FindSameCity(user_id, limit);
    }

private:
    Repository& repository_;
};

}  // namespace strava1::accounts
