// The groups module: builds its parts from the composition root's Deps and registers its routes and
// the events' reminder job.
#include "strava1/groups/module.hpp"

#include "challenges.hpp"
#include "clubmates.hpp"
#include "repository.hpp"
#include "routes.hpp"
#include "service.hpp"
#include "strava1/activities/events.hpp"

namespace strava1::groups {
namespace asio = boost::asio;

struct Module::Impl {
    explicit Impl(Deps given)
        : deps(given),
          repository(given.pool),
          service(given, repository),
          challenge_repository(given.pool),
          challenges(given, challenge_repository, repository, service.Membership()),
          routes(service, challenges),
          mates(given.pool) {}

    Deps deps;
    Repository repository;
    Service service;
    ChallengeRepository challenge_repository;
    ChallengeService challenges;
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
    // Challenge completion: a participant's new or changed activity may reach a goal.
    auto progress = [challenges = &impl_->challenges](jobs::ReceivedEvent event) -> asio::awaitable<void> {
        co_await challenges->ActivityChanged(std::move(event.payload));
    };
    registry.Jobs().Subscribe(activities::kActivityCreated, kChallengeSubscriber, progress);
    registry.Jobs().Subscribe(activities::kActivityChanged, kChallengeSubscriber, progress);
}

}  // namespace strava1::groups
