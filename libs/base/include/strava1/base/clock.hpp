#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strava1 {

using SystemTime = std::chrono::system_clock::time_point;

/// Injectable wall clock. Production code takes a `const Clock&`; tests pass a fake.
class Clock {
public:
    virtual ~Clock() = default;
    virtual SystemTime Now() const = 0;
};

/// The real clock. Stateless and thread-safe.
class SystemClock final : public Clock {
public:
    SystemTime Now() const override { return std::chrono::system_clock::now(); }
    /// A process-wide instance (immutable, so sharing is safe).
    static const SystemClock& Instance();
};

/// Seconds since the Unix epoch.
inline std::int64_t UnixSeconds(SystemTime t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

/// "2026-11-25T04:48:34Z" (or with ".123" milliseconds when `millis`). Always UTC.
std::string FormatRfc3339(SystemTime t, bool millis = false);

/// Parses RFC 3339 date-times with "Z" or a numeric offset; nullopt when malformed.
std::optional<SystemTime> ParseRfc3339(std::string_view text);

/// Parses a calendar date "YYYY-MM-DD" with range checks; nullopt when malformed or impossible.
std::optional<std::chrono::year_month_day> ParseDate(std::string_view text);

}  // namespace strava1
