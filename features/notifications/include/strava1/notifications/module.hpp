#pragma once

#include <memory>

#include "strava1/accounts/profiles.hpp"
#include "strava1/activities/reader.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/app/relations.hpp"

namespace strava1::db {
class Pool;
}

namespace strava1::notifications {

/// Published by the challenges part of features/groups when a user completes a challenge, payload
/// {"user_id", "challenge_id"}; named here as well so that this module needs nothing more of it.
inline constexpr const char* kChallengeCompleted = "groups.challenge.completed";
/// The subscriber name this module's event subscriptions carry ("event:<type>:notifications").
inline constexpr const char* kSubscriber = "notifications";

/// What the module needs from the composition root. Everything must outlive the Module.
struct Deps {
    db::Pool& pool;
    accounts::Profiles& profiles;  ///< actors' names and usernames
    app::Relations& relations;     ///< no notification across a block, written or listed
    activities::ActivityReader&
        activities;  ///< a notification about an activity the recipient may no longer see drops out
};

/// In-app notifications (ADR 0025): subscribes to social's, groups' and activities' events and turns
/// them into rows of `notifications` (migrations/0017_notifications.sql), deduplicated per event and
/// recipient, kudos and likes grouped per object while unread; serves /v1/notifications*.
class Module {
public:
    explicit Module(Deps deps);
    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    /// Registers GET /v1/notifications, GET /v1/notifications/unread-count, POST
    /// /v1/notifications/{notification_id}/read and POST /v1/notifications/read-all; the subscriber
    /// "notifications" of every event above; and the daily job "notifications.prune-deliveries".
    void Register(app::Registry& registry);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace strava1::notifications
