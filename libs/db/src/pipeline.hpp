#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "connection.hpp"

namespace strava1::db {

/// One connection in libpq pipeline mode shared by many callers of one event loop: each statement
/// is sent at once with its own Sync, without waiting for the answers to earlier ones, and one
/// reader hands the results back in order. PostgreSQL then reads many statements per wake-up, which
/// costs far less per statement than a round trip each (see ADR 0007).
///
/// Each statement ends with its own Sync, so an error affects only its own statement. A slow
/// statement delays every one queued behind it: for short statements only.
/// Not thread-safe: every call comes from the loop that watches the connection's socket.
class Pipeline : public std::enable_shared_from_this<Pipeline> {
public:
    /// Puts `conn` (idle, not in a transaction) into pipeline mode. Throws DbError on failure.
    explicit Pipeline(std::unique_ptr<Connection> conn);
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    /// Sends one statement (prepared on first use) and waits for its result. Throws DbError.
    boost::asio::awaitable<Result> Execute(std::string sql, Params params);

    /// Lost its connection: every statement in flight failed; make a new one.
    bool Broken() const noexcept { return broken_; }
    std::size_t InFlight() const noexcept { return queue_.size(); }

private:
    struct Pending {
        explicit Pending(const boost::asio::any_io_executor& executor) : wake(executor) {}
        boost::asio::steady_timer wake;
        std::optional<Result> result;
        std::optional<DbError> error;
        std::string name;          // the prepared statement it runs
        std::string prepared_sql;  // set when this statement also prepared it (forgotten on error)
        bool done = false;
    };

    boost::asio::awaitable<void> ReadLoop(std::shared_ptr<Pipeline> self);
    void Complete(Pending& pending);
    void FailAll(const DbError& error);

    std::unique_ptr<Connection> conn_;
    std::deque<std::shared_ptr<Pending>> queue_;
    std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
    // PREPAREs that failed, by name: statements queued behind one used its name before the failure
    // was known, and get its error rather than "prepared statement does not exist".
    std::unordered_map<std::string, DbError> failed_prepares_;
    std::uint64_t next_name_ = 0;
    bool reading_ = false;
    bool broken_ = false;
};

}  // namespace strava1::db
