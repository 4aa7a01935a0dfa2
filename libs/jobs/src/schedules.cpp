#include "schedules.hpp"

#include "sql.hpp"
#include "strava1/base/error.hpp"
#include "strava1/base/json.hpp"
#include "strava1/base/log.hpp"
#include "strava1/jobs/registry.hpp"

namespace strava1::jobs {
namespace asio = boost::asio;

namespace {

double Seconds(SystemTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

SystemTime FromSeconds(double s) {
    return SystemTime{std::chrono::duration_cast<SystemTime::duration>(std::chrono::duration<double>(s))};
}

/// The schedule checked, its queue filled in, and its first slot after `now`.
std::pair<Schedule, SystemTime> Check(const Registry& registry, Schedule schedule, SystemTime now) {
    if (schedule.name.empty() || schedule.name.size() > 200) {
        throw InvalidField("name", "must be 1 to 200 characters");
    }
    std::string why;
    auto cron = Cron::Parse(schedule.cron, &why);
    if (!cron) {
        throw InvalidField("cron", why);
    }
    if (!KnownTimeZone(schedule.time_zone)) {
        throw InvalidField("time_zone", "must be an IANA time zone name such as Europe/Berlin");
    }
    const Registry::Kind* kind = registry.Find(schedule.kind);
    if (kind == nullptr) {
        throw InvalidField("kind", "must be a registered job kind");
    }
    if (schedule.queue.empty()) {
        schedule.queue = kind->options.queue;
    }
    if (!ValidQueueName(schedule.queue)) {
        throw InvalidField("queue", "must match [a-z0-9_.-]{1,64}");
    }
    auto first = cron->Next(now, schedule.time_zone);
    if (!first) {
        throw InvalidField("cron", "matches no time in the next five years");
    }
    return {std::move(schedule), *first};
}

asio::awaitable<void> Upsert(db::Transaction tx, Schedule s, SystemTime first) {
    co_await tx.Query(sql::kUpsertSchedule, db::Params::Of(s.name, s.cron, s.time_zone, s.kind, s.queue,
                                                           json::Serialize(s.payload), s.priority, Seconds(first)));
}

}  // namespace

asio::awaitable<void> UpsertSchedule(const Registry& registry, db::Transaction tx, Schedule schedule,
                                     const Clock& clock) {
    auto [checked, first] = Check(registry, std::move(schedule), clock.Now());
    co_await Upsert(tx, checked, first);
}

asio::awaitable<bool> DeleteSchedule(db::Transaction tx, std::string name) {
    db::Result r = co_await tx.Query(sql::kDeleteSchedule, db::Params::Of(name));
    co_return r.Affected() > 0;
}

asio::awaitable<void> UpsertDeclaredSchedules(db::Pool& pool, const Registry& registry, const Clock& clock) {
    if (registry.Schedules().empty()) {
        co_return;
    }
    db::Transaction tx = co_await pool.Begin();
    for (const Schedule& declared : registry.Schedules()) {
        auto [checked, first] = Check(registry, declared, clock.Now());
        co_await Upsert(tx, checked, first);
    }
    co_await tx.Commit();
}

asio::awaitable<int> FireDueSchedules(db::Pool& pool, const Registry& registry) {
    db::Transaction tx = co_await pool.Begin();
    db::Result due = co_await tx.Query(sql::kDueSchedules);
    if (due.Empty()) {
        co_await tx.Commit();
        co_return 0;
    }
    // The database's clock decides what is due, so it also decides what "missed" means.
    db::Result now_row = co_await tx.Query(sql::kNow);
    const SystemTime now = FromSeconds(now_row.Double(0, 0));
    int fired = 0;
    for (int row = 0; row < due.Rows(); ++row) {
        const std::string name = due.String(row, due.Column("name"));
        const std::string kind = due.String(row, due.Column("kind"));
        const SystemTime slot = FromSeconds(due.Double(row, due.Column("next_run_at")));
        auto cron = Cron::Parse(due.String(row, due.Column("cron")));
        // Slots missed while no worker ran are not made up: one run, then the next future slot.
        std::optional<SystemTime> next;
        if (cron) {
            next = cron->Next(std::max(now, slot), due.String(row, due.Column("time_zone")));
        }
        if (!next) {
            // A schedule that cannot fire (zone gone from the database…): look again tomorrow.
            log::Warn("recurring schedule cannot compute its next run", {{"schedule", name}});
            next = now + std::chrono::hours(24);
        }
        const Registry::Kind* handler = registry.Find(kind);
        const int max_attempts = handler != nullptr ? handler->options.max_attempts : 25;
        co_await tx.Query(
            sql::kEnqueue,
            db::Params::Of(due.String(row, due.Column("queue")), kind, due.String(row, due.Column("payload")),
                           due.Int(row, due.Column("priority")), std::nullopt, max_attempts, std::nullopt));
        co_await tx.Query(sql::kAdvanceSchedule, db::Params::Of(name, Seconds(*next), Seconds(slot)));
        ++fired;
    }
    co_await tx.Commit();
    co_return fired;
}

}  // namespace strava1::jobs
