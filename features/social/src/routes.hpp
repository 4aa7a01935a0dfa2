#pragma once

#include "service.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/http/message.hpp"

namespace strava1::social {

/// The social route table and its thin handlers: parse, call the service, render.
class Routes {
public:
    explicit Routes(Service& service) : service_(service) {}
    void Register(app::Registry& registry);

private:
    Service& service_;
};

}  // namespace strava1::social
