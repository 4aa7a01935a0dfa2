#include "strava1/db/embedded_postgres.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

// These tests need the PostgreSQL server binaries (postgres, initdb), not a running server or a DSN.
// Each test gets its own cluster in a fresh directory under /tmp.

namespace strava1::db {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// Runs one statement and returns the first column of the first row; throws with the server's message.
std::string QueryOne(const std::string& conninfo, const std::string& sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        throw std::runtime_error("connect: " + std::string(PQerrorMessage(conn.get())));
    }
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
    const ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_COMMAND_OK) {
        return {};
    }
    if (status != PGRES_TUPLES_OK) {
        throw std::runtime_error(sql + ": " + PQerrorMessage(conn.get()));
    }
    if (PQntuples(result.get()) == 0) {
        return "<no rows>";
    }
    return PQgetvalue(result.get(), 0, 0);
}

/// Alive and not a zombie (the pid of a dead child stays reserved until it is reaped).
bool Alive(pid_t pid) {
    if (::kill(pid, 0) != 0) {
        return false;
    }
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const std::size_t close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

bool WaitUntilDead(pid_t pid, std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Alive(pid)) {
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

/// A pid that certainly belongs to no process right now: a child that has exited and been reaped.
pid_t DeadPid() {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

void WriteFile(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::trunc);
    out << text;
}

class EmbeddedPostgresTest : public ::testing::Test {
protected:
    void SetUp() override {
        try {
            bin_dir_ = EmbeddedPostgres::FindBinDir();
        } catch (const std::exception& e) {
            const char* require = std::getenv("STRAVA1_REQUIRE_SERVICES");
            if (require != nullptr && std::string(require) == "1") {
                FAIL() << e.what();
            }
            GTEST_SKIP() << "SKIPPED LOUDLY: " << e.what();
        }
        std::string pattern = "/tmp/strava1-pgtest-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
        // As root, postgres runs as the `postgres` user, which must be able to traverse to the cluster.
        if (::geteuid() == 0) {
            ASSERT_EQ(::chmod(root_.c_str(), 0755), 0);
        }
    }

    void TearDown() override {
        if (!root_.empty()) {
            std::error_code ec;
            fs::remove_all(root_, ec);
        }
    }

    EmbeddedPostgres::Options MakeOptions() const {
        EmbeddedPostgres::Options options;
        options.data_dir = root_ / "pg";
        options.socket_dir = root_ / "run";
        options.start_timeout = std::chrono::seconds(60);
        return options;
    }

    fs::path bin_dir_;
    fs::path root_;
};

TEST_F(EmbeddedPostgresTest, FirstStartCreatesTheClusterAndAcceptsQueries) {
    EmbeddedPostgres pg(MakeOptions());
    EXPECT_FALSE(pg.Running());
    pg.Start();

    EXPECT_TRUE(pg.Running());
    EXPECT_TRUE(pg.CreatedCluster());
    EXPECT_TRUE(fs::exists(root_ / "pg" / "PG_VERSION"));
    EXPECT_TRUE(fs::exists(root_ / "log" / "postgres.log"));
    EXPECT_EQ(pg.ConnInfo(), "host=" + (root_ / "run").string() + " port=5432 dbname=strava1 user=strava1");

    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT 1"), "1");
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT current_database()"), "strava1");
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SHOW fsync"), "on");
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SHOW synchronous_commit"), "on");
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SHOW full_page_writes"), "on");
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SHOW listen_addresses"), "");
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SHOW server_encoding"), "UTF8");

    struct stat st {};
    ASSERT_EQ(::stat((root_ / "run").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);

    const pid_t pid = pg.Pid();
    pg.Stop();
    EXPECT_FALSE(pg.Running());
    EXPECT_FALSE(Alive(pid));
    EXPECT_FALSE(fs::exists(root_ / "pg" / "postmaster.pid"));
    pg.Stop();  // idempotent
}

TEST_F(EmbeddedPostgresTest, RestartReusesTheCluster) {
    std::string system_id;
    {
        EmbeddedPostgres pg(MakeOptions());
        pg.Start();
        QueryOne(pg.ConnInfo(), "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)");
        system_id = QueryOne(pg.ConnInfo(), "SELECT system_identifier FROM pg_control_system()");
    }  // the destructor stops it

    EmbeddedPostgres pg(MakeOptions());
    pg.Start();
    EXPECT_FALSE(pg.CreatedCluster()) << "the second start must not run initdb again";
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT system_identifier FROM pg_control_system()"), system_id);
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT id FROM kept"), "42");
}

TEST_F(EmbeddedPostgresTest, StaleLockFilesWithADeadPidAreRemoved) {
    {
        EmbeddedPostgres pg(MakeOptions());
        pg.Start();
    }
    const pid_t dead = DeadPid();
    const std::string lock = std::to_string(dead) + "\n" + (root_ / "pg").string() + "\n1700000000\n5432\n" +
                             (root_ / "run").string() + "\n\n  5432001         0\nready   \n";
    WriteFile(root_ / "pg" / "postmaster.pid", lock);
    WriteFile(root_ / "run" / ".s.PGSQL.5432.lock", lock);

    EmbeddedPostgres pg(MakeOptions());
    pg.Start();
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT 1"), "1");
    EXPECT_NE(pg.Pid(), dead);
}

TEST_F(EmbeddedPostgresTest, StaleLockFileNamingAnUnrelatedLiveProcessIsRemoved) {
    {
        EmbeddedPostgres pg(MakeOptions());
        pg.Start();
    }
    // This test process is alive but is no postgres: a recycled pid.
    WriteFile(root_ / "pg" / "postmaster.pid", std::to_string(::getpid()) + "\n" + (root_ / "pg").string() + "\n");

    EmbeddedPostgres pg(MakeOptions());
    pg.Start();
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT 1"), "1");
    EXPECT_TRUE(Alive(::getpid()));
}

TEST_F(EmbeddedPostgresTest, PostmasterLeftRunningByACrashedServerIsReplaced) {
    // The first instance plays a server that died without stopping its postmaster: it is simply
    // never asked to stop until the end of the test.
    EmbeddedPostgres crashed(MakeOptions());
    crashed.Start();
    QueryOne(crashed.ConnInfo(), "CREATE TABLE before_crash (id int); INSERT INTO before_crash VALUES (7)");
    const pid_t orphan = crashed.Pid();

    EmbeddedPostgres pg(MakeOptions());
    pg.Start();
    EXPECT_NE(pg.Pid(), orphan);
    EXPECT_FALSE(Alive(orphan)) << "the leftover postmaster must have been stopped";
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT id FROM before_crash"), "7");
    EXPECT_TRUE(pg.Running());
}

TEST_F(EmbeddedPostgresTest, KilledPostmasterIsRestartedWithCrashRecovery) {
    EmbeddedPostgres pg(MakeOptions());
    pg.Start();
    QueryOne(pg.ConnInfo(), "CREATE TABLE committed (id int); INSERT INTO committed VALUES (1)");
    // A session open across the crash: its backend is orphaned when the postmaster dies.
    std::unique_ptr<PGconn, decltype(&PQfinish)> session(PQconnectdb(pg.ConnInfo().c_str()), &PQfinish);
    ASSERT_EQ(PQstatus(session.get()), CONNECTION_OK);

    const pid_t killed = pg.Pid();
    ASSERT_EQ(::kill(killed, SIGKILL), 0);
    ASSERT_TRUE(WaitUntilDead(killed, std::chrono::seconds(10)));
    EXPECT_FALSE(pg.Running());

    pg.Start();
    EXPECT_TRUE(pg.Running());
    EXPECT_NE(pg.Pid(), killed);
    EXPECT_FALSE(pg.CreatedCluster());
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT id FROM committed"), "1");
}

TEST_F(EmbeddedPostgresTest, KilledServerDoesNotLeaveThePostmasterRunning) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const EmbeddedPostgres::Options options = MakeOptions();
    const pid_t server = ::fork();
    ASSERT_GE(server, 0);
    if (server == 0) {
        // The "server": starts the database, reports the postmaster's pid, waits to be killed.
        ::close(pipe_fds[0]);
        pid_t postmaster = -1;
        try {
            auto* pg = new EmbeddedPostgres(options);  // never destroyed: the process is SIGKILLed
            pg->Start();
            postmaster = pg->Pid();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child: %s\n", e.what());
        }
        [[maybe_unused]] const ssize_t written = ::write(pipe_fds[1], &postmaster, sizeof postmaster);
        while (true) {
            ::pause();
        }
    }
    ::close(pipe_fds[1]);
    pid_t postmaster = -1;
    ASSERT_EQ(::read(pipe_fds[0], &postmaster, sizeof postmaster), static_cast<ssize_t>(sizeof postmaster));
    ::close(pipe_fds[0]);
    ASSERT_GT(postmaster, 0);
    EXPECT_TRUE(Alive(postmaster));

    ::kill(server, SIGKILL);
    int status = 0;
    ::waitpid(server, &status, 0);
    EXPECT_TRUE(WaitUntilDead(postmaster, std::chrono::seconds(30)))
        << "the postmaster must shut down when the server dies";

    EmbeddedPostgres pg(MakeOptions());
    pg.Start();
    EXPECT_FALSE(pg.CreatedCluster());
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT 1"), "1");
}

TEST_F(EmbeddedPostgresTest, SecondLiveOwnerOfTheDataDirIsRefused) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const fs::path lock_path = root_ / "pg.lock";
    const pid_t other = ::fork();
    ASSERT_GE(other, 0);
    if (other == 0) {
        // Another strava1 process holding the data dir.
        const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0600);
        struct flock lock {};
        lock.l_type = F_WRLCK;
        lock.l_whence = SEEK_SET;
        const char ok = (fd >= 0 && ::fcntl(fd, F_SETLK, &lock) == 0) ? 1 : 0;
        [[maybe_unused]] const ssize_t written = ::write(pipe_fds[1], &ok, 1);
        while (true) {
            ::pause();
        }
    }
    ::close(pipe_fds[1]);
    char ok = 0;
    ASSERT_EQ(::read(pipe_fds[0], &ok, 1), 1);
    ::close(pipe_fds[0]);
    ASSERT_EQ(ok, 1);

    EmbeddedPostgres pg(MakeOptions());
    try {
        pg.Start();
        ADD_FAILURE() << "Start() must refuse a data dir another process owns";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("in use by another running strava1 (pid " + std::to_string(other)),
                  std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(pg.Running());
    ::kill(other, SIGKILL);
    int status = 0;
    ::waitpid(other, &status, 0);
}

TEST_F(EmbeddedPostgresTest, OverlongSocketDirFallsBackToAPrivateTmpDir) {
    EmbeddedPostgres::Options options = MakeOptions();
    options.socket_dir = root_ / std::string(110, 's');
    EmbeddedPostgres pg(options);
    pg.Start();

    const fs::path socket_dir = pg.EffectiveSocketDir();
    EXPECT_EQ(socket_dir.string().rfind("/tmp/strava1-pg-", 0), 0u) << socket_dir;
    EXPECT_NE(pg.ConnInfo().find("host=" + socket_dir.string() + " "), std::string::npos) << pg.ConnInfo();
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT 1"), "1");

    pg.Stop();
    EXPECT_FALSE(fs::exists(socket_dir)) << "the fallback directory is removed on stop";
}

TEST_F(EmbeddedPostgresTest, DirectoryThatIsNoClusterIsLeftAlone) {
    fs::create_directories(root_ / "pg");
    WriteFile(root_ / "pg" / "precious.txt", "user data");
    EmbeddedPostgres pg(MakeOptions());
    try {
        pg.Start();
        ADD_FAILURE() << "Start() must refuse a non-empty directory that is not a cluster";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("is not a PostgreSQL cluster"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(fs::exists(root_ / "pg" / "precious.txt"));
    EXPECT_FALSE(pg.Running());
}

TEST_F(EmbeddedPostgresTest, AsRootAnUnreachableDataDirIsNamed) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "only root switches to the postgres user";
    }
    ASSERT_EQ(::chmod(root_.c_str(), 0700), 0);  // the postgres user cannot traverse it
    EmbeddedPostgres pg(MakeOptions());
    try {
        pg.Start();
        ADD_FAILURE() << "Start() must fail when the postgres user cannot reach the data dir";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("as user postgres"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(pg.Running());
}

TEST_F(EmbeddedPostgresTest, MissingBinDirGivesAClearError) {
    EmbeddedPostgres::Options options = MakeOptions();
    options.bin_dir = root_ / "no-such-bin";
    EmbeddedPostgres pg(options);
    try {
        pg.Start();
        ADD_FAILURE() << "Start() must fail without server binaries";
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("postgresql-15"), std::string::npos) << message;
        EXPECT_NE(message.find((root_ / "no-such-bin").string()), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
    }
    EXPECT_FALSE(pg.Running());
    EXPECT_FALSE(fs::exists(root_ / "pg"));

    fs::create_directories(root_ / "versions");
    try {
        EmbeddedPostgres::FindBinDir((root_ / "no-pg_config").string(), root_ / "versions");
        ADD_FAILURE() << "FindBinDir() must fail without server binaries";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("install the Debian package postgresql-15"), std::string::npos)
            << e.what();
    }
}

TEST_F(EmbeddedPostgresTest, FindBinDirTakesTheNewestCompleteVersion) {
    auto make_tool = [](const fs::path& file) {
        fs::create_directories(file.parent_path());
        WriteFile(file, "#!/bin/sh\nexit 0\n");
        fs::permissions(file, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    };
    const fs::path versions = root_ / "versions";
    make_tool(versions / "9.6" / "bin" / "postgres");
    make_tool(versions / "9.6" / "bin" / "initdb");
    make_tool(versions / "15" / "bin" / "postgres");
    make_tool(versions / "15" / "bin" / "initdb");
    make_tool(versions / "16" / "bin" / "postgres");  // incomplete: no initdb
    fs::create_directories(versions / "common" / "bin");

    EXPECT_EQ(EmbeddedPostgres::FindBinDir((root_ / "no-pg_config").string(), versions), versions / "15" / "bin");
    EXPECT_TRUE(fs::exists(bin_dir_ / "postgres"));
    EXPECT_TRUE(fs::exists(bin_dir_ / "initdb"));
}

}  // namespace
}  // namespace strava1::db
