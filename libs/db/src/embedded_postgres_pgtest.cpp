#include "strava1/db/embedded_postgres.hpp"

#include <boost/asio/io_context.hpp>
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "strava1/db/embedded_postgres_supervisor.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/testing/pg.hpp"

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

/// Polls `done` every 20 ms until it holds or `timeout` passes; returns whether it held.
template <class Condition>
bool WaitFor(Condition done, std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

EmbeddedPostgresSupervisor::Options FastSupervision() {
    EmbeddedPostgresSupervisor::Options options;
    options.check_interval = std::chrono::milliseconds(20);
    options.first_backoff = std::chrono::milliseconds(50);
    options.max_backoff = std::chrono::milliseconds(200);
    return options;
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

/// The pid holding a POSIX write lock on `file`, asked from another process (a process never
/// conflicts with its own locks); 0 when nobody holds one.
pid_t LockHolder(const fs::path& file) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) {
        return -1;
    }
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(pipe_fds[0]);
        pid_t holder = -1;
        const int fd = ::open(file.c_str(), O_RDONLY);
        struct flock lock {};
        lock.l_type = F_WRLCK;
        lock.l_whence = SEEK_SET;
        if (fd >= 0 && ::fcntl(fd, F_GETLK, &lock) == 0) {
            holder = lock.l_type == F_UNLCK ? 0 : lock.l_pid;
        }
        [[maybe_unused]] const ssize_t written = ::write(pipe_fds[1], &holder, sizeof holder);
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    pid_t holder = -1;
    [[maybe_unused]] const ssize_t n = ::read(pipe_fds[0], &holder, sizeof holder);
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    return holder;
}

TEST_F(EmbeddedPostgresTest, TheDataDirStaysLockedAcrossRestartsUntilStop) {
    EmbeddedPostgres pg(MakeOptions());
    pg.Start();
    const fs::path lock = root_ / "pg.lock";
    EXPECT_EQ(LockHolder(lock), ::getpid());

    // A restart attempt that fails (no PG_VERSION: no cluster), as while the supervisor retries.
    const pid_t killed = pg.Pid();
    fs::rename(root_ / "pg" / "PG_VERSION", root_ / "PG_VERSION.away");
    ASSERT_EQ(::kill(killed, SIGKILL), 0);
    ASSERT_TRUE(WaitUntilDead(killed, std::chrono::seconds(10)));
    EXPECT_THROW(pg.Start(), std::runtime_error);
    EXPECT_EQ(LockHolder(lock), ::getpid()) << "between attempts another strava1 could take the data dir";

    fs::rename(root_ / "PG_VERSION.away", root_ / "pg" / "PG_VERSION");
    pg.Start();
    EXPECT_TRUE(pg.Running());
    EXPECT_EQ(LockHolder(lock), ::getpid());
    pg.Stop();
    EXPECT_EQ(LockHolder(lock), 0) << "Stop() releases the data dir";
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

/// Options for a data dir whose path is too long for a unix socket in it (as a data dir nested
/// deep in a home directory can be): the socket falls back to a directory under /tmp.
EmbeddedPostgres::Options LongPathOptions(const fs::path& root, EmbeddedPostgres::Options options) {
    const fs::path deep = root / std::string(100, 'd');
    fs::create_directories(deep);
    ::chmod(deep.c_str(), 0755);  // as root the postgres user passes through
    options.data_dir = deep / "pg";
    options.socket_dir = deep / "run";
    options.log_file = root / "log" / "postgres.log";
    return options;
}

TEST_F(EmbeddedPostgresTest, AFallbackSocketDirOutlivesARestartSoTheConnInfoStays) {
    EmbeddedPostgres pg(LongPathOptions(root_, MakeOptions()));
    pg.Start();
    const std::string conninfo = pg.ConnInfo();
    const fs::path socket_dir = pg.EffectiveSocketDir();
    ASSERT_EQ(socket_dir.string().rfind("/tmp/strava1-pg-", 0), 0u) << socket_dir;

    const pid_t killed = pg.Pid();
    ASSERT_EQ(::kill(killed, SIGKILL), 0);
    ASSERT_TRUE(WaitUntilDead(killed, std::chrono::seconds(10)));
    pg.Start();
    EXPECT_EQ(pg.EffectiveSocketDir(), socket_dir);
    EXPECT_EQ(pg.ConnInfo(), conninfo) << "whoever connected before (the pool) must find the server again";
    EXPECT_EQ(QueryOne(conninfo, "SELECT 1"), "1");

    // Only if it vanished meanwhile (a /tmp cleaner) is another one made: the conninfo then changes.
    const pid_t killed_again = pg.Pid();
    ASSERT_EQ(::kill(killed_again, SIGKILL), 0);
    ASSERT_TRUE(WaitUntilDead(killed_again, std::chrono::seconds(10)));
    fs::remove_all(socket_dir.parent_path());
    pg.Start();
    EXPECT_NE(pg.EffectiveSocketDir(), socket_dir);
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT 1"), "1");
    const fs::path second = pg.EffectiveSocketDir();

    pg.Stop();
    EXPECT_FALSE(fs::exists(second.parent_path())) << "Stop() removes it";
}

TEST_F(EmbeddedPostgresTest, APoolReconnectsAfterTheSupervisorRestartedAPostmasterWithItsSocketUnderTmp) {
    EmbeddedPostgres pg(LongPathOptions(root_, MakeOptions()));
    pg.Start();
    boost::asio::io_context io(1);
    PoolOptions pool_options;
    pool_options.conninfo = pg.ConnInfo();
    Pool pool(io.get_executor(), pool_options);
    EXPECT_EQ(testing::RunSync(io, pool.Query("SELECT 41 + 1")).Int(0, 0), 42);

    // As serve.cpp wires it.
    EmbeddedPostgresSupervisor supervisor(pg, FastSupervision(), [&pool] { pool.Reconnect(); });
    supervisor.Start();
    ASSERT_EQ(::kill(pg.Pid(), SIGKILL), 0);
    ASSERT_TRUE(WaitFor([&] { return supervisor.Restarts() == 1; }, std::chrono::seconds(60)));
    std::string error;
    const bool answered = WaitFor(
        [&] {
            try {
                return testing::RunSync(io, pool.Query("SELECT 43 - 1")).Int(0, 0) == 42;
            } catch (const std::exception& e) {
                error = e.what();
                return false;
            }
        },
        std::chrono::seconds(10));
    EXPECT_TRUE(answered) << "the pool never reached the restarted server: " << error;
    supervisor.Stop();
}

/// Makes the cluster start as a standby that never gets WAL and lets nobody in (hot_standby off): a
/// postmaster that stays alive answering "not accepting connections yet", as in a long crash recovery.
void MakeItStartAsAStandby(const fs::path& data_dir) {
    std::ofstream(data_dir / "postgresql.conf", std::ios::app) << "\nhot_standby = off\n";
    WriteFile(data_dir / "standby.signal", "");
}

/// Ends that state the way `pg_ctl promote` does: the server finishes recovery and accepts connections.
void Promote(const fs::path& data_dir, pid_t postmaster) {
    WriteFile(data_dir / "promote", "");
    ::kill(postmaster, SIGUSR1);
}

/// The pid in the first line of postmaster.pid, once there is one.
pid_t PostmasterPidOf(const fs::path& data_dir) {
    std::ifstream in(data_dir / "postmaster.pid");
    long pid = 0;
    in >> pid;
    return static_cast<pid_t>(pid);
}

PGPing Ping(const EmbeddedPostgres::Options& options) {
    const std::string conninfo = "host=" + options.socket_dir.string() + " port=5432 dbname=postgres user=strava1";
    return PQping(conninfo.c_str());
}

TEST_F(EmbeddedPostgresTest, AStartingPostmasterIsWaitedForBeyondTheStartTimeoutAndNotKilled) {
    EmbeddedPostgres::Options options = MakeOptions();
    {
        EmbeddedPostgres pg(options);
        pg.Start();
    }
    MakeItStartAsAStandby(root_ / "pg");
    options.start_timeout = std::chrono::seconds(1);
    const auto patience = 3 * options.start_timeout;

    // Watches the start from outside: the postmaster must stay the same process well past the start
    // timeout while it says it is starting; then it is promoted so the start can finish.
    std::atomic<pid_t> watched{0};
    std::string watch_failure;
    std::thread watcher([&] {
        if (!WaitFor([&] { return Ping(options) == PQPING_REJECT; }, std::chrono::seconds(60))) {
            watch_failure = "the postmaster never answered as a starting server";
            return;
        }
        const pid_t pid = PostmasterPidOf(root_ / "pg");
        watched = pid;
        const auto deadline = Clock::now() + patience;
        if (WaitFor([&] { return !Alive(pid) || Clock::now() >= deadline; }, std::chrono::seconds(60)) && !Alive(pid)) {
            watch_failure = "the starting postmaster was killed after the start timeout";
            return;
        }
        Promote(root_ / "pg", pid);
    });
    EmbeddedPostgres pg(options);
    int accepting_calls = 0;
    bool recovering_when_accepting = false;
    try {
        // The watcher is told it accepts while the recovery still shows: no moment shows neither.
        pg.Start([&] {
            ++accepting_calls;
            recovering_when_accepting = pg.Recovering();
        });
    } catch (const std::exception& e) {
        ADD_FAILURE() << "Start() gave up on a starting postmaster: " << e.what();
    }
    watcher.join();
    EXPECT_EQ(accepting_calls, 1);
    EXPECT_TRUE(recovering_when_accepting);
    EXPECT_FALSE(pg.Recovering());
    EXPECT_EQ(watch_failure, "");
    EXPECT_EQ(pg.Pid(), watched.load()) << "the postmaster that was starting is the one running";
    if (pg.Running()) {
        EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT pg_is_in_recovery()"), "f");
    }
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

TEST_F(EmbeddedPostgresTest, ForDataDirPutsARootClusterWhereThePostgresUserCanReachIt) {
    const fs::path data_dir = root_ / "home of root" / "var";
    fs::create_directories(data_dir);
    if (::geteuid() != 0) {
        const EmbeddedPostgres::Options options = EmbeddedPostgres::ForDataDir(data_dir, root_ / "unused");
        EXPECT_EQ(options.data_dir, data_dir / "pg") << "a normal user keeps the cluster in the data dir";
        EXPECT_EQ(options.socket_dir, data_dir / "run");
        EXPECT_FALSE(fs::exists(data_dir / "pg.cluster"));
        return;
    }
    // Like /root or a mktemp -d folder: the postgres user cannot pass through.
    ASSERT_EQ(::chmod(root_.c_str(), 0700), 0);
    std::string pattern = "/tmp/strava1-pgtest-clusters-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    const fs::path clusters_parent = pattern;
    ASSERT_EQ(::chmod(clusters_parent.c_str(), 0755), 0);
    struct Cleanup {
        fs::path dir;
        ~Cleanup() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } cleanup{clusters_parent};

    EmbeddedPostgres::Options options = EmbeddedPostgres::ForDataDir(data_dir, clusters_parent / "strava1");
    const fs::path folder = options.data_dir.parent_path();
    EXPECT_EQ(folder.parent_path(), clusters_parent / "strava1");
    EXPECT_EQ(options.socket_dir, folder / "run");
    EXPECT_EQ(options.log_file, data_dir / "log" / "postgres.log");
    std::ifstream record(data_dir / "pg.cluster");
    std::string recorded;
    std::getline(record, recorded);
    EXPECT_EQ(recorded, folder.string());
    std::ifstream back(folder / "data-dir");
    std::string pointed;
    std::getline(back, pointed);
    EXPECT_EQ(pointed, data_dir.string());

    options.start_timeout = std::chrono::seconds(60);
    EmbeddedPostgres pg(options);
    pg.Start();
    EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT 1"), "1");
    struct stat st {};
    ASSERT_EQ(::stat(root_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << "nothing outside the data dir was opened up";
    // Root keeps the clusters root and the folder, so the postgres user can replace none of their
    // entries; it gets only the cluster and the socket directory.
    const passwd* postgres = ::getpwnam("postgres");
    ASSERT_NE(postgres, nullptr);
    for (const fs::path& dir : {clusters_parent / "strava1", folder}) {
        ASSERT_EQ(::lstat(dir.c_str(), &st), 0);
        EXPECT_EQ(st.st_uid, 0u) << dir;
        EXPECT_EQ(st.st_mode & 07777, 0711u) << dir;
    }
    for (const fs::path& dir : {folder / "pg", folder / "run"}) {
        ASSERT_EQ(::lstat(dir.c_str(), &st), 0);
        EXPECT_EQ(st.st_uid, postgres->pw_uid) << dir;
        EXPECT_EQ(st.st_mode & 07777, 0700u) << dir;
    }
    for (const fs::path& file : {folder / "pg.lock", folder / "data-dir"}) {
        ASSERT_EQ(::lstat(file.c_str(), &st), 0);
        EXPECT_TRUE(S_ISREG(st.st_mode)) << file;
        EXPECT_EQ(st.st_uid, 0u) << file;
    }
    pg.Stop();

    const EmbeddedPostgres::Options again = EmbeddedPostgres::ForDataDir(data_dir, clusters_parent / "elsewhere");
    EXPECT_EQ(again.data_dir, options.data_dir) << "the record decides, not the clusters root";
}

TEST_F(EmbeddedPostgresTest, ForDataDirRefusesARecordOfAFolderThatIsGone) {
    const fs::path data_dir = root_ / "var";
    fs::create_directories(data_dir);
    WriteFile(data_dir / "pg.cluster", (root_ / "gone").string() + "\n");
    try {
        EmbeddedPostgres::ForDataDir(data_dir, root_ / "clusters");
        ADD_FAILURE() << "a record naming a missing folder must stop the start";
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
        EXPECT_NE(message.find("pg.cluster"), std::string::npos) << message;
    }
    EXPECT_FALSE(fs::exists(root_ / "gone")) << "no empty database in its place";
}

/// Runs `action` in a child process as the postgres system user (what anyone who controls that user
/// can do) and returns the errno it ended with, 0 when every step succeeded.
template <class Action>
int AsPostgresUser(Action action) {
    const passwd* postgres = ::getpwnam("postgres");
    if (postgres == nullptr) {
        return -1;
    }
    const uid_t uid = postgres->pw_uid;
    const gid_t gid = postgres->pw_gid;
    const pid_t child = ::fork();
    if (child == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
            ::_exit(250);
        }
        ::_exit(action());
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 251;
}

/// A directory outside the cluster folder, with the owner and modes root gave it.
struct Victim {
    fs::path dir;
    explicit Victim(fs::path where) : dir(std::move(where)) {
        fs::create_directories(dir);
        ::chmod(dir.c_str(), 0755);
        WriteFile(dir / "precious", "root's\n");
        ::chmod((dir / "precious").c_str(), 0644);
    }
    void ExpectUntouched() const {
        struct stat st {};
        ASSERT_EQ(::lstat(dir.c_str(), &st), 0);
        EXPECT_EQ(st.st_uid, 0u) << dir << " was given away";
        EXPECT_EQ(st.st_gid, 0u) << dir;
        EXPECT_EQ(st.st_mode & 07777, 0755u) << dir << " had its mode changed";
        ASSERT_EQ(::lstat((dir / "precious").c_str(), &st), 0);
        EXPECT_EQ(st.st_uid, 0u);
        EXPECT_EQ(st.st_mode & 07777, 0644u);
        EXPECT_FALSE(fs::exists(dir / "created-by-root")) << "root created a file through a planted link";
        std::size_t entries = 0;
        for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) {
            ++entries;
        }
        EXPECT_EQ(entries, 1u) << "nothing was created in " << dir;
    }
};

class RootClusterFolderTest : public EmbeddedPostgresTest {
protected:
    void SetUp() override {
        EmbeddedPostgresTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        if (::geteuid() != 0) {
            GTEST_SKIP() << "only root switches to the postgres user";
        }
        std::string pattern = "/tmp/strava1-pgtest-clusters-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        clusters_parent_ = pattern;
        ASSERT_EQ(::chmod(clusters_parent_.c_str(), 0755), 0);
        data_dir_ = root_ / "var";
        fs::create_directories(data_dir_);
        options_ = EmbeddedPostgres::ForDataDir(data_dir_, clusters_parent_ / "strava1");
        options_.start_timeout = std::chrono::seconds(60);
        folder_ = options_.data_dir.parent_path();
    }
    void TearDown() override {
        if (!clusters_parent_.empty()) {
            std::error_code ec;
            fs::remove_all(clusters_parent_, ec);
        }
        EmbeddedPostgresTest::TearDown();
    }

    fs::path clusters_parent_;
    fs::path data_dir_;
    fs::path folder_;
    EmbeddedPostgres::Options options_;
};

TEST_F(RootClusterFolderTest, ThePostgresUserCannotRedirectARestartOutOfTheFolder) {
    const Victim victim(clusters_parent_ / "victim");
    EmbeddedPostgres pg(options_);
    pg.Start();
    QueryOne(pg.ConnInfo(), "CREATE TABLE kept (id int); INSERT INTO kept VALUES (3)");

    // The attack: swap run/ and pg.lock for links out of the folder, then get the postmaster restarted.
    const std::string run = (folder_ / "run").string();
    const std::string run_away = (folder_ / "run.away").string();
    const std::string lock = (folder_ / "pg.lock").string();
    const std::string lock_away = (folder_ / "pg.lock.away").string();
    const std::string target_dir = victim.dir.string();
    const std::string target_file = (victim.dir / "created-by-root").string();
    const int err = AsPostgresUser([&] {
        if (::rename(run.c_str(), run_away.c_str()) != 0 || ::symlink(target_dir.c_str(), run.c_str()) != 0 ||
            ::rename(lock.c_str(), lock_away.c_str()) != 0 || ::symlink(target_file.c_str(), lock.c_str()) != 0) {
            return errno;
        }
        return 0;
    });
    EXPECT_EQ(err, EACCES) << "the postgres user must not be able to replace entries of the cluster folder";

    const pid_t killed = pg.Pid();
    ASSERT_EQ(::kill(killed, SIGKILL), 0);
    ASSERT_TRUE(WaitUntilDead(killed, std::chrono::seconds(10)));
    try {
        pg.Start();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "restart failed: " << e.what();
    }
    victim.ExpectUntouched();
    if (pg.Running()) {
        EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT id FROM kept"), "3");
    }
}

TEST_F(RootClusterFolderTest, AFolderAnEarlierVersionGaveToThePostgresUserIsTakenBackWithoutFollowingItsLinks) {
    const Victim victim(clusters_parent_ / "victim");
    const Victim victim_of_staging(clusters_parent_ / "victim-of-staging");
    {
        EmbeddedPostgres pg(options_);
        pg.Start();
        QueryOne(pg.ConnInfo(), "CREATE TABLE kept (id int); INSERT INTO kept VALUES (4)");
    }
    // The layout of the earlier version: the clusters root and the folder belonged to postgres, 0700.
    const passwd* postgres = ::getpwnam("postgres");
    ASSERT_NE(postgres, nullptr);
    for (const fs::path& dir : {clusters_parent_ / "strava1", folder_}) {
        ASSERT_EQ(::chown(dir.c_str(), postgres->pw_uid, postgres->pw_gid), 0);
        ASSERT_EQ(::chmod(dir.c_str(), 0700), 0);
    }
    // What the postgres user could plant in it then: links out of the folder in place of run/ and
    // pg.lock, and a staging directory whose subdirectory is a link out.
    const std::string run = (folder_ / "run").string();
    const std::string run_away = (folder_ / "run.away").string();
    const std::string lock = (folder_ / "pg.lock").string();
    const std::string staging = (folder_ / "pg.initdb").string();
    const std::string staging_link = (folder_ / "pg.initdb" / "base").string();
    const std::string target_dir = victim.dir.string();
    const std::string target_file = (victim.dir / "created-by-root").string();
    const std::string staging_target = victim_of_staging.dir.string();
    ASSERT_EQ(AsPostgresUser([&] {
                  if (::rename(run.c_str(), run_away.c_str()) != 0 || ::symlink(target_dir.c_str(), run.c_str()) != 0 ||
                      ::unlink(lock.c_str()) != 0 || ::symlink(target_file.c_str(), lock.c_str()) != 0 ||
                      ::mkdir(staging.c_str(), 0700) != 0 ||
                      ::symlink(staging_target.c_str(), staging_link.c_str()) != 0) {
                      return errno;
                  }
                  return 0;
              }),
              0);

    const EmbeddedPostgres::Options again = EmbeddedPostgres::ForDataDir(data_dir_, clusters_parent_ / "strava1");
    EXPECT_EQ(again.data_dir, options_.data_dir);
    EmbeddedPostgres pg(again);
    try {
        pg.Start();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "start failed: " << e.what();
    }
    victim.ExpectUntouched();
    victim_of_staging.ExpectUntouched();
    struct stat st {};
    for (const fs::path& dir : {clusters_parent_ / "strava1", folder_}) {
        ASSERT_EQ(::lstat(dir.c_str(), &st), 0);
        EXPECT_EQ(st.st_uid, 0u) << dir << " is root's again";
        EXPECT_EQ(st.st_mode & 07777, 0711u) << dir;
    }
    ASSERT_EQ(::lstat(run.c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode)) << "the link was replaced by a directory";
    EXPECT_EQ(st.st_uid, postgres->pw_uid);
    ASSERT_EQ(::lstat(lock.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode)) << "the lock file is root's own again";
    EXPECT_EQ(st.st_uid, 0u);
    if (pg.Running()) {
        EXPECT_EQ(QueryOne(pg.ConnInfo(), "SELECT id FROM kept"), "4");
    }
}

TEST_F(EmbeddedPostgresTest, SupervisorRestartsAKilledPostmaster) {
    EmbeddedPostgres pg(MakeOptions());
    pg.Start();
    QueryOne(pg.ConnInfo(), "CREATE TABLE committed (id int); INSERT INTO committed VALUES (5)");
    const pid_t killed = pg.Pid();
    const std::string conninfo = pg.ConnInfo();
    std::atomic<int> restarted{0};
    EmbeddedPostgresSupervisor supervisor(pg, FastSupervision(), [&restarted] { ++restarted; });
    supervisor.Start();
    EXPECT_EQ(supervisor.UnreachableFor(), Clock::duration::zero());

    ASSERT_EQ(::kill(killed, SIGKILL), 0);
    ASSERT_TRUE(WaitFor([&] { return supervisor.Restarts() == 1; }, std::chrono::seconds(60)));
    EXPECT_EQ(restarted.load(), 1) << "the pool is told once the database is back";
    EXPECT_EQ(supervisor.UnreachableFor(), Clock::duration::zero());
    EXPECT_EQ(QueryOne(conninfo, "SELECT id FROM committed"), "5") << "crash recovery kept the committed row";
    EXPECT_FALSE(Alive(killed));

    supervisor.Stop();
    EXPECT_FALSE(fs::exists(root_ / "pg" / "postmaster.pid")) << "Stop() shut PostgreSQL down";
}

TEST_F(EmbeddedPostgresTest, SupervisorCountsTheOutageWhileTheClusterCannotStart) {
    EmbeddedPostgres pg(MakeOptions());
    pg.Start();
    const pid_t killed = pg.Pid();
    const std::string conninfo = pg.ConnInfo();
    EmbeddedPostgresSupervisor supervisor(pg, FastSupervision(), nullptr);
    supervisor.Start();

    // Without PG_VERSION the directory is no cluster: every restart attempt fails.
    fs::rename(root_ / "pg" / "PG_VERSION", root_ / "PG_VERSION.away");
    ASSERT_EQ(::kill(killed, SIGKILL), 0);
    ASSERT_TRUE(
        WaitFor([&] { return supervisor.UnreachableFor() > std::chrono::seconds(1); }, std::chrono::seconds(30)));
    EXPECT_EQ(supervisor.Restarts(), 0u);

    fs::rename(root_ / "PG_VERSION.away", root_ / "pg" / "PG_VERSION");
    ASSERT_TRUE(WaitFor([&] { return supervisor.Restarts() == 1; }, std::chrono::seconds(60)));
    EXPECT_EQ(supervisor.UnreachableFor(), Clock::duration::zero());
    EXPECT_EQ(QueryOne(conninfo, "SELECT 1"), "1");
}

TEST_F(EmbeddedPostgresTest, TheSupervisorLetsARecoveringPostmasterFinishAndSaysItIsRecovering) {
    EmbeddedPostgres::Options options = MakeOptions();
    options.start_timeout = std::chrono::seconds(1);
    EmbeddedPostgres pg(options);
    pg.Start();
    EmbeddedPostgresSupervisor supervisor(pg, FastSupervision(), nullptr);
    supervisor.Start();
    EXPECT_FALSE(supervisor.Recovering());

    // The restart after this kill stays "starting" until promoted, like a long crash recovery.
    MakeItStartAsAStandby(root_ / "pg");
    const pid_t killed = pg.Pid();
    ASSERT_EQ(::kill(killed, SIGKILL), 0);
    ASSERT_TRUE(WaitFor([&] { return supervisor.Recovering(); }, std::chrono::seconds(60)));
    const pid_t recovering = PostmasterPidOf(root_ / "pg");
    ASSERT_NE(recovering, killed);
    const auto deadline = Clock::now() + 3 * options.start_timeout;
    ASSERT_TRUE(WaitFor([&] { return !Alive(recovering) || Clock::now() >= deadline; }, std::chrono::seconds(60)));
    EXPECT_TRUE(Alive(recovering)) << "a postmaster in recovery must not be killed at the start timeout";
    EXPECT_TRUE(supervisor.Recovering());
    EXPECT_GE(supervisor.UnreachableFor(), 3 * options.start_timeout) << "it is still unreachable all the same";
    EXPECT_EQ(supervisor.Restarts(), 0u);

    Promote(root_ / "pg", recovering);
    ASSERT_TRUE(WaitFor([&] { return supervisor.Restarts() == 1; }, std::chrono::seconds(60)));
    EXPECT_FALSE(supervisor.Recovering());
    EXPECT_EQ(supervisor.UnreachableFor(), Clock::duration::zero());
    EXPECT_EQ(pg.Pid(), recovering) << "the one that was recovering is the one running";
}

TEST_F(EmbeddedPostgresTest, StoppingTheSupervisorEndsARestartThatWaitsForRecovery) {
    EmbeddedPostgres pg(MakeOptions());
    pg.Start();
    EmbeddedPostgresSupervisor supervisor(pg, FastSupervision(), nullptr);
    supervisor.Start();
    MakeItStartAsAStandby(root_ / "pg");
    ASSERT_EQ(::kill(pg.Pid(), SIGKILL), 0);
    ASSERT_TRUE(WaitFor([&] { return supervisor.Recovering(); }, std::chrono::seconds(60)));
    const pid_t recovering = PostmasterPidOf(root_ / "pg");

    const auto asked = Clock::now();
    supervisor.Stop();  // must not wait for a recovery that never ends
    EXPECT_LT(Clock::now() - asked, std::chrono::seconds(30));
    EXPECT_TRUE(WaitUntilDead(recovering, std::chrono::seconds(10))) << "and the postmaster is stopped";
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
