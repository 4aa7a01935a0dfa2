#include "moderation_service.hpp"

#include <array>
#include <limits>

#include "strava1/app/policy.hpp"
#include "strava1/base/error.hpp"
#include "strava1/db/pool.hpp"

namespace strava1::social {
namespace asio = boost::asio;
using db::Params;

namespace {

constexpr std::size_t kMaxNote = 1000;
constexpr std::array kKinds = {"activity", "post", "comment", "user"};
constexpr std::array kReasons = {"spam", "abuse", "harassment", "inappropriate", "other"};
constexpr std::array kActions = {"dismiss", "hide", "warn", "suspend"};

template <std::size_t N>
bool OneOf(const std::array<const char*, N>& values, const std::string& v) {
    for (const char* value : values) {
        if (v == value) {
            return true;
        }
    }
    return false;
}

#define MOD_UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
// Report columns: 0 id, 1 reporter_id, 2 object_kind, 3 object_id, 4 object_author_id, 5 reason,
// 6 note, 7 state, 8 action, 9 resolution_note, 10 resolved_by, 11 resolved_at, 12 created_at,
// 13 the object's reports in the same state (this one included).
#define REPORT_COLUMNS \
    "SELECT r.id, r.reporter_id, r.object_kind, r.object_id, r.object_author_id, r.reason, r.note, r.state, "  \
    "r.action, r.resolution_note, r.resolved_by, " MOD_UTC("r.resolved_at") ", " MOD_UTC("r.created_at") ", " \
    "(SELECT count(*) FROM reports o WHERE o.object_kind = r.object_kind AND o.object_id = r.object_id AND "    \
    "o.state = r.state) FROM reports r "
constexpr const char* kReport = REPORT_COLUMNS "WHERE r.id = $1";
constexpr const char* kOpenReportOf =
    REPORT_COLUMNS "WHERE r.reporter_id = $1 AND r.object_kind = $2 AND r.object_id = $3 AND r.state = 'open'";
constexpr const char* kQueue = REPORT_COLUMNS "WHERE r.state = $1 AND r.id < $2 ORDER BY r.id DESC LIMIT $3";
constexpr const char* kInsertReport =
    "INSERT INTO reports (reporter_id, object_kind, object_id, object_author_id, reason, note) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (reporter_id, object_kind, object_id) WHERE state = 'open' "
    "DO NOTHING RETURNING id";
constexpr const char* kLockReport =
    "SELECT object_kind, object_id, object_author_id, state, reason FROM reports "
    "WHERE id = $1 FOR UPDATE";
constexpr const char* kResolveObject =
    "UPDATE reports SET state = 'resolved', action = $3, resolution_note = $4, resolved_by = $5, resolved_at = now() "
    "WHERE object_kind = $1 AND object_id = $2 AND state = 'open'";
constexpr const char* kHidePost = "UPDATE posts SET hidden_at = COALESCE(hidden_at, now()) WHERE id = $1";
constexpr const char* kHideComment = "UPDATE comments SET hidden_at = COALESCE(hidden_at, now()) WHERE id = $1";
constexpr const char* kInsertWarning =
    "INSERT INTO user_warnings (user_id, report_id, reason, note) VALUES ($1, $2, $3, $4)";
constexpr const char* kInsertAction =
    "INSERT INTO moderation_actions (admin_id, action, object_kind, object_id, target_user_id, report_id, note) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr const char* kWarnings = "SELECT id, reason, note, " MOD_UTC(
    "created_at") " FROM user_warnings WHERE user_id = $1 ORDER BY id DESC LIMIT 100";

LikeTarget TargetOf(const std::string& kind) {
    return kind == "activity" ? LikeTarget::kActivity : kind == "post" ? LikeTarget::kPost : LikeTarget::kComment;
}

}  // namespace

asio::awaitable<ReportRows> Moderation::ReportById(std::int64_t report_id) {
    ReportRows out;
    out.result = co_await deps_.pool.Query(kReport, Params::Of(report_id));
    out.shown = out.result.Rows();
    co_return out;
}

asio::awaitable<ReportRows> Moderation::Report(Principal who, ReportInput in) {
    if (!OneOf(kKinds, in.kind)) {
        throw InvalidField("kind", "must be one of activity, post, comment, user");
    }
    if (in.id <= 0) {
        throw InvalidField("id", "must be a positive integer id");
    }
    if (!OneOf(kReasons, in.reason)) {
        throw InvalidField("reason", "must be one of spam, abuse, harassment, inappropriate, other");
    }
    if (in.note.size() > kMaxNote) {
        throw InvalidField("note", "must be at most 1000 characters");
    }
    // One may report only what one sees: anything else answers as a missing object.
    std::int64_t author = 0;
    if (in.kind == "user") {
        app::Found(co_await deps_.profiles.FindOne(in.id), "user");
        // (No co_await inside && or ?:, whose temporaries GCC 12 destroys twice.)
        const app::Relation relation = co_await deps_.follows.RelationOf(who.user_id, in.id);
        if (in.id != who.user_id && relation == app::Relation::kBlocked) {
            throw NotFound("user");
        }
        author = in.id;
    } else {
        author = co_await posts_.VisibleAuthor(who.user_id, TargetOf(in.kind), in.id);
    }
    if (author == who.user_id) {
        throw InvalidField("id", "names your own " + in.kind + ": it cannot be reported");
    }
    // Reporting again is not a new report, and spends nothing of the budget.
    ReportRows out;
    out.result = co_await deps_.pool.Query(kOpenReportOf, Params::Of(who.user_id, in.kind, in.id));
    if (!out.result.Empty()) {
        out.shown = 1;
        co_return out;
    }
    db::Transaction tx = co_await deps_.pool.Begin();
    co_await Posts::Spend(tx, who.user_id, "report", 1, options_.reports_per_hour, "reports");
    db::Result inserted =
        co_await tx.Query(kInsertReport, Params::Of(who.user_id, in.kind, in.id, author, in.reason, in.note));
    co_await tx.Commit();
    out.created = !inserted.Empty();
    // (A concurrent identical report won the race: its row is the answer.)
    out.result = co_await deps_.pool.Query(kOpenReportOf, Params::Of(who.user_id, in.kind, in.id));
    out.shown = out.result.Rows();
    co_return out;
}

asio::awaitable<ReportRows> Moderation::Queue(std::string state, http::Page page) {
    if (state != "open" && state != "resolved") {
        throw InvalidField("state", "must be open or resolved");
    }
    const std::int64_t after = page.after ? (*page.after)[0] : std::numeric_limits<std::int64_t>::max();
    ReportRows out;
    out.result = co_await deps_.pool.Query(kQueue, Params::Of(state, after, page.FetchCount()));
    out.shown = page.Shown(out.result.Rows());
    if (out.shown > 0) {
        const std::array<std::int64_t, 1> key{out.result.Int(out.shown - 1, 0)};
        out.next_cursor = page.NextCursor(out.result.Rows(), key);
    }
    co_return out;
}

asio::awaitable<ReportRows> Moderation::Resolve(Principal who, std::int64_t report_id, std::string action,
                                                std::string note) {
    if (!OneOf(kActions, action)) {
        throw InvalidField("action", "must be one of dismiss, hide, warn, suspend");
    }
    if (note.size() > kMaxNote) {
        throw InvalidField("note", "must be at most 1000 characters");
    }
    db::Transaction tx = co_await deps_.pool.Begin();
    db::Result report = co_await tx.Query(kLockReport, Params::Of(report_id));
    if (report.Empty()) {
        throw NotFound("report");
    }
    const std::string kind = report.String(0, 0);
    const std::int64_t object_id = report.Int(0, 1);
    const std::int64_t author = report.Int(0, 2);
    if (report.String(0, 3) != "open") {
        throw Error(ErrorKind::kConflict, "the report is already resolved");
    }
    if (action == "hide") {
        if (kind == "post") {
            co_await tx.Query(kHidePost, Params::Of(object_id));
        } else if (kind == "comment") {
            co_await tx.Query(kHideComment, Params::Of(object_id));
        } else if (kind == "user") {
            throw InvalidField("action", "hide applies to content; a user is warned or suspended");
        } else if (deps_.activity_moderation == nullptr) {
            throw Error(ErrorKind::kUnavailable, "hiding activities is not configured");
        }
    } else if (action == "warn") {
        co_await tx.Query(kInsertWarning, Params::Of(author, report_id, report.String(0, 4), note));
    }
    co_await tx.Query(kResolveObject, Params::Of(kind, object_id, action, note, who.user_id));
    co_await tx.Query(kInsertAction, Params::Of(who.user_id, action, kind, object_id, author, report_id, note));
    if (action == "hide" && kind == "activity") {
        // Activities' own statement (only me, locked), after which the report is committed resolved; a
        // failure before the commit leaves the report open for another try (hiding twice changes nothing).
        co_await deps_.activity_moderation->Hide(object_id);
    }
    if (action == "suspend") {
        // Accounts' own statement, after which the report is committed resolved; a failure before the
        // commit leaves the report open for another try (suspending twice changes nothing).
        if (deps_.standing == nullptr) {
            throw Error(ErrorKind::kUnavailable, "suspension is not configured");
        }
        co_await deps_.standing->SetSuspended(author, true);
    }
    co_await tx.Commit();
    co_return co_await ReportById(report_id);
}

asio::awaitable<void> Moderation::Unsuspend(Principal who, std::int64_t user_id, std::string note) {
    if (note.size() > kMaxNote) {
        throw InvalidField("note", "must be at most 1000 characters");
    }
    if (deps_.standing == nullptr) {
        throw Error(ErrorKind::kUnavailable, "suspension is not configured");
    }
    const bool found = co_await deps_.standing->SetSuspended(user_id, false);
    if (!found) {
        throw NotFound("user");
    }
    co_await deps_.pool.Query(kInsertAction, Params::Of(who.user_id, std::string("unsuspend"), std::string("user"),
                                                        user_id, user_id, std::optional<std::int64_t>(), note));
}

asio::awaitable<db::Result> Moderation::Warnings(Principal who) {
    co_return co_await deps_.pool.Query(kWarnings, Params::Of(who.user_id));
}

}  // namespace strava1::social
