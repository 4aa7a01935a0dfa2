#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strava1/db/result.hpp"
#include "strava1/notifications/module.hpp"

namespace strava1::notifications {

/// One notification an event makes for one recipient.
struct Candidate {
    std::int64_t user_id = 0;  ///< the recipient
    std::string kind;          ///< notifications.kind
    std::string object_kind;
    std::int64_t object_id = 0;
    std::optional<std::int64_t> comment_id;
    std::optional<std::int64_t> actor_id;  ///< none for reminders and completions
    boost::json::object data;
};

/// One actor as the list shows them.
struct Actor {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> username;
};

/// One notification as its recipient is shown it.
struct Shown {
    std::int64_t id = 0;
    std::string kind;
    std::string object_kind;
    std::int64_t object_id = 0;
    std::optional<std::int64_t> comment_id;
    std::vector<Actor> actors;
    std::int64_t actor_count = 0;
    boost::json::object data;
    std::string text;
    std::string created_at;
    std::string updated_at;
    bool read = false;
};

struct ShownPage {
    std::vector<Shown> items;
    std::optional<std::string> next_cursor;
};

/// Grouped kinds: a new one joins the recipient's unread notification of the same kind and object.
bool Grouped(const std::string& kind);
/// The short text of a notification: "Ann and 9 others gave you kudos".
std::string TextOf(const Shown& shown);

class Service {
public:
    explicit Service(Deps deps) : deps_(deps) {}

    /// Writes the candidates of event `event_id` in one transaction: none to its own actor, none across
    /// a block, and none a second time for the same (event, recipient) however often it is delivered.
    boost::asio::awaitable<void> Deliver(std::int64_t event_id, std::vector<Candidate> candidates);
    /// Removes the notifications about an object that is gone (or about comments that are).
    boost::asio::awaitable<void> ForgetObject(const std::string& object_kind, std::int64_t object_id);
    boost::asio::awaitable<void> ForgetComments(const std::vector<std::int64_t>& comment_ids);
    /// The followee's "follow request" notification of this follower, once the request is answered
    /// or withdrawn: nothing is left to act on (ADR 0025).
    boost::asio::awaitable<void> ForgetFollowRequest(std::int64_t followee_id, std::int64_t follower_id);
    boost::asio::awaitable<void> PruneDeliveries();

    boost::asio::awaitable<ShownPage> List(std::int64_t user_id, int limit, std::optional<std::int64_t> after);
    boost::asio::awaitable<std::int64_t> UnreadCount(std::int64_t user_id);
    /// Throws NotFound("notification") unless the notification is the caller's.
    boost::asio::awaitable<void> MarkRead(std::int64_t user_id, std::int64_t notification_id);
    boost::asio::awaitable<std::int64_t> MarkAllRead(std::int64_t user_id);

    /// Most unread notifications the count looks at: the badge shows "99+" past it.
    static constexpr int kUnreadCountCap = 100;

private:
    struct Row {
        Shown shown;
        std::vector<std::int64_t> actor_ids;
        std::int64_t position = 0;
    };
    /// What the recipient may still see of `rows` (actors not blocked and still there, activities still
    /// visible to them), with names filled in.
    boost::asio::awaitable<std::vector<Shown>> Visible(std::int64_t user_id, std::vector<Row> rows);
    static std::vector<Row> RowsOf(const db::Result& result);

    Deps deps_;
};

}  // namespace strava1::notifications
