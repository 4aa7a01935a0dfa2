#include "strava1/db/listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>

#include "connection.hpp"
#include "strava1/base/log.hpp"
#include "strava1/db/pool.hpp"

namespace strava1::db {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

struct Listener::State {
    State(asio::any_io_executor ex, const Pool& p, Options o, NotifyCallback notify,
          std::function<void()> now_listening)
        : executor(std::move(ex)),
          pool(p),
          options(std::move(o)),
          on_notify(std::move(notify)),
          on_listening(std::move(now_listening)),
          timer(executor) {}

    asio::any_io_executor executor;
    const Pool& pool;
    Options options;
    NotifyCallback on_notify;
    std::function<void()> on_listening;
    // The one timer the loop waits on besides the socket (for the next ping or reconnection). Stop()
    // sets `stopped`, then expires it on the executor: the loop checks `stopped` before each time it
    // sets the timer, so the stop is never overwritten. (One timer, because Asio 1.81's `a || b || c`
    // mishandles a variant holding strings.)
    asio::steady_timer timer;
    std::atomic<bool> stopped{false};
    std::atomic<bool> started{false};
    std::atomic<bool> listening{false};
    std::atomic<std::uint64_t> connects{0};

    auto Wait() { return timer.async_wait(asio::as_tuple(asio::use_awaitable)); }
};

namespace {

bool ValidChannel(const std::string& name) {
    return !name.empty() && name.size() <= 63 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

/// The next notification, or the error that ended the connection. Asio's `a || b` completes on the
/// first branch to *succeed*: a branch that throws would leave it waiting for the others.
struct NextOrError {
    Notification notification;
    std::exception_ptr error;
};

asio::awaitable<NextOrError> Next(Connection& conn) {
    // Assigned, not built in a braced list around the co_await: GCC 12 mishandles the lifetime of
    // temporaries there.
    NextOrError out;
    try {
        out.notification = co_await conn.NextNotification();
    } catch (...) {
        out.error = std::current_exception();
    }
    co_return out;
}

/// Listens on one connection until it is lost (throws) or the listener stops (returns).
asio::awaitable<void> ListenOnce(std::shared_ptr<Listener::State> state) {
    auto conn = co_await Connection::Connect(state->executor, state->pool.ConnInfo(), state->options.connect_timeout);
    std::string listen;
    for (const auto& channel : state->options.channels) {
        listen += "LISTEN " + channel + ";";
    }
    co_await conn->ExecuteScript(listen);
    state->connects.fetch_add(1);
    state->listening = true;
    if (state->on_listening && !state->stopped) {
        state->on_listening();
    }
    while (!state->stopped) {
        state->timer.expires_after(state->options.ping_interval);
        auto outcome = co_await (Next(*conn) || state->Wait());
        if (outcome.index() == 0) {
            auto& next = std::get<0>(outcome);
            if (next.error) {
                std::rethrow_exception(next.error);
            }
            if (!state->stopped && state->on_notify) {
                state->on_notify(next.notification);
            }
        } else if (!state->stopped) {
            // Quiet for a while: a round trip tells a dead peer (no FIN ever came) from silence.
            co_await conn->ExecuteScript("");
        }
    }
}

asio::awaitable<void> Run(std::shared_ptr<Listener::State> state) {
    auto backoff = state->options.reconnect_min;
    while (!state->stopped) {
        const std::uint64_t before = state->connects.load();
        try {
            co_await ListenOnce(state);
        } catch (const Error& e) {
            log::Warn("database listener connection lost; reconnecting",
                      {{"error", e.LogDetail().empty() ? e.Detail() : e.LogDetail()}});
        } catch (const std::exception& e) {
            log::Warn("database listener connection lost; reconnecting", {{"error", e.what()}});
        }
        state->listening = false;
        if (state->stopped) {
            break;
        }
        if (state->connects.load() != before) {
            backoff = state->options.reconnect_min;  // it had been listening: start the backoff over
        }
        state->timer.expires_after(backoff);
        co_await state->Wait();
        backoff = std::min(backoff * 2, state->options.reconnect_max);
    }
}

}  // namespace

Listener::Listener(asio::any_io_executor executor, const Pool& pool, Options options, NotifyCallback on_notify,
                   std::function<void()> on_listening) {
    for (const auto& channel : options.channels) {
        if (!ValidChannel(channel)) {
            throw std::invalid_argument("listener channel names are [a-z0-9_]+ (got \"" + channel + "\")");
        }
    }
    state_ = std::make_shared<State>(std::move(executor), pool, std::move(options), std::move(on_notify),
                                     std::move(on_listening));
}

Listener::~Listener() { Stop(); }

void Listener::Start() {
    if (state_->started.exchange(true) || state_->stopped) {
        return;
    }
    asio::co_spawn(state_->executor, Run(state_), asio::detached);
}

void Listener::Stop() {
    if (state_->stopped.exchange(true)) {
        return;
    }
    asio::post(state_->executor, [state = state_] { state->timer.expires_at(asio::steady_timer::time_point::min()); });
}

bool Listener::Listening() const { return state_->listening; }

std::uint64_t Listener::Connects() const { return state_->connects; }

}  // namespace strava1::db
