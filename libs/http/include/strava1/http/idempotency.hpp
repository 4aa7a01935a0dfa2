#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>

#include "strava1/http/message.hpp"

namespace strava1::db {
class Pool;
}

namespace strava1::http {

inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;

/// What an Idempotency-Key is bound to: hex SHA-256 over the method, the decoded path, the query
/// parameters (decoded, ordered by name; repeated names keep their order) and the body. Bodies
/// compare by meaning, so a client's re-serialisation of the same request is the same request:
/// JSON by parsed value (key order, spacing, escapes and 600 vs 600.0 do not matter), multipart
/// by its parts (a retry with another boundary is the same), anything else byte for byte with
/// its media type. Pure; linear in the request size.
std::string RequestFingerprint(const Request& request);

/// Whether the answer a keyed request got is kept for replay. Not kept: 400 and 413 (refused
/// before the handler did anything, so a corrected retry with the same key must run: Stripe's
/// rule), 429 and every 5xx (a retry may succeed).
bool KeepsOutcome(int status);

/// Outcome of claiming an Idempotency-Key.
struct IdempotencyClaim {
    enum class Kind {
        kProceed,   ///< first use: run the handler, then Complete or Abandon
        kReplay,    ///< done before with the same request: answer `replay`
        kMismatch,  ///< same key, different request → 422
        kInFlight,  ///< same key, first request still running → 409
    };
    Kind kind = Kind::kProceed;
    Response replay;
    /// kInFlight: seconds until the first attempt's lease ends (≥ 1), when a retry can take the key
    /// over if that attempt's process died.
    int retry_after_s = 1;
};

/// Idempotency-Key records in PostgreSQL (table idempotency_keys), kept at least 24 h.
/// Scope is "user:<id>" or "anon:<ip>" so keys of different callers never collide.
class IdempotencyStore {
public:
    explicit IdempotencyStore(db::Pool& pool) : pool_(pool) {}

    boost::asio::awaitable<IdempotencyClaim> Claim(std::string scope, std::string key, std::string method,
                                                   std::string path, std::string request_hash);
    /// Stores the response for replay (2xx–4xx responses; a 5xx abandons instead so a retry can run).
    boost::asio::awaitable<void> Complete(std::string scope, std::string key, Response response);
    boost::asio::awaitable<void> Abandon(std::string scope, std::string key);
    /// Deletes records older than `hours` (≥ 24). Returns rows removed.
    boost::asio::awaitable<std::int64_t> Expire(int hours = 24);

private:
    db::Pool& pool_;
};

}  // namespace strava1::http
