#include "safe_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "strava1/base/log.hpp"

namespace strava1::db::safe_fs {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Throw(const std::string& what, int err) {
    throw std::runtime_error(what + ": " + std::system_category().message(err));
}

/// The entries of an open directory, without "." and "..". A fresh open file description, so the
/// caller's descriptor keeps its own position.
std::vector<std::string> List(int dir, const fs::path& shown) {
    const int fd = ::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        Throw("cannot read " + shown.string(), errno);
    }
    DIR* stream = ::fdopendir(fd);
    if (stream == nullptr) {
        const int err = errno;
        ::close(fd);
        Throw("cannot read " + shown.string(), err);
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(stream)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") {
            names.push_back(name);
        }
    }
    const int err = errno;
    ::closedir(stream);
    if (err != 0) {
        Throw("cannot read " + shown.string(), err);
    }
    return names;
}

}  // namespace

void Fd::Reset() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

Fd OpenDirectory(const fs::path& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.Valid()) {
        Throw("cannot open " + dir.string(), errno);
    }
    return fd;
}

struct stat StatFd(int fd, const fs::path& shown) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        Throw("cannot inspect " + shown.string(), errno);
    }
    return st;
}

std::optional<struct stat> StatAt(int parent, const std::string& name, const fs::path& shown, bool follow) {
    struct stat st {};
    if (::fstatat(parent, name.c_str(), &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        Throw("cannot inspect " + shown.string(), errno);
    }
    return st;
}

Fd OpenDirectoryAt(int parent, const std::string& name, const fs::path& shown, bool follow) {
    Fd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW)));
    if (fd.Valid()) {
        return fd;
    }
    const int err = errno;
    if (err == ELOOP || err == ENOTDIR) {
        const auto st = StatAt(parent, name, shown);
        if (st && S_ISLNK(st->st_mode)) {
            throw std::runtime_error(shown.string() +
                                     " is a symbolic link; running as root, strava1 does not follow links there "
                                     "(another user could have placed it): put the directory itself there");
        }
        throw std::runtime_error(shown.string() + " is not a directory");
    }
    Throw("cannot open " + shown.string(), err);
}

Fd MakeDirectoryAt(int parent, const std::string& name, mode_t mode, std::optional<Owner> owner, const fs::path& shown,
                   bool follow) {
    auto st = StatAt(parent, name, shown, follow);
    if (st && S_ISLNK(st->st_mode)) {
        // Only reached without `follow`: the link is removed, never followed, and a directory made.
        log::Warn("replacing a symbolic link with a directory", {{"path", shown.string()}});
        if (::unlinkat(parent, name.c_str(), 0) != 0 && errno != ENOENT) {
            Throw("cannot remove the link " + shown.string(), errno);
        }
        st.reset();
    }
    if (st && !S_ISDIR(st->st_mode)) {
        throw std::runtime_error(shown.string() + " exists and is not a directory; move it away");
    }
    if (!st && ::mkdirat(parent, name.c_str(), mode) != 0 && errno != EEXIST) {
        Throw("cannot create " + shown.string(), errno);
    }
    // Whatever was made there in between is opened without following a link, and checked on the
    // descriptor: the changes below land on that directory and nowhere else.
    Fd dir = OpenDirectoryAt(parent, name, shown, follow);
    const struct stat now = StatFd(dir.Get(), shown);
    if (owner && (now.st_uid != owner->uid || now.st_gid != owner->gid) &&
        ::fchown(dir.Get(), owner->uid, owner->gid) != 0) {
        Throw("cannot give " + shown.string() + " to uid " + std::to_string(owner->uid), errno);
    }
    if ((now.st_mode & 07777) != mode && ::fchmod(dir.Get(), mode) != 0) {
        Throw("cannot set the mode of " + shown.string(), errno);
    }
    return dir;
}

Fd OpenFileAt(int parent, const std::string& name, int flags, mode_t mode) {
    return Fd(::openat(parent, name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode));
}

void RemoveTreeAt(int parent, const std::string& name, const fs::path& shown) {
    const auto st = StatAt(parent, name, shown);
    if (!st) {
        return;
    }
    if (S_ISDIR(st->st_mode)) {
        // O_NOFOLLOW: if the directory was swapped for a link since, the link itself is removed below.
        Fd dir(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (dir.Valid()) {
            for (const std::string& entry : List(dir.Get(), shown)) {
                RemoveTreeAt(dir.Get(), entry, shown / entry);
            }
        }
        if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) {
            return;
        }
        if (errno != ENOTDIR) {
            Throw("cannot remove " + shown.string(), errno);
        }
    }
    if (::unlinkat(parent, name.c_str(), 0) != 0 && errno != ENOENT) {
        Throw("cannot remove " + shown.string(), errno);
    }
}

bool IsEmptyDirectory(int dir, const fs::path& shown) { return List(dir, shown).empty(); }

void ChownTree(int dir, uid_t from, Owner to, const fs::path& shown) {
    const struct stat top = StatFd(dir, shown);
    if (top.st_uid != from) {
        return;
    }
    if (::fchown(dir, to.uid, to.gid) != 0) {
        Throw("cannot give " + shown.string() + " to uid " + std::to_string(to.uid), errno);
    }
    if ((top.st_mode & 022) != 0) {
        // Others could have put anything in it (a hard link to a file elsewhere, say): not entered.
        return;
    }
    for (const std::string& name : List(dir, shown)) {
        const fs::path path = shown / name;
        // O_PATH without following: the entry itself, even when it is a link; owner read from it.
        Fd entry(::openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!entry.Valid()) {
            continue;  // gone meanwhile
        }
        const struct stat st = StatFd(entry.Get(), path);
        if (st.st_uid != from) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            Fd sub(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub.Valid()) {
                continue;
            }
            const struct stat opened = StatFd(sub.Get(), path);
            if (opened.st_dev == st.st_dev && opened.st_ino == st.st_ino) {
                ChownTree(sub.Get(), from, to, path);
            }
            continue;
        }
        if (::fchownat(entry.Get(), "", to.uid, to.gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
            Throw("cannot give " + path.string() + " to uid " + std::to_string(to.uid), errno);
        }
    }
}

}  // namespace strava1::db::safe_fs
