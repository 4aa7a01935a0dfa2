// Domain events: published in the caller's transaction, delivered through jobs to every subscriber
// of the type, at least once; an idempotent subscriber sees each event's effect once.
#include <boost/json.hpp>

#include <map>

#include "jobs_fixture.hpp"

namespace strava1::jobs {
namespace {
namespace asio = boost::asio;

struct Deliveries {
    std::map<std::string, int> calls;  // subscriber -> handler calls
    int crash_after_effect = 0;        // runs of "feed" that fail after their effect
    std::vector<std::string> types;
};

/// Records the effect idempotently: one row per (event, subscriber) however often it is delivered.
asio::awaitable<void> Apply(Deliveries* d, std::string subscriber, ReceivedEvent event) {
    ++d->calls[subscriber];
    d->types.push_back(event.type);
    co_await event.job.Pool().Query(
        "INSERT INTO effects (event_id, subscriber, activity) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        db::Params::Of(event.id, subscriber, event.payload.as_object().at("activity_id").to_number<std::int64_t>()));
    if (subscriber == "feed" && d->crash_after_effect > 0) {
        --d->crash_after_effect;
        throw std::runtime_error("lost the connection after writing");
    }
}

EventHandler Subscriber(Deliveries& d, std::string name) {
    return [d_ptr = &d, name](ReceivedEvent event) { return Apply(d_ptr, name, std::move(event)); };
}

/// Built outside the coroutines: GCC 12 rejects an initializer list inside one ("array used as initializer").
Event Created(std::string type, std::int64_t activity) {
    return Event{std::move(type), boost::json::object{{"activity_id", activity}}};
}

asio::awaitable<std::vector<std::int64_t>> PublishSome(db::Pool& pool, const Client& client, Worker& worker) {
    co_await pool.Query(
        "CREATE TABLE effects (event_id bigint, subscriber text, activity bigint, PRIMARY KEY (event_id, subscriber))");
    std::vector<std::int64_t> ids;
    for (std::int64_t activity = 7; activity <= 8; ++activity) {
        db::Transaction tx = co_await pool.Begin();
        ids.push_back(co_await client.Publish(tx, Created("activity.created", activity)));
        co_await tx.Commit();
    }
    db::Transaction rolled_back = co_await pool.Begin();
    co_await client.Publish(rolled_back, Created("activity.created", 9));
    co_await rolled_back.Rollback();
    db::Transaction nobody = co_await pool.Begin();
    ids.push_back(co_await client.Publish(nobody, Created("activity.renamed", 7)));
    co_await nobody.Commit();
    worker.Start();
    EXPECT_TRUE(co_await Eventually([&] { return worker.Stats().completed == 4; }));
    co_await Pause(std::chrono::milliseconds(200));
    co_await worker.Stop();
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM jobs_queue"), 0);
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM effects WHERE activity = 9"), 0);
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(*) FROM effects"), 4);
    EXPECT_EQ(co_await CountRows(pool, "SELECT count(DISTINCT event_id) FROM effects"), 2);
    co_return ids;
}

TEST_F(JobsTest, AnEventReachesEachSubscriberOncePerPublish) {
    Registry registry;
    Deliveries d;
    d.crash_after_effect = 1;  // the feed's first delivery fails after its effect, and is delivered again
    KindOptions quick;
    quick.backoff_base = std::chrono::milliseconds(10);
    registry.Subscribe("activity.created", "feed", Subscriber(d, "feed"), quick);
    registry.Subscribe("activity.created", "stats", Subscriber(d, "stats"), quick);
    registry.Subscribe("user.deleted", "stats", Subscriber(d, "stats-users"), quick);
    EXPECT_THROW(registry.Subscribe("activity.created", "feed", Subscriber(d, "feed")), std::invalid_argument);
    Client client(registry);
    Worker worker(io_.get_executor(), *pool_, registry, Fast());
    auto ids = Run(PublishSome(*pool_, client, worker));
    ASSERT_EQ(ids.size(), 3u);
    EXPECT_LT(ids[0], ids[1]);
    EXPECT_EQ(d.calls["stats"], 2);
    EXPECT_EQ(d.calls["feed"], 3) << "two events, one of them delivered twice";
    EXPECT_EQ(d.calls["stats-users"], 0);
    EXPECT_EQ(std::count(d.types.begin(), d.types.end(), "activity.created"), 5);
    EXPECT_EQ(Registry::EventKind("activity.created", "feed"), "event:activity.created:feed");
}

}  // namespace
}  // namespace strava1::jobs
