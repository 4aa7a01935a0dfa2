// The composition root's list: which modules a process has and how they are wired together.
#include "composition.hpp"

#include "strava1/base/log.hpp"
#include "strava1/jobs/worker.hpp"

namespace strava1::app {
namespace asio = boost::asio;

namespace {

accounts::Options AccountsOptions(const Config& config) {
    accounts::Options options;
    options.fast_password_hash = config.fast_password_hash;
    return options;
}

activities::Options ActivitiesOptions(const Config& config) {
    activities::Options options;
    options.decode_budget_bytes = config.decode_budget_mb << 20;
    return options;
}

tiles::TileSettings TileSettings(const Config& config) {
    tiles::TileSettings settings;
    settings.upstream_url = config.tile_url;
    settings.attribution = config.tile_attribution;
    settings.max_zoom = config.tile_max_zoom;
    settings.cache_bytes = static_cast<std::uint64_t>(config.tile_cache_mb) << 20;
    settings.cache_dir = config.data_dir / "tiles";
    settings.key_file = config.data_dir / "keys" / "tile-url.key";
    settings.user_agent = tiles::UserAgent(kVersion, config.tile_contact);
    return settings;
}

asio::awaitable<void> ExpireIdempotencyKeys(http::IdempotencyStore* store) {
    if (std::int64_t removed = co_await store->Expire(24); removed > 0) {
        log::Info("idempotency keys expired", {{"count", removed}});
    }
}

}  // namespace

Composition::Composition(Infrastructure infra, const Config& config)
    : jobs_client_(registry_.Jobs()),
      probes_{infra.pool},
      idempotency_(infra.pool),
      follows_(infra.pool),
      // Accounts and activities ask social's relation (follows, blocks) through app::Relations (ADR
      // 0020), and activities reads owners' profile facts through accounts' contract, never its tables.
      accounts_(accounts::Deps{infra.pool, infra.clock, infra.cpu, jobs_client_, infra.issuer, infra.verifier,
                               infra.firebase, &follows_},
                AccountsOptions(config)),
      activities_(activities::Deps{infra.pool, infra.clock, infra.cpu, jobs_client_, infra.store, accounts_.Profiles(),
                                   &follows_},
                  ActivitiesOptions(config)),
      // Clubs read names through accounts' contract and activities through its reader (privacy applied).
      groups_(groups::Deps{infra.pool, infra.clock, jobs_client_, accounts_.Profiles(), activities_.Reader()}),
      social_(social::Deps{infra.pool, accounts_.Profiles(), follows_, jobs_client_, activities_.Reader(),
                           &accounts_.Standing(), &groups_.Mates(), &groups_.Clubs(), &activities_.Moderation()},
              social::Options{.feed_fan_out_limit = config.feed_fan_out_limit}),
      // Notifications are written only by its subscribers to the others' events (ADR 0025).
      notifications_(notifications::Deps{infra.pool, accounts_.Profiles(), follows_, activities_.Reader()}),
      objects_(infra.store, infra.cpu, infra.clock),
      tiles_(TileSettings(config), infra.cpu, infra.clock) {
    probes_.unreachable_limit = config.db_unreachable_limit;
    // With trusted proxies configured, requests arrive through a proxy, however local it is.
    probes_.metrics_local_only = IsLoopback(config.server.address) && config.server.trusted_proxies.Empty();
    probes_.metrics_token = config.metrics_token;

    jobs::RegisterHousekeeping(registry_.Jobs());
    RegisterProbes(registry_, probes_);
    accounts_.Register(registry_);
    activities_.Register(registry_);
    social_.Register(registry_);
    groups_.Register(registry_);
    notifications_.Register(registry_);
    // The signed object route is storage's; who still references a key is the owning module's say.
    objects_.AddOwner(activities::Module::kOriginalKeyPrefix, activities_.OriginalReferences());
    for (auto& route : objects_.Routes()) {
        registry_.Route(std::move(route));
    }
    for (auto& route : tiles_.Routes()) {
        registry_.Route(std::move(route));
    }
    // Idempotency-Key records are libs/http's: kept 24 h (ADR 0004), swept hourly (once per hour in
    // the deployment, whichever process's worker takes it).
    registry_.Recurring("http.expire-idempotency-keys", "@hourly",
                        [store = &idempotency_] { return ExpireIdempotencyKeys(store); });
}

Composition::~Composition() = default;

}  // namespace strava1::app
