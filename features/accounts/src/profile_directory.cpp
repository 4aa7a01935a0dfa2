#include "profile_directory.hpp"

namespace strava1::accounts {

boost::asio::awaitable<std::optional<ProfileFacts>> Profiles::FindOne(std::int64_t user_id,
                                                                      std::vector<std::int64_t> local_dates_of_us) {
    std::vector<std::int64_t> ids(1, user_id);
    std::vector<ProfileFacts> found = co_await Find(std::move(ids), std::move(local_dates_of_us));
    if (found.empty()) {
        co_return std::nullopt;
    }
    co_return std::move(found.front());
}

}  // namespace strava1::accounts
