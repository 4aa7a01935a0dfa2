// The social module: builds its parts from the composition root's Deps and registers its routes.
#include "strava1/social/module.hpp"

#include "feed_routes.hpp"
#include "feed_service.hpp"
#include "moderation_routes.hpp"
#include "moderation_service.hpp"
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
          posts(deps, options),
          post_routes(posts),
          feed_repository(deps.pool),
          feed(feed_repository, deps.profiles, deps.follows, deps.activities, posts,
               FeedOptions{.fan_out_limit = options.feed_fan_out_limit}),
          moderation(deps, options, posts),
          moderation_routes(moderation),
          suggestions(deps.pool, deps.profiles, deps.follows, deps.clubmates) {}
    Repository repository;
    Service service;
    Routes routes;
    Posts posts;
    PostRoutes post_routes;
    FeedRepository feed_repository;
    FeedService feed;
    Moderation moderation;
    ModerationRoutes moderation_routes;
    Suggestions suggestions;
};

Module::Module(Deps deps, Options options) : impl_(std::make_unique<Impl>(deps, options)) {}
Module::~Module() = default;

void Module::Register(app::Registry& registry) {
    impl_->routes.Register(registry);
    RegisterFeedRoutes(registry, impl_->feed);
    impl_->feed.RegisterJobs(registry.Jobs());
    impl_->post_routes.Register(registry);
    impl_->moderation_routes.Register(registry);
    impl_->suggestions.Register(registry);
}

}  // namespace strava1::social
