#include "strava1/db/migrations.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "strava1/base/crypto.hpp"
#include "strava1/base/log.hpp"

namespace strava1::db {
namespace asio = boost::asio;

namespace {

// Arbitrary constant identifying "schema migration" among the cluster's advisory locks.
constexpr std::int64_t kMigrationLockKey = 0x5374726176613131;  // "Strava11"

[[noreturn]] void Fail(std::string message) { throw Error(ErrorKind::kInternal, "migration failed", {}, message); }

std::string QuoteLiteral(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        out += c;
        if (c == '\'') {
            out += '\'';
        }
    }
    return out + "'";
}

}  // namespace

int MigrationVersion(const std::string& file_name) {
    std::size_t digits = 0;
    while (digits < file_name.size() && std::isdigit(static_cast<unsigned char>(file_name[digits])) != 0) {
        ++digits;
    }
    if (digits != 4 || file_name.size() <= 9 || file_name[4] != '_' || !file_name.ends_with(".sql")) {
        throw std::invalid_argument("migration file name must be NNNN_name.sql: " + file_name);
    }
    return std::stoi(file_name.substr(0, 4));
}

std::string MigrationChecksum(const std::string& sql) { return crypto::Hex(crypto::Sha256(sql)); }

asio::awaitable<MigrateReport> Migrate(Pool& pool, std::vector<Migration> migrations) {
    std::sort(migrations.begin(), migrations.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t idx = 1; idx < migrations.size(); ++idx) {
        if (migrations[idx].version == migrations[idx - 1].version) {
            Fail("two migrations share version " + std::to_string(migrations[idx].version) + ": " +
                 migrations[idx - 1].name + ", " + migrations[idx].name);
        }
    }

    Lease lease = co_await pool.Acquire();
    co_await lease.Query("SELECT pg_advisory_lock($1)", Params::Of(kMigrationLockKey));
    MigrateReport report;
    std::exception_ptr failure;
    try {
        co_await lease.ExecuteScript(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY,"
            " name text NOT NULL,"
            " checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())");
        Result applied = co_await lease.Query("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
        std::map<int, std::pair<std::string, std::string>> done;
        for (int row = 0; row < applied.Rows(); ++row) {
            done[static_cast<int>(applied.Int(row, 0))] = {applied.String(row, 1), applied.String(row, 2)};
        }
        for (const auto& [version, entry] : done) {
            auto it = std::find_if(migrations.begin(), migrations.end(),
                                   [v = version](const Migration& m) { return m.version == v; });
            if (it == migrations.end()) {
                Fail("the database has migration " + entry.first +
                     " which this binary does not know: the binary is older than the schema");
            }
            if (MigrationChecksum(it->sql) != entry.second) {
                Fail("migration " + it->name + " was edited after it was applied (checksum " + entry.second +
                     " in the database, " + MigrationChecksum(it->sql) +
                     " in this binary); migrations are forward-only: add a new one instead");
            }
            report.current_version = version;
        }
        for (const auto& migration : migrations) {
            if (done.contains(migration.version)) {
                continue;
            }
            // The file and its bookkeeping row commit together or not at all.
            co_await lease.ExecuteScript("BEGIN;\n" + migration.sql +
                                         "\n;INSERT INTO schema_migrations (version, name, checksum) VALUES (" +
                                         std::to_string(migration.version) + ", " + QuoteLiteral(migration.name) +
                                         ", '" + MigrationChecksum(migration.sql) + "');\nCOMMIT;");
            report.applied.push_back(migration.name);
            report.current_version = migration.version;
            log::Info("migration applied", {{"migration", migration.name}});
        }
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        // A failed script leaves the connection in an aborted transaction; it is discarded on release,
        // which also drops the advisory lock.
        std::rethrow_exception(failure);
    }
    co_await lease.Query("SELECT pg_advisory_unlock($1)", Params::Of(kMigrationLockKey));
    co_return report;
}

}  // namespace strava1::db
