#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

#include "strava1/db/pool.hpp"

namespace strava1::db {

/// One forward-only schema step, from `migrations/NNNN_name.sql`.
struct Migration {
    int version = 0;
    std::string name;  ///< file name, e.g. "0001_accounts.sql"
    std::string sql;
};

struct MigrateReport {
    std::vector<std::string> applied;  ///< names applied by this run
    int current_version = 0;
};

/// Parses "NNNN_name.sql" into a version; throws std::invalid_argument on a malformed name.
int MigrationVersion(const std::string& file_name);

/// Checksum stored in schema_migrations (hex SHA-256 of the SQL text).
std::string MigrationChecksum(const std::string& sql);

/// Applies pending migrations in version order, each in its own transaction, under a cluster-wide
/// advisory lock so concurrent starters serialise. Throws Error(kInternal) with a clear message when
/// an applied migration's checksum differs from the binary's copy (edited after landing), when the
/// database has a version this binary does not know (it is older than the schema), or on duplicates.
boost::asio::awaitable<MigrateReport> Migrate(Pool& pool, std::vector<Migration> migrations);

}  // namespace strava1::db
