// The authorisation matrix (../shared/reference/security-checklist.md T-01..T-08): every route of
// the composed app, called by every actor on every visibility of the object it names, must get
// exactly the status its declared access (http::Access in its route table) gives that actor; an
// object the actor may not see answers 404 with the body of a missing one; no answer to an actor
// carries the marker of an object hidden from them. The matrix is generated from the route table:
// a route without rows here (a new one) fails the test, as do rows for a route that is gone.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "strava1/base/clock.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/jobs/worker.hpp"
#include "strava1/testing/testdata.hpp"
#include "test_app.hpp"

namespace strava1::app {
namespace {

namespace json = boost::json;
using http::AccessKind;
using http::Method;
using testing::InProcessResponse;
using testing::TestUser;

/// Who calls: the owner of the objects (and of the clubs), a signed-in stranger, an accepted follower
/// of the owner, a user the owner blocked, nobody signed in, and, in each of the owner's clubs, an
/// active member, a member the owner removed, and an admin. The site admin (users.role = 'admin',
/// ADR 0024) is a stranger on every route but the admin API's.
enum class Actor {
    kOwner,
    kStranger,
    kFollower,
    kBlocked,
    kAnonymous,
    kClubMember,
    kRemovedMember,
    kClubAdmin,
    kSiteAdmin
};
constexpr Actor kActors[] = {Actor::kStranger,  Actor::kFollower,   Actor::kBlocked,
                             Actor::kAnonymous, Actor::kClubMember, Actor::kRemovedMember,
                             Actor::kClubAdmin, Actor::kSiteAdmin,  Actor::kOwner};  // owner last: it may delete

std::string_view ActorName(Actor actor) {
    switch (actor) {
        case Actor::kOwner:
            return "owner";
        case Actor::kStranger:
            return "stranger";
        case Actor::kFollower:
            return "follower";
        case Actor::kBlocked:
            return "blocked";
        case Actor::kAnonymous:
            return "anonymous";
        case Actor::kClubMember:
            return "club_member";
        case Actor::kRemovedMember:
            return "removed_member";
        case Actor::kClubAdmin:
            return "club_admin";
        case Actor::kSiteAdmin:
            return "site_admin";
    }
    return "?";
}

/// The actor's standing in each of the owner's clubs.
enum class ClubRole { kNone, kMember, kAdmin };
ClubRole ClubRoleOf(Actor actor) {
    switch (actor) {
        case Actor::kOwner:
        case Actor::kClubAdmin:
            return ClubRole::kAdmin;
        case Actor::kClubMember:
            return ClubRole::kMember;
        default:
            return ClubRole::kNone;
    }
}

/// One object of the world a route may name, in one of the variants its kind has (an activity's
/// visibility). `marker` is a text only this object carries (its name), so a leak can be found in
/// any answer.
struct Object {
    std::string kind;
    std::string variant;
    std::int64_t id = 0;
    std::string marker;
};

/// A request as a row builds it; `as` is the user whose token it carries (none: anonymous).
struct Call {
    Method method = Method::kGet;
    std::string target;
    json::value body = nullptr;
    std::string raw;  ///< sent instead of `body` when `content_type` is set
    std::string content_type;
    std::optional<std::string> token;  ///< overrides the actor's token (a throwaway session)
};

class World;

/// The rows of one route: what a permitted call answers, and how to build the call for an actor
/// and an object (null for routes that name none).
struct Row {
    int ok = 200;  ///< the status a caller the access lets in gets
    std::function<Call(World&, Actor, const Object*)> make;
    /// The call changes or removes its object (or the caller's standing in it): every caller the
    /// access lets in gets a new one of the same variant.
    bool destructive = false;
    /// Actors whose answer differs from what the access alone gives (the owner following themselves:
    /// 400; the owner leaving their club: 409).
    std::map<Actor, int> except = {};
};

std::string Id(std::int64_t id) { return std::to_string(id); }

/// A short synthetic GPX track (one point a second on a line), distinct per `seed`.
std::string Gpx(int seed) {
    std::string gpx =
        "<?xml version=\"1.0\"?><gpx version=\"1.1\" creator=\"matrix\" xmlns=\"http://www.topografix.com/GPX/1/1\">"
        "<trk><trkseg>";
    const double lat0 = 46.0 + seed * 0.001;
    for (int i = 0; i < 120; ++i) {
        char point[200];
        std::snprintf(point, sizeof point,
                      "<trkpt lat=\"%.6f\" lon=\"%.6f\"><ele>%d</ele><time>2026-03-%02dT%02d:%02d:%02dZ</time></trkpt>",
                      lat0 + i * 0.00003, 14.0 + i * 0.00002, 300 + i % 7, 1 + seed % 28, (seed / 28) % 24, i / 60,
                      i % 60);
        gpx += point;
    }
    return gpx + "</trkseg></trk></gpx>";
}

class World {
public:
    explicit World(TestApp& app) : app_(app) {
        auto users = app.Users(8);
        owner_ = users[0];
        stranger_ = users[1];
        follower_ = users[2];
        blocked_ = users[3];
        member_ = users[4];
        removed_ = users[5];
        admin_ = users[6];
        site_admin_ = users[7];
        // As `strava1 user grant-admin EMAIL` does it.
        EXPECT_TRUE(app.Sync(app.Composed().Accounts().Standing().SetSiteAdmin(site_admin_.email, true)).has_value());
        auto followed = app.Client().As(follower_).Post("/v1/users/" + std::to_string(owner_.id) + "/follow");
        EXPECT_EQ(followed.status, 200) << followed.body;
        EXPECT_EQ(followed.json.at("state"), "accepted") << followed.body;
        auto block = app.Client().As(owner_).Post("/v1/users/" + std::to_string(blocked_.id) + "/block");
        EXPECT_EQ(block.status, 204) << block.body;
    }

    const TestUser* UserOf(Actor actor) const {
        switch (actor) {
            case Actor::kOwner:
                return &owner_;
            case Actor::kStranger:
                return &stranger_;
            case Actor::kFollower:
                return &follower_;
            case Actor::kBlocked:
                return &blocked_;
            case Actor::kAnonymous:
                return nullptr;
            case Actor::kClubMember:
                return &member_;
            case Actor::kRemovedMember:
                return &removed_;
            case Actor::kClubAdmin:
                return &admin_;
            case Actor::kSiteAdmin:
                return &site_admin_;
        }
        return nullptr;
    }
    const TestUser& Owner() const { return owner_; }

    /// Sends `call` as `actor`, each from its own client address so the per-address budgets of the
    /// sign-in routes never decide a status here.
    InProcessResponse Send(Actor actor, const Call& call) {
        auto client =
            app_.Client().From("10.9." + std::to_string(next_ip_ / 250) + "." + std::to_string(next_ip_ % 250 + 1));
        ++next_ip_;
        if (call.token) {
            client = client.WithToken(*call.token);
        } else if (const TestUser* user = UserOf(actor)) {
            client = client.As(*user);
        }
        if (!call.content_type.empty()) {
            return client.Send(call.method, call.target, call.raw, {{"Content-Type", call.content_type}});
        }
        std::string body = call.body.is_null() ? std::string() : json::serialize(call.body);
        testing::Headers headers;
        if (!body.empty()) {
            headers.emplace_back("Content-Type", "application/json");
        }
        return client.Send(call.method, call.target, std::move(body), headers);
    }

    /// The variants an object kind comes in, and whether `actor` may see an object of that variant.
    static std::vector<std::string> Variants(std::string_view kind) {
        if (kind == "activity") {
            return {"everyone", "followers", "only_me"};
        }
        if (kind == "post" || kind == "comment") {
            // A comment's: its parent post's. "club": a post in a club the owner runs, read by its members.
            return {"everyone", "followers", "only_me", "club"};
        }
        if (kind == "club" || kind == "challenge") {
            return {"public", "private"};  // a challenge's: its club's
        }
        return {"one"};
    }
    static bool Visible(Actor actor, const Object& object) {
        if (actor == Actor::kOwner) {
            return true;
        }
        if (actor == Actor::kAnonymous) {
            return false;
        }
        if (object.kind == "club" || object.kind == "challenge") {
            // Every signed-in user sees a club's card (and its challenges, ADR 0026), private or not (ADR 0021); a club
            // is its members', not its owner's alone, so a block between two people does not hide it.
            return true;
        }
        if (actor == Actor::kBlocked) {
            return false;  // a block hides everything of the owner, as if missing
        }
        if (object.variant == "club") {
            return ClubRoleOf(actor) != ClubRole::kNone;
        }
        if (object.kind == "activity" || object.kind == "post" || object.kind == "comment") {
            return object.variant == "everyone" || (object.variant == "followers" && actor == Actor::kFollower);
        }
        return object.kind == "user";  // every signed-in user the owner did not block sees the profile
    }
    /// Whether `actor` may see what the object's marker is on: for a club, its events, members and
    /// leaderboard, which are its members' only; for the rest, the object itself.
    static bool SeesContent(Actor actor, const Object& object) {
        if (object.kind == "club") {
            return ClubRoleOf(actor) != ClubRole::kNone;
        }
        return Visible(actor, object);
    }

    /// Runs a job worker until no event delivery waits (with a deadline).
    void RunEventJobs() { EXPECT_TRUE(app_.DrainJobs({"event:%"})); }
    /// A new user who is an active member of `club_id` (invited by the owner, then joined).
    std::int64_t JoinedUser(std::int64_t club_id) {
        TestUser user = Throwaway();
        app_.Client().As(owner_).Post("/v1/clubs/" + Id(club_id) + "/invites", json::object{{"user_id", user.id}});
        app_.Client().As(user).Post("/v1/clubs/" + Id(club_id) + "/join");
        return user.id;
    }
    /// A new open report (a new user reports the owner), for a moderator to decide.
    std::int64_t NewReport() {
        TestUser user = Throwaway();
        auto report = app_.Client().As(user).Post(
            "/v1/reports", json::object{{"kind", "user"}, {"id", owner_.id}, {"reason", "spam"}});
        EXPECT_EQ(report.status, 201) << report.body;
        return report.status == 201 ? report.json.at("id").to_number<std::int64_t>() : 1;
    }
    /// A new user who asked to join `club_id` (a member at once when it is public).
    std::int64_t Requester(std::int64_t club_id) {
        TestUser user = Throwaway();
        app_.Client().As(user).Post("/v1/clubs/" + Id(club_id) + "/join");
        return user.id;
    }
    /// A new event of `club_id`, three days ahead, titled `title`.
    std::int64_t NewEvent(std::int64_t club_id, const std::string& title) {
        auto event = app_.Client().As(owner_).Post(
            "/v1/clubs/" + Id(club_id) + "/events",
            json::object{{"title", title},
                         {"starts_at", FormatRfc3339(std::chrono::system_clock::now() + std::chrono::hours(72))},
                         {"ends_at", FormatRfc3339(std::chrono::system_clock::now() + std::chrono::hours(74))}});
        return event.status == 201 ? event.json.at("id").to_number<std::int64_t>() : 1;
    }
    /// The event the world made with `club_id` (any id for a club that does not exist).
    std::int64_t EventOf(std::int64_t club_id) const {
        auto found = events_.find(club_id);
        return found == events_.end() ? 1 : found->second;
    }

    /// A new object of `kind` in `variant`, owned by the owner.
    Object Create(std::string_view kind, const std::string& variant) {
        Object object{std::string(kind), variant, 0, "mx" + crypto::Hex(crypto::RandomBytes(6))};
        auto as_owner = app_.Client().As(owner_);
        if (kind == "activity" || kind == "upload") {
            auto body =
                testing::Multipart("file", "matrix.gpx", Gpx(++seed_), {{"name", object.marker}, {"sport", "run"}});
            auto uploaded =
                as_owner.Send(Method::kPost, "/v1/uploads", body.bytes, {{"Content-Type", body.content_type}});
            EXPECT_EQ(uploaded.status, 201) << uploaded.body;
            const auto upload_id = uploaded.json.at("id").to_number<std::int64_t>();
            if (kind == "upload") {
                object.id = upload_id;
                object.marker.clear();  // the name is its activity's, which everyone may see
                return object;
            }
            auto status = as_owner.Get("/v1/uploads/" + Id(upload_id));
            EXPECT_EQ(status.json.at("status"), "ready") << status.body;
            object.id = status.json.at("activity_id").to_number<std::int64_t>();
            auto patched = as_owner.Patch("/v1/activities/" + Id(object.id), json::object{{"visibility", variant}});
            EXPECT_EQ(patched.status, 200) << patched.body;
        } else if (kind == "privacy_zone") {
            auto zone = as_owner.Post("/v1/me/privacy-zones",
                                      json::object{{"lat", 10.0 + seed_ * 0.01}, {"lng", 20.0}, {"radius_m", 500}});
            ++seed_;
            EXPECT_EQ(zone.status, 201) << zone.body;
            object.id = zone.json.at("id").to_number<std::int64_t>();
            object.marker.clear();  // a zone has no text of its own
        } else if (kind == "session") {
            // A session of its own, so revoking it leaves the owner's token working.
            auto login =
                app_.Client()
                    .From("10.8.0." + std::to_string(++seed_ % 250 + 1))
                    .Post("/v1/auth/login", json::object{{"email", owner_.email}, {"password", owner_.password}});
            EXPECT_EQ(login.status, 200) << login.body;
            auto sessions = app_.Client()
                                .WithToken(std::string(login.json.at("access_token").as_string()))
                                .Get("/v1/auth/sessions");
            for (const auto& s : sessions.json.at("sessions").as_array()) {
                if (s.at("current").as_bool()) {
                    object.id = s.at("id").to_number<std::int64_t>();
                }
            }
            EXPECT_NE(object.id, 0) << sessions.body;
            object.marker.clear();
        } else if (kind == "user") {
            object.id = owner_.id;
            object.marker.clear();
        } else if (kind == "follow_request" || kind == "follower") {
            // Someone asks to follow the owner (who approves followers only for that moment), or
            // follows them at once; the object is that user's id.
            TestUser someone = Throwaway();
            const bool request = kind == "follow_request";
            if (request) {
                EXPECT_EQ(as_owner.Patch("/v1/me", json::object{{"approve_followers", true}}).status, 200);
            }
            auto followed = app_.Client().As(someone).Post("/v1/users/" + Id(owner_.id) + "/follow");
            EXPECT_EQ(followed.status, 200) << followed.body;
            EXPECT_EQ(followed.json.at("state"), request ? "pending" : "accepted") << followed.body;
            if (request) {
                EXPECT_EQ(as_owner.Patch("/v1/me", json::object{{"approve_followers", false}}).status, 200);
            }
            object.id = someone.id;
            object.marker.clear();
        } else if (kind == "post" || kind == "comment") {
            // The marker is the post's text; a comment's is its own text, on a post of that variant.
            auto post =
                variant == "club"
                    ? as_owner.Post("/v1/clubs/" + Id(ClubWithRoles("public")) + "/posts",
                                    json::object{{"text", object.marker}})
                    : as_owner.Post("/v1/posts", json::object{{"text", object.marker}, {"visibility", variant}});
            EXPECT_EQ(post.status, 201) << post.body;
            object.id = post.json.at("id").to_number<std::int64_t>();
            if (kind == "comment") {
                auto comment =
                    as_owner.Post("/v1/posts/" + Id(object.id) + "/comments", json::object{{"text", object.marker}});
                EXPECT_EQ(comment.status, 201) << comment.body;
                object.id = comment.json.at("id").to_number<std::int64_t>();
            }
        } else if (kind == "notification") {
            // Someone follows the owner: the notifications subscriber, run here by a worker, writes it.
            TestUser someone = Throwaway();
            EXPECT_EQ(app_.Client().As(someone).Post("/v1/users/" + Id(owner_.id) + "/follow").status, 200);
            RunEventJobs();
            auto list = as_owner.Get("/v1/notifications");
            EXPECT_EQ(list.status, 200) << list.body;
            for (const auto& n : list.json.at("notifications").as_array()) {
                if (n.at("actors").at(0).at("id").to_number<std::int64_t>() == someone.id) {
                    object.id = n.at("id").to_number<std::int64_t>();
                }
            }
            EXPECT_NE(object.id, 0) << list.body;
            object.marker.clear();
        } else if (kind == "club" || kind == "challenge") {
            // The marker is the club's event's title: content only its members see; a challenge's
            // is its title, which its club's card shows everyone signed in.
            object.id = ClubWithRoles(variant);
            const std::string base = "/v1/clubs/" + Id(object.id);
            if (kind == "challenge") {
                auto challenge = as_owner.Post(
                    base + "/challenges", json::object{{"title", object.marker},
                                                       {"type", "total_distance"},
                                                       {"goal_value", 10000},
                                                       {"starts_at", FormatRfc3339(std::chrono::system_clock::now())},
                                                       {"ends_at", FormatRfc3339(std::chrono::system_clock::now() +
                                                                                 std::chrono::hours(72))}});
                EXPECT_EQ(challenge.status, 201) << challenge.body;
                object.id = challenge.json.at("id").to_number<std::int64_t>();
            } else {
                events_[object.id] = NewEvent(object.id, object.marker);
            }
        } else {
            ADD_FAILURE() << "the matrix cannot make a " << kind;
        }
        return object;
    }

    /// A new club of the owner's (privacy "public" or "private") where the club actors have their roles:
    /// the member and the admin active, the removed member removed.
    std::int64_t ClubWithRoles(const std::string& privacy) {
        auto as_owner = app_.Client().As(owner_);
        auto club = as_owner.Post(
            "/v1/clubs", json::object{{"name", "Matrix club " + privacy}, {"sport", "run"}, {"privacy", privacy}});
        EXPECT_EQ(club.status, 201) << club.body;
        const std::int64_t id = club.json.at("id").to_number<std::int64_t>();
        const std::string base = "/v1/clubs/" + Id(id);
        for (const TestUser* user : {&member_, &removed_, &admin_}) {
            auto invited = as_owner.Post(base + "/invites", json::object{{"user_id", user->id}});
            EXPECT_EQ(invited.status, 200) << invited.body;
            auto joined = app_.Client().As(*user).Post(base + "/join");
            EXPECT_EQ(joined.json.at("state"), "active") << joined.body;
        }
        auto promoted = as_owner.Patch(base + "/members/" + Id(admin_.id), json::object{{"role", "admin"}});
        EXPECT_EQ(promoted.status, 200) << promoted.body;
        auto removed = as_owner.Delete(base + "/members/" + Id(removed_.id));
        EXPECT_EQ(removed.status, 204) << removed.body;
        return id;
    }

    /// A throwaway user (and its token) for calls that would end the actor's own session or account.
    /// Each from its own client address, so the sign-up budget per address is never what answers.
    TestUser Throwaway() {
        ++throwaways_;
        return app_.Client()
            .From("10.7." + std::to_string(throwaways_ / 250) + "." + std::to_string(throwaways_ % 250 + 1))
            .Users(1)[0];
    }

    TestApp& App() { return app_; }

private:
    TestApp& app_;
    TestUser owner_;
    TestUser stranger_;
    TestUser follower_;
    TestUser blocked_;
    TestUser member_;
    TestUser removed_;
    TestUser admin_;
    TestUser site_admin_;
    std::map<std::int64_t, std::int64_t> events_;  // club id -> its event
    int seed_ = 0;
    int next_ip_ = 0;
    int throwaways_ = 0;
};

/// The token a call carries for `actor` when the row needs a session it may end: a fresh sign-up
/// for signed-in actors, nothing for the anonymous one.
std::optional<std::string> ThrowawayToken(World& world, Actor actor) {
    if (actor == Actor::kAnonymous) {
        return std::nullopt;
    }
    return world.Throwaway().access_token;
}

Call Get(std::string target) { return {.method = Method::kGet, .target = std::move(target)}; }

/// Every route's rows, keyed "METHOD /template" as the route table spells it.
std::map<std::string, Row> Rows() {
    auto on = [](std::string prefix, std::string suffix = {}) {
        return [prefix = std::move(prefix), suffix = std::move(suffix)](World&, Actor, const Object* o) {
            return Get(prefix + Id(o->id) + suffix);
        };
    };
    auto fixed = [](std::string target) {
        return [target = std::move(target)](World&, Actor, const Object*) { return Get(target); };
    };
    std::map<std::string, Row> rows;
    rows["GET /healthz"] = {200, fixed("/healthz")};
    rows["GET /readyz"] = {200, fixed("/readyz")};
    rows["GET /openapi.json"] = {200, fixed("/openapi.json")};
    // Without STRAVA1_METRICS_TOKEN the metrics are only for clients on the machine itself, which
    // an in-process client does not count as; a user's token never opens them.
    rows["GET /metrics"] = {403, fixed("/metrics")};
    rows["POST /v1/auth/signup"] = {
        201, [](World&, Actor, const Object*) {
            return Call{.method = Method::kPost,
                        .target = "/v1/auth/signup",
                        .body = json::object{{"email", "mx" + crypto::Hex(crypto::RandomBytes(6)) + "@example.com"},
                                             {"password", "correct horse battery"},
                                             {"display_name", "Matrix"}}};
        }};
    rows["POST /v1/auth/login"] = {
        200, [](World& w, Actor, const Object*) {
            return Call{.method = Method::kPost,
                        .target = "/v1/auth/login",
                        .body = json::object{{"email", w.Owner().email}, {"password", w.Owner().password}}};
        }};
    rows["POST /v1/auth/refresh"] = {200, [](World& w, Actor, const Object*) {
                                         return Call{
                                             .method = Method::kPost,
                                             .target = "/v1/auth/refresh",
                                             .body = json::object{{"refresh_token", w.Throwaway().refresh_token}}};
                                     }};
    rows["POST /v1/auth/logout"] = {
        204, [](World& w, Actor a, const Object*) {
            return Call{.method = Method::kPost, .target = "/v1/auth/logout", .token = ThrowawayToken(w, a)};
        }};
    rows["POST /v1/auth/password"] = {
        204, [](World& w, Actor a, const Object*) {
            Call call{.method = Method::kPost, .target = "/v1/auth/password"};
            if (a != Actor::kAnonymous) {
                TestUser user = w.Throwaway();
                call.token = user.access_token;
                call.body =
                    json::object{{"current_password", user.password}, {"new_password", "another horse battery"}};
            } else {
                call.body = json::object{{"current_password", "x"}, {"new_password", "another horse battery"}};
            }
            return call;
        }};
    rows["GET /v1/auth/sessions"] = {200, fixed("/v1/auth/sessions")};
    rows["DELETE /v1/auth/sessions/{session_id}"] = {204,
                                                     [](World&, Actor, const Object* o) {
                                                         return Call{.method = Method::kDelete,
                                                                     .target = "/v1/auth/sessions/" + Id(o->id)};
                                                     },
                                                     true};
    rows["GET /v1/me"] = {200, fixed("/v1/me")};
    rows["PATCH /v1/me"] = {
        200, [](World&, Actor, const Object*) {
            return Call{.method = Method::kPatch, .target = "/v1/me", .body = json::object{{"bio", "matrix"}}};
        }};
    rows["DELETE /v1/me"] = {
        204, [](World& w, Actor a, const Object*) {
            Call call{.method = Method::kDelete, .target = "/v1/me", .body = json::object{{"password", "x"}}};
            if (a != Actor::kAnonymous) {
                TestUser user = w.Throwaway();
                call.token = user.access_token;
                call.body = json::object{{"password", user.password}};
            }
            return call;
        }};
    rows["GET /v1/users/{user_id}"] = {200, on("/v1/users/")};
    rows["GET /v1/users/{user_id}/activities"] = {200, on("/v1/users/", "/activities")};
    rows["GET /v1/users/{user_id}/stats"] = {200, on("/v1/users/", "/stats")};
    rows["POST /v1/uploads"] = {
        201, [](World&, Actor, const Object*) {
            static int seed = 5000;  // apart from the world's own tracks
            auto body = testing::Multipart("file", "mine.gpx", Gpx(++seed));
            return Call{
                .method = Method::kPost, .target = "/v1/uploads", .raw = body.bytes, .content_type = body.content_type};
        }};
    rows["GET /v1/uploads/{upload_id}"] = {200, on("/v1/uploads/")};
    rows["POST /v1/activities"] = {201, [](World&, Actor, const Object*) {
                                       return Call{.method = Method::kPost,
                                                   .target = "/v1/activities",
                                                   .body = json::object{{"sport", "run"},
                                                                        {"start_time", "2026-02-01T07:00:00Z"},
                                                                        {"elapsed_s", 1800},
                                                                        {"distance_m", 5000}}};
                                   }};
    rows["GET /v1/activities/{activity_id}"] = {200, on("/v1/activities/")};
    rows["PATCH /v1/activities/{activity_id}"] = {
        200, [](World&, Actor, const Object* o) {
            return Call{.method = Method::kPatch,
                        .target = "/v1/activities/" + Id(o->id),
                        .body = json::object{{"description", "edited by the matrix"}}};
        }};
    rows["DELETE /v1/activities/{activity_id}"] = {204,
                                                   [](World&, Actor, const Object* o) {
                                                       return Call{.method = Method::kDelete,
                                                                   .target = "/v1/activities/" + Id(o->id)};
                                                   },
                                                   true};
    rows["GET /v1/athlete/activities"] = {200, fixed("/v1/athlete/activities")};
    for (const char* sub : {"streams", "laps", "splits", "lengths", "zones", "curves", "best-efforts", "export.gpx"}) {
        rows["GET /v1/activities/{activity_id}/" + std::string(sub)] = {200,
                                                                        on("/v1/activities/", "/" + std::string(sub))};
    }
    rows["GET /v1/activities/{activity_id}/original"] = {302, on("/v1/activities/", "/original")};
    rows["GET /v1/me/records"] = {200, fixed("/v1/me/records")};
    rows["GET /v1/me/privacy-zones"] = {200, fixed("/v1/me/privacy-zones")};
    rows["POST /v1/me/privacy-zones"] = {
        201, [](World&, Actor, const Object*) {
            return Call{.method = Method::kPost,
                        .target = "/v1/me/privacy-zones",
                        .body = json::object{{"lat", -33.9}, {"lng", 151.2}, {"radius_m", 300}}};
        }};
    rows["PATCH /v1/me/privacy-zones/{zone_id}"] = {200, [](World&, Actor, const Object* o) {
                                                        return Call{.method = Method::kPatch,
                                                                    .target = "/v1/me/privacy-zones/" + Id(o->id),
                                                                    .body = json::object{{"radius_m", 400}}};
                                                    }};
    rows["DELETE /v1/me/privacy-zones/{zone_id}"] = {204,
                                                     [](World&, Actor, const Object* o) {
                                                         return Call{.method = Method::kDelete,
                                                                     .target = "/v1/me/privacy-zones/" + Id(o->id)};
                                                     },
                                                     true};
    rows["GET /v1/tiles"] = {200, fixed("/v1/tiles")};
    // The signed routes: a signature taken from the route that grants it; the tile's upstream is
    // a closed port here, so an accepted signature answers 503 (a refused one 403).
    rows["GET /v1/tiles/{z}/{x}/{y}"] = {
        503, [](World& w, Actor, const Object*) {
            auto source = w.App().Client().As(w.Owner()).Get("/v1/tiles");
            std::string target(source.json.at("url").as_string());
            for (auto [name, value] : {std::pair{"{z}", "3"}, std::pair{"{x}", "4"}, std::pair{"{y}", "2"}}) {
                target.replace(target.find(name), 3, value);
            }
            return Get(target);
        }};
    rows["GET /v1/objects/{key}"] = {
        200, [](World& w, Actor, const Object*) {
            Object activity = w.Create("activity", "only_me");
            auto original = w.App().Client().As(w.Owner()).Get("/v1/activities/" + Id(activity.id) + "/original");
            EXPECT_EQ(original.status, 302) << original.body;
            return Get(std::string(original.Header("Location")));
        }};
    // Social. A call that would change an actor's relation to the owner (a stranger following or
    // blocking them) is sent by a throwaway user in the actor's place, so the world stays as it is;
    // as_user: the call on the user a row names (the owner, for routes that name none).
    auto as_user = [](Method method, std::string suffix) {
        return [method, suffix = std::move(suffix)](World& w, Actor, const Object* o) {
            return Call{.method = method, .target = "/v1/users/" + Id(o ? o->id : w.Owner().id) + suffix};
        };
    };
    const std::map<Actor, int> self_400 = {{Actor::kOwner, 400}};
    rows["POST /v1/users/{user_id}/follow"] = {
        200,
        [](World& w, Actor a, const Object* o) {
            Call call{.method = Method::kPost, .target = "/v1/users/" + Id(o->id) + "/follow"};
            if (a != Actor::kFollower && a != Actor::kBlocked && a != Actor::kOwner) {
                // Others follow through a throwaway in their place, so no
                // actor's relation to the owner changes; the follower's own
                // call is the idempotent repeat.
                call.token = ThrowawayToken(w, a);
            }
            return call;
        },
        false, self_400};
    rows["DELETE /v1/users/{user_id}/follow"] = {
        204,
        [](World& w, Actor a, const Object* o) {
            Call call{.method = Method::kDelete, .target = "/v1/users/" + Id(o->id) + "/follow"};
            if (a == Actor::kStranger || a == Actor::kFollower) {
                TestUser someone = w.Throwaway();
                if (a == Actor::kFollower) {  // a follower of its own, who really unfollows
                    EXPECT_EQ(w.App().Client().As(someone).Post(call.target).status, 200);
                }
                call.token = someone.access_token;
            }
            return call;
        },
        false, self_400};
    rows["GET /v1/users/{user_id}/followers"] = {200, on("/v1/users/", "/followers")};
    rows["GET /v1/users/{user_id}/following"] = {200, on("/v1/users/", "/following")};
    rows["POST /v1/users/{user_id}/mute"] = {204, as_user(Method::kPost, "/mute"), false, self_400};
    rows["DELETE /v1/users/{user_id}/mute"] = {204, as_user(Method::kDelete, "/mute"), false, self_400};
    rows["POST /v1/users/{user_id}/block"] = {204,
                                              [](World& w, Actor a, const Object*) {
                                                  Call call{.method = Method::kPost,
                                                            .target = "/v1/users/" + Id(w.Owner().id) + "/block"};
                                                  if (a != Actor::kOwner) {
                                                      call.token = ThrowawayToken(w, a);
                                                  }
                                                  return call;
                                              },
                                              false, self_400};
    rows["DELETE /v1/users/{user_id}/block"] = {204, as_user(Method::kDelete, "/block"), false, self_400};
    rows["GET /v1/me/blocks"] = {200, fixed("/v1/me/blocks")};
    rows["GET /v1/feed"] = {200, fixed("/v1/feed")};
    rows["GET /v1/users/search"] = {200, fixed("/v1/users/search?q=someone")};
    rows["GET /v1/me/suggestions"] = {200, fixed("/v1/me/suggestions")};
    rows["POST /v1/me/suggestions/{user_id}/dismiss"] = {
        204,
        [](World& w, Actor, const Object*) {
            return Call{.method = Method::kPost, .target = "/v1/me/suggestions/" + Id(w.Owner().id) + "/dismiss"};
        },
        false,
        {{Actor::kOwner, 400}, {Actor::kBlocked, 404}}};
    rows["GET /v1/users/{user_id}/feed"] = {200, on("/v1/users/", "/feed")};
    rows["GET /v1/me/follow-requests"] = {200, fixed("/v1/me/follow-requests")};
    for (const char* answer : {"accept", "decline"}) {
        rows["POST /v1/me/follow-requests/{user_id}/" + std::string(answer)] = {
            204,
            [answer](World&, Actor, const Object* o) {
                return Call{.method = Method::kPost, .target = "/v1/me/follow-requests/" + Id(o->id) + "/" + answer};
            },
            true};
    }
    rows["DELETE /v1/me/followers/{user_id}"] = {204,
                                                 [](World&, Actor, const Object* o) {
                                                     return Call{.method = Method::kDelete,
                                                                 .target = "/v1/me/followers/" + Id(o->id)};
                                                 },
                                                 true};
    // Clubs (features/groups). Calls that change the caller's standing or remove the object are
    // destructive: each caller the access lets in acts on a club of its own.
    auto call = [](Method method, std::string prefix, std::string suffix = {}, json::value body = nullptr) {
        return [=](World&, Actor, const Object* o) {
            return Call{.method = method, .target = prefix + Id(o->id) + suffix, .body = body};
        };
    };
    auto on_event = [](Method method, std::string suffix, json::value body = nullptr) {
        return [=](World& w, Actor, const Object* o) {
            return Call{.method = method,
                        .target = "/v1/clubs/" + Id(o->id) + "/events/" + Id(w.EventOf(o->id)) + suffix,
                        .body = body};
        };
    };
    rows["POST /v1/clubs"] = {201, [](World&, Actor, const Object*) {
                                  return Call{
                                      .method = Method::kPost,
                                      .target = "/v1/clubs",
                                      .body = json::object{{"name", "Mine"}, {"sport", "ride"}, {"privacy", "public"}}};
                              }};
    rows["GET /v1/clubs"] = {200, fixed("/v1/clubs?q=matrix")};
    rows["GET /v1/clubs/{club_id}"] = {200, on("/v1/clubs/")};
    rows["PATCH /v1/clubs/{club_id}"] = {
        200, call(Method::kPatch, "/v1/clubs/", "", json::object{{"description", "edited by the matrix"}})};
    rows["DELETE /v1/clubs/{club_id}"] = {204, call(Method::kDelete, "/v1/clubs/"), true};
    rows["POST /v1/clubs/{club_id}/join"] = {200, call(Method::kPost, "/v1/clubs/", "/join"), true};
    rows["DELETE /v1/clubs/{club_id}/membership"] = {
        204, call(Method::kDelete, "/v1/clubs/", "/membership"), true, {{Actor::kOwner, 409}}};
    rows["POST /v1/clubs/{club_id}/invites"] = {200, [](World& w, Actor, const Object* o) {
                                                    return Call{.method = Method::kPost,
                                                                .target = "/v1/clubs/" + Id(o->id) + "/invites",
                                                                .body = json::object{{"user_id", w.Throwaway().id}}};
                                                }};
    rows["GET /v1/clubs/{club_id}/members"] = {200, on("/v1/clubs/", "/members")};
    rows["PATCH /v1/clubs/{club_id}/members/{user_id}"] = {
        200, [](World& w, Actor, const Object* o) {
            return Call{.method = Method::kPatch,
                        .target = "/v1/clubs/" + Id(o->id) + "/members/" + Id(w.JoinedUser(o->id)),
                        .body = json::object{{"role", "admin"}}};
        }};
    rows["DELETE /v1/clubs/{club_id}/members/{user_id}"] = {
        204, [](World& w, Actor, const Object* o) {
            return Call{.method = Method::kDelete,
                        .target = "/v1/clubs/" + Id(o->id) + "/members/" + Id(w.JoinedUser(o->id))};
        }};
    rows["POST /v1/clubs/{club_id}/members/{user_id}/accept"] = {
        200, [](World& w, Actor, const Object* o) {
            return Call{.method = Method::kPost,
                        .target = "/v1/clubs/" + Id(o->id) + "/members/" + Id(w.Requester(o->id)) + "/accept"};
        }};
    rows["POST /v1/clubs/{club_id}/events"] = {
        201, [](World&, Actor, const Object* o) {
            return Call{.method = Method::kPost,
                        .target = "/v1/clubs/" + Id(o->id) + "/events",
                        .body = json::object{
                            {"title", "Matrix run"},
                            {"starts_at", FormatRfc3339(std::chrono::system_clock::now() + std::chrono::hours(50))},
                            {"ends_at", FormatRfc3339(std::chrono::system_clock::now() + std::chrono::hours(51))}}};
        }};
    rows["GET /v1/clubs/{club_id}/events"] = {200, on("/v1/clubs/", "/events")};
    rows["GET /v1/clubs/{club_id}/events/{event_id}"] = {200, on_event(Method::kGet, "")};
    rows["PATCH /v1/clubs/{club_id}/events/{event_id}"] = {
        200, on_event(Method::kPatch, "", json::object{{"place", "edited by the matrix"}})};
    rows["DELETE /v1/clubs/{club_id}/events/{event_id}"] = {
        204, [](World& w, Actor, const Object* o) {
            return Call{.method = Method::kDelete,
                        .target = "/v1/clubs/" + Id(o->id) + "/events/" + Id(w.NewEvent(o->id, "doomed"))};
        }};
    rows["PUT /v1/clubs/{club_id}/events/{event_id}/rsvp"] = {
        200, on_event(Method::kPut, "/rsvp", json::object{{"answer", "going"}})};
    rows["DELETE /v1/clubs/{club_id}/events/{event_id}/rsvp"] = {204, on_event(Method::kDelete, "/rsvp")};
    rows["GET /v1/clubs/{club_id}/events/{event_id}/attendees"] = {200, on_event(Method::kGet, "/attendees")};
    rows["GET /v1/clubs/{club_id}/leaderboard"] = {200, on("/v1/clubs/", "/leaderboard?sport=run")};
    // Challenges (features/groups, ADR 0026): created by club admins, seen like the club's card,
    // joined and ranked by members only.
    rows["POST /v1/clubs/{club_id}/challenges"] = {201, call(Method::kPost, "/v1/clubs/", "/challenges",
                                                             json::object{{"title", "Matrix goal"},
                                                                          {"type", "total_time"},
                                                                          {"goal_value", 3600},
                                                                          {"starts_at", "2026-01-01T00:00:00Z"},
                                                                          {"ends_at", "2099-01-01T00:00:00Z"}})};
    rows["GET /v1/clubs/{club_id}/challenges"] = {200, on("/v1/clubs/", "/challenges")};
    rows["GET /v1/challenges/{challenge_id}"] = {200, on("/v1/challenges/")};
    rows["PUT /v1/challenges/{challenge_id}/participation"] = {200,
                                                               call(Method::kPut, "/v1/challenges/", "/participation")};
    rows["DELETE /v1/challenges/{challenge_id}/participation"] = {
        204, call(Method::kDelete, "/v1/challenges/", "/participation")};
    rows["GET /v1/challenges/{challenge_id}/leaderboard"] = {200, on("/v1/challenges/", "/leaderboard")};
    rows["GET /v1/me/challenges"] = {200, fixed("/v1/me/challenges")};
    auto send = [](Method method, std::string prefix, std::string suffix, json::value body = nullptr) {
        return [=](World&, Actor, const Object* o) {
            return Call{.method = method, .target = prefix + Id(o->id) + suffix, .body = body};
        };
    };
    rows["POST /v1/posts"] = {201, [](World&, Actor, const Object*) {
                                  return Call{.method = Method::kPost,
                                              .target = "/v1/posts",
                                              .body = json::object{{"text", "a matrix post"}}};
                              }};
    rows["GET /v1/posts/{post_id}"] = {200, on("/v1/posts/")};
    rows["POST /v1/clubs/{club_id}/posts"] = {
        201, call(Method::kPost, "/v1/clubs/", "/posts", json::object{{"text", "a matrix club post"}})};
    rows["GET /v1/clubs/{club_id}/feed"] = {200, on("/v1/clubs/", "/feed")};
    // The edit keeps the text (the marker) and the visibility: only the time changes.
    rows["PATCH /v1/posts/{post_id}"] = {200, [](World&, Actor, const Object* o) {
                                             return Call{.method = Method::kPatch,
                                                         .target = "/v1/posts/" + Id(o->id),
                                                         .body = json::object{{"text", o->marker}}};
                                         }};
    rows["DELETE /v1/posts/{post_id}"] = {204, send(Method::kDelete, "/v1/posts/", ""), true};
    rows["GET /v1/users/{user_id}/posts"] = {200, on("/v1/users/", "/posts")};
    rows["POST /v1/posts/{post_id}/comments"] = {
        201, send(Method::kPost, "/v1/posts/", "/comments", json::object{{"text", "a matrix comment"}})};
    rows["GET /v1/posts/{post_id}/comments"] = {200, on("/v1/posts/", "/comments")};
    rows["POST /v1/activities/{activity_id}/comments"] = {
        201, send(Method::kPost, "/v1/activities/", "/comments", json::object{{"text", "a matrix comment"}})};
    rows["GET /v1/activities/{activity_id}/comments"] = {200, on("/v1/activities/", "/comments")};
    rows["PATCH /v1/comments/{comment_id}"] = {200, [](World&, Actor, const Object* o) {
                                                   return Call{.method = Method::kPatch,
                                                               .target = "/v1/comments/" + Id(o->id),
                                                               .body = json::object{{"text", o->marker}}};
                                               }};
    rows["DELETE /v1/comments/{comment_id}"] = {204, send(Method::kDelete, "/v1/comments/", ""), true};
    for (const auto& [path, prefix, suffix] :
         {std::tuple{"/v1/activities/{activity_id}/kudos", "/v1/activities/", "/kudos"},
          std::tuple{"/v1/posts/{post_id}/likes", "/v1/posts/", "/likes"},
          std::tuple{"/v1/comments/{comment_id}/likes", "/v1/comments/", "/likes"}}) {
        rows[std::string("PUT ") + path] = {200, send(Method::kPut, prefix, suffix)};
        rows[std::string("DELETE ") + path] = {200, send(Method::kDelete, prefix, suffix)};
        rows[std::string("GET ") + path] = {200, on(prefix, suffix)};
    }
    rows["GET /v1/notifications"] = {200, fixed("/v1/notifications")};
    rows["GET /v1/notifications/unread-count"] = {200, fixed("/v1/notifications/unread-count")};
    rows["POST /v1/notifications/read-all"] = {200, [](World&, Actor, const Object*) {
                                                   return Call{.method = Method::kPost,
                                                               .target = "/v1/notifications/read-all"};
                                               }};
    rows["POST /v1/notifications/{notification_id}/read"] = {204, send(Method::kPost, "/v1/notifications/", "/read")};
    // Moderation (ADR 0024). Everyone reports the owner's profile: the owner cannot report themselves
    // and the blocked user does not see it.
    rows["POST /v1/reports"] = {
        201,
        [](World& w, Actor, const Object*) {
            return Call{.method = Method::kPost,
                        .target = "/v1/reports",
                        .body = json::object{
                            {"kind", "user"}, {"id", w.Owner().id}, {"reason", "other"}, {"note", "a matrix report"}}};
        },
        false,
        {{Actor::kOwner, 400}, {Actor::kBlocked, 404}}};
    rows["GET /v1/me/warnings"] = {200, fixed("/v1/me/warnings")};
    rows["GET /v1/admin/reports"] = {200, fixed("/v1/admin/reports?state=open")};
    rows["POST /v1/admin/reports/{report_id}/resolve"] = {
        200, [](World& w, Actor a, const Object*) {
            const std::int64_t id = a == Actor::kSiteAdmin ? w.NewReport() : 1;
            return Call{.method = Method::kPost,
                        .target = "/v1/admin/reports/" + Id(id) + "/resolve",
                        .body = json::object{{"action", "dismiss"}}};
        }};
    rows["POST /v1/admin/users/{user_id}/unsuspend"] = {
        204, [](World& w, Actor, const Object*) {
            return Call{.method = Method::kPost, .target = "/v1/admin/users/" + Id(w.Owner().id) + "/unsuspend"};
        }};
    return rows;
}

/// The status `actor` must get from `route` on `object` (null: the route names none).
int Expected(const http::Route& route, const Row& row, Actor actor, const Object* object) {
    if (auto special = row.except.find(actor); special != row.except.end()) {
        return special->second;
    }
    const auto kind = route.access.kind;
    if (kind == AccessKind::kAnyone || kind == AccessKind::kSignedUrl || kind == AccessKind::kOperator) {
        return row.ok;
    }
    // The admin API answers everyone else, the anonymous included, as a path that does not exist.
    if (kind == AccessKind::kSiteAdmin) {
        return actor == Actor::kSiteAdmin ? row.ok : 404;
    }
    if (actor == Actor::kAnonymous) {
        return 401;
    }
    if (auto it = row.except.find(actor); it != row.except.end()) {
        return it->second;
    }
    switch (kind) {
        case AccessKind::kSignedIn:
            return row.ok;
        case AccessKind::kOwner:
            // A club's admins manage its posts (ADR 0022): they may delete one, not edit it.
            if (object && object->kind == "post" && object->variant == "club" && actor == Actor::kClubAdmin &&
                route.method == Method::kDelete) {
                return row.ok;
            }
            return actor == Actor::kOwner ? row.ok : 404;
        case AccessKind::kViewer:
            return World::Visible(actor, *object) ? row.ok : 404;
        case AccessKind::kMember:
            return ClubRoleOf(actor) != ClubRole::kNone ? row.ok : 404;
        case AccessKind::kScopeAdmin:
            return ClubRoleOf(actor) == ClubRole::kAdmin ? row.ok : ClubRoleOf(actor) == ClubRole::kMember ? 403 : 404;
        default:
            ADD_FAILURE() << "the matrix has no rule for access " << http::AccessKindName(kind);
            return 0;
    }
}

std::string Where(const http::Route& route, Actor actor, const Object* object) {
    return std::string(http::MethodName(route.method)) + " " + route.path + " as " + std::string(ActorName(actor)) +
           (object ? " on " + object->kind + "/" + object->variant : std::string());
}

TEST(AuthorisationMatrix, EveryRouteAnswersEveryActorAsItsAccessSaysAndLeaksNothing) {
    if (!testing::PgDsn()) {
        STRAVA1_SKIP_OR_FAIL("no test PostgreSQL (STRAVA1_TEST_PG)");
    }
    Config config = TestConfig();
    config.tile_url = "http://127.0.0.1:1/{z}/{x}/{y}.png";  // nothing listens on port 1
    // The owner makes hundreds of calls in seconds (every route, every object): the per-user budget
    // must not be what answers here (its own tests are the rate limiter's).
    config.server.user_budget = {1000, 10000};
    TestApp app(config);
    World world(app);
    auto rows = Rows();

    // Objects of every kind and variant a route names, made once; destructive owner calls make their own.
    std::map<std::string, std::vector<Object>> objects;
    std::vector<Object> every_object;
    for (const auto& route : app.Composed().Registered().Router().Routes()) {
        const std::string kind(route.access.object);
        if (!kind.empty() && !objects.contains(kind)) {
            for (const auto& variant : World::Variants(kind)) {
                objects[kind].push_back(world.Create(kind, variant));
                every_object.push_back(objects[kind].back());
            }
        }
    }

    std::set<std::string> routed;
    int calls = 0;
    for (const auto& route : app.Composed().Registered().Router().Routes()) {
        const std::string key = std::string(http::MethodName(route.method)) + " " + route.path;
        routed.insert(key);
        auto found = rows.find(key);
        if (found == rows.end()) {
            ADD_FAILURE() << "no authorisation matrix rows for " << key << " (access "
                          << http::AccessKindName(route.access.kind) << "): add them to " << __FILE__;
            continue;
        }
        const Row& row = found->second;
        std::vector<const Object*> targets;
        if (route.access.object.empty()) {
            targets.push_back(nullptr);
        } else {
            for (const auto& object : objects[std::string(route.access.object)]) {
                targets.push_back(&object);
            }
        }
        for (const Object* shared : targets) {
            for (Actor actor : kActors) {
                std::optional<Object> own;
                if (row.destructive && shared && Expected(route, row, actor, shared) == row.ok) {
                    own = world.Create(shared->kind, shared->variant);
                }
                const Object* object = own ? &*own : shared;
                const Call call = row.make(world, actor, object);
                auto answer = world.Send(actor, call);
                ++calls;
                const int expected = Expected(route, row, actor, object);
                EXPECT_EQ(answer.status, expected) << Where(route, actor, object) << ": " << answer.body;
                // Hidden like missing: the same call on an id that does not exist answers the same.
                if (expected == 404 && object) {
                    Object missing = *object;
                    missing.id = 9'000'000'000'000LL + object->id;
                    auto absent = world.Send(actor, row.make(world, actor, &missing));
                    EXPECT_EQ(absent.status, 404) << Where(route, actor, object) << " on a missing id";
                    EXPECT_EQ(ProblemShape(answer), ProblemShape(absent))
                        << Where(route, actor, object) << ": a hidden object must answer as a missing one";
                }
                for (const Object& other : every_object) {
                    if (!other.marker.empty() && !World::SeesContent(actor, other)) {
                        EXPECT_EQ(answer.body.find(other.marker), std::string::npos)
                            << Where(route, actor, object) << " leaks " << other.kind << "/" << other.variant;
                    }
                }
            }
        }
    }
    for (const auto& [key, row] : rows) {
        EXPECT_TRUE(routed.contains(key)) << "matrix rows for " << key << ", which no route serves";
    }
    // Nothing another actor sent changed the owner's objects.
    auto as_owner = app.Client().As(world.Owner());
    for (const Object& object : objects["activity"]) {
        auto read = as_owner.Get("/v1/activities/" + Id(object.id));
        EXPECT_EQ(read.status, 200) << read.body;
        EXPECT_EQ(read.json.at("name"), object.marker.c_str());
        EXPECT_EQ(read.json.at("visibility"), object.variant.c_str());
    }
    for (const Object& object : objects["club"]) {
        auto read = as_owner.Get("/v1/clubs/" + Id(object.id));
        EXPECT_EQ(read.status, 200) << read.body;
        EXPECT_EQ(read.json.at("privacy"), object.variant.c_str());
        // Each club actor's standing is what the world made it, whatever the others sent.
        for (auto [actor, role] : {std::pair{Actor::kClubMember, "member"}, std::pair{Actor::kClubAdmin, "admin"}}) {
            auto card = world.Send(actor, Get("/v1/clubs/" + Id(object.id)));
            EXPECT_EQ(card.json.at("membership").at("role"), role) << card.body;
            EXPECT_EQ(card.json.at("membership").at("state"), "active") << card.body;
        }
        EXPECT_TRUE(
            world.Send(Actor::kRemovedMember, Get("/v1/clubs/" + Id(object.id))).json.at("membership").is_null());
        auto event = as_owner.Get("/v1/clubs/" + Id(object.id) + "/events/" + Id(world.EventOf(object.id)));
        EXPECT_EQ(event.status, 200) << event.body;
    }
    std::printf("authorisation matrix: %zu routes, %d calls\n", routed.size(), calls);
}

}  // namespace
}  // namespace strava1::app
