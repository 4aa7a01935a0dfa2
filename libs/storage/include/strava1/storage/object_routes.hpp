#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <string>
#include <utility>
#include <vector>

#include "strava1/base/clock.hpp"
#include "strava1/http/router.hpp"
#include "strava1/storage/local_store.hpp"

namespace strava1::storage {

/// Whether the objects a module stored are still referenced by what they were stored for. The
/// module that owns the objects implements it (activities: an upload names the original); the
/// object route serves only referenced objects, so deleting what referenced one (an account and its
/// uploads) ends every link to it at once, before the object itself is purged.
class ObjectReferences {
public:
    virtual ~ObjectReferences() = default;
    /// Whether `key` is still referenced. Called for every object request: keep it a point lookup.
    virtual boost::asio::awaitable<bool> IsReferenced(std::string key) = 0;
};

/// The storage routes slice: `GET /v1/objects/{key}`, which serves an object of the local store to
/// the holder of a URL it signed (LocalObjectStore::SignedGetUrl) while the module owning the key
/// references it; anything else is a 404 (or a 403 for an expired or forged link). The composition
/// root registers Routes() and says, per key prefix, which module owns the objects.
///
/// Everything given must outlive the routes.
class ObjectRoutes {
public:
    ObjectRoutes(LocalObjectStore& store, boost::asio::thread_pool& cpu, const Clock& clock);

    /// Objects whose keys start with `prefix` belong to `owner`. Keys of no owner are never served.
    void AddOwner(std::string prefix, ObjectReferences& owner);
    /// The route declarations (the handlers point into this object).
    std::vector<http::Route> Routes();

    boost::asio::awaitable<http::Response> GetObject(http::RequestPtr request);

private:
    ObjectReferences* OwnerOf(std::string_view key) const;

    LocalObjectStore& store_;
    boost::asio::thread_pool& cpu_;
    const Clock& clock_;
    std::vector<std::pair<std::string, ObjectReferences*>> owners_;
};

}  // namespace strava1::storage
