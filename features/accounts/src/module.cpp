// The accounts module: builds its parts from the composition root's Deps and registers its routes.
#include "strava1/accounts/module.hpp"

#include "authenticator.hpp"
#include "profile_directory.hpp"
#include "repository.hpp"
#include "routes.hpp"
#include "service.hpp"
#include "session_cache.hpp"

namespace strava1::accounts {

namespace {

class AccountStanding final : public Standing {
public:
    AccountStanding(Repository& repository, SessionCache& cache) : repository_(repository), cache_(cache) {}

    boost::asio::awaitable<std::optional<std::int64_t>> SetSiteAdmin(std::string email, bool admin) override {
        auto id = co_await repository_.SetRole(std::move(email), admin ? "admin" : "user");
        cache_.ForgetUser(id.value_or(0));
        co_return id;
    }
    boost::asio::awaitable<bool> SetSuspended(std::int64_t user_id, bool suspended) override {
        const bool found = co_await repository_.SetSuspended(user_id, suspended);
        cache_.ForgetUser(user_id);  // this process refuses the user's tokens at once, others within the TTL
        co_return found;
    }

private:
    Repository& repository_;
    SessionCache& cache_;
};

}  // namespace

struct Module::Impl {
    Impl(Deps deps, Options options)
        : repository(deps.pool),
          authenticator(deps.clock, deps.verifier, deps.firebase, repository, cache, options.session_cache_ttl),
          service(deps, options, repository, cache),
          profiles(repository),
          standing(repository, cache),
          routes(service) {}

    Repository repository;
    SessionCache cache;
    TokenAuthenticator authenticator;
    Service service;
    ProfileDirectory profiles;
    AccountStanding standing;
    Routes routes;
};

Module::Module(Deps deps, Options options) : impl_(std::make_unique<Impl>(deps, options)) {}
Module::~Module() = default;

void Module::Register(app::Registry& registry) { impl_->routes.Register(registry); }

http::Authenticator& Module::Authenticator() { return impl_->authenticator; }

accounts::Profiles& Module::Profiles() { return impl_->profiles; }

}  // namespace strava1::accounts

namespace strava1::accounts {
accounts::Standing& Module::Standing() { return impl_->standing; }
}  // namespace strava1::accounts
