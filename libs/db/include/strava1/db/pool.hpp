#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strava1/db/error.hpp"
#include "strava1/db/result.hpp"

namespace strava1::db {

class Connection;

struct PoolOptions {
    std::string conninfo;  ///< libpq conninfo string or postgresql:// URL
    std::size_t max_connections = 16;
    std::chrono::milliseconds acquire_timeout{5000};
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds statement_timeout{30000};  ///< server-side, per statement
    std::chrono::milliseconds idle_check_after{30000};   ///< idle longer than this → ping before reuse
    bool pipeline = true;             ///< QueryPipelined uses a pipelined connection per loop (else = Query)
    std::size_t max_pipelined = 128;  ///< statements in flight on it before callers use Query
};

struct PoolStats {
    std::size_t total = 0;
    std::size_t idle = 0;
    std::size_t waiting = 0;
    std::uint64_t acquired = 0;
    std::uint64_t acquire_timeouts = 0;
    std::uint64_t connects = 0;
    std::uint64_t connect_failures = 0;
    std::uint64_t queries = 0;
    std::uint64_t errors = 0;
    std::uint64_t borrowed = 0;   ///< connections lent to a caller on another shard's loop
    std::uint64_t pipelined = 0;  ///< statements that ran on a pipelined connection
};

class Pool;

/// A connection leased from the pool for a sequence of statements (session-level state such as
/// advisory locks survives between them). Copyable handle; the connection goes back to the pool
/// when the last copy is destroyed — discarded instead if it is broken or inside a transaction.
/// Not for concurrent use by two coroutines.
class Lease {
public:
    /// Runs one statement as a prepared statement (cached per connection by SQL text).
    boost::asio::awaitable<Result> Query(std::string sql, Params params = {});
    /// Runs a script of several statements with the simple protocol (migrations). No parameters.
    boost::asio::awaitable<void> ExecuteScript(std::string sql);

private:
    friend class Pool;
    friend class Transaction;
    struct State;
    explicit Lease(std::shared_ptr<State> state) : state_(std::move(state)) {}
    std::shared_ptr<State> state_;
};

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

/// A transaction on a leased connection. Copyable handle. If it is neither committed nor rolled back
/// (an exception unwound past it), the connection is discarded, which rolls it back server-side.
class Transaction {
public:
    boost::asio::awaitable<Result> Query(std::string sql, Params params = {});
    boost::asio::awaitable<void> Commit();
    boost::asio::awaitable<void> Rollback();

private:
    friend class Pool;
    explicit Transaction(Lease lease) : lease_(std::move(lease)) {}
    Lease lease_;
};

/// Asynchronous PostgreSQL connection pool on Asio. Every libpq call is non-blocking and waits on
/// the connection socket, so it is safe on I/O threads. Thread-safe. Must outlive every Lease.
class Pool {
public:
    Pool(boost::asio::any_io_executor executor, PoolOptions options);
    /// A pool serving several event loops (one executor each, e.g. one per I/O thread): callers get
    /// connections watched by their own loop when one is free. max_connections is the total.
    Pool(std::vector<boost::asio::any_io_executor> executors, PoolOptions options);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    /// One statement on any connection. A statement that fails because a pooled connection died
    /// (e.g. PostgreSQL restarted) is retried once on a fresh connection.
    boost::asio::awaitable<Result> Query(std::string sql, Params params = {});
    /// Like Query, for short statements (point lookups, small writes) on hot paths: sent on the
    /// caller's loop's pipelined connection without waiting for the statements ahead of it, which
    /// costs PostgreSQL far less per statement under load (ADR 0007). A slow statement here delays
    /// the others queued behind it, so anything that may take long goes through Query. Called from
    /// a thread the pool does not serve, it is Query.
    boost::asio::awaitable<Result> QueryPipelined(std::string sql, Params params = {});
    /// Leases a connection (waits up to acquire_timeout; then Error(kUnavailable)).
    boost::asio::awaitable<Lease> Acquire();
    boost::asio::awaitable<Transaction> Begin(Isolation isolation = Isolation::kReadCommitted);
    /// Round trip to the server (readiness probe).
    boost::asio::awaitable<void> Ping();
    /// The server restarted (e.g. the embedded cluster was brought back after a crash): connections
    /// opened before are closed instead of reused, idle ones on next use and leased ones when handed
    /// back. Also done by itself when a pooled connection turns out dead. Thread-safe.
    void Reconnect();
    /// Reconnect(), and new connections go to `conninfo` from now on (the embedded cluster came back
    /// with another socket directory). Thread-safe.
    void Reconnect(std::string conninfo);

    PoolStats Stats() const;
    /// The options given at construction (`conninfo` as given then, even after Reconnect(conninfo)).
    const PoolOptions& Options() const;
    /// Where new connections go now (the last Reconnect(conninfo), else Options().conninfo), for
    /// callers that keep a dedicated connection outside the pool (db::Listener). Thread-safe.
    std::string ConnInfo() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

/// Runs `body(tx)` in a transaction and commits, retrying the whole body on serialization failure
/// or deadlock (with jittered backoff) up to `max_attempts` times. `body` is a callable taking a
/// Transaction by value and returning awaitable<T>; it must be safe to run more than once.
template <class T, class Body>
boost::asio::awaitable<T> RunInTransaction(Pool& pool, Body body, Isolation isolation = Isolation::kReadCommitted,
                                           int max_attempts = 5);

namespace detail {
boost::asio::awaitable<void> BackoffBeforeRetry(int attempt);
}

template <class T, class Body>
boost::asio::awaitable<T> RunInTransaction(Pool& pool, Body body, Isolation isolation, int max_attempts) {
    for (int attempt = 1;; ++attempt) {
        bool retry = false;
        try {
            Transaction tx = co_await pool.Begin(isolation);
            if constexpr (std::is_void_v<T>) {
                co_await body(tx);
                co_await tx.Commit();
                co_return;
            } else {
                T value = co_await body(tx);
                co_await tx.Commit();
                co_return value;
            }
        } catch (const DbError& e) {
            if (!e.Retryable() || attempt >= max_attempts) {
                throw;
            }
            retry = true;
        }
        if (retry) {
            co_await detail::BackoffBeforeRetry(attempt);
        }
    }
}

}  // namespace strava1::db
