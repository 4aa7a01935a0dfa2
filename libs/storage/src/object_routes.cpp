#include "strava1/storage/object_routes.hpp"

#include "strava1/base/error.hpp"
#include "strava1/base/offload.hpp"

namespace strava1::storage {
namespace asio = boost::asio;

ObjectRoutes::ObjectRoutes(LocalObjectStore& store, asio::thread_pool& cpu, const Clock& clock)
    : store_(store), cpu_(cpu), clock_(clock) {}

void ObjectRoutes::AddOwner(std::string prefix, ObjectReferences& owner) {
    owners_.emplace_back(std::move(prefix), &owner);
}

ObjectReferences* ObjectRoutes::OwnerOf(std::string_view key) const {
    for (const auto& [prefix, owner] : owners_) {
        if (key.starts_with(prefix)) {
            return owner;
        }
    }
    return nullptr;
}

std::vector<http::Route> ObjectRoutes::Routes() {
    return {{.method = http::Method::kGet,
             .path = "/v1/objects/{key}",
             .summary = "A stored file, through a signed URL",
             .access = http::Access::SignedUrl(),
             .body = http::Body::None(),
             .handler = [this](http::RequestPtr request) { return GetObject(std::move(request)); }}};
}

asio::awaitable<http::Response> ObjectRoutes::GetObject(http::RequestPtr request) {
    auto key_it = request->path_params.find("key");
    std::string key = key_it == request->path_params.end() ? std::string() : key_it->second;
    auto query = ParseSignedQuery(request->query);
    if (!query || KeyProblem(key)) {
        throw NotFound("object");
    }
    auto check = store_.VerifySignedUrl(SignedMethod::kGet, key, *query, clock_.Now());
    if (check.verdict == SignedUrlVerdict::kExpired) {
        throw Error(ErrorKind::kPermissionDenied, "this link has expired; ask for a new one");
    }
    if (check.verdict != SignedUrlVerdict::kValid) {
        throw Error(ErrorKind::kPermissionDenied, "this link is not valid");
    }
    // A signature outlives what it was given for: the object is served only while its owner still
    // references it.
    ObjectReferences* owner = OwnerOf(key);
    if (owner == nullptr) {
        throw NotFound("object");
    }
    const bool referenced = co_await owner->IsReferenced(key);
    if (!referenced) {
        throw NotFound("object");
    }
    auto work = [this, &key] {
        std::optional<std::pair<std::string, std::string>> out;
        if (auto info = store_.Stat(key)) {
            if (auto bytes = store_.Get(key)) {
                out.emplace(std::move(*bytes), info->content_type);
            }
        }
        return out;
    };
    auto found = co_await OnCpu(cpu_, work);
    if (!found) {
        throw NotFound("object");
    }
    http::Response response = http::Response::Text(200, found->second, std::move(found->first));
    if (check.grant.download_filename) {
        response.SetHeader("Content-Disposition", "attachment; filename=\"" + *check.grant.download_filename + "\"");
    }
    response.SetHeader("Cache-Control", "private, no-store");
    co_return response;
}

}  // namespace strava1::storage
