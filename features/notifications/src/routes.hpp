#pragma once

#include "service.hpp"
#include "strava1/app/registry.hpp"

namespace strava1::notifications {

/// The /v1/notifications routes, each with its access (ADR 0019).
class Routes {
public:
    explicit Routes(Service& service) : service_(service) {}
    void Register(app::Registry& registry);

private:
    Service& service_;
};

/// {"notifications": [...], "next_cursor"}: GET /v1/notifications.
std::string PageJson(const ShownPage& page);

}  // namespace strava1::notifications
