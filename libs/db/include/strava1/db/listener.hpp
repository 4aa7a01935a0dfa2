#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace strava1::db {

class Pool;

/// One notification sent with NOTIFY / pg_notify.
struct Notification {
    std::string channel;
    std::string payload;
};

/// A dedicated connection, outside the pool, that LISTENs on channels and hands each notification to
/// a callback: how waiters (e.g. job workers) learn of new work without polling. It reconnects by
/// itself with backoff when the connection is lost; notifications sent meanwhile are lost, so
/// `on_listening` runs after every (re)connection once LISTEN is in effect, for callers to look for
/// what they missed. It checks an idle connection with a round trip every `ping_interval`.
///
/// Callbacks run on `executor`. Start, Stop and the destructor are thread-safe; after Stop() has
/// returned on the executor's own thread (or the executor no longer runs), no callback runs again.
class Listener {
public:
    struct Options {
        std::vector<std::string> channels;  ///< [a-z0-9_]+ each
        std::chrono::milliseconds connect_timeout{5000};
        std::chrono::milliseconds reconnect_min{250};   ///< first wait after a loss, doubling…
        std::chrono::milliseconds reconnect_max{5000};  ///< …up to this
        std::chrono::milliseconds ping_interval{30000};
    };
    using NotifyCallback = std::function<void(const Notification&)>;

    /// Connects to where `pool` connects (following Pool::Reconnect(conninfo)). `pool` must outlive it.
    /// Throws std::invalid_argument for a channel name outside [a-z0-9_]+.
    Listener(boost::asio::any_io_executor executor, const Pool& pool, Options options, NotifyCallback on_notify,
             std::function<void()> on_listening = {});
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    void Start();
    /// Closes the connection and stops reconnecting.
    void Stop();
    /// True while a connection is LISTENing. Thread-safe.
    bool Listening() const;
    /// Connections made so far (1 after the first, +1 per reconnection). Thread-safe.
    std::uint64_t Connects() const;

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace strava1::db
