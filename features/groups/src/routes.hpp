#pragma once

#include "challenges.hpp"
#include "service.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/http/message.hpp"

namespace strava1::groups {

/// The clubs route table and its thin handlers: parse into wire types, call the service, render.
class Routes {
public:
    Routes(Service& service, ChallengeService& challenges) : service_(service), challenges_(challenges) {}

    /// Adds /v1/clubs*; the handlers point into this object.
    void Register(app::Registry& registry);

    boost::asio::awaitable<http::Response> CreateClub(http::RequestPtr req);
    boost::asio::awaitable<http::Response> ListClubs(http::RequestPtr req);
    boost::asio::awaitable<http::Response> GetClub(http::RequestPtr req);
    boost::asio::awaitable<http::Response> PatchClub(http::RequestPtr req);
    boost::asio::awaitable<http::Response> DeleteClub(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Join(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Leave(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Invite(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Members(http::RequestPtr req);
    boost::asio::awaitable<http::Response> SetRole(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Remove(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Accept(http::RequestPtr req);
    boost::asio::awaitable<http::Response> CreateEvent(http::RequestPtr req);
    boost::asio::awaitable<http::Response> ListEvents(http::RequestPtr req);
    boost::asio::awaitable<http::Response> GetEvent(http::RequestPtr req);
    boost::asio::awaitable<http::Response> PatchEvent(http::RequestPtr req);
    boost::asio::awaitable<http::Response> DeleteEvent(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Rsvp(http::RequestPtr req);
    boost::asio::awaitable<http::Response> CancelRsvp(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Attendees(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Leaderboard(http::RequestPtr req);
    boost::asio::awaitable<http::Response> CreateChallenge(http::RequestPtr req);
    boost::asio::awaitable<http::Response> ListChallenges(http::RequestPtr req);
    boost::asio::awaitable<http::Response> GetChallenge(http::RequestPtr req);
    boost::asio::awaitable<http::Response> JoinChallenge(http::RequestPtr req);
    boost::asio::awaitable<http::Response> LeaveChallenge(http::RequestPtr req);
    boost::asio::awaitable<http::Response> ChallengeLeaderboard(http::RequestPtr req);
    boost::asio::awaitable<http::Response> MyChallenges(http::RequestPtr req);

private:
    Service& service_;
    ChallengeService& challenges_;
};

}  // namespace strava1::groups
