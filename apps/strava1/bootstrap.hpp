#pragma once

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "config.hpp"
#include "strava1/db/embedded_postgres.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/storage/local_store.hpp"

namespace strava1::app {

/// The database a process uses: the embedded cluster under data_dir, or database_url.
struct Database {
    std::unique_ptr<db::EmbeddedPostgres> embedded;  ///< null with an external URL
    std::string conninfo;
};

/// Starts the embedded cluster when no URL is set (blocking; call before I/O threads start).
Database OpenDatabase(const Config& config);

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

}  // namespace strava1::app
