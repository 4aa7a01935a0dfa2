// The routes of reports, warnings and the admin API: parse, call Moderation, render.
#include "moderation_routes.hpp"

#include <algorithm>

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

/// The body's object with only `allowed` keys (400 naming every other one; ids, states and times are
/// the server's).
boost::json::object BodyObject(const std::string& body, std::initializer_list<std::string_view> allowed) {
    boost::json::value v = json::Parse(body.empty() ? std::string_view("{}") : std::string_view(body));
    if (!v.is_object()) {
        throw Error(ErrorKind::kInvalidArgument, "the body must be a JSON object");
    }
    FieldErrors errors;
    for (const auto& [key, value] : v.as_object()) {
        if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end()) {
            errors.Add(std::string(key), "is not a field of this request");
        }
    }
    errors.ThrowIfAny();
    return std::move(v.as_object());
}

std::string Text(const boost::json::object& o, const char* key, bool required) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) {
        if (required) {
            throw InvalidField(key, "is required");
        }
        return {};
    }
    if (!it->value().is_string()) {
        throw InvalidField(key, "must be a string");
    }
    return std::string(it->value().as_string());
}

ReportInput ReadReport(const std::string& body) {
    auto o = BodyObject(body, {"kind", "id", "reason", "note"});
    ReportInput in;
    in.kind = Text(o, "kind", true);
    auto id = o.find("id");
    if (id == o.end() || !id->value().is_int64() || id->value().as_int64() <= 0) {
        throw InvalidField("id", "must be a positive integer id");
    }
    in.id = id->value().as_int64();
    in.reason = Text(o, "reason", true);
    in.note = Text(o, "note", false);
    return in;
}

Response Json(int status, std::string body) { return Response::Text(status, "application/json", std::move(body)); }

void OptString(json::Writer& w, const db::Result& r, int row, int col) {
    r.IsNull(row, col) ? w.Null() : w.String(r.String(row, col));
}

void WriteReport(json::Writer& w, const db::Result& r, int row) {
    w.BeginObject();
    w.Key("id").Int(r.Int(row, 0));
    w.Key("reporter_id").Int(r.Int(row, 1));
    w.Key("kind").String(r.String(row, 2));
    w.Key("object_id").Int(r.Int(row, 3));
    w.Key("author_id").Int(r.Int(row, 4));
    w.Key("reason").String(r.String(row, 5));
    w.Key("note").String(r.String(row, 6));
    w.Key("state").String(r.String(row, 7));
    w.Key("action");
    OptString(w, r, row, 8);
    w.Key("resolution_note");
    OptString(w, r, row, 9);
    w.Key("resolved_by");
    r.IsNull(row, 10) ? w.Null() : w.Int(r.Int(row, 10));
    w.Key("resolved_at");
    OptString(w, r, row, 11);
    w.Key("created_at").String(r.String(row, 12));
    w.Key("object_report_count").Int(r.Int(row, 13));
    w.EndObject();
}

Response ReportJson(int status, const ReportRows& rows) {
    if (rows.shown == 0) {
        throw NotFound("report");
    }
    std::string out;
    json::Writer w(out);
    WriteReport(w, rows.result, 0);
    return Json(status, std::move(out));
}

}  // namespace

void ModerationRoutes::Register(app::Registry& registry) {
    Moderation& m = moderation_;
    auto route = [&registry](Method method, const char* path, const char* summary, Access access, Body body,
                             http::Handler handler) {
        registry.Route({.method = method,
                        .path = path,
                        .summary = summary,
                        .access = access,
                        .body = body,
                        .handler = std::move(handler)});
    };
    const Body json = Body::Json(16 * 1024);  // a note is at most 1000 characters
    // The object is named in the body, not the path: its visibility is checked by the service, which
    // answers 404 for what the reporter may not see (the matrix covers it as a signed-in route).
    route(Method::kPost, "/v1/reports", "Report an activity, post, comment or user", Access::SignedIn(), json,
          [&m](RequestPtr req) -> asio::awaitable<Response> {
              ReportRows rows = co_await m.Report(req->Caller(), ReadReport(req->body));
              co_return ReportJson(rows.created ? 201 : 200, rows);
          });
    route(Method::kGet, "/v1/me/warnings", "Warnings moderators gave me, newest first", Access::SignedIn(),
          Body::None(), [&m](RequestPtr req) -> asio::awaitable<Response> {
              db::Result r = co_await m.Warnings(req->Caller());
              std::string out;
              json::Writer w(out);
              w.BeginObject();
              w.Key("warnings").BeginArray();
              for (int row = 0; row < r.Rows(); ++row) {
                  w.BeginObject();
                  w.Key("id").Int(r.Int(row, 0));
                  w.Key("reason").String(r.String(row, 1));
                  w.Key("note").String(r.String(row, 2));
                  w.Key("created_at").String(r.String(row, 3));
                  w.EndObject();
              }
              w.EndArray();
              w.EndObject();
              co_return Json(200, std::move(out));
          });
    route(Method::kGet, "/v1/admin/reports", "The moderation queue, newest first", Access::SiteAdmin(), Body::None(),
          [&m](RequestPtr req) -> asio::awaitable<Response> {
              FieldErrors errors;
              http::Page page = http::ReadPage(*req, 1, errors);
              errors.ThrowIfAny();
              std::string state = req->QueryParam("state").value_or("open");
              ReportRows rows = co_await m.Queue(std::move(state), page);
              std::string out;
              json::Writer w(out);
              w.BeginObject();
              w.Key("reports").BeginArray();
              for (int row = 0; row < rows.shown; ++row) {
                  WriteReport(w, rows.result, row);
              }
              w.EndArray();
              w.Key("next_cursor");
              rows.next_cursor ? w.String(*rows.next_cursor) : w.Null();
              w.EndObject();
              co_return Json(200, std::move(out));
          });
    route(Method::kPost, "/v1/admin/reports/{report_id}/resolve", "Decide a report", Access::SiteAdmin(), json,
          [&m](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t id = req->PathId("report_id", "report");
              auto o = BodyObject(req->body, {"action", "note"});
              std::string action = Text(o, "action", true);
              std::string note = Text(o, "note", false);
              co_return ReportJson(200, co_await m.Resolve(req->Caller(), id, std::move(action), std::move(note)));
          });
    route(Method::kPost, "/v1/admin/users/{user_id}/unsuspend", "Lift a user's suspension", Access::SiteAdmin(), json,
          [&m](RequestPtr req) -> asio::awaitable<Response> {
              const std::int64_t id = req->PathId("user_id", "user");
              auto o = BodyObject(req->body, {"note"});
              co_await m.Unsuspend(req->Caller(), id, Text(o, "note", false));
              co_return Response::NoContent();
          });
}

}  // namespace strava1::social
