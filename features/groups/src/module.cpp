// The groups module: builds its parts from the composition root's Deps and registers its routes and
// the events' reminder job.
#include "strava1/groups/module.hpp"

#include "clubmates.hpp"
#include "repository.hpp"
#include "routes.hpp"
#include "service.hpp"

namespace strava1::groups {
namespace asio = boost::asio;

struct Module::Impl {
    explicit Impl(Deps given)
        : deps(given), repository(given.pool), service(given, repository), routes(service), mates(given.pool) {}

    Deps deps;
    Repository repository;
    Service service;
    Routes routes;
    PgClubmates mates;
};

Module::Module(Deps deps) : impl_(std::make_unique<Impl>(deps)) {}
Module::~Module() = default;

app::Membership& Module::Clubs() { return impl_->service.Membership(); }
Clubmates& Module::Mates() { return impl_->mates; }

void Module::Register(app::Registry& registry) {
    impl_->routes.Register(registry);
    registry.Jobs().Handle(kReminderKind, [client = &impl_->deps.jobs](jobs::JobContext job) -> asio::awaitable<void> {
        std::int64_t event_id = 0;
        std::int64_t starts_us = 0;
        try {
            event_id = job.payload.as_object().at("event_id").to_number<std::int64_t>();
            starts_us = job.payload.as_object().at("starts_us").to_number<std::int64_t>();
        } catch (const std::exception& e) {
            throw jobs::PermanentError(std::string("bad reminder payload: ") + e.what());
        }
        co_await PublishReminder(job.Pool(), *client, event_id, starts_us);
    });
}

}  // namespace strava1::groups
