#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strava1::jobs {

/// The rule a POSIX TZ string states (the footer of a TZif file, RFC 8536 section 3.3): standard
/// time, and optionally daylight time between two yearly dates. For instants past a zone's last
/// recorded transition.
struct PosixTz {
    struct Date {
        enum class Kind { kJulianNoLeap, kZeroBased, kMonthWeekDay };
        Kind kind = Kind::kMonthWeekDay;
        int day = 0;        ///< Jn: 1..365; n: 0..365
        int month = 0;      ///< Mm.w.d: 1..12
        int week = 0;       ///< 1..5 (5: the last)
        int weekday = 0;    ///< 0 = Sunday
        int time_s = 7200;  ///< local time of day of the change; may be negative or past 24 h
    };
    int std_offset_s = 0;  ///< seconds east of UTC
    std::optional<int> dst_offset_s;
    Date start;  ///< daylight time begins (in standard time)
    Date end;    ///< daylight time ends (in daylight time)

    /// Parses "CET-1CEST,M3.5.0,M10.5.0/3", "<+03>-3", "EST5EDT,M3.2.0,M11.1.0"…; nullopt if malformed.
    static std::optional<PosixTz> Parse(std::string_view text);
    /// UTC offset in seconds east at `utc_s` (seconds since the epoch).
    int OffsetAt(std::int64_t utc_s) const;
};

/// One IANA time zone read from the system tz database (TZif files under /usr/share/zoneinfo, or
/// $TZDIR): GCC 12's library has no std::chrono::locate_zone. Immutable, so shareable across threads.
class TimeZone {
public:
    /// The zone named `name` (e.g. "Europe/Berlin", "UTC"), cached per name; nullptr when the name is
    /// not a zone of the database (or could walk out of it). Thread-safe.
    static std::shared_ptr<const TimeZone> Find(std::string_view name);
    /// Reads a TZif file's bytes; nullopt when malformed. For tests and Find.
    static std::optional<TimeZone> FromTzif(std::string_view bytes);

    /// UTC offset in seconds east of UTC at the instant `utc_s` (seconds since the epoch).
    int OffsetAt(std::int64_t utc_s) const;

    /// The instant a local wall-clock time (seconds since the epoch as if local time were UTC)
    /// names. Where clocks were set back it occurs twice: the earlier is returned. Where they were
    /// set forward it does not occur: the instant the same time after the change denotes is
    /// returned (02:30 in a 02:00→03:00 gap becomes 03:30 new time), as RFC 5545 and Temporal's
    /// "compatible" do.
    std::int64_t ToUtc(std::int64_t local_s) const;

private:
    std::vector<std::int64_t> transitions_;  // UTC seconds, ascending
    std::vector<int> offsets_after_;         // offset in force from each transition on
    int initial_offset_ = 0;                 // before the first transition
    std::optional<PosixTz> footer_;          // after the last transition
};

/// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's algorithms).
std::int64_t DaysFromCivil(int year, unsigned month, unsigned day);
void CivilFromDays(std::int64_t days, int& year, unsigned& month, unsigned& day);

}  // namespace strava1::jobs
