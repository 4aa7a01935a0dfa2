// The social module: builds its parts from the composition root's Deps and registers its routes.
#include "strava1/social/module.hpp"

#include "feed_routes.hpp"
#include "feed_service.hpp"
#include "posts_routes.hpp"
#include "repository.hpp"
#include "routes.hpp"
#include "service.hpp"
#include "suggestions.hpp"

namespace strava1::social {

struct Module::Impl {
    Impl(Deps deps, Options options)
        : repository(deps.pool),
          service(deps, options, repository),
          routes(service),
          feed_repository(deps.pool),
          feed(feed_repository, deps.profiles, deps.follows, deps.activities,
               FeedOptions{.fan_out_limit = options.feed_fan_out_limit}),
          posts(deps, options),
          post_routes(posts),
          suggestions(deps.pool, deps.profiles, deps.follows, deps.clubmates) {}
    Repository repository;
    Service service;
    Routes routes;
    FeedRepository feed_repository;
    FeedService feed;
    Posts posts;
    PostRoutes post_routes;
    Suggestions suggestions;
};

Module::Module(Deps deps, Options options) : impl_(std::make_unique<Impl>(deps, options)) {}
Module::~Module() = default;

void Module::Register(app::Registry& registry) {
    impl_->routes.Register(registry);
    RegisterFeedRoutes(registry, impl_->feed);
    impl_->feed.RegisterJobs(registry.Jobs());
    impl_->post_routes.Register(registry);
    impl_->suggestions.Register(registry);
}

}  // namespace strava1::social
