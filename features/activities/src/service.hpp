#pragma once

// The activities service: every decision — who may see what (through the privacy function,
// view.hpp), what others are shown (public_view.hpp), the upload pipeline, duplicates, the privacy
// guard's plans, manual bounds — and the transactions around them. No HTTP types: the routes hand it
// plain values and wire structs, and render what it returns (responses.hpp).
//
// GCC 12: a co_await inside a condition (`if (!co_await …)`, `&&`, `?:`) miscompiles; every awaited
// value is named first. A lambda run on the CPU pool is a named object (OnCpu).

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "decode_budget.hpp"
#include "repository.hpp"
#include "strava1/activities/module.hpp"
#include "strava1/base/field_errors.hpp"
#include "strava1/base/offload.hpp"
#include "strava1/base/principal.hpp"
#include "strava1/http/paging.hpp"
#include "strava1/storage/object_store.hpp"
#include "view.hpp"
#include "wire.hpp"

namespace strava1::activities {

/// One activity a viewer may see: its row (kActivityColumns and the load's Extra), the owner's
/// privacy zones (for another viewer) and the viewer's View.
struct VisibleActivity {
    db::Result result;
    std::vector<geo::Disc> zones;
    View view;
    ActivityRow Row() const { return ReadRow(result, 0, zones); }
};

/// What a rendering of one activity needs: the row and view, the figures the viewer is shown instead
/// of the stored ones (public_view.hpp; nullopt: the stored ones), and its owner's facts, whose
/// `local_dates[0]` is the start's calendar day.
struct ActivityDetail {
    VisibleActivity activity;
    std::optional<boost::json::object> shown;
    accounts::ProfileFacts owner;
};

/// One page of one owner's activities for a viewer.
struct ActivityPage {
    struct Item {
        ActivityRow row;
        View view;
        std::optional<boost::json::object> shown;
    };
    std::unique_ptr<db::Result> result;  ///< a stable address: the items' rows point into it
    std::vector<Item> items;
    accounts::ProfileFacts owner;
    std::optional<std::string> next_cursor;
};

/// A list request's filters, as read from its query parameters, with what is wrong with them (thrown
/// once the owner is known to exist: a missing user is a 404 before a bad parameter is a 400).
struct ListFilter {
    std::optional<std::int64_t> before_us;
    std::optional<std::int64_t> after_us;
    std::optional<std::string> sport;
    http::Page page;
    FieldErrors errors;
};

/// Parts of an activity's stored analysis as the viewer is shown them.
struct AnalysisParts {
    View view;
    std::int64_t id = 0;
    /// The viewer is another one not shown every sample, with a public view (public_view.hpp).
    bool public_view = false;
    /// Per key (PartKeys), its JSON text ("[]" when none): from the public view when there is one
    /// and it has the key, else as stored.
    std::vector<std::string> parts;
};

/// A best effort as the viewer is shown it: its indexes in their streams.
struct EffortShown {
    EffortRow effort;
    std::int64_t start_index = 0;
    std::int64_t end_index = 0;
};

/// What others are shown of an activity, as stored (public_view.hpp): the hidden areas it was
/// computed for, and what it holds.
struct StoredPublicView {
    std::string areas;
    std::optional<std::string> summary;
    std::optional<std::string> analysis;
};
using PublicViews = std::unordered_map<std::int64_t, StoredPublicView>;

/// Proof that the caller owns an activity: only Service::RequireOwned makes one, so a change that
/// takes it cannot run without the owner-only policy having been stated.
class OwnedActivity {
public:
    std::int64_t Id() const noexcept { return id_; }
    std::int64_t OwnerId() const noexcept { return owner_id_; }

private:
    friend class Service;
    OwnedActivity(std::int64_t id, std::int64_t owner_id) : id_(id), owner_id_(owner_id) {}
    std::int64_t id_;
    std::int64_t owner_id_;
};

/// A manual activity's figures once its body passed (CheckManual).
struct ManualPlan {
    std::int64_t start_us = 0;
    double moving_s = 0;
    double distance_m = 0;
    std::optional<double> avg_speed_mps;
    std::optional<double> avg_pace_s_per_km;
};

/// The checks of a manual activity (each field's range, the date and speed bounds of
/// manual_checks.hpp against `now`): 400 naming every bad field.
ManualPlan CheckManual(const ManualActivityBody& body, SystemTime now);
/// The checks of an activity PATCH: 400 naming every bad field; the hidden metrics as text[] when set.
std::optional<std::string> CheckPatch(const PatchActivityBody& body);

/// Activities' job kinds (Module::Register).
inline constexpr const char* kResumeUploadKind = "activities.resume-upload";
inline constexpr const char* kDeleteOriginalsKind = "activities.delete-originals";
/// The unique key of an upload's resume job: one waiting or running per upload.
std::string ResumeKey(std::int64_t upload_id);

class Service {
public:
    Service(Deps deps, Options options, Repository& repository, FollowGraph& follows)
        : deps_(deps),
          options_(options),
          repository_(repository),
          follows_(follows),
          decode_budget_(options.decode_budget_bytes) {}

    const Options& Settings() const { return options_; }

    // --- reading (service_read.cpp) ---
    /// One activity with `extra`, when the viewer may see it; 404 otherwise (the same for both).
    /// `view_as` (the owner's "what others see" preview) is honoured only when the viewer owns the
    /// activity: the view is then the one Decide() gives a viewer of that relation, and where such a
    /// viewer could not see it at all the owner gets a 404 that says so. For anyone else it changes
    /// nothing, so nobody sees more by asking.
    boost::asio::awaitable<VisibleActivity> LoadVisible(std::int64_t viewer_id, std::int64_t id, Extra extra,
                                                        std::optional<Relation> view_as = std::nullopt);
    boost::asio::awaitable<ActivityDetail> Detail(std::int64_t viewer_id, std::int64_t id,
                                                  std::optional<Relation> view_as = std::nullopt);
    boost::asio::awaitable<ActivityPage> List(std::int64_t viewer_id, std::int64_t owner_id, ListFilter filter);
    /// The streams document (output.hpp) for the viewer; 400 naming a bad key or resolution.
    boost::asio::awaitable<std::string> Streams(std::int64_t viewer_id, std::int64_t id, std::string keys,
                                                std::string resolution, std::optional<Relation> view_as = std::nullopt);
    boost::asio::awaitable<AnalysisParts> Parts(std::int64_t viewer_id, std::int64_t id, Extra extra,
                                                std::optional<Relation> view_as = std::nullopt);
    /// The whole stored analysis (for what no public view replaces: a pool swim's lengths).
    boost::asio::awaitable<std::pair<View, boost::json::object>> Analysis(
        std::int64_t viewer_id, std::int64_t id, std::optional<Relation> view_as = std::nullopt);
    boost::asio::awaitable<std::vector<EffortShown>> BestEfforts(std::int64_t viewer_id, std::int64_t id,
                                                                 std::optional<Relation> view_as = std::nullopt);
    /// The GPX export for the viewer; 404 when there is no map they may see.
    boost::asio::awaitable<std::string> ExportGpx(std::int64_t viewer_id, std::int64_t id);
    /// The owner-only policy: the activity when the caller owns it; 404 otherwise (others may not
    /// learn that it exists).
    boost::asio::awaitable<OwnedActivity> RequireOwned(Principal who, std::int64_t id);
    /// A signed URL of the original file (404 for an activity not made from one).
    boost::asio::awaitable<storage::SignedUrl> OriginalUrl(OwnedActivity activity);
    boost::asio::awaitable<std::vector<RecordRow>> Records(std::int64_t owner_id);
    boost::asio::awaitable<std::vector<StatsRow>> Stats(std::int64_t viewer_id, std::int64_t owner_id);
    /// ActivityReader::Totals: the owners the viewer follows are asked of the FollowGraph, then one query.
    boost::asio::awaitable<std::vector<OwnerTotals>> Totals(std::int64_t viewer_id, std::vector<std::int64_t> owner_ids,
                                                            std::chrono::system_clock::time_point from,
                                                            std::chrono::system_clock::time_point to,
                                                            std::string sport);
    /// ActivityReader::Progress: the relations as for Totals, then one query.
    boost::asio::awaitable<std::vector<OwnerProgress>> Progress(std::int64_t viewer_id,
                                                                std::vector<std::int64_t> owner_ids,
                                                                ProgressQuery query);
    /// The privacy function for one viewer and audience, asking the relation (follows, blocks) of
    /// another viewer to the owner.
    boost::asio::awaitable<std::optional<View>> Decide(std::int64_t viewer_id, Audience audience);
    /// The same with the relation already known (RelationsOf for many owners): a block hides everything.
    static std::optional<View> Decide(std::int64_t viewer_id, const Audience& audience, app::Relation relation);
    /// The relation of the viewer to an owner (kNone for the owner, without asking).
    boost::asio::awaitable<app::Relation> RelationTo(std::int64_t viewer_id, std::int64_t owner_id);
    FollowGraph& Relations() { return follows_; }
    /// The facts of `user_id` (accounts' contract), with the days of `local_dates_of_us`; 404 `what`.
    boost::asio::awaitable<accounts::ProfileFacts> OwnerFacts(std::int64_t user_id,
                                                              std::vector<std::int64_t> local_dates_of_us,
                                                              std::string what);

    // --- what others are shown (service_public_views.cpp) ---
    /// For each row and its viewer's view: the figures the viewer is shown instead of the stored
    /// ones, or nullopt for the stored ones. A public view computed for other hidden areas than the
    /// viewer's is computed now, and stored.
    boost::asio::awaitable<std::vector<std::optional<boost::json::object>>> SummariesShown(
        std::vector<std::pair<ActivityRow, View>> rows);
    /// Computes and stores what others are shown of the activities `ids` of `owner_id` inside `tx`,
    /// which must hold the owner's lock (Repository::LockOwner).
    boost::asio::awaitable<PublicViews> RefreshPublicViews(db::Transaction tx, std::int64_t owner_id,
                                                           std::vector<std::int64_t> ids,
                                                           analytics::AthleteProfile profile);
    /// RefreshPublicViews in a transaction of its own.
    boost::asio::awaitable<PublicViews> RefreshPublicViewsNow(std::int64_t owner_id, std::vector<std::int64_t> ids);

    // --- uploads (service_uploads.cpp) ---
    /// Validates the fields, decodes and analyses the file (422 with the parser's reason when it
    /// cannot be read), stores the original, the upload row and the activities. Returns the upload id.
    boost::asio::awaitable<std::int64_t> AcceptUpload(std::int64_t owner_id, std::string_view bytes,
                                                      UploadFields fields);
    /// The upload (kUploadColumns) when `owner_id`'s; 404 otherwise.
    boost::asio::awaitable<db::Result> Upload(std::int64_t owner_id, std::int64_t upload_id);
    /// Module::ResumePendingUploads.
    boost::asio::awaitable<int> ResumePendingUploads();
    /// The job "activities.resume-upload": processes the upload if it is still "processing".
    boost::asio::awaitable<void> ResumeUpload(std::int64_t upload_id);
    /// The job "activities.delete-originals" (Module::PurgeDeletedOriginals).
    boost::asio::awaitable<int> PurgeDeletedOriginals();

    // --- changes (service_edits.cpp) ---
    /// Returns the new activity's id.
    boost::asio::awaitable<std::int64_t> CreateManual(std::int64_t owner_id, ManualActivityBody body);
    boost::asio::awaitable<void> Patch(OwnedActivity activity, PatchActivityBody body);
    /// Moderation's hide (ActivityModeration::Hide).
    boost::asio::awaitable<bool> HideByModeration(std::int64_t id);
    boost::asio::awaitable<void> Delete(OwnedActivity activity);
    boost::asio::awaitable<std::vector<PrivacyZone>> Zones(std::int64_t owner_id);
    boost::asio::awaitable<PrivacyZone> CreateZone(std::int64_t owner_id, PrivacyZoneBody body);
    boost::asio::awaitable<void> DeleteZone(std::int64_t owner_id, std::int64_t zone_id);
    /// Moves or resizes one of the owner's zones (the checks of CreateZone), recomputing what others
    /// are shown like a create or delete; another's zone is not found.
    boost::asio::awaitable<PrivacyZone> PatchZone(std::int64_t owner_id, std::int64_t zone_id,
                                                  PatchPrivacyZoneBody body);

    /// The stream blob of an activity, decoded on the CPU pool (an empty track when there is none).
    boost::asio::awaitable<formats::Track> LoadTrack(std::int64_t activity_id);
    /// The owner's profile as analysis needs it (the defaults when the owner is gone).
    boost::asio::awaitable<analytics::AthleteProfile> LoadProfile(std::int64_t owner_id);

    /// Runs `f` on the CPU pool (base/offload.hpp).
    template <class F>
    boost::asio::awaitable<std::invoke_result_t<F&>> OnCpu(F& f) {
        co_return co_await strava1::OnCpu(deps_.cpu, f);
    }

private:
    /// For one owner's lists and stats: whether the viewer follows them; 404 "user" under a block,
    /// as for a missing user.
    boost::asio::awaitable<bool> FollowsForList(std::int64_t viewer_id, std::int64_t owner_id);

    struct Admitted;
    boost::asio::awaitable<Admitted> AdmitDecode(std::string_view bytes, formats::DataType type);
    boost::asio::awaitable<void> Process(std::int64_t upload_id);
    /// Enqueues the upload's resume job in `tx`, due at `run_at` (one per upload: its unique key).
    boost::asio::awaitable<jobs::Enqueued> EnqueueResume(db::Transaction tx, std::int64_t upload_id, SystemTime run_at);
    /// Stores the upload's outcome in `tx` and removes its resume job with it (unless that job is the
    /// one running).
    boost::asio::awaitable<void> FinishUpload(db::Transaction tx, std::int64_t upload_id, std::string status,
                                              std::optional<std::string> error, std::vector<std::int64_t> ids,
                                              std::optional<std::int64_t> duplicate_of);
    /// FinishUpload with status "error" and `reason`, in a transaction of its own.
    boost::asio::awaitable<void> FailUpload(std::int64_t upload_id, std::string reason);
    boost::asio::awaitable<void> StoreActivities(std::int64_t upload_id, const accounts::ProfileFacts& owner,
                                                 const std::string& sha, const UploadFields& fields,
                                                 const std::vector<PreparedActivity>& list);
    /// Publishes `type` (events.hpp) for activity `id` in `tx`, with its facts as they stand in `tx`.
    boost::asio::awaitable<void> PublishEvent(db::Transaction tx, const char* type, std::int64_t id);
    boost::asio::awaitable<std::int64_t> InsertActivity(db::Transaction tx, const accounts::ProfileFacts& owner,
                                                        std::optional<std::int64_t> upload_id,
                                                        const PreparedActivity& p, const UploadFields& fields,
                                                        const std::string& sha);
    /// The owner's earliest activity that is the same workout as `range` (duplicates.hpp), other
    /// than those of upload `exclude_upload`. Call under the owner's lock.
    static boost::asio::awaitable<std::optional<std::int64_t>> FindSameWorkout(
        db::Transaction tx, std::int64_t owner_id, TimeRange range, std::optional<std::int64_t> exclude_upload);
    /// Where an activity's start and end are hidden, from the owner's anchors and the guard.
    static boost::asio::awaitable<EndpointPlan> PlanEndpoints(db::Transaction tx, std::int64_t owner_id, int radius_m,
                                                              const std::vector<std::int32_t>& lat_e7,
                                                              const std::vector<std::int32_t>& lng_e7,
                                                              std::uint64_t seed, std::int64_t activity_id);

    Deps deps_;
    Options options_;
    Repository& repository_;
    FollowGraph& follows_;
    DecodeBudget decode_budget_;
};

/// What analysis needs of the owner's profile (accounts' facts).
analytics::AthleteProfile AthleteProfileOf(const accounts::ProfileFacts& facts);

/// Whether `view` is another viewer's who is not shown every sample of the activity in row `a` (a
/// hidden area, a track with samples to hide): what they see then is its public view, not the stored
/// figures and indexes.
bool NeedsPublicView(const ActivityRow& a, const View& view);
/// Whether the stored public view of row `a` was computed for the hidden areas `view` has.
bool PublicViewIsCurrent(const ActivityRow& a, const View& view);
/// 63 random bits and more, for privacy seeds and anchors.
std::uint64_t RandomU64();
/// A stored stream blob (bytea hex) decoded.
formats::Result<formats::Track> DecodeStoredTrack(std::string_view hex);

}  // namespace strava1::activities
