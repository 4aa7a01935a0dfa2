#include "service.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "strava1/base/error.hpp"
#include "strava1/db/arrays.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/http/paging.hpp"

namespace strava1::notifications {
namespace asio = boost::asio;
using db::Params;

namespace {

constexpr const char* kClaimDelivery =
    "INSERT INTO notification_deliveries (event_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1";
constexpr const char* kInsert =
    "INSERT INTO notifications (user_id, kind, object_kind, object_id, comment_id, actor_ids, actor_count, data) "
    "VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::bigint IS NULL THEN '{}'::bigint[] ELSE ARRAY[$6::bigint] END, "
    "CASE WHEN $6::bigint IS NULL THEN 0 ELSE 1 END, $7::jsonb)";
// The newest actor first, without repeating one already shown; the group moves to the top.
constexpr const char* kUpsertGroup =
    "INSERT INTO notifications (user_id, kind, object_kind, object_id, actor_ids, actor_count, data) "
    "VALUES ($1, $2, $3, $4, ARRAY[$5::bigint], 1, $6::jsonb) "
    "ON CONFLICT (user_id, kind, object_kind, object_id) WHERE read_at IS NULL AND kind IN ('kudos', 'like') "
    "DO UPDATE SET actor_ids = (ARRAY[$5::bigint] || array_remove(notifications.actor_ids, $5::bigint))[1:3], "
    "actor_count = notifications.actor_count + 1, updated_at = now(), "
    "position = nextval('notifications_position')";
constexpr const char* kColumns =
    "SELECT id, kind, object_kind, object_id, comment_id, actor_ids::text, actor_count, data::text, position, "
    "read_at IS NOT NULL, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM notifications ";
constexpr const char* kPageWhere =
    "WHERE user_id = $1 AND ($2::bigint IS NULL OR position < $2) ORDER BY position DESC LIMIT $3";
constexpr const char* kUnreadWhere = "WHERE user_id = $1 AND read_at IS NULL ORDER BY position DESC LIMIT $2";
constexpr const char* kMarkRead =
    "UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING id";
constexpr const char* kMarkAllRead = "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL";
constexpr const char* kForgetObject = "DELETE FROM notifications WHERE object_kind = $1 AND object_id = $2";
constexpr const char* kForgetFollowRequest =
    "DELETE FROM notifications WHERE user_id = $1 AND kind = 'follow_request' AND object_kind = 'user' "
    "AND object_id = $2";
constexpr const char* kForgetComments =
    "DELETE FROM notifications WHERE comment_id = ANY ($1::bigint[]) OR "
    "(object_kind = 'comment' AND object_id = ANY ($1::bigint[]))";
constexpr const char* kPrune = "DELETE FROM notification_deliveries WHERE delivered_at < now() - interval '30 days'";

/// A PostgreSQL bigint[] literal ("{3,1,2}") as ids.
std::vector<std::int64_t> ParseIds(std::string_view text) {
    std::vector<std::int64_t> out;
    std::int64_t value = 0;
    bool in_number = false;
    bool negative = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            value = value * 10 + (c - '0');
            in_number = true;
        } else if (c == '-') {
            negative = true;
        } else {
            if (in_number) {
                out.push_back(negative ? -value : value);
            }
            value = 0;
            in_number = false;
            negative = false;
        }
    }
    return out;
}

std::string Others(std::int64_t n) { return std::to_string(n) + (n == 1 ? " other" : " others"); }

/// "Ann", "Ann and Bob", "Ann and 9 others".
std::string Who(const Shown& shown) {
    if (shown.actors.empty()) {
        return "Someone";
    }
    const std::string& first = shown.actors.front().name;
    const std::int64_t count =
        std::max<std::int64_t>(shown.actor_count, static_cast<std::int64_t>(shown.actors.size()));
    if (count <= 1) {
        return first;
    }
    if (count == 2 && shown.actors.size() >= 2) {
        return first + " and " + shown.actors[1].name;
    }
    return first + " and " + Others(count - 1);
}

std::string DataString(const boost::json::object& data, std::string_view key, std::string fallback) {
    if (auto it = data.find(key); it != data.end() && it->value().is_string()) {
        return std::string(it->value().as_string());
    }
    return fallback;
}

}  // namespace

bool Grouped(const std::string& kind) { return kind == "kudos" || kind == "like"; }

std::string TextOf(const Shown& n) {
    const std::string who = Who(n);
    const std::string thing = n.object_kind == "activity" ? "activity" : n.object_kind == "post" ? "post" : "comment";
    if (n.kind == "follow_request") {
        return who + " asked to follow you";
    }
    if (n.kind == "new_follower") {
        return who + " started following you";
    }
    if (n.kind == "follow_accepted") {
        return who + " accepted your follow request";
    }
    if (n.kind == "kudos") {
        return who + " gave you kudos";
    }
    if (n.kind == "like") {
        return who + " liked your " + thing;
    }
    if (n.kind == "comment") {
        return who + " commented on your " + thing;
    }
    if (n.kind == "reply") {
        return who + " replied to your comment";
    }
    if (n.kind == "mention") {
        return who + " mentioned you in " + (n.comment_id ? std::string("a comment") : std::string("a post"));
    }
    if (n.kind == "club_invite") {
        return who + " invited you to join " + DataString(n.data, "club_name", "a club");
    }
    if (n.kind == "join_request") {
        return who + " asked to join " + DataString(n.data, "club_name", "your club");
    }
    if (n.kind == "event_reminder") {
        return DataString(n.data, "title", "An event you are going to") + " starts soon";
    }
    if (n.kind == "challenge_completed") {
        return "You completed " + DataString(n.data, "challenge_name", "a challenge");
    }
    return who;
}

asio::awaitable<void> Service::Deliver(std::int64_t event_id, std::vector<Candidate> candidates) {
    // One notification per recipient and event: the first candidate for a recipient wins (a reply
    // that also mentions its reader is a reply).
    std::vector<Candidate> kept;
    std::set<std::int64_t> seen;
    std::vector<std::int64_t> actors;
    for (auto& c : candidates) {
        if (c.user_id <= 0 || (c.actor_id && *c.actor_id == c.user_id) || !seen.insert(c.user_id).second) {
            continue;
        }
        kept.push_back(std::move(c));
    }
    if (kept.empty()) {
        co_return;
    }
    // A block either way stops the notification (checked per recipient: the relation is theirs).
    std::vector<Candidate> allowed;
    for (auto& c : kept) {
        if (c.actor_id && co_await deps_.relations.RelationOf(c.user_id, *c.actor_id) == app::Relation::kBlocked) {
            continue;
        }
        allowed.push_back(std::move(c));
    }
    if (allowed.empty()) {
        co_return;
    }
    db::Transaction tx = co_await deps_.pool.Begin();
    for (const auto& c : allowed) {
        db::Result claimed = co_await tx.Query(kClaimDelivery, Params::Of(event_id, c.user_id));
        if (claimed.Empty()) {
            continue;  // this delivery of the event already wrote it
        }
        const std::string data = boost::json::serialize(c.data);
        if (Grouped(c.kind) && c.actor_id) {
            co_await tx.Query(kUpsertGroup,
                              Params::Of(c.user_id, c.kind, c.object_kind, c.object_id, *c.actor_id, data));
        } else {
            co_await tx.Query(
                kInsert, Params::Of(c.user_id, c.kind, c.object_kind, c.object_id, c.comment_id, c.actor_id, data));
        }
    }
    co_await tx.Commit();
}

asio::awaitable<void> Service::ForgetObject(const std::string& object_kind, std::int64_t object_id) {
    co_await deps_.pool.Query(kForgetObject, Params::Of(object_kind, object_id));
}

asio::awaitable<void> Service::ForgetFollowRequest(std::int64_t followee_id, std::int64_t follower_id) {
    co_await deps_.pool.Query(kForgetFollowRequest, Params::Of(followee_id, follower_id));
}

asio::awaitable<void> Service::ForgetComments(const std::vector<std::int64_t>& comment_ids) {
    if (!comment_ids.empty()) {
        co_await deps_.pool.Query(kForgetComments, Params::Of(db::Int64Array(comment_ids)));
    }
}

asio::awaitable<void> Service::PruneDeliveries() { co_await deps_.pool.Query(kPrune); }

std::vector<Service::Row> Service::RowsOf(const db::Result& result) {
    std::vector<Row> rows;
    for (int r = 0; r < result.Rows(); ++r) {
        Row row;
        row.shown.id = result.Int(r, 0);
        row.shown.kind = result.String(r, 1);
        row.shown.object_kind = result.String(r, 2);
        row.shown.object_id = result.Int(r, 3);
        row.shown.comment_id = result.OptInt(r, 4);
        row.actor_ids = ParseIds(result.Text(r, 5));
        row.shown.actor_count = result.Int(r, 6);
        boost::system::error_code ec;
        boost::json::value data = boost::json::parse(result.Text(r, 7), ec);
        if (!ec && data.is_object()) {
            row.shown.data = std::move(data.as_object());
        }
        row.position = result.Int(r, 8);
        row.shown.read = result.Bool(r, 9);
        row.shown.created_at = result.String(r, 10);
        row.shown.updated_at = result.String(r, 11);
        rows.push_back(std::move(row));
    }
    return rows;
}

asio::awaitable<std::vector<Shown>> Service::Visible(std::int64_t user_id, std::vector<Row> rows) {
    std::vector<std::int64_t> actor_ids;
    std::vector<std::int64_t> activity_ids;
    for (const auto& row : rows) {
        actor_ids.insert(actor_ids.end(), row.actor_ids.begin(), row.actor_ids.end());
        if (row.shown.object_kind == "activity") {
            activity_ids.push_back(row.shown.object_id);
        }
    }
    std::sort(actor_ids.begin(), actor_ids.end());
    actor_ids.erase(std::unique(actor_ids.begin(), actor_ids.end()), actor_ids.end());
    std::sort(activity_ids.begin(), activity_ids.end());
    activity_ids.erase(std::unique(activity_ids.begin(), activity_ids.end()), activity_ids.end());

    // Filtered at read time (ADR 0025): a block made after the notification hides its actor, and an
    // activity the recipient may no longer see hides the notification, like the object itself.
    std::map<std::int64_t, Actor> named;
    if (!actor_ids.empty()) {
        auto relations = co_await deps_.relations.RelationsOf(user_id, actor_ids);
        std::vector<std::int64_t> unblocked;
        for (std::int64_t id : actor_ids) {
            auto it = relations.find(id);
            if (it == relations.end() || it->second != app::Relation::kBlocked) {
                unblocked.push_back(id);
            }
        }
        if (!unblocked.empty()) {
            for (auto& facts : co_await deps_.profiles.Find(unblocked, {})) {
                named[facts.user_id] = Actor{facts.user_id, facts.display_name, facts.username};
            }
        }
    }
    std::unordered_set<std::int64_t> visible_activities;
    if (!activity_ids.empty()) {
        for (const auto& summary : co_await deps_.activities.Summaries(user_id, activity_ids)) {
            visible_activities.insert(summary.id);
        }
    }

    std::vector<Shown> out;
    for (auto& row : rows) {
        if (row.shown.object_kind == "activity" && !visible_activities.contains(row.shown.object_id)) {
            continue;
        }
        std::int64_t hidden = 0;
        for (std::int64_t id : row.actor_ids) {
            if (auto it = named.find(id); it != named.end()) {
                row.shown.actors.push_back(it->second);
            } else {
                ++hidden;
            }
        }
        if (!row.actor_ids.empty() && row.shown.actors.empty()) {
            continue;  // everyone who made it is blocked or gone
        }
        row.shown.actor_count =
            std::max<std::int64_t>(row.shown.actor_count - hidden, static_cast<std::int64_t>(row.shown.actors.size()));
        row.shown.text = TextOf(row.shown);
        out.push_back(std::move(row.shown));
    }
    co_return out;
}

asio::awaitable<ShownPage> Service::List(std::int64_t user_id, int limit, std::optional<std::int64_t> after) {
    db::Result result =
        co_await deps_.pool.Query(std::string(kColumns) + kPageWhere, Params::Of(user_id, after, limit + 1));
    std::vector<Row> rows = RowsOf(result);
    ShownPage page;
    if (static_cast<int>(rows.size()) > limit) {
        rows.resize(static_cast<std::size_t>(limit));
        const std::int64_t last[] = {rows.back().position};
        page.next_cursor = http::EncodeCursor(last);
    }
    page.items = co_await Visible(user_id, std::move(rows));
    co_return page;
}

asio::awaitable<std::int64_t> Service::UnreadCount(std::int64_t user_id) {
    db::Result result =
        co_await deps_.pool.Query(std::string(kColumns) + kUnreadWhere, Params::Of(user_id, kUnreadCountCap));
    co_return static_cast<std::int64_t>((co_await Visible(user_id, RowsOf(result))).size());
}

asio::awaitable<void> Service::MarkRead(std::int64_t user_id, std::int64_t notification_id) {
    db::Result marked = co_await deps_.pool.Query(kMarkRead, Params::Of(notification_id, user_id));
    if (marked.Empty()) {
        throw NotFound("notification");  // another user's answers as a missing one
    }
}

asio::awaitable<std::int64_t> Service::MarkAllRead(std::int64_t user_id) {
    db::Result marked = co_await deps_.pool.Query(kMarkAllRead, Params::Of(user_id));
    co_return marked.Affected();
}

}  // namespace strava1::notifications
