#pragma once

#include <boost/asio/awaitable.hpp>

#include "strava1/base/clock.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/jobs/schedule.hpp"

namespace strava1::jobs {

class Registry;

/// Writes the registry's declared schedules (keeping the next slot of one whose timing is unchanged).
boost::asio::awaitable<void> UpsertDeclaredSchedules(db::Pool& pool, const Registry& registry, const Clock& clock);

/// Enqueues a job for every schedule that is due and moves it to its next slot, in one transaction
/// that locks the schedules it fires (SKIP LOCKED): each slot fires once however many workers look.
/// Returns how many fired.
boost::asio::awaitable<int> FireDueSchedules(db::Pool& pool, const Registry& registry);

}  // namespace strava1::jobs
