// Queue semantics of Client + Worker against a real PostgreSQL: one test per promise of ADR 0009.
#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "jobs_fixture.hpp"
#include "strava1/jobs/admin.hpp"

namespace strava1::jobs {
namespace {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

/// What handlers saw, in order.
struct Seen {
    std::vector<std::string> names;                  // payload "name" of each run
    std::vector<std::pair<std::int64_t, int>> runs;  // (job id, attempt)
    std::map<std::int64_t, int> per_job;
    std::vector<Clock::time_point> started;
    int failures_left = 0;  // runs that throw before one succeeds
};

asio::awaitable<void> Record(Seen* seen, JobContext job) {
    seen->runs.emplace_back(job.id, job.attempt);
    ++seen->per_job[job.id];
    seen->started.push_back(Clock::now());
    if (const auto* name = job.payload.as_object().if_contains("name")) {
        seen->names.emplace_back(name->as_string());
    }
    if (seen->failures_left > 0) {
        --seen->failures_left;
        throw std::runtime_error("failing on purpose, attempt " + std::to_string(job.attempt));
    }
    co_return;
}

Handler Recorder(Seen& seen) {
    return [s = &seen](JobContext job) { return Record(s, std::move(job)); };
}

NewJob Named(std::string kind, std::string name) {
    NewJob job;
    job.kind = std::move(kind);
    job.payload = boost::json::object{{"name", std::move(name)}};
    return job;
}

// --- enqueue in the caller's transaction

asio::awaitable<void> RolledBackNeverRuns(db::Pool& pool, const Client& client, Worker& worker, Seen& seen) {
    db::Transaction rolled_back = co_await pool.Begin();
    co_await client.Enqueue(rolled_back, Named("record", "rolled back"));
    co_await rolled_back.Rollback();
    co_await EnqueueCommitted(pool, client, Named("record", "committed"));
    worker.Start();
    EXPECT_TRUE(co_await Eventually([&] { return !seen.names.empty(); }));
    co_await Pause(std::chrono::milliseconds(200));  // room for a wrong second run to show up
    co_await worker.Stop();
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_queue"), 0);
}

TEST_F(JobsTest, AJobEnqueuedInARolledBackTransactionNeverRuns) {
    Registry registry;
    Seen seen;
    registry.Handle("record", Recorder(seen));
    Client client(registry);
    Worker worker(io_.get_executor(), *pool_, registry, Fast());
    Run(RolledBackNeverRuns(*pool_, client, worker, seen));
    EXPECT_EQ(seen.names, std::vector<std::string>{"committed"});
}

/// The field a refused enqueue names, or "accepted".
asio::awaitable<std::string> RefusedField(db::Pool& pool, const Client& client, NewJob job) {
    db::Transaction tx = co_await pool.Begin();
    std::string outcome = "accepted";
    try {
        co_await client.Enqueue(tx, std::move(job));
    } catch (const Error& e) {
        outcome = e.Fields().empty() ? e.Detail() : e.Fields().front().field;
    }
    co_await tx.Rollback();
    co_return outcome;
}

TEST_F(JobsTest, EnqueueRefusesUnknownKindsAndBadFields) {
    Registry registry;
    Seen seen;
    registry.Handle("record", Recorder(seen));
    Client client(registry);
    EXPECT_EQ(Run(RefusedField(*pool_, client, Named("nobody-handles-this", "x"))), "kind");
    NewJob bad_queue = Named("record", "x");
    bad_queue.queue = "Not A Queue";
    EXPECT_EQ(Run(RefusedField(*pool_, client, bad_queue)), "queue");
    NewJob bad_attempts = Named("record", "x");
    bad_attempts.max_attempts = 0;
    EXPECT_EQ(Run(RefusedField(*pool_, client, bad_attempts)), "max_attempts");
    NewJob fine = Named("record", "x");
    EXPECT_EQ(Run(RefusedField(*pool_, client, fine)), "accepted");
}

// --- claims: FOR UPDATE SKIP LOCKED, batches

asio::awaitable<void> TwoWorkersShare(db::Pool& pool, const Client& client, Worker& a, Worker& b, Seen& seen) {
    std::vector<NewJob> jobs;
    for (int idx = 0; idx < 400; ++idx) {
        jobs.push_back(Named("record", std::to_string(idx)));
    }
    db::Transaction tx = co_await pool.Begin();
    auto ids = co_await client.EnqueueMany(tx, std::move(jobs));
    co_await tx.Commit();
    EXPECT_EQ(ids.size(), 400u);
    a.Start();
    b.Start();
    EXPECT_TRUE(co_await Eventually([&] { return seen.runs.size() >= 400; }));
    co_await Pause(std::chrono::milliseconds(200));
    co_await a.Stop();
    co_await b.Stop();
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_queue"), 0);
}

TEST_F(JobsTest, TwoWorkersNeverClaimTheSameJob) {
    Registry registry;
    Seen seen;
    registry.Handle("record", [s = &seen](JobContext job) { return Record(s, std::move(job)); });
    Client client(registry);
    // Separate pools: separate connections, so the two workers' claims really run side by side.
    db::Pool pool_b(io_.get_executor(), db::PoolOptions{database_->ConnInfo(), 4});
    WorkerOptions options = Fast();
    options.claim_batch = 7;
    options.worker_id = "a";
    Worker a(io_.get_executor(), *pool_, registry, options);
    options.worker_id = "b";
    options.prefetch = 8;  // one with a local queue, one without
    Worker b(io_.get_executor(), pool_b, registry, options);
    Run(TwoWorkersShare(*pool_, client, a, b, seen));
    EXPECT_EQ(seen.runs.size(), 400u);
    EXPECT_TRUE(std::all_of(seen.per_job.begin(), seen.per_job.end(), [](const auto& p) { return p.second == 1; }));
    EXPECT_EQ(seen.per_job.size(), 400u);
    EXPECT_EQ(a.Stats().claimed + b.Stats().claimed, 400u);
    EXPECT_GT(a.Stats().claimed, 0u);
    EXPECT_GT(b.Stats().claimed, 0u);
    EXPECT_EQ(a.Stats().completed + b.Stats().completed, 400u);
}

// --- priorities, named queues, run_at

asio::awaitable<void> RunsInPriorityOrder(db::Pool& pool, const Client& client, Worker& worker, Seen& seen) {
    for (auto [name, priority] :
         std::vector<std::pair<std::string, int>>{{"p5", 5}, {"p-1", -1}, {"p0", 0}, {"p3", 3}}) {
        NewJob job = Named("record", name);
        job.priority = priority;
        co_await EnqueueCommitted(pool, client, job);
    }
    worker.Start();
    EXPECT_TRUE(co_await Eventually([&] { return seen.names.size() >= 4; }));
    co_await worker.Stop();
}

TEST_F(JobsTest, LowerPriorityNumbersRunFirst) {
    Registry registry;
    Seen seen;
    registry.Handle("record", Recorder(seen));
    Client client(registry);
    WorkerOptions options = Fast();
    options.concurrency = 1;
    Worker worker(io_.get_executor(), *pool_, registry, options);
    Run(RunsInPriorityOrder(*pool_, client, worker, seen));
    EXPECT_EQ(seen.names, (std::vector<std::string>{"p-1", "p0", "p3", "p5"}));
}

asio::awaitable<void> OnlyItsQueues(db::Pool& pool, const Client& client, Worker& worker, Seen& seen) {
    co_await EnqueueCommitted(pool, client, Named("mail", "to mail"));
    co_await EnqueueCommitted(pool, client, Named("media", "to media"));
    NewJob redirected = Named("media", "media job put on the mail queue");
    redirected.queue = "mail";
    co_await EnqueueCommitted(pool, client, redirected);
    worker.Start();
    EXPECT_TRUE(co_await Eventually([&] { return seen.names.size() >= 2; }));
    co_await Pause(std::chrono::milliseconds(200));
    co_await worker.Stop();
    db::Result left = co_await pool.Query("SELECT queue, kind FROM jobs_queue");
    EXPECT_EQ(left.Rows(), 1);
    if (left.Rows() == 1) {
        EXPECT_EQ(left.String(0, 0), "media");
    }
}

TEST_F(JobsTest, AWorkerTakesJobsOnlyFromItsQueues) {
    Registry registry;
    Seen seen;
    KindOptions mail;
    mail.queue = "mail";
    KindOptions media;
    media.queue = "media";
    registry.Handle("mail", Recorder(seen), mail);
    registry.Handle("media", Recorder(seen), media);
    Client client(registry);
    WorkerOptions options = Fast();
    options.queues = {"mail"};
    Worker worker(io_.get_executor(), *pool_, registry, options);
    Run(OnlyItsQueues(*pool_, client, worker, seen));
    std::sort(seen.names.begin(), seen.names.end());
    EXPECT_EQ(seen.names, (std::vector<std::string>{"media job put on the mail queue", "to mail"}));
}

asio::awaitable<void> WaitsForRunAt(db::Pool& pool, const Client& client, Worker& worker, Seen& seen,
                                    Clock::time_point& enqueued) {
    worker.Start();
    NewJob later = Named("record", "later");
    later.run_at = SystemClock::Instance().Now() + std::chrono::milliseconds(400);
    enqueued = Clock::now();
    co_await EnqueueCommitted(pool, client, later);
    EXPECT_TRUE(co_await Eventually([&] { return !seen.names.empty(); }));
    co_await worker.Stop();
}

TEST_F(JobsTest, AScheduledJobDoesNotRunBeforeItsTime) {
    Registry registry;
    Seen seen;
    registry.Handle("record", Recorder(seen));
    Client client(registry);
    Worker worker(io_.get_executor(), *pool_, registry, Fast());
    Clock::time_point enqueued;
    Run(WaitsForRunAt(*pool_, client, worker, seen, enqueued));
    ASSERT_EQ(seen.started.size(), 1u);
    EXPECT_GE(seen.started[0] - enqueued, std::chrono::milliseconds(390));
}

// --- unique keys

asio::awaitable<void> UniqueKeys(db::Pool& pool, const Client& client, Worker& worker, Seen& seen) {
    NewJob job = Named("record", "keyed");
    job.unique_key = "recompute:user:42";
    Enqueued first = co_await EnqueueCommitted(pool, client, job);
    Enqueued second = co_await EnqueueCommitted(pool, client, job);
    EXPECT_TRUE(first.inserted);
    EXPECT_FALSE(second.inserted);
    EXPECT_EQ(second.id, first.id);
    worker.Start();
    EXPECT_TRUE(co_await Eventually([&] { return worker.Stats().completed == 1; }));
    // Once its completion is written, the key is free again.
    for (int tries = 0; tries < 1000 && co_await CountRows(pool, "SELECT count(*) FROM jobs_queue") > 0; ++tries) {
        co_await Pause(std::chrono::milliseconds(5));
    }
    Enqueued third = co_await EnqueueCommitted(pool, client, job);
    EXPECT_TRUE(third.inserted);
    EXPECT_NE(third.id, first.id);
    EXPECT_TRUE(co_await Eventually([&] { return seen.names.size() == 2; }));
    co_await worker.Stop();
}

TEST_F(JobsTest, AUniqueKeyAllowsOneWaitingOrRunningJob) {
    Registry registry;
    Seen seen;
    registry.Handle("record", Recorder(seen));
    Client client(registry);
    Worker worker(io_.get_executor(), *pool_, registry, Fast());
    Run(UniqueKeys(*pool_, client, worker, seen));
    EXPECT_EQ(seen.names.size(), 2u);
}

// --- cancelling by key in the caller's transaction

NewJob Keyed(std::string kind, std::string key, std::chrono::seconds due_in) {
    NewJob job = Named(std::move(kind), key);
    job.unique_key = std::move(key);
    job.run_at = std::chrono::system_clock::now() + due_in;
    return job;
}

asio::awaitable<bool> CancelIn(db::Pool& pool, const Client& client, std::string kind, std::string key, bool commit) {
    db::Transaction tx = co_await pool.Begin();
    const bool removed = co_await client.CancelByKey(tx, kind, key);
    if (commit) {
        co_await tx.Commit();
    } else {
        co_await tx.Rollback();
    }
    co_return removed;
}

asio::awaitable<void> CancelsWaiting(db::Pool& pool, const Client& client) {
    const Enqueued safety_net =
        co_await EnqueueCommitted(pool, client, Keyed("record", "resume:7", std::chrono::hours(1)));
    // Rolled back: the job stays, under its key.
    EXPECT_TRUE(co_await CancelIn(pool, client, "record", "resume:7", false));
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_queue"), 1);
    const Enqueued again = co_await EnqueueCommitted(pool, client, Keyed("record", "resume:7", std::chrono::hours(1)));
    EXPECT_FALSE(again.inserted) << "the key is still taken by the first job";
    EXPECT_EQ(again.id, safety_net.id);
    // Another kind's key, an unknown key: nothing removed.
    EXPECT_FALSE(co_await CancelIn(pool, client, "other", "resume:7", true));
    EXPECT_FALSE(co_await CancelIn(pool, client, "record", "resume:8", true));
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_queue"), 1);
    // Committed: gone, the key free again, and nothing in the dead letters.
    EXPECT_TRUE(co_await CancelIn(pool, client, "record", "resume:7", true));
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_queue"), 0);
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_dead"), 0);
    EXPECT_FALSE(co_await CancelIn(pool, client, "record", "resume:7", true)) << "already removed";
    EXPECT_TRUE((co_await EnqueueCommitted(pool, client, Keyed("record", "resume:7", std::chrono::hours(1)))).inserted);
}

TEST_F(JobsTest, CancelByKeyRemovesAWaitingJobWithTheCallersCommitOnly) {
    Registry registry;
    Seen seen;
    registry.Handle("record", Recorder(seen));
    registry.Handle("other", Recorder(seen));
    Client client(registry);
    Run(CancelsWaiting(*pool_, client));
    EXPECT_TRUE(seen.names.empty());
}

asio::awaitable<void> HoldUntil(bool* started, bool* release, int* runs) {
    ++*runs;
    *started = true;
    while (!*release) {
        co_await Pause(std::chrono::milliseconds(5));
    }
}

asio::awaitable<void> LeavesRunning(db::Pool& pool, const Client& client, Worker& worker, bool& started,
                                    bool& release) {
    co_await EnqueueCommitted(pool, client, Keyed("hold", "resume:9", std::chrono::seconds(0)));
    worker.Start();
    EXPECT_TRUE(co_await Eventually([&] { return started; }));
    EXPECT_FALSE(co_await CancelIn(pool, client, "hold", "resume:9", true)) << "a running job is left to finish";
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_queue WHERE locked_until IS NOT NULL"), 1);
    release = true;
    EXPECT_TRUE(co_await Eventually([&] { return worker.Stats().completed == 1; }));
    co_await worker.Stop();
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_queue"), 0);
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_dead"), 0);
}

TEST_F(JobsTest, CancelByKeyLeavesARunningJobToFinish) {
    Registry registry;
    bool started = false;
    bool release = false;
    int runs = 0;
    registry.Handle("hold", [&](JobContext) { return HoldUntil(&started, &release, &runs); });
    Client client(registry);
    Worker worker(io_.get_executor(), *pool_, registry, Fast());
    Run(LeavesRunning(*pool_, client, worker, started, release));
    EXPECT_EQ(runs, 1);
}

// --- retries, backoff, dead letters

asio::awaitable<void> RetriesThenSucceeds(db::Pool& pool, const Client& client, Worker& worker, std::int64_t& id) {
    id = (co_await EnqueueCommitted(pool, client, Named("flaky", "flaky"))).id;
    worker.Start();
    EXPECT_TRUE(co_await Eventually([&] { return worker.Stats().completed == 1; }));
    co_await worker.Stop();
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_queue"), 0);
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_dead"), 0);
}

TEST_F(JobsTest, AFailedRunIsRetriedAfterAGrowingDelay) {
    Registry registry;
    Seen seen;
    seen.failures_left = 2;
    KindOptions options;
    options.backoff_base = std::chrono::milliseconds(100);
    registry.Handle("flaky", Recorder(seen), options);
    Client client(registry);
    Worker worker(io_.get_executor(), *pool_, registry, Fast());
    std::int64_t id = 0;
    Run(RetriesThenSucceeds(*pool_, client, worker, id));
    ASSERT_EQ(seen.runs.size(), 3u);
    EXPECT_EQ(seen.runs[0], std::make_pair(id, 1));
    EXPECT_EQ(seen.runs[1], std::make_pair(id, 2));
    EXPECT_EQ(seen.runs[2], std::make_pair(id, 3));
    // Equal jitter: at least half of 100 ms, then of 200 ms.
    EXPECT_GE(seen.started[1] - seen.started[0], std::chrono::milliseconds(50));
    EXPECT_GE(seen.started[2] - seen.started[1], std::chrono::milliseconds(100));
    EXPECT_EQ(worker.Stats().failed, 2u);
}

asio::awaitable<void> RunsOutOfAttempts(db::Pool& pool, const Client& client, Worker& worker) {
    NewJob job = Named("doomed", "doomed");
    job.max_attempts = 3;
    co_await EnqueueCommitted(pool, client, job);
    co_await EnqueueCommitted(pool, client, Named("hopeless", "hopeless"));
    worker.Start();
    EXPECT_TRUE(co_await Eventually([&] { return worker.Stats().dead == 2; }));
    co_await worker.Stop();
}

asio::awaitable<void> AlwaysFails(JobContext job) {
    co_await Pause(std::chrono::milliseconds(1));
    throw std::runtime_error("boom on attempt " + std::to_string(job.attempt));
}

asio::awaitable<void> GivesUp(JobContext) {
    co_await Pause(std::chrono::milliseconds(1));
    throw PermanentError("the activity no longer exists");
}

TEST_F(JobsTest, AJobOutOfAttemptsOrFailingPermanentlyGoesToTheDeadLettersWithItsLastError) {
    Registry registry;
    KindOptions quick;
    quick.backoff_base = std::chrono::milliseconds(10);
    registry.Handle("doomed", AlwaysFails, quick);
    registry.Handle("hopeless", GivesUp, quick);
    Client client(registry);
    Worker worker(io_.get_executor(), *pool_, registry, Fast());
    Run(RunsOutOfAttempts(*pool_, client, worker));
    auto dead = Run(ListJobs(*pool_, ListFilter{"dead"}));
    ASSERT_EQ(dead.size(), 2u);
    std::sort(dead.begin(), dead.end(), [](const JobRow& a, const JobRow& b) { return a.kind < b.kind; });
    EXPECT_EQ(dead[0].kind, "doomed");
    EXPECT_EQ(dead[0].state, "failed");
    EXPECT_EQ(dead[0].attempt, 3);
    EXPECT_EQ(dead[0].last_error, "boom on attempt 3");
    EXPECT_EQ(dead[1].kind, "hopeless");
    EXPECT_EQ(dead[1].state, "discarded");
    EXPECT_EQ(dead[1].attempt, 1);
    EXPECT_EQ(dead[1].last_error, "the activity no longer exists");
    EXPECT_EQ(worker.Stats().failed, 2u);
    EXPECT_EQ(Run(CountRows(*pool_, "SELECT count(*) FROM jobs_queue")), 0);
}

}  // namespace
}  // namespace strava1::jobs
