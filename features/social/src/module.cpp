// The social module: builds its parts from the composition root's Deps and registers its routes.
#include "strava1/social/module.hpp"

#include "posts_routes.hpp"
#include "repository.hpp"
#include "routes.hpp"
#include "service.hpp"

namespace strava1::social {

struct Module::Impl {
    Impl(Deps deps, Options options)
        : repository(deps.pool),
          service(deps, options, repository),
          routes(service),
          posts(deps, options),
          post_routes(posts) {}
    Repository repository;
    Service service;
    Routes routes;
    Posts posts;
    PostRoutes post_routes;
};

Module::Module(Deps deps, Options options) : impl_(std::make_unique<Impl>(deps, options)) {}
Module::~Module() = default;

void Module::Register(app::Registry& registry) {
    impl_->routes.Register(registry);
    impl_->post_routes.Register(registry);
}

}  // namespace strava1::social
