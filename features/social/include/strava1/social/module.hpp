#pragma once

#include <memory>

#include "strava1/accounts/profiles.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/social/follow_store.hpp"

namespace strava1::db {
class Pool;
}

namespace strava1::social {

struct Options {
    /// Abuse limit: new follows (requests or instant) one user may make per hour (429 past it).
    int follow_requests_per_hour = 200;
};

/// What the module needs from the composition root. Everything must outlive the Module.
struct Deps {
    db::Pool& pool;
    accounts::Profiles& profiles;  ///< names, and whether a user approves followers
    FollowStore& follows;          ///< the relation contract it also gives accounts and activities
};

/// Social: follows (requests, accept/decline, remove), blocks and mutes. Owns the tables follows,
/// blocks, mutes and follow_request_budget; implements app::Relations (FollowStore).
class Module {
public:
    Module(Deps deps, Options options);
    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    /// Registers /v1/users/{user_id}/follow|followers|following|block|mute, /v1/me/follow-requests*,
    /// /v1/me/followers/{user_id} and /v1/me/blocks.
    void Register(app::Registry& registry);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace strava1::social
