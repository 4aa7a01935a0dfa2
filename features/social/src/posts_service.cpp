#include "posts_service.hpp"

#include <algorithm>
#include <set>

#include "strava1/app/policy.hpp"
#include "strava1/base/error.hpp"
#include "strava1/base/text.hpp"
#include "strava1/db/arrays.hpp"

namespace strava1::social {
namespace asio = boost::asio;
using db::Params;

namespace {

constexpr std::size_t kMaxText = 5000;

#define POSTS_UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

// Whether a block stands between viewer $1 and the user in column `col`: counts and lists leave such
// users' kudos, likes and comments out, so a count never says more than its list shows.
#define POSTS_UNBLOCKED(col)                                                                   \
    " AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = " col \
    ") "                                                                                       \
    "OR (b.blocker_id = " col " AND b.blocked_id = $1))"

// Post columns: 0 id, 1 author_id, 2 body, 3 activity_id, 4 visibility, 5 mention ids "1,2",
// 6 created_at, 7 updated_at, 8 like_count, 9 comment_count, 10 liked_by_me, 11 club_id. $1 is the viewer.
#define POSTS_COLUMNS \
    "SELECT p.id, p.author_id, p.body, p.activity_id, p.visibility, array_to_string(p.mention_ids, ','), " POSTS_UTC( \
        "p.created_at") ", " POSTS_UTC("p.updated_at")                                                             \
        ", (SELECT count(*) FROM post_likes l WHERE l.post_id = p.id" POSTS_UNBLOCKED("l.user_id") "), "          \
        "(SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.hidden_at IS NULL" POSTS_UNBLOCKED(       \
            "c.author_id") "), "                                                                                  \
        "EXISTS (SELECT 1 FROM post_likes l WHERE l.post_id = p.id AND l.user_id = $1), p.club_id FROM posts p "
constexpr const char* kPost = POSTS_COLUMNS "WHERE p.id = $2 AND p.hidden_at IS NULL";
// A site administrator also sees what moderation hid (ADR 0024).
constexpr const char* kPostWithHidden = POSTS_COLUMNS "WHERE p.id = $2";
// $3: the viewer is an accepted follower of the author; $4 the cursor's id, $5 the fetch count, $6 the
// viewer's clubs (a club post is for its members).
constexpr const char* kUserPosts = POSTS_COLUMNS
    "WHERE p.author_id = $2 AND p.hidden_at IS NULL AND p.id < $4 AND (p.author_id = $1 OR CASE WHEN p.club_id IS "
    "NOT NULL THEN p.club_id = ANY ($6::bigint[]) ELSE p.visibility = 'everyone' OR (p.visibility = 'followers' "
    "AND $3) END) ORDER BY p.id DESC LIMIT $5";
constexpr const char* kInsertPost =
    "INSERT INTO posts (author_id, body, activity_id, visibility, mention_ids, club_id) VALUES ($1, $2, $3, $4, $5, $6) "
    "RETURNING id, " POSTS_UTC("created_at");
constexpr const char* kUpdatePost =
    "UPDATE posts SET body = COALESCE($2, body), activity_id = CASE WHEN $3 THEN $4 ELSE activity_id END, "
    "visibility = COALESCE($5, visibility), mention_ids = COALESCE($6, mention_ids), updated_at = now() "
    "WHERE id = $1 RETURNING visibility, " POSTS_UTC("created_at");
constexpr const char* kDeletePost = "DELETE FROM posts WHERE id = $1";
// The posts among $2 that viewer $1 may see: their own, everyone's, followers' posts of authors they
// follow and the posts of their clubs $3, none across a block either way (the feed's batch form of
// VisiblePost).
constexpr const char* kVisiblePosts = POSTS_COLUMNS
    "WHERE p.id = ANY ($2::bigint[]) AND p.hidden_at IS NULL AND (p.author_id = $1 OR ("
    "CASE WHEN p.club_id IS NOT NULL THEN p.club_id = ANY ($3::bigint[]) ELSE "
    "p.visibility = 'everyone' OR (p.visibility = 'followers' AND EXISTS (SELECT 1 FROM follows f WHERE "
    "f.follower_id = $1 AND f.followee_id = p.author_id AND f.state = 'accepted')) END AND NOT EXISTS (SELECT 1 "
    "FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = p.author_id) OR (b.blocker_id = p.author_id AND "
    "b.blocked_id = $1))))";
// Per activity id of $2: kudos count, visible comment count, whether viewer $1 gave kudos.
constexpr const char* kActivityTallies =
    "SELECT a.id, (SELECT count(*) FROM kudos k WHERE k.activity_id = a.id" POSTS_UNBLOCKED("k.user_id") "), "
    "(SELECT count(*) FROM comments c WHERE c.activity_id = a.id AND c.hidden_at IS NULL" POSTS_UNBLOCKED(
        "c.author_id") "), "
    "EXISTS (SELECT 1 FROM kudos k WHERE k.activity_id = a.id AND k.user_id = $1) "
    "FROM unnest($2::bigint[]) AS a (id)";

// Comment columns: 0 id, 1 author_id, 2 activity_id, 3 post_id, 4 reply_to, 5 body, 6 mention ids,
// 7 created_at, 8 updated_at, 9 like_count, 10 liked_by_me, 11 parent_owner_id. $1 is the viewer.
#define COMMENT_COLUMNS \
    "SELECT c.id, c.author_id, c.activity_id, c.post_id, c.reply_to, c.body, "                             \
    "array_to_string(c.mention_ids, ','), " POSTS_UTC("c.created_at") ", " POSTS_UTC("c.updated_at")       \
        ", (SELECT count(*) FROM comment_likes l WHERE l.comment_id = c.id), "                             \
        "EXISTS (SELECT 1 FROM comment_likes l WHERE l.comment_id = c.id AND l.user_id = $1), "           \
        "c.parent_owner_id FROM comments c "
constexpr const char* kComment = COMMENT_COLUMNS "WHERE c.id = $2 AND c.hidden_at IS NULL";
// A parent's comments, oldest first; those by a user a block stands between with the viewer are left out.
#define COMMENT_LIST(parent)                                                                                     \
    COMMENT_COLUMNS "WHERE c." parent                                                                            \
                    " = $2 AND c.hidden_at IS NULL AND c.id > $3 AND NOT EXISTS (SELECT 1 "                      \
                    "FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = c.author_id) OR (b.blocker_id = " \
                    "c.author_id AND b.blocked_id = $1)) ORDER BY c.id LIMIT $4"
constexpr const char* kActivityComments = COMMENT_LIST("activity_id");
constexpr const char* kPostComments = COMMENT_LIST("post_id");
constexpr const char* kInsertComment =
    "INSERT INTO comments (author_id, activity_id, post_id, parent_owner_id, reply_to, body, mention_ids) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
// A comment by a user a block stands between with the replier is not there for them (as missing).
constexpr const char* kReplyTarget =
    "SELECT reply_to IS NULL, author_id, activity_id IS NOT DISTINCT FROM $2 AND post_id IS NOT DISTINCT FROM $3 "
    "FROM comments c WHERE id = $1 AND hidden_at IS NULL AND NOT EXISTS (SELECT 1 FROM blocks b WHERE "
    "(b.blocker_id = $4 AND b.blocked_id = c.author_id) OR (b.blocker_id = c.author_id AND b.blocked_id = $4))";
constexpr const char* kUpdateComment =
    "UPDATE comments SET body = $2, mention_ids = $3, updated_at = now() WHERE id = $1";
constexpr const char* kDeleteComment = "DELETE FROM comments WHERE id = $1";
constexpr const char* kCommentReplies = "SELECT id FROM comments WHERE reply_to = $1";

constexpr const char* kBlockedEitherWay =
    "SELECT EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) OR "
    "(blocker_id = $2 AND blocked_id = $1))";
constexpr const char* kBlockedAmong =
    "SELECT DISTINCT CASE WHEN blocker_id = $1 THEN blocked_id ELSE blocker_id END FROM blocks "
    "WHERE (blocker_id = $1 AND blocked_id = ANY ($2::bigint[])) OR (blocked_id = $1 AND blocker_id = ANY "
    "($2::bigint[]))";

constexpr const char* kSpend =
    "INSERT INTO social_budget AS b (user_id, kind, window_start, used) VALUES ($1, $2, now(), $3) "
    "ON CONFLICT (user_id, kind) DO UPDATE SET "
    "window_start = CASE WHEN b.window_start <= now() - interval '1 hour' THEN now() ELSE b.window_start END, "
    "used = CASE WHEN b.window_start <= now() - interval '1 hour' THEN $3 ELSE b.used + $3 END "
    "RETURNING used, ceil(extract(epoch FROM b.window_start + interval '1 hour' - now()))::int";

struct LikeSql {
    const char* give;
    const char* take;
    const char* tally;
    const char* givers;
};
// Each: $1 the object, $2 the user. Givers: $2 the cursor's (µs, user id), $4 the fetch count.
#define LIKE_SQL(table, col)                                                                                       \
    LikeSql {                                                                                                      \
        "INSERT INTO " table " (" col ", user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",             \
            "DELETE FROM " table " WHERE " col " = $1 AND user_id = $2",                                           \
            "SELECT count(*), bool_or(user_id = $2) IS TRUE FROM " table " WHERE " col " = $1",                    \
            "SELECT user_id, (extract(epoch FROM created_at) * 1000000)::bigint FROM " table " WHERE " col         \
            " = $1 AND ((extract(epoch FROM created_at) * 1000000)::bigint, user_id) < ($2, $3) ORDER BY 2 DESC, " \
            "user_id DESC LIMIT $4"                                                                                \
    }
const LikeSql kKudos = LIKE_SQL("kudos", "activity_id");
const LikeSql kPostLikes = LIKE_SQL("post_likes", "post_id");
const LikeSql kCommentLikes = LIKE_SQL("comment_likes", "comment_id");

const LikeSql& SqlOf(LikeTarget target) {
    return target == LikeTarget::kActivity ? kKudos : target == LikeTarget::kPost ? kPostLikes : kCommentLikes;
}

boost::json::value JsonId(std::optional<std::int64_t> id) {
    return id ? boost::json::value(*id) : boost::json::value(nullptr);
}

boost::json::array JsonIds(const std::vector<std::int64_t>& ids) {
    boost::json::array out;
    for (auto id : ids) {
        out.emplace_back(id);
    }
    return out;
}

void CheckText(const std::string& text) {
    if (auto problem = text::Check(text, text::Lines::kMulti, 1, kMaxText)) {
        throw InvalidField("text", *problem);
    }
}

void CheckVisibility(const std::string& visibility) {
    if (visibility != "everyone" && visibility != "followers" && visibility != "only_me") {
        throw InvalidField("visibility", "must be everyone, followers or only_me");
    }
}

void NoClubVisibility(const std::optional<std::string>& visibility) {
    if (visibility) {
        throw InvalidField("visibility", "a club post is read by the club's members: leave visibility out");
    }
}

void NoMedia(const std::optional<std::vector<std::int64_t>>& media_ids) {
    if (media_ids && !media_ids->empty()) {
        // Media uploads arrive with the media issue; until then a post is text (and an activity).
        throw InvalidField("media_ids", "media are not supported yet: send an empty list");
    }
}

/// The @usernames of `text`, lower-cased, each once, in order of appearance. A username is 3 to 30
/// of [A-Za-z0-9_.] (accounts' rule); a trailing '.' ends the sentence, not the name. An '@' inside
/// a word (an e-mail address) is not a mention.
std::vector<std::string> MentionedNames(const std::string& text) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    auto name_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '@' || (i > 0 && name_char(text[i - 1]))) {
            continue;
        }
        std::size_t end = i + 1;
        while (end < text.size() && name_char(text[end])) {
            ++end;
        }
        std::string name = text.substr(i + 1, end - i - 1);
        while (!name.empty() && name.back() == '.') {
            name.pop_back();
        }
        if (name.size() < 3 || name.size() > 30) {
            i = end;
            continue;
        }
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (seen.insert(name).second) {
            out.push_back(name);
        }
        i = end;
    }
    return out;
}

std::vector<std::int64_t> SplitIds(std::string_view text) {
    std::vector<std::int64_t> out;
    while (!text.empty()) {
        auto comma = text.find(',');
        out.push_back(std::stoll(std::string(text.substr(0, comma))));
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    }
    return out;
}

std::vector<std::int64_t> MentionIds(const db::Result& r, int row, int col) { return SplitIds(r.Text(row, col)); }

}  // namespace

asio::awaitable<void> Posts::Spend(db::Transaction& tx, std::int64_t user_id, const char* kind, int amount, int limit,
                                   const char* what) {
    if (amount <= 0) {
        co_return;
    }
    db::Result r = co_await tx.Query(kSpend, Params::Of(user_id, kind, amount));
    if (r.Int(0, 0) > limit) {
        throw Error(ErrorKind::kRateLimited, "at most " + std::to_string(limit) + " " + what + " an hour")
            .WithRetryAfter(std::max<int>(1, static_cast<int>(r.Int(0, 1))));
    }
}

asio::awaitable<std::vector<std::int64_t>> Posts::Mentions(std::int64_t author, const std::string& text) {
    std::vector<std::string> names = MentionedNames(text);
    std::vector<std::int64_t> ids;
    if (names.empty()) {
        co_return ids;
    }
    auto found = co_await deps_.profiles.FindIdsByUsername(names);
    std::vector<std::int64_t> found_ids;
    for (const auto& [name, id] : found) {
        found_ids.push_back(id);
    }
    db::Result blocked = co_await deps_.pool.Query(kBlockedAmong, Params::Of(author, db::Int64Array(found_ids)));
    std::set<std::int64_t> hidden;
    for (int row = 0; row < blocked.Rows(); ++row) {
        hidden.insert(blocked.Int(row, 0));
    }
    for (const auto& name : names) {
        auto it = std::find_if(found.begin(), found.end(), [&](const auto& f) { return f.first == name; });
        if (it == found.end() || hidden.contains(it->second)) {
            throw InvalidField("text", "no user @" + name + " to mention");
        }
        if (std::find(ids.begin(), ids.end(), it->second) == ids.end() && it->second != author) {
            ids.push_back(it->second);
        }
    }
    co_return ids;
}

asio::awaitable<std::int64_t> Posts::VisibleActivityOwner(std::int64_t viewer, std::int64_t activity_id) {
    auto summary = app::Found(co_await deps_.activities.Summary(viewer, activity_id), "activity");
    co_return summary.owner_id;
}

asio::awaitable<std::int64_t> Posts::VisibleAuthor(std::int64_t viewer, LikeTarget target, std::int64_t id) {
    if (target == LikeTarget::kActivity) {
        co_return co_await VisibleActivityOwner(viewer, id);
    }
    if (target == LikeTarget::kPost) {
        db::Result r = co_await VisiblePost(viewer, id);
        co_return r.Int(0, 1);
    }
    CommentFacts facts = co_await VisibleComment(viewer, id);
    co_return facts.author_id;
}

asio::awaitable<db::Result> Posts::VisiblePost(std::int64_t viewer, std::int64_t post_id, bool with_hidden) {
    db::Result r = co_await deps_.pool.Query(with_hidden ? kPostWithHidden : kPost, Params::Of(viewer, post_id));
    if (r.Empty()) {
        throw NotFound("post");
    }
    const std::int64_t author = r.Int(0, 1);
    if (author != viewer) {
        const std::string visibility = r.String(0, 4);
        const app::Relation relation = co_await deps_.follows.RelationOf(viewer, author);
        bool audience = false;
        if (auto club = r.OptInt(0, 11)) {
            // A club post is for the club's members, whatever the author's followers.
            audience = co_await MemberOfClub(viewer, *club);
        } else {
            audience = visibility == "everyone" || (visibility == "followers" && relation == app::Relation::kFollower);
        }
        if (relation == app::Relation::kBlocked || !audience) {
            throw NotFound("post");
        }
    }
    co_return r;
}

asio::awaitable<bool> Posts::MemberOfClub(std::int64_t viewer, std::int64_t club_id) {
    const std::vector<std::int64_t> clubs = co_await ClubsOf(viewer);
    co_return std::binary_search(clubs.begin(), clubs.end(), club_id);
}

asio::awaitable<std::vector<std::int64_t>> Posts::ClubsOf(std::int64_t viewer) {
    if (!deps_.clubmates) {
        co_return std::vector<std::int64_t>{};
    }
    co_return co_await deps_.clubmates->ClubsOf(viewer);
}

asio::awaitable<Rows> Posts::PostRows(std::int64_t viewer, db::Result r, int shown) {
    Rows out;
    // One reader call for the page's attached activities, one lookup for its clubs' names.
    std::vector<std::int64_t> attached;
    std::vector<std::int64_t> clubs;
    for (int row = 0; row < shown; ++row) {
        if (auto activity = r.OptInt(row, 3)) {
            attached.push_back(*activity);
        }
        if (auto club = r.OptInt(row, 11); club && std::find(clubs.begin(), clubs.end(), *club) == clubs.end()) {
            clubs.push_back(*club);
        }
    }
    std::set<std::int64_t> seen;
    if (!attached.empty()) {
        for (const auto& summary : co_await deps_.activities.Summaries(viewer, attached)) {
            seen.insert(summary.id);
        }
    }
    for (int row = 0; row < shown; ++row) {
        const auto activity = r.OptInt(row, 3);
        out.activity_visible.push_back(activity && seen.contains(*activity));
    }
    if (!clubs.empty() && deps_.clubmates) {
        for (auto& club : co_await deps_.clubmates->Names(std::move(clubs))) {
            out.club_names.emplace(club.club_id, std::move(club.name));
        }
    }
    out.result = std::move(r);
    out.shown = shown;
    co_return out;
}

asio::awaitable<Rows> Posts::CreatePost(Principal who, PostInput in, std::optional<std::int64_t> club_id) {
    if (!in.text) {
        throw InvalidField("text", "is required");
    }
    CheckText(*in.text);
    NoMedia(in.media_ids);
    if (club_id) {
        NoClubVisibility(in.visibility);
        if (!deps_.clubs) {
            throw NotFound("club");
        }
        co_await app::RequireMember(deps_.clubs, *club_id, who, "club");
    }
    // A club post stores "everyone": its audience is the club (club_id), not the author's followers.
    const std::string visibility = in.visibility.value_or("everyone");
    CheckVisibility(visibility);
    if (in.activity_id) {
        // Attaching is showing: only an activity the author may see (404 as for a missing one).
        co_await VisibleActivityOwner(who.user_id, *in.activity_id);
    }
    std::vector<std::int64_t> mentions = co_await Mentions(who.user_id, *in.text);
    db::Transaction tx = co_await deps_.pool.Begin();
    co_await Spend(tx, who.user_id, "mention", static_cast<int>(mentions.size()), options_.mentions_per_hour,
                   "mentions");
    db::Result inserted = co_await tx.Query(
        kInsertPost, Params::Of(who.user_id, *in.text, in.activity_id, visibility, db::Int64Array(mentions), club_id));
    const std::int64_t id = inserted.Int(0, 0);
    // Built before the co_await: GCC 12 rejects string literals in a co_await's temporaries.
    jobs::Event event{kPostCreated, boost::json::object{{"post_id", id},
                                                        {"author_id", who.user_id},
                                                        {"mentioned_user_ids", JsonIds(mentions)},
                                                        {"at", inserted.String(0, 1)},
                                                        {"visibility", visibility},
                                                        {"club_id", JsonId(club_id)}}};
    co_await deps_.jobs.Publish(tx, std::move(event));
    co_await tx.Commit();
    co_return co_await GetPost(who, id);
}

asio::awaitable<Rows> Posts::GetPost(Principal who, std::int64_t post_id) {
    db::Result r = co_await VisiblePost(who.user_id, post_id, who.site_admin);
    co_return co_await PostRows(who.user_id, std::move(r), 1);
}

asio::awaitable<Rows> Posts::PatchPost(Principal who, std::int64_t post_id, PostInput in) {
    db::Result r = co_await VisiblePost(who.user_id, post_id);
    app::RequireOwner(who, r.Int(0, 1), "post");
    if (in.text) {
        CheckText(*in.text);
    }
    NoMedia(in.media_ids);
    if (!r.IsNull(0, 11)) {
        NoClubVisibility(in.visibility);
    }
    if (in.visibility) {
        CheckVisibility(*in.visibility);
    }
    if (in.activity_id_set && in.activity_id) {
        co_await VisibleActivityOwner(who.user_id, *in.activity_id);
    }
    std::optional<std::string> mention_array;
    std::vector<std::int64_t> mentions;
    if (in.text) {
        mentions = co_await Mentions(who.user_id, *in.text);
        mention_array = db::Int64Array(mentions);
    }
    db::Transaction tx = co_await deps_.pool.Begin();
    // An edit spends only on users it newly mentions.
    const std::vector<std::int64_t> before = MentionIds(r, 0, 5);
    int added = 0;
    for (auto id : mentions) {
        added += std::find(before.begin(), before.end(), id) == before.end() ? 1 : 0;
    }
    co_await Spend(tx, who.user_id, "mention", added, options_.mentions_per_hour, "mentions");
    db::Result updated = co_await tx.Query(
        kUpdatePost, Params::Of(post_id, in.text, in.activity_id_set, in.activity_id, in.visibility, mention_array));
    // The feed follows the post's visibility (its only field the feed's rows depend on).
    jobs::Event event{kPostChanged, boost::json::object{{"post_id", post_id},
                                                        {"author_id", who.user_id},
                                                        {"at", updated.String(0, 1)},
                                                        {"visibility", updated.String(0, 0)},
                                                        {"club_id", JsonId(r.OptInt(0, 11))}}};
    co_await deps_.jobs.Publish(tx, std::move(event));
    co_await tx.Commit();
    co_return co_await GetPost(who, post_id);
}

asio::awaitable<void> Posts::DeletePost(Principal who, std::int64_t post_id) {
    db::Result r = co_await VisiblePost(who.user_id, post_id);
    const std::int64_t author = r.Int(0, 1);
    const std::optional<std::int64_t> club = r.OptInt(0, 11);
    if (author != who.user_id) {
        // The club's owner and admins manage its posts; to anyone else another's post is not theirs
        // to delete (404, as the owner-only rule answers).
        if (!club || !deps_.clubs) {
            throw NotFound("post");
        }
        // No co_await inside || (GCC 12 miscompiles it).
        const app::Membership::Role role = co_await deps_.clubs->RoleOf(*club, who.user_id);
        if (role != app::Membership::Role::kAdmin) {
            throw NotFound("post");
        }
    }
    db::Transaction tx = co_await deps_.pool.Begin();
    co_await tx.Query(kDeletePost, Params::Of(post_id));
    jobs::Event event{kPostDeleted, boost::json::object{{"post_id", post_id}, {"author_id", author}}};
    co_await deps_.jobs.Publish(tx, std::move(event));
    co_await tx.Commit();
}

asio::awaitable<Rows> Posts::VisiblePosts(std::int64_t viewer, const std::vector<std::int64_t>& ids,
                                          const std::vector<std::int64_t>& viewer_clubs) {
    if (ids.empty()) {
        co_return Rows{};
    }
    db::Result r =
        co_await deps_.pool.Query(kVisiblePosts, Params::Of(viewer, db::Int64Array(ids), db::Int64Array(viewer_clubs)));
    const int shown = r.Rows();
    co_return co_await PostRows(viewer, std::move(r), shown);
}

asio::awaitable<std::unordered_map<std::int64_t, ActivityTally>> Posts::ActivityTallies(
    std::int64_t viewer, const std::vector<std::int64_t>& ids) {
    std::unordered_map<std::int64_t, ActivityTally> out;
    if (ids.empty()) {
        co_return out;
    }
    db::Result r = co_await deps_.pool.Query(kActivityTallies, Params::Of(viewer, db::Int64Array(ids)));
    for (int row = 0; row < r.Rows(); ++row) {
        out[r.Int(row, 0)] = ActivityTally{r.Int(row, 1), r.Int(row, 2), r.Bool(row, 3)};
    }
    co_return out;
}

asio::awaitable<Rows> Posts::UserPosts(Principal who, std::int64_t user_id, http::Page page) {
    app::Found(co_await deps_.profiles.FindOne(user_id), "user");
    bool follower = false;
    if (who.user_id != user_id) {
        const app::Relation relation = co_await deps_.follows.RelationOf(who.user_id, user_id);
        if (relation == app::Relation::kBlocked) {
            throw NotFound("user");
        }
        follower = relation == app::Relation::kFollower;
    }
    const std::int64_t after = page.after ? page.after->at(0) : INT64_MAX;
    const std::vector<std::int64_t> clubs = co_await ClubsOf(who.user_id);
    db::Result r = co_await deps_.pool.Query(
        kUserPosts, Params::Of(who.user_id, user_id, follower, after, page.FetchCount(), db::Int64Array(clubs)));
    const int fetched = r.Rows();
    const int shown = page.Shown(fetched);
    Rows out = co_await PostRows(who.user_id, std::move(r), shown);
    if (shown > 0) {
        const std::int64_t last = out.result.Int(shown - 1, 0);
        out.next_cursor = page.NextCursor(fetched, std::vector<std::int64_t>{last});
    }
    co_return out;
}

asio::awaitable<Posts::CommentFacts> Posts::VisibleComment(std::int64_t viewer, std::int64_t comment_id) {
    db::Result r = co_await deps_.pool.Query(kComment, Params::Of(viewer, comment_id));
    if (r.Empty()) {
        throw NotFound("comment");
    }
    CommentFacts facts{r.Int(0, 1), r.Int(0, 11), r.OptInt(0, 2), r.OptInt(0, 3), r.OptInt(0, 4)};
    // Visible exactly when its parent is; the parent's 404 is the comment's.
    try {
        if (facts.activity_id) {
            co_await VisibleActivityOwner(viewer, *facts.activity_id);
        } else {
            co_await VisiblePost(viewer, *facts.post_id);
        }
    } catch (const Error& e) {
        if (e.Kind() == ErrorKind::kNotFound) {
            throw NotFound("comment");
        }
        throw;
    }
    if (facts.author_id != viewer) {
        db::Result blocked = co_await deps_.pool.Query(kBlockedEitherWay, Params::Of(viewer, facts.author_id));
        if (blocked.Bool(0, 0)) {
            throw NotFound("comment");
        }
    }
    co_return facts;
}

asio::awaitable<Rows> Posts::CreateComment(Principal who, std::optional<std::int64_t> activity_id,
                                           std::optional<std::int64_t> post_id, CommentInput in) {
    // No co_await inside ?: (GCC 12 miscompiles it).
    std::int64_t parent_owner = 0;
    if (activity_id) {
        parent_owner = co_await VisibleActivityOwner(who.user_id, *activity_id);
    } else {
        db::Result post = co_await VisiblePost(who.user_id, *post_id);
        parent_owner = post.Int(0, 1);
    }
    if (!in.text) {
        throw InvalidField("text", "is required");
    }
    CheckText(*in.text);
    std::optional<std::int64_t> reply_to_author;
    if (in.reply_to) {
        db::Result target =
            co_await deps_.pool.Query(kReplyTarget, Params::Of(*in.reply_to, activity_id, post_id, who.user_id));
        if (target.Empty() || !target.Bool(0, 2)) {
            throw InvalidField("reply_to",
                               "is not a comment on this " + std::string(activity_id ? "activity" : "post"));
        }
        if (!target.Bool(0, 0)) {
            throw InvalidField("reply_to", "replies go one level deep: reply to the top-level comment instead");
        }
        reply_to_author = target.Int(0, 1);
    }
    std::vector<std::int64_t> mentions = co_await Mentions(who.user_id, *in.text);
    db::Transaction tx = co_await deps_.pool.Begin();
    co_await Spend(tx, who.user_id, "comment", 1, options_.comments_per_hour, "comments");
    co_await Spend(tx, who.user_id, "mention", static_cast<int>(mentions.size()), options_.mentions_per_hour,
                   "mentions");
    db::Result inserted = co_await tx.Query(
        kInsertComment,
        Params::Of(who.user_id, activity_id, post_id, parent_owner, in.reply_to, *in.text, db::Int64Array(mentions)));
    const std::int64_t id = inserted.Int(0, 0);
    boost::json::object payload{{"comment_id", id},
                                {"author_id", who.user_id},
                                {"parent_owner_id", parent_owner},
                                {"mentioned_user_ids", JsonIds(mentions)}};
    payload["activity_id"] = activity_id ? boost::json::value(*activity_id) : nullptr;
    payload["post_id"] = post_id ? boost::json::value(*post_id) : nullptr;
    payload["reply_to_author_id"] = reply_to_author ? boost::json::value(*reply_to_author) : nullptr;
    jobs::Event event{kCommentCreated, std::move(payload)};
    co_await deps_.jobs.Publish(tx, std::move(event));
    co_await tx.Commit();
    Rows out;
    out.result = co_await deps_.pool.Query(kComment, Params::Of(who.user_id, id));
    out.shown = 1;
    co_return out;
}

asio::awaitable<Rows> Posts::Comments(Principal who, std::optional<std::int64_t> activity_id,
                                      std::optional<std::int64_t> post_id, http::Page page) {
    if (activity_id) {
        co_await VisibleActivityOwner(who.user_id, *activity_id);
    } else {
        co_await VisiblePost(who.user_id, *post_id);
    }
    const std::int64_t after = page.after ? page.after->at(0) : 0;
    Rows out;
    out.result = co_await deps_.pool.Query(
        activity_id ? kActivityComments : kPostComments,
        Params::Of(who.user_id, activity_id ? *activity_id : *post_id, after, page.FetchCount()));
    const int fetched = out.result.Rows();
    out.shown = page.Shown(fetched);
    if (out.shown > 0) {
        out.next_cursor = page.NextCursor(fetched, std::vector<std::int64_t>{out.result.Int(out.shown - 1, 0)});
    }
    co_return out;
}

asio::awaitable<Rows> Posts::PatchComment(Principal who, std::int64_t comment_id, CommentInput in) {
    CommentFacts facts = co_await VisibleComment(who.user_id, comment_id);
    app::RequireOwner(who, facts.author_id, "comment");
    if (in.reply_to) {
        throw InvalidField("reply_to", "cannot be changed");
    }
    if (!in.text) {
        throw InvalidField("text", "is required");
    }
    CheckText(*in.text);
    std::vector<std::int64_t> mentions = co_await Mentions(who.user_id, *in.text);
    db::Transaction tx = co_await deps_.pool.Begin();
    co_await Spend(tx, who.user_id, "mention", static_cast<int>(mentions.size()), options_.mentions_per_hour,
                   "mentions");
    co_await tx.Query(kUpdateComment, Params::Of(comment_id, *in.text, db::Int64Array(mentions)));
    co_await tx.Commit();
    Rows out;
    out.result = co_await deps_.pool.Query(kComment, Params::Of(who.user_id, comment_id));
    out.shown = 1;
    co_return out;
}

asio::awaitable<void> Posts::DeleteComment(Principal who, std::int64_t comment_id) {
    CommentFacts facts = co_await VisibleComment(who.user_id, comment_id);
    // The author, and the owner of what it comments on (their activity or post is their space).
    if (facts.author_id != who.user_id && facts.parent_owner_id != who.user_id) {
        throw NotFound("comment");
    }
    // Its replies go with it (the foreign key cascades): the event names them all, so that what was
    // written about any of them (notifications) goes too.
    db::Transaction tx = co_await deps_.pool.Begin();
    db::Result replies = co_await tx.Query(kCommentReplies, Params::Of(comment_id));
    boost::json::array ids{comment_id};
    for (int row = 0; row < replies.Rows(); ++row) {
        ids.emplace_back(replies.Int(row, 0));
    }
    co_await tx.Query(kDeleteComment, Params::Of(comment_id));
    jobs::Event event{kCommentDeleted, boost::json::object{{"comment_ids", std::move(ids)}}};
    co_await deps_.jobs.Publish(tx, std::move(event));
    co_await tx.Commit();
}

asio::awaitable<Tally> Posts::Give(Principal who, LikeTarget target, std::int64_t id, bool give) {
    std::int64_t owner = 0;
    if (target == LikeTarget::kActivity) {
        owner = co_await VisibleActivityOwner(who.user_id, id);
    } else if (target == LikeTarget::kPost) {
        owner = (co_await VisiblePost(who.user_id, id)).Int(0, 1);
    } else {
        owner = (co_await VisibleComment(who.user_id, id)).author_id;
    }
    const LikeSql& sql = SqlOf(target);
    if (give) {
        db::Transaction tx = co_await deps_.pool.Begin();
        db::Result inserted = co_await tx.Query(sql.give, Params::Of(id, who.user_id));
        // Only a new kudos is an event: giving it again changes nothing and notifies nobody.
        if (!inserted.Empty() && target == LikeTarget::kActivity) {
            // Built before the co_await: GCC 12 rejects string literals in a co_await's temporaries.
            jobs::Event event{kKudosGiven,
                              boost::json::object{{"activity_id", id}, {"owner_id", owner}, {"user_id", who.user_id}}};
            co_await deps_.jobs.Publish(tx, std::move(event));
        } else if (!inserted.Empty()) {
            jobs::Event event{kLikeGiven,
                              boost::json::object{{"target", target == LikeTarget::kPost ? "post" : "comment"},
                                                  {"id", id},
                                                  {"owner_id", owner},
                                                  {"user_id", who.user_id}}};
            co_await deps_.jobs.Publish(tx, std::move(event));
        }
        co_await tx.Commit();
    } else {
        co_await deps_.pool.Query(sql.take, Params::Of(id, who.user_id));
    }
    db::Result r = co_await deps_.pool.Query(sql.tally, Params::Of(id, who.user_id));
    co_return Tally{r.Int(0, 0), r.Bool(0, 1)};
}

asio::awaitable<Givers> Posts::GiversOf(Principal who, LikeTarget target, std::int64_t id, http::Page page) {
    if (target == LikeTarget::kActivity) {
        co_await VisibleActivityOwner(who.user_id, id);
    } else if (target == LikeTarget::kPost) {
        co_await VisiblePost(who.user_id, id);
    } else {
        co_await VisibleComment(who.user_id, id);
    }
    std::int64_t after_us = INT64_MAX;
    std::int64_t after_id = INT64_MAX;
    if (page.after) {
        after_us = page.after->at(0);
        after_id = page.after->at(1);
    }
    db::Result r =
        co_await deps_.pool.Query(SqlOf(target).givers, Params::Of(id, after_us, after_id, page.FetchCount()));
    const int fetched = r.Rows();
    const int shown = page.Shown(fetched);
    Givers out;
    std::vector<std::int64_t> ids;
    for (int row = 0; row < shown; ++row) {
        ids.push_back(r.Int(row, 0));
    }
    if (shown > 0) {
        out.next_cursor = page.NextCursor(fetched, std::vector<std::int64_t>{r.Int(shown - 1, 1), r.Int(shown - 1, 0)});
    }
    std::vector<accounts::ProfileFacts> facts = co_await deps_.profiles.Find(ids, {});
    std::set<std::int64_t> blocked;
    if (!ids.empty()) {
        db::Result b = co_await deps_.pool.Query(kBlockedAmong, Params::Of(who.user_id, db::Int64Array(ids)));
        for (int row = 0; row < b.Rows(); ++row) {
            blocked.insert(b.Int(row, 0));
        }
    }
    for (auto uid : ids) {
        auto it = std::find_if(facts.begin(), facts.end(), [uid](const auto& f) { return f.user_id == uid; });
        if (it != facts.end() && !blocked.contains(uid)) {
            out.users.push_back(*it);
        }
    }
    co_return out;
}

}  // namespace strava1::social
