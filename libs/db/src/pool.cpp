#include "strava1/db/pool.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <random>

#include "connection.hpp"
#include "pipeline.hpp"
#include "strava1/base/log.hpp"

namespace strava1::db {
namespace asio = boost::asio;

namespace {
// What a 503 for an unreachable database tells clients: PostgreSQL restarting takes a few seconds.
constexpr int kUnavailableRetryAfterS = 2;
}  // namespace

struct Pool::Impl : std::enable_shared_from_this<Pool::Impl> {
    // An idle connection and the generation it was opened in.
    struct Idle {
        std::unique_ptr<Connection> conn;
        std::uint64_t generation = 0;
    };
    // One shard per event loop the pool serves. A connection belongs to the shard whose loop watches
    // its socket; a caller gets a connection of its own loop when one is free, so a query's wake-ups
    // stay on the caller's thread. Others are borrowed only when its own shard has none.
    struct Shard {
        asio::any_io_executor executor;
        const asio::execution_context* context = nullptr;
        std::deque<Idle> idle;
        // The loop's pipelined connection (ADR 0007); touched only on that loop's thread.
        std::shared_ptr<Pipeline> pipeline;
        std::uint64_t pipeline_generation = 0;
        bool pipeline_connecting = false;
    };

    std::vector<Shard> shards;
    PoolOptions options;
    mutable std::mutex mutex;
    std::string conninfo;  // where new connections go; guarded by `mutex`
    std::deque<std::shared_ptr<asio::steady_timer>> waiters;
    std::size_t total = 0;
    PoolStats counters;
    // Bumped when the server is known to have restarted (or a pooled connection was found dead):
    // connections opened before are closed instead of being reused, so a request after a restart
    // does not try one dead connection after another.
    std::atomic<std::uint64_t> generation{0};

    bool Stale(std::uint64_t conn_generation) const { return conn_generation != generation.load(); }

    std::string ConnInfo() const {
        std::lock_guard lock(mutex);
        return conninfo;
    }

    std::optional<std::size_t> ExactShardOf(const asio::any_io_executor& executor) const {
        const asio::execution_context* context = &asio::query(executor, asio::execution::context);
        for (std::size_t idx = 0; idx < shards.size(); ++idx) {
            if (shards[idx].context == context) {
                return idx;
            }
        }
        return std::nullopt;
    }

    std::size_t ShardOf(const asio::any_io_executor& executor) const {
        // A caller on a loop the pool does not know (a CPU pool, a test): the first shard.
        return ExactShardOf(executor).value_or(0);
    }

    std::size_t IdleCount() const {
        std::size_t n = 0;
        for (const auto& shard : shards) {
            n += shard.idle.size();
        }
        return n;
    }

    void Release(std::unique_ptr<Connection> conn, std::size_t shard, std::uint64_t conn_generation) {
        std::shared_ptr<asio::steady_timer> wake;
        {
            std::lock_guard lock(mutex);
            if (conn->Broken() || conn->InTransaction() || Stale(conn_generation)) {
                // A broken connection, or one abandoned mid-transaction: closing it makes the
                // server roll back, and the next Acquire connects afresh.
                --total;
                conn.reset();
            } else {
                shards[shard].idle.push_back(Idle{std::move(conn), conn_generation});
            }
            if (!waiters.empty()) {
                wake = std::move(waiters.front());
                waiters.pop_front();
            }
        }
        if (wake) {
            asio::post(wake->get_executor(), [wake] { wake->cancel(); });
        }
    }
};

struct Lease::State {
    std::shared_ptr<Pool::Impl> pool;
    std::unique_ptr<Connection> conn;
    std::size_t shard = 0;
    std::uint64_t generation = 0;
    bool fresh = false;  // connected for this lease (a failure on it is not a stale-connection symptom)
    State(std::shared_ptr<Pool::Impl> p, std::unique_ptr<Connection> c, std::size_t s, std::uint64_t g, bool f)
        : pool(std::move(p)), conn(std::move(c)), shard(s), generation(g), fresh(f) {}
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() {
        if (!conn) {
            return;
        }
        try {
            pool->Release(std::move(conn), shard, generation);
        } catch (const std::exception& e) {
            // Only a failing mutex or allocation gets here; the connection is closed either way.
            log::Error("database connection could not be handed back", {{"error", e.what()}});
        }
    }
};

namespace {

asio::awaitable<void> ApplySessionSettings(Connection& conn, const PoolOptions& options) {
    co_await conn.ExecuteScript("SET statement_timeout = " + std::to_string(options.statement_timeout.count()) +
                                "; SET TIME ZONE 'UTC'");
}

}  // namespace

Pool::Pool(asio::any_io_executor executor, PoolOptions options)
    : Pool(std::vector<asio::any_io_executor>{std::move(executor)}, std::move(options)) {}

Pool::Pool(std::vector<asio::any_io_executor> executors, PoolOptions options) : impl_(std::make_shared<Impl>()) {
    // Sized once: a shard's deque of move-only connections is never copied or moved.
    impl_->shards = std::vector<Impl::Shard>(executors.size());
    for (std::size_t idx = 0; idx < executors.size(); ++idx) {
        impl_->shards[idx].context = &asio::query(executors[idx], asio::execution::context);
        impl_->shards[idx].executor = std::move(executors[idx]);
    }
    impl_->options = std::move(options);
    impl_->conninfo = impl_->options.conninfo;
}

Pool::~Pool() = default;

const PoolOptions& Pool::Options() const { return impl_->options; }

std::string Pool::ConnInfo() const { return impl_->ConnInfo(); }

PoolStats Pool::Stats() const {
    std::lock_guard lock(impl_->mutex);
    PoolStats s = impl_->counters;
    s.total = impl_->total;
    s.idle = impl_->IdleCount();
    s.waiting = impl_->waiters.size();
    return s;
}

asio::awaitable<Lease> Pool::Acquire() {
    auto impl = impl_;
    auto caller = co_await asio::this_coro::executor;
    const std::size_t home = impl->ShardOf(caller);
    auto deadline = std::chrono::steady_clock::now() + impl->options.acquire_timeout;
    for (;;) {
        std::unique_ptr<Connection> conn;
        std::uint64_t conn_generation = 0;
        std::size_t shard = home;
        bool may_connect = false;
        std::shared_ptr<asio::steady_timer> waiter;
        {
            std::lock_guard lock(impl->mutex);
            auto& own = impl->shards[home].idle;
            if (!own.empty()) {
                conn = std::move(own.back().conn);
                conn_generation = own.back().generation;
                own.pop_back();
            } else if (impl->total < impl->options.max_connections) {
                ++impl->total;
                may_connect = true;
            } else {
                for (std::size_t idx = 0; idx < impl->shards.size() && !conn; ++idx) {
                    auto& other = impl->shards[idx].idle;
                    if (!other.empty()) {
                        conn = std::move(other.back().conn);
                        conn_generation = other.back().generation;
                        other.pop_back();
                        shard = idx;
                        ++impl->counters.borrowed;
                    }
                }
                if (!conn) {
                    waiter = std::make_shared<asio::steady_timer>(caller);
                    waiter->expires_at(deadline);
                    impl->waiters.push_back(waiter);
                }
            }
        }
        if (conn) {
            if (impl->Stale(conn_generation)) {
                impl->Release(std::move(conn), shard, conn_generation);  // closes it; go round
                continue;
            }
            if (std::chrono::steady_clock::now() - conn->LastUsed() > impl->options.idle_check_after) {
                try {
                    co_await conn->ExecuteScript("");
                } catch (const DbError&) {
                    // Stale (e.g. the server restarted while it sat idle): drop it and go round.
                    impl->Release(std::move(conn), shard, conn_generation);
                    continue;
                }
            }
            {
                std::lock_guard lock(impl->mutex);
                ++impl->counters.acquired;
            }
            co_return Lease(std::make_shared<Lease::State>(impl, std::move(conn), shard, conn_generation, false));
        }
        if (may_connect) {
            const std::uint64_t generation = impl->generation.load();
            try {
                auto fresh = co_await Connection::Connect(impl->shards[home].executor, impl->ConnInfo(),
                                                          impl->options.connect_timeout);
                co_await ApplySessionSettings(*fresh, impl->options);
                std::lock_guard lock(impl->mutex);
                ++impl->counters.connects;
                ++impl->counters.acquired;
                conn = std::move(fresh);
            } catch (const DbError& e) {
                std::lock_guard lock(impl->mutex);
                --impl->total;
                ++impl->counters.connect_failures;
                log::Warn("database connect failed", {{"error", e.LogDetail()}});
                throw Error(ErrorKind::kUnavailable, "the database is unavailable", {}, e.LogDetail())
                    .WithRetryAfter(kUnavailableRetryAfterS);
            }
            co_return Lease(std::make_shared<Lease::State>(impl, std::move(conn), home, generation, true));
        }
        auto [ec] = co_await waiter->async_wait(asio::as_tuple(asio::use_awaitable));
        if (!ec) {
            // The deadline passed without a connection being handed back to us.
            std::lock_guard lock(impl->mutex);
            std::erase(impl->waiters, waiter);
            ++impl->counters.acquire_timeouts;
            throw Error(ErrorKind::kUnavailable, "the database is busy; try again", {}, "pool acquire timed out")
                .WithRetryAfter(1);
        }
        // Cancelled by Release: a connection (or a slot) is free; go round.
    }
}

asio::awaitable<Result> Lease::Query(std::string sql, Params params) {
    auto state = state_;
    try {
        Result result = co_await state->conn->Execute(std::move(sql), std::move(params));
        std::lock_guard lock(state->pool->mutex);
        ++state->pool->counters.queries;
        co_return result;
    } catch (const DbError&) {
        std::lock_guard lock(state->pool->mutex);
        ++state->pool->counters.errors;
        throw;
    }
}

asio::awaitable<void> Lease::ExecuteScript(std::string sql) {
    auto state = state_;
    co_await state->conn->ExecuteScript(std::move(sql));
}

asio::awaitable<Result> Pool::Query(std::string sql, Params params) {
    for (int attempt = 0;; ++attempt) {
        Lease lease = co_await Acquire();
        bool fresh = lease.state_->fresh;
        try {
            co_return co_await lease.Query(sql, params);
        } catch (const DbError& e) {
            // A pooled connection that died while idle (PostgreSQL restarted) fails on first use;
            // the statement never ran, so one retry on a new connection is safe.
            if (!e.ConnectionLost() || fresh || attempt > 0) {
                throw;
            }
            // The others opened before it are most likely dead too: open new ones instead.
            impl_->generation.fetch_add(1);
            log::Info("database connection lost; retrying on a new connection", {{"error", e.LogDetail()}});
        }
    }
}

asio::awaitable<Result> Pool::QueryPipelined(std::string sql, Params params) {
    auto impl = impl_;
    auto caller = co_await asio::this_coro::executor;
    auto home = impl->ExactShardOf(caller);
    if (!home || !impl->options.pipeline) {
        co_return co_await Query(std::move(sql), std::move(params));
    }
    auto& shard = impl->shards[*home];
    // A stale one is replaced once nothing is in flight on it (if it is dead, those fail and break it).
    if (shard.pipeline &&
        (shard.pipeline->Broken() || (impl->Stale(shard.pipeline_generation) && shard.pipeline->InFlight() == 0))) {
        shard.pipeline.reset();
        std::lock_guard lock(impl->mutex);
        --impl->total;
    }
    bool fresh = false;
    if (!shard.pipeline) {
        bool may_connect = false;
        if (!shard.pipeline_connecting) {
            std::lock_guard lock(impl->mutex);
            if (impl->total < impl->options.max_connections) {
                ++impl->total;
                may_connect = true;
            }
        }
        if (!may_connect) {
            // Being connected by another caller, or the pool is full: take the ordinary way.
            co_return co_await Query(std::move(sql), std::move(params));
        }
        shard.pipeline_connecting = true;
        const std::uint64_t generation = impl->generation.load();
        try {
            auto conn = co_await Connection::Connect(shard.executor, impl->ConnInfo(), impl->options.connect_timeout);
            co_await ApplySessionSettings(*conn, impl->options);
            shard.pipeline = std::make_shared<Pipeline>(std::move(conn));
            shard.pipeline_generation = generation;
            shard.pipeline_connecting = false;
            std::lock_guard lock(impl->mutex);
            ++impl->counters.connects;
        } catch (const DbError& e) {
            shard.pipeline_connecting = false;
            std::lock_guard lock(impl->mutex);
            --impl->total;
            ++impl->counters.connect_failures;
            log::Warn("database connect failed", {{"error", e.LogDetail()}});
            throw Error(ErrorKind::kUnavailable, "the database is unavailable", {}, e.LogDetail())
                .WithRetryAfter(kUnavailableRetryAfterS);
        }
        fresh = true;
    }
    if (shard.pipeline->InFlight() >= impl->options.max_pipelined) {
        co_return co_await Query(std::move(sql), std::move(params));
    }
    auto pipeline = shard.pipeline;
    try {
        Result result = co_await pipeline->Execute(sql, params);
        std::lock_guard lock(impl->mutex);
        ++impl->counters.queries;
        ++impl->counters.pipelined;
        co_return result;
    } catch (const DbError& e) {
        {
            std::lock_guard lock(impl->mutex);
            ++impl->counters.errors;
        }
        // As in Query: a connection that died while idle fails the first statement sent on it;
        // one retry on another connection is safe.
        if (!e.ConnectionLost() || fresh) {
            throw;
        }
        impl->generation.fetch_add(1);
        log::Info("pipelined connection lost; retrying on a new connection", {{"error", e.LogDetail()}});
    }
    co_return co_await Query(std::move(sql), std::move(params));
}

asio::awaitable<Transaction> Pool::Begin(Isolation isolation) {
    Lease lease = co_await Acquire();
    const char* begin = "BEGIN";
    switch (isolation) {
        case Isolation::kReadCommitted:
            break;
        case Isolation::kRepeatableRead:
            begin = "BEGIN ISOLATION LEVEL REPEATABLE READ";
            break;
        case Isolation::kSerializable:
            begin = "BEGIN ISOLATION LEVEL SERIALIZABLE";
            break;
    }
    bool stale = false;
    try {
        co_await lease.ExecuteScript(begin);
    } catch (const DbError& e) {
        if (!e.ConnectionLost() || lease.state_->fresh) {
            throw;
        }
        impl_->generation.fetch_add(1);
        stale = true;
    }
    if (stale) {
        // Stale pooled connection: the transaction has not started, so start it on a new one.
        lease = co_await Acquire();
        co_await lease.ExecuteScript(begin);
    }
    co_return Transaction(std::move(lease));
}

asio::awaitable<void> Pool::Ping() { co_await Query("SELECT 1"); }

void Pool::Reconnect() { impl_->generation.fetch_add(1); }

void Pool::Reconnect(std::string conninfo) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->conninfo = std::move(conninfo);
    }
    Reconnect();
}

asio::awaitable<Result> Transaction::Query(std::string sql, Params params) {
    co_return co_await lease_.Query(std::move(sql), std::move(params));
}

asio::awaitable<void> Transaction::Commit() { co_await lease_.ExecuteScript("COMMIT"); }

asio::awaitable<void> Transaction::Rollback() { co_await lease_.ExecuteScript("ROLLBACK"); }

namespace detail {

asio::awaitable<void> BackoffBeforeRetry(int attempt) {
    thread_local std::mt19937 rng{std::random_device{}()};
    int base_ms = 5 << std::min(attempt, 6);
    std::uniform_int_distribution<int> jitter(base_ms / 2, base_ms);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(jitter(rng)));
    co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace detail

}  // namespace strava1::db
