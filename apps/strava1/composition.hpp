#pragma once

#include <boost/asio/thread_pool.hpp>

#include <memory>

#include "config.hpp"
#include "probes.hpp"
#include "strava1/accounts/module.hpp"
#include "strava1/activities/module.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/base/clock.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/groups/module.hpp"
#include "strava1/http/idempotency.hpp"
#include "strava1/jobs/client.hpp"
#include "strava1/notifications/module.hpp"
#include "strava1/social/module.hpp"
#include "strava1/storage/local_store.hpp"
#include "strava1/storage/object_routes.hpp"
#include "strava1/tiles/tile_routes.hpp"

namespace strava1::auth {
class LocalTokenIssuer;
class LocalTokenVerifier;
class FirebaseVerifier;
}  // namespace strava1::auth

namespace strava1::app {

/// What a process built before composing the modules. Everything must outlive the Composition.
struct Infrastructure {
    db::Pool& pool;
    const Clock& clock;
    boost::asio::thread_pool& cpu;
    storage::LocalObjectStore& store;
    auth::LocalTokenIssuer* issuer = nullptr;  ///< local identity provider (null in Firebase mode)
    auth::LocalTokenVerifier* verifier = nullptr;
    auth::FirebaseVerifier* firebase = nullptr;
};

/// The one wiring of the modules, built the same way by every entry point (serve, worker, import,
/// routes, migrate; api and realtime when they come): it builds each module from the
/// infrastructure and the config and registers, in this order, the jobs library's housekeeping, the
/// probes, accounts, activities, social, groups (clubs), notifications, the storage routes (activities' originals), the
/// map tile proxy and the idempotency-key expiry. Each entry point then runs the part of the registry its role needs:
/// serve the routes, the start tasks and job workers; worker the job workers; import one module's service; routes the
/// table.
class Composition {
public:
    Composition(Infrastructure infra, const Config& config);
    ~Composition();
    Composition(const Composition&) = delete;
    Composition& operator=(const Composition&) = delete;

    const Registry& Registered() const { return registry_; }
    /// For tests that stand in for a feature not built yet (a subscriber to its events).
    Registry& Registered() { return registry_; }
    /// Enqueues and publishes against the registered job kinds and subscribers.
    const jobs::Client& JobsClient() const { return jobs_client_; }
    Probes& OperationsProbes() { return probes_; }
    http::IdempotencyStore& Idempotency() { return idempotency_; }
    http::Authenticator& Authenticator() { return accounts_.Authenticator(); }
    accounts::Module& Accounts() { return accounts_; }
    activities::Module& Activities() { return activities_; }
    groups::Module& Groups() { return groups_; }

private:
    Registry registry_;
    jobs::Client jobs_client_;  // reads registry_'s jobs, so declared after it
    Probes probes_;
    http::IdempotencyStore idempotency_;
    social::FollowStore follows_;  // the relation accounts and activities ask: built before them
    accounts::Module accounts_;
    activities::Module activities_;
    groups::Module groups_;  // before social: its suggestions ask who shares a club
    social::Module social_;
    notifications::Module notifications_;
    storage::ObjectRoutes objects_;
    tiles::TileRoutes tiles_;
};

}  // namespace strava1::app
