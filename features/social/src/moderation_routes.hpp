#pragma once

#include "moderation_service.hpp"
#include "strava1/app/registry.hpp"

namespace strava1::social {

/// The route table of reports, warnings and the admin API (ADR 0024).
class ModerationRoutes {
public:
    explicit ModerationRoutes(Moderation& moderation) : moderation_(moderation) {}
    void Register(app::Registry& registry);

private:
    Moderation& moderation_;
};

}  // namespace strava1::social
