#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strava1/accounts/profiles.hpp"
#include "strava1/activities/follows.hpp"
#include "strava1/activities/reader.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/base/clock.hpp"
#include "strava1/storage/object_routes.hpp"
#include "strava1/storage/object_store.hpp"

namespace strava1::db {
class Pool;
}

namespace strava1::activities {

struct Options {
    /// Largest accepted upload (ARCHITECTURE.md section 5: uploads 25 MiB).
    std::size_t max_upload_bytes = 25u << 20;
    /// Lifetime of the signed URL behind GET /v1/activities/{id}/original.
    std::chrono::seconds original_url_ttl{300};
    /// A .gz upload may expand to this many times max_upload_bytes (100 MiB by default); past it,
    /// it is refused as a gzip bomb (422) before any of its output is kept.
    std::size_t max_gzip_expansion = 4;
    /// Server-wide ceiling on the estimated memory of the uploads being decoded at once; an upload
    /// that does not fit waits for room (first come, first served).
    std::size_t decode_budget_bytes = 256u << 20;
    /// How long an upload waits for room in the decode budget before it is answered 503.
    std::chrono::milliseconds decode_queue_timeout{20'000};
};

/// What the module needs from the composition root. Everything must outlive the Module.
struct Deps {
    db::Pool& pool;
    const Clock& clock;
    boost::asio::thread_pool& cpu;   ///< decoding and analysis run here, off the I/O threads
    storage::ObjectStore& store;     ///< original files
    accounts::Profiles& profiles;    ///< owners' names, time zones, physiology and privacy defaults
    FollowGraph* follows = nullptr;  ///< null: nobody follows anybody (NobodyFollows)
};

/// Optional fields of an upload (the Strava upload API's).
struct UploadFields {
    std::optional<std::string> data_type;  ///< nullopt: sniffed from the bytes
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> sport;
    std::optional<std::string> external_id;
};

/// An upload's state as GET /v1/uploads/{id} reports it.
struct UploadStatus {
    std::int64_t id = 0;
    std::string status;  ///< processing | ready | error | duplicate
    std::vector<std::int64_t> activity_ids;
    std::optional<std::int64_t> duplicate_of;
    std::optional<std::string> error;
};

/// Workouts: uploads and their processing, activities, streams, analysis views, records, stats,
/// privacy zones, export. Owns the tables uploads, activities, activity_streams, best_efforts,
/// privacy_anchors, privacy_zones, object_deletions. Every output passes through one privacy
/// function (view.hpp); other features read activities through Reader().
class Module {
public:
    Module(Deps deps, Options options);
    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    /// Registers the routes /v1/uploads*, /v1/activities*, /v1/athlete/activities,
    /// /v1/users/{id}/activities|stats, /v1/me/records and /v1/me/privacy-zones*;
    /// the start task "activities.resume-uploads" (ResumePendingUploads) and the recurring task
    /// "activities.purge-deleted-originals" (PurgeDeletedOriginals, every minute).
    void Register(app::Registry& registry);

    /// Stores and processes one file for `owner_id`, as POST /v1/uploads does, and waits until it is
    /// processed (`strava1 import`). Throws Error for a refused upload (bad data_type, too large).
    boost::asio::awaitable<UploadStatus> ImportAndWait(std::int64_t owner_id, std::string bytes, UploadFields fields);

    /// Finishes uploads a crash left in "processing" (their originals are already stored), and
    /// computes what other viewers are shown of activities stored before that was kept with them
    /// (or by an older computation of it). Returns how many uploads it finished.
    boost::asio::awaitable<int> ResumePendingUploads();

    /// Removes from the object store the originals of uploads that were deleted (with their owner's
    /// account); returns how many. Run periodically; idempotent.
    boost::asio::awaitable<int> PurgeDeletedOriginals();

    /// Activities as a viewer may see them, for other features.
    ActivityReader& Reader();
    /// Which stored originals an upload still names: the object route serves no other (their keys
    /// start with kOriginalKeyPrefix).
    storage::ObjectReferences& OriginalReferences();
    static constexpr const char* kOriginalKeyPrefix = "original-";

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace strava1::activities
