#pragma once

#include "service.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/http/message.hpp"

namespace strava1::activities {

/// The activities route table and its thin handlers: parse the request into wire types (a raw or
/// multipart upload, query parameters, JSON bodies), state the resource policy, call the service,
/// render (responses.hpp).
class Routes {
public:
    explicit Routes(Service& service) : service_(service) {}

    /// Adds /v1/uploads*, /v1/activities*, /v1/athlete/activities, /v1/users/{id}/activities|stats,
    /// /v1/me/records and /v1/me/privacy-zones*; the handlers point into this object.
    void Register(app::Registry& registry);

    boost::asio::awaitable<http::Response> PostUpload(http::RequestPtr req);
    boost::asio::awaitable<http::Response> GetUpload(http::RequestPtr req);
    boost::asio::awaitable<http::Response> PostManual(http::RequestPtr req);
    boost::asio::awaitable<http::Response> GetActivity(http::RequestPtr req);
    boost::asio::awaitable<http::Response> PatchActivity(http::RequestPtr req);
    boost::asio::awaitable<http::Response> DeleteActivity(http::RequestPtr req);
    boost::asio::awaitable<http::Response> ListMine(http::RequestPtr req);
    boost::asio::awaitable<http::Response> ListUser(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Streams(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Laps(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Splits(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Lengths(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Zones(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Curves(http::RequestPtr req);
    boost::asio::awaitable<http::Response> BestEfforts(http::RequestPtr req);
    boost::asio::awaitable<http::Response> ExportGpx(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Original(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Records(http::RequestPtr req);
    boost::asio::awaitable<http::Response> Stats(http::RequestPtr req);
    boost::asio::awaitable<http::Response> ListPrivacyZones(http::RequestPtr req);
    boost::asio::awaitable<http::Response> PatchPrivacyZone(http::RequestPtr req);
    boost::asio::awaitable<http::Response> CreatePrivacyZone(http::RequestPtr req);
    boost::asio::awaitable<http::Response> DeletePrivacyZone(http::RequestPtr req);

private:
    Service& service_;
};

/// A list request's filters from its query parameters (before, after, sport, limit, cursor), with
/// what is wrong with them kept in ListFilter::errors.
ListFilter ReadListFilter(const http::Request& req);

}  // namespace strava1::activities
