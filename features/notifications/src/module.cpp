// The notifications module: its event subscribers (the only writers of notifications) and its routes.
#include "strava1/notifications/module.hpp"

#include "routes.hpp"
#include "service.hpp"
#include "strava1/activities/events.hpp"
#include "strava1/groups/module.hpp"
#include "strava1/jobs/job.hpp"
#include "strava1/social/module.hpp"

namespace strava1::notifications {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

/// The integer at `key`, or nullopt (absent, null or not a number).
std::optional<std::int64_t> IdAt(const json::object& payload, std::string_view key) {
    auto it = payload.find(key);
    if (it == payload.end() || !it->value().is_number()) {
        return std::nullopt;
    }
    return it->value().to_number<std::int64_t>();
}

std::int64_t Required(const json::object& payload, std::string_view key) {
    if (auto id = IdAt(payload, key)) {
        return *id;
    }
    // A malformed event never gets better by retrying it.
    throw jobs::PermanentError("notification event without " + std::string(key));
}

std::vector<std::int64_t> IdsAt(const json::object& payload, std::string_view key) {
    std::vector<std::int64_t> out;
    auto it = payload.find(key);
    if (it != payload.end() && it->value().is_array()) {
        for (const auto& v : it->value().as_array()) {
            if (v.is_number()) {
                out.push_back(v.to_number<std::int64_t>());
            }
        }
    }
    return out;
}

const json::object& Payload(const jobs::ReceivedEvent& event) {
    if (!event.payload.is_object()) {
        throw jobs::PermanentError("notification event payload is not an object");
    }
    return event.payload.as_object();
}

/// Copies the string fields of `keys` the payload has into a notification's data.
json::object Keep(const json::object& payload, std::initializer_list<std::string_view> keys) {
    json::object data;
    for (auto key : keys) {
        if (auto it = payload.find(key); it != payload.end() && (it->value().is_string() || it->value().is_number())) {
            data[key] = it->value();
        }
    }
    return data;
}

/// The candidates each event type makes.
std::vector<Candidate> FromFollow(const jobs::ReceivedEvent& e) {
    const auto& p = Payload(e);
    const std::int64_t follower = Required(p, "follower_id");
    const std::int64_t followee = Required(p, "followee_id");
    if (e.type == social::kFollowAccepted) {
        return {Candidate{.user_id = follower,
                          .kind = "follow_accepted",
                          .object_kind = "user",
                          .object_id = followee,
                          .actor_id = followee}};
    }
    return {Candidate{.user_id = followee,
                      .kind = e.type == social::kFollowRequested ? "follow_request" : "new_follower",
                      .object_kind = "user",
                      .object_id = follower,
                      .actor_id = follower}};
}

std::vector<Candidate> FromKudos(const jobs::ReceivedEvent& e) {
    const auto& p = Payload(e);
    return {Candidate{.user_id = Required(p, "owner_id"),
                      .kind = "kudos",
                      .object_kind = "activity",
                      .object_id = Required(p, "activity_id"),
                      .actor_id = Required(p, "user_id")}};
}

std::vector<Candidate> FromLike(const jobs::ReceivedEvent& e) {
    const auto& p = Payload(e);
    auto target = p.find("target");
    const std::string kind =
        target != p.end() && target->value().is_string() ? std::string(target->value().as_string()) : "";
    if (kind != "post" && kind != "comment") {
        throw jobs::PermanentError("like event with an unknown target");
    }
    return {Candidate{.user_id = Required(p, "owner_id"),
                      .kind = "like",
                      .object_kind = kind,
                      .object_id = Required(p, "id"),
                      .actor_id = Required(p, "user_id")}};
}

std::vector<Candidate> FromComment(const jobs::ReceivedEvent& e) {
    const auto& p = Payload(e);
    const std::int64_t comment = Required(p, "comment_id");
    const std::int64_t author = Required(p, "author_id");
    const std::optional<std::int64_t> activity = IdAt(p, "activity_id");
    const std::optional<std::int64_t> post = IdAt(p, "post_id");
    if (!activity && !post) {
        throw jobs::PermanentError("comment event without its parent");
    }
    const std::string object_kind = activity ? "activity" : "post";
    const std::int64_t object_id = activity ? *activity : *post;
    auto make = [&](std::int64_t user, const char* kind) {
        return Candidate{.user_id = user,
                         .kind = kind,
                         .object_kind = object_kind,
                         .object_id = object_id,
                         .comment_id = comment,
                         .actor_id = author};
    };
    // In this order: one notification per recipient, the first that applies (Service::Deliver).
    std::vector<Candidate> out;
    if (auto reply_to = IdAt(p, "reply_to_author_id")) {
        out.push_back(make(*reply_to, "reply"));
    }
    out.push_back(make(Required(p, "parent_owner_id"), "comment"));
    for (std::int64_t mentioned : IdsAt(p, "mentioned_user_ids")) {
        out.push_back(make(mentioned, "mention"));
    }
    return out;
}

std::vector<Candidate> FromPost(const jobs::ReceivedEvent& e) {
    const auto& p = Payload(e);
    const std::int64_t post = Required(p, "post_id");
    const std::int64_t author = Required(p, "author_id");
    std::vector<Candidate> out;
    for (std::int64_t mentioned : IdsAt(p, "mentioned_user_ids")) {
        out.push_back(Candidate{
            .user_id = mentioned, .kind = "mention", .object_kind = "post", .object_id = post, .actor_id = author});
    }
    return out;
}

std::vector<Candidate> FromClubInvite(const jobs::ReceivedEvent& e) {
    const auto& p = Payload(e);
    return {Candidate{.user_id = Required(p, "user_id"),
                      .kind = "club_invite",
                      .object_kind = "club",
                      .object_id = Required(p, "club_id"),
                      .actor_id = Required(p, "by_user_id"),
                      .data = Keep(p, {"club_name"})}};
}

std::vector<Candidate> FromJoinRequest(const jobs::ReceivedEvent& e) {
    const auto& p = Payload(e);
    const std::int64_t club = Required(p, "club_id");
    const std::int64_t requester = Required(p, "user_id");
    std::vector<Candidate> out;
    for (std::int64_t admin : IdsAt(p, "admin_ids")) {
        out.push_back(Candidate{.user_id = admin,
                                .kind = "join_request",
                                .object_kind = "club",
                                .object_id = club,
                                .actor_id = requester,
                                .data = Keep(p, {"club_name"})});
    }
    return out;
}

std::vector<Candidate> FromReminder(const jobs::ReceivedEvent& e) {
    const auto& p = Payload(e);
    const std::int64_t club = Required(p, "club_id");
    json::object data = Keep(p, {"event_id", "starts_at", "title"});
    std::vector<Candidate> out;
    for (std::int64_t user : IdsAt(p, "user_ids")) {
        out.push_back(Candidate{
            .user_id = user, .kind = "event_reminder", .object_kind = "club", .object_id = club, .data = data});
    }
    return out;
}

std::vector<Candidate> FromChallenge(const jobs::ReceivedEvent& e) {
    const auto& p = Payload(e);
    return {Candidate{.user_id = Required(p, "user_id"),
                      .kind = "challenge_completed",
                      .object_kind = "challenge",
                      .object_id = Required(p, "challenge_id"),
                      .data = Keep(p, {"challenge_name", "club_id"})}};
}

asio::awaitable<void> ForgetRequest(Service& service, const jobs::ReceivedEvent& e) {
    const auto& p = Payload(e);
    co_await service.ForgetFollowRequest(Required(p, "followee_id"), Required(p, "follower_id"));
}

}  // namespace

struct Module::Impl {
    explicit Impl(Deps deps) : service(deps), routes(service) {}
    Service service;
    Routes routes;
};

Module::Module(Deps deps) : impl_(std::make_unique<Impl>(deps)) {}
Module::~Module() = default;

void Module::Register(app::Registry& registry) {
    impl_->routes.Register(registry);
    Service* service = &impl_->service;
    auto deliver = [&registry, service](const char* type, std::vector<Candidate> (*make)(const jobs::ReceivedEvent&)) {
        registry.Jobs().Subscribe(type, kSubscriber,
                                  [service, make](jobs::ReceivedEvent event) -> asio::awaitable<void> {
                                      std::vector<Candidate> candidates = make(event);
                                      co_await service->Deliver(event.id, std::move(candidates));
                                  });
    };
    deliver(social::kFollowRequested, FromFollow);
    deliver(social::kFollowed, FromFollow);
    deliver(social::kKudosGiven, FromKudos);
    deliver(social::kLikeGiven, FromLike);
    deliver(social::kCommentCreated, FromComment);
    deliver(social::kPostCreated, FromPost);
    deliver(groups::kClubInvited, FromClubInvite);
    deliver(groups::kClubJoinRequested, FromJoinRequest);
    deliver(groups::kEventReminder, FromReminder);
    deliver(kChallengeCompleted, FromChallenge);

    // Deleting what a notification is about deletes the notification (ADR 0025).
    registry.Jobs().Subscribe(activities::kActivityDeleted, kSubscriber,
                              [service](jobs::ReceivedEvent event) -> asio::awaitable<void> {
                                  co_await service->ForgetObject("activity", Required(Payload(event), "id"));
                              });
    registry.Jobs().Subscribe(social::kPostDeleted, kSubscriber,
                              [service](jobs::ReceivedEvent event) -> asio::awaitable<void> {
                                  co_await service->ForgetObject("post", Required(Payload(event), "post_id"));
                              });
    // An answered or withdrawn follow request leaves nothing to act on: its notification goes.
    // Accepting also tells the follower, in the same delivery.
    registry.Jobs().Subscribe(social::kFollowAccepted, kSubscriber,
                              [service](jobs::ReceivedEvent event) -> asio::awaitable<void> {
                                  std::vector<Candidate> candidates = FromFollow(event);
                                  co_await service->Deliver(event.id, std::move(candidates));
                                  co_await ForgetRequest(*service, event);
                              });
    for (const char* type : {social::kFollowDeclined, social::kFollowCancelled}) {
        registry.Jobs().Subscribe(type, kSubscriber, [service](jobs::ReceivedEvent event) -> asio::awaitable<void> {
            co_await ForgetRequest(*service, event);
        });
    }
    registry.Jobs().Subscribe(social::kCommentDeleted, kSubscriber,
                              [service](jobs::ReceivedEvent event) -> asio::awaitable<void> {
                                  co_await service->ForgetComments(IdsAt(Payload(event), "comment_ids"));
                              });
    registry.Recurring("notifications.prune-deliveries", "17 4 * * *",
                       [service]() -> asio::awaitable<void> { co_await service->PruneDeliveries(); });
}

}  // namespace strava1::notifications
