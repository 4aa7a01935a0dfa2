#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>

#include "strava1/http/message.hpp"

namespace strava1::db {
class Pool;
}

namespace strava1::http {

inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;

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
