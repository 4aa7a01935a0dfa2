#pragma once

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strava1::http {

/// The reverse proxies whose X-Forwarded-For the server believes (STRAVA1_TRUSTED_PROXIES). Empty by
/// default: then the client address is always the TCP peer and X-Forwarded-For is ignored, since
/// any client can write that header. Immutable after parsing; thread-safe.
class TrustedProxies {
public:
    /// Parses a comma-separated list of addresses and CIDR networks ("10.0.0.0/8, 127.0.0.1, ::1",
    /// "fd00::/8"). Returns nullopt and sets `error` (naming the bad entry) when one is malformed.
    static std::optional<TrustedProxies> Parse(std::string_view list, std::string& error);

    bool Empty() const { return networks_.empty(); }
    /// Whether `address` (IPv4-mapped IPv6 counts as IPv4) lies in one of the networks.
    bool Contains(const boost::asio::ip::address& address) const;

    /// The address rate limits, sign-in throttling and logs attribute a request to. `peer` is the
    /// TCP peer; `forwarded_for` the comma-separated X-Forwarded-For header lines in the order
    /// received. Walks the list from the right while each hop is a trusted proxy: the first untrusted
    /// entry is the client (entries further left are the client's own claims). An entry that is not
    /// an IP address stops the walk at the last good hop. Without trusted proxies, or when the peer
    /// is not one, this is the peer.
    std::string ClientAddress(const boost::asio::ip::address& peer,
                              const std::vector<std::string_view>& forwarded_for) const;

private:
    struct Network {
        boost::asio::ip::address base;
        unsigned prefix = 0;
    };
    std::vector<Network> networks_;
};

/// An address in its canonical text form, with IPv4-mapped IPv6 addresses written as IPv4.
std::string CanonicalAddress(const boost::asio::ip::address& address);

/// Whether an X-Forwarded-Proto value says the client used HTTPS: its first entry (the scheme the
/// outermost proxy saw), case-insensitively. Believe it only from a trusted proxy.
bool ForwardedProtoIsHttps(std::string_view header);

/// The client a request is counted against by rate limits and sign-in throttling, from its
/// address text (Request::remote_ip): an IPv4 address is itself; an IPv6 address stands for its
/// /64 network, written "2001:db8:1:2::/64", since one subscriber or host is routinely given a
/// whole /64 and can pick any address in it; an IPv4-mapped IPv6 address is its IPv4 address. Text
/// that is not an address (such as "unknown") is returned as it is.
std::string ClientNetwork(std::string_view address);

}  // namespace strava1::http
