// The routes of posts, comments, kudos and likes: parse, call Posts, render.
#include "posts_routes.hpp"

#include <set>

#include "strava1/base/error.hpp"
#include "strava1/base/field_errors.hpp"
#include "strava1/base/json.hpp"
#include "strava1/base/json_writer.hpp"

namespace strava1::social {
namespace asio = boost::asio;
using http::Access;
using http::Body;
using http::Method;
using http::RequestPtr;
using http::Response;

namespace {

// Fields of the answers that a client might echo back: naming them tells the caller why they are
// refused, where "unknown field" would suggest a typo.
const std::set<std::string, std::less<>> kServerOwned = {
    "id",         "author_id",   "parent_owner_id", "post_id",     "created_at",   "updated_at",
    "like_count", "liked_by_me", "comment_count",   "kudos_count", "kudoed_by_me", "mentions",
    "role",       "hidden_at",   "user_id",         "owner_id"};

/// The body's object, refusing server-owned fields and any not in `allowed` (400 naming them all).
boost::json::object BodyObject(const std::string& body, std::initializer_list<std::string_view> allowed) {
    boost::json::value v = json::Parse(body.empty() ? std::string_view("{}") : std::string_view(body));
    if (!v.is_object()) {
        throw Error(ErrorKind::kInvalidArgument, "the body must be a JSON object");
    }
    FieldErrors errors;
    for (const auto& [key, value] : v.as_object()) {
        if (kServerOwned.contains(std::string_view(key))) {
            errors.Add(std::string(key), "is set by the server and cannot be sent");
        } else if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end()) {
            errors.Add(std::string(key), "is not a field of this request");
        }
    }
    errors.ThrowIfAny();
    return std::move(v.as_object());
}

std::optional<std::string> OptText(const boost::json::object& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) {
        return std::nullopt;
    }
    if (!it->value().is_string()) {
        throw InvalidField(key, "must be a string");
    }
    return std::string(it->value().as_string());
}

std::optional<std::int64_t> OptId(const boost::json::object& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) {
        return std::nullopt;
    }
    if (!it->value().is_int64() || it->value().as_int64() <= 0) {
        throw InvalidField(key, "must be a positive integer id");
    }
    return it->value().as_int64();
}

PostInput ReadPost(const std::string& body) {
    auto o = BodyObject(body, {"text", "activity_id", "media_ids", "visibility"});
    PostInput in;
    in.text = OptText(o, "text");
    in.visibility = OptText(o, "visibility");
    in.activity_id_set = o.contains("activity_id");
    in.activity_id = OptId(o, "activity_id");
    if (auto it = o.find("media_ids"); it != o.end() && !it->value().is_null()) {
        if (!it->value().is_array()) {
            throw InvalidField("media_ids", "must be a list of ids");
        }
        in.media_ids.emplace();
        for (const auto& id : it->value().as_array()) {
            if (!id.is_int64()) {
                throw InvalidField("media_ids", "must be a list of ids");
            }
            in.media_ids->push_back(id.as_int64());
        }
    }
    return in;
}

CommentInput ReadComment(const std::string& body) {
    auto o = BodyObject(body, {"text", "reply_to"});
    return CommentInput{OptText(o, "text"), OptId(o, "reply_to")};
}

http::Page PageOf(const http::Request& req, std::size_t cursor_parts) {
    FieldErrors errors;
    http::Page page = http::ReadPage(req, cursor_parts, errors);
    errors.ThrowIfAny();
    return page;
}

void IdList(json::Writer& w, std::string_view ids) {
    w.BeginArray();
    while (!ids.empty()) {
        auto comma = ids.find(',');
        w.Int(std::stoll(std::string(ids.substr(0, comma))));
        ids = comma == std::string_view::npos ? std::string_view() : ids.substr(comma + 1);
    }
    w.EndArray();
}

}  // namespace

void WritePost(json::Writer& w, const Rows& rows, int row) {
    const db::Result& r = rows.result;
    w.BeginObject();
    w.Key("id").Int(r.Int(row, 0));
    w.Key("author_id").Int(r.Int(row, 1));
    w.Key("text").String(r.String(row, 2));
    // An attached activity the viewer may not see is not shown, not even its id.
    w.Key("activity_id");
    rows.activity_visible.at(static_cast<std::size_t>(row)) ? w.Int(r.Int(row, 3)) : w.Null();
    w.Key("media_ids").BeginArray().EndArray();
    w.Key("visibility").String(r.String(row, 4));
    w.Key("mentions");
    IdList(w, r.Text(row, 5));
    w.Key("created_at").String(r.String(row, 6));
    w.Key("updated_at").String(r.String(row, 7));
    w.Key("like_count").Int(r.Int(row, 8));
    w.Key("comment_count").Int(r.Int(row, 9));
    w.Key("liked_by_me").Bool(r.Bool(row, 10));
    // A club post: the club it was written in (its members are its readers).
    w.Key("club");
    if (auto club = r.OptInt(row, 11)) {
        w.BeginObject();
        w.Key("id").Int(*club);
        auto name = rows.club_names.find(*club);
        w.Key("name").String(name == rows.club_names.end() ? std::string() : name->second);
        w.EndObject();
    } else {
        w.Null();
    }
    w.EndObject();
}

namespace {

void WriteComment(json::Writer& w, const db::Result& r, int row) {
    w.BeginObject();
    w.Key("id").Int(r.Int(row, 0));
    w.Key("author_id").Int(r.Int(row, 1));
    w.Key("activity_id");
    r.IsNull(row, 2) ? w.Null() : w.Int(r.Int(row, 2));
    w.Key("post_id");
    r.IsNull(row, 3) ? w.Null() : w.Int(r.Int(row, 3));
    w.Key("reply_to");
    r.IsNull(row, 4) ? w.Null() : w.Int(r.Int(row, 4));
    w.Key("text").String(r.String(row, 5));
    w.Key("mentions");
    IdList(w, r.Text(row, 6));
    w.Key("created_at").String(r.String(row, 7));
    w.Key("updated_at").String(r.String(row, 8));
    w.Key("like_count").Int(r.Int(row, 9));
    w.Key("liked_by_me").Bool(r.Bool(row, 10));
    w.EndObject();
}

Response Json(int status, std::string body) { return Response::Text(status, "application/json", std::move(body)); }

Response PostJson(int status, const Rows& rows) {
    std::string out;
    json::Writer w(out);
    WritePost(w, rows, 0);
    return Json(status, std::move(out));
}

Response PostListJson(const Rows& rows) {
    std::string out;
    json::Writer w(out);
    w.BeginObject();
    w.Key("posts").BeginArray();
    for (int row = 0; row < rows.shown; ++row) {
        WritePost(w, rows, row);
    }
    w.EndArray();
    w.Key("next_cursor");
    rows.next_cursor ? w.String(*rows.next_cursor) : w.Null();
    w.EndObject();
    return Json(200, std::move(out));
}

Response CommentJson(int status, const Rows& rows) {
    std::string out;
    json::Writer w(out);
    WriteComment(w, rows.result, 0);
    return Json(status, std::move(out));
}

Response CommentListJson(const Rows& rows) {
    std::string out;
    json::Writer w(out);
    w.BeginObject();
    w.Key("comments").BeginArray();
    for (int row = 0; row < rows.shown; ++row) {
        WriteComment(w, rows.result, row);
    }
    w.EndArray();
    w.Key("next_cursor");
    rows.next_cursor ? w.String(*rows.next_cursor) : w.Null();
    w.EndObject();
    return Json(200, std::move(out));
}

Response TallyJson(LikeTarget target, std::int64_t id, const Tally& tally) {
    std::string out;
    json::Writer w(out);
    w.BeginObject();
    if (target == LikeTarget::kActivity) {
        w.Key("activity_id").Int(id);
        w.Key("kudos_count").Int(tally.count);
        w.Key("kudoed_by_me").Bool(tally.mine);
    } else {
        w.Key(target == LikeTarget::kPost ? "post_id" : "comment_id").Int(id);
        w.Key("like_count").Int(tally.count);
        w.Key("liked_by_me").Bool(tally.mine);
    }
    w.EndObject();
    return Json(200, std::move(out));
}

Response GiversJson(const Givers& givers) {
    std::string out;
    json::Writer w(out);
    w.BeginObject();
    w.Key("users").BeginArray();
    for (const auto& user : givers.users) {
        w.BeginObject();
        w.Key("id").Int(user.user_id);
        w.Key("username");
        user.username ? w.String(*user.username) : w.Null();
        w.Key("display_name").String(user.display_name);
        w.EndObject();
    }
    w.EndArray();
    w.Key("next_cursor");
    givers.next_cursor ? w.String(*givers.next_cursor) : w.Null();
    w.EndObject();
    return Json(200, std::move(out));
}

std::int64_t PostId(const http::Request& req) { return req.PathId("post_id", "post"); }
std::int64_t CommentId(const http::Request& req) { return req.PathId("comment_id", "comment"); }
std::int64_t ActivityId(const http::Request& req) { return req.PathId("activity_id", "activity"); }

}  // namespace

void PostRoutes::Register(app::Registry& registry) {
    Posts& p = posts_;
    auto route = [&registry](Method method, const char* path, const char* summary, Access access, Body body,
                             http::Handler handler) {
        registry.Route({.method = method,
                        .path = path,
                        .summary = summary,
                        .access = access,
                        .body = body,
                        .handler = std::move(handler)});
    };
    // A post body is at most 5000 characters of text: 64 KiB leaves room for escapes and ids.
    const Body json = Body::Json(64 * 1024);
    const Access post = Access::ViewerOf("post", "post_id");
    const Access own_post = Access::OwnerOf("post", "post_id");
    const Access activity = Access::ViewerOf("activity", "activity_id");
    const Access comment = Access::ViewerOf("comment", "comment_id");
    const Access own_comment = Access::OwnerOf("comment", "comment_id");

    route(Method::kPost, "/v1/posts", "Write a post", Access::SignedIn(), json,
          [&p](RequestPtr req) -> asio::awaitable<Response> {
              Rows rows = co_await p.CreatePost(req->Caller(), ReadPost(req->body));
              co_return PostJson(201, rows);
          });
    route(Method::kPost, "/v1/clubs/{club_id}/posts", "Write a post in a club, for its members",
          Access::MemberOf("club", "club_id"), json, [&p](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t club_id = req->PathId("club_id", "club");
              Rows rows = co_await p.CreatePost(req->Caller(), ReadPost(req->body), club_id);
              co_return PostJson(201, rows);
          });
    route(Method::kGet, "/v1/posts/{post_id}", "A post", post, Body::None(),
          [&p](RequestPtr req) -> asio::awaitable<Response> {
              co_return PostJson(200, co_await p.GetPost(req->Caller(), PostId(*req)));
          });
    route(Method::kPatch, "/v1/posts/{post_id}", "Edit a post", own_post, json,
          [&p](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t id = PostId(*req);
              co_return PostJson(200, co_await p.PatchPost(req->Caller(), id, ReadPost(req->body)));
          });
    route(Method::kDelete, "/v1/posts/{post_id}", "Delete a post", own_post, Body::None(),
          [&p](RequestPtr req) -> asio::awaitable<Response> {
              co_await p.DeletePost(req->Caller(), PostId(*req));
              co_return Response::NoContent();
          });
    route(Method::kGet, "/v1/users/{user_id}/posts", "A user's posts, newest first",
          Access::ViewerOf("user", "user_id"), Body::None(), [&p](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t user_id = req->PathId("user_id", "user");
              co_return PostListJson(co_await p.UserPosts(req->Caller(), user_id, PageOf(*req, 1)));
          });

    route(Method::kPost, "/v1/activities/{activity_id}/comments", "Comment on an activity", activity, json,
          [&p](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t id = ActivityId(*req);
              co_return CommentJson(201,
                                    co_await p.CreateComment(req->Caller(), id, std::nullopt, ReadComment(req->body)));
          });
    route(Method::kGet, "/v1/activities/{activity_id}/comments", "An activity's comments, oldest first", activity,
          Body::None(), [&p](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t id = ActivityId(*req);
              co_return CommentListJson(co_await p.Comments(req->Caller(), id, std::nullopt, PageOf(*req, 1)));
          });
    route(Method::kPost, "/v1/posts/{post_id}/comments", "Comment on a post", post, json,
          [&p](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t id = PostId(*req);
              co_return CommentJson(201,
                                    co_await p.CreateComment(req->Caller(), std::nullopt, id, ReadComment(req->body)));
          });
    route(Method::kGet, "/v1/posts/{post_id}/comments", "A post's comments, oldest first", post, Body::None(),
          [&p](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t id = PostId(*req);
              co_return CommentListJson(co_await p.Comments(req->Caller(), std::nullopt, id, PageOf(*req, 1)));
          });
    route(Method::kPatch, "/v1/comments/{comment_id}", "Edit a comment", own_comment, json,
          [&p](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t id = CommentId(*req);
              co_return CommentJson(200, co_await p.PatchComment(req->Caller(), id, ReadComment(req->body)));
          });
    // The author or the owner of the activity or post it is on.
    route(Method::kDelete, "/v1/comments/{comment_id}", "Delete a comment", own_comment, Body::None(),
          [&p](RequestPtr req) -> asio::awaitable<Response> {
              co_await p.DeleteComment(req->Caller(), CommentId(*req));
              co_return Response::NoContent();
          });

    struct Target {
        LikeTarget target;
        const char* path;
        const char* what;
        Access access;
        const char* param;
        const char* object;
    };
    for (const Target& t : {Target{LikeTarget::kActivity, "/v1/activities/{activity_id}/kudos", "kudos", activity,
                                   "activity_id", "activity"},
                            Target{LikeTarget::kPost, "/v1/posts/{post_id}/likes", "a like", post, "post_id", "post"},
                            Target{LikeTarget::kComment, "/v1/comments/{comment_id}/likes", "a like", comment,
                                   "comment_id", "comment"}}) {
        auto id_of = [t](const http::Request& req) { return req.PathId(t.param, t.object); };
        route(Method::kPut, t.path, t.target == LikeTarget::kActivity ? "Give kudos" : "Like", t.access, Body::None(),
              [&p, t, id_of](RequestPtr req) -> asio::awaitable<Response> {
                  const std::int64_t id = id_of(*req);
                  co_return TallyJson(t.target, id, co_await p.Give(req->Caller(), t.target, id, true));
              });
        route(Method::kDelete, t.path, t.target == LikeTarget::kActivity ? "Take back kudos" : "Unlike", t.access,
              Body::None(), [&p, t, id_of](RequestPtr req) -> asio::awaitable<Response> {
                  const std::int64_t id = id_of(*req);
                  co_return TallyJson(t.target, id, co_await p.Give(req->Caller(), t.target, id, false));
              });
        route(Method::kGet, t.path, t.target == LikeTarget::kActivity ? "Who gave kudos" : "Who liked", t.access,
              Body::None(), [&p, t, id_of](RequestPtr req) -> asio::awaitable<Response> {
                  const std::int64_t id = id_of(*req);
                  co_return GiversJson(co_await p.GiversOf(req->Caller(), t.target, id, PageOf(*req, 2)));
              });
    }
}

}  // namespace strava1::social
