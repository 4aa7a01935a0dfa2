#include "framing.hpp"

#include <cctype>

namespace strava1::http {

HeaderBlockScanner::State HeaderBlockScanner::Feed(std::string_view bytes) {
    for (char c : bytes) {
        if (state_ != State::kNeedMore) {
            break;
        }
        if (++total_ > limit_) {
            state_ = State::kTooLarge;
            break;
        }
        if (c == '\n') {
            if (line_empty_ && seen_start_line_) {
                state_ = State::kComplete;  // the empty line that ends the block
            } else if (!line_empty_) {
                seen_start_line_ = true;
            }
            // (Empty lines before the request line are tolerated, RFC 9112 §2.2.)
            at_line_start_ = true;
            line_empty_ = true;
            continue;
        }
        if (at_line_start_ && seen_start_line_ && (c == ' ' || c == '\t')) {
            state_ = State::kFolded;
            break;
        }
        at_line_start_ = false;
        if (c != '\r') {
            line_empty_ = false;
        }
    }
    return state_;
}

bool ValidHost(std::string_view value) {
    if (value.empty()) {
        return true;  // allowed when the target has no authority (RFC 9112 §3.2)
    }
    std::string_view host = value;
    std::string_view port;
    if (host.front() == '[') {
        auto close = host.find(']');
        if (close == std::string_view::npos || close < 3) {
            return false;
        }
        for (char c : host.substr(1, close - 1)) {
            if (std::isxdigit(static_cast<unsigned char>(c)) == 0 && c != ':' && c != '.') {
                return false;
            }
        }
        std::string_view rest = host.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') {
            return false;
        }
        port = rest.empty() ? rest : rest.substr(1);
        if (rest.empty()) {
            return true;
        }
    } else {
        auto colon = host.find(':');
        if (colon != std::string_view::npos) {
            port = host.substr(colon + 1);
            host = host.substr(0, colon);
            if (port.empty()) {
                return false;
            }
        }
        if (host.empty()) {
            return false;
        }
        for (char c : host) {
            // RFC 3986 reg-name: unreserved / pct-encoded / sub-delims.
            bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' ||
                      c == '~' || c == '%' || c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' ||
                      c == '*' || c == '+' || c == ',' || c == ';' || c == '=';
            if (!ok) {
                return false;
            }
        }
    }
    if (port.size() > 5) {
        return false;
    }
    for (char c : port) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

std::optional<std::string> FramingProblem(const HeadFacts& head) {
    if (head.host_count > 1) {
        return "a request must not carry more than one Host header";
    }
    if (head.version >= 11 && head.host_count == 0) {
        return "an HTTP/1.1 request needs a Host header";
    }
    if (head.host_count == 1 && !ValidHost(head.host)) {
        return "the Host header is not a valid host[:port]";
    }
    if (head.content_length_count > 1 || (head.content_length_count > 0 && head.transfer_encoding_count > 0)) {
        return "ambiguous message framing";
    }
    if (head.transfer_encoding_count > 0 && head.version < 11) {
        return "Transfer-Encoding is not allowed in an HTTP/1.0 request";
    }
    if (head.transfer_encoding_count > 0 && !head.chunked) {
        return "unsupported Transfer-Encoding";
    }
    return std::nullopt;
}

}  // namespace strava1::http
