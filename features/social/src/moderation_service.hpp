#pragma once

// Reports and moderation (issue 10, ADR 0024): its decisions and its SQL, on social's own tables
// (migrations/0016_moderation.sql). Whether the reporter sees the object is Posts' (activities through
// their reader); a suspension is accounts' (accounts::Standing); hiding sets posts' and comments'
// hidden_at, which every read of them already honours.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "posts_service.hpp"
#include "strava1/base/principal.hpp"
#include "strava1/db/result.hpp"
#include "strava1/http/paging.hpp"
#include "strava1/social/module.hpp"

namespace strava1::social {

struct ReportInput {
    std::string kind;  ///< activity | post | comment | user
    std::int64_t id = 0;
    std::string reason;  ///< spam | abuse | harassment | inappropriate | other
    std::string note;
};

/// Report rows as the queries return them (column order in moderation_service.cpp).
struct ReportRows {
    db::Result result;
    int shown = 0;
    std::optional<std::string> next_cursor;
    bool created = false;  ///< Report: a new report (201) rather than the caller's open one (200)
};

class Moderation {
public:
    Moderation(Deps deps, Options options, Posts& posts) : deps_(deps), options_(options), posts_(posts) {}

    /// Files a report on an object the caller sees (404 otherwise, as for a missing one); the
    /// caller's open report on the same object when there is one; 429 past the hourly budget.
    boost::asio::awaitable<ReportRows> Report(Principal who, ReportInput in);
    /// The queue for site administrators: reports in `state` (open | resolved), newest first.
    boost::asio::awaitable<ReportRows> Queue(std::string state, http::Page page);
    /// Decides a report (dismiss | hide | warn | suspend): every open report of the same object is
    /// resolved with it, and the decision is recorded in moderation_actions. The resolved report.
    boost::asio::awaitable<ReportRows> Resolve(Principal who, std::int64_t report_id, std::string action,
                                               std::string note);
    /// Lifts a suspension (404 for no such user), recorded in moderation_actions.
    boost::asio::awaitable<void> Unsuspend(Principal who, std::int64_t user_id, std::string note);
    /// The warnings the caller was given, newest first (at most 100).
    boost::asio::awaitable<db::Result> Warnings(Principal who);

private:
    boost::asio::awaitable<ReportRows> ReportById(std::int64_t report_id);

    Deps deps_;
    Options options_;
    Posts& posts_;
};

}  // namespace strava1::social
