// The upload pipeline against a real PostgreSQL and object store: an upload a crash left in
// "processing" is finished at the next start, and two concurrent uploads of one file make one
// activity (the per-owner lock serialises the duplicate check); the decode budget refuses a file
// that alone would exceed it, an upload waiting to be stored holds only what it keeps of it, and the
// next start computes what others are shown of activities stored before that was kept with them;
// an upload's resume job goes with its outcome, and a multisport file with one duplicate leg adds none.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "fake_profiles.hpp"
#include "pipeline.hpp"
#include "public_view.hpp"
#include "repository.hpp"
#include "responses.hpp"
#include "service.hpp"
#include "strava1/activities/module.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/base/json.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/jobs/admin.hpp"
#include "strava1/jobs/client.hpp"
#include "strava1/jobs/worker.hpp"
#include "strava1/storage/local_store.hpp"
#include "strava1/testing/pg.hpp"
#include "strava1/testing/testdata.hpp"

namespace strava1::activities {
namespace {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
namespace fs = std::filesystem;

class ActivitiesPg : public ::testing::Test {
protected:
    void SetUp() override {
        if (!testing::PgDsn()) {
            return;
        }
        database_ = std::make_unique<testing::PgTestDatabase>();
        pool_ = std::make_unique<db::Pool>(io_.get_executor(), db::PoolOptions{database_->ConnInfo(), 4});
        root_ = fs::temp_directory_path() / ("strava1-activities-pgtest-" + crypto::Hex(crypto::RandomBytes(6)));
        store_ = std::make_unique<storage::LocalObjectStore>(root_, std::string(32, 'k'), "", clock_);
        module_ = std::make_unique<Module>(Deps{*pool_, clock_, cpu_, jobs_, *store_, profiles_}, Options{});
        module_->Register(registry_);
        db::Result r =
            Sync(pool_->Query("INSERT INTO users (email, display_name) VALUES ('a@example.com', 'A') RETURNING id"));
        user_ = r.Int(0, 0);
        profiles_.Add(user_, "A");
    }
    void TearDown() override {
        module_.reset();
        pool_.reset();
        cpu_.join();
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    template <class T>
    T Sync(asio::awaitable<T> task) {
        return testing::RunSync(io_, std::move(task));
    }
    /// Runs a job worker over the registered kinds until `done()` holds or 20 s pass; whether it held.
    /// `done` may query the database: it runs on the loop, as a coroutine.
    bool WorkUntil(std::function<asio::awaitable<bool>()> done) {
        auto run = [this, done]() -> asio::awaitable<bool> {
            jobs::WorkerOptions options;
            options.poll_interval = std::chrono::milliseconds(50);
            options.maintenance_interval = std::chrono::milliseconds(50);
            jobs::Worker worker(co_await asio::this_coro::executor, *pool_, registry_.Jobs(), options);
            worker.Start();
            asio::steady_timer wait(co_await asio::this_coro::executor);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
            bool held = false;
            for (;;) {
                held = co_await done();
                if (held || std::chrono::steady_clock::now() > deadline) {
                    break;
                }
                wait.expires_after(std::chrono::milliseconds(10));
                co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
            }
            co_await worker.Stop();
            co_return held;
        };
        return Sync(run());
    }
    asio::awaitable<std::string> UploadStatusAt(std::string key) {
        db::Result r = co_await pool_->Query("SELECT status FROM uploads WHERE original_key = $1", db::Params::Of(key));
        co_return r.String(0, 0);
    }
    asio::awaitable<bool> Processed(std::string key) {
        const std::string status = co_await UploadStatusAt(key);
        co_return status != "processing";
    }
    asio::awaitable<bool> NoJobsOf(std::string kind) {
        jobs::ListFilter filter;
        filter.kind = kind;
        auto rows = co_await jobs::ListJobs(*pool_, filter);
        co_return rows.empty();
    }
    asio::awaitable<bool> Gone(std::string key) { co_return !store_->Stat(key); }
    std::string UploadStatusOf(const std::string& key) {
        return Sync(pool_->Query("SELECT status FROM uploads WHERE original_key = $1", db::Params::Of(key)))
            .String(0, 0);
    }
    std::vector<jobs::JobRow> JobsOf(const char* kind) {
        jobs::ListFilter filter;
        filter.kind = kind;
        return Sync(jobs::ListJobs(*pool_, filter));
    }
    static std::string Fixture(const char* rel) { return testing::ReadFile(fs::path(STRAVA1_FIXTURES_DIR) / rel); }

    asio::io_context io_;
    asio::thread_pool cpu_{2};
    testing::FakeClock clock_;
    std::unique_ptr<testing::PgTestDatabase> database_;
    std::unique_ptr<db::Pool> pool_;
    fs::path root_;
    std::unique_ptr<storage::LocalObjectStore> store_;
    FakeProfiles profiles_;
    app::Registry registry_;
    jobs::Client jobs_{registry_.Jobs()};
    std::unique_ptr<Module> module_;
    std::int64_t user_ = 0;
};

TEST_F(ActivitiesPg, AnUploadACrashLeftProcessingIsFinishedByAWorkerOnceItsJobIsDue) {
    STRAVA1_REQUIRE_PG();
    std::string gpx = Fixture("gpx/ride_two_segments.gpx");
    // What a crash after storing the original and the row, before the activity commit, leaves: here
    // by a version before the resume job, so the start task gives it one.
    store_->Put("original-crash.gpx", gpx, "application/gpx+xml");
    Sync(
        pool_->Query("INSERT INTO uploads (owner_id, status, data_type, file_sha256, size_bytes, original_key) "
                     "VALUES ($1, 'processing', 'gpx', $2, $3, 'original-crash.gpx')",
                     db::Params::Of(user_, crypto::Hex(crypto::Sha256(gpx)), static_cast<std::int64_t>(gpx.size()))));
    EXPECT_EQ(Sync(module_->ResumePendingUploads()), 1);
    EXPECT_EQ(Sync(module_->ResumePendingUploads()), 0) << "one job per upload, however many processes start";
    auto queued = JobsOf(kResumeUploadKind);
    ASSERT_EQ(queued.size(), 1u);
    EXPECT_EQ(queued[0].state, "scheduled") << "not due while a live process may still be processing it";
    EXPECT_EQ(UploadStatusOf("original-crash.gpx"), "processing");
    // Its due time comes (as if Module::kResumeUploadAfter had passed): any worker processes it.
    ASSERT_EQ(Sync(jobs::RetryJob(*pool_, queued[0].id)), jobs::AdminOutcome::kDone);
    ASSERT_TRUE(WorkUntil([this] { return Processed("original-crash.gpx"); }));
    db::Result u = Sync(pool_->Query("SELECT status, cardinality(activity_ids) FROM uploads"));
    EXPECT_EQ(u.String(0, 0), "ready");
    EXPECT_EQ(u.Int(0, 1), 1);
    db::Result a = Sync(pool_->Query(
        "SELECT sport, point_count, distance_m > 0 FROM activities a JOIN activity_streams s ON s.activity_id = a.id"));
    ASSERT_EQ(a.Rows(), 1);
    EXPECT_EQ(a.String(0, 0), "ride");
    EXPECT_EQ(a.Int(0, 1), 4) << "the fixture's 4 points (two segments of two)";
    EXPECT_EQ(a.String(0, 2), "t") << "a distance was measured";
    EXPECT_TRUE(JobsOf(kResumeUploadKind).empty()) << "completed";
    EXPECT_EQ(Sync(module_->ResumePendingUploads()), 0) << "a finished upload is not queued again";

    // A missing original ends the upload in "error" rather than leaving it pending forever; an upload
    // accepted long ago (older than the delay) is due at once.
    Sync(
        pool_->Query("INSERT INTO uploads (owner_id, status, data_type, file_sha256, size_bytes, original_key, "
                     "created_at) VALUES ($1, 'processing', 'gpx', 'x', 1, 'original-gone.gpx', now() - interval "
                     "'1 hour')",
                     db::Params::Of(user_)));
    EXPECT_EQ(Sync(module_->ResumePendingUploads()), 1);
    ASSERT_TRUE(WorkUntil([this] { return Processed("original-gone.gpx"); }));
    db::Result gone = Sync(pool_->Query("SELECT status, error FROM uploads WHERE original_key = 'original-gone.gpx'"));
    EXPECT_EQ(gone.String(0, 0), "error");
    EXPECT_NE(gone.String(0, 1).find("missing from storage"), std::string::npos);
}

/// What the queue holds of an upload's resume job while its request waits for the owner's lock.
struct HeldView {
    std::vector<jobs::JobRow> jobs;
    double due_s = 0;
    std::string status;
};

asio::awaitable<void> PollUntilALockIsAwaited(db::Pool* pool);

/// Once the upload waits for its owner's lock (held by `holder`), looks at the queue, then lets it go on.
asio::awaitable<void> LookThenRelease(db::Pool* pool, db::Transaction* holder, HeldView* view) {
    co_await PollUntilALockIsAwaited(pool);
    jobs::ListFilter filter;
    filter.kind = kResumeUploadKind;
    view->jobs = co_await jobs::ListJobs(*pool, filter);
    if (!view->jobs.empty()) {
        view->due_s = (co_await pool->Query("SELECT extract(epoch FROM run_at)::float8 FROM jobs_queue WHERE id = $1",
                                            db::Params::Of(view->jobs[0].id)))
                          .Double(0, 0);
    }
    view->status = (co_await pool->Query("SELECT status FROM uploads")).String(0, 0);
    co_await holder->Commit();
}

asio::awaitable<UploadStatus> UploadWhileTheOwnerIsLocked(Module* module, db::Pool* pool, std::int64_t owner,
                                                          std::string bytes, HeldView* view) {
    db::Transaction holder = co_await pool->Begin(db::Isolation::kReadCommitted);
    co_await holder.Query("SELECT pg_advisory_xact_lock(7301, $1::int)", db::Params::Of(owner));
    co_return co_await (module->ImportAndWait(owner, std::move(bytes), {}) && LookThenRelease(pool, &holder, view));
}

TEST_F(ActivitiesPg, AnUploadsResumeJobWaitsWhileItIsProcessedAndGoesWithItsOutcome) {
    STRAVA1_REQUIRE_PG();
    const auto before = SystemClock::Instance().Now();
    const std::string tcx = Fixture("tcx/run_two_laps.tcx");
    HeldView held;
    UploadStatus s = Sync(UploadWhileTheOwnerIsLocked(module_.get(), pool_.get(), user_, tcx, &held));
    ASSERT_EQ(s.status, "ready") << "processed in the request, as before: no added latency";
    // While the request was still storing it, the safety net was there: enqueued with the upload row.
    EXPECT_EQ(held.status, "processing");
    ASSERT_EQ(held.jobs.size(), 1u);
    EXPECT_EQ(held.jobs[0].state, "scheduled");
    EXPECT_EQ(held.jobs[0].unique_key, std::string(kResumeUploadKind) + ":" + std::to_string(s.id));
    const double expected =
        std::chrono::duration<double>((before + Module::kResumeUploadAfter).time_since_epoch()).count();
    EXPECT_NEAR(held.due_s, expected, 60.0);
    // The outcome is stored, and the job went in the same transaction: nothing waits 15 minutes to
    // run as a no-op.
    EXPECT_TRUE(JobsOf(kResumeUploadKind).empty()) << "removed with the upload's outcome";
    EXPECT_EQ(Sync(pool_->Query("SELECT count(*) FROM jobs_queue")).Int(0, 0), 0);

    // So is a duplicate's.
    UploadStatus dup = Sync(module_->ImportAndWait(user_, tcx, {}));
    ASSERT_EQ(dup.status, "duplicate");
    EXPECT_TRUE(JobsOf(kResumeUploadKind).empty()) << "removed with the duplicate outcome";

    // A resume job that runs anyway (it was running when the outcome was stored, or runs twice)
    // finds the upload no longer processing, so it adds nothing.
    jobs::NewJob late;
    late.kind = kResumeUploadKind;
    late.payload = boost::json::object{{"upload_id", s.id}};
    Sync(db::RunInTransaction<void>(
        *pool_, [this, &late](db::Transaction& tx) -> asio::awaitable<void> { co_await jobs_.Enqueue(tx, late); }));
    ASSERT_TRUE(WorkUntil([this] { return NoJobsOf(kResumeUploadKind); }));
    EXPECT_EQ(Sync(pool_->Query("SELECT count(*) FROM activities")).Int(0, 0), 1);
    db::Result u =
        Sync(pool_->Query("SELECT status, cardinality(activity_ids) FROM uploads WHERE id = $1", db::Params::Of(s.id)));
    EXPECT_EQ(u.String(0, 0), "ready");
    EXPECT_EQ(u.Int(0, 1), 1);
    jobs::ListFilter dead;
    dead.state = "dead";
    EXPECT_TRUE(Sync(jobs::ListJobs(*pool_, dead)).empty());
}

TEST_F(ActivitiesPg, ConcurrentUploadsOfOneFileMakeOneActivity) {
    STRAVA1_REQUIRE_PG();
    std::string tcx = Fixture("tcx/run_two_laps.tcx");
    auto both = Sync(
        [](Module& m, std::int64_t user, std::string bytes) -> asio::awaitable<std::pair<UploadStatus, UploadStatus>> {
            auto [a, b] = co_await (m.ImportAndWait(user, bytes, {}) && m.ImportAndWait(user, bytes, {}));
            co_return std::make_pair(a, b);
        }(*module_, user_, tcx));
    std::vector<std::string> statuses{both.first.status, both.second.status};
    std::sort(statuses.begin(), statuses.end());
    EXPECT_EQ(statuses, (std::vector<std::string>{"duplicate", "ready"}));
    const UploadStatus& ready = both.first.status == "ready" ? both.first : both.second;
    const UploadStatus& dup = both.first.status == "ready" ? both.second : both.first;
    ASSERT_EQ(ready.activity_ids.size(), 1u);
    EXPECT_EQ(dup.duplicate_of, ready.activity_ids[0]);
    EXPECT_EQ(Sync(pool_->Query("SELECT count(*) FROM activities")).Int(0, 0), 1);
}

TEST_F(ActivitiesPg, ARefusedFileLeavesNothingBehind) {
    STRAVA1_REQUIRE_PG();
    try {
        Sync(module_->ImportAndWait(user_, "<gpx version=\"1.1\"><trk><trkseg><trkpt lat=\"1\"", {}));
        ADD_FAILURE() << "accepted a truncated file";
    } catch (const Error& e) {
        EXPECT_EQ(e.Kind(), ErrorKind::kUnprocessable);
        EXPECT_NE(e.Detail().find("line 1"), std::string::npos) << e.Detail();
    }
    EXPECT_EQ(Sync(pool_->Query("SELECT (SELECT count(*) FROM uploads) + (SELECT count(*) FROM activities)")).Int(0, 0),
              0);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : fs::recursive_directory_iterator(root_)) {
        files += entry.is_regular_file() ? 1 : 0;
    }
    EXPECT_EQ(files, 0u) << "no original is kept for a refused file";
}

TEST_F(ActivitiesPg, DeletingTheAccountRemovesItsOriginalsThroughTheUserDeletedEvent) {
    STRAVA1_REQUIRE_PG();
    UploadStatus s = Sync(module_->ImportAndWait(user_, Fixture("tcx/run_two_laps.tcx"), {}));
    ASSERT_EQ(s.status, "ready");
    std::string key = Sync(pool_->Query("SELECT original_key FROM uploads")).String(0, 0);
    ASSERT_TRUE(store_->Stat(key));
    EXPECT_EQ(Sync(module_->PurgeDeletedOriginals()), 0) << "nothing is queued while the upload exists";
    // What accounts does: the rows go by cascade, the event with them.
    // (GCC 12 refuses a braced JSON object inside these coroutine lambdas: built outside.)
    const jobs::Event deleted{"user.deleted", boost::json::object{{"user_id", user_}}};
    auto delete_user = [this, &deleted](db::Transaction& tx) -> asio::awaitable<void> {
        co_await tx.Query("DELETE FROM users WHERE id = $1", db::Params::Of(user_));
        co_await jobs_.Publish(tx, deleted);
    };
    Sync(db::RunInTransaction<void>(*pool_, delete_user));
    EXPECT_EQ(Sync(pool_->Query("SELECT count(*) FROM activities")).Int(0, 0), 0) << "gone with the commit";
    ASSERT_EQ(JobsOf("event:user.deleted:activities").size(), 1u);
    ASSERT_TRUE(WorkUntil([&] { return Gone(key); })) << "the subscriber removes the original";
    EXPECT_TRUE(WorkUntil([this] { return NoJobsOf("event:user.deleted:activities"); }));
    EXPECT_EQ(Sync(pool_->Query("SELECT count(*) FROM object_deletions")).Int(0, 0), 0);
    // Delivered again (at least once): harmless.
    Sync(db::RunInTransaction<void>(*pool_, [this, &deleted](db::Transaction& tx) -> asio::awaitable<void> {
        co_await jobs_.Publish(tx, deleted);
    }));
    EXPECT_TRUE(WorkUntil([this] { return NoJobsOf("event:user.deleted:activities"); }));
    jobs::ListFilter dead;
    dead.state = "dead";
    EXPECT_TRUE(Sync(jobs::ListJobs(*pool_, dead)).empty());
    EXPECT_EQ(Sync(module_->PurgeDeletedOriginals()), 0);
}

TEST_F(ActivitiesPg, DeletingAnActivityRemovesItsOriginalPromptlyUnlessUploadedAgain) {
    STRAVA1_REQUIRE_PG();
    const std::string tcx = Fixture("tcx/run_two_laps.tcx");
    UploadStatus s = Sync(module_->ImportAndWait(user_, tcx, {}));
    ASSERT_EQ(s.status, "ready");
    const std::string key = Sync(pool_->Query("SELECT original_key FROM uploads")).String(0, 0);
    Repository repository(*pool_);
    NobodyFollows nobody;
    Service service(Deps{*pool_, clock_, cpu_, jobs_, *store_, profiles_}, Options{}, repository, nobody);
    auto remove = [](Service* svc, std::int64_t owner, std::int64_t id) -> asio::awaitable<void> {
        OwnedActivity owned = co_await svc->RequireOwned(Principal{owner}, id);
        co_await svc->Delete(owned);
    };
    Sync(remove(&service, user_, s.activity_ids.at(0)));
    EXPECT_EQ(JobsOf(kDeleteOriginalsKind).size(), 1u) << "enqueued with the deletion";
    const auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(WorkUntil([&] { return Gone(key); }));
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10)) << "well under the old minute";

    // The same file uploaded again keeps its original, even if a relay runs late.
    UploadStatus again = Sync(module_->ImportAndWait(user_, tcx, {}));
    ASSERT_EQ(again.status, "ready");
    Sync(pool_->Query("INSERT INTO object_deletions (key) VALUES ($1)", db::Params::Of(key)));
    EXPECT_EQ(Sync(module_->PurgeDeletedOriginals()), 0);
    EXPECT_TRUE(store_->Stat(key));
}

/// A GPX run of `points` samples a second apart, heading east from (46.05, 14.5).
std::string GpxRun(int points, const char* day) {
    std::string gpx =
        "<?xml version=\"1.0\"?><gpx version=\"1.1\" creator=\"t\" "
        "xmlns=\"http://www.topografix.com/GPX/1/1\"><trk><type>running</type><trkseg>\n";
    char line[200];
    for (int i = 0; i < points; ++i) {
        std::snprintf(line, sizeof line,
                      "<trkpt lat=\"46.0500000\" lon=\"%.7f\"><ele>300.0</ele><time>%sT06:%02d:%02dZ</time></trkpt>\n",
                      14.5 + i * 3.9e-5, day, i / 60, i % 60);
        gpx += line;
    }
    return gpx + "</trkseg></trk></gpx>\n";
}

TEST_F(ActivitiesPg, AFileThatAloneWouldTakeMoreThanTheDecodeBudgetIsRefused) {
    STRAVA1_REQUIRE_PG();
    const std::string gpx = GpxRun(600, "2026-04-01");
    Options options;
    options.decode_budget_bytes = gpx.size() * kXmlMemoryPerByte - 1;
    Module small(Deps{*pool_, clock_, cpu_, jobs_, *store_, profiles_}, options);
    try {
        Sync(small.ImportAndWait(user_, gpx, {}));
        ADD_FAILURE() << "decoded a file whose estimate exceeds the whole budget";
    } catch (const Error& e) {
        EXPECT_EQ(e.Kind(), ErrorKind::kTooLarge);
        EXPECT_NE(e.Detail().find("a GPX file may hold at most"), std::string::npos) << e.Detail();
    }
    options.decode_budget_bytes = gpx.size() * kXmlMemoryPerByte;
    Module enough(Deps{*pool_, clock_, cpu_, jobs_, *store_, profiles_}, options);
    EXPECT_EQ(Sync(enough.ImportAndWait(user_, gpx, {})).status, "ready");
}

asio::awaitable<void> PollUntilALockIsAwaited(db::Pool* pool) {
    asio::steady_timer pause(co_await asio::this_coro::executor);
    for (int attempt = 0; attempt < 1000; ++attempt) {
        db::Result r =
            co_await pool->Query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
        if (r.Int(0, 0) > 0) {
            co_return;
        }
        pause.expires_after(std::chrono::milliseconds(10));
        co_await pause.async_wait(asio::use_awaitable);
    }
    throw std::runtime_error("no upload ever waited for its owner's lock");
}

/// Once the first upload waits for its owner's lock (held by `holder`), uploads for `other`; then
/// lets the first go on.
asio::awaitable<UploadStatus> UploadWhileTheFirstWaits(Module* module, db::Pool* pool, db::Transaction* holder,
                                                       std::int64_t other, std::string bytes) {
    co_await PollUntilALockIsAwaited(pool);
    UploadStatus status = co_await module->ImportAndWait(other, std::move(bytes), {});
    co_await holder->Commit();
    co_return status;
}

asio::awaitable<std::pair<UploadStatus, UploadStatus>> TwoOwnersOneWaiting(Module* module, db::Pool* pool,
                                                                           std::int64_t first, std::int64_t second,
                                                                           std::string bytes) {
    db::Transaction holder = co_await pool->Begin(db::Isolation::kReadCommitted);
    co_await holder.Query("SELECT pg_advisory_xact_lock(7301, $1::int)", db::Params::Of(first));
    auto [a, b] = co_await (module->ImportAndWait(first, bytes, {}) &&
                            UploadWhileTheFirstWaits(module, pool, &holder, second, bytes));
    co_return std::make_pair(a, b);
}

TEST_F(ActivitiesPg, AnUploadWaitingToBeStoredHoldsOnlyWhatItKeepsOfTheDecodeBudget) {
    STRAVA1_REQUIRE_PG();
    const std::string gpx = GpxRun(3000, "2026-04-02");
    // Room for one decode and a half: the second upload fits only if the first, decoded and waiting
    // for its owner's lock, has given back all but what it still holds.
    Options options;
    options.decode_budget_bytes = gpx.size() * kXmlMemoryPerByte * 3 / 2;
    options.decode_queue_timeout = std::chrono::milliseconds(2000);
    Module module(Deps{*pool_, clock_, cpu_, jobs_, *store_, profiles_}, options);
    const std::int64_t other =
        Sync(pool_->Query("INSERT INTO users (email, display_name) VALUES ('b@example.com', 'B') RETURNING id"))
            .Int(0, 0);
    profiles_.Add(other, "B");
    auto [first, second] = Sync(TwoOwnersOneWaiting(&module, pool_.get(), user_, other, gpx));
    EXPECT_EQ(first.status, "ready");
    EXPECT_EQ(second.status, "ready") << "the second upload got room while the first waited for its lock";
}

/// One `Activity` of a TCX file: `points` samples a second apart from `day`T`hour`:00:00Z, heading
/// east from (46.05, 14.5) at `speed` m/s.
std::string TcxLeg(const char* sport, const char* day, int hour, int points, double speed) {
    char line[300];
    std::snprintf(line, sizeof line,
                  "<Activity Sport=\"%s\"><Id>%sT%02d:00:00Z</Id><Lap StartTime=\"%sT%02d:00:00Z\"><Track>\n", sport,
                  day, hour, day, hour);
    std::string tcx = line;
    for (int i = 0; i < points; ++i) {
        std::snprintf(line, sizeof line,
                      "<Trackpoint><Time>%sT%02d:%02d:%02dZ</Time><Position><LatitudeDegrees>46.05</LatitudeDegrees>"
                      "<LongitudeDegrees>%.7f</LongitudeDegrees></Position><AltitudeMeters>300</AltitudeMeters>"
                      "</Trackpoint>\n",
                      day, hour, i / 60, i % 60, 14.5 + i * speed * 1.3e-5);
        tcx += line;
    }
    return tcx + "</Track></Lap></Activity>\n";
}

/// A TCX file of the given `Activity` elements (TcxLeg): a multisport file when there are several.
std::string TcxLegsFile(const std::vector<std::string>& legs) {
    std::string tcx =
        "<?xml version=\"1.0\"?><TrainingCenterDatabase "
        "xmlns=\"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2\"><Activities>\n";
    for (const auto& leg : legs) {
        tcx += leg;
    }
    return tcx + "</Activities></TrainingCenterDatabase>\n";
}

TEST_F(ActivitiesPg, AMultisportFileWithOneDuplicateLegAddsNoneOfItsLegs) {
    STRAVA1_REQUIRE_PG();
    // A ride already uploaded from another device: 07:00 to 07:10.
    UploadStatus ride =
        Sync(module_->ImportAndWait(user_, TcxLegsFile({TcxLeg("Biking", "2026-04-08", 7, 600, 8)}), {}));
    ASSERT_EQ(ride.status, "ready");
    ASSERT_EQ(ride.activity_ids.size(), 1u);
    const auto counts = [this] {
        return Sync(pool_->Query("SELECT format('%s activities, %s streams, %s best efforts', "
                                 "(SELECT count(*) FROM activities), (SELECT count(*) FROM activity_streams), "
                                 "(SELECT count(*) FROM best_efforts))"))
            .String(0, 0);
    };
    const std::string before = counts();
    // A multisport file whose first leg (a run at 06:00) is new and whose second (the ride at 07:00)
    // is the one already there: the whole file is a duplicate, so neither leg is added.
    const std::string multisport =
        TcxLegsFile({TcxLeg("Running", "2026-04-08", 6, 900, 3), TcxLeg("Biking", "2026-04-08", 7, 600, 8)});
    UploadStatus dup = Sync(module_->ImportAndWait(user_, multisport, {}));
    EXPECT_EQ(dup.status, "duplicate");
    EXPECT_EQ(dup.duplicate_of, ride.activity_ids[0]);
    EXPECT_TRUE(dup.activity_ids.empty());
    EXPECT_EQ(
        Sync(pool_->Query("SELECT count(*) FROM activities WHERE upload_id = $1", db::Params::Of(dup.id))).Int(0, 0), 0)
        << "the new run leg is not kept either";
    EXPECT_EQ(counts(), before) << "no activity, stream or best effort of the file was kept";

    // Deleting the ride lets the same file be imported, both legs in order.
    Sync(pool_->Query("DELETE FROM activities WHERE id = $1", db::Params::Of(ride.activity_ids[0])));
    UploadStatus again = Sync(module_->ImportAndWait(user_, multisport, {}));
    EXPECT_EQ(again.status, "ready");
    ASSERT_EQ(again.activity_ids.size(), 2u);
    db::Result sports = Sync(pool_->Query("SELECT sport FROM activities WHERE upload_id = $1 ORDER BY start_time",
                                          db::Params::Of(again.id)));
    ASSERT_EQ(sports.Rows(), 2);
    EXPECT_EQ(sports.String(0, 0), "run");
    EXPECT_EQ(sports.String(1, 0), "ride");
}

TEST_F(ActivitiesPg, TheNextStartComputesWhatOthersAreShownOfActivitiesStoredBefore) {
    STRAVA1_REQUIRE_PG();
    UploadStatus s = Sync(module_->ImportAndWait(user_, GpxRun(900, "2026-04-03"), {}));
    ASSERT_EQ(s.status, "ready");
    const std::string computed = Sync(pool_->Query("SELECT public_areas FROM activities")).String(0, 0);
    EXPECT_EQ(computed.rfind(kPublicViewVersion, 0), 0u) << computed;
    // The default 200 m hides both ends: others are shown less than the whole run.
    EXPECT_TRUE(
        Sync(pool_->Query("SELECT (public_summary ->> 'distance_m')::float8 < distance_m FROM activities")).Bool(0, 0));
    // As an activity stored before public views (or by an older computation of them) is.
    Sync(pool_->Query("UPDATE activities SET public_areas = NULL, public_summary = NULL, public_analysis = NULL"));
    EXPECT_EQ(Sync(module_->ResumePendingUploads()), 0);
    db::Result r = Sync(
        pool_->Query("SELECT public_areas, public_summary IS NOT NULL, public_analysis IS NOT NULL FROM activities"));
    EXPECT_EQ(r.String(0, 0), computed);
    EXPECT_TRUE(r.Bool(0, 1));
    EXPECT_TRUE(r.Bool(0, 2));
}

}  // namespace
}  // namespace strava1::activities

namespace strava1::activities {
namespace {

/// A GPX run that winds (so its polyline keeps points between the hidden ends), a second a sample.
std::string GpxWindingRun(int points, const char* day) {
    std::string gpx =
        "<?xml version=\"1.0\"?><gpx version=\"1.1\" creator=\"t\" "
        "xmlns=\"http://www.topografix.com/GPX/1/1\"><trk><type>running</type><trkseg>\n";
    char line[200];
    for (int i = 0; i < points; ++i) {
        std::snprintf(line, sizeof line,
                      "<trkpt lat=\"%.7f\" lon=\"%.7f\"><ele>300.0</ele><time>%sT06:%02d:%02dZ</time></trkpt>\n",
                      46.05 + 0.001 * std::sin(i / 40.0), 14.5 + i * 3.9e-5, day, i / 60, i % 60);
        gpx += line;
    }
    return gpx + "</trkseg></trk></gpx>\n";
}

/// A hand-written fake of the social feature's relation (follows and blocks).
class FakeFollows final : public FollowGraph {
public:
    std::set<std::pair<std::int64_t, std::int64_t>> edges;   // (follower, followee)
    std::set<std::pair<std::int64_t, std::int64_t>> blocks;  // (blocker, blocked)
    int asked = 0;
    app::Relation Of(std::int64_t viewer_id, std::int64_t owner_id) const {
        if (blocks.contains({viewer_id, owner_id}) || blocks.contains({owner_id, viewer_id})) {
            return app::Relation::kBlocked;
        }
        return edges.contains({viewer_id, owner_id}) ? app::Relation::kFollower : app::Relation::kNone;
    }
    asio::awaitable<app::Relation> RelationOf(std::int64_t viewer_id, std::int64_t owner_id) override {
        ++asked;
        co_return Of(viewer_id, owner_id);
    }
    asio::awaitable<std::unordered_map<std::int64_t, app::Relation>> RelationsOf(
        std::int64_t viewer_id, std::vector<std::int64_t> owner_ids) override {
        ++asked;
        std::unordered_map<std::int64_t, app::Relation> out;
        for (std::int64_t owner : owner_ids) {
            out[owner] = Of(viewer_id, owner);
        }
        co_return out;
    }
    asio::awaitable<app::Relationship> RelationshipOf(std::int64_t, std::int64_t) override {
        co_return app::Relationship{};
    }
    asio::awaitable<std::unordered_map<std::int64_t, app::Relationship>> RelationshipsOf(
        std::int64_t, std::vector<std::int64_t> user_ids) override {
        std::unordered_map<std::int64_t, app::Relationship> out;
        for (std::int64_t id : user_ids) {
            out.emplace(id, app::Relationship{});
        }
        co_return out;
    }
    asio::awaitable<std::vector<std::int64_t>> BlockedWith(std::int64_t viewer_id) override {
        std::vector<std::int64_t> out;
        for (const auto& [blocker, blocked] : blocks) {
            if (blocker == viewer_id || blocked == viewer_id) {
                out.push_back(blocker == viewer_id ? blocked : blocker);
            }
        }
        co_return out;
    }
};

TEST_F(ActivitiesPg, OtherFeaturesReadActivitiesThroughThePrivacyFunction) {
    STRAVA1_REQUIRE_PG();
    FakeFollows follows;
    Module module(Deps{*pool_, clock_, cpu_, jobs_, *store_, profiles_, &follows}, Options{});
    const std::int64_t bob =
        Sync(pool_->Query("INSERT INTO users (email, display_name) VALUES ('b@example.com', 'B') RETURNING id"))
            .Int(0, 0);
    profiles_.Add(bob, "B");
    profiles_.users[user_].username = "ana";
    UploadStatus run = Sync(module.ImportAndWait(user_, GpxWindingRun(900, "2026-04-03"), {}));
    ASSERT_EQ(run.status, "ready");
    const std::int64_t id = run.activity_ids.at(0);
    ActivityReader& reader = module.Reader();

    // The owner sees it whole; another viewer sees it with its start and end hidden (200 m).
    auto own = Sync(reader.Summary(user_, id));
    auto seen = Sync(reader.Summary(bob, id));
    ASSERT_TRUE(own);
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->owner_id, user_);
    EXPECT_EQ(seen->sport, "run");
    const boost::json::object own_json = json::Parse(own->json).as_object();
    const boost::json::object seen_json = json::Parse(seen->json).as_object();
    EXPECT_EQ(seen_json.at("owner").at("display_name").as_string(), "A");
    EXPECT_EQ(seen_json.at("owner").at("username").as_string(), "ana");
    EXPECT_EQ(seen_json.at("start_date").as_string(), "2026-04-03");
    EXPECT_LT(seen_json.at("distance_m").to_number<double>(), own_json.at("distance_m").to_number<double>())
        << "others are shown the window between the hidden ends";
    auto own_line = Sync(reader.Polyline(user_, id));
    auto seen_line = Sync(reader.Polyline(bob, id));
    ASSERT_TRUE(own_line && seen_line);
    EXPECT_FALSE(seen_line->empty());
    EXPECT_LT(seen_line->size(), own_line->size()) << "the hidden ends are cut from what others get";
    auto streams = Sync(reader.Streams(bob, id, "latlng,distance", "low"));
    ASSERT_TRUE(streams);
    EXPECT_EQ(json::Parse(*streams).at("streams").at("distance").as_array().at(0).to_number<double>(), 0)
        << "others' distance starts at the first point they see";
    EXPECT_THROW(Sync(reader.Streams(bob, id, "mood", "low")), Error);

    // A block either way hides even what everyone may see, as a missing activity; the owner still sees it.
    follows.blocks.insert({user_, bob});
    EXPECT_FALSE(Sync(reader.Summary(bob, id)));
    EXPECT_FALSE(Sync(reader.Polyline(bob, id)));
    EXPECT_FALSE(Sync(reader.Streams(bob, id, "", "all")));
    EXPECT_TRUE(Sync(reader.Summary(user_, id)));
    follows.blocks.clear();
    follows.blocks.insert({bob, user_});
    EXPECT_FALSE(Sync(reader.Summary(bob, id)));
    follows.blocks.clear();

    // Followers only: hidden from a stranger exactly as a missing activity, shown to a follower.
    Sync(pool_->Query("UPDATE activities SET visibility = 'followers'"));
    EXPECT_FALSE(Sync(reader.Summary(bob, id)));
    EXPECT_FALSE(Sync(reader.Polyline(bob, id)));
    EXPECT_FALSE(Sync(reader.Streams(bob, id, "", "all")));
    follows.edges.insert({bob, user_});
    EXPECT_TRUE(Sync(reader.Summary(bob, id)));
    EXPECT_TRUE(Sync(reader.Polyline(bob, id)));
    Sync(pool_->Query("UPDATE activities SET visibility = 'only_me'"));
    EXPECT_FALSE(Sync(reader.Summary(bob, id))) << "only the owner, whoever follows them";
    EXPECT_TRUE(Sync(reader.Summary(user_, id)));

    // Several at once: in the order asked, the missing and the hidden left out.
    Sync(pool_->Query("UPDATE activities SET visibility = 'everyone'"));
    UploadStatus other = Sync(module.ImportAndWait(user_, GpxRun(600, "2026-04-05"), {}));
    ASSERT_EQ(other.status, "ready");
    std::vector<VisibleSummary> both = Sync(reader.Summaries(bob, {other.activity_ids.at(0), id + 1000, id}));
    ASSERT_EQ(both.size(), 2u);
    EXPECT_EQ(both[0].id, other.activity_ids.at(0));
    EXPECT_EQ(both[1].id, id);
}

TEST_F(ActivitiesPg, TotalsOfManyOwnersCountWhatTheViewerMaySeeAsTheyAreShownIt) {
    STRAVA1_REQUIRE_PG();
    FakeFollows follows;
    Module module(Deps{*pool_, clock_, cpu_, jobs_, *store_, profiles_, &follows}, Options{});
    const std::int64_t bob =
        Sync(pool_->Query("INSERT INTO users (email, display_name) VALUES ('b@example.com', 'B') RETURNING id"))
            .Int(0, 0);
    profiles_.Add(bob, "B");
    UploadStatus run = Sync(module.ImportAndWait(user_, GpxWindingRun(900, "2026-04-03"), {}));
    ASSERT_EQ(run.status, "ready");
    UploadStatus later = Sync(module.ImportAndWait(user_, GpxRun(600, "2026-04-20"), {}));
    ASSERT_EQ(later.status, "ready");
    ActivityReader& reader = module.Reader();
    const auto from = *ParseRfc3339("2026-04-01T00:00:00Z");
    const auto to = *ParseRfc3339("2026-04-08T00:00:00Z");
    const std::int64_t id = run.activity_ids.at(0);
    const double whole = json::Parse(Sync(reader.Summary(user_, id))->json).at("distance_m").to_number<double>();
    const double window = json::Parse(Sync(reader.Summary(bob, id))->json).at("distance_m").to_number<double>();

    auto own = Sync(reader.Totals(user_, {user_, bob}, from, to, "run"));
    ASSERT_EQ(own.size(), 1u) << "owners without activities are left out; the later run is outside the window";
    EXPECT_EQ(own[0].owner_id, user_);
    EXPECT_EQ(own[0].count, 1);
    EXPECT_DOUBLE_EQ(own[0].distance_m, whole);
    auto seen = Sync(reader.Totals(bob, {user_, bob}, from, to, "run"));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_DOUBLE_EQ(seen[0].distance_m, window) << "others sum the window they are shown, as stats do";
    EXPECT_TRUE(Sync(reader.Totals(bob, {user_}, from, to, "ride")).empty());

    Sync(pool_->Query("UPDATE activities SET visibility = 'followers'"));
    EXPECT_TRUE(Sync(reader.Totals(bob, {user_}, from, to, "run")).empty());
    follows.edges.insert({bob, user_});
    EXPECT_EQ(Sync(reader.Totals(bob, {user_}, from, to, "run")).size(), 1u) << "a follower sees followers-only";
    // A block between the viewer and one owner leaves that owner out (one question for all owners),
    // never failing the others' totals.
    follows.blocks.insert({user_, bob});
    follows.asked = 0;
    EXPECT_TRUE(Sync(reader.Totals(bob, {user_, bob}, from, to, "run")).empty());
    EXPECT_EQ(follows.asked, 1);
    follows.blocks.clear();
    Sync(pool_->Query("UPDATE activities SET visibility = 'only_me'"));
    EXPECT_TRUE(Sync(reader.Totals(bob, {user_}, from, to, "run")).empty());
    EXPECT_EQ(Sync(reader.Totals(user_, {user_}, from, to, "run")).size(), 1u);
}

TEST_F(ActivitiesPg, ProgressOfManyOwnersCountsAnySportTheLongestAndTheFastestEffortTheViewerIsShown) {
    STRAVA1_REQUIRE_PG();
    FakeFollows follows;
    Module module(Deps{*pool_, clock_, cpu_, jobs_, *store_, profiles_, &follows}, Options{});
    const std::int64_t bob =
        Sync(pool_->Query("INSERT INTO users (email, display_name) VALUES ('b@example.com', 'B') RETURNING id"))
            .Int(0, 0);
    profiles_.Add(bob, "B");
    UploadStatus run = Sync(module.ImportAndWait(user_, GpxWindingRun(900, "2026-04-03"), {}));
    ASSERT_EQ(run.status, "ready");
    UploadStatus other = Sync(module.ImportAndWait(user_, GpxRun(600, "2026-04-05"), {}));
    ASSERT_EQ(other.status, "ready");
    Sync(pool_->Query("UPDATE activities SET sport = 'ride' WHERE id = " + std::to_string(other.activity_ids.at(0))));
    ActivityReader& reader = module.Reader();
    const std::int64_t id = run.activity_ids.at(0);
    const double whole = json::Parse(Sync(reader.Summary(user_, id))->json).at("distance_m").to_number<double>();
    const double ride =
        json::Parse(Sync(reader.Summary(user_, other.activity_ids.at(0)))->json).at("distance_m").to_number<double>();
    // Two efforts over 1 km on the run: a faster one before the window others are shown, a slower one
    // inside it.
    db::Result window =
        Sync(pool_->Query("SELECT (public_summary ->> 'first')::int, (public_summary ->> 'last')::int "
                          "FROM activities WHERE id = " +
                          std::to_string(id)));
    ASSERT_FALSE(window.IsNull(0, 0)) << "the winding run's start is hidden from others";
    const int first = static_cast<int>(window.Int(0, 0));
    const int last = static_cast<int>(window.Int(0, 1));
    Sync(pool_->Query("DELETE FROM best_efforts"));
    Sync(
        pool_->Query("INSERT INTO best_efforts (activity_id, owner_id, sport, distance_m, name, time_s, start_index, "
                     "end_index, start_time) VALUES (" +
                     std::to_string(id) + ", " + std::to_string(user_) + ", 'run', 1000, '1k', 200, 0, " +
                     std::to_string(first) + ", now()), (" + std::to_string(id) + ", " + std::to_string(user_) +
                     ", 'run', 5000, '5k', 250, " + std::to_string(first) + ", " + std::to_string(last) + ", now())"));
    Sync(
        pool_->Query("INSERT INTO best_efforts (activity_id, owner_id, sport, distance_m, name, time_s, start_index, "
                     "end_index, start_time) VALUES (" +
                     std::to_string(id) + ", " + std::to_string(user_) + ", 'run', 21097.5, 'Half-Marathon', 300, " +
                     std::to_string(first) + ", " + std::to_string(last) + ", now())"));
    ProgressQuery q{*ParseRfc3339("2026-04-01T00:00:00Z"), *ParseRfc3339("2026-04-08T00:00:00Z"), std::nullopt, 1000.0};

    auto own = Sync(reader.Progress(user_, {user_, bob}, q));
    ASSERT_EQ(own.size(), 1u) << "owners without activities are left out";
    EXPECT_EQ(own[0].count, 2) << "every sport when none is asked";
    EXPECT_NEAR(own[0].distance_m, whole + ride, 1e-6);
    EXPECT_DOUBLE_EQ(own[0].longest_m, std::max(whole, ride));
    ASSERT_TRUE(own[0].fastest_s);
    EXPECT_DOUBLE_EQ(*own[0].fastest_s, 200) << "the owner sees all their efforts";
    auto seen = Sync(reader.Progress(bob, {user_}, q));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_FALSE(seen[0].fastest_s) << "the only 1 km effort lies in the hidden start";
    q.effort_distance_m = 21097.5;
    seen = Sync(reader.Progress(bob, {user_}, q));
    ASSERT_TRUE(seen[0].fastest_s);
    EXPECT_DOUBLE_EQ(*seen[0].fastest_s, 300) << "an effort inside the window counts, half-marathon too";
    q.sport = "run";
    seen = Sync(reader.Progress(bob, {user_}, q));
    EXPECT_EQ(seen[0].count, 1);
    EXPECT_LT(seen[0].distance_m, whole) << "others are shown the window";
    EXPECT_DOUBLE_EQ(seen[0].longest_m, seen[0].distance_m);
    Sync(pool_->Query("UPDATE activities SET visibility = 'followers'"));
    EXPECT_TRUE(Sync(reader.Progress(bob, {user_}, q)).empty());
    EXPECT_EQ(Sync(reader.Progress(user_, {user_}, q)).size(), 1u) << "the owner sees all their own";
}

}  // namespace
}  // namespace strava1::activities

namespace strava1::activities {
namespace {

TEST_F(ActivitiesPg, RowsAreReadByTheNamesTheirStatementsGive) {
    STRAVA1_REQUIRE_PG();
    UploadStatus run = Sync(module_->ImportAndWait(user_, GpxRun(120, "2026-04-06"), {}));
    ASSERT_EQ(run.status, "ready");
    Repository repository(*pool_);
    std::string why;
    for (Extra extra : {Extra::kNone, Extra::kPolyline, Extra::kLaps, Extra::kBestEfforts}) {
        db::Result r = Sync(repository.FindActivity(run.activity_ids.at(0), extra));
        ASSERT_EQ(r.Rows(), 1);
        EXPECT_TRUE(db::MatchesColumns(r, kActivityColumns, 0, &why)) << why;
    }
    auto upload = Sync(repository.FindUpload(user_, run.id));
    ASSERT_TRUE(upload);
    EXPECT_TRUE(db::MatchesColumns(*upload, kUploadColumns, 0, &why)) << why;
    EXPECT_EQ(StatusOf(*upload).activity_ids, run.activity_ids);
}

}  // namespace
}  // namespace strava1::activities
