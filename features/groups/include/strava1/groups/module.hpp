#pragma once

#include <memory>

#include "strava1/accounts/profiles.hpp"
#include "strava1/activities/reader.hpp"
#include "strava1/app/policy.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/base/clock.hpp"
#include "strava1/groups/clubmates.hpp"
#include "strava1/jobs/client.hpp"

namespace strava1::db {
class Pool;
}

namespace strava1::groups {

/// Published by the job "groups.event-reminder" an hour before a club event starts, payload
/// {"event_id", "club_id", "starts_at", "title", "user_ids": [the members going]}; the notifications feature
/// subscribes to it.
inline constexpr const char* kEventReminder = "groups.event.reminder";
/// Published in the transaction that invites a user to a club, and in the one where a user asks to
/// join a private club: {"club_id", "club_name", "user_id" (invited / asking), "by_user_id" (who
/// invited; the asker for a request), "admin_ids" (the club's active owner and admins)}.
inline constexpr const char* kClubInvited = "groups.club.invited";
inline constexpr const char* kClubJoinRequested = "groups.club.join_requested";

/// Published when a challenge participant first reaches the goal (a club-mode challenge: for every
/// participant when the shared goal is reached), in the transaction that records it; payload
/// {"user_id", "challenge_id"}. The notifications feature subscribes to it (ADR 0026).
inline constexpr const char* kChallengeCompleted = "groups.challenge.completed";

/// What the module needs from the composition root. Everything must outlive the Module.
struct Deps {
    db::Pool& pool;
    const Clock& clock;
    const jobs::Client& jobs;                ///< the events' reminder jobs, with the changes that need them
    accounts::Profiles& profiles;            ///< members' display names
    activities::ActivityReader& activities;  ///< events' routes and the leaderboard, as the viewer may see them
};

/// Clubs: clubs, memberships (owner / admin / member; requests and invitations), events with RSVPs
/// and their reminder job, the weekly leaderboard. Owns the tables clubs, club_members, club_events
/// and club_event_rsvps (migrations/0012_groups.sql).
class Module {
public:
    explicit Module(Deps deps);
    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    /// Registers the routes /v1/clubs* and the job kind "groups.event-reminder".
    void Register(app::Registry& registry);
    /// Who belongs to which club (clubs are the scopes; owners and admins are kAdmin), for features
    /// that state MemberOf/AdminOf a club (club posts, club challenges).
    app::Membership& Clubs();
    /// Who shares a club with a user (social's follow suggestions).
    Clubmates& Mates();

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace strava1::groups
