#include "strava1/jobs/client.hpp"

#include <charconv>

#include "sql.hpp"
#include "strava1/base/error.hpp"
#include "strava1/base/json.hpp"

namespace strava1::jobs {
namespace asio = boost::asio;

namespace sql {

std::string TextArray(const std::vector<std::string>& values) {
    std::string out = "{";
    for (std::size_t idx = 0; idx < values.size(); ++idx) {
        out += idx == 0 ? "\"" : ",\"";
        for (char c : values[idx]) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

}  // namespace sql

namespace {

/// A job with every default filled in from its kind, checked.
struct Resolved {
    std::string queue;
    std::string kind;
    std::string payload;
    int priority = 0;
    std::optional<double> run_at_s;
    int max_attempts = 25;
};

Resolved Resolve(const Registry& registry, const NewJob& job) {
    const Registry::Kind* kind = registry.Find(job.kind);
    if (kind == nullptr) {
        throw Error(ErrorKind::kInvalidArgument, "no handler is registered for the job kind " + job.kind,
                    {{"kind", "must be a registered job kind"}});
    }
    Resolved r;
    r.kind = job.kind;
    r.queue = job.queue.value_or(kind->options.queue);
    if (!ValidQueueName(r.queue)) {
        throw InvalidField("queue", "must match [a-z0-9_.-]{1,64}");
    }
    r.payload = json::Serialize(job.payload);
    r.priority = job.priority.value_or(kind->options.priority);
    if (r.priority < -32768 || r.priority > 32767) {
        throw InvalidField("priority", "must be -32768 to 32767");
    }
    if (job.run_at) {
        r.run_at_s = std::chrono::duration<double>(job.run_at->time_since_epoch()).count();
    }
    r.max_attempts = job.max_attempts.value_or(kind->options.max_attempts);
    if (r.max_attempts < 1 || r.max_attempts > 1000) {
        throw InvalidField("max_attempts", "must be 1 to 1000");
    }
    if (job.unique_key && (job.unique_key->empty() || job.unique_key->size() > 500)) {
        throw InvalidField("unique_key", "must be 1 to 500 characters");
    }
    return r;
}

std::string DoubleText(double value) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, end);
}

}  // namespace

asio::awaitable<Enqueued> Client::Enqueue(db::Transaction tx, NewJob job) const {
    const Resolved r = Resolve(registry_, job);
    db::Params params;
    params.Add(r.queue).Add(r.kind).Add(r.payload).Add(r.priority);
    if (r.run_at_s) {
        params.Add(*r.run_at_s);
    } else {
        params.Add(std::nullopt);
    }
    params.Add(r.max_attempts).Add(job.unique_key);
    db::Result inserted = co_await tx.Query(sql::kEnqueue, std::move(params));
    if (!inserted.Empty()) {
        co_return Enqueued{inserted.Int(0, 0), true};
    }
    // The key is taken by a waiting or running job (ON CONFLICT DO NOTHING returned no row). That
    // job cannot vanish before this transaction ends only if it is locked, so this may race with its
    // completion; then there is no row and the caller may enqueue again.
    db::Result existing = co_await tx.Query(sql::kFindByUniqueKey, db::Params::Of(*job.unique_key));
    if (existing.Empty()) {
        throw Error(ErrorKind::kConflict, "a job with the same unique key just ended; enqueue it again");
    }
    co_return Enqueued{existing.Int(0, 0), false};
}

asio::awaitable<std::vector<std::int64_t>> Client::EnqueueMany(db::Transaction tx, std::vector<NewJob> jobs) const {
    std::vector<std::string> queues;
    std::vector<std::string> kinds;
    std::vector<std::string> payloads;
    std::vector<int> priorities;
    std::vector<int> max_attempts;
    std::string run_at = "{";
    for (std::size_t idx = 0; idx < jobs.size(); ++idx) {
        if (jobs[idx].unique_key) {
            throw InvalidField("unique_key", "EnqueueMany takes no unique keys; use Enqueue");
        }
        Resolved r = Resolve(registry_, jobs[idx]);
        queues.push_back(std::move(r.queue));
        kinds.push_back(std::move(r.kind));
        payloads.push_back(std::move(r.payload));
        priorities.push_back(r.priority);
        max_attempts.push_back(r.max_attempts);
        run_at += (idx == 0 ? "" : ",") + (r.run_at_s ? DoubleText(*r.run_at_s) : std::string("NULL"));
    }
    run_at += "}";
    std::vector<std::int64_t> ids;
    if (jobs.empty()) {
        co_return ids;
    }
    db::Result r = co_await tx.Query(
        sql::kEnqueueMany, db::Params::Of(sql::TextArray(queues), sql::TextArray(kinds), sql::TextArray(payloads),
                                          sql::NumberArray(priorities), run_at, sql::NumberArray(max_attempts)));
    ids.reserve(static_cast<std::size_t>(r.Rows()));
    for (int row = 0; row < r.Rows(); ++row) {
        ids.push_back(r.Int(row, 0));
    }
    co_return ids;
}

asio::awaitable<bool> Client::CancelByKey(db::Transaction tx, std::string_view kind,
                                          std::string_view unique_key) const {
    db::Result removed =
        co_await tx.Query(sql::kCancelByKey, db::Params::Of(std::string(unique_key), std::string(kind)));
    co_return !removed.Empty();
}

asio::awaitable<std::int64_t> Client::Publish(db::Transaction tx, Event event) const {
    if (event.type.empty() || event.type.size() > 100) {
        throw InvalidField("type", "must be 1 to 100 characters");
    }
    std::vector<std::string> queues;
    std::vector<std::string> kinds;
    std::vector<int> priorities;
    std::vector<int> max_attempts;
    for (const Registry::Kind* kind : registry_.SubscribersOf(event.type)) {
        queues.push_back(kind->options.queue);
        kinds.push_back(kind->name);
        priorities.push_back(kind->options.priority);
        max_attempts.push_back(kind->options.max_attempts);
    }
    db::Result r =
        co_await tx.Query(sql::kPublish, db::Params::Of(event.type, json::Serialize(event.payload),
                                                        sql::TextArray(queues), sql::TextArray(kinds),
                                                        sql::NumberArray(priorities), sql::NumberArray(max_attempts)));
    co_return r.Int(0, r.Column("id"));
}

}  // namespace strava1::jobs
