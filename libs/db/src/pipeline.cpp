#include "pipeline.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace strava1::db {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

Pipeline::Pipeline(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {
    if (PQenterPipelineMode(conn_->conn_) != 1) {
        throw ConnectionError(conn_->conn_, "enter pipeline mode");
    }
}

Pipeline::~Pipeline() { FailAll(DbError("", "the pipeline was closed")); }

void Pipeline::Complete(Pending& pending) {
    pending.done = true;
    if (pending.error && !pending.prepared_sql.empty()) {
        // The PREPARE may be what failed; the next use prepares again under a new name.
        prepared_.erase(pending.prepared_sql);
        if (failed_prepares_.size() > 1000) {
            failed_prepares_.clear();
        }
        failed_prepares_.insert_or_assign(pending.name, *pending.error);
    } else if (pending.error && pending.error->Sqlstate() == "26000") {
        if (auto it = failed_prepares_.find(pending.name); it != failed_prepares_.end()) {
            pending.error = it->second;
        }
    }
    pending.wake.cancel();
}

void Pipeline::FailAll(const DbError& error) {
    broken_ = broken_ || !queue_.empty() || error.ConnectionLost();
    while (!queue_.empty()) {
        auto pending = std::move(queue_.front());
        queue_.pop_front();
        if (!pending->error) {
            pending->error = error;
        }
        Complete(*pending);
    }
}

asio::awaitable<Result> Pipeline::Execute(std::string sql, Params params) {
    if (broken_) {
        throw DbError("", "the pipeline's connection was lost");
    }
    PGconn* raw = conn_->conn_;
    auto pending = std::make_shared<Pending>(co_await asio::this_coro::executor);
    pending->wake.expires_at(asio::steady_timer::time_point::max());
    std::string name;
    if (auto it = prepared_.find(sql); it != prepared_.end()) {
        name = it->second;
    } else {
        name = "p" + std::to_string(next_name_++);
        if (PQsendPrepare(raw, name.c_str(), sql.c_str(), static_cast<int>(params.Size()), nullptr) == 0) {
            auto error = ConnectionError(raw, "prepare");
            FailAll(error);
            broken_ = true;
            throw error;
        }
        prepared_.emplace(sql, name);
        pending->prepared_sql = sql;
    }
    pending->name = name;
    std::vector<const char*> values;
    values.reserve(params.Size());
    for (const auto& value : params.Values()) {
        values.push_back(value ? value->c_str() : nullptr);
    }
    if (PQsendQueryPrepared(raw, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0) ==
            0 ||
        PQpipelineSync(raw) == 0) {
        // Half a statement may be queued in libpq's buffer: the connection cannot be trusted.
        auto error = ConnectionError(raw, "send");
        queue_.push_back(pending);
        FailAll(error);
        broken_ = true;
        throw error;
    }
    queue_.push_back(pending);
    if (!reading_) {
        reading_ = true;
        asio::co_spawn(pending->wake.get_executor(), ReadLoop(shared_from_this()), asio::detached);
    }
    while (!pending->done) {
        co_await pending->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (pending->error) {
        throw *pending->error;
    }
    co_return std::move(*pending->result);
}

// `self` keeps the pipeline alive while the loop runs (it lives in the coroutine frame).
asio::awaitable<void> Pipeline::ReadLoop([[maybe_unused]] std::shared_ptr<Pipeline> self) {
    PGconn* raw = conn_->conn_;
    try {
        while (!queue_.empty()) {
            int flushed = PQflush(raw);
            if (flushed < 0) {
                throw ConnectionError(raw, "send");
            }
            if (PQisBusy(raw) != 0) {
                conn_->AttachSocket();
                auto& socket = *conn_->socket_;
                if (flushed == 1) {
                    // Output still queued; the server may be waiting for us to read first.
                    co_await (socket.async_wait(asio::posix::stream_descriptor::wait_write, asio::use_awaitable) ||
                              socket.async_wait(asio::posix::stream_descriptor::wait_read, asio::use_awaitable));
                } else {
                    co_await socket.async_wait(asio::posix::stream_descriptor::wait_read, asio::use_awaitable);
                }
                if (PQconsumeInput(raw) == 0) {
                    throw ConnectionError(raw, "receive");
                }
                continue;
            }
            PGresult* res = PQgetResult(raw);
            if (res == nullptr) {
                continue;  // the end of one command's results
            }
            Result wrapped(res);
            Pending& front = *queue_.front();
            switch (PQresultStatus(res)) {
                case PGRES_PIPELINE_SYNC: {
                    auto done = std::move(queue_.front());
                    queue_.pop_front();
                    if (!done->error && !done->result) {
                        done->error = DbError("", "no result for the statement");
                    }
                    Complete(*done);
                    break;
                }
                case PGRES_PIPELINE_ABORTED:
                    break;  // an earlier command of the same statement failed; its error is kept
                case PGRES_FATAL_ERROR:
                case PGRES_BAD_RESPONSE:
                case PGRES_NONFATAL_ERROR:
                    if (!front.error) {
                        front.error = ErrorFromResult(res);
                    }
                    break;
                default:
                    front.result = std::move(wrapped);  // the PREPARE's answer, then the statement's
                    break;
            }
        }
    } catch (const DbError& e) {
        FailAll(e);
        broken_ = true;
    } catch (const boost::system::system_error& e) {
        FailAll(DbError("", std::string("wait: ") + e.what()));
        broken_ = true;
    }
    reading_ = false;
}

}  // namespace strava1::db
