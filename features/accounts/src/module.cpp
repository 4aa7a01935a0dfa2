// The accounts module: builds its parts from the composition root's Deps and registers its routes.
#include "strava1/accounts/module.hpp"

#include "authenticator.hpp"
#include "profile_directory.hpp"
#include "repository.hpp"
#include "routes.hpp"
#include "service.hpp"
#include "session_cache.hpp"

namespace strava1::accounts {

struct Module::Impl {
    Impl(Deps deps, Options options)
        : repository(deps.pool),
          authenticator(deps.clock, deps.verifier, deps.firebase, repository, cache, options.session_cache_ttl),
          service(deps, options, repository, cache),
          profiles(repository),
          routes(service) {}

    Repository repository;
    SessionCache cache;
    TokenAuthenticator authenticator;
    Service service;
    ProfileDirectory profiles;
    Routes routes;
};

Module::Module(Deps deps, Options options) : impl_(std::make_unique<Impl>(deps, options)) {}
Module::~Module() = default;

void Module::Register(app::Registry& registry) { impl_->routes.Register(registry); }

http::Authenticator& Module::Authenticator() { return impl_->authenticator; }

accounts::Profiles& Module::Profiles() { return impl_->profiles; }

}  // namespace strava1::accounts
