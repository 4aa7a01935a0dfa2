#include "claims.hpp"

#include <limits>

namespace strava1::auth::detail {
namespace {

// 9999-12-31T23:59:59Z: keeps every later addition far from overflow.
constexpr std::int64_t kMaxNumericDate = 253402300799;

}  // namespace

TokenResult<std::int64_t> NumericDateClaim(const boost::json::object& payload, std::string_view name) {
    const auto* value = payload.if_contains(name);
    if (value == nullptr) {
        return TokenFailure{TokenError::kMissingClaim, "claim " + std::string(name) + " is missing"};
    }
    std::int64_t seconds = -1;
    if (value->is_int64()) {
        seconds = value->get_int64();
    } else if (value->is_uint64() &&
               value->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        seconds = static_cast<std::int64_t>(value->get_uint64());
    } else {
        return TokenFailure{TokenError::kInvalidClaim, "claim " + std::string(name) + " must be an integer"};
    }
    if (seconds < 0 || seconds > kMaxNumericDate) {
        return TokenFailure{TokenError::kInvalidClaim, "claim " + std::string(name) + " is out of range"};
    }
    return seconds;
}

TokenResult<std::string> StringClaim(const boost::json::object& payload, std::string_view name) {
    const auto* value = payload.if_contains(name);
    if (value == nullptr) {
        return TokenFailure{TokenError::kMissingClaim, "claim " + std::string(name) + " is missing"};
    }
    if (!value->is_string()) {
        return TokenFailure{TokenError::kInvalidClaim, "claim " + std::string(name) + " must be a string"};
    }
    return std::string(value->get_string());
}

TokenResult<std::string> SubjectClaim(const boost::json::object& payload) {
    const auto* value = payload.if_contains("sub");
    if (value == nullptr || !value->is_string()) {
        return TokenFailure{TokenError::kBadSubject, "sub must be a string"};
    }
    std::size_t size = value->get_string().size();
    if (size == 0 || size > kMaxSubjectBytes) {
        return TokenFailure{TokenError::kBadSubject, "sub must be 1..128 bytes, got " + std::to_string(size)};
    }
    return std::string(value->get_string());
}

std::optional<TokenFailure> CheckNotExpired(std::int64_t exp, std::int64_t now) {
    if (now >= exp + kMaxClockSkew.count()) {
        return TokenFailure{TokenError::kExpired, "token expired " + std::to_string(now - exp) + " s ago"};
    }
    return std::nullopt;
}

std::optional<TokenFailure> CheckNotInFuture(std::string_view name, std::int64_t value, std::int64_t now) {
    if (value > now + kMaxClockSkew.count()) {
        return TokenFailure{TokenError::kIssuedInFuture,
                            std::string(name) + " is " + std::to_string(value - now) + " s in the future"};
    }
    return std::nullopt;
}

}  // namespace strava1::auth::detail
