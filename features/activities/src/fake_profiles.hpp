#pragma once

// A hand-written fake of accounts' profile contract for the activities tests: the facts of the
// users a test adds, every one in UTC.

#include <chrono>
#include <cstdio>
#include <map>

#include "strava1/accounts/profiles.hpp"

namespace strava1::activities {

class FakeProfiles final : public accounts::Profiles {
public:
    /// Adds (or replaces) a user with default facts and `display_name`; returns their facts to edit.
    accounts::ProfileFacts& Add(std::int64_t user_id, std::string display_name) {
        accounts::ProfileFacts& facts = users[user_id];
        facts.user_id = user_id;
        facts.display_name = std::move(display_name);
        return facts;
    }

    boost::asio::awaitable<std::vector<accounts::ProfileFacts>> Find(
        std::vector<std::int64_t> user_ids, std::vector<std::int64_t> local_dates_of_us) override {
        ++finds;
        std::vector<accounts::ProfileFacts> out;
        for (std::int64_t id : user_ids) {
            auto it = users.find(id);
            if (it == users.end()) {
                continue;
            }
            accounts::ProfileFacts facts = it->second;
            for (std::int64_t at_us : local_dates_of_us) {
                facts.local_dates.push_back(UtcDate(at_us));
            }
            out.push_back(std::move(facts));
        }
        co_return out;
    }

    boost::asio::awaitable<std::optional<std::int64_t>> FindIdByEmail(std::string) override { co_return std::nullopt; }
    boost::asio::awaitable<std::vector<std::pair<std::string, std::int64_t>>> FindIdsByUsername(
        std::vector<std::string>) override {
        co_return std::vector<std::pair<std::string, std::int64_t>>{};  // the fakes have no usernames
    }
    boost::asio::awaitable<accounts::SameCity> InSameCity(std::int64_t, int) override {
        co_return accounts::SameCity{};  // nor cities
    }

    static std::string UtcDate(std::int64_t at_us) {
        auto day = std::chrono::floor<std::chrono::days>(
            std::chrono::sys_time<std::chrono::microseconds>(std::chrono::microseconds(at_us)));
        std::chrono::year_month_day ymd{day};
        char text[16];
        std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
        return text;
    }

    std::map<std::int64_t, accounts::ProfileFacts> users;
    int finds = 0;
};

}  // namespace strava1::activities
