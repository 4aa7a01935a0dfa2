#pragma once

#include "feed_service.hpp"
#include "strava1/app/registry.hpp"

namespace strava1::social {

/// Registers GET /v1/feed (SignedIn) and GET /v1/users/{user_id}/feed (ViewerOf user).
void RegisterFeedRoutes(app::Registry& registry, FeedService& feed);

}  // namespace strava1::social
