#include "strava1/db/embedded_postgres.hpp"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "safe_fs.hpp"
#include "start_wait.hpp"
#include "strava1/base/log.hpp"

extern char** environ;

namespace strava1::db {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kServerPackage = "postgresql-15";
constexpr std::string_view kSystemUser = "postgres";
constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr auto kFastShutdownDeadline = std::chrono::seconds(30);
constexpr auto kImmediateShutdownDeadline = std::chrono::seconds(5);
constexpr auto kKillDeadline = std::chrono::seconds(5);
/// sockaddr_un::sun_path holds 108 bytes including the terminating NUL.
constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;

std::string ErrnoText(int err) { return std::system_category().message(err); }

[[noreturn]] void ThrowErrno(const std::string& what, int err) {
    throw std::runtime_error(what + ": " + ErrnoText(err));
}

using safe_fs::Fd;

/// Who initdb and postgres run as: ourselves, or the `postgres` system user when we are root.
struct Identity {
    bool switch_user = false;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
    std::string name;
};

Identity ResolveIdentity() {
    Identity identity;
    identity.uid = ::geteuid();
    identity.gid = ::getegid();
    if (identity.uid != 0) {
        return identity;
    }
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    const int rc = ::getpwnam_r(std::string(kSystemUser).c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (rc != 0 || found == nullptr || entry.pw_uid == 0) {
        throw std::runtime_error("running as root, but PostgreSQL refuses to run as root and there is no '" +
                                 std::string(kSystemUser) + "' system user to run it as: install " +
                                 std::string(kServerPackage) +
                                 " (it creates that user) or run strava1 as a normal user");
    }
    identity.switch_user = true;
    identity.uid = entry.pw_uid;
    identity.gid = entry.pw_gid;
    identity.name = entry.pw_name;
    int count = 32;
    identity.groups.resize(static_cast<std::size_t>(count));
    if (::getgrouplist(entry.pw_name, entry.pw_gid, identity.groups.data(), &count) == -1) {
        identity.groups.resize(static_cast<std::size_t>(count));
        ::getgrouplist(entry.pw_name, entry.pw_gid, identity.groups.data(), &count);
    }
    identity.groups.resize(static_cast<std::size_t>(std::max(count, 0)));
    return identity;
}

// ---------------------------------------------------------------------------------------------------
// Child processes

enum class ChildStage : int { kStdio, kGroups, kGid, kUid, kProcessGroup, kDeathSignal, kParentGone, kChdir, kExec };

struct ChildFailure {
    int stage;
    int err;
};

struct SpawnRequest {
    std::vector<std::string> argv;  ///< argv[0] is an absolute path
    fs::path cwd;
    const Identity* identity = nullptr;
    int output_fd = -1;       ///< becomes stdout and stderr
    bool supervised = false;  ///< own process group + SIGINT when the spawning thread dies
};

std::string DescribeChildFailure(const SpawnRequest& request, const ChildFailure& failure) {
    const std::string who = request.identity->switch_user ? " as user " + request.identity->name : std::string();
    switch (static_cast<ChildStage>(failure.stage)) {
        case ChildStage::kStdio:
            return "cannot set up the output of " + request.argv[0];
        case ChildStage::kGroups:
        case ChildStage::kGid:
        case ChildStage::kUid:
            return "cannot switch to user " + request.identity->name + " to run " + request.argv[0];
        case ChildStage::kProcessGroup:
        case ChildStage::kDeathSignal:
        case ChildStage::kParentGone:
            return "cannot supervise " + request.argv[0];
        case ChildStage::kChdir:
            return "cannot enter " + request.cwd.string() + who +
                   " (every parent directory must be searchable by that user)";
        case ChildStage::kExec:
            return "cannot run " + request.argv[0] + who;
    }
    return "cannot start " + request.argv[0];
}

/// In the child between fork and exec only async-signal-safe calls are allowed (the server may have
/// other threads), so everything it needs is prepared by the parent.
[[noreturn]] void ChildMain(const SpawnRequest& request, char* const* argv, const char* cwd, int stdin_fd,
                            int report_fd, pid_t parent, int max_fd) {
    auto fail = [report_fd](ChildStage stage) {
        const ChildFailure failure{static_cast<int>(stage), errno};
        [[maybe_unused]] const ssize_t written = ::write(report_fd, &failure, sizeof failure);
        ::_exit(127);
    };
    // Lift every source above the stdio range first so the dup2 calls below cannot clobber each other.
    const int in = ::fcntl(stdin_fd, F_DUPFD_CLOEXEC, 3);
    const int out = ::fcntl(request.output_fd, F_DUPFD_CLOEXEC, 3);
    if (in < 0 || out < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) {
        fail(ChildStage::kStdio);
    }
    // Nothing of ours (listening sockets, database connections) may leak into postgres.
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 3; fd < max_fd; ++fd) {
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
    }

    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::umask(077);

    if (request.supervised && ::setpgid(0, 0) != 0) {
        // Its own process group: a Ctrl-C on the terminal reaches the server, which then shuts the
        // database down after the requests that still need it.
        fail(ChildStage::kProcessGroup);
    }
    if (request.identity->switch_user) {
        const Identity& identity = *request.identity;
        if (::setgroups(identity.groups.size(), identity.groups.data()) != 0) {
            fail(ChildStage::kGroups);
        }
        if (::setgid(identity.gid) != 0) {
            fail(ChildStage::kGid);
        }
        if (::setuid(identity.uid) != 0) {
            fail(ChildStage::kUid);
        }
    }
    if (request.supervised) {
        // After the credential change: changing credentials clears the parent-death signal.
        // SIGINT is PostgreSQL's fast shutdown.
        if (::prctl(PR_SET_PDEATHSIG, SIGINT) != 0) {
            fail(ChildStage::kDeathSignal);
        }
        if (::getppid() != parent) {
            errno = ESRCH;
            fail(ChildStage::kParentGone);
        }
    }
    if (::chdir(cwd) != 0) {
        fail(ChildStage::kChdir);
    }
    ::execve(argv[0], argv, environ);
    fail(ChildStage::kExec);
    ::_exit(127);
}

pid_t Spawn(const SpawnRequest& request) {
    std::vector<char*> argv;
    for (const std::string& arg : request.argv) {
        argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    const std::string cwd = request.cwd.string();

    Fd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (dev_null.Get() < 0) {
        ThrowErrno("cannot open /dev/null", errno);
    }
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        ThrowErrno("cannot create a pipe", errno);
    }
    Fd report_read(pipe_fds[0]);
    Fd report_write(pipe_fds[1]);

    const long open_max = ::sysconf(_SC_OPEN_MAX);
    const int max_fd = open_max > 0 && open_max < 65536 ? static_cast<int>(open_max) : 65536;
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        ThrowErrno("cannot fork to run " + request.argv[0], errno);
    }
    if (pid == 0) {
        ChildMain(request, argv.data(), cwd.c_str(), dev_null.Get(), report_write.Get(), parent, max_fd);
    }
    report_write.Reset();

    // The pipe is closed on exec: end-of-file means exec succeeded, a record means the child failed.
    ChildFailure failure{};
    ssize_t n = 0;
    do {
        n = ::read(report_read.Get(), &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof failure)) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        throw std::runtime_error(DescribeChildFailure(request, failure) + ": " + ErrnoText(failure.err));
    }
    return pid;
}

/// Waits for a child of ours until the deadline; true when it has exited (or was reaped elsewhere).
bool WaitChild(pid_t pid, Clock::duration timeout, int* status_out = nullptr) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            if (status_out != nullptr) {
                *status_out = status;
            }
            return true;
        }
        if (r < 0 && errno == ECHILD) {
            return true;
        }
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
}

std::string ExitText(int status) {
    if (WIFEXITED(status)) {
        return "exit status " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return std::string("killed by signal ") + ::strsignal(WTERMSIG(status));
    }
    return "status " + std::to_string(status);
}

// ---------------------------------------------------------------------------------------------------
// Processes we did not start (a postmaster left over from a crashed server)

/// Alive and not a zombie (a zombie is dead; its pid is only reserved until its parent reaps it).
bool ProcessAlive(pid_t pid) {
    if (pid <= 0) {
        return false;
    }
    if (::kill(pid, 0) != 0 && errno != EPERM) {
        return false;
    }
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) {
        return false;
    }
    // "<pid> (<comm>) <state> ...": comm may contain spaces and parentheses, the state follows the last ')'.
    const std::size_t close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() || (line[close + 2] != 'Z' && line[close + 2] != 'X');
}

std::vector<std::string> ReadCmdline(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::vector<std::string> args;
    std::string arg;
    while (std::getline(in, arg, '\0')) {
        args.push_back(arg);
    }
    return args;
}

bool IsPostgresBinary(const fs::path& file) { return file.filename().string().rfind("postgres", 0) == 0; }

/// True when `pid` is a PostgreSQL server. /proc/<pid>/exe needs ptrace-read access (missing for root
/// without CAP_SYS_PTRACE in some containers); the command line is readable by anyone.
bool IsPostgres(pid_t pid) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
    if (!ec) {
        return IsPostgresBinary(exe);
    }
    const std::vector<std::string> args = ReadCmdline(pid);
    return !args.empty() && IsPostgresBinary(args.front());
}

/// True when `pid` is a PostgreSQL server running on `data_dir`: the postmaster changes into its data
/// directory, which identifies the cluster even when the pid was recycled. Where the working directory
/// cannot be read, the `-D <dir>` we start postmasters with serves.
bool IsPostgresFor(pid_t pid, const fs::path& data_dir) {
    if (!IsPostgres(pid)) {
        return false;
    }
    std::error_code ec;
    const fs::path wanted = fs::weakly_canonical(data_dir, ec);
    if (ec) {
        return false;
    }
    const fs::path cwd = fs::read_symlink("/proc/" + std::to_string(pid) + "/cwd", ec);
    if (!ec) {
        return cwd == wanted;
    }
    const std::vector<std::string> args = ReadCmdline(pid);
    for (std::size_t arg_idx = 0; arg_idx + 1 < args.size(); ++arg_idx) {
        if (args[arg_idx] == "-D") {
            return fs::weakly_canonical(args[arg_idx + 1], ec) == wanted && !ec;
        }
    }
    return false;
}

/// The pid on the first line of a PostgreSQL lock file (postmaster.pid, .s.PGSQL.<port>.lock) in
/// `dir`. The postgres user owns that directory: a link or anything but a plain file there is no
/// lock file (and is neither followed nor opened in a way that could block).
std::optional<pid_t> ReadLockPid(int dir, const std::string& name) {
    Fd fd = safe_fs::OpenFileAt(dir, name, O_RDONLY | O_NONBLOCK);
    struct stat st {};
    if (!fd.Valid() || ::fstat(fd.Get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return std::nullopt;
    }
    char buffer[64];
    const ssize_t n = ::read(fd.Get(), buffer, sizeof buffer);
    if (n <= 0) {
        return std::nullopt;
    }
    const std::string_view text(buffer, static_cast<std::size_t>(n));
    const std::string line(text.substr(0, text.find('\n')));
    long value = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
    // A negative pid marks a standalone backend; it still names the process.
    if (ec != std::errc() || value == 0) {
        return std::nullopt;
    }
    return static_cast<pid_t>(value < 0 ? -value : value);
}

bool WaitForeignExit(const std::vector<pid_t>& pids, Clock::duration timeout) {
    const auto deadline = Clock::now() + timeout;
    while (std::any_of(pids.begin(), pids.end(), ProcessAlive)) {
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    return true;
}

/// Sends `first_signal` (0: none, just wait) and escalates to SIGQUIT, then SIGKILL, each after a
/// deadline. False when some process outlived even SIGKILL.
bool StopProcesses(const std::vector<pid_t>& pids, int first_signal, Clock::duration grace) {
    auto signal_all = [&pids](int signal) {
        for (const pid_t pid : pids) {
            if (ProcessAlive(pid)) {
                ::kill(pid, signal);
            }
        }
    };
    if (first_signal != 0) {
        signal_all(first_signal);
    }
    if (WaitForeignExit(pids, grace)) {
        return true;
    }
    signal_all(SIGQUIT);
    if (WaitForeignExit(pids, kImmediateShutdownDeadline)) {
        return true;
    }
    signal_all(SIGKILL);
    return WaitForeignExit(pids, kKillDeadline);
}

/// Every live PostgreSQL process on `data_dir` (backends inherit the postmaster's working directory).
std::vector<pid_t> PostgresProcessesOn(const fs::path& data_dir) {
    std::vector<pid_t> found;
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        pid_t pid = 0;
        const auto [end, parse_ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
        if (parse_ec != std::errc() || end != name.data() + name.size() || pid == ::getpid()) {
            continue;
        }
        if (ProcessAlive(pid) && IsPostgresFor(pid, data_dir)) {
            found.push_back(pid);
        }
    }
    return found;
}

void StopForeignPostmaster(pid_t pid, const fs::path& data_dir) {
    log::Warn("embedded postgres: a postmaster from an earlier run is still running on the data dir; stopping it",
              {{"pid", pid}, {"data_dir", data_dir.string()}});
    if (!StopProcesses({pid}, SIGINT, kFastShutdownDeadline)) {
        throw std::runtime_error("a postmaster from an earlier run (pid " + std::to_string(pid) + ") on " +
                                 data_dir.string() + " does not stop; stop it and start again");
    }
}

/// After a postmaster was killed outright (SIGKILL, OOM killer) its backends may still run for a
/// moment, attached to the old shared memory; a new postmaster must not start beside them. They exit
/// by themselves once they notice the postmaster is gone; stragglers are stopped.
void StopOrphanedBackends(const fs::path& data_dir) {
    const std::vector<pid_t> orphans = PostgresProcessesOn(data_dir);
    if (orphans.empty()) {
        return;
    }
    log::Warn("embedded postgres: waiting for server processes of a dead postmaster to exit",
              {{"count", orphans.size()}, {"data_dir", data_dir.string()}});
    if (!StopProcesses(orphans, 0, kImmediateShutdownDeadline)) {
        throw std::runtime_error("server processes of an earlier postmaster on " + data_dir.string() +
                                 " do not stop; stop them and start again");
    }
}

// ---------------------------------------------------------------------------------------------------
// Files and directories

bool IsExecutableFile(const fs::path& file) {
    std::error_code ec;
    return fs::is_regular_file(file, ec) && ::access(file.c_str(), X_OK) == 0;
}

bool HasServerBinaries(const fs::path& dir) {
    return !dir.empty() && IsExecutableFile(dir / "postgres") && IsExecutableFile(dir / "initdb");
}

std::string ShellQuote(std::string_view text) {
    std::string quoted = "'";
    for (const char c : text) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    return quoted + "'";
}

/// "15" -> {15, 0}, "9.6" -> {9, 6}; nullopt for anything else.
std::optional<std::pair<int, int>> ParseMajorVersion(const std::string& name) {
    int major = 0;
    int minor = 0;
    const char* begin = name.data();
    const char* end = name.data() + name.size();
    auto [p, ec] = std::from_chars(begin, end, major);
    if (ec != std::errc() || p == begin) {
        return std::nullopt;
    }
    if (p != end) {
        if (*p != '.') {
            return std::nullopt;
        }
        const char* minor_begin = p + 1;
        auto [q, ec2] = std::from_chars(minor_begin, end, minor);
        if (ec2 != std::errc() || q != end || q == minor_begin) {
            return std::nullopt;
        }
    }
    return std::pair{major, minor};
}

/// Who a directory postgres writes in belongs to: that user when we switch to it, else whoever makes it.
std::optional<safe_fs::Owner> PostgresOwner(const Identity& identity) {
    if (!identity.switch_user) {
        return std::nullopt;
    }
    return safe_fs::Owner{identity.uid, identity.gid};
}

/// As root, a link in a folder the postgres user may have had (an earlier version's) is never
/// followed; a normal user's own links (a data dir moved to another disk) are.
bool FollowLinks(const Identity& identity) { return !identity.switch_user; }

/// Makes `name` in the open directory `parent` a 0700 directory of the user postgres runs as.
Fd MakePrivateDirectoryAt(int parent, const std::string& name, const fs::path& shown, const Identity& identity) {
    return safe_fs::MakeDirectoryAt(parent, name, 0700, PostgresOwner(identity), shown, FollowLinks(identity));
}

/// A cluster made by another user (a non-root run, say) is given to the postgres user.
void GiveClusterToPostgresUser(int dir, const fs::path& shown, const Identity& identity) {
    if (!identity.switch_user) {
        return;
    }
    const struct stat st = safe_fs::StatFd(dir, shown);
    if (st.st_uid == identity.uid) {
        return;
    }
    log::Info("embedded postgres: giving the cluster to the postgres system user",
              {{"dir", shown.string()}, {"previous_uid", st.st_uid}});
    safe_fs::ChownTree(dir, st.st_uid, safe_fs::Owner{identity.uid, identity.gid}, shown);
}

/// Absolute, normalised, without a trailing separator.
fs::path Normalise(const fs::path& path) {
    fs::path result = fs::absolute(path).lexically_normal();
    if (!result.has_filename() && result.has_parent_path() && result != result.root_path()) {
        result = result.parent_path();
    }
    return result;
}

/// A conninfo value, quoted when it has to be.
std::string ConnValue(std::string_view value) {
    const bool plain = !value.empty() && value.find_first_of(" \t\n'\\") == std::string_view::npos;
    if (plain) {
        return std::string(value);
    }
    std::string quoted = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') {
            quoted += '\\';
        }
        quoted += c;
    }
    return quoted + "'";
}

std::string SocketFileName(int port) { return ".s.PGSQL." + std::to_string(port); }

std::string LastLogLine(const fs::path& log_file) {
    std::ifstream in(log_file, std::ios::binary);
    if (!in) {
        return {};
    }
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    const std::streamoff start = std::max<std::streamoff>(0, size - 4096);
    in.seekg(start);
    std::string tail(static_cast<std::size_t>(size - start), '\0');
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r' || tail.back() == ' ')) {
        tail.pop_back();
    }
    const std::size_t newline = tail.rfind('\n');
    return newline == std::string::npos ? tail : tail.substr(newline + 1);
}

void CreateDirectories(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
    }
}

/// Opens (creating it when missing) a file of our own in the open directory `dir`. A link there, or
/// a file someone else placed (the postgres user could, in an earlier version's folder), is removed
/// and a new file made in its place: neither is ever opened.
Fd OpenOwnFileAt(int dir, const std::string& name, const fs::path& shown, int flags, mode_t mode) {
    for (int attempt = 0; attempt < 3; ++attempt) {
        Fd fd = safe_fs::OpenFileAt(dir, name, flags | O_CREAT | O_NONBLOCK, mode);
        if (!fd.Valid() && errno != ELOOP) {
            ThrowErrno("cannot open " + shown.string(), errno);
        }
        if (fd.Valid()) {
            const struct stat st = safe_fs::StatFd(fd.Get(), shown);
            if (S_ISREG(st.st_mode) && st.st_uid == ::geteuid() && st.st_nlink == 1) {
                return fd;
            }
        }
        log::Warn("embedded postgres: replacing a file that is not ours", {{"path", shown.string()}});
        if (::unlinkat(dir, name.c_str(), 0) != 0 && errno != ENOENT) {
            ThrowErrno("cannot remove " + shown.string(), errno);
        }
    }
    throw std::runtime_error("cannot create " + shown.string() + ": something keeps replacing it");
}

/// One live owner per data dir: without this, a second `strava1 serve` on the same ./var would take
/// the first one's postmaster for a leftover and stop it. A classic POSIX lock (not an OFD lock) on
/// purpose: the kernel releases it when the owner dies, however it dies. The lock file sits next to
/// the cluster in `base`, a directory only we can write. Returns the descriptor holding the lock
/// (closing it releases the lock).
/// The lock as LockDataDir takes it, or -1 with `holder` set to the pid of the live process holding it.
int TryLockDataDir(int base, const fs::path& data_dir, pid_t& holder) {
    const std::string name = data_dir.filename().string() + ".lock";
    const fs::path lock_path = data_dir.parent_path() / name;
    Fd fd = OpenOwnFileAt(base, name, lock_path, O_RDWR, 0600);
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    if (::fcntl(fd.Get(), F_SETLK, &lock) != 0) {
        const int err = errno;
        if (err == EACCES || err == EAGAIN) {
            struct flock probe {};
            probe.l_type = F_WRLCK;
            probe.l_whence = SEEK_SET;
            ::fcntl(fd.Get(), F_GETLK, &probe);
            holder = probe.l_pid;
            return -1;
        }
        ThrowErrno("cannot lock " + lock_path.string(), err);
    }
    return fd.Release();
}

int LockDataDir(int base, const fs::path& data_dir) {
    pid_t holder = 0;
    const int fd = TryLockDataDir(base, data_dir, holder);
    if (fd < 0) {
        throw std::runtime_error(data_dir.string() + " is in use by another running strava1 (pid " +
                                 std::to_string(holder) + "); stop it or use another data dir");
    }
    return fd;
}

/// A fresh, unguessable directory under /tmp for a socket whose configured path is too long. It
/// belongs to us (as root: root, 0711, so the postgres user can pass through but, /tmp being sticky,
/// can neither rename nor replace it); the socket goes in a subdirectory made for postgres.
fs::path MakeFallbackSocketRoot(const Identity& identity) {
    std::string pattern = "/tmp/strava1-pg-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        ThrowErrno("cannot create a socket directory under /tmp", errno);
    }
    if (identity.switch_user && ::chmod(pattern.c_str(), 0711) != 0) {
        const int err = errno;
        ::rmdir(pattern.c_str());
        ThrowErrno("cannot make " + pattern + " passable for the postgres user", err);
    }
    return pattern;
}

/// True when `dir` is still a directory of ours (not gone, not replaced).
bool IsOwnDirectory(const fs::path& dir) {
    struct stat st {};
    return ::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::geteuid();
}

/// Removes `dir` and what it holds without following any link in it.
void RemoveTree(const fs::path& dir) {
    try {
        Fd parent = safe_fs::OpenDirectory(dir.parent_path());
        safe_fs::RemoveTreeAt(parent.Get(), dir.filename().string(), dir);
    } catch (const std::exception& e) {
        log::Warn("embedded postgres: cannot remove a directory", {{"dir", dir.string()}, {"error", e.what()}});
    }
}

/// The directory the cluster and its lock file sit in (the data dir's parent: `var/` or a cluster
/// folder), open. As root it must already exist, belong to root and be writable by no one else:
/// then the postgres user can replace none of its entries, and whatever root does there goes through
/// this descriptor. The path leading to it may pass through the postgres user's home, so its last
/// step follows no link (ADR 0003). A normal user's is created when missing.
Fd OpenClusterBase(const fs::path& dir, const Identity& identity) {
    if (!identity.switch_user) {
        CreateDirectories(dir);
        return safe_fs::OpenDirectory(dir);
    }
    Fd parent = safe_fs::OpenDirectory(dir.parent_path());
    Fd base = safe_fs::OpenDirectoryAt(parent.Get(), dir.filename().string(), dir);
    const struct stat st = safe_fs::StatFd(base.Get(), dir);
    if (st.st_uid != ::geteuid()) {
        throw std::runtime_error(dir.string() + " belongs to uid " + std::to_string(st.st_uid) +
                                 "; running as root, the directory holding the cluster must belong to root, or "
                                 "another user could redirect what root does there (chown root it, or run "
                                 "strava1 as its owner)");
    }
    if ((st.st_mode & 022) != 0 && ::fchmod(base.Get(), st.st_mode & 07755) != 0) {
        ThrowErrno("cannot make " + dir.string() + " writable by its owner only", errno);
    }
    return base;
}

/// As root, opens the folder `dir` as root's own, 0711 directory (the postgres user passes through
/// but can change nothing in it): created when `create` and missing, and taken back from the postgres
/// user where an earlier version had given it to that user. Its last step follows no link.
Fd OpenRootFolderAt(int parent, const std::string& name, const fs::path& dir, const Identity& identity, bool create) {
    if (create && ::mkdirat(parent, name.c_str(), 0711) != 0 && errno != EEXIST) {
        ThrowErrno("cannot create " + dir.string(), errno);
    }
    Fd folder = safe_fs::OpenDirectoryAt(parent, name, dir);
    const struct stat st = safe_fs::StatFd(folder.Get(), dir);
    if (st.st_uid == identity.uid && st.st_uid != 0) {
        log::Info("embedded postgres: taking the folder back from the postgres user (ADR 0003)",
                  {{"dir", dir.string()}});
        if (::fchown(folder.Get(), 0, 0) != 0) {
            ThrowErrno("cannot give " + dir.string() + " back to root", errno);
        }
    } else if (st.st_uid != 0) {
        throw std::runtime_error(dir.string() + " belongs to uid " + std::to_string(st.st_uid) +
                                 "; running as root, it must belong to root");
    }
    if ((st.st_mode & 07777) != 0711 && ::fchmod(folder.Get(), 0711) != 0) {
        ThrowErrno("cannot set the mode of " + dir.string(), errno);
    }
    return folder;
}

Fd OpenRootFolder(const fs::path& dir, const Identity& identity, bool create) {
    const Fd parent = safe_fs::OpenDirectory(dir.parent_path());
    return OpenRootFolderAt(parent.Get(), dir.filename().string(), dir, identity, create);
}

std::string LogHint(const fs::path& log_file) {
    const std::string last = LastLogLine(log_file);
    return "; see " + log_file.string() + (last.empty() ? std::string() : ": " + last);
}

/// What initdb, the leftover clean-up and the postmaster all need to know.
struct ClusterSpec {
    fs::path bin_dir;
    fs::path data_dir;  ///< absolute, normalised
    fs::path socket_dir;
    fs::path log_file;
    std::string user;
    int port;
    const Identity* identity;
};

/// Runs initdb when `data_dir` holds no cluster yet; true when it did. `base` is its parent, open.
bool InitClusterIfMissing(const ClusterSpec& cluster, int base, int log_fd) {
    const fs::path& data_dir = cluster.data_dir;
    const Identity& identity = *cluster.identity;
    const std::string name = data_dir.filename().string();
    const auto found = safe_fs::StatAt(base, name, data_dir, FollowLinks(identity));
    if (found) {
        Fd dir = safe_fs::OpenDirectoryAt(base, name, data_dir, FollowLinks(identity));
        if (safe_fs::StatAt(dir.Get(), "PG_VERSION", data_dir / "PG_VERSION")) {
            GiveClusterToPostgresUser(dir.Get(), data_dir, identity);
            return false;
        }
        if (!safe_fs::IsEmptyDirectory(dir.Get(), data_dir)) {
            throw std::runtime_error(data_dir.string() +
                                     " exists but is not a PostgreSQL cluster (no PG_VERSION); move it away");
        }
    }
    // initdb into a sibling and rename, so an interrupted first start never leaves a half-made cluster
    // where the next start would take it for a real one. What an interrupted initdb left there
    // belongs to the postgres user: it is removed without following any link in it.
    const std::string staging_name = name + ".initdb";
    const fs::path staging = data_dir.parent_path() / staging_name;
    safe_fs::RemoveTreeAt(base, staging_name, staging);
    MakePrivateDirectoryAt(base, staging_name, staging, identity);
    log::Info("embedded postgres: creating the cluster",
              {{"data_dir", data_dir.string()}, {"log", cluster.log_file.string()}});
    SpawnRequest initdb;
    initdb.argv = {(cluster.bin_dir / "initdb").string(),
                   "--pgdata=" + staging.string(),
                   "--username=" + cluster.user,
                   "--auth-local=trust",  // the socket is only reachable by its owner, see StartLocked
                   "--auth-host=reject",  // nothing listens on TCP; and if someone made it, nobody gets in
                   "--encoding=UTF8",
                   "--locale=C.UTF-8",
                   "--no-instructions"};
    initdb.cwd = staging;
    initdb.identity = cluster.identity;
    initdb.output_fd = log_fd;
    const pid_t pid = Spawn(initdb);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        safe_fs::RemoveTreeAt(base, staging_name, staging);
        throw std::runtime_error("initdb failed (" + ExitText(status) + ")" + LogHint(cluster.log_file));
    }
    if (found) {
        // At most an empty directory (checked above), or a normal user's link to one.
        const int flags = S_ISLNK(found->st_mode) ? 0 : AT_REMOVEDIR;
        if (::unlinkat(base, name.c_str(), flags) != 0 && errno != ENOENT) {
            ThrowErrno("cannot replace " + data_dir.string(), errno);
        }
    }
    if (::renameat(base, staging_name.c_str(), base, name.c_str()) != 0) {
        ThrowErrno("cannot rename " + staging.string() + " to " + data_dir.string(), errno);
    }
    ::fsync(base);
    return true;
}

/// Clears what a crashed server leaves behind: a postmaster still running on the data dir is shut
/// down, server processes orphaned by a killed postmaster are waited for (then stopped); lock files naming a dead or
/// unrelated process are removed (PostgreSQL would refuse to start while such a pid is alive). Crash recovery of the
/// data is PostgreSQL's own job.
void RemoveLeftovers(const ClusterSpec& cluster, int base, int socket_dir) {
    const fs::path& data_dir = cluster.data_dir;
    // Both directories belong to the postgres user: only what it could do itself happens in them
    // (reading a pid, removing a file), through descriptors, never following a link.
    Fd data = safe_fs::OpenDirectoryAt(base, data_dir.filename().string(), data_dir, FollowLinks(*cluster.identity));
    const std::string pid_name = "postmaster.pid";
    const fs::path pid_file = data_dir / pid_name;
    if (const auto stale_pid = ReadLockPid(data.Get(), pid_name)) {
        if (ProcessAlive(*stale_pid) && IsPostgresFor(*stale_pid, data_dir)) {
            StopForeignPostmaster(*stale_pid, data_dir);
        }
    }
    StopOrphanedBackends(data_dir);
    if (safe_fs::StatAt(data.Get(), pid_name, pid_file)) {
        const auto stale_pid = ReadLockPid(data.Get(), pid_name);
        if (stale_pid && ProcessAlive(*stale_pid) && IsPostgresFor(*stale_pid, data_dir)) {
            throw std::runtime_error("a postmaster (pid " + std::to_string(*stale_pid) + ") still runs on " +
                                     data_dir.string());
        }
        log::Info("embedded postgres: removing a stale postmaster.pid", {{"file", pid_file.string()}});
        ::unlinkat(data.Get(), pid_name.c_str(), 0);
    }
    const std::string socket_name = SocketFileName(cluster.port);
    const std::string lock_name = socket_name + ".lock";
    const fs::path socket = cluster.socket_dir / socket_name;
    if (safe_fs::StatAt(socket_dir, lock_name, cluster.socket_dir / lock_name)) {
        const auto holder = ReadLockPid(socket_dir, lock_name);
        if (holder && ProcessAlive(*holder) && IsPostgres(*holder)) {
            throw std::runtime_error("socket " + socket.string() + " is in use by another PostgreSQL (pid " +
                                     std::to_string(*holder) + "); give this one its own socket dir");
        }
        log::Info("embedded postgres: removing a stale socket lock",
                  {{"file", (cluster.socket_dir / lock_name).string()}});
        ::unlinkat(socket_dir, lock_name.c_str(), 0);
        ::unlinkat(socket_dir, socket_name.c_str(), 0);
    }
}

/// Settings given on the command line win over postgresql.conf and ALTER SYSTEM, so the "no TCP,
/// private socket only" guarantee cannot be undone by configuration. Durability settings (fsync,
/// synchronous_commit, full_page_writes) are left alone: their defaults are on.
SpawnRequest PostmasterRequest(const ClusterSpec& cluster, int log_fd) {
    SpawnRequest request;
    request.argv = {(cluster.bin_dir / "postgres").string(),
                    "-D",
                    cluster.data_dir.string(),
                    "-c",
                    "listen_addresses=",
                    "-c",
                    "unix_socket_directories=" + cluster.socket_dir.string(),
                    "-c",
                    "unix_socket_permissions=0700",
                    "-c",
                    "port=" + std::to_string(cluster.port),
                    "-c",
                    "cluster_name=strava1"};
    request.cwd = cluster.data_dir;
    request.identity = cluster.identity;
    request.output_fd = log_fd;
    request.supervised = true;
    return request;
}

// ---------------------------------------------------------------------------------------------------
// Another process's postmaster (a running `strava1 serve`), for commands run beside it

/// True when `dir` is a directory (not a link) of `uid` that no one else can enter: the only kind a
/// socket of the cluster lives in (MakePrivateDirectoryAt).
bool IsPrivateDirectoryOf(const fs::path& dir, uid_t uid) {
    struct stat st {};
    return ::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid && (st.st_mode & 077) == 0;
}

/// True when `dir` is a socket directory this cluster's owner could have made: the configured one, or
/// the `/tmp` fallback (MakeFallbackSocketRoot) whose parent belongs to us and is writable by no one
/// else. postmaster.pid is written by the cluster's OS user, so it names nothing else we accept: a
/// planted file cannot send a command to a socket another user controls.
bool IsSocketDirOfCluster(const fs::path& dir, const fs::path& configured, uid_t cluster_uid) {
    if (!IsPrivateDirectoryOf(dir, cluster_uid)) {
        return false;
    }
    if (dir == configured) {
        return true;
    }
    const fs::path parent = dir.parent_path();
    const std::string name = parent.filename().string();
    struct stat st {};
    return dir.filename() == "s" && parent.parent_path() == "/tmp" && name.rfind("strava1-pg-", 0) == 0 &&
           name.size() == std::string_view("strava1-pg-XXXXXX").size() && ::lstat(parent.c_str(), &st) == 0 &&
           S_ISDIR(st.st_mode) && st.st_uid == ::geteuid() && (st.st_mode & 022) == 0;
}

/// Where the running postmaster of `data_dir` listens, read from its postmaster.pid (PostgreSQL's
/// own record: pid, data dir, start time, port, socket dir, listen address, shared memory key,
/// status): the socket directory when that postmaster is ours, alive and ready; else why not.
struct RunningPostmaster {
    std::optional<fs::path> socket_dir;
    std::string why_not;
};

RunningPostmaster FindRunningPostmaster(int base, const fs::path& data_dir, const fs::path& configured_socket_dir,
                                        int port, const Identity& identity) {
    const uid_t cluster_uid = identity.uid;
    const auto data = safe_fs::StatAt(base, data_dir.filename().string(), data_dir, FollowLinks(identity));
    if (!data) {
        return {std::nullopt, "it has not created its cluster yet"};
    }
    Fd data_fd = safe_fs::OpenDirectoryAt(base, data_dir.filename().string(), data_dir, FollowLinks(identity));
    Fd fd = safe_fs::OpenFileAt(data_fd.Get(), "postmaster.pid", O_RDONLY | O_NONBLOCK);
    struct stat st {};
    if (!fd.Valid() || ::fstat(fd.Get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return {std::nullopt, "its PostgreSQL is not running"};
    }
    if (st.st_uid != cluster_uid || (st.st_mode & 022) != 0) {
        return {std::nullopt, (data_dir / "postmaster.pid").string() + " does not belong to the cluster's user"};
    }
    char buffer[2048];
    const ssize_t n = ::read(fd.Get(), buffer, sizeof buffer);
    std::vector<std::string> lines;
    std::string_view text(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        lines.emplace_back(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
    if (lines.size() < 8) {
        return {std::nullopt, "its PostgreSQL is starting"};
    }
    auto number = [](const std::string& line) {
        long value = 0;
        const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
        return ec == std::errc() && end == line.data() + line.size() ? value : 0L;
    };
    const long pid = number(lines[0]);
    std::string status = lines[7];
    while (!status.empty() && status.back() == ' ') {
        status.pop_back();
    }
    if (pid <= 0 || !ProcessAlive(static_cast<pid_t>(pid)) || !IsPostgresFor(static_cast<pid_t>(pid), data_dir)) {
        return {std::nullopt, "its PostgreSQL is not running"};
    }
    if (status != "ready") {
        return {std::nullopt, "its PostgreSQL is " + (status.empty() ? std::string("starting") : status)};
    }
    if (number(lines[3]) != port) {
        return {std::nullopt, "its PostgreSQL listens on another port than " + std::to_string(port)};
    }
    const fs::path socket_dir = fs::path(lines[4]).lexically_normal();
    if (!IsSocketDirOfCluster(socket_dir, configured_socket_dir, cluster_uid)) {
        return {std::nullopt, "its PostgreSQL's socket directory " + socket_dir.string() +
                                  " is neither the cluster's nor a private one of ours; not connecting there"};
    }
    return {socket_dir, {}};
}

/// The one-line contents of a small text file, without the line end; nullopt when unreadable.
std::optional<std::string> ReadLine(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line)) {
        return std::nullopt;
    }
    return line;
}

/// Writes `line` to `name` in the open directory `dir` completely or not at all; false (and nothing
/// written) when it already exists, so two processes preparing one data dir at once agree on whichever
/// came first. Links are neither followed nor replaced.
bool CreateFileOnceAt(int dir, const std::string& name, const fs::path& shown, const std::string& line) {
    const std::string tmp = name + ".tmp." + std::to_string(::getpid());
    const fs::path tmp_shown = shown.parent_path() / tmp;
    ::unlinkat(dir, tmp.c_str(), 0);
    {
        Fd fd = safe_fs::OpenFileAt(dir, tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (!fd.Valid()) {
            ThrowErrno("cannot write " + tmp_shown.string(), errno);
        }
        const std::string text = line + "\n";
        if (::write(fd.Get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
            ::fsync(fd.Get()) != 0) {
            const int err = errno;
            ::unlinkat(dir, tmp.c_str(), 0);
            ThrowErrno("cannot write " + tmp_shown.string(), err);
        }
    }
    // link() refuses an existing target, unlike rename().
    const int rc = ::linkat(dir, tmp.c_str(), dir, name.c_str(), 0);
    const int err = errno;
    ::unlinkat(dir, tmp.c_str(), 0);
    if (rc != 0 && err != EEXIST) {
        ThrowErrno("cannot create " + shown.string(), err);
    }
    ::fsync(dir);
    return rc == 0;
}

bool CreateFileOnce(const fs::path& file, const std::string& line) {
    Fd dir = safe_fs::OpenDirectory(file.parent_path());
    return CreateFileOnceAt(dir.Get(), file.filename().string(), file, line);
}

std::string RandomId() {
    unsigned char bytes[8];
    Fd fd(::open("/dev/urandom", O_RDONLY | O_CLOEXEC));
    if (fd.Get() < 0 || ::read(fd.Get(), bytes, sizeof bytes) != static_cast<ssize_t>(sizeof bytes)) {
        ThrowErrno("cannot read /dev/urandom", errno);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (const unsigned char b : bytes) {
        id += kHex[b >> 4];
        id += kHex[b & 15];
    }
    return id;
}

/// `strava1/` in the postgres user's home: a place that user can certainly reach.
fs::path DefaultClustersRoot() {
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwnam_r(std::string(kSystemUser).c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
        found == nullptr) {
        throw std::runtime_error("running as root, but PostgreSQL refuses to run as root and there is no '" +
                                 std::string(kSystemUser) + "' system user to run it as: install " +
                                 std::string(kServerPackage) +
                                 " (it creates that user) or run strava1 as a normal user");
    }
    const fs::path home = entry.pw_dir != nullptr ? entry.pw_dir : "";
    std::error_code ec;
    if (home.empty() || home == "/" || !fs::is_directory(home, ec)) {
        throw std::runtime_error("running as root: the embedded cluster goes in the home directory of the '" +
                                 std::string(kSystemUser) + "' user, but that user's home (\"" + home.string() +
                                 "\") is not a directory; create it for that user, run strava1 as a normal user, or "
                                 "set STRAVA1_DATABASE_URL");
    }
    return home / "strava1";
}

using PgConn = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

}  // namespace

// ---------------------------------------------------------------------------------------------------

EmbeddedPostgres::Options EmbeddedPostgres::ForDataDir(const fs::path& data_dir, fs::path clusters_root) {
    const fs::path dir = Normalise(data_dir);
    Options options;
    options.log_file = dir / "log" / "postgres.log";
    const fs::path record = dir / "pg.cluster";
    std::error_code ec;

    auto use_folder = [&options](const fs::path& folder) {
        options.data_dir = folder / "pg";
        options.socket_dir = folder / "run";
        return options;
    };
    auto recorded = [&record]() -> std::optional<fs::path> {
        auto line = ReadLine(record);
        if (!line || line->empty() || line->front() != '/') {
            return std::nullopt;
        }
        return fs::path(*line);
    };

    if (fs::exists(record, ec)) {
        const auto folder = recorded();
        if (!folder) {
            throw std::runtime_error(record.string() + " does not name a cluster folder (one absolute path expected)");
        }
        if (!fs::is_directory(*folder, ec)) {
            throw std::runtime_error(record.string() + " names the cluster folder " + folder->string() +
                                     ", which does not exist (moved or deleted?): restore it, or remove " +
                                     record.string() + " to start with an empty database");
        }
        if (::geteuid() == 0) {
            // An earlier version gave both to the postgres user: root takes them back before using them.
            const Identity identity = ResolveIdentity();
            OpenRootFolder(folder->parent_path(), identity, false);
            OpenRootFolder(*folder, identity, false);
        }
        return use_folder(*folder);
    }
    if (::geteuid() != 0 || fs::exists(dir / "pg" / "PG_VERSION", ec)) {
        if (::geteuid() == 0) {
            // A cluster made in place by an earlier version: keep it, with the traversal it relied on.
            if (::chmod(dir.c_str(), 0711) != 0) {
                ThrowErrno("cannot make " + dir.string() + " passable for the postgres user (chmod 0711)", errno);
            }
        }
        options.data_dir = dir / "pg";
        options.socket_dir = dir / "run";
        return options;
    }

    const Identity identity = ResolveIdentity();
    if (clusters_root.empty()) {
        clusters_root = DefaultClustersRoot();
    }
    clusters_root = Normalise(clusters_root);
    CreateDirectories(clusters_root.parent_path());
    // Root's, 0711: the postgres user passes through to its cluster but can neither list the folders
    // nor replace one (ADR 0003).
    const Fd clusters = OpenRootFolder(clusters_root, identity, true);
    const std::string id = RandomId();
    const fs::path folder = clusters_root / id;
    if (::mkdirat(clusters.Get(), id.c_str(), 0711) != 0) {
        ThrowErrno("cannot create " + folder.string(), errno);
    }
    const Fd folder_fd = OpenRootFolderAt(clusters.Get(), id, folder, identity, false);
    // A pointer back, so an operator can tell which data dir a folder belongs to (and find orphans).
    CreateFileOnceAt(folder_fd.Get(), "data-dir", folder / "data-dir", dir.string());
    CreateDirectories(dir);
    if (!CreateFileOnce(record, folder.string())) {
        // Another start of this data dir recorded its folder first: use that one.
        safe_fs::RemoveTreeAt(clusters.Get(), id, folder);
        const auto theirs = recorded();
        if (!theirs) {
            throw std::runtime_error(record.string() + " does not name a cluster folder (one absolute path expected)");
        }
        return use_folder(*theirs);
    }
    log::Info("embedded postgres: running as root, so the cluster lives where the postgres user can reach it",
              {{"cluster_folder", folder.string()}, {"recorded_in", record.string()}});
    return use_folder(folder);
}

EmbeddedPostgres::EmbeddedPostgres(Options options) : options_(std::move(options)) {}

EmbeddedPostgres::~EmbeddedPostgres() {
    try {
        Stop();
    } catch (const std::exception& e) {
        log::Error("embedded postgres: stop failed", {{"error", e.what()}});
    }
}

fs::path EmbeddedPostgres::FindBinDir() { return FindBinDir("pg_config", "/usr/lib/postgresql"); }

fs::path EmbeddedPostgres::FindBinDir(const std::string& pg_config, const fs::path& versions_root) {
    // pg_config first: it names the installation the build was configured against.
    const std::string command = ShellQuote(pg_config) + " --bindir 2>/dev/null";
    if (FILE* pipe = ::popen(command.c_str(), "r"); pipe != nullptr) {
        std::string output;
        char buffer[512];
        while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
            output += buffer;
        }
        const int status = ::pclose(pipe);
        while (!output.empty() && (output.back() == '\n' || output.back() == '\r' || output.back() == ' ')) {
            output.pop_back();
        }
        if (status == 0 && HasServerBinaries(output)) {
            return output;
        }
    }
    // Debian installs each major version side by side; take the newest that is complete.
    std::optional<std::pair<int, int>> best_version;
    fs::path best;
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(versions_root, ec)) {
        const auto version = ParseMajorVersion(entry.path().filename().string());
        if (version && HasServerBinaries(entry.path() / "bin") && (!best_version || *version > *best_version)) {
            best_version = version;
            best = entry.path() / "bin";
        }
    }
    if (best_version) {
        return best;
    }
    throw std::runtime_error("PostgreSQL server binaries not found (no postgres and initdb in `" + pg_config +
                             " --bindir` or " + (versions_root / "*/bin").string() + "): install the Debian package " +
                             std::string(kServerPackage));
}

void EmbeddedPostgres::Start(const std::function<void()>& on_accepting) {
    if (Running()) {
        return;
    }
    // Our postmaster died since the last start (crash, OOM killer): reap it and start afresh. The
    // data dir stays locked meanwhile (released only by Stop()), so no other strava1 can take it over
    // between a crash and the restart, or between restart attempts.
    StopPostmaster();
    try {
        StartLocked(on_accepting);
    } catch (...) {
        // No half-started postmaster is left behind.
        StopPostmaster();
        throw;
    }
}

void EmbeddedPostgres::StartOrAttach() {
    if (Running() || attached_) {
        return;
    }
    if (options_.data_dir.empty() || options_.socket_dir.empty()) {
        throw std::runtime_error("embedded postgres: data_dir and socket_dir must be set");
    }
    const fs::path data_dir = Normalise(options_.data_dir);
    const fs::path socket_dir = Normalise(options_.socket_dir);
    const Identity identity = ResolveIdentity();
    // The owner may be between two postmasters (starting, restarting one that died): wait for it as
    // long as a start of ours would wait.
    const auto deadline = Clock::now() + options_.start_timeout;
    while (lock_fd_ < 0) {
        pid_t holder = 0;
        const Fd base = OpenClusterBase(data_dir.parent_path(), identity);
        lock_fd_ = TryLockDataDir(base.Get(), data_dir, holder);
        if (lock_fd_ >= 0) {
            break;  // nobody owns it: start it ourselves, as Start() does
        }
        RunningPostmaster running = FindRunningPostmaster(base.Get(), data_dir, socket_dir, options_.port, identity);
        if (running.socket_dir) {
            effective_socket_dir_ = *running.socket_dir;
            if (PQping(AdminConnInfo(5).c_str()) == PQPING_OK) {
                attached_ = true;
                log::Info("embedded postgres: using the cluster of the running strava1",
                          {{"owner_pid", holder}, {"socket_dir", effective_socket_dir_.string()}});
                return;
            }
            effective_socket_dir_.clear();
            running.why_not = "its PostgreSQL does not accept connections";
        }
        if (Clock::now() >= deadline) {
            throw std::runtime_error(data_dir.string() + " is in use by another running strava1 (pid " +
                                     std::to_string(holder) + "), but " + running.why_not +
                                     "; try again once it is up");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Start();
}

void EmbeddedPostgres::StartLocked(const std::function<void()>& on_accepting) {
    created_cluster_ = false;
    if (options_.data_dir.empty() || options_.socket_dir.empty()) {
        throw std::runtime_error("embedded postgres: data_dir and socket_dir must be set");
    }
    const fs::path data_dir = Normalise(options_.data_dir);
    const fs::path socket_dir = Normalise(options_.socket_dir);
    log_file_ =
        options_.log_file.empty() ? data_dir.parent_path() / "log" / "postgres.log" : Normalise(options_.log_file);

    fs::path bin_dir = options_.bin_dir;
    if (bin_dir.empty()) {
        bin_dir = FindBinDir();
    } else if (!HasServerBinaries(bin_dir)) {
        throw std::runtime_error("PostgreSQL server binaries not found (no postgres and initdb in " + bin_dir.string() +
                                 "): install the Debian package " + std::string(kServerPackage) +
                                 " or fix the configured bin dir");
    }
    const Identity identity = ResolveIdentity();

    // Everything root does next to the cluster goes through this descriptor (ADR 0003).
    const Fd base = OpenClusterBase(data_dir.parent_path(), identity);
    if (lock_fd_ < 0) {
        lock_fd_ = LockDataDir(base.Get(), data_dir);
    }

    // The socket directory is 0700: with local trust authentication (initdb below), only its owner
    // (the user postgres runs as) and root can reach the socket. There is no TCP listener at all.
    if ((socket_dir / SocketFileName(options_.port)).string().size() <= kMaxSocketPath) {
        effective_socket_dir_ = socket_dir;
    } else if (fallback_root_.empty() || !IsOwnDirectory(fallback_root_)) {
        // Made once and kept until Stop(): a restart reuses it, so ConnInfo() stays what the pool
        // was given. Only if it vanished (a /tmp cleaner) is a new one made, and the conninfo changes.
        if (!fallback_root_.empty()) {
            log::Warn("embedded postgres: the socket directory under /tmp is gone; making a new one",
                      {{"was", fallback_root_.string()}});
        }
        fallback_root_ = MakeFallbackSocketRoot(identity);
        effective_socket_dir_ = fallback_root_ / "s";
        log::Warn("embedded postgres: socket path too long for a unix socket; using a private directory under /tmp",
                  {{"configured", socket_dir.string()},
                   {"limit_bytes", kMaxSocketPath},
                   {"socket_dir", effective_socket_dir_.string()}});
    }
    if (effective_socket_dir_.string().find_first_of(",\"") != std::string::npos) {
        throw std::runtime_error("embedded postgres: the socket dir must not contain ',' or '\"': " +
                                 effective_socket_dir_.string());
    }
    const Fd socket_parent = OpenClusterBase(effective_socket_dir_.parent_path(), identity);
    const Fd socket_fd = MakePrivateDirectoryAt(socket_parent.Get(), effective_socket_dir_.filename().string(),
                                                effective_socket_dir_, identity);

    CreateDirectories(log_file_.parent_path());
    Fd log_fd(::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640));
    if (log_fd.Get() < 0) {
        ThrowErrno("cannot open " + log_file_.string(), errno);
    }

    ClusterSpec cluster{bin_dir, data_dir, effective_socket_dir_, log_file_, options_.user, options_.port, &identity};
    created_cluster_ = InitClusterIfMissing(cluster, base.Get(), log_fd.Get());
    RemoveLeftovers(cluster, base.Get(), socket_fd.Get());

    const auto started = Clock::now();
    pid_ = Spawn(PostmasterRequest(cluster, log_fd.Get()));
    log_fd.Reset();

    WaitUntilAccepting(on_accepting);
    CreateDatabaseIfMissing();
    log::Info("embedded postgres: ready",
              {{"pid", pid_},
               {"os_user", identity.switch_user ? identity.name : std::string("(self)")},
               {"socket_dir", effective_socket_dir_.string()},
               {"database", options_.database},
               {"created_cluster", created_cluster_},
               {"start_ms", std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()}});
}

void EmbeddedPostgres::WaitUntilAccepting(const std::function<void()>& on_accepting) {
    const std::string conninfo = AdminConnInfo(5);
    auto last_heard = Clock::now();
    auto next_report = Clock::now() + std::chrono::seconds(30);
    Clock::duration poll = start_wait::kFirstPoll;
    // Not recovering any more however this ends (ready, failed, cancelled).
    struct ClearRecovering {
        std::atomic<bool>& flag;
        ~ClearRecovering() { flag = false; }
    } clear{recovering_};
    while (true) {
        if (cancel_start_) {
            throw std::runtime_error("embedded postgres: start cancelled (the server is stopping)");
        }
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        const bool exited = r == pid_ || (r < 0 && errno == ECHILD);
        const PGPing ping = exited ? PQPING_NO_RESPONSE : PQping(conninfo.c_str());
        if (ping == PQPING_REJECT) {
            last_heard = Clock::now();
            recovering_ = true;
        }
        switch (start_wait::Next(exited, ping, Clock::now() - last_heard, options_.start_timeout)) {
            case start_wait::Step::kReady:
                if (on_accepting) {
                    on_accepting();
                }
                return;
            case start_wait::Step::kExited:
                pid_ = 0;
                throw std::runtime_error("postgres exited during start-up (" + ExitText(status) + ")" +
                                         LogHint(log_file_));
            case start_wait::Step::kSilent:
                throw std::runtime_error("postgres did not answer within " +
                                         std::to_string(options_.start_timeout.count()) + " s" + LogHint(log_file_));
            case start_wait::Step::kBadParameters:
                throw std::runtime_error("embedded postgres: invalid connection parameters: " + conninfo);
            case start_wait::Step::kWait:
                break;
        }
        if (recovering_ && Clock::now() >= next_report) {
            // A long crash recovery is normal after a crash under write load; say it is still going.
            log::Info("embedded postgres: still starting (crash recovery in progress?); waiting while it runs",
                      {{"pid", pid_}, {"log", log_file_.string()}});
            next_report = Clock::now() + std::chrono::seconds(30);
        }
        poll = start_wait::NextPoll(ping, poll);
        std::this_thread::sleep_for(poll);
    }
}

void EmbeddedPostgres::CreateDatabaseIfMissing() {
    if (options_.database == "postgres") {
        return;
    }
    // Blocking libpq is fine here: Start() runs before any I/O thread exists.
    const std::string conninfo = AdminConnInfo(10);
    PgConn conn(PQconnectdb(conninfo.c_str()), &PQfinish);
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
        throw std::runtime_error(std::string("cannot connect to the embedded postgres: ") +
                                 (conn ? PQerrorMessage(conn.get()) : "out of memory"));
    }
    const char* params[] = {options_.database.c_str()};
    PgResult found(PQexecParams(conn.get(), "SELECT 1 FROM pg_database WHERE datname = $1", 1, nullptr, params, nullptr,
                                nullptr, 0),
                   &PQclear);
    if (PQresultStatus(found.get()) != PGRES_TUPLES_OK) {
        throw std::runtime_error(std::string("embedded postgres: cannot list databases: ") +
                                 PQerrorMessage(conn.get()));
    }
    if (PQntuples(found.get()) > 0) {
        return;
    }
    std::unique_ptr<char, decltype(&PQfreemem)> name(
        PQescapeIdentifier(conn.get(), options_.database.c_str(), options_.database.size()), &PQfreemem);
    if (!name) {
        throw std::runtime_error(std::string("embedded postgres: bad database name: ") + PQerrorMessage(conn.get()));
    }
    PgResult created(PQexec(conn.get(), (std::string("CREATE DATABASE ") + name.get()).c_str()), &PQclear);
    const char* sqlstate = PQresultErrorField(created.get(), PG_DIAG_SQLSTATE);
    // 42P04 duplicate_database: someone else created it in between, which is what we wanted.
    if (PQresultStatus(created.get()) != PGRES_COMMAND_OK &&
        (sqlstate == nullptr || std::string(sqlstate) != "42P04")) {
        throw std::runtime_error(std::string("embedded postgres: cannot create database ") + options_.database + ": " +
                                 PQerrorMessage(conn.get()));
    }
    log::Info("embedded postgres: created the database", {{"database", options_.database}});
}

void EmbeddedPostgres::Stop() {
    if (attached_) {
        // Not ours: the owner keeps running it.
        attached_ = false;
        effective_socket_dir_.clear();
        return;
    }
    StopPostmaster();
    cancel_start_ = false;
    if (!fallback_root_.empty()) {
        RemoveTree(fallback_root_);
        fallback_root_.clear();
    }
    if (lock_fd_ >= 0) {
        ::close(lock_fd_);
        lock_fd_ = -1;
    }
}

void EmbeddedPostgres::StopPostmaster() {
    if (pid_ > 0) {
        const pid_t pid = pid_;
        ::kill(pid, SIGINT);
        if (!WaitChild(pid, kFastShutdownDeadline)) {
            log::Warn("embedded postgres: fast shutdown timed out; immediate shutdown", {{"pid", pid}});
            ::kill(pid, SIGQUIT);
            if (!WaitChild(pid, kImmediateShutdownDeadline)) {
                ::kill(pid, SIGKILL);
                WaitChild(pid, kKillDeadline);
            }
        }
        pid_ = 0;
    }
}

std::string EmbeddedPostgres::ConnInfo() const {
    const fs::path& dir = effective_socket_dir_.empty() ? options_.socket_dir : effective_socket_dir_;
    return "host=" + ConnValue(dir.string()) + " port=" + std::to_string(options_.port) +
           " dbname=" + ConnValue(options_.database) + " user=" + ConnValue(options_.user);
}

std::string EmbeddedPostgres::AdminConnInfo(int connect_timeout_s) const {
    return "host=" + ConnValue(effective_socket_dir_.string()) + " port=" + std::to_string(options_.port) +
           " dbname=postgres user=" + ConnValue(options_.user) +
           " connect_timeout=" + std::to_string(connect_timeout_s);
}

bool EmbeddedPostgres::Running() const { return pid_ > 0 && ProcessAlive(pid_); }

std::optional<int> EmbeddedPostgres::CheckExited() {
    if (pid_ <= 0) {
        return std::nullopt;
    }
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR)) {
        return std::nullopt;
    }
    // Reaped here (or, ECHILD, elsewhere): forget the pid before it can be recycled, so Stop() never
    // signals a stranger.
    pid_ = 0;
    return r > 0 ? status : 0;
}

std::string EmbeddedPostgres::DescribeExit(int status) { return ExitText(status); }

}  // namespace strava1::db
