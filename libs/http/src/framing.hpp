#pragma once

// Checks on the raw request head that Beast does not make (RFC 9112), kept apart from the session
// loop so they can be tested byte by byte.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace strava1::http {

/// Scans a request's header block as it arrives, chunk by chunk (each byte once), and refuses it
/// as soon as the block as a whole passes `limit` bytes (start line, every field line and the line
/// ends counted, not only each line on its own) or a field line starts with a space or tab
/// (obsolete line folding, or whitespace before the first field: RFC 9112 §5.2 and §2.2).
class HeaderBlockScanner {
public:
    enum class State { kNeedMore, kComplete, kTooLarge, kFolded };

    explicit HeaderBlockScanner(std::size_t limit) : limit_(limit) {}

    /// Feeds the next bytes received. Once the state is not kNeedMore further bytes are ignored
    /// (they belong to the body or the next request).
    State Feed(std::string_view bytes);
    State Current() const { return state_; }

private:
    std::size_t limit_;
    std::size_t total_ = 0;
    State state_ = State::kNeedMore;
    bool at_line_start_ = true;
    bool seen_start_line_ = false;
    bool line_empty_ = true;  // no byte but CR yet on the current line
};

/// What the server needs to know about a parsed request head to judge its framing.
struct HeadFacts {
    unsigned version = 11;  ///< 10 or 11
    std::size_t host_count = 0;
    std::string_view host;  ///< the Host value when host_count == 1
    std::size_t content_length_count = 0;
    std::size_t transfer_encoding_count = 0;
    bool chunked = false;  ///< the parser recognised chunked as the final coding
};

/// Why a request head must be refused with 400 (and the connection closed), or nullopt. Covers
/// request smuggling (RFC 9112 §6.1, §6.3) and Host (§3.2): an HTTP/1.1 request needs exactly one
/// Host, no request may carry two, and the value must be a valid uri-host[:port].
std::optional<std::string> FramingProblem(const HeadFacts& head);

/// Whether `value` is a valid Host field value: empty, or reg-name / IPv4 / [IPv6] with an optional port.
bool ValidHost(std::string_view value);

}  // namespace strava1::http
