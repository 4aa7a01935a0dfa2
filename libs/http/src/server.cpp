// The only translation unit that includes Beast: everything else sees Request/Response.
#include "strava1/http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "framing.hpp"
#include "strava1/base/log.hpp"
#include "strava1/http/pipeline.hpp"

namespace strava1::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

using namespace std::string_view_literals;
using BeastRequest = bhttp::request<bhttp::string_body>;

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Bytes asked of the socket per read while a header block is incomplete.
constexpr std::size_t kReadChunk = 4096;

std::string_view Reason(int status) {
    auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
    return {reason.data(), reason.size()};
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    asio::io_context& io;
    std::vector<asio::io_context*> shards;  // each run by exactly one thread: no strands needed
    std::atomic<std::size_t> next_shard{0};
    ServerOptions options;
    Metrics& metrics;
    Pipeline pipeline;  // everything after a request is read
    tcp::acceptor acceptor;
    ServerStats stats;
    std::atomic<bool> stopping{false};

    // Live connections, so Stop() can close idle keep-alive ones, and the per-connection deadline.
    // A connection's socket, deadline and watchdog live on its shard's single thread.
    struct Conn {
        explicit Conn(tcp::socket s) : socket(std::move(s)), watchdog(socket.get_executor()) {}
        tcp::socket socket;
        asio::steady_timer watchdog;
        using Clock = std::chrono::steady_clock;
        Clock::time_point deadline = Clock::time_point::max();  // max: none (a handler is running)
        Clock::time_point armed = Clock::time_point::max();     // when the watchdog wakes next
        bool timed_out = false;
        bool closed = false;
        std::atomic<bool> idle{true};

        /// One deadline per phase (header block, body, write) instead of a timer per operation:
        /// moving it later costs a store; the watchdog notices when it wakes.
        void SetDeadline(Clock::duration budget) {
            deadline = Clock::now() + budget;
            if (deadline < armed) {
                watchdog.cancel();  // wake it to re-arm earlier
            }
        }
        void ClearDeadline() { deadline = Clock::time_point::max(); }
    };
    std::mutex conns_mutex;
    std::unordered_map<std::uint64_t, std::shared_ptr<Conn>> conns;
    std::atomic<std::uint64_t> next_conn_id{1};

    Impl(asio::io_context& io_ctx, ServerOptions opts, const Router& r, Authenticator* auth, IdempotencyStore* idem,
         Metrics& m)
        : io(io_ctx), options(opts), metrics(m), pipeline(std::move(opts), r, auth, idem, m), acceptor(io_ctx) {}

    asio::awaitable<void> Accept();
    asio::awaitable<void> Session(std::shared_ptr<Conn> conn);
    static asio::awaitable<void> Watchdog(std::shared_ptr<Conn> conn);
};

Server::Server(asio::io_context& io, ServerOptions options, const Router& router, Authenticator* authenticator,
               IdempotencyStore* idempotency, Metrics& metrics, std::vector<asio::io_context*> shards)
    : impl_(std::make_shared<Impl>(io, std::move(options), router, authenticator, idempotency, metrics)) {
    impl_->shards = shards.empty() ? std::vector<asio::io_context*>{&io} : std::move(shards);
}

Server::~Server() { Stop(); }

void Server::Start() {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(impl_->options.address, ec);
    if (ec) {
        throw std::runtime_error("listen address \"" + impl_->options.address + "\" is not an IP address");
    }
    tcp::endpoint endpoint(address, impl_->options.port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint, ec);
    if (ec) {
        throw std::runtime_error("cannot listen on " + impl_->options.address + ":" +
                                 std::to_string(impl_->options.port) + ": " + ec.message());
    }
    acceptor.listen(asio::socket_base::max_listen_connections);
    asio::co_spawn(acceptor.get_executor(), impl_->Accept(), asio::detached);
}

std::uint16_t Server::Port() const { return impl_->acceptor.local_endpoint().port(); }

std::size_t Server::OpenConnections() const { return impl_->stats.connections_open.load(); }

const ServerStats& Server::Stats() const { return impl_->stats; }

void Server::Stop() {
    auto impl = impl_;
    if (impl->stopping.exchange(true)) {
        return;
    }
    asio::post(impl->acceptor.get_executor(), [impl] {
        boost::system::error_code ignored;
        impl->acceptor.close(ignored);
    });
    std::lock_guard lock(impl->conns_mutex);
    for (auto& [id, conn] : impl->conns) {
        auto c = conn;
        asio::post(c->socket.get_executor(), [c] {
            if (c->idle.load() && !c->closed) {
                boost::system::error_code ignored;
                c->socket.cancel(ignored);
            }
        });
    }
}

asio::awaitable<void> Server::Impl::Accept() {
    auto self = shared_from_this();
    while (!stopping.load()) {
        // Connections are dealt round-robin to the shards; each shard's loop runs on one thread, so a
        // connection never needs a strand and its handlers never bounce between threads.
        asio::io_context& shard = *shards[next_shard.fetch_add(1, std::memory_order_relaxed) % shards.size()];
        auto [ec, socket] = co_await acceptor.async_accept(shard.get_executor(), asio::as_tuple(asio::use_awaitable));
        if (ec) {
            if (ec == asio::error::operation_aborted || stopping.load()) {
                co_return;
            }
            // EMFILE and friends: back off briefly instead of spinning.
            log::Warn("accept failed", {{"error", ec.message()}});
            asio::steady_timer pause(acceptor.get_executor());
            pause.expires_after(std::chrono::milliseconds(50));
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        if (stats.connections_open.load() >= options.max_connections) {
            ++stats.rejected_connections;
            continue;  // socket closes on scope exit
        }
        boost::system::error_code nodelay_ec;
        socket.set_option(tcp::no_delay(true), nodelay_ec);
        auto executor = socket.get_executor();
        auto conn = std::make_shared<Conn>(std::move(socket));
        asio::co_spawn(executor, Watchdog(conn), asio::detached);
        asio::co_spawn(executor, self->Session(conn), [](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    log::Error("session failed", {{"error", ex.what()}});
                }
            }
        });
    }
}

asio::awaitable<void> Server::Impl::Watchdog(std::shared_ptr<Conn> conn) {
    // While no deadline is set it still wakes now and then, so that setting one later than this
    // never needs a cancel (the common case: each request pushes the deadline out).
    constexpr auto kRecheck = std::chrono::seconds(1);
    while (!conn->closed) {
        auto now = Conn::Clock::now();
        if (conn->deadline <= now) {
            conn->timed_out = true;
            conn->deadline = Conn::Clock::time_point::max();
            boost::system::error_code ignored;
            conn->socket.cancel(ignored);  // the pending read or write completes with operation_aborted
        }
        conn->armed = conn->deadline == Conn::Clock::time_point::max() ? now + kRecheck : conn->deadline;
        conn->watchdog.expires_at(conn->armed);
        co_await conn->watchdog.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<void> Server::Impl::Session(std::shared_ptr<Conn> conn) {
    auto self = shared_from_this();
    ++stats.connections_open;
    ++stats.connections_total;
    std::string remote_ip;
    std::optional<asio::ip::address> peer;
    {
        boost::system::error_code ec;
        auto ep = conn->socket.remote_endpoint(ec);
        if (!ec) {
            peer = ep.address();
        }
        remote_ip = ec ? "unknown" : CanonicalAddress(ep.address());
    }
    // Only a peer that is a trusted proxy may name another client address (per request).
    const bool behind_proxy = peer && options.trusted_proxies.Contains(*peer);
    tcp::socket& stream = conn->socket;
    {
        // So that the inline write below returns would_block instead of blocking the loop.
        boost::system::error_code ignored;
        stream.non_blocking(true, ignored);
    }
    std::uint64_t conn_id = next_conn_id++;
    {
        std::lock_guard lock(conns_mutex);
        conns.emplace(conn_id, conn);
    }
    struct Cleanup {
        Impl* impl;
        std::uint64_t id;
        Conn* conn;
        ~Cleanup() {
            conn->closed = true;
            conn->watchdog.cancel();
            std::lock_guard lock(impl->conns_mutex);
            impl->conns.erase(id);
            --impl->stats.connections_open;
        }
    } cleanup{this, conn_id, conn.get()};

    beast::flat_buffer buffer;
    std::string head;  // response head, reused
    // Set when we answer before reading all the client sent (a 413, a malformed request): closing
    // with unread input makes the kernel send RST, which can destroy our answer before the client
    // reads it. So we half-close and drain for a moment first ("lingering close", as nginx does).
    bool unread_input = false;
    bool first = true;
    for (;;) {
        if (stopping.load()) {
            break;
        }
        conn->idle = true;
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
        // The route's own limit is applied once the header names the route; until then the
        // header read must not judge the body (Beast would check Content-Length on its own).
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        // One deadline covers waiting for and reading the whole header block: a client that
        // trickles bytes (slowloris) is cut off when it passes, however slowly it sends.
        conn->SetDeadline(first ? options.header_timeout : options.idle_timeout);
        // The header read is written out here rather than with bhttp::async_read_header: its
        // layers of composed operations cost more per request than the parsing itself. The parser
        // keeps its own state between put() calls, so a trickled header is not rescanned.
        // Beast bounds each put() but not the block as a whole, and accepts obsolete line folding;
        // the scanner sees every byte of the block once, as it arrives.
        HeaderBlockScanner scanner(options.header_limit);
        std::size_t scanned = 0;  // bytes at the front of `buffer` the scanner has seen
        beast::error_code read_ec;
        bool folded = false;
        for (;;) {
            if (buffer.size() > scanned) {
                scanner.Feed(std::string_view(static_cast<const char*>(buffer.data().data()) + scanned,
                                              buffer.size() - scanned));
                scanned = buffer.size();
            }
            if (scanner.Current() == HeaderBlockScanner::State::kTooLarge) {
                read_ec = bhttp::error::header_limit;
                break;
            }
            if (scanner.Current() == HeaderBlockScanner::State::kFolded) {
                folded = true;
                break;
            }
            if (buffer.size() > 0) {
                std::size_t used = parser.put(buffer.data(), read_ec);
                buffer.consume(used);
                scanned -= used;
                if (read_ec == bhttp::error::need_more) {
                    read_ec = {};
                } else if (read_ec || parser.is_header_done()) {
                    break;
                }
            }
            auto [some_ec, n] =
                co_await stream.async_read_some(buffer.prepare(kReadChunk), asio::as_tuple(asio::use_awaitable));
            if (some_ec) {
                // End of stream before a byte of a new request is an ordinary close.
                read_ec = some_ec == asio::error::eof && !parser.got_some() ? bhttp::error::end_of_stream : some_ec;
                break;
            }
            buffer.commit(n);
        }
        conn->ClearDeadline();
        conn->idle = false;
        auto started = std::chrono::steady_clock::now();
        first = false;

        auto write_and_close = [&](Error error) -> asio::awaitable<void> {
            std::string id = Pipeline::NewRequestId();
            Response r = ProblemResponse(error, "", id);
            Pipeline::WriteHead(head, r, Reason(r.status), id, false, false, r.body.size(), false);
            conn->SetDeadline(options.write_timeout);
            std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(r.body)};
            co_await asio::async_write(stream, buffers, asio::as_tuple(asio::use_awaitable));
            metrics.Observe(Metrics::kUnmatched, r.status, 0);
            unread_input = true;
        };

        if (folded) {
            co_await write_and_close(
                Error(ErrorKind::kInvalidArgument,
                      "obsolete line folding (a header line starting with a space or tab) is not allowed"));
            break;
        }
        if (read_ec) {
            if (conn->timed_out) {
                ++stats.timeouts;
                break;
            }
            if (read_ec == bhttp::error::end_of_stream || read_ec == asio::error::operation_aborted ||
                read_ec == asio::error::connection_reset || read_ec == asio::error::eof) {
                break;
            }
            if (read_ec == bhttp::error::header_limit) {
                co_await write_and_close(
                    Error(ErrorKind::kHeadersTooLarge,
                          "the request header block exceeds " + std::to_string(options.header_limit) + " bytes"));
                break;
            }
            co_await write_and_close(
                Error(ErrorKind::kInvalidArgument, "malformed HTTP request: " + read_ec.message()));
            break;
        }

        auto& header = parser.get();
        // Request smuggling defences and Host rules: anything ambiguous is refused outright.
        HeadFacts facts;
        facts.version = header.version();
        facts.host_count = header.count(bhttp::field::host);
        if (facts.host_count == 1) {
            auto host = header[bhttp::field::host];
            facts.host = std::string_view(host.data(), host.size());
        }
        facts.content_length_count = header.count(bhttp::field::content_length);
        facts.transfer_encoding_count = header.count(bhttp::field::transfer_encoding);
        facts.chunked = parser.chunked();
        if (auto problem = FramingProblem(facts)) {
            co_await write_and_close(Error(ErrorKind::kInvalidArgument, std::move(*problem)));
            break;
        }

        auto request = std::make_shared<Request>();
        request->method = ParseMethod(std::string_view(header.method_string().data(), header.method_string().size()));
        request->remote_ip = remote_ip;
        if (!Pipeline::SetTarget(*request, std::string_view(header.target().data(), header.target().size()))) {
            co_await write_and_close(Error(ErrorKind::kInvalidArgument, "malformed request target"));
            break;
        }
        request->headers.reserve(static_cast<std::size_t>(std::distance(header.begin(), header.end())));
        for (const auto& field : header) {
            std::string name(field.name_string());
            for (auto& c : name) {
                c = AsciiLower(c);
            }
            request->headers.emplace_back(std::move(name), std::string(field.value()));
        }
        if (behind_proxy) {
            std::vector<std::string_view> forwarded;
            for (const auto& [name, value] : request->headers) {
                if (name == "x-forwarded-for") {
                    forwarded.emplace_back(value);
                }
            }
            request->remote_ip = options.trusted_proxies.ClientAddress(*peer, forwarded);
            request->secure = ForwardedProtoIsHttps(request->Header("x-forwarded-proto"));
        }
        RouteMatch match = pipeline.Begin(*request);
        std::size_t body_limit = Pipeline::BodyLimit(match);
        bool keep_alive = header.keep_alive();
        std::optional<Response> early;
        if (auto length = parser.content_length(); length && *length > body_limit) {
            early = pipeline.Refuse(*request, Pipeline::TooLarge(body_limit));
            keep_alive = false;  // the unread body makes the stream unusable
            unread_input = true;
        } else if (!parser.is_done()) {
            parser.body_limit(body_limit);
            conn->SetDeadline(options.body_timeout);
            auto [body_ec, body_bytes] =
                co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
            conn->ClearDeadline();
            if (conn->timed_out) {
                ++stats.timeouts;
                break;
            }
            if (body_ec == bhttp::error::body_limit) {
                early = pipeline.Refuse(*request, Pipeline::TooLarge(body_limit));
                keep_alive = false;
                unread_input = true;
            } else if (body_ec) {
                break;
            }
        }
        if (!early) {
            request->body = std::move(parser.get().body());
        }

        // (No co_await inside ?: — GCC 12 mishandles temporaries there.)
        Response response;
        if (early) {
            response = std::move(*early);
        } else {
            response = co_await pipeline.Answer(request, match);
        }
        bool gzip = pipeline.Encode(*request, response);
        if (stopping.load()) {
            keep_alive = false;
        }
        bool head_only = request->method == Method::kHead || Pipeline::BodyForbidden(response.status);
        Pipeline::WriteHead(head, response, Reason(response.status), request->request_id, keep_alive,
                            header.version() == 10, response.body.size(), gzip);
        conn->SetDeadline(options.write_timeout);
        // A HEAD answer carries the GET's Content-Length but no body.
        std::array<asio::const_buffer, 2> buffers{asio::buffer(head),
                                                  head_only ? asio::const_buffer() : asio::buffer(response.body)};
        // Most answers fit the socket's send buffer: write them now, without suspending. Only what
        // does not fit waits for the socket (async_write, under the write deadline).
        beast::error_code write_ec;
        std::size_t total = buffers[0].size() + buffers[1].size();
        std::size_t written = stream.write_some(buffers, write_ec);
        if (write_ec == asio::error::would_block || write_ec == asio::error::try_again) {
            write_ec = {};
            written = 0;
        }
        if (!write_ec && written < total) {
            if (written >= buffers[0].size()) {
                buffers[1] += written - buffers[0].size();
                buffers[0] = asio::const_buffer();
            } else {
                buffers[0] += written;
            }
            std::tie(write_ec, std::ignore) =
                co_await asio::async_write(stream, buffers, asio::as_tuple(asio::use_awaitable));
        }
        conn->ClearDeadline();
        if (conn->timed_out) {
            ++stats.timeouts;
            break;
        }
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        pipeline.Record(*request, match, response, seconds);
        if (write_ec || !keep_alive) {
            break;
        }
    }
    beast::error_code ignored;
    stream.shutdown(tcp::socket::shutdown_send, ignored);
    if (unread_input && !conn->timed_out) {
        constexpr auto kLinger = std::chrono::seconds(2);
        constexpr std::size_t kMaxDrain = 32u << 20;
        conn->SetDeadline(kLinger);
        std::array<char, 16384> scratch;
        std::size_t drained = 0;
        while (drained < kMaxDrain && !conn->timed_out) {
            auto [drain_ec, n] =
                co_await stream.async_read_some(asio::buffer(scratch), asio::as_tuple(asio::use_awaitable));
            if (drain_ec) {
                break;
            }
            drained += n;
        }
    }
    stream.close(ignored);
}

}  // namespace strava1::http
