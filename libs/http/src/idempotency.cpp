#include "strava1/http/idempotency.hpp"

#include "strava1/db/pool.hpp"

namespace strava1::http {
namespace asio = boost::asio;
using db::Params;

namespace {

// How long an in-flight claim blocks retries before it is presumed dead (its process crashed).
constexpr int kInFlightLeaseSeconds = 60;

}  // namespace

asio::awaitable<IdempotencyClaim> IdempotencyStore::Claim(std::string scope, std::string key, std::string method,
                                                          std::string path, std::string request_hash) {
    for (int attempt = 0; attempt < 3; ++attempt) {
        db::Result inserted = co_await pool_.Query(
            "INSERT INTO idempotency_keys (scope, key, method, path, request_hash, state, locked_until) "
            "VALUES ($1, $2, $3, $4, $5, 'in_flight', now() + make_interval(secs => $6)) "
            "ON CONFLICT (scope, key) DO NOTHING RETURNING 1",
            Params::Of(scope, key, method, path, request_hash, kInFlightLeaseSeconds));
        if (inserted.Rows() == 1) {
            co_return IdempotencyClaim{};
        }
        db::Result row = co_await pool_.Query(
            "SELECT method, path, request_hash, state, response_status, response_type, response_body, "
            "locked_until < now() AS lease_expired, created_at < now() - interval '24 hours' AS expired "
            "FROM idempotency_keys WHERE scope = $1 AND key = $2",
            Params::Of(scope, key));
        if (row.Rows() == 0) {
            continue;  // expired and deleted concurrently: claim again
        }
        if (row.Bool(0, 8)) {
            co_await pool_.Query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND "
                                 "created_at < now() - interval '24 hours'",
                                 Params::Of(scope, key));
            continue;
        }
        if (row.Text(0, 0) != method || row.Text(0, 1) != path || row.Text(0, 2) != request_hash) {
            co_return IdempotencyClaim{IdempotencyClaim::Kind::kMismatch, {}};
        }
        if (row.Text(0, 3) == "in_flight") {
            if (row.Bool(0, 7)) {
                // The first attempt's process died mid-request; let this one take over the key.
                db::Result taken = co_await pool_.Query(
                    "UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => $3) "
                    "WHERE scope = $1 AND key = $2 AND state = 'in_flight' AND locked_until < now() RETURNING 1",
                    Params::Of(scope, key, kInFlightLeaseSeconds));
                if (taken.Rows() == 1) {
                    co_return IdempotencyClaim{};
                }
            }
            co_return IdempotencyClaim{IdempotencyClaim::Kind::kInFlight, {}};
        }
        IdempotencyClaim replay{IdempotencyClaim::Kind::kReplay, {}};
        replay.replay.status = static_cast<int>(row.Int(0, 4));
        replay.replay.content_type = row.OptString(0, 5).value_or("");
        replay.replay.body = row.OptString(0, 6).value_or("");
        replay.replay.SetHeader("Idempotent-Replayed", "true");
        co_return replay;
    }
    throw Error(ErrorKind::kConflict, "the idempotency key is being recycled; retry");
}

asio::awaitable<void> IdempotencyStore::Complete(std::string scope, std::string key, Response response) {
    co_await pool_.Query(
        "UPDATE idempotency_keys SET state = 'done', response_status = $3, response_type = $4, response_body = $5 "
        "WHERE scope = $1 AND key = $2",
        Params::Of(scope, key, response.status, response.content_type, response.body));
}

asio::awaitable<void> IdempotencyStore::Abandon(std::string scope, std::string key) {
    co_await pool_.Query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'in_flight'",
                         Params::Of(scope, key));
}

asio::awaitable<std::int64_t> IdempotencyStore::Expire(int hours) {
    db::Result r = co_await pool_.Query(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
        Params::Of(std::max(hours, 24)));
    co_return r.Affected();
}

}  // namespace strava1::http
