// The upload pipeline: admit the decode within the budget, decode and analyse on the CPU pool, store
// the original and then the activities under the owner's lock, unless they duplicate earlier ones
// (features/activities/README.md, "An upload").
#include <algorithm>
#include <cctype>

#include "privacy_guard.hpp"
#include "public_view.hpp"
#include "service.hpp"
#include "strava1/activities/events.hpp"
#include "strava1/app/policy.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/base/log.hpp"

namespace strava1::activities {
namespace asio = boost::asio;

namespace {

/// Frees what decoding needed and storing does not (the analysis' per-sample columns, intervals
/// and curves are already in the stream blob and the analysis JSON), and returns the memory the
/// prepared activities still hold: what their upload keeps of its decode budget until it is stored.
std::size_t TrimForStoring(std::vector<PreparedActivity>& list) {
    std::size_t held = 0;
    for (auto& p : list) {
        auto& a = p.analysis;
        for (auto* column : {&a.distance_m, &a.time_s}) {
            std::vector<double>().swap(*column);
        }
        std::vector<geo::LatLng>().swap(a.geometry);
        for (auto* intervals : {&a.splits_km, &a.splits_mile, &a.laps}) {
            std::vector<analytics::IntervalStats>().swap(*intervals);
        }
        for (auto* curve : {&a.power_curve, &a.speed_curve, &a.heart_rate_curve}) {
            std::vector<analytics::CurvePoint>().swap(*curve);
        }
        held += sizeof(PreparedActivity) + p.stream_blob.capacity() + p.analysis_json.capacity() +
                p.summary_polyline.capacity() + p.polyline.capacity() + a.summary_polyline.capacity() +
                p.file_name.capacity() + p.description.capacity() + p.device.capacity() +
                (p.lat_e7.capacity() + p.lng_e7.capacity()) * sizeof(std::int32_t) +
                a.best_efforts.capacity() * sizeof(analytics::BestEffort);
    }
    return held;
}

const char* ContentTypeFor(std::string_view data_type) {
    if (data_type.ends_with(".gz")) {
        return "application/gzip";
    }
    if (data_type == "gpx") {
        return "application/gpx+xml";
    }
    if (data_type == "tcx") {
        return "application/vnd.garmin.tcx+xml";
    }
    return "application/vnd.ant.fit";
}

std::string BytesToPgHex(std::string_view bytes) {
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    out.reserve(2 + bytes.size() * 2);
    out += "\\x";
    for (unsigned char c : bytes) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 15]);
    }
    return out;
}

/// The hidden disc of one endpoint, from the owner's anchor nearest to it.
struct AnchoredDisc {
    geo::Disc disc;
    std::int64_t anchor_id = 0;
    geo::LatLng home;
};

/// The hidden disc of one endpoint, from the owner's anchor nearest to it (created on first use).
asio::awaitable<std::optional<AnchoredDisc>> EndpointDisc(db::Transaction tx, std::int64_t owner_id, int radius_m,
                                                          std::optional<geo::LatLng> point, std::uint64_t seed,
                                                          geo::Endpoint endpoint) {
    if (!point || radius_m <= 0) {
        co_return std::nullopt;
    }
    // Anchors are kept across changes of R: two anchors for one place would let an observer
    // intersect their rings.
    std::vector<AnchorRow> anchors = co_await Repository::Anchors(tx, owner_id);
    std::optional<AnchoredDisc> best;
    double best_distance = 0;
    for (const auto& [anchor_id, anchor] : anchors) {
        if (!geo::AnchorCovers(anchor, *point, radius_m)) {
            continue;
        }
        double d = geo::LocalDistanceM(anchor.home, *point);
        if (!best || d < best_distance) {
            best = AnchoredDisc{geo::EndpointDisc(anchor, radius_m, seed, endpoint), anchor_id, anchor.home};
            best_distance = d;
        }
    }
    if (best) {
        co_return best;
    }
    const geo::Anchor anchor = geo::NewAnchor(*point, radius_m, RandomU64());
    const std::int64_t anchor_id = co_await Repository::InsertAnchor(tx, owner_id, radius_m, anchor);
    co_return AnchoredDisc{geo::EndpointDisc(anchor, radius_m, seed, endpoint), anchor_id, anchor.home};
}

}  // namespace

std::string ResumeKey(std::int64_t upload_id) {
    return std::string(kResumeUploadKind) + ":" + std::to_string(upload_id);
}

std::uint64_t RandomU64() {
    std::string bytes = crypto::RandomBytes(8);
    std::uint64_t v = 0;
    for (unsigned char c : bytes) {
        v = (v << 8) | c;
    }
    return v;
}

/// A planned decode with its room in the decode budget, or why the file cannot be decoded
/// (`error`: unreadable, 422) or not within the budget (`too_large`: 413).
struct Service::Admitted {
    std::optional<formats::ParseError> error;
    std::optional<std::string> too_large;
    DecodePlan plan;
    std::optional<DecodeBudget::Lease> lease;
};

// Sizes the decoding of `bytes` on the CPU pool (a .gz is counted through, never held whole, so a
// bomb is refused here having cost one 64 KiB buffer) and waits for room in the server-wide decode
// budget: 503 when none frees up in time. A file whose decoding alone would take more than the whole
// budget is refused: running it would break the bound the budget is.
asio::awaitable<Service::Admitted> Service::AdmitDecode(std::string_view bytes, formats::DataType type) {
    const std::size_t cap = options_.max_upload_bytes * options_.max_gzip_expansion;
    auto work = [bytes, type, cap] { return PlanDecode(bytes, type, cap); };
    auto plan = co_await OnCpu(work);
    Admitted out;
    if (!plan) {
        out.error = plan.error();
        if (out.error->reason.starts_with("gzip bomb")) {
            out.error->reason += " (" + std::to_string(options_.max_gzip_expansion) + " times the upload limit)";
        }
        co_return out;
    }
    out.plan = plan.value();
    if (out.plan.memory_bytes > decode_budget_.Capacity()) {
        const bool fit = out.plan.plain_type == formats::DataType::kFit;
        const std::size_t most = decode_budget_.Capacity() / (fit ? kFitMemoryPerByte : kXmlMemoryPerByte);
        std::string kind = formats::DataTypeName(out.plan.plain_type);
        std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return std::toupper(c); });
        out.too_large = "the file is too large to decode on this server: a " + kind + " file may hold at most " +
                        std::to_string(most) + " bytes" +
                        (out.plan.plain_type != out.plan.type ? " once decompressed" : "") + " (this one holds " +
                        std::to_string(out.plan.plain_bytes) + ") with a decode budget of " +
                        std::to_string(decode_budget_.Capacity() >> 20) + " MiB (STRAVA1_DECODE_BUDGET_MB)";
        co_return out;
    }
    auto lease = co_await decode_budget_.Acquire(out.plan.memory_bytes, options_.decode_queue_timeout);
    if (!lease) {
        throw Error(ErrorKind::kUnavailable, "the server is busy decoding other uploads; try again in a moment")
            .WithRetryAfter(5);
    }
    out.lease.emplace(std::move(*lease));
    co_return out;
}

asio::awaitable<std::int64_t> Service::AcceptUpload(std::int64_t owner_id, std::string_view bytes,
                                                    UploadFields fields) {
    if (bytes.size() > options_.max_upload_bytes) {
        throw Error(ErrorKind::kTooLarge, "the file exceeds " + std::to_string(options_.max_upload_bytes) + " bytes");
    }
    const formats::DataType type = CheckUploadFields(fields, bytes);
    const std::string type_name = formats::DataTypeName(type);
    const accounts::ProfileFacts owner = co_await OwnerFacts(owner_id, {}, "user");
    const analytics::AthleteProfile profile = AthleteProfileOf(owner);
    struct Decoded {
        std::string sha;
        std::string key;
        std::int64_t size = 0;
        std::size_t held = 0;  ///< TrimForStoring of the activities
        std::optional<formats::ParseError> error;
        std::vector<PreparedActivity> activities;
    };
    Admitted admitted = co_await AdmitDecode(bytes, type);
    if (admitted.error) {
        throw Error(ErrorKind::kUnprocessable, admitted.error->Plain());
    }
    if (admitted.too_large) {
        throw Error(ErrorKind::kTooLarge, *admitted.too_large);
    }
    const DecodePlan plan = admitted.plan;
    auto work = [owner_id, bytes, type_name, plan, profile] {
        Decoded out;
        auto prepared = PrepareFile(bytes, plan, profile);
        if (!prepared) {
            out.error = prepared.error();
            return out;
        }
        out.activities = std::move(prepared).value();
        out.held = TrimForStoring(out.activities);
        out.sha = crypto::Hex(crypto::Sha256(bytes));
        out.key = Module::kOriginalKeyPrefix + std::to_string(owner_id) + "-" + out.sha + "." + type_name;
        out.size = static_cast<std::int64_t>(bytes.size());
        return out;
    };
    Decoded d = co_await OnCpu(work);
    if (d.error) {
        throw Error(ErrorKind::kUnprocessable, d.error->Plain());
    }
    // Decoding is over: what is still held is the result, far less than the estimate. Storing the
    // original (fsync) and the activities (the owner's lock, the pool) can wait on others, and other
    // uploads must not wait for that.
    admitted.lease->ShrinkTo(d.held);
    auto put = [this, &d, bytes, type_name] {
        // Durable before the row that names it, so a crash never leaves an upload without its file.
        deps_.store.Put(d.key, bytes, ContentTypeFor(type_name));
    };
    co_await OnCpu(put);
    // With its resume job, due long after this request will have stored the outcome: only if this
    // process dies first does a worker (any process's) process the upload (Module::kResumeUploadAfter).
    // The due time is the database's clock's business, so it is the real time, not deps_.clock.
    const SystemTime resume_at = SystemClock::Instance().Now() + Module::kResumeUploadAfter;
    auto insert = [&](db::Transaction& tx) -> asio::awaitable<std::int64_t> {
        const std::int64_t id =
            co_await Repository::InsertUpload(tx, owner_id, type_name, d.sha, d.size, d.key, fields.external_id,
                                              fields.name, fields.description, fields.sport, HidesFromFeed(fields));
        co_await EnqueueResume(tx, id, resume_at);
        co_return id;
    };
    const std::int64_t upload_id = co_await db::RunInTransaction<std::int64_t>(repository_.Pool(), insert);
    co_await StoreActivities(upload_id, owner, d.sha, fields, d.activities);
    co_return upload_id;
}

asio::awaitable<db::Result> Service::Upload(std::int64_t owner_id, std::int64_t upload_id) {
    co_return app::Found(co_await repository_.FindUpload(owner_id, upload_id), "upload");
}

asio::awaitable<EndpointPlan> Service::PlanEndpoints(db::Transaction tx, std::int64_t owner_id, int radius_m,
                                                     const std::vector<std::int32_t>& lat_e7,
                                                     const std::vector<std::int32_t>& lng_e7, std::uint64_t seed,
                                                     std::int64_t activity_id) {
    std::optional<geo::LatLng> first;
    std::optional<geo::LatLng> last;
    for (std::size_t idx = 0; idx < lat_e7.size(); ++idx) {
        if (lat_e7[idx] != formats::kNoPosition) {
            geo::LatLng here{formats::E7ToDegrees(lat_e7[idx]), formats::E7ToDegrees(lng_e7[idx])};
            if (!first) {
                first = here;
            }
            last = here;
        }
    }
    EndpointPlan plan;
    auto start = co_await EndpointDisc(tx, owner_id, radius_m, first, seed, geo::Endpoint::kStart);
    auto end = co_await EndpointDisc(tx, owner_id, radius_m, last, seed, geo::Endpoint::kEnd);
    GuardedEndpoint gs;
    GuardedEndpoint ge;
    if (start) {
        gs.disc = start->disc;
        gs.home = start->home;
        gs.earlier_ends = co_await Repository::PublicEndsAt(tx, start->anchor_id, activity_id);
        plan.start_anchor = start->anchor_id;
    }
    if (end) {
        ge.disc = end->disc;
        ge.home = end->home;
        ge.earlier_ends = co_await Repository::PublicEndsAt(tx, end->anchor_id, activity_id);
        plan.end_anchor = end->anchor_id;
    }
    // A 10 % margin: observers' distance formulas and the zones (applied on the way out) move the
    // public ends by metres.
    GuardDecision decision = Guard(lat_e7, lng_e7, gs, ge, radius_m * 1.1);
    if (start) {
        plan.start_disc = DiscArrayText(geo::Disc{start->disc.centre, start->disc.radius_m * decision.scale});
    }
    if (end) {
        plan.end_disc = DiscArrayText(geo::Disc{end->disc.centre, end->disc.radius_m * decision.scale});
    }
    plan.map_hidden = decision.hide_map;
    if (decision.ends.first) {
        plan.public_start = PointArrayText(*decision.ends.first);
        plan.public_end = PointArrayText(*decision.ends.last);
    }
    co_return plan;
}

asio::awaitable<std::int64_t> Service::InsertActivity(db::Transaction tx, const accounts::ProfileFacts& owner,
                                                      std::optional<std::int64_t> upload_id, const PreparedActivity& p,
                                                      const UploadFields& fields, const std::string& sha) {
    NewActivity n;
    n.owner_id = owner.user_id;
    n.upload_id = upload_id;
    n.prepared = &p;
    n.visibility = owner.default_visibility;
    n.hide_endpoints_m = owner.hide_endpoints_m;
    n.privacy_seed = static_cast<std::int64_t>(RandomU64() >> 1);
    n.plan = co_await PlanEndpoints(tx, n.owner_id, n.hide_endpoints_m, p.lat_e7, p.lng_e7,
                                    static_cast<std::uint64_t>(n.privacy_seed), 0);
    n.sport = fields.sport ? *fields.sport : formats::SportName(p.sport);
    n.name = fields.name;
    if (!n.name && !p.file_name.empty() && p.file_name.size() <= 255) {
        n.name = p.file_name;
    }
    n.description = fields.description.value_or(p.description.size() <= 10000 ? p.description : "");
    n.file_sha256 = sha;
    n.external_id = fields.external_id;
    n.time_zone = owner.time_zone;
    n.hide_from_feed = HidesFromFeed(fields);
    const std::int64_t id = co_await Repository::InsertActivity(tx, n);
    if (!p.stream_blob.empty() && p.point_count > 0) {
        co_await Repository::InsertStreams(tx, id, BytesToPgHex(p.stream_blob));
    }
    for (const auto& effort : p.analysis.best_efforts) {
        co_await Repository::InsertBestEffort(tx, id, n.owner_id, n.sport, effort,
                                              static_cast<double>(p.start_ms) / 1000.0);
    }
    co_await PublishEvent(tx, kActivityCreated, id);
    co_return id;
}

asio::awaitable<void> Service::PublishEvent(db::Transaction tx, const char* type, std::int64_t id) {
    std::optional<boost::json::object> facts = co_await Repository::EventFacts(tx, id);
    if (!facts) {
        co_return;
    }
    // A named event: GCC 12 destroys a braced temporary in a co_await expression twice.
    jobs::Event event{type, std::move(*facts)};
    co_await deps_.jobs.Publish(tx, std::move(event));
}

asio::awaitable<std::optional<std::int64_t>> Service::FindSameWorkout(db::Transaction tx, std::int64_t owner_id,
                                                                      TimeRange range,
                                                                      std::optional<std::int64_t> exclude_upload) {
    auto overlapping = co_await Repository::OverlappingActivities(tx, owner_id, range, exclude_upload);
    for (const auto& [id, other] : overlapping) {
        if (IsSameWorkout(range, other)) {
            co_return id;
        }
    }
    co_return std::nullopt;
}

asio::awaitable<void> Service::StoreActivities(std::int64_t upload_id, const accounts::ProfileFacts& owner,
                                               const std::string& sha, const UploadFields& fields,
                                               const std::vector<PreparedActivity>& list) {
    struct Outcome {
        std::vector<std::int64_t> ids;
        std::optional<std::int64_t> duplicate_of;
        bool finished_before = false;
    };
    const std::int64_t owner_id = owner.user_id;
    const analytics::AthleteProfile profile = AthleteProfileOf(owner);
    auto store = [&](db::Transaction& tx) -> asio::awaitable<Outcome> {
        // One owner's uploads are checked for duplicates and inserted one at a time.
        co_await Repository::LockOwner(tx, owner_id);
        Outcome o;
        // A resume job that fired while the request still processed the upload (or a second run of
        // that job) finds its outcome stored and adds nothing: the outcome is written in this
        // transaction, under this lock.
        const bool processing = co_await Repository::LockProcessing(tx, upload_id);
        if (!processing) {
            o.finished_before = true;
            co_return o;
        }
        o.duplicate_of = co_await Repository::SameFile(tx, owner_id, sha);
        if (o.duplicate_of) {
            co_return o;
        }
        // Every leg is checked before any is inserted: the outcome ("duplicate") commits in this same
        // transaction, so legs inserted before a later one turned out a duplicate would stay.
        for (const auto& p : list) {
            // Whatever device or format recorded it: the legs of one multisport file follow each
            // other, so only other uploads' and manual activities are compared.
            o.duplicate_of = co_await FindSameWorkout(tx, owner_id, TimeRange{p.start_ms, p.end_ms}, upload_id);
            if (o.duplicate_of) {
                co_return o;
            }
        }
        for (const auto& p : list) {
            o.ids.push_back(co_await InsertActivity(tx, owner, upload_id, p, fields, sha));
        }
        co_await RefreshPublicViews(tx, owner_id, o.ids, profile);
        co_return o;
    };
    auto store_and_finish = [&](db::Transaction& tx) -> asio::awaitable<void> {
        Outcome outcome = co_await store(tx);
        if (outcome.finished_before) {
            co_return;
        }
        if (outcome.duplicate_of) {
            co_await FinishUpload(tx, upload_id, "duplicate", std::nullopt, {}, outcome.duplicate_of);
        } else {
            co_await FinishUpload(tx, upload_id, "ready", std::nullopt, outcome.ids, std::nullopt);
        }
    };
    co_await db::RunInTransaction<void>(repository_.Pool(), store_and_finish);
}

asio::awaitable<void> Service::Process(std::int64_t upload_id) {
    std::optional<PendingUpload> u = co_await repository_.FindPendingUpload(upload_id);
    if (!u) {
        co_return;
    }
    const auto type = formats::ParseDataType(u->data_type);
    UploadFields fields{std::nullopt,   u->name,
                        u->description, u->sport,
                        u->external_id, u->hide_from_feed ? std::optional<std::string>("true") : std::nullopt};
    const accounts::ProfileFacts owner = co_await OwnerFacts(u->owner_id, {}, "user");
    const analytics::AthleteProfile profile = AthleteProfileOf(owner);
    auto read = [this, &u] { return deps_.store.Get(u->original_key); };
    std::optional<std::string> bytes = co_await OnCpu(read);
    if (!bytes) {
        co_await FailUpload(upload_id, "the uploaded file is missing from storage");
        co_return;
    }
    Admitted admitted = co_await AdmitDecode(*bytes, *type);
    if (admitted.error || admitted.too_large) {
        std::string reason = admitted.error ? admitted.error->Plain() : *admitted.too_large;
        co_await FailUpload(upload_id, std::move(reason));
        co_return;
    }
    const DecodePlan plan = admitted.plan;
    std::size_t held = 0;
    auto work = [&bytes, &held, plan, profile] {
        auto prepared = PrepareFile(*bytes, plan, profile);
        if (prepared) {
            held = TrimForStoring(prepared.value());
        }
        return prepared;
    };
    auto prepared = co_await OnCpu(work);
    if (!prepared) {
        co_await FailUpload(upload_id, prepared.error().Plain());
        co_return;
    }
    bytes.reset();
    admitted.lease->ShrinkTo(held);
    co_await StoreActivities(upload_id, owner, u->file_sha256, fields, prepared.value());
}

asio::awaitable<jobs::Enqueued> Service::EnqueueResume(db::Transaction tx, std::int64_t upload_id, SystemTime run_at) {
    jobs::NewJob job;
    job.kind = kResumeUploadKind;
    job.payload = boost::json::object{{"upload_id", upload_id}};
    job.run_at = run_at;
    job.unique_key = ResumeKey(upload_id);
    co_return co_await deps_.jobs.Enqueue(tx, std::move(job));
}

asio::awaitable<void> Service::FinishUpload(db::Transaction tx, std::int64_t upload_id, std::string status,
                                            std::optional<std::string> error, std::vector<std::int64_t> ids,
                                            std::optional<std::int64_t> duplicate_of) {
    co_await Repository::FinishUpload(tx, upload_id, std::move(status), std::move(error), std::move(ids), duplicate_of);
    // The outcome is stored, so the safety net has nothing left to catch: it goes with this commit
    // rather than waiting in the queue to run as a no-op. When this run is the resume job itself, it
    // is running and stays; its worker deletes it when it returns.
    co_await deps_.jobs.CancelByKey(tx, kResumeUploadKind, ResumeKey(upload_id));
}

asio::awaitable<void> Service::FailUpload(std::int64_t upload_id, std::string reason) {
    auto fail = [&](db::Transaction& tx) -> asio::awaitable<void> {
        co_await FinishUpload(tx, upload_id, "error", reason, {}, std::nullopt);
    };
    co_await db::RunInTransaction<void>(repository_.Pool(), fail);
}

asio::awaitable<void> Service::ResumeUpload(std::int64_t upload_id) {
    // An upload no longer "processing" (the request stored its outcome, or the account went) is
    // skipped inside Process; a failure throws, and the job retries with backoff.
    co_await Process(upload_id);
}

asio::awaitable<int> Service::ResumePendingUploads() {
    std::vector<std::pair<std::int64_t, SystemTime>> pending = co_await repository_.PendingUploads();
    int enqueued = 0;
    for (const auto& [upload_id, accepted_at] : pending) {
        // Due as if it had been enqueued when the upload was accepted: an upload a live process of an
        // older version is still at is not taken from it; one a crash left behind long ago is due now.
        // One that has its job already (the unique key) keeps that one.
        const std::int64_t id = upload_id;
        const SystemTime run_at = accepted_at + Module::kResumeUploadAfter;
        auto enqueue = [&](db::Transaction& tx) -> asio::awaitable<bool> {
            jobs::Enqueued e = co_await EnqueueResume(tx, id, run_at);
            co_return e.inserted;
        };
        const bool inserted = co_await db::RunInTransaction<bool>(repository_.Pool(), enqueue);
        enqueued += inserted ? 1 : 0;
    }
    // Activities stored before their public views existed, or by an older computation of them:
    // until then another viewer's request computes theirs itself.
    auto stale = co_await repository_.StalePublicViews(std::string(kPublicViewVersion));
    for (auto& [owner_id, ids] : stale) {
        co_await RefreshPublicViewsNow(owner_id, std::move(ids));
    }
    co_return enqueued;
}

asio::awaitable<int> Service::PurgeDeletedOriginals() {
    constexpr int kBatch = 100;
    int removed = 0;
    for (;;) {
        struct Batch {
            int claimed = 0;
            int removed = 0;
        };
        // The files go while their rows are locked and the rows with the commit: a crash in between
        // leaves rows whose files are gone, and deleting a missing file again is harmless.
        auto drain = [&](db::Transaction& tx) -> asio::awaitable<Batch> {
            auto claimed = co_await Repository::ClaimDeletions(tx, kBatch);
            Batch b;
            b.claimed = static_cast<int>(claimed.size());
            std::vector<std::string> keys;
            for (const auto& [key, needed] : claimed) {
                if (!needed) {
                    auto work = [this, &key] { deps_.store.Delete(key); };
                    co_await OnCpu(work);
                    ++b.removed;
                }
                keys.push_back(key);
            }
            if (!keys.empty()) {
                co_await Repository::ForgetDeletions(tx, keys);
            }
            co_return b;
        };
        Batch b = co_await db::RunInTransaction<Batch>(repository_.Pool(), drain);
        removed += b.removed;
        if (b.claimed < kBatch) {
            co_return removed;
        }
    }
}

}  // namespace strava1::activities
