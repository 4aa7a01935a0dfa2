#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <unistd.h>

#include "strava1/migrations/all.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::testing {
namespace {

struct ConnCloser {
    void operator()(PGconn* c) const { PQfinish(c); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnCloser>;

ConnPtr ConnectBlocking(const std::string& conninfo) {
    ConnPtr conn(PQconnectdb(conninfo.c_str()));
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
        throw std::runtime_error("test database connect failed: " +
                                 std::string(conn ? PQerrorMessage(conn.get()) : "out of memory"));
    }
    return conn;
}

void ExecBlocking(PGconn* conn, const std::string& sql) {
    PGresult* res = PQexec(conn, sql.c_str());
    ExecStatusType status = PQresultStatus(res);
    std::string error = PQresultErrorMessage(res);
    PQclear(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        throw std::runtime_error("test database: " + sql + ": " + error);
    }
}

bool DatabaseExists(PGconn* conn, const std::string& name) {
    const char* values[] = {name.c_str()};
    PGresult* res = PQexecParams(conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1, nullptr, values, nullptr,
                                 nullptr, 0);
    bool exists = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    PQclear(res);
    return exists;
}

// The template name carries a checksum of all migrations, so editing or adding one makes a new template.
std::string TemplateName() {
    std::string all;
    for (const auto& m : migrations::All()) {
        all += m.name + "\n" + m.sql + "\n";
    }
    return "strava1_tpl_" + crypto::Hex(crypto::Sha256(all)).substr(0, 16);
}

void EnsureTemplate(const std::string& admin_dsn, const std::string& name) {
    ConnPtr admin = ConnectBlocking(admin_dsn);
    // Parallel test processes race to build the template; one builds, the rest wait on the lock.
    ExecBlocking(admin.get(), "SELECT pg_advisory_lock(727272)");
    try {
        if (!DatabaseExists(admin.get(), name)) {
            std::string building = name + "_building";
            ExecBlocking(admin.get(), "DROP DATABASE IF EXISTS " + building);
            ExecBlocking(admin.get(), "CREATE DATABASE " + building);
            {
                boost::asio::io_context io;
                db::Pool pool(io.get_executor(), db::PoolOptions{WithDatabase(admin_dsn, building)});
                RunSync(io, db::Migrate(pool, migrations::All()));
            }
            ExecBlocking(admin.get(), "ALTER DATABASE " + building + " RENAME TO " + name);
        }
    } catch (...) {
        ExecBlocking(admin.get(), "SELECT pg_advisory_unlock(727272)");
        throw;
    }
    ExecBlocking(admin.get(), "SELECT pg_advisory_unlock(727272)");
}

}  // namespace

std::optional<std::string> PgDsn() {
    const char* dsn = std::getenv("STRAVA1_TEST_PG_DSN");
    if (dsn == nullptr || *dsn == '\0') {
        return std::nullopt;
    }
    return std::string(dsn);
}

bool ServicesRequired() {
    const char* v = std::getenv("STRAVA1_REQUIRE_SERVICES");
    return v != nullptr && std::string(v) == "1";
}

std::string WithDatabase(const std::string& dsn, const std::string& database) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
    if (options == nullptr) {
        std::string message = error ? error : "unparseable";
        PQfreemem(error);
        throw std::runtime_error("bad DSN: " + message);
    }
    std::string out;
    for (PQconninfoOption* opt = options; opt->keyword != nullptr; ++opt) {
        std::string keyword = opt->keyword;
        std::string value = keyword == "dbname" ? database : (opt->val ? opt->val : "");
        if (value.empty()) {
            continue;
        }
        std::string quoted;
        for (char c : value) {
            if (c == '\'' || c == '\\') {
                quoted += '\\';
            }
            quoted += c;
        }
        out += keyword + "='" + quoted + "' ";
    }
    PQconninfoFree(options);
    if (out.find("dbname=") == std::string::npos) {
        out += "dbname='" + database + "'";
    }
    return out;
}

PgTestDatabase::PgTestDatabase(bool migrated) {
    auto dsn = PgDsn();
    if (!dsn) {
        throw std::runtime_error("STRAVA1_TEST_PG_DSN is not set");
    }
    admin_dsn_ = *dsn;
    static std::atomic<int> counter{0};
    name_ = "t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
            crypto::Hex(crypto::RandomBytes(3));
    ConnPtr admin = ConnectBlocking(admin_dsn_);
    if (migrated) {
        std::string tpl = TemplateName();
        EnsureTemplate(admin_dsn_, tpl);
        ExecBlocking(admin.get(), "CREATE DATABASE " + name_ + " TEMPLATE " + tpl);
    } else {
        ExecBlocking(admin.get(), "CREATE DATABASE " + name_);
    }
    conninfo_ = WithDatabase(admin_dsn_, name_);
}

PgTestDatabase::~PgTestDatabase() {
    try {
        ConnPtr admin = ConnectBlocking(admin_dsn_);
        ExecBlocking(admin.get(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
        // The throwaway server is deleted after the run anyway.
    }
}

}  // namespace strava1::testing
