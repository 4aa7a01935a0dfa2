#include "routes.hpp"

#include "strava1/http/paging.hpp"

namespace strava1::groups {
namespace asio = boost::asio;
using http::RequestPtr;
using http::Response;

namespace {

constexpr const char* kClub = "club";

Response Json(int status, std::string body) { return Response::Text(status, "application/json", std::move(body)); }

/// `?limit=&cursor=` and the other query parameters a list names, with one 400 for all that is wrong.
ListPage ReadList(const http::Request& req, std::size_t cursor_parts) {
    FieldErrors errors;
    http::Page page = http::ReadPage(req, cursor_parts, errors);
    errors.ThrowIfAny();
    return ListPage{page.limit, page.after};
}

std::int64_t ClubId(const http::Request& req) { return req.PathId("club_id", kClub); }

}  // namespace

asio::awaitable<Response> Routes::CreateClub(RequestPtr req) {
    db::Result club = co_await service_.CreateClub(req->Caller(), json::ReadBody<NewClubBody>(req->body));
    co_return Json(201, ClubJson(club));
}

asio::awaitable<Response> Routes::ListClubs(RequestPtr req) {
    ListPage page = ReadList(*req, 1);
    std::optional<std::string> mine = req->QueryParam("mine");
    if (mine && *mine != "true" && *mine != "false") {
        throw InvalidField("mine", "must be true or false");
    }
    PageOf clubs = co_await service_.SearchClubs(req->Caller(), req->QueryParam("q"), mine == "true", page);
    co_return Json(200, ClubListJson(clubs.rows, clubs.shown, clubs.next_cursor));
}

asio::awaitable<Response> Routes::GetClub(RequestPtr req) {
    db::Result club = co_await service_.GetClub(req->Caller(), ClubId(*req));
    co_return Json(200, ClubJson(club));
}

asio::awaitable<Response> Routes::PatchClub(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    db::Result club = co_await service_.PatchClub(req->Caller(), club_id, json::ReadBody<PatchClubBody>(req->body));
    co_return Json(200, ClubJson(club));
}

asio::awaitable<Response> Routes::DeleteClub(RequestPtr req) {
    co_await service_.DeleteClub(req->Caller(), ClubId(*req));
    co_return Response::NoContent();
}

asio::awaitable<Response> Routes::Join(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    std::optional<groups::Membership> m = co_await service_.Join(req->Caller(), club_id);
    co_return Json(200, MembershipJson(club_id, req->Caller().user_id, m));
}

asio::awaitable<Response> Routes::Leave(RequestPtr req) {
    co_await service_.Leave(req->Caller(), ClubId(*req));
    co_return Response::NoContent();
}

asio::awaitable<Response> Routes::Invite(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    InviteBody body = json::ReadBody<InviteBody>(req->body);
    std::optional<groups::Membership> m = co_await service_.Invite(req->Caller(), club_id, body.user_id);
    co_return Json(200, MembershipJson(club_id, body.user_id, m));
}

asio::awaitable<Response> Routes::Members(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    ListPage page = ReadList(*req, 1);
    Names names;
    PageOf members = co_await service_.Members(req->Caller(), club_id, req->QueryParam("state"),
                                               req->QueryParam("role"), page, names);
    co_return Json(200, MemberListJson(members.rows, members.shown, names, members.next_cursor));
}

asio::awaitable<Response> Routes::SetRole(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    const std::int64_t user_id = req->PathId("user_id", "member");
    MemberRoleBody body = json::ReadBody<MemberRoleBody>(req->body);
    std::optional<groups::Membership> m =
        co_await service_.SetRole(req->Caller(), club_id, user_id, std::move(body.role));
    co_return Json(200, MembershipJson(club_id, user_id, m));
}

asio::awaitable<Response> Routes::Remove(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    co_await service_.Remove(req->Caller(), club_id, req->PathId("user_id", "member"));
    co_return Response::NoContent();
}

asio::awaitable<Response> Routes::Accept(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    const std::int64_t user_id = req->PathId("user_id", "request");
    std::optional<groups::Membership> m = co_await service_.Accept(req->Caller(), club_id, user_id);
    co_return Json(200, MembershipJson(club_id, user_id, m));
}

asio::awaitable<Response> Routes::CreateEvent(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    db::Result event = co_await service_.CreateEvent(req->Caller(), club_id, json::ReadBody<NewEventBody>(req->body));
    std::vector<bool> visible = co_await service_.RoutesVisible(req->Caller(), event, 1);
    co_return Json(201, EventJson(event, 0, visible.front()));
}

asio::awaitable<Response> Routes::ListEvents(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    ListPage page = ReadList(*req, 2);
    PageOf events = co_await service_.Events(req->Caller(), club_id, page);
    std::vector<bool> visible = co_await service_.RoutesVisible(req->Caller(), events.rows, events.shown);
    co_return Json(200, EventListJson(events.rows, events.shown, visible, events.next_cursor));
}

asio::awaitable<Response> Routes::GetEvent(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    db::Result event = co_await service_.GetEvent(req->Caller(), club_id, req->PathId("event_id", "event"));
    std::vector<bool> visible = co_await service_.RoutesVisible(req->Caller(), event, 1);
    co_return Json(200, EventJson(event, 0, visible.front()));
}

asio::awaitable<Response> Routes::PatchEvent(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    const std::int64_t event_id = req->PathId("event_id", "event");
    db::Result event =
        co_await service_.PatchEvent(req->Caller(), club_id, event_id, json::ReadBody<PatchEventBody>(req->body));
    std::vector<bool> visible = co_await service_.RoutesVisible(req->Caller(), event, 1);
    co_return Json(200, EventJson(event, 0, visible.front()));
}

asio::awaitable<Response> Routes::DeleteEvent(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    co_await service_.DeleteEvent(req->Caller(), club_id, req->PathId("event_id", "event"));
    co_return Response::NoContent();
}

asio::awaitable<Response> Routes::Rsvp(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    const std::int64_t event_id = req->PathId("event_id", "event");
    RsvpBody body = json::ReadBody<RsvpBody>(req->body);
    db::Result event = co_await service_.Rsvp(req->Caller(), club_id, event_id, std::move(body.answer));
    std::vector<bool> visible = co_await service_.RoutesVisible(req->Caller(), event, 1);
    co_return Json(200, EventJson(event, 0, visible.front()));
}

asio::awaitable<Response> Routes::CancelRsvp(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    co_await service_.CancelRsvp(req->Caller(), club_id, req->PathId("event_id", "event"));
    co_return Response::NoContent();
}

asio::awaitable<Response> Routes::Attendees(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    const std::int64_t event_id = req->PathId("event_id", "event");
    ListPage page = ReadList(*req, 1);
    Names names;
    PageOf rows = co_await service_.Attendees(req->Caller(), club_id, event_id, req->QueryParam("answer"), page, names);
    co_return Json(200, AttendeeListJson(rows.rows, rows.shown, names, rows.next_cursor));
}

asio::awaitable<Response> Routes::Leaderboard(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    Service::Leaderboard board =
        co_await service_.WeeklyLeaderboard(req->Caller(), club_id, req->QueryParam("sport"), req->QueryParam("week"));
    co_return Json(200, LeaderboardJson(club_id, board.sport, board.week, FormatRfc3339(board.from),
                                        FormatRfc3339(board.to), board.lines));
}

// --- challenges (ADR 0026) ---

asio::awaitable<Response> Routes::CreateChallenge(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    db::Result c = co_await challenges_.Create(req->Caller(), club_id, json::ReadBody<NewChallengeBody>(req->body));
    std::vector<std::optional<double>> progress = co_await challenges_.ProgressOf(req->Caller().user_id, c, 1);
    co_return Json(201, ChallengeJson(c, 0, progress.front()));
}

asio::awaitable<Response> Routes::ListChallenges(RequestPtr req) {
    const std::int64_t club_id = ClubId(*req);
    ListPage page = ReadList(*req, 2);
    PageOf rows = co_await challenges_.OfClub(req->Caller(), club_id, page);
    std::vector<std::optional<double>> progress =
        co_await challenges_.ProgressOf(req->Caller().user_id, rows.rows, rows.shown);
    co_return Json(200, ChallengeListJson(rows.rows, rows.shown, progress, rows.next_cursor));
}

asio::awaitable<Response> Routes::GetChallenge(RequestPtr req) {
    db::Result c = co_await challenges_.Get(req->Caller(), req->PathId("challenge_id", "challenge"));
    std::vector<std::optional<double>> progress = co_await challenges_.ProgressOf(req->Caller().user_id, c, 1);
    co_return Json(200, ChallengeJson(c, 0, progress.front()));
}

asio::awaitable<Response> Routes::JoinChallenge(RequestPtr req) {
    db::Result c = co_await challenges_.Join(req->Caller(), req->PathId("challenge_id", "challenge"));
    std::vector<std::optional<double>> progress = co_await challenges_.ProgressOf(req->Caller().user_id, c, 1);
    co_return Json(200, ChallengeJson(c, 0, progress.front()));
}

asio::awaitable<Response> Routes::LeaveChallenge(RequestPtr req) {
    co_await challenges_.Leave(req->Caller(), req->PathId("challenge_id", "challenge"));
    co_return Response::NoContent();
}

asio::awaitable<Response> Routes::ChallengeLeaderboard(RequestPtr req) {
    const std::int64_t challenge_id = req->PathId("challenge_id", "challenge");
    ListPage page = ReadList(*req, 1);
    ChallengeService::Board board = co_await challenges_.Leaderboard(req->Caller(), challenge_id, page);
    co_return Json(200, ChallengeBoardJson(challenge_id, board));
}

asio::awaitable<Response> Routes::MyChallenges(RequestPtr req) {
    ListPage page = ReadList(*req, 2);
    auto [rows, progress] = co_await challenges_.Mine(req->Caller(), page);
    co_return Json(200, ChallengeListJson(rows.rows, rows.shown, progress, rows.next_cursor));
}

void Routes::Register(app::Registry& registry) {
    using http::Access;
    using http::Body;
    using http::Method;
    using Member = asio::awaitable<Response> (Routes::*)(RequestPtr);
    auto bind = [this](Member member) -> http::Handler {
        return [this, member](RequestPtr req) { return (this->*member)(std::move(req)); };
    };
    const Access card = Access::ViewerOf("club", "club_id");
    const Access member = Access::MemberOf("club", "club_id");
    const Access admin = Access::AdminOf("club", "club_id");
    const http::Route routes[] = {
        {.method = Method::kPost,
         .path = "/v1/clubs",
         .summary = "Create a club",
         .access = Access::SignedIn(),
         .body = Body::Json(),
         .idempotent = true,
         .handler = bind(&Routes::CreateClub)},
        {.method = Method::kGet,
         .path = "/v1/clubs",
         .summary = "Search clubs by name, or list the caller's",
         .access = Access::SignedIn(),
         .body = Body::None(),
         .handler = bind(&Routes::ListClubs)},
        {.method = Method::kGet,
         .path = "/v1/clubs/{club_id}",
         .summary = "A club's card and the caller's membership",
         .access = card,
         .body = Body::None(),
         .handler = bind(&Routes::GetClub)},
        {.method = Method::kPatch,
         .path = "/v1/clubs/{club_id}",
         .summary = "Edit a club",
         .access = admin,
         .body = Body::Json(),
         .handler = bind(&Routes::PatchClub)},
        {.method = Method::kDelete,
         .path = "/v1/clubs/{club_id}",
         .summary = "Delete a club",
         .access = Access::OwnerOf("club", "club_id"),
         .body = Body::None(),
         .handler = bind(&Routes::DeleteClub)},
        {.method = Method::kPost,
         .path = "/v1/clubs/{club_id}/join",
         .summary = "Join a club, ask to join a private one, or accept an invitation",
         .access = card,
         .body = Body::None(),
         .handler = bind(&Routes::Join)},
        {.method = Method::kDelete,
         .path = "/v1/clubs/{club_id}/membership",
         .summary = "Leave a club, withdraw a request or decline an invitation",
         .access = card,
         .body = Body::None(),
         .handler = bind(&Routes::Leave)},
        {.method = Method::kPost,
         .path = "/v1/clubs/{club_id}/invites",
         .summary = "Invite a user to a club",
         .access = admin,
         .body = Body::Json(),
         .handler = bind(&Routes::Invite)},
        {.method = Method::kGet,
         .path = "/v1/clubs/{club_id}/members",
         .summary = "A club's members (admins also its requests and invitations)",
         .access = member,
         .body = Body::None(),
         .handler = bind(&Routes::Members)},
        {.method = Method::kPatch,
         .path = "/v1/clubs/{club_id}/members/{user_id}",
         .summary = "Promote, demote, or hand the club over",
         .access = admin,
         .body = Body::Json(),
         .handler = bind(&Routes::SetRole)},
        {.method = Method::kDelete,
         .path = "/v1/clubs/{club_id}/members/{user_id}",
         .summary = "Remove a member, decline a request or withdraw an invitation",
         .access = admin,
         .body = Body::None(),
         .handler = bind(&Routes::Remove)},
        {.method = Method::kPost,
         .path = "/v1/clubs/{club_id}/members/{user_id}/accept",
         .summary = "Accept a request to join",
         .access = admin,
         .body = Body::None(),
         .handler = bind(&Routes::Accept)},
        {.method = Method::kPost,
         .path = "/v1/clubs/{club_id}/events",
         .summary = "Create a club event",
         .access = admin,
         .body = Body::Json(),
         .idempotent = true,
         .handler = bind(&Routes::CreateEvent)},
        {.method = Method::kGet,
         .path = "/v1/clubs/{club_id}/events",
         .summary = "A club's upcoming events",
         .access = member,
         .body = Body::None(),
         .handler = bind(&Routes::ListEvents)},
        {.method = Method::kGet,
         .path = "/v1/clubs/{club_id}/events/{event_id}",
         .summary = "A club event",
         .access = member,
         .body = Body::None(),
         .handler = bind(&Routes::GetEvent)},
        {.method = Method::kPatch,
         .path = "/v1/clubs/{club_id}/events/{event_id}",
         .summary = "Edit a club event",
         .access = admin,
         .body = Body::Json(),
         .handler = bind(&Routes::PatchEvent)},
        {.method = Method::kDelete,
         .path = "/v1/clubs/{club_id}/events/{event_id}",
         .summary = "Cancel a club event",
         .access = admin,
         .body = Body::None(),
         .handler = bind(&Routes::DeleteEvent)},
        {.method = Method::kPut,
         .path = "/v1/clubs/{club_id}/events/{event_id}/rsvp",
         .summary = "Answer a club event: going or maybe",
         .access = member,
         .body = Body::Json(),
         .handler = bind(&Routes::Rsvp)},
        {.method = Method::kDelete,
         .path = "/v1/clubs/{club_id}/events/{event_id}/rsvp",
         .summary = "Withdraw one's answer to a club event",
         .access = member,
         .body = Body::None(),
         .handler = bind(&Routes::CancelRsvp)},
        {.method = Method::kGet,
         .path = "/v1/clubs/{club_id}/events/{event_id}/attendees",
         .summary = "Who answered a club event",
         .access = member,
         .body = Body::None(),
         .handler = bind(&Routes::Attendees)},
        {.method = Method::kGet,
         .path = "/v1/clubs/{club_id}/leaderboard",
         .summary = "A club's weekly leaderboard for one sport",
         .access = member,
         .body = Body::None(),
         .handler = bind(&Routes::Leaderboard)},
        {.method = Method::kPost,
         .path = "/v1/clubs/{club_id}/challenges",
         .summary = "Create a club challenge",
         .access = admin,
         .body = Body::Json(),
         .idempotent = true,
         .handler = bind(&Routes::CreateChallenge)},
        {.method = Method::kGet,
         .path = "/v1/clubs/{club_id}/challenges",
         .summary = "A club's challenges with the caller's progress",
         .access = card,
         .body = Body::None(),
         .handler = bind(&Routes::ListChallenges)},
        {.method = Method::kGet,
         .path = "/v1/challenges/{challenge_id}",
         .summary = "A club challenge with the caller's progress",
         .access = Access::ViewerOf("challenge", "challenge_id"),
         .body = Body::None(),
         .handler = bind(&Routes::GetChallenge)},
        {.method = Method::kPut,
         .path = "/v1/challenges/{challenge_id}/participation",
         .summary = "Join a club challenge",
         .access = Access::MemberOf("challenge", "challenge_id"),
         .body = Body::None(),
         .handler = bind(&Routes::JoinChallenge)},
        {.method = Method::kDelete,
         .path = "/v1/challenges/{challenge_id}/participation",
         .summary = "Leave a club challenge",
         .access = Access::MemberOf("challenge", "challenge_id"),
         .body = Body::None(),
         .handler = bind(&Routes::LeaveChallenge)},
        {.method = Method::kGet,
         .path = "/v1/challenges/{challenge_id}/leaderboard",
         .summary = "A challenge's participants and their progress as the caller may see it",
         .access = Access::MemberOf("challenge", "challenge_id"),
         .body = Body::None(),
         .handler = bind(&Routes::ChallengeLeaderboard)},
        {.method = Method::kGet,
         .path = "/v1/me/challenges",
         .summary = "The caller's challenges with their progress",
         .access = Access::SignedIn(),
         .body = Body::None(),
         .handler = bind(&Routes::MyChallenges)},
    };
    for (const auto& route : routes) {
        registry.Route(route);
    }
}

}  // namespace strava1::groups
