#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "composition.hpp"
#include "config.hpp"
#include "strava1/base/log.hpp"
#include "strava1/db/embedded_postgres.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/storage/local_store.hpp"

namespace strava1::app {

/// The database a process uses: the embedded cluster under data_dir, or database_url.
struct Database {
    std::unique_ptr<db::EmbeddedPostgres> embedded;  ///< null with an external URL
    std::string conninfo;
};

/// Who runs the embedded cluster. serve owns it (starts it, refuses a data dir another strava1 holds);
/// the other commands share it: beside a running serve they connect through its postmaster, and only
/// when none runs do they start the cluster themselves, for as long as they run (ADR 0003).
enum class ClusterUse { kOwn, kShare };

/// Starts (or, kShare, attaches to) the embedded cluster when no URL is set (blocking; call before
/// I/O threads start).
Database OpenDatabase(const Config& config, ClusterUse use);

/// Applies migrations and checks durability settings, driving `io` until done. Throws with a
/// one-line reason on failure.
void PrepareDatabase(boost::asio::io_context& io, db::Pool& pool, const Config& config);

/// Runs a one-shot subcommand's body with the exit statuses they all use: 2 and the reason for a bad
/// setting, 1 and a one-line reason for any other failure.
int RunReportingFailures(const std::function<int()>& body);

/// The object store for originals under data_dir/objects, its URL-signing key kept (created on
/// first use) in data_dir/keys. Its URLs are path-only: the server may not know its public address.
std::unique_ptr<storage::LocalObjectStore> OpenObjectStore(const Config& config, const Clock& clock);

/// An object store in a fresh temporary directory, removed with it: for commands that build the
/// composition but run none of the modules' storage (routes, migrate), so they leave no files.
class ScratchObjectStore {
public:
    ScratchObjectStore();
    ~ScratchObjectStore();
    ScratchObjectStore(const ScratchObjectStore&) = delete;
    ScratchObjectStore& operator=(const ScratchObjectStore&) = delete;
    storage::LocalObjectStore& Store() { return *store_; }

private:
    std::filesystem::path root_;
    std::unique_ptr<storage::LocalObjectStore> store_;
};

/// How a command other than serve sets itself up (CommandContext).
struct CommandOptions {
    /// Refuses settings the command cannot run with (throw ConfigError), before anything is opened.
    std::function<void(const Config&)> check;
    /// What it logs: warnings only (a one-shot command, whose output is what it prints), at
    /// STRAVA1_LOG_LEVEL (a long-running command), or everything from info up (migrate).
    enum class Logging { kWarnings, kConfigured, kInfo } logging = Logging::kWarnings;
    /// Sized as serve is (one event loop per I/O thread, STRAVA1_DB_POOL_SIZE connections,
    /// STRAVA1_CPU_THREADS); otherwise one loop, two connections and one CPU thread.
    bool serve_sized = false;
};

/// The start every command but serve shares: its settings (command line, then environment) as a
/// Config, the database (beside a running serve, that server's embedded cluster: ClusterUse::kShare),
/// the event loop(s), a pool on them, and the migrations and durability check applied; on demand the
/// composition with its CPU pool and object store. Destroyed, it joins the CPU pool, closes the pool and stops a
/// cluster it started itself. Not thread-safe; build and destroy it on the main thread.
class CommandContext {
public:
    CommandContext(const std::vector<std::string>& settings_args, CommandOptions options = {});
    ~CommandContext();
    CommandContext(const CommandContext&) = delete;
    CommandContext& operator=(const CommandContext&) = delete;

    const Config& Settings() const { return config_; }
    bool EmbeddedDatabase() const { return database_.embedded != nullptr; }
    boost::asio::io_context& Io() { return *loops_.front(); }
    /// Every event loop; the first is Io().
    std::vector<boost::asio::io_context*> Loops() const;
    db::Pool& Pool() { return *pool_; }

    /// The composition serve builds (without token keys: it serves nothing), over this database and
    /// the data dir's object store, or over a throwaway one with `scratch_store` (the command runs
    /// none of the modules' storage). Built once; later calls return the same.
    Composition& Compose(bool scratch_store = false);

    /// Runs `task` on Io() until it is done: its result, or its exception rethrown.
    int Run(boost::asio::awaitable<int> task);

private:
    Config config_;
    Database database_;
    std::vector<std::unique_ptr<boost::asio::io_context>> loops_;
    std::unique_ptr<db::Pool> pool_;
    std::size_t cpu_threads_ = 1;
    std::unique_ptr<boost::asio::thread_pool> cpu_;  ///< made with the composition, the only user
    std::unique_ptr<storage::LocalObjectStore> store_;
    std::unique_ptr<ScratchObjectStore> scratch_;
    std::unique_ptr<Composition> composition_;
};

}  // namespace strava1::app
