// `strava1 worker` (job workers against the same database as serve) and `strava1 jobs` (what is
// queued, and an operator's retry and discard); also the workers serve runs in-process.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <thread>

#include "bootstrap.hpp"
#include "job_workers.hpp"
#include "strava1/base/log.hpp"
#include "strava1/jobs/admin.hpp"

namespace strava1::app {
namespace asio = boost::asio;

JobWorkers::JobWorkers(const std::vector<asio::io_context*>& loops, db::Pool& pool, const jobs::Registry& registry,
                       const Config& config) {
    const int total = config.worker_concurrency;
    const int count = std::min(static_cast<int>(loops.size()), total);
    for (int idx = 0; idx < count; ++idx) {
        jobs::WorkerOptions options;
        // Spread the slots over the loops; the first loops take the remainder.
        options.concurrency = total / count + (idx < total % count ? 1 : 0);
        options.queues = config.worker_queues;
        options.lease = config.job_lease;
        options.maintenance = idx == 0;
        workers_.push_back(std::make_unique<jobs::Worker>(loops[static_cast<std::size_t>(idx)]->get_executor(), pool,
                                                          registry, options));
    }
}

void JobWorkers::Start() {
    for (auto& worker : workers_) {
        worker->Start();
    }
}

asio::awaitable<void> JobWorkers::Stop() {
    for (auto& worker : workers_) {
        co_await worker->Stop();
    }
}

std::vector<const jobs::Worker*> JobWorkers::Workers() const {
    std::vector<const jobs::Worker*> out;
    for (const auto& worker : workers_) {
        out.push_back(worker.get());
    }
    return out;
}

namespace {

constexpr const char* kJobsUsage =
    "usage: strava1 jobs list [--state=STATE] [--queue=QUEUE] [--kind=KIND] [--limit=N] [--json] [settings]\n"
    "       strava1 jobs show ID [--json] [settings]\n"
    "       strava1 jobs retry ID [settings]\n"
    "       strava1 jobs discard ID [settings]\n"
    "\n"
    "Looks at the job queue in the database serve uses (same settings). list: waiting, scheduled and\n"
    "running jobs by due time, then the dead letters; STATE is waiting, scheduled, running, dead, failed or\n"
    "discarded; --limit 1..1000 (default 50). show: one job with its payload and last error. retry: a dead\n"
    "job goes back to the queue under its id with its attempts reset; a waiting one is made due now.\n"
    "discard: a waiting or running job goes to the dead letters (a running one is interrupted at its\n"
    "worker's next heartbeat); a dead one is deleted. Completed jobs are not kept. Exit status: 0 done,\n"
    "1 no such job or refused, 2 bad usage.\n";

boost::json::object ToJson(const jobs::JobRow& row) {
    boost::json::object o{{"id", row.id},
                          {"state", row.state},
                          {"queue", row.queue},
                          {"kind", row.kind},
                          {"priority", row.priority},
                          {"attempt", row.attempt},
                          {"max_attempts", row.max_attempts},
                          {"created_at", row.created_at},
                          {row.state == "failed" || row.state == "discarded" ? "died_at" : "run_at", row.run_at}};
    o["unique_key"] = row.unique_key ? boost::json::value(*row.unique_key) : boost::json::value(nullptr);
    o["locked_by"] = row.locked_by ? boost::json::value(*row.locked_by) : boost::json::value(nullptr);
    o["locked_until"] = row.locked_until ? boost::json::value(*row.locked_until) : boost::json::value(nullptr);
    o["last_error"] = row.last_error ? boost::json::value(*row.last_error) : boost::json::value(nullptr);
    try {
        o["payload"] = boost::json::parse(row.payload);
    } catch (const std::exception&) {
        o["payload"] = row.payload;
    }
    return o;
}

std::string OneLine(std::string text, std::size_t max) {
    for (char& c : text) {
        if (c == '\n' || c == '\t') {
            c = ' ';
        }
    }
    if (text.size() > max) {
        text = text.substr(0, max - 3) + "...";
    }
    return text;
}

struct JobsCommand {
    std::string action;
    std::optional<std::int64_t> id;
    jobs::ListFilter filter;
    bool json = false;
};

asio::awaitable<int> RunJobsCommand(db::Pool& pool, JobsCommand command) {
    if (command.action == "list") {
        auto rows = co_await jobs::ListJobs(pool, command.filter);
        if (command.json) {
            boost::json::array out;
            for (const auto& row : rows) {
                out.push_back(ToJson(row));
            }
            std::printf("%s\n", boost::json::serialize(out).c_str());
            co_return 0;
        }
        std::printf("%-10s %-9s %-12s %-28s %-7s %-20s %s\n", "ID", "STATE", "QUEUE", "KIND", "RUNS", "RUN AT / DIED",
                    "LAST ERROR");
        for (const auto& row : rows) {
            const std::string runs = std::to_string(row.attempt) + "/" + std::to_string(row.max_attempts);
            std::printf("%-10lld %-9s %-12s %-28s %-7s %-20s %s\n", static_cast<long long>(row.id), row.state.c_str(),
                        OneLine(row.queue, 12).c_str(), OneLine(row.kind, 28).c_str(), runs.c_str(), row.run_at.c_str(),
                        OneLine(row.last_error.value_or(""), 60).c_str());
        }
        co_return 0;
    }
    if (command.action == "show") {
        auto row = co_await jobs::ShowJob(pool, *command.id);
        if (!row) {
            std::fprintf(stderr, "strava1: no job %lld (completed jobs are not kept)\n",
                         static_cast<long long>(*command.id));
            co_return 1;
        }
        boost::json::object o = ToJson(*row);
        if (command.json) {
            std::printf("%s\n", boost::json::serialize(o).c_str());
            co_return 0;
        }
        for (const auto& [key, value] : o) {
            std::printf(
                "%-13s %s\n", (std::string(key) + ":").c_str(),
                value.is_string() ? std::string(value.as_string()).c_str() : boost::json::serialize(value).c_str());
        }
        co_return 0;
    }
    const bool retry = command.action == "retry";
    jobs::AdminOutcome outcome = jobs::AdminOutcome::kNotFound;
    if (retry) {
        outcome = co_await jobs::RetryJob(pool, *command.id);
    } else {
        outcome = co_await jobs::DiscardJob(pool, *command.id);
    }
    const long long id = *command.id;
    switch (outcome) {
        case jobs::AdminOutcome::kDone:
            std::printf("job %lld %s\n", id, retry ? "queued to run now" : "discarded");
            co_return 0;
        case jobs::AdminOutcome::kNotFound:
            std::fprintf(stderr, "strava1: no job %lld\n", id);
            co_return 1;
        case jobs::AdminOutcome::kRunning:
            std::fprintf(stderr, "strava1: job %lld is running; retry it once it has failed\n", id);
            co_return 1;
        case jobs::AdminOutcome::kKeyTaken:
            std::fprintf(stderr, "strava1: job %lld has the unique key of a job that is queued now\n", id);
            co_return 1;
    }
    co_return 1;
}

std::optional<std::int64_t> ParseId(const std::string& text) {
    try {
        std::size_t used = 0;
        const long long id = std::stoll(text, &used);
        if (used == text.size() && id > 0) {
            return id;
        }
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

asio::awaitable<void> StopWorkersOnSignal(asio::signal_set& signals, JobWorkers& workers,
                                          std::vector<asio::io_context*> loops) {
    auto [ec, signal] = co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) {
        co_return;
    }
    log::Info("worker stopping", {{"signal", signal}});
    co_await workers.Stop();
    for (auto* loop : loops) {
        loop->stop();
    }
}

}  // namespace

int Jobs(const std::vector<std::string>& args) {
    JobsCommand command;
    std::vector<std::string> positional;
    std::vector<std::string> settings_args;
    for (const auto& arg : args) {
        auto value = [&arg](std::string_view flag) { return FlagValue(arg, flag); };
        if (arg == "--help" || arg == "-h") {
            std::fputs(kJobsUsage, stdout);
            return 0;
        }
        if (auto state = value("--state")) {
            command.filter.state = *state;
        } else if (auto queue = value("--queue")) {
            command.filter.queue = *queue;
        } else if (auto kind = value("--kind")) {
            command.filter.kind = *kind;
        } else if (auto limit = value("--limit")) {
            auto n = ParseId(*limit);
            if (!n || *n > 1000) {
                std::fprintf(stderr, "strava1: --limit must be 1 to 1000 (got \"%s\")\n", limit->c_str());
                return 2;
            }
            command.filter.limit = static_cast<int>(*n);
        } else if (arg == "--json") {
            command.json = true;
        } else if (!arg.starts_with("--")) {
            positional.push_back(arg);
        } else {
            settings_args.push_back(arg);
        }
    }
    if (positional.empty()) {
        std::fputs(kJobsUsage, stderr);
        return 2;
    }
    command.action = positional[0];
    const bool needs_id = command.action == "show" || command.action == "retry" || command.action == "discard";
    if ((command.action != "list" && !needs_id) || positional.size() != (needs_id ? 2u : 1u)) {
        std::fputs(kJobsUsage, stderr);
        return 2;
    }
    if (needs_id) {
        command.id = ParseId(positional[1]);
        if (!command.id) {
            std::fprintf(stderr, "strava1: a job id is a positive number (got \"%s\")\n", positional[1].c_str());
            return 2;
        }
    }
    return RunReportingFailures([&] {
        CommandContext context(settings_args);
        try {
            return context.Run(RunJobsCommand(context.Pool(), command));
        } catch (const Error& e) {
            if (e.Kind() != ErrorKind::kInvalidArgument) {
                throw;
            }
            std::fprintf(stderr, "strava1: %s%s\n",
                         e.Fields().empty() ? "" : ("--" + e.Fields()[0].field + ": ").c_str(),
                         e.Fields().empty() ? e.Detail().c_str() : e.Fields()[0].reason.c_str());
            return 2;
        }
    });
}

int Worker(const std::vector<std::string>& args) {
    return RunReportingFailures([&args] {
        CommandOptions options;
        options.check = [](const Config& config) {
            if (config.worker_concurrency < 1) {
                throw ConfigError("STRAVA1_WORKER_CONCURRENCY: must be at least 1 for 'strava1 worker'");
            }
        };
        options.logging = CommandOptions::Logging::kConfigured;
        options.serve_sized = true;
        CommandContext context(args, options);
        const Config& config = context.Settings();
        // The same composition as serve's, so this process runs the features' jobs, subscribers and
        // schedules too; it serves nothing, so it needs no token issuer or verifier.
        const jobs::Registry& registry = context.Compose().Registered().Jobs();
        // One worker per event loop (ADR 0006).
        const std::vector<asio::io_context*> loops = context.Loops();
        asio::io_context& io = context.Io();
        JobWorkers workers(loops, context.Pool(), registry, config);
        workers.Start();
        asio::signal_set signals(io, SIGINT, SIGTERM);
        asio::co_spawn(io, StopWorkersOnSignal(signals, workers, loops), asio::detached);
        std::string ids;
        for (const auto* worker : workers.Workers()) {
            ids += (ids.empty() ? "" : ",") + worker->Id();
        }
        log::Info("worker started", {{"workers", ids},
                                     {"concurrency", config.worker_concurrency},
                                     {"kinds", registry.Kinds().size()},
                                     {"database", context.EmbeddedDatabase() ? "embedded" : "external"}});
        io.restart();
        std::vector<std::thread> threads;
        std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
        for (std::size_t idx = 1; idx < loops.size(); ++idx) {
            keep_running.push_back(asio::make_work_guard(*loops[idx]));
            threads.emplace_back([loop = loops[idx]] { loop->run(); });
        }
        io.run();
        for (auto& thread : threads) {
            thread.join();
        }
        log::Info("worker stopped");
        return 0;
    });
}

}  // namespace strava1::app
