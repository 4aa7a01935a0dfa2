#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace strava1::db {

/// A private PostgreSQL cluster that `strava1 serve` owns: created under the data dir on first
/// start, reachable only through a unix socket in a 0700 directory (no TCP listener at all), started
/// as a child process and stopped with the server.
///
/// Leftovers from a crash are never fatal: a stale `postmaster.pid` or socket lock is removed, and a
/// postmaster still running on the same data dir (an orphan of a killed server) is shut down and
/// replaced (once any server processes of a killed postmaster are gone); PostgreSQL's own crash
/// recovery does the rest. Two live processes on one data dir are refused with a clear error (an
/// advisory lock on `<data_dir>.lock`).
///
/// When the process runs as root, initdb and postgres run as the `postgres` system user (PostgreSQL
/// refuses to run as root); the data and socket directories are given to that user, and must be
/// reachable by it (ForDataDir() picks such a place). Their parent (which also holds the lock file)
/// must then belong to root and be writable by no one else, and root follows no link there: the
/// postgres user can redirect nothing root does (ADR 0003, "Ownership as root").
///
/// Not thread-safe: call Start/Stop from one thread. Start() blocks (it runs initdb and waits for the
/// server), so call it before the I/O threads start. The postmaster is told to shut down when the
/// thread that called Start() exits (PR_SET_PDEATHSIG), so that thread must live as long as the
/// server; in practice it is the main thread.
class EmbeddedPostgres {
public:
    struct Options {
        std::filesystem::path data_dir;    ///< the cluster, e.g. var/pg; created on first start
        std::filesystem::path socket_dir;  ///< unix socket directory, e.g. var/run; made 0700
        std::string database = "strava1";  ///< created on start when missing
        std::string user = "strava1";      ///< cluster superuser (trust on the private socket)
        /// How long a started postmaster may give no answer at all. One that answers it is starting or
        /// recovering is waited for as long as it lives (ADR 0003, "Waiting for a start").
        std::chrono::seconds start_timeout{30};
        int port = 5432;                 ///< only names the socket file `.s.PGSQL.<port>`
        std::filesystem::path bin_dir;   ///< empty: FindBinDir()
        std::filesystem::path log_file;  ///< empty: `<data_dir>/../log/postgres.log`
    };

    /// Where the cluster of a strava1 data dir lives (ADR 0003), creating what that needs. Blocking.
    /// - As a normal user: `<data_dir>/pg`, socket in `<data_dir>/run`.
    /// - As root: postgres runs as the `postgres` user, which may not be able to reach the data dir (in
    ///   /root, or any 0700 folder), and strava1 changes no permissions outside its data dir. So the
    ///   cluster gets its own folder `<clusters_root>/<random id>/` holding `pg/` and `run/` for that
    ///   user; the clusters root and the folder belong to root (0711, taken back from the postgres user
    ///   where an earlier version had given them to it), and `<data_dir>/pg.cluster` records which
    ///   (the folder's `data-dir` file points back).
    ///   A cluster already at `<data_dir>/pg` (an earlier version, a non-root run) stays there; the
    ///   data dir is then made 0711 so the postgres user can pass through, as those versions did.
    /// - With `<data_dir>/pg.cluster` present, that folder, whoever runs (it must still exist).
    /// The log is `<data_dir>/log/postgres.log` in every case. `clusters_root` empty: `strava1/` in the
    /// postgres user's home directory (`/var/lib/postgresql/strava1` on Debian).
    /// Throws std::runtime_error with a one-line message naming the problem.
    static Options ForDataDir(const std::filesystem::path& data_dir, std::filesystem::path clusters_root = {});

    explicit EmbeddedPostgres(Options options);
    /// Stops the server (see Stop()); never throws.
    ~EmbeddedPostgres();

    EmbeddedPostgres(const EmbeddedPostgres&) = delete;
    EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;

    /// The directory holding `postgres` and `initdb`: `pg_config --bindir` when that directory has
    /// both, else the highest-numbered `/usr/lib/postgresql/<major>/bin` that does.
    /// Throws std::runtime_error with a one-line message naming the Debian package when none has.
    static std::filesystem::path FindBinDir();
    /// FindBinDir() with the places to look injected (tests, unusual installs): `pg_config` is run
    /// through the shell's PATH lookup unless it contains a '/'; `versions_root` replaces
    /// `/usr/lib/postgresql`.
    static std::filesystem::path FindBinDir(const std::string& pg_config, const std::filesystem::path& versions_root);

    /// Creates the cluster if needed, recovers from leftovers of a crash, starts postgres, waits until
    /// it accepts connections and creates the database if missing. A no-op when already running.
    /// While the postmaster lives and answers that it is starting (crash recovery), the wait has no
    /// deadline; it fails when the postmaster exits, stays silent longer than `start_timeout`, or
    /// CancelStart() is called.
    /// Throws std::runtime_error with a message naming the problem (and the log file for server-side
    /// failures); on failure nothing is left running. The data dir is locked from the first Start()
    /// until Stop(), across restarts and failed attempts alike. `on_accepting`, when given, runs (on
    /// this thread) the moment the postmaster accepts connections, before Recovering() turns false: a
    /// watcher marking the database reachable there never sees a moment when it is neither.
    void Start(const std::function<void()>& on_accepting = {});

    /// For commands run beside a server (`strava1 jobs`, `worker`, `import`, `migrate`): when another
    /// live process holds the data dir's lock (a running `strava1 serve`), connects through that
    /// process's postmaster instead of starting one, waiting up to `start_timeout` for it to be ready;
    /// otherwise Start(). Where it listens is read from the cluster's postmaster.pid and accepted only
    /// when that file belongs to the cluster's OS user, its postmaster runs on this data dir, and its
    /// socket directory is the configured one or a private `/tmp` fallback of ours (ADR 0003,
    /// "Commands beside a running server"). Attached, ConnInfo() names that socket and Stop() leaves
    /// the postmaster alone. Throws std::runtime_error with a one-line reason.
    void StartOrAttach();

    /// True after StartOrAttach() connected through another process's postmaster (until Stop()).
    bool Attached() const { return attached_; }

    /// Fast shutdown: SIGINT to the postmaster, wait up to a deadline, then SIGQUIT (immediate
    /// shutdown; crash recovery on next start), then SIGKILL as a last resort. Then releases the data
    /// dir's lock and removes a /tmp socket directory. Idempotent. Attached (StartOrAttach()), only forgets the
    /// other process's socket.
    void Stop();

    /// libpq conninfo for the database: `host=<socket dir> port=<port> dbname=<db> user=<user>`.
    /// Valid after Start(); the socket directory may be a short fallback under /tmp, made at the first
    /// Start() and kept until Stop(), so the conninfo stays the same across restarts (unless that
    /// directory vanished meanwhile: then a new one is made, and callers must take the new conninfo).
    std::string ConnInfo() const;

    /// True while the postmaster started by this instance is alive.
    bool Running() const;

    /// True while Start() waits for a postmaster that answers it is starting up or recovering.
    /// Thread-safe.
    bool Recovering() const { return recovering_.load(); }

    /// Makes a Start() in progress on another thread give up (stopping the postmaster it started),
    /// and any later Start() fail at once, until Stop(). Thread-safe.
    void CancelStart() { cancel_start_ = true; }

    /// Reaps the postmaster if it has exited since Start() (crash, kill -9, OOM killer) and returns
    /// its wait status, leaving this instance stopped (Start() may be called again); nullopt while it
    /// runs or when nothing was started. Never blocks. Call from the thread that calls Start/Stop.
    std::optional<int> CheckExited();

    /// One-line description of a wait status ("exit status 1", "killed by signal 9").
    static std::string DescribeExit(int status);

    /// True when the last Start() created the cluster (ran initdb); false when it reused one.
    bool CreatedCluster() const { return created_cluster_; }

    /// The postmaster's pid while running, else 0.
    pid_t Pid() const { return pid_; }

    /// The directory the socket actually lives in (the configured one, or the /tmp fallback).
    const std::filesystem::path& EffectiveSocketDir() const { return effective_socket_dir_; }

private:
    void StartLocked(const std::function<void()>& on_accepting);
    /// Stops (or reaps) the postmaster only: the lock and the socket directory stay for a restart.
    void StopPostmaster();
    void WaitUntilAccepting(const std::function<void()>& on_accepting);
    void CreateDatabaseIfMissing();
    std::string AdminConnInfo(int connect_timeout_s) const;

    Options options_;
    std::filesystem::path log_file_;
    std::filesystem::path effective_socket_dir_;
    std::filesystem::path fallback_root_;  ///< the /tmp directory holding a fallback socket dir, if any
    pid_t pid_ = 0;
    int lock_fd_ = -1;
    bool created_cluster_ = false;
    bool attached_ = false;
    std::atomic<bool> recovering_{false};
    std::atomic<bool> cancel_start_{false};
};

}  // namespace strava1::db
