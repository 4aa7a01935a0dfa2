#pragma once

#include "service.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/http/message.hpp"

namespace strava1::accounts {

/// The accounts route table and its thin handlers: parse the request into wire types, call the
/// service, render. The device cookie is read and written here (it is HTTP); deciding about it is
/// the service's.
class Routes {
public:
    explicit Routes(Service& service) : service_(service) {}

    /// Adds /v1/auth/*, /v1/me and /v1/users/{user_id}; the handlers point into this object.
    void Register(app::Registry& registry);

    boost::asio::awaitable<http::Response> Signup(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Login(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Refresh(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Logout(http::RequestPtr req);
    boost::asio::awaitable<http::Response> ChangePassword(http::RequestPtr req);
    boost::asio::awaitable<http::Response> ListSessions(http::RequestPtr req);
    boost::asio::awaitable<http::Response> RevokeSession(http::RequestPtr req);
    boost::asio::awaitable<http::Response> GetMe(http::RequestPtr req);
    boost::asio::awaitable<http::Response> PatchMe(http::RequestPtr req);
    boost::asio::awaitable<http::Response> DeleteMe(http::RequestPtr req);
    boost::asio::awaitable<http::Response> GetUser(http::RequestPtr req);
    boost::asio::awaitable<http::Response> SearchUsers(http::RequestPtr req);

private:
    Service& service_;
};

}  // namespace strava1::accounts
