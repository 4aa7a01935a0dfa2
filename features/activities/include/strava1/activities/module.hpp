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
#include "strava1/activities/moderation.hpp"
#include "strava1/activities/reader.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/base/clock.hpp"
#include "strava1/jobs/client.hpp"
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
    const jobs::Client& jobs;        ///< enqueues its jobs with the changes that need them
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
    /// "true" or "false": leave the activity out of followers' home feeds (the owner's alone to know).
    std::optional<std::string> hide_from_feed;
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
/// privacy zones, export. Background work runs on jobs (ADR 0013). Owns the tables uploads, activities,
/// activity_streams, best_efforts, privacy_anchors, privacy_zones, object_deletions. Every output passes through one
/// privacy function (view.hpp); other features read activities through Reader().
class Module {
public:
    Module(Deps deps, Options options);
    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    /// Registers the routes /v1/uploads*, /v1/activities*, /v1/athlete/activities,
    /// /v1/users/{id}/activities|stats, /v1/me/records and /v1/me/privacy-zones*; the job kinds
    /// "activities.resume-upload" (one upload, payload {upload_id}) and "activities.delete-originals"
    /// (PurgeDeletedOriginals), the latter also every 10 minutes as a safety net and on the event
    /// "user.deleted" (subscriber "activities"); and the start task "activities.resume-uploads"
    /// (ResumePendingUploads). Publishes the events of events.hpp with the changes they describe.
    void Register(app::Registry& registry);

    /// How long after an upload is accepted its "activities.resume-upload" job falls due. The request
    /// that accepted it processes it at once (no latency is added); the job only matters if that
    /// process died first, and it must not fire while a live process is still at it: decoding waits
    /// at most decode_queue_timeout (20 s) for room, and decoding and storing the largest file allowed
    /// (100 MiB once decompressed) takes well under a minute on the 2-core machine, so 15 minutes is
    /// far past the longest processing that can still be running. Storing the upload's outcome removes
    /// the job if it is still waiting; one that fires early anyway finds the upload no longer
    /// processing, or is refused a second outcome (StoreActivities' check).
    static constexpr std::chrono::minutes kResumeUploadAfter{15};

    /// Stores and processes one file for `owner_id`, as POST /v1/uploads does, and waits until it is
    /// processed (`strava1 import`). Throws Error for a refused upload (bad data_type, too large).
    boost::asio::awaitable<UploadStatus> ImportAndWait(std::int64_t owner_id, std::string bytes, UploadFields fields);

    /// The one-time path for uploads that versions before the resume job left in "processing":
    /// enqueues "activities.resume-upload" for each upload in "processing" that has none, due
    /// kResumeUploadAfter after it was accepted (so never while a live process may still be at it);
    /// and computes what other viewers are shown of activities stored before that was kept with them
    /// (or by an older computation of it). Safe in every process at once. Returns how many jobs it
    /// enqueued.
    boost::asio::awaitable<int> ResumePendingUploads();

    /// Drains the outbox object_deletions: removes from the object store the originals of deleted
    /// uploads (with their owner's account) and of uploads whose last activity was deleted, unless
    /// the same file was uploaded again since; returns how many files it removed. Idempotent, and
    /// safe to run in several processes at once.
    boost::asio::awaitable<int> PurgeDeletedOriginals();

    /// Activities as a viewer may see them, for other features.
    ActivityReader& Reader();
    /// What moderation may do to an activity (hide it).
    ActivityModeration& Moderation();
    /// Which stored originals an upload still names: the object route serves no other (their keys
    /// start with kOriginalKeyPrefix).
    storage::ObjectReferences& OriginalReferences();
    static constexpr const char* kOriginalKeyPrefix = "original-";

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace strava1::activities
