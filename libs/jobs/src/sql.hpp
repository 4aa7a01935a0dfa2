#pragma once

// Every statement of libs/jobs on its tables (migrations/0007_jobs.sql), named, in one place.
// Arrays travel as text literals ({1,2,3}); times as seconds since the epoch (float8).

#include <cstdint>
#include <string>
#include <vector>

namespace strava1::jobs::sql {

inline constexpr const char* kEnqueue =
    "INSERT INTO jobs_queue (queue, kind, payload, priority, run_at, max_attempts, unique_key) "
    "VALUES ($1, $2, $3::jsonb, $4, COALESCE(to_timestamp($5::float8), now()), $6, $7) "
    "ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING RETURNING id";
inline constexpr const char* kFindByUniqueKey = "SELECT id FROM jobs_queue WHERE unique_key = $1";
// Waiting only (no lease): a running job is not taken from under its worker.
inline constexpr const char* kCancelByKey =
    "DELETE FROM jobs_queue WHERE unique_key = $1 AND kind = $2 AND locked_until IS NULL RETURNING id";
inline constexpr const char* kEnqueueMany =
    "INSERT INTO jobs_queue (queue, kind, payload, priority, run_at, max_attempts) "
    "SELECT q, k, p::jsonb, pr, COALESCE(to_timestamp(ra), now()), ma "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::int[]) AS t(q, k, p, pr, ra, ma) "
    "RETURNING id";
// One job per subscriber, all carrying the same event id; no row at all without subscribers.
inline constexpr const char* kPublish =
    "WITH e AS (SELECT nextval('jobs_event_ids') AS id, now() AS at), "
    "ins AS (INSERT INTO jobs_queue (queue, kind, payload, priority, max_attempts) "
    "  SELECT s.q, s.k, jsonb_build_object('event_id', e.id, 'type', $1::text, 'payload', $2::jsonb, "
    "    'published_at', extract(epoch FROM e.at)), s.pr, s.ma "
    "  FROM e, unnest($3::text[], $4::text[], $5::int[], $6::int[]) AS s(q, k, pr, ma) RETURNING 1) "
    "SELECT id, (SELECT count(*) FROM ins) AS jobs FROM e";

// Oldest first within a priority; SKIP LOCKED lets any number of workers claim side by side.
// `attempt` counts claims and fences the lease: a later write of this run names the attempt.
inline constexpr const char* kClaim =
    "WITH next AS (SELECT id FROM jobs_queue "
    "  WHERE locked_until IS NULL AND run_at <= now() AND queue = ANY($1::text[]) AND kind = ANY($2::text[]) "
    "  ORDER BY priority, run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) "
    "UPDATE jobs_queue j SET locked_by = $4, locked_until = now() + $5 * interval '1 millisecond', "
    "  attempt = j.attempt + 1 "
    "FROM next WHERE j.id = next.id "
    "RETURNING j.id, j.queue, j.kind, j.payload::text AS payload, j.attempt, j.max_attempts, "
    "  extract(epoch FROM j.created_at) AS created_at";

inline constexpr const char* kComplete =
    "DELETE FROM jobs_queue j USING unnest($1::bigint[], $2::int[]) AS d(id, attempt) "
    "WHERE j.id = d.id AND j.attempt = d.attempt AND j.locked_by = $3";
inline constexpr const char* kRetryLater =
    "UPDATE jobs_queue SET locked_by = NULL, locked_until = NULL, last_error = $4, "
    "  run_at = now() + $5 * interval '1 millisecond' "
    "WHERE id = $1 AND attempt = $2 AND locked_by = $3";
// To the dead letters, from a run that still holds its lease.
inline constexpr const char* kBury =
    "WITH d AS (DELETE FROM jobs_queue WHERE id = $1 AND attempt = $2 AND locked_by = $3 RETURNING *) "
    "INSERT INTO jobs_dead (id, queue, kind, payload, priority, attempts, max_attempts, unique_key, reason, "
    "  last_error, created_at) "
    "SELECT id, queue, kind, payload, priority, attempt, max_attempts, unique_key, $4, $5, created_at FROM d";
// Interrupted by our own shutdown: not the job's fault, so the attempt is not counted.
inline constexpr const char* kHandBack =
    "WITH r AS (UPDATE jobs_queue SET locked_by = NULL, locked_until = NULL, attempt = attempt - 1, run_at = now() "
    "  WHERE id = $1 AND attempt = $2 AND locked_by = $3 RETURNING queue) "
    "SELECT pg_notify('strava1_jobs', queue) FROM r";
inline constexpr const char* kHeartbeat =
    "UPDATE jobs_queue j SET locked_until = now() + $3 * interval '1 millisecond' "
    "FROM unnest($1::bigint[], $2::int[]) AS l(id, attempt) "
    "WHERE j.id = l.id AND j.attempt = l.attempt AND j.locked_by = $4 RETURNING j.id";

inline constexpr const char* kExpiredLeases =
    "SELECT id, kind, attempt, max_attempts, locked_by FROM jobs_queue "
    "WHERE locked_until < now() ORDER BY locked_until LIMIT $1 FOR UPDATE SKIP LOCKED";
inline constexpr const char* kRescue =
    "UPDATE jobs_queue j SET locked_by = NULL, locked_until = NULL, "
    "  run_at = now() + r.delay_ms * interval '1 millisecond', "
    "  last_error = 'the lease of ' || j.locked_by || ' expired during attempt ' || j.attempt "
    "FROM unnest($1::bigint[], $2::float8[]) AS r(id, delay_ms) WHERE j.id = r.id";
inline constexpr const char* kBuryExpired =
    "WITH d AS (DELETE FROM jobs_queue WHERE id = ANY($1::bigint[]) RETURNING *) "
    "INSERT INTO jobs_dead (id, queue, kind, payload, priority, attempts, max_attempts, unique_key, reason, "
    "  last_error, created_at) "
    "SELECT id, queue, kind, payload, priority, attempt, max_attempts, unique_key, 'failed', "
    "  'the lease of ' || locked_by || ' expired during attempt ' || attempt || ', the last', created_at FROM d";
inline constexpr const char* kPruneDead = "DELETE FROM jobs_dead WHERE died_at < now() - $1 * interval '1 hour'";

inline constexpr const char* kUpsertSchedule =
    "INSERT INTO jobs_schedules (name, cron, time_zone, kind, queue, payload, priority, next_run_at) "
    "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, to_timestamp($8::float8)) "
    "ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, queue = EXCLUDED.queue, payload = EXCLUDED.payload, "
    "  priority = EXCLUDED.priority, cron = EXCLUDED.cron, time_zone = EXCLUDED.time_zone, "
    "  next_run_at = CASE WHEN jobs_schedules.cron = EXCLUDED.cron AND jobs_schedules.time_zone = EXCLUDED.time_zone "
    "    THEN jobs_schedules.next_run_at ELSE EXCLUDED.next_run_at END";
inline constexpr const char* kDeleteSchedule = "DELETE FROM jobs_schedules WHERE name = $1";
inline constexpr const char* kDueSchedules =
    "SELECT name, cron, time_zone, kind, queue, payload::text AS payload, priority, "
    "  extract(epoch FROM next_run_at) AS next_run_at FROM jobs_schedules "
    "WHERE next_run_at <= now() ORDER BY next_run_at LIMIT 100 FOR UPDATE SKIP LOCKED";
inline constexpr const char* kAdvanceSchedule =
    "UPDATE jobs_schedules SET next_run_at = to_timestamp($2::float8), last_run_at = to_timestamp($3::float8) "
    "WHERE name = $1";
inline constexpr const char* kNow = "SELECT extract(epoch FROM now()) AS now";

/// `{1,2,3}`: an array literal of numbers.
template <class T>
std::string NumberArray(const std::vector<T>& values) {
    std::string out = "{";
    for (std::size_t idx = 0; idx < values.size(); ++idx) {
        out += (idx == 0 ? "" : ",") + std::to_string(values[idx]);
    }
    return out + "}";
}

/// `{"a","b"}`: an array literal of texts, quoted and escaped.
std::string TextArray(const std::vector<std::string>& values);

}  // namespace strava1::jobs::sql
