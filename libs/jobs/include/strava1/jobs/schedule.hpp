#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "strava1/base/clock.hpp"
#include "strava1/db/pool.hpp"

namespace strava1::jobs {

class TimeZone;

/// A cron expression, five fields "minute hour day-of-month month day-of-week" (0-59, 0-23, 1-31,
/// 1-12 or jan-dec, 0-7 or sun-sat with 0 and 7 both Sunday), each `*`, a value, a range `a-b`, a
/// step `*/n`, `a-b/n` or `a/n`, or a comma list of those; or one of @yearly, @annually, @monthly,
/// @weekly, @daily, @midnight, @hourly. When both day fields are restricted, a day matching either
/// matches (as in Vixie cron). "0 7 * * 1" is Mondays at 07:00.
class Cron {
public:
    /// The expression, or nullopt with the reason in `why` (naming the field).
    static std::optional<Cron> Parse(std::string_view text, std::string* why = nullptr);

    /// The first instant after `after` whose wall-clock time in `zone` matches. Each local minute
    /// that matches fires once: where clocks go back, at its first occurrence only; where they go
    /// forward past it, at the same distance after the change (02:30 in a 02:00→03:00 gap fires at
    /// 03:30 new time, once even if 03:30 matches too). So a schedule that must keep a fixed interval
    /// in real time uses "UTC". Nullopt when nothing matches within five years (e.g. "0 0 30 2 *").
    std::optional<SystemTime> Next(SystemTime after, const TimeZone& zone) const;
    /// The same in the IANA zone `time_zone`; nullopt also for a zone the system does not know.
    std::optional<SystemTime> Next(SystemTime after, std::string_view time_zone) const;

    const std::string& Text() const { return text_; }

private:
    bool DayMatches(int year, unsigned month, unsigned day) const;

    std::string text_;
    std::bitset<60> minutes_;
    std::bitset<24> hours_;
    std::bitset<32> days_;     // 1..31
    std::bitset<13> months_;   // 1..12
    std::bitset<7> weekdays_;  // 0 = Sunday
    bool days_restricted_ = false;
    bool weekdays_restricted_ = false;
};

/// True for a time zone name the system tz database knows ("Europe/Berlin", "UTC").
bool KnownTimeZone(std::string_view time_zone);

/// A recurring schedule: enqueues a job of `kind` with `payload` at every instant `cron` matches in
/// `time_zone`. Declared in code through Registry::Recurring, or per user at run time through
/// UpsertSchedule (e.g. name "reminder:user:42", cron "0 7 * * 1", time zone "Europe/Berlin").
struct Schedule {
    std::string name;  ///< unique; 1..200 characters
    std::string cron;
    std::string time_zone = "UTC";
    std::string kind;
    boost::json::value payload = boost::json::object();
    std::string queue;  ///< empty: the kind's queue
    int priority = 0;
};

class Registry;

/// Creates or replaces the schedule `schedule.name` in the caller's transaction (its next slot is
/// computed from now when it is new or its cron or time zone changed). Throws Error(kInvalidArgument)
/// naming the field for a bad cron, an unknown time zone, an unregistered kind or a bad name.
boost::asio::awaitable<void> UpsertSchedule(const Registry& registry, db::Transaction tx, Schedule schedule,
                                            const Clock& clock = SystemClock::Instance());
/// Deletes a schedule; false when there was none by that name.
boost::asio::awaitable<bool> DeleteSchedule(db::Transaction tx, std::string name);

}  // namespace strava1::jobs
