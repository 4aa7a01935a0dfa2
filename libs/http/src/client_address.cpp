#include "strava1/http/client_address.hpp"

#include <algorithm>
#include <charconv>

#include "strava1/base/text.hpp"

namespace strava1::http {
namespace asio = boost::asio;

namespace {

asio::ip::address Unmapped(const asio::ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    }
    return address;
}

std::optional<asio::ip::address> ParseAddress(std::string_view text) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(std::string(text), ec);
    if (ec) {
        return std::nullopt;
    }
    return Unmapped(address);
}

/// One X-Forwarded-For entry: "203.0.113.7", "2001:db8::1", and the forms some proxies write
/// with a port, "203.0.113.7:4711" and "[2001:db8::1]:4711".
std::optional<asio::ip::address> ParseHop(std::string_view entry) {
    entry = text::TrimOws(entry);
    if (entry.starts_with('[')) {
        auto close = entry.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        return ParseAddress(entry.substr(1, close - 1));
    }
    if (std::count(entry.begin(), entry.end(), ':') == 1) {
        entry = entry.substr(0, entry.find(':'));
    }
    return ParseAddress(entry);
}

bool InNetwork(const asio::ip::address& address, const asio::ip::address& base, unsigned prefix) {
    if (address.is_v4() != base.is_v4()) {
        return false;
    }
    auto compare = [prefix](const auto& a, const auto& b) {
        unsigned bits = prefix;
        for (std::size_t idx = 0; idx < a.size() && bits > 0; ++idx) {
            unsigned take = std::min(bits, 8u);
            auto mask = static_cast<unsigned char>(0xFF << (8 - take));
            if ((a[idx] & mask) != (b[idx] & mask)) {
                return false;
            }
            bits -= take;
        }
        return true;
    };
    if (address.is_v4()) {
        return compare(address.to_v4().to_bytes(), base.to_v4().to_bytes());
    }
    return compare(address.to_v6().to_bytes(), base.to_v6().to_bytes());
}

}  // namespace

std::string CanonicalAddress(const asio::ip::address& address) { return Unmapped(address).to_string(); }

bool ForwardedProtoIsHttps(std::string_view header) {
    std::string_view first = text::TrimOws(header.substr(0, header.find(',')));
    return first.size() == 5 && std::equal(first.begin(), first.end(), "https", [](char a, char b) {
               return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
           });
}

std::string ClientNetwork(std::string_view address) {
    auto parsed = ParseAddress(address);
    if (!parsed) {
        return std::string(address);
    }
    if (parsed->is_v4()) {
        return parsed->to_string();
    }
    auto bytes = parsed->to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return asio::ip::address_v6(bytes).to_string() + "/64";
}

std::optional<TrustedProxies> TrustedProxies::Parse(std::string_view list, std::string& error) {
    TrustedProxies out;
    while (!list.empty()) {
        auto comma = list.find(',');
        std::string_view entry = text::TrimOws(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        if (entry.empty()) {
            continue;
        }
        auto slash = entry.find('/');
        auto base = ParseAddress(entry.substr(0, slash));
        if (!base) {
            error = "\"" + std::string(entry) + "\" is not an IP address or CIDR network";
            return std::nullopt;
        }
        unsigned max_prefix = base->is_v4() ? 32 : 128;
        unsigned prefix = max_prefix;
        if (slash != std::string_view::npos) {
            std::string_view digits = entry.substr(slash + 1);
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
            if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || prefix > max_prefix) {
                error =
                    "\"" + std::string(entry) + "\" has a bad prefix length (0.." + std::to_string(max_prefix) + ")";
                return std::nullopt;
            }
        }
        out.networks_.push_back(Network{*base, prefix});
    }
    return out;
}

bool TrustedProxies::Contains(const asio::ip::address& address) const {
    auto plain = Unmapped(address);
    return std::any_of(networks_.begin(), networks_.end(),
                       [&](const Network& n) { return InNetwork(plain, n.base, n.prefix); });
}

std::string TrustedProxies::ClientAddress(const asio::ip::address& peer,
                                          const std::vector<std::string_view>& forwarded_for) const {
    asio::ip::address client = Unmapped(peer);
    if (networks_.empty() || !Contains(client)) {
        return client.to_string();
    }
    // Entries of all header lines, right to left (several lines equal one comma-joined line).
    for (auto line = forwarded_for.rbegin(); line != forwarded_for.rend(); ++line) {
        std::string_view rest = *line;
        while (!rest.empty()) {
            auto comma = rest.rfind(',');
            std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
            if (text::TrimOws(entry).empty()) {
                continue;
            }
            auto hop = ParseHop(entry);
            if (!hop) {
                return client.to_string();
            }
            client = *hop;
            if (!Contains(client)) {
                return client.to_string();
            }
        }
    }
    return client.to_string();
}

}  // namespace strava1::http
