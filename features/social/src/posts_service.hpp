#pragma once

// Posts, comments, kudos and likes (issue 10): their decisions and their SQL, on social's own
// tables (migrations/0013_posts.sql). Activities are seen only through activities' reader, users
// only through accounts' contract; whether a viewer follows or blocks an author is app::Relations.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "strava1/base/principal.hpp"
#include "strava1/db/result.hpp"
#include "strava1/http/paging.hpp"
#include "strava1/social/module.hpp"

namespace strava1::social {

/// What a post or comment body may say; the rest (ids, author, counts, times) is the server's.
struct PostInput {
    std::optional<std::string> text;
    std::optional<std::int64_t> activity_id;
    bool activity_id_set = false;  ///< PATCH: the field was sent (null detaches)
    std::optional<std::vector<std::int64_t>> media_ids;
    std::optional<std::string> visibility;
};

struct CommentInput {
    std::optional<std::string> text;
    std::optional<std::int64_t> reply_to;
};

/// Rows as the queries return them (column order in posts_service.cpp), with the page's cursor.
struct Rows {
    db::Result result;
    int shown = 0;
    std::optional<std::string> next_cursor;
    /// Per shown row of a post list: whether the viewer may see its attached activity.
    std::vector<bool> activity_visible;
    /// The names of the clubs of the shown club posts.
    std::unordered_map<std::int64_t, std::string> club_names;
};

/// Users who gave kudos or likes, newest first.
struct Givers {
    std::vector<accounts::ProfileFacts> users;  ///< in the page's order
    std::optional<std::string> next_cursor;
};

/// {count, mine} of kudos or likes after a change.
struct Tally {
    std::int64_t count = 0;
    bool mine = false;
};

enum class LikeTarget { kActivity, kPost, kComment };

/// What a feed card shows of an activity's kudos and comments, for one viewer.
struct ActivityTally {
    std::int64_t kudos_count = 0;
    std::int64_t comment_count = 0;
    bool kudoed_by_me = false;
};

class Posts {
public:
    Posts(Deps deps, Options options) : deps_(deps), options_(options) {}

    /// A post; `club_id`: a post in that club (the caller a member; 404 otherwise), read by its members.
    boost::asio::awaitable<Rows> CreatePost(Principal who, PostInput in,
                                            std::optional<std::int64_t> club_id = std::nullopt);
    boost::asio::awaitable<Rows> GetPost(Principal who, std::int64_t post_id);
    boost::asio::awaitable<Rows> PatchPost(Principal who, std::int64_t post_id, PostInput in);
    boost::asio::awaitable<void> DeletePost(Principal who, std::int64_t post_id);
    boost::asio::awaitable<Rows> UserPosts(Principal who, std::int64_t user_id, http::Page page);

    /// `activity_id` or `post_id` names the parent (exactly one is set).
    boost::asio::awaitable<Rows> CreateComment(Principal who, std::optional<std::int64_t> activity_id,
                                               std::optional<std::int64_t> post_id, CommentInput in);
    boost::asio::awaitable<Rows> Comments(Principal who, std::optional<std::int64_t> activity_id,
                                          std::optional<std::int64_t> post_id, http::Page page);
    boost::asio::awaitable<Rows> PatchComment(Principal who, std::int64_t comment_id, CommentInput in);
    boost::asio::awaitable<void> DeleteComment(Principal who, std::int64_t comment_id);

    /// Kudos (activities) and likes (posts, comments): `give` true adds the caller's (again: no
    /// change), false takes it back.
    boost::asio::awaitable<Tally> Give(Principal who, LikeTarget target, std::int64_t id, bool give);
    boost::asio::awaitable<Givers> GiversOf(Principal who, LikeTarget target, std::int64_t id, http::Page page);

    /// The posts among `ids` the viewer may see, in no particular order (the feed's batch read);
    /// `viewer_clubs`: the clubs whose posts the viewer reads (ClubsOf, or the club a page is of).
    boost::asio::awaitable<Rows> VisiblePosts(std::int64_t viewer, const std::vector<std::int64_t>& ids,
                                              const std::vector<std::int64_t>& viewer_clubs);
    /// The clubs `viewer` is an active member of, ascending (none without the clubs feature).
    boost::asio::awaitable<std::vector<std::int64_t>> ClubsOf(std::int64_t viewer);
    /// Kudos and comment counts and the viewer's kudos for each of `ids`, activities the caller has
    /// already established the viewer may see.
    boost::asio::awaitable<std::unordered_map<std::int64_t, ActivityTally>> ActivityTallies(
        std::int64_t viewer, const std::vector<std::int64_t>& ids);
    /// The author of the activity, post or comment when `viewer` may see it; 404 as for a missing one
    /// otherwise (what a report needs: one may report only what one sees).
    boost::asio::awaitable<std::int64_t> VisibleAuthor(std::int64_t viewer, LikeTarget target, std::int64_t id);
    /// Spends `amount` of the caller's hourly `kind` budget in `tx`; 429 with Retry-After past `limit`.
    static boost::asio::awaitable<void> Spend(db::Transaction& tx, std::int64_t user_id, const char* kind, int amount,
                                              int limit, const char* what);

private:
    /// The post row when `viewer` may see it; 404 as for a missing one otherwise. A post moderation
    /// hid is there only for a site administrator (`with_hidden`).
    boost::asio::awaitable<db::Result> VisiblePost(std::int64_t viewer, std::int64_t post_id, bool with_hidden = false);
    /// The owner of the activity when `viewer` may see it (through the reader); 404 otherwise.
    boost::asio::awaitable<std::int64_t> VisibleActivityOwner(std::int64_t viewer, std::int64_t activity_id);
    /// {author, parent owner, parent activity, parent post, reply_to} of a comment the viewer may see.
    struct CommentFacts {
        std::int64_t author_id = 0;
        std::int64_t parent_owner_id = 0;
        std::optional<std::int64_t> activity_id;
        std::optional<std::int64_t> post_id;
        std::optional<std::int64_t> reply_to;
    };
    boost::asio::awaitable<CommentFacts> VisibleComment(std::int64_t viewer, std::int64_t comment_id);
    /// The users the text @mentions: 400 naming the first unknown one, or one a block stands
    /// between with the author (as unknown: neither learns of the block).
    boost::asio::awaitable<std::vector<std::int64_t>> Mentions(std::int64_t author, const std::string& text);
    boost::asio::awaitable<Rows> PostRows(std::int64_t viewer, db::Result r, int shown);
    boost::asio::awaitable<bool> MemberOfClub(std::int64_t viewer, std::int64_t club_id);

    Deps deps_;
    Options options_;
};

}  // namespace strava1::social
