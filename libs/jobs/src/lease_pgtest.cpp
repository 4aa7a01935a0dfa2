// Leases: rescue of a dead worker's jobs, heartbeats that keep a long run, a lost lease interrupting
// its run, a stop handing jobs back; and the operator's retry and discard.
#include <boost/json.hpp>

#include "jobs_fixture.hpp"
#include "strava1/jobs/admin.hpp"
#include "strava1/jobs/metrics.hpp"

namespace strava1::jobs {
namespace {
namespace asio = boost::asio;

struct Runs {
    std::vector<int> attempts;
    int finished = 0;
    std::chrono::milliseconds hold{0};
    bool heartbeat_after_hold = false;
    std::optional<bool> heartbeat_result;
};

asio::awaitable<void> Hold(Runs* runs, JobContext job) {
    runs->attempts.push_back(job.attempt);
    // Throws operation_aborted when the worker interrupts the run, as database calls do.
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(runs->hold);
    co_await timer.async_wait(asio::use_awaitable);
    if (runs->heartbeat_after_hold) {
        runs->heartbeat_result = co_await job.Heartbeat();
    }
    ++runs->finished;
}

Handler Holder(Runs& runs) {
    return [r = &runs](JobContext job) { return Hold(r, std::move(job)); };
}

asio::awaitable<std::int64_t> Enqueue(db::Pool& pool, const Client& client, std::string kind) {
    NewJob job;
    job.kind = std::move(kind);
    co_return (co_await EnqueueCommitted(pool, client, job)).id;
}

// A worker that died mid-run leaves its lease behind: another worker's maintenance finds it expired
// and puts the job back with backoff; it runs again as attempt 2.
asio::awaitable<void> RescuesADeadWorkersJob(db::Pool& pool, const Client& client, Worker& worker, Runs& runs,
                                             std::int64_t& id) {
    id = co_await Enqueue(pool, client, "hold");
    co_await pool.Query(
        "UPDATE jobs_queue SET attempt = 1, locked_by = 'a-worker-that-died', "
        "locked_until = now() - interval '1 second' WHERE id = $1",
        db::Params::Of(id));
    worker.Start();
    EXPECT_TRUE(co_await Eventually([&] { return runs.finished == 1; }));
    co_await worker.Stop();
}

TEST_F(JobsTest, AnExpiredLeaseIsRescuedAndTheJobRunsAgain) {
    Registry registry;
    Runs runs;
    KindOptions quick;
    quick.backoff_base = std::chrono::milliseconds(20);
    registry.Handle("hold", Holder(runs), quick);
    Client client(registry);
    Worker worker(io_.get_executor(), *pool_, registry, Fast());
    std::int64_t id = 0;
    Run(RescuesADeadWorkersJob(*pool_, client, worker, runs, id));
    EXPECT_EQ(runs.attempts, std::vector<int>{2});
    EXPECT_EQ(worker.Stats().rescued, 1u);
    EXPECT_FALSE(Run(ShowJob(*pool_, id))) << "completed jobs are deleted";
}

asio::awaitable<void> DeadLettersAnExpiredLastAttempt(db::Pool& pool, const Client& client, Worker& worker,
                                                      std::int64_t& id) {
    id = co_await Enqueue(pool, client, "hold");
    co_await pool.Query(
        "UPDATE jobs_queue SET attempt = max_attempts, locked_by = 'a-worker-that-died', "
        "locked_until = now() - interval '1 second' WHERE id = $1",
        db::Params::Of(id));
    worker.Start();
    EXPECT_TRUE(co_await Eventually([&] { return worker.Stats().rescued == 1; }));
    co_await worker.Stop();
}

TEST_F(JobsTest, AnExpiredLeaseOnTheLastAttemptGoesToTheDeadLetters) {
    Registry registry;
    Runs runs;
    registry.Handle("hold", Holder(runs));
    Client client(registry);
    Worker worker(io_.get_executor(), *pool_, registry, Fast());
    std::int64_t id = 0;
    Run(DeadLettersAnExpiredLastAttempt(*pool_, client, worker, id));
    auto dead = Run(ShowJob(*pool_, id));
    ASSERT_TRUE(dead);
    EXPECT_EQ(dead->state, "failed");
    EXPECT_EQ(dead->attempt, 25);
    EXPECT_EQ(dead->last_error, "the lease of a-worker-that-died expired during attempt 25, the last");
    EXPECT_TRUE(runs.attempts.empty());
}

// A run longer than its lease keeps it through heartbeats: a second worker's rescue never takes it.
asio::awaitable<void> KeepsALongRun(db::Pool& pool, const Client& client, Worker& runner, Worker& rescuer, Runs& runs) {
    runner.Start();
    rescuer.Start();
    co_await Enqueue(pool, client, "hold");
    EXPECT_TRUE(co_await Eventually([&] { return runs.finished == 1; }));
    co_await runner.Stop();
    co_await rescuer.Stop();
}

TEST_F(JobsTest, HeartbeatsKeepTheLeaseOfARunLongerThanIt) {
    Registry registry;
    Runs runs;
    runs.hold = std::chrono::milliseconds(900);  // three leases
    runs.heartbeat_after_hold = true;
    registry.Handle("hold", Holder(runs));
    Client client(registry);
    WorkerOptions options = Fast();
    options.lease = std::chrono::milliseconds(300);
    options.maintenance = false;
    Worker runner(io_.get_executor(), *pool_, registry, options);
    Registry nothing_to_run;
    WorkerOptions rescue_only = Fast();
    rescue_only.maintenance_interval = std::chrono::milliseconds(20);
    Worker rescuer(io_.get_executor(), *pool_, nothing_to_run, rescue_only);
    Run(KeepsALongRun(*pool_, client, runner, rescuer, runs));
    EXPECT_EQ(runs.attempts, std::vector<int>{1});
    EXPECT_EQ(runs.heartbeat_result, true);
    EXPECT_EQ(rescuer.Stats().rescued, 0u);
    EXPECT_EQ(runner.Stats().completed, 1u);
    EXPECT_EQ(runner.Stats().lost, 0u);
}

// An operator discards a running job: the worker learns at its next heartbeat and interrupts the run.
asio::awaitable<void> InterruptsADiscardedRun(db::Pool& pool, const Client& client, Worker& worker, Runs& runs,
                                              AdminOutcome& outcome) {
    worker.Start();
    const std::int64_t id = co_await Enqueue(pool, client, "hold");
    EXPECT_TRUE(co_await Eventually([&] { return runs.attempts.size() == 1; }));
    outcome = co_await DiscardJob(pool, id);
    EXPECT_TRUE(co_await Eventually([&] { return worker.Stats().lost == 1; }));
    co_await worker.Stop();
}

TEST_F(JobsTest, ALostLeaseInterruptsTheRun) {
    Registry registry;
    Runs runs;
    runs.hold = std::chrono::hours(1);
    registry.Handle("hold", Holder(runs));
    Client client(registry);
    WorkerOptions options = Fast();
    options.lease = std::chrono::milliseconds(300);
    Worker worker(io_.get_executor(), *pool_, registry, options);
    AdminOutcome outcome = AdminOutcome::kNotFound;
    Run(InterruptsADiscardedRun(*pool_, client, worker, runs, outcome));
    EXPECT_EQ(outcome, AdminOutcome::kDone);
    EXPECT_EQ(runs.finished, 0);
    auto dead = Run(ListJobs(*pool_, ListFilter{"discarded"}));
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].last_error, "discarded by an operator");
}

// Stopping with a run still going: after the grace it is interrupted and its job handed back,
// the attempt not counted.
asio::awaitable<void> HandsBackOnStop(db::Pool& pool, const Client& client, Worker& worker, Runs& runs,
                                      std::int64_t& id) {
    worker.Start();
    id = co_await Enqueue(pool, client, "hold");
    EXPECT_TRUE(co_await Eventually([&] { return runs.attempts.size() == 1; }));
    co_await worker.Stop();
}

TEST_F(JobsTest, StoppingHandsUnfinishedJobsBack) {
    Registry registry;
    Runs runs;
    runs.hold = std::chrono::hours(1);
    registry.Handle("hold", Holder(runs));
    Client client(registry);
    WorkerOptions options = Fast();
    options.stop_grace = std::chrono::milliseconds(50);
    Worker worker(io_.get_executor(), *pool_, registry, options);
    std::int64_t id = 0;
    Run(HandsBackOnStop(*pool_, client, worker, runs, id));
    auto job = Run(ShowJob(*pool_, id));
    ASSERT_TRUE(job);
    EXPECT_EQ(job->state, "waiting");
    EXPECT_EQ(job->attempt, 0);
    EXPECT_FALSE(job->locked_by);
    EXPECT_EQ(runs.finished, 0);
}

// Prefetching: jobs claimed ahead of free slots wait here under lease; on stop they go back unrun.
asio::awaitable<void> PrefetchThenStop(db::Pool& pool, const Client& client, Worker& worker, Runs& runs) {
    for (int idx = 0; idx < 6; ++idx) {
        co_await Enqueue(pool, client, "hold");
    }
    worker.Start();
    EXPECT_TRUE(co_await Eventually([&] { return runs.attempts.size() == 1; }));
    EXPECT_TRUE(co_await Eventually([&] { return worker.Stats().claimed == 4; })) << "one running, three prefetched";
    co_await worker.Stop();
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_queue WHERE locked_by IS NULL AND attempt = 0"), 6);
}

TEST_F(JobsTest, PrefetchedJobsWaitUnderLeaseAndGoBackOnStop) {
    Registry registry;
    Runs runs;
    runs.hold = std::chrono::hours(1);
    registry.Handle("hold", Holder(runs));
    Client client(registry);
    WorkerOptions options = Fast();
    options.concurrency = 1;
    options.prefetch = 3;
    options.stop_grace = std::chrono::milliseconds(50);
    Worker worker(io_.get_executor(), *pool_, registry, options);
    Run(PrefetchThenStop(*pool_, client, worker, runs));
    EXPECT_EQ(runs.attempts, std::vector<int>{1});
    EXPECT_EQ(runs.finished, 0);
}

// --- the operator's view

asio::awaitable<void> Operate(db::Pool& pool, const Client& client, std::vector<std::string>& steps) {
    auto describe = [](const std::optional<JobRow>& row) {
        return row ? row->state + "/" + std::to_string(row->attempt) : std::string("none");
    };
    NewJob later;
    later.kind = "hold";
    later.run_at = SystemClock::Instance().Now() + std::chrono::hours(1);
    later.unique_key = "k";
    const std::int64_t id = (co_await EnqueueCommitted(pool, client, later)).id;
    steps.push_back(describe(co_await ShowJob(pool, id)));
    EXPECT_EQ(co_await RetryJob(pool, id), AdminOutcome::kDone);  // made due now
    steps.push_back(describe(co_await ShowJob(pool, id)));
    EXPECT_EQ(co_await DiscardJob(pool, id), AdminOutcome::kDone);
    steps.push_back(describe(co_await ShowJob(pool, id)));
    // While it is dead, its key is free; a new job takes it, so the old one cannot come back yet.
    const std::int64_t other = (co_await EnqueueCommitted(pool, client, later)).id;
    EXPECT_EQ(co_await RetryJob(pool, id), AdminOutcome::kKeyTaken);
    EXPECT_EQ(co_await DiscardJob(pool, other), AdminOutcome::kDone);
    EXPECT_EQ(co_await DiscardJob(pool, other), AdminOutcome::kDone);  // a dead one: deleted for good
    EXPECT_EQ(co_await RetryJob(pool, id), AdminOutcome::kDone);
    steps.push_back(describe(co_await ShowJob(pool, id)));
    EXPECT_EQ(co_await RetryJob(pool, 999999), AdminOutcome::kNotFound);
    EXPECT_EQ(co_await DiscardJob(pool, 999999), AdminOutcome::kNotFound);
    // Filters built as named values: GCC 12 miscompiles braced temporaries inside a co_await expression.
    const ListFilter waiting_only{"waiting"};
    const ListFilter dead_only{"dead"};
    const ListFilter other_kind{std::nullopt, std::nullopt, "other-kind"};
    EXPECT_EQ((co_await ListJobs(pool, waiting_only)).size(), 1u);
    EXPECT_EQ((co_await ListJobs(pool, dead_only)).size(), 0u);
    EXPECT_EQ((co_await ListJobs(pool, other_kind)).size(), 0u);
}

TEST_F(JobsTest, OperatorsListRetryAndDiscardJobs) {
    Registry registry;
    Runs runs;
    registry.Handle("hold", Holder(runs));
    Client client(registry);
    std::vector<std::string> steps;
    Run(Operate(*pool_, client, steps));
    EXPECT_EQ(steps, (std::vector<std::string>{"scheduled/0", "waiting/0", "discarded/0", "waiting/0"}));
    EXPECT_THROW(Run(ListJobs(*pool_, ListFilter{"lost"})), Error);
}

// --- metrics

asio::awaitable<std::string> MetricsAfterWork(db::Pool& pool, const Client& client, Worker& worker, Runs& runs) {
    worker.Start();
    co_await Enqueue(pool, client, "hold");
    EXPECT_TRUE(co_await Eventually([&] { return worker.Stats().completed == 1; }));
    co_await worker.Stop();
    NewJob waiting;
    waiting.kind = "hold";
    co_await EnqueueCommitted(pool, client, waiting);
    waiting.run_at = SystemClock::Instance().Now() + std::chrono::hours(1);
    co_await EnqueueCommitted(pool, client, waiting);
    (void)runs;
    std::vector<const Worker*> workers;
    workers.push_back(&worker);
    co_return co_await RenderMetrics(pool, workers);
}

TEST_F(JobsTest, MetricsShowDepthAgeAndRunsPerQueueAndKind) {
    Registry registry;
    Runs runs;
    registry.Handle("hold", Holder(runs));
    Client client(registry);
    Worker worker(io_.get_executor(), *pool_, registry, Fast());
    const std::string text = Run(MetricsAfterWork(*pool_, client, worker, runs));
    EXPECT_NE(text.find("strava1_jobs_waiting{queue=\"default\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("strava1_jobs_scheduled{queue=\"default\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("strava1_jobs_running{queue=\"default\"} 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("strava1_jobs_oldest_waiting_seconds{queue=\"default\"} "), std::string::npos) << text;
    EXPECT_NE(text.find("strava1_jobs_completed_total{kind=\"hold\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("strava1_jobs_run_seconds_count{kind=\"hold\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("strava1_jobs_run_seconds_bucket{kind=\"hold\",le=\"+Inf\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("strava1_jobs_failed_total{kind=\"hold\"} 0\n"), std::string::npos) << text;
}

// --- housekeeping

asio::awaitable<void> Prunes(db::Pool& pool, const Client& client, Worker& worker) {
    co_await pool.Query(
        "INSERT INTO jobs_dead (id, queue, kind, payload, priority, attempts, max_attempts, reason, last_error, "
        "created_at, died_at) VALUES "
        "(1001, 'default', 'x', '{}', 0, 25, 25, 'failed', 'old', now(), now() - interval '31 days'), "
        "(1002, 'default', 'x', '{}', 0, 25, 25, 'failed', 'recent', now(), now() - interval '29 days')");
    NewJob prune;
    prune.kind = "jobs.prune_dead";
    prune.payload = client.registry().Schedules().front().payload;
    co_await EnqueueCommitted(pool, client, prune);
    worker.Start();
    EXPECT_TRUE(co_await Eventually([&] { return worker.Stats().completed == 1; }));
    co_await worker.Stop();
}

TEST_F(JobsTest, HousekeepingDeletesDeadLettersPastTheirRetentionDaily) {
    Registry registry;
    RegisterHousekeeping(registry, std::chrono::hours(24 * 30));
    ASSERT_EQ(registry.Schedules().size(), 1u);
    EXPECT_EQ(registry.Schedules().front().cron, "17 3 * * *");
    Client client(registry);
    Worker worker(io_.get_executor(), *pool_, registry, Fast());
    Run(Prunes(*pool_, client, worker));
    auto left = Run(ListJobs(*pool_, ListFilter{"dead"}));
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].last_error, "recent");
    EXPECT_EQ(Run(CountRows(*pool_, "SELECT count(*) FROM jobs_schedules WHERE name = 'jobs.prune_dead'")), 1);
}

}  // namespace
}  // namespace strava1::jobs
