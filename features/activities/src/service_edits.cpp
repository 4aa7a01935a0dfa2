// Changes an owner makes: manual activities, edits, deletion, privacy zones. Each change of what hides
// an activity's samples recomputes what others are shown of it, in the same transaction.
#include <cmath>

#include "manual_checks.hpp"
#include "service.hpp"
#include "strava1/activities/events.hpp"
#include "strava1/app/policy.hpp"
#include "strava1/base/log.hpp"

namespace strava1::activities {
namespace asio = boost::asio;

namespace {

constexpr int kMaxPrivacyZones = 20;

std::string TextArrayText(const std::vector<std::string>& items) {
    std::string out = "{";
    for (std::size_t idx = 0; idx < items.size(); ++idx) {
        out += (idx ? "," : "") + items[idx];  // metric names: plain lower-case words
    }
    return out + "}";
}

}  // namespace

ManualPlan CheckManual(const ManualActivityBody& body, SystemTime now) {
    FieldErrors errors;
    if (auto problem = SportProblem(body.sport)) {
        errors.Add("sport", *problem);
    }
    auto start = ParseTimestampMicros(body.start_time);
    if (!start) {
        errors.Add("start_time", "must be an RFC 3339 time with a zone, e.g. 2026-11-30T07:12:03Z");
    }
    auto range = [&](const char* field, const std::optional<double>& v, double lo, double hi) {
        if (v && (!std::isfinite(*v) || *v < lo || *v > hi)) {
            errors.Add(field, "must be between " + std::to_string(static_cast<long long>(lo)) + " and " +
                                  std::to_string(static_cast<long long>(hi)));
        }
    };
    range("elapsed_s", body.elapsed_s, 1, 30 * 86400);
    range("moving_s", body.moving_s, 0, body.elapsed_s);
    range("distance_m", body.distance_m, 0, 10'000'000);
    range("elevation_gain_m", body.elevation_gain_m, 0, 100'000);
    range("calories_kcal", body.calories_kcal, 0, 100'000);
    if (body.perceived_exertion && (*body.perceived_exertion < 1 || *body.perceived_exertion > 10)) {
        errors.Add("perceived_exertion", "must be between 1 and 10");
    }
    if (body.name) {
        CheckText(errors, "name", *body.name, 1, 255);
    }
    if (body.description) {
        CheckText(errors, "description", *body.description, 0, 10000);
    }
    if (body.visibility && !ParseVisibility(*body.visibility)) {
        errors.Add("visibility", "must be one of everyone, followers, only_me");
    }
    ManualPlan plan;
    plan.moving_s = body.moving_s.value_or(body.elapsed_s);
    plan.distance_m = body.distance_m.value_or(0);
    if (start && errors.Empty()) {
        const std::int64_t now_us =
            std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
        CheckManualPlausibility(*formats::ParseSportName(body.sport), *start, now_us, body.elapsed_s, plan.moving_s,
                                plan.distance_m, errors);
    }
    errors.ThrowIfAny();
    plan.start_us = *start;
    if (plan.distance_m > 0 && plan.moving_s > 0) {
        plan.avg_speed_mps = plan.distance_m / plan.moving_s;
        plan.avg_pace_s_per_km = plan.moving_s / (plan.distance_m / 1000.0);
    }
    return plan;
}

std::optional<std::string> CheckPatch(const PatchActivityBody& body) {
    FieldErrors errors;
    errors.NotNull("name", body.name.present, body.name.value.has_value());
    errors.NotNull("description", body.description.present, body.description.value.has_value());
    errors.NotNull("sport", body.sport.present, body.sport.value.has_value());
    errors.NotNull("visibility", body.visibility.present, body.visibility.value.has_value());
    errors.NotNull("hidden_metrics", body.hidden_metrics.present, body.hidden_metrics.value.has_value());
    errors.NotNull("hide_endpoints_m", body.hide_endpoints_m.present, body.hide_endpoints_m.value.has_value());
    errors.NotNull("hide_from_feed", body.hide_from_feed.present, body.hide_from_feed.value.has_value());
    if (body.name.value) {
        CheckText(errors, "name", *body.name.value, 1, 255);
    }
    if (body.description.value) {
        CheckText(errors, "description", *body.description.value, 0, 10000);
    }
    if (body.sport.value) {
        if (auto problem = SportProblem(*body.sport.value)) {
            errors.Add("sport", *problem);
        }
    }
    if (body.visibility.value && !ParseVisibility(*body.visibility.value)) {
        errors.Add("visibility", "must be one of everyone, followers, only_me");
    }
    std::optional<std::string> metrics;
    if (body.hidden_metrics.value) {
        std::uint32_t bits = 0;
        for (const auto& name : *body.hidden_metrics.value) {
            if (auto m = ParseMetric(name)) {
                bits |= *m;
            } else {
                errors.Add("hidden_metrics", "must contain only heart_rate, power, pace, calories, start_time");
                break;
            }
        }
        metrics = TextArrayText(MetricNames(bits));
    }
    if (body.hide_endpoints_m.value && (*body.hide_endpoints_m.value < 0 || *body.hide_endpoints_m.value > 1600)) {
        errors.Add("hide_endpoints_m", "must be between 0 and 1600");
    }
    if (body.perceived_exertion.value && (*body.perceived_exertion.value < 1 || *body.perceived_exertion.value > 10)) {
        errors.Add("perceived_exertion", "must be between 1 and 10");
    }
    errors.ThrowIfAny();
    return metrics;
}

asio::awaitable<OwnedActivity> Service::RequireOwned(Principal who, std::int64_t id) {
    app::RequireOwner(who, app::Found(co_await repository_.OwnerOf(id), "activity"), "activity");
    co_return OwnedActivity(id, who.user_id);
}

asio::awaitable<std::int64_t> Service::CreateManual(std::int64_t owner_id, ManualActivityBody body) {
    const ManualPlan plan = CheckManual(body, deps_.clock.Now());
    // The owner's defaults (visibility, hidden radius) and time zone (the default name).
    const accounts::ProfileFacts owner = co_await OwnerFacts(owner_id, {}, "user");
    NewManualActivity m;
    m.owner_id = owner_id;
    m.sport = body.sport;
    m.name = body.name;
    m.description = body.description.value_or("");
    m.start_s = static_cast<double>(plan.start_us) / 1e6;
    m.elapsed_s = body.elapsed_s;
    m.moving_s = plan.moving_s;
    m.distance_m = plan.distance_m;
    m.elevation_gain_m = body.elevation_gain_m.value_or(0);
    m.calories_kcal = body.calories_kcal;
    if (body.perceived_exertion) {
        m.perceived_exertion = *body.perceived_exertion;
    }
    m.visibility = body.visibility;
    m.default_visibility = owner.default_visibility;
    m.hide_endpoints_m = owner.hide_endpoints_m;
    m.privacy_seed = static_cast<std::int64_t>(RandomU64() >> 1);
    m.avg_speed_mps = plan.avg_speed_mps;
    m.avg_pace_s_per_km = plan.avg_pace_s_per_km;
    m.time_zone = owner.time_zone;
    const TimeRange when{plan.start_us / 1000,
                         plan.start_us / 1000 + static_cast<std::int64_t>(std::llround(body.elapsed_s * 1000))};
    // Manual entries take their time like recorded ones: one athlete, one activity at a time.
    auto insert = [&](db::Transaction& tx) -> asio::awaitable<std::int64_t> {
        co_await Repository::LockOwner(tx, owner_id);
        auto same = co_await FindSameWorkout(tx, owner_id, when, std::nullopt);
        if (same) {
            std::string reason =
                "overlaps your activity " + std::to_string(*same) + "; one athlete cannot do two activities at once";
            throw Error(ErrorKind::kConflict, "start_time: " + reason, {{"start_time", reason}});
        }
        const std::int64_t id = co_await Repository::InsertManual(tx, m);
        co_await PublishEvent(tx, kActivityCreated, id);
        co_return id;
    };
    co_return co_await db::RunInTransaction<std::int64_t>(repository_.Pool(), insert);
}

asio::awaitable<void> Service::Patch(OwnedActivity activity, PatchActivityBody body) {
    const std::int64_t id = activity.Id();
    const std::int64_t owner = activity.OwnerId();
    ActivityChanges changes;
    changes.id = id;
    changes.body = &body;
    changes.hidden_metrics = CheckPatch(body);
    // A new radius needs new discs, from the activity's real endpoints.
    std::optional<formats::Track> track;
    if (body.hide_endpoints_m.value) {
        track = co_await LoadTrack(id);
    }
    // What others are shown is measured again with the owner's profile when what hides samples changes.
    analytics::AthleteProfile profile;
    if (body.hide_endpoints_m.value || body.sport.value) {
        profile = co_await LoadProfile(owner);
    }
    auto update = [&](db::Transaction& tx) -> asio::awaitable<void> {
        if (body.sport.value) {
            // A manual entry's figures are the athlete's word: a 43 km "ride" in 30 minutes must not
            // become a run by changing its sport afterwards.
            auto figures = co_await Repository::LockManualFigures(tx, id);
            if (figures) {
                if (auto problem = ManualSpeedProblem(*formats::ParseSportName(*body.sport.value), figures->elapsed_s,
                                                      figures->moving_s, figures->distance_m)) {
                    throw Error(ErrorKind::kInvalidArgument, "sport: " + *problem, {{"sport", *problem}});
                }
            }
        }
        changes.plan = EndpointPlan{};
        if (body.hide_endpoints_m.value) {
            const std::uint64_t seed = co_await Repository::LockPrivacySeed(tx, id);
            // One owner's endpoint plans are made one at a time (the guard reads the others').
            co_await Repository::LockOwner(tx, owner);
            changes.plan =
                co_await PlanEndpoints(tx, owner, *body.hide_endpoints_m.value, track->lat_e7, track->lng_e7, seed, id);
        }
        if (body.visibility.value) {
            // No co_await inside && (GCC 12 miscompiles it).
            const bool moderated = co_await Repository::Moderated(tx, id);
            if (moderated) {
                const std::string reason = "a moderator hid this activity; it stays visible to you only";
                throw Error(ErrorKind::kConflict, "visibility: " + reason, {{"visibility", reason}});
            }
        }
        co_await Repository::UpdateActivity(tx, changes);
        if (body.sport.value) {
            co_await Repository::UpdateEffortSport(tx, id, *body.sport.value);
        }
        if (body.hide_endpoints_m.value || body.sport.value) {
            // New discs hide other samples; another sport measures the visible ones otherwise.
            co_await Repository::LockOwner(tx, owner);
            std::vector<std::int64_t> ids(1, id);
            co_await RefreshPublicViews(tx, owner, std::move(ids), profile);
        }
        // Who gets it in a feed hangs on these two; the feed hears of it with the change.
        if (body.visibility.value || body.hide_from_feed.value) {
            co_await PublishEvent(tx, kActivityChanged, id);
        }
    };
    co_await db::RunInTransaction<void>(repository_.Pool(), update);
}

asio::awaitable<bool> Service::HideByModeration(std::int64_t id) {
    auto hide = [&](db::Transaction& tx) -> asio::awaitable<bool> {
        const bool found = co_await Repository::HideByModeration(tx, id);
        if (found) {
            co_await PublishEvent(tx, kActivityChanged, id);
        }
        co_return found;
    };
    co_return co_await db::RunInTransaction<bool>(repository_.Pool(), hide);
}

asio::awaitable<void> Service::Delete(OwnedActivity activity) {
    // The original goes with the last activity made from it: queued in activities' outbox and its
    // relay job enqueued with the deletion, so it goes however soon this process dies (ADR 0013).
    const std::int64_t id = activity.Id();
    auto remove = [&](db::Transaction& tx) -> asio::awaitable<void> {
        co_await PublishEvent(tx, kActivityDeleted, id);
        std::optional<std::string> original = co_await Repository::DeleteActivity(tx, id);
        if (!original) {
            co_return;
        }
        co_await Repository::QueueDeletion(tx, *original);
        jobs::NewJob job;
        job.kind = kDeleteOriginalsKind;
        // One waiting relay per original: deleting it again before the relay ran adds none.
        job.unique_key = std::string(kDeleteOriginalsKind) + ":" + *original;
        co_await deps_.jobs.Enqueue(tx, std::move(job));
    };
    co_await db::RunInTransaction<void>(repository_.Pool(), remove);
}

asio::awaitable<std::vector<PrivacyZone>> Service::Zones(std::int64_t owner_id) {
    co_return co_await repository_.ListZones(owner_id);
}

namespace {

/// The rules of a zone's members, for a create and a PATCH alike.
void CheckZone(FieldErrors& errors, const std::optional<double>& lat, const std::optional<double>& lng,
               const std::optional<double>& radius_m) {
    if (lat && (!std::isfinite(*lat) || *lat < -90 || *lat > 90)) {
        errors.Add("lat", "must be between -90 and 90");
    }
    if (lng && (!std::isfinite(*lng) || *lng < -180 || *lng > 180)) {
        errors.Add("lng", "must be between -180 and 180");
    }
    if (radius_m && (!std::isfinite(*radius_m) || *radius_m < 100 || *radius_m > 5000)) {
        errors.Add("radius_m", "must be between 100 and 5000");
    }
}

}  // namespace

asio::awaitable<PrivacyZone> Service::CreateZone(std::int64_t owner_id, PrivacyZoneBody body) {
    FieldErrors errors;
    CheckZone(errors, body.lat, body.lng, body.radius_m);
    errors.ThrowIfAny();
    const analytics::AthleteProfile profile = co_await LoadProfile(owner_id);
    // With what others are shown of every activity it changes (public_view.hpp), at once.
    auto insert = [&](db::Transaction& tx) -> asio::awaitable<std::optional<PrivacyZone>> {
        co_await Repository::LockOwner(tx, owner_id);
        auto zone = co_await Repository::InsertZone(tx, owner_id, body.lat, body.lng, body.radius_m, kMaxPrivacyZones);
        if (zone) {
            std::vector<std::int64_t> ids = co_await Repository::WithStreams(tx, owner_id);
            co_await RefreshPublicViews(tx, owner_id, std::move(ids), profile);
        }
        co_return zone;
    };
    auto zone = co_await db::RunInTransaction<std::optional<PrivacyZone>>(repository_.Pool(), insert);
    if (!zone) {
        throw Error(ErrorKind::kConflict, "at most " + std::to_string(kMaxPrivacyZones) + " privacy zones");
    }
    co_return *zone;
}

asio::awaitable<PrivacyZone> Service::PatchZone(std::int64_t owner_id, std::int64_t zone_id,
                                                PatchPrivacyZoneBody body) {
    FieldErrors errors;
    errors.NotNull("lat", body.lat.present, body.lat.value.has_value());
    errors.NotNull("lng", body.lng.present, body.lng.value.has_value());
    errors.NotNull("radius_m", body.radius_m.present, body.radius_m.value.has_value());
    CheckZone(errors, body.lat.value, body.lng.value, body.radius_m.value);
    errors.ThrowIfAny();
    const analytics::AthleteProfile profile = co_await LoadProfile(owner_id);
    auto update = [&](db::Transaction& tx) -> asio::awaitable<std::optional<PrivacyZone>> {
        co_await Repository::LockOwner(tx, owner_id);
        auto zone =
            co_await Repository::UpdateZone(tx, zone_id, owner_id, body.lat.value, body.lng.value, body.radius_m.value);
        if (zone) {
            std::vector<std::int64_t> ids = co_await Repository::WithStreams(tx, owner_id);
            co_await RefreshPublicViews(tx, owner_id, std::move(ids), profile);
        }
        co_return zone;
    };
    auto zone = co_await db::RunInTransaction<std::optional<PrivacyZone>>(repository_.Pool(), update);
    if (!zone) {
        throw NotFound("privacy zone");  // another's zone answers as a missing one
    }
    co_return *zone;
}

asio::awaitable<void> Service::DeleteZone(std::int64_t owner_id, std::int64_t zone_id) {
    const analytics::AthleteProfile profile = co_await LoadProfile(owner_id);
    auto remove = [&](db::Transaction& tx) -> asio::awaitable<bool> {
        co_await Repository::LockOwner(tx, owner_id);
        const bool removed = co_await Repository::DeleteZone(tx, zone_id, owner_id);
        if (removed) {
            std::vector<std::int64_t> ids = co_await Repository::WithStreams(tx, owner_id);
            co_await RefreshPublicViews(tx, owner_id, std::move(ids), profile);
        }
        co_return removed;
    };
    const bool removed = co_await db::RunInTransaction<bool>(repository_.Pool(), remove);
    if (!removed) {
        throw NotFound("privacy zone");  // another's zone answers as a missing one
    }
}

}  // namespace strava1::activities
