#pragma once

// What moderation (features/social, ADR 0024) may do to an activity, through activities' own
// statements: it never writes activities' table.

#include <boost/asio/awaitable.hpp>

#include <cstdint>

namespace strava1::activities {

class ActivityModeration {
public:
    virtual ~ActivityModeration() = default;
    /// Hides the activity from everyone but its owner, for good: its visibility becomes only_me and
    /// the owner can no longer change it (409). Publishes "activity.changed" in its transaction, so
    /// feeds withdraw it. False when there is no such activity; hiding again changes nothing (true).
    virtual boost::asio::awaitable<bool> Hide(std::int64_t activity_id) = 0;
};

}  // namespace strava1::activities
