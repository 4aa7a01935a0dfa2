#include "strava1/jobs/admin.hpp"

#include "strava1/base/error.hpp"

namespace strava1::jobs {
namespace asio = boost::asio;

namespace {

constexpr const char* kQueuedColumns =
    "id, CASE WHEN locked_until IS NOT NULL THEN 'running' WHEN run_at > now() THEN 'scheduled' ELSE 'waiting' END "
    "AS state, queue, kind, priority, attempt, max_attempts, unique_key, locked_by, last_error, payload::text AS payload, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at, "
    "to_char(run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS run_at, "
    "to_char(locked_until AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS locked_until, "
    "run_at AS sort_at";
constexpr const char* kDeadColumns =
    "id, reason AS state, queue, kind, priority, attempts AS attempt, max_attempts, unique_key, NULL::text AS locked_by, "
    "last_error, payload::text AS payload, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at, "
    "to_char(died_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS run_at, NULL::text AS locked_until, "
    "died_at AS sort_at";

std::vector<JobRow> Rows(const db::Result& r) {
    std::vector<JobRow> out;
    for (int row = 0; row < r.Rows(); ++row) {
        JobRow j;
        j.id = r.Int(row, r.Column("id"));
        j.state = r.String(row, r.Column("state"));
        j.queue = r.String(row, r.Column("queue"));
        j.kind = r.String(row, r.Column("kind"));
        j.priority = static_cast<int>(r.Int(row, r.Column("priority")));
        j.attempt = static_cast<int>(r.Int(row, r.Column("attempt")));
        j.max_attempts = static_cast<int>(r.Int(row, r.Column("max_attempts")));
        j.unique_key = r.OptString(row, r.Column("unique_key"));
        j.locked_by = r.OptString(row, r.Column("locked_by"));
        j.last_error = r.OptString(row, r.Column("last_error"));
        j.payload = r.String(row, r.Column("payload"));
        j.created_at = r.String(row, r.Column("created_at"));
        j.run_at = r.String(row, r.Column("run_at"));
        j.locked_until = r.OptString(row, r.Column("locked_until"));
        out.push_back(std::move(j));
    }
    return out;
}

}  // namespace

asio::awaitable<std::vector<JobRow>> ListJobs(db::Pool& pool, ListFilter filter) {
    static const std::vector<std::string> kStates = {"waiting", "scheduled", "running", "failed", "discarded", "dead"};
    if (filter.state && std::find(kStates.begin(), kStates.end(), *filter.state) == kStates.end()) {
        throw InvalidField("state", "must be waiting, scheduled, running, dead, failed or discarded");
    }
    if (filter.limit < 1 || filter.limit > 1000) {
        throw InvalidField("limit", "must be 1 to 1000");
    }
    const bool dead =
        filter.state && (*filter.state == "dead" || *filter.state == "failed" || *filter.state == "discarded");
    const bool queued = !filter.state || !dead;
    std::string sql;
    if (queued) {
        sql += std::string("SELECT * FROM (SELECT ") + kQueuedColumns +
               " FROM jobs_queue) q WHERE ($1::text IS NULL OR state = $1) " +
               "AND ($2::text IS NULL OR queue = $2) AND ($3::text IS NULL OR kind = $3)";
    }
    if (!filter.state || dead) {
        if (!sql.empty()) {
            sql += " UNION ALL ";
        }
        sql += std::string("SELECT * FROM (SELECT ") + kDeadColumns + " FROM jobs_dead) d " +
               "WHERE ($1::text IS NULL OR $1 = 'dead' OR state = $1) AND ($2::text IS NULL OR queue = $2) " +
               "AND ($3::text IS NULL OR kind = $3)";
    }
    sql += " ORDER BY sort_at, id LIMIT $4";
    db::Result r = co_await pool.Query(sql, db::Params::Of(filter.state, filter.queue, filter.kind, filter.limit));
    co_return Rows(r);
}

asio::awaitable<std::optional<JobRow>> ShowJob(db::Pool& pool, std::int64_t id) {
    db::Result r = co_await pool.Query(std::string("SELECT ") + kQueuedColumns + " FROM jobs_queue WHERE id = $1 " +
                                           "UNION ALL SELECT " + kDeadColumns + " FROM jobs_dead WHERE id = $1",
                                       db::Params::Of(id));
    auto rows = Rows(r);
    if (rows.empty()) {
        co_return std::nullopt;
    }
    co_return rows.front();
}

asio::awaitable<AdminOutcome> RetryJob(db::Pool& pool, std::int64_t id) {
    db::Transaction tx = co_await pool.Begin();
    db::Result queued = co_await tx.Query(
        "WITH u AS (UPDATE jobs_queue SET run_at = now() WHERE id = $1 AND locked_until IS NULL RETURNING queue) "
        "SELECT pg_notify('strava1_jobs', queue) FROM u",
        db::Params::Of(id));
    if (!queued.Empty()) {
        co_await tx.Commit();
        co_return AdminOutcome::kDone;
    }
    db::Result running = co_await tx.Query("SELECT 1 FROM jobs_queue WHERE id = $1", db::Params::Of(id));
    if (!running.Empty()) {
        co_await tx.Rollback();
        co_return AdminOutcome::kRunning;
    }
    db::Result taken =
        co_await tx.Query("SELECT 1 FROM jobs_dead d JOIN jobs_queue q ON q.unique_key = d.unique_key WHERE d.id = $1",
                          db::Params::Of(id));
    if (!taken.Empty()) {
        co_await tx.Rollback();
        co_return AdminOutcome::kKeyTaken;
    }
    // The insert trigger wakes the workers.
    db::Result moved = co_await tx.Query(
        "WITH d AS (DELETE FROM jobs_dead WHERE id = $1 RETURNING *) "
        "INSERT INTO jobs_queue (id, queue, kind, payload, priority, run_at, attempt, max_attempts, unique_key, "
        "  last_error, created_at) "
        "SELECT id, queue, kind, payload, priority, now(), 0, max_attempts, unique_key, last_error, created_at FROM d "
        "RETURNING id",
        db::Params::Of(id));
    co_await tx.Commit();
    co_return moved.Empty() ? AdminOutcome::kNotFound : AdminOutcome::kDone;
}

asio::awaitable<AdminOutcome> DiscardJob(db::Pool& pool, std::int64_t id) {
    db::Result moved = co_await pool.Query(
        "WITH d AS (DELETE FROM jobs_queue WHERE id = $1 RETURNING *) "
        "INSERT INTO jobs_dead (id, queue, kind, payload, priority, attempts, max_attempts, unique_key, reason, "
        "  last_error, created_at) "
        "SELECT id, queue, kind, payload, priority, attempt, max_attempts, unique_key, 'discarded', "
        "  COALESCE(last_error || '; ', '') || 'discarded by an operator', created_at FROM d RETURNING id",
        db::Params::Of(id));
    if (!moved.Empty()) {
        co_return AdminOutcome::kDone;
    }
    db::Result deleted = co_await pool.Query("DELETE FROM jobs_dead WHERE id = $1", db::Params::Of(id));
    co_return deleted.Affected() > 0 ? AdminOutcome::kDone : AdminOutcome::kNotFound;
}

}  // namespace strava1::jobs
