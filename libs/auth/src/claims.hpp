#pragma once

// Claim checks shared by the Firebase and local verifiers. Private to libs/auth.

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "strava1/auth/jwt.hpp"

namespace strava1::auth::detail {

/// Longest accepted `sub` (Firebase uids are at most 128 characters).
inline constexpr std::size_t kMaxSubjectBytes = 128;

/// A required NumericDate claim: an integer number of seconds in [0, year 9999].
TokenResult<std::int64_t> NumericDateClaim(const boost::json::object& payload, std::string_view name);

/// A required string claim (may be empty; callers check the content).
TokenResult<std::string> StringClaim(const boost::json::object& payload, std::string_view name);

/// `sub`: a string of 1..kMaxSubjectBytes bytes.
TokenResult<std::string> SubjectClaim(const boost::json::object& payload);

/// Fails with kExpired unless now < exp + kMaxClockSkew.
std::optional<TokenFailure> CheckNotExpired(std::int64_t exp, std::int64_t now);

/// Fails with kIssuedInFuture when `value` > now + kMaxClockSkew.
std::optional<TokenFailure> CheckNotInFuture(std::string_view name, std::int64_t value, std::int64_t now);

}  // namespace strava1::auth::detail
