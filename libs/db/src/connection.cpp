#include "connection.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <poll.h>

#include "strava1/db/error.hpp"

namespace strava1::db {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

[[noreturn]] void ThrowConnectionError(PGconn* conn, std::string_view what) { throw ConnectionError(conn, what); }

}  // namespace

DbError ConnectionError(PGconn* conn, std::string_view what) {
    std::string message = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    // No SQLSTATE: DbError treats that as a lost connection (kUnavailable).
    return DbError("", std::string(what) + ": " + message);
}

DbError ErrorFromResult(const PGresult* res) {
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char* constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    std::string message = PQresultErrorMessage(res);
    while (!message.empty() && message.back() == '\n') {
        message.pop_back();
    }
    return DbError(state ? state : "", message, constraint ? constraint : "");
}

Connection::Connection(asio::any_io_executor executor, PGconn* conn)
    : executor_(std::move(executor)), conn_(conn), last_used_(std::chrono::steady_clock::now()) {}

Connection::~Connection() {
    DetachSocket();
    PQfinish(conn_);
}

void Connection::AttachSocket() {
    int fd = PQsocket(conn_);
    if (fd == socket_fd_ && socket_) {
        return;
    }
    DetachSocket();
    if (fd < 0) {
        ThrowConnectionError(conn_, "no socket");
    }
    socket_ = std::make_unique<asio::posix::stream_descriptor>(executor_, fd);
    socket_fd_ = fd;
}

void Connection::DetachSocket() {
    if (socket_) {
        // libpq owns the fd: give it back before the descriptor object would close it.
        boost::system::error_code ignored;
        socket_->cancel(ignored);
        socket_->release();
        socket_.reset();
    }
    socket_fd_ = -1;
}

asio::awaitable<void> Connection::WaitReadable() {
    AttachSocket();
    co_await socket_->async_wait(asio::posix::stream_descriptor::wait_read, asio::use_awaitable);
}

asio::awaitable<void> Connection::WaitWritable() {
    AttachSocket();
    co_await socket_->async_wait(asio::posix::stream_descriptor::wait_write, asio::use_awaitable);
}

asio::awaitable<std::unique_ptr<Connection>> Connection::Connect(asio::any_io_executor executor, std::string conninfo,
                                                                 std::chrono::milliseconds timeout) {
    PGconn* raw = PQconnectStart(conninfo.c_str());
    if (raw == nullptr) {
        ThrowConnectionError(nullptr, "connect");
    }
    std::unique_ptr<Connection> conn(new Connection(executor, raw));
    if (PQstatus(raw) == CONNECTION_BAD) {
        ThrowConnectionError(raw, "connect");
    }
    asio::steady_timer deadline(executor);
    deadline.expires_after(timeout);
    PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
    while (poll != PGRES_POLLING_OK) {
        if (poll == PGRES_POLLING_FAILED) {
            ThrowConnectionError(raw, "connect");
        }
        // The socket may change between polls (e.g. trying the next host), so re-attach each time.
        conn->DetachSocket();
        conn->AttachSocket();
        auto wait = poll == PGRES_POLLING_READING
                        ? conn->socket_->async_wait(asio::posix::stream_descriptor::wait_read, asio::use_awaitable)
                        : conn->socket_->async_wait(asio::posix::stream_descriptor::wait_write, asio::use_awaitable);
        auto outcome = co_await (std::move(wait) || deadline.async_wait(asio::use_awaitable));
        if (outcome.index() == 1) {
            throw DbError("", "connect: timed out after " + std::to_string(timeout.count()) + " ms");
        }
        poll = PQconnectPoll(raw);
    }
    // Server notices ("relation already exists, skipping") are not errors; keep them off stderr.
    PQsetNoticeProcessor(
        raw, [](void*, const char*) {}, nullptr);
    if (PQsetnonblocking(raw, 1) != 0) {
        ThrowConnectionError(raw, "set non-blocking");
    }
    conn->DetachSocket();
    conn->AttachSocket();
    co_return conn;
}

asio::awaitable<void> Connection::Flush() {
    for (;;) {
        int rc = PQflush(conn_);
        if (rc == 0) {
            co_return;
        }
        if (rc < 0) {
            ThrowConnectionError(conn_, "send");
        }
        // Output is pending; the server may be waiting for us to read first, so wake on either.
        AttachSocket();
        co_await (socket_->async_wait(asio::posix::stream_descriptor::wait_write, asio::use_awaitable) ||
                  socket_->async_wait(asio::posix::stream_descriptor::wait_read, asio::use_awaitable));
        if (PQconsumeInput(conn_) == 0) {
            ThrowConnectionError(conn_, "receive");
        }
    }
}

asio::awaitable<Result> Connection::ReadResults() {
    Result last;
    std::optional<DbError> first_error;
    for (;;) {
        while (PQisBusy(conn_) != 0) {
            co_await WaitReadable();
            if (PQconsumeInput(conn_) == 0) {
                ThrowConnectionError(conn_, "receive");
            }
        }
        PGresult* res = PQgetResult(conn_);
        if (res == nullptr) {
            break;
        }
        Result wrapped(res);
        ExecStatusType status = PQresultStatus(res);
        if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR) {
            if (!first_error) {
                first_error.emplace(ErrorFromResult(res));
            }
            continue;
        }
        last = std::move(wrapped);
    }
    last_used_ = std::chrono::steady_clock::now();
    if (first_error) {
        throw *first_error;
    }
    co_return last;
}

asio::awaitable<Result> Connection::Execute(std::string sql, Params params) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
        std::string name = "s" + std::to_string(prepared_.size());
        if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(params.Size()), nullptr) == 0) {
            ThrowConnectionError(conn_, "prepare");
        }
        co_await Flush();
        co_await ReadResults();
        it = prepared_.emplace(sql, std::move(name)).first;
    }
    std::vector<const char*> values;
    values.reserve(params.Size());
    for (const auto& value : params.Values()) {
        values.push_back(value ? value->c_str() : nullptr);
    }
    if (PQsendQueryPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr,
                            0) == 0) {
        ThrowConnectionError(conn_, "send");
    }
    co_await Flush();
    co_return co_await ReadResults();
}

asio::awaitable<void> Connection::ExecuteScript(std::string sql) {
    if (PQsendQuery(conn_, sql.c_str()) == 0) {
        ThrowConnectionError(conn_, "send");
    }
    co_await Flush();
    co_await ReadResults();
}

asio::awaitable<Notification> Connection::NextNotification() {
    for (;;) {
        if (PGnotify* raw = PQnotifies(conn_); raw != nullptr) {
            Notification notification{raw->relname, raw->extra != nullptr ? raw->extra : ""};
            PQfreemem(raw);
            last_used_ = std::chrono::steady_clock::now();
            co_return notification;
        }
        // Asio waits on edge-triggered epoll: bytes left unread since the last wake-up (one read may
        // take a message but not the end of stream behind it) would never wake us again. Only wait
        // once the socket has nothing more to give.
        pollfd ready{PQsocket(conn_), POLLIN, 0};
        if (ready.fd < 0) {
            ThrowConnectionError(conn_, "no socket");
        }
        if (::poll(&ready, 1, 0) == 0) {
            co_await WaitReadable();
        }
        if (PQconsumeInput(conn_) == 0) {
            ThrowConnectionError(conn_, "receive");
        }
    }
}

bool Connection::Broken() const { return PQstatus(conn_) != CONNECTION_OK; }

bool Connection::InTransaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

}  // namespace strava1::db
