#pragma once

#include <vector>

#include "strava1/db/migrations.hpp"

namespace strava1::migrations {

/// Every migration in migrations/*.sql, embedded at build time, in version order.
const std::vector<db::Migration>& All();

}  // namespace strava1::migrations
