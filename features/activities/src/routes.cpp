#include "routes.hpp"

#include "responses.hpp"
#include "strava1/http/multipart.hpp"

namespace strava1::activities {
namespace asio = boost::asio;
using http::RequestPtr;
using http::Response;

namespace {

Response JsonText(int status, std::string body) { return Response::Text(status, "application/json", std::move(body)); }

/// An upload's file and fields: the raw body with the fields as query parameters, or
/// multipart/form-data with a "file" part and the fields as parts.
struct ParsedUpload {
    std::string_view bytes;
    UploadFields fields;
};

ParsedUpload ParseUploadRequest(const http::Request& req) {
    ParsedUpload out;
    std::string_view type = req.Header("content-type");
    if (http::MultipartBoundary(type)) {
        bool found = false;
        for (const auto& part : http::ParseMultipart(type, req.body)) {
            std::optional<std::string>* field = part.name == "data_type"        ? &out.fields.data_type
                                                : part.name == "name"           ? &out.fields.name
                                                : part.name == "description"    ? &out.fields.description
                                                : part.name == "sport"          ? &out.fields.sport
                                                : part.name == "external_id"    ? &out.fields.external_id
                                                : part.name == "hide_from_feed" ? &out.fields.hide_from_feed
                                                                                : nullptr;
            if (part.name == "file") {
                out.bytes = part.body;
                found = true;
            } else if (field != nullptr) {
                *field = std::string(part.body);
            } else {
                throw InvalidField(part.name, "is not a known upload field");
            }
        }
        if (!found) {
            throw InvalidField("file", "is required (a multipart part named \"file\")");
        }
    } else {
        out.bytes = req.body;
        out.fields =
            UploadFields{req.QueryParam("data_type"), req.QueryParam("name"),        req.QueryParam("description"),
                         req.QueryParam("sport"),     req.QueryParam("external_id"), req.QueryParam("hide_from_feed")};
    }
    if (out.bytes.empty()) {
        throw InvalidField("file", "is empty");
    }
    return out;
}

std::int64_t ActivityId(const http::Request& req) { return req.PathId("activity_id", "activity"); }

/// The owner's "what others see" preview (Service::LoadVisible). Checked for every caller, before the
/// activity is read: a malformed parameter is a 400 whoever asks, and tells nothing about the activity.
std::optional<Relation> ViewAs(const http::Request& req) {
    auto text = req.QueryParam("view_as");
    if (!text) {
        return std::nullopt;
    }
    auto relation = ParseRelation(*text);
    if (!relation) {
        throw InvalidField("view_as", "must be stranger or follower");
    }
    return relation;
}

}  // namespace

ListFilter ReadListFilter(const http::Request& req) {
    ListFilter filter;
    FieldErrors& errors = filter.errors;
    filter.page.limit = http::ReadLimit(req, errors);
    if (auto b = req.QueryParam("before"); b && !(filter.before_us = ParseTimestampMicros(*b))) {
        errors.Add("before", "must be an RFC 3339 time or Unix seconds");
    }
    if (auto a = req.QueryParam("after"); a && !(filter.after_us = ParseTimestampMicros(*a))) {
        errors.Add("after", "must be an RFC 3339 time or Unix seconds");
    }
    filter.sport = req.QueryParam("sport");
    if (filter.sport) {
        if (auto problem = SportProblem(*filter.sport)) {
            errors.Add("sport", *problem);
        }
    }
    // The cursor is the last row's (start time in µs, id); ids are positive.
    filter.page.after = http::ReadCursor(req, 2, errors);
    if (filter.page.after && (*filter.page.after)[1] <= 0) {
        errors.Add("cursor", "is not a cursor this server gave out");
    }
    return filter;
}

asio::awaitable<Response> Routes::PostUpload(RequestPtr req) {
    const std::int64_t owner = req->Caller().user_id;
    ParsedUpload parsed = ParseUploadRequest(*req);
    const std::int64_t id = co_await service_.AcceptUpload(owner, parsed.bytes, std::move(parsed.fields));
    db::Result upload = co_await service_.Upload(owner, id);
    Response resp = JsonText(201, UploadJson(upload));
    resp.SetHeader("Location", "/v1/uploads/" + std::to_string(id));
    co_return resp;
}

asio::awaitable<Response> Routes::GetUpload(RequestPtr req) {
    db::Result upload = co_await service_.Upload(req->Caller().user_id, req->PathId("upload_id", "upload"));
    co_return JsonText(200, UploadJson(upload));
}

asio::awaitable<Response> Routes::PostManual(RequestPtr req) {
    const std::int64_t owner = req->Caller().user_id;
    const std::int64_t id = co_await service_.CreateManual(owner, json::ReadBody<ManualActivityBody>(req->body));
    ActivityDetail detail = co_await service_.Detail(owner, id);
    Response resp = JsonText(201, DetailJson(detail));
    resp.SetHeader("Location", "/v1/activities/" + std::to_string(id));
    co_return resp;
}

asio::awaitable<Response> Routes::GetActivity(RequestPtr req) {
    const std::optional<Relation> view_as = ViewAs(*req);
    ActivityDetail detail = co_await service_.Detail(req->Caller().user_id, ActivityId(*req), view_as);
    co_return JsonText(200, DetailJson(detail));
}

asio::awaitable<Response> Routes::PatchActivity(RequestPtr req) {
    // Owner only, stated before the body is read: others learn nothing, not even that it is malformed.
    OwnedActivity activity = co_await service_.RequireOwned(req->Caller(), ActivityId(*req));
    co_await service_.Patch(activity, json::ReadBody<PatchActivityBody>(req->body));
    ActivityDetail detail = co_await service_.Detail(activity.OwnerId(), activity.Id());
    co_return JsonText(200, DetailJson(detail));
}

asio::awaitable<Response> Routes::DeleteActivity(RequestPtr req) {
    OwnedActivity activity = co_await service_.RequireOwned(req->Caller(), ActivityId(*req));
    co_await service_.Delete(activity);
    co_return Response::NoContent();
}

asio::awaitable<Response> Routes::ListMine(RequestPtr req) {
    const std::int64_t me = req->Caller().user_id;
    ActivityPage page = co_await service_.List(me, me, ReadListFilter(*req));
    co_return JsonText(200, ListJson(page));
}

asio::awaitable<Response> Routes::ListUser(RequestPtr req) {
    const std::int64_t user_id = req->PathId("user_id", "user");
    ActivityPage page = co_await service_.List(req->Caller().user_id, user_id, ReadListFilter(*req));
    co_return JsonText(200, ListJson(page));
}

asio::awaitable<Response> Routes::Streams(RequestPtr req) {
    const std::int64_t id = ActivityId(*req);
    const std::optional<Relation> view_as = ViewAs(*req);
    std::string out = co_await service_.Streams(req->Caller().user_id, id, req->QueryParam("keys").value_or(""),
                                                req->QueryParam("resolution").value_or("all"), view_as);
    co_return JsonText(200, std::move(out));
}

asio::awaitable<Response> Routes::Laps(RequestPtr req) {
    const std::optional<Relation> view_as = ViewAs(*req);
    AnalysisParts parts = co_await service_.Parts(req->Caller().user_id, ActivityId(*req), Extra::kLaps, view_as);
    co_return JsonText(200, LapsJson(parts));
}

asio::awaitable<Response> Routes::Splits(RequestPtr req) {
    const std::optional<Relation> view_as = ViewAs(*req);
    AnalysisParts parts = co_await service_.Parts(req->Caller().user_id, ActivityId(*req), Extra::kSplits, view_as);
    co_return JsonText(200, SplitsJson(parts));
}

asio::awaitable<Response> Routes::Lengths(RequestPtr req) {
    const std::optional<Relation> view_as = ViewAs(*req);
    auto [view, analysis] = co_await service_.Analysis(req->Caller().user_id, ActivityId(*req), view_as);
    co_return JsonText(200, LengthsJson(view, analysis));
}

asio::awaitable<Response> Routes::Zones(RequestPtr req) {
    const std::optional<Relation> view_as = ViewAs(*req);
    AnalysisParts parts = co_await service_.Parts(req->Caller().user_id, ActivityId(*req), Extra::kZones, view_as);
    co_return JsonText(200, ZonesJson(parts));
}

asio::awaitable<Response> Routes::Curves(RequestPtr req) {
    const std::optional<Relation> view_as = ViewAs(*req);
    AnalysisParts parts = co_await service_.Parts(req->Caller().user_id, ActivityId(*req), Extra::kCurves, view_as);
    co_return JsonText(200, CurvesJson(parts));
}

asio::awaitable<Response> Routes::BestEfforts(RequestPtr req) {
    const std::optional<Relation> view_as = ViewAs(*req);
    std::vector<EffortShown> efforts = co_await service_.BestEfforts(req->Caller().user_id, ActivityId(*req), view_as);
    co_return JsonText(200, BestEffortsJson(efforts));
}

asio::awaitable<Response> Routes::ExportGpx(RequestPtr req) {
    const std::int64_t id = ActivityId(*req);
    std::string gpx = co_await service_.ExportGpx(req->Caller().user_id, id);
    Response resp = Response::Text(200, "application/gpx+xml", std::move(gpx));
    resp.SetHeader("Content-Disposition", "attachment; filename=\"activity-" + std::to_string(id) + ".gpx\"");
    co_return resp;
}

asio::awaitable<Response> Routes::Original(RequestPtr req) {
    OwnedActivity activity = co_await service_.RequireOwned(req->Caller(), ActivityId(*req));
    storage::SignedUrl url = co_await service_.OriginalUrl(activity);
    Response resp;
    resp.status = 302;
    resp.SetHeader("Location", url.url);
    resp.SetHeader("Cache-Control", "no-store");
    co_return resp;
}

asio::awaitable<Response> Routes::Records(RequestPtr req) {
    std::vector<RecordRow> records = co_await service_.Records(req->Caller().user_id);
    co_return JsonText(200, RecordsJson(records));
}

asio::awaitable<Response> Routes::Stats(RequestPtr req) {
    const std::int64_t user_id = req->PathId("user_id", "user");
    std::vector<StatsRow> stats = co_await service_.Stats(req->Caller().user_id, user_id);
    co_return JsonText(200, StatsJson(stats));
}

asio::awaitable<Response> Routes::ListPrivacyZones(RequestPtr req) {
    std::vector<PrivacyZone> zones = co_await service_.Zones(req->Caller().user_id);
    co_return JsonText(200, ZoneListJson(zones));
}

asio::awaitable<Response> Routes::CreatePrivacyZone(RequestPtr req) {
    PrivacyZone zone = co_await service_.CreateZone(req->Caller().user_id, json::ReadBody<PrivacyZoneBody>(req->body));
    co_return Response::Json(201, ZoneJson(zone));
}

asio::awaitable<Response> Routes::PatchPrivacyZone(RequestPtr req) {
    const std::int64_t zone_id = req->PathId("zone_id", "privacy zone");
    PrivacyZone zone =
        co_await service_.PatchZone(req->Caller().user_id, zone_id, json::ReadBody<PatchPrivacyZoneBody>(req->body));
    co_return Response::Json(200, ZoneJson(zone));
}

asio::awaitable<Response> Routes::DeletePrivacyZone(RequestPtr req) {
    const std::int64_t zone_id = req->PathId("zone_id", "privacy zone");
    co_await service_.DeleteZone(req->Caller().user_id, zone_id);
    co_return Response::NoContent();
}

void Routes::Register(app::Registry& registry) {
    using http::Access;
    using http::Body;
    using http::Method;
    using Member = asio::awaitable<Response> (Routes::*)(RequestPtr);
    auto bind = [this](Member member) -> http::Handler {
        return [this, member](RequestPtr r) { return (this->*member)(std::move(r)); };
    };
    auto get = [&](const char* path, const char* summary, Access access, Member member) {
        return http::Route{.method = Method::kGet,
                           .path = path,
                           .summary = summary,
                           .access = access,
                           .body = Body::None(),
                           .handler = bind(member)};
    };
    // A file as the raw body, or multipart/form-data the handler parses (ParseUploadRequest); the limit
    // leaves room for the multipart framing around the largest file.
    const Body upload = Body::Raw(service_.Settings().max_upload_bytes + 64 * 1024);
    const http::Route routes[] = {
        {.method = Method::kPost,
         .path = "/v1/uploads",
         .summary = "Upload a GPX, TCX or FIT file",
         .access = Access::SignedIn(),
         .body = upload,
         .idempotent = true,
         .handler = bind(&Routes::PostUpload)},
        get("/v1/uploads/{upload_id}", "An upload's processing status", Access::OwnerOf("upload", "upload_id"),
            &Routes::GetUpload),
        {.method = Method::kPost,
         .path = "/v1/activities",
         .summary = "Create a manual activity",
         .access = Access::SignedIn(),
         .body = Body::Json(),
         .idempotent = true,
         .handler = bind(&Routes::PostManual)},
        get("/v1/activities/{activity_id}", "An activity", Access::ViewerOf("activity", "activity_id"),
            &Routes::GetActivity),
        {.method = Method::kPatch,
         .path = "/v1/activities/{activity_id}",
         .summary = "Edit an activity",
         .access = Access::OwnerOf("activity", "activity_id"),
         .body = Body::Json(),
         .handler = bind(&Routes::PatchActivity)},
        {.method = Method::kDelete,
         .path = "/v1/activities/{activity_id}",
         .summary = "Delete an activity",
         .access = Access::OwnerOf("activity", "activity_id"),
         .body = Body::None(),
         .handler = bind(&Routes::DeleteActivity)},
        get("/v1/athlete/activities", "The caller's activities", Access::SignedIn(), &Routes::ListMine),
        get("/v1/users/{user_id}/activities", "A user's activities", Access::ViewerOf("user", "user_id"),
            &Routes::ListUser),
        get("/v1/activities/{activity_id}/streams", "An activity's streams",
            Access::ViewerOf("activity", "activity_id"), &Routes::Streams),
        get("/v1/activities/{activity_id}/laps", "An activity's laps", Access::ViewerOf("activity", "activity_id"),
            &Routes::Laps),
        get("/v1/activities/{activity_id}/splits", "An activity's splits", Access::ViewerOf("activity", "activity_id"),
            &Routes::Splits),
        get("/v1/activities/{activity_id}/lengths", "A pool swim's lengths",
            Access::ViewerOf("activity", "activity_id"), &Routes::Lengths),
        get("/v1/activities/{activity_id}/zones", "Time in heart-rate and power zones",
            Access::ViewerOf("activity", "activity_id"), &Routes::Zones),
        get("/v1/activities/{activity_id}/curves", "Best averages by duration (power, heart rate, speed)",
            Access::ViewerOf("activity", "activity_id"), &Routes::Curves),
        get("/v1/activities/{activity_id}/best-efforts", "An activity's best efforts",
            Access::ViewerOf("activity", "activity_id"), &Routes::BestEfforts),
        get("/v1/activities/{activity_id}/export.gpx", "Export an activity as GPX",
            Access::ViewerOf("activity", "activity_id"), &Routes::ExportGpx),
        get("/v1/activities/{activity_id}/original", "Download the original file",
            Access::OwnerOf("activity", "activity_id"), &Routes::Original),
        get("/v1/me/records", "The caller's personal records", Access::SignedIn(), &Routes::Records),
        get("/v1/users/{user_id}/stats", "A user's activity totals", Access::ViewerOf("user", "user_id"),
            &Routes::Stats),
        get("/v1/me/privacy-zones", "The caller's privacy zones", Access::SignedIn(), &Routes::ListPrivacyZones),
        {.method = Method::kPost,
         .path = "/v1/me/privacy-zones",
         .summary = "Add a privacy zone",
         .access = Access::SignedIn(),
         .body = Body::Json(),
         .handler = bind(&Routes::CreatePrivacyZone)},
        {.method = Method::kPatch,
         .path = "/v1/me/privacy-zones/{zone_id}",
         .summary = "Move or resize a privacy zone",
         .access = Access::OwnerOf("privacy_zone", "zone_id"),
         .body = Body::Json(),
         .handler = bind(&Routes::PatchPrivacyZone)},
        {.method = Method::kDelete,
         .path = "/v1/me/privacy-zones/{zone_id}",
         .summary = "Remove a privacy zone",
         .access = Access::OwnerOf("privacy_zone", "zone_id"),
         .body = Body::None(),
         .handler = bind(&Routes::DeletePrivacyZone)},
    };
    for (const auto& route : routes) {
        registry.Route(route);
    }
}

}  // namespace strava1::activities
