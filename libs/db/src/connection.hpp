#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "strava1/db/error.hpp"
#include "strava1/db/listener.hpp"
#include "strava1/db/result.hpp"

namespace strava1::db {

/// One libpq connection driven without blocking: every wait is an async_wait on PQsocket().
/// Not thread-safe: used by one coroutine at a time (the pool guarantees it).
class Connection {
public:
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Connects with PQconnectStart/PQconnectPoll. Throws DbError/Error(kUnavailable) on failure.
    static boost::asio::awaitable<std::unique_ptr<Connection>> Connect(boost::asio::any_io_executor executor,
                                                                       std::string conninfo,
                                                                       std::chrono::milliseconds timeout);

    /// Prepares `sql` on first use on this connection, then executes it with `params`.
    boost::asio::awaitable<Result> Execute(std::string sql, Params params);
    /// Simple-protocol script (several statements, no parameters).
    boost::asio::awaitable<void> ExecuteScript(std::string sql);
    /// Waits for the next notification of a channel this connection LISTENs on (db::Listener).
    /// Throws DbError when the connection is lost.
    boost::asio::awaitable<Notification> NextNotification();

    bool Broken() const;
    bool InTransaction() const;
    std::chrono::steady_clock::time_point LastUsed() const { return last_used_; }

private:
    friend class Pipeline;
    Connection(boost::asio::any_io_executor executor, PGconn* conn);
    void AttachSocket();
    void DetachSocket();
    boost::asio::awaitable<void> WaitReadable();
    boost::asio::awaitable<void> WaitWritable();
    boost::asio::awaitable<void> Flush();
    /// Reads every result of the command in flight; returns the last, throws the first error.
    boost::asio::awaitable<Result> ReadResults();

    boost::asio::any_io_executor executor_;
    PGconn* conn_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;
    int socket_fd_ = -1;
    std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
    std::chrono::steady_clock::time_point last_used_;
};

/// The error a failed result carries (SQLSTATE, message, constraint).
DbError ErrorFromResult(const PGresult* res);
/// The connection's own error message as a DbError with no SQLSTATE (a lost connection).
DbError ConnectionError(PGconn* conn, std::string_view what);

}  // namespace strava1::db
