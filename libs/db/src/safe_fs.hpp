#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>

// Directory operations for a process running as root inside a tree another user (the `postgres`
// system user) can partly change (ADR 0003). Every operation works relative to a directory
// descriptor and never follows a symbolic link at the name it acts on, so a link planted by that
// user cannot redirect a chown, chmod, create or remove to a place outside the tree; ownership is
// read from the opened descriptor, so it cannot change between the check and the use.

namespace strava1::db::safe_fs {

/// A file descriptor closed on scope exit.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { Reset(); }
    Fd(Fd&& other) noexcept : fd_(other.Release()) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            Reset();
            fd_ = other.Release();
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int Get() const { return fd_; }
    bool Valid() const { return fd_ >= 0; }
    int Release() { return std::exchange(fd_, -1); }
    void Reset();

private:
    int fd_;
};

struct Owner {
    uid_t uid = 0;
    gid_t gid = 0;
};

/// Opens a directory by path, following links: only for paths no untrusted user can change.
/// Throws std::runtime_error naming the path.
Fd OpenDirectory(const std::filesystem::path& dir);

/// fstat of an open descriptor; throws naming `shown`.
struct stat StatFd(int fd, const std::filesystem::path& shown);

/// What `name` in `parent` is, without following a link at `name` (unless `follow`); nullopt when
/// there is nothing. Throws for other errors.
std::optional<struct stat> StatAt(int parent, const std::string& name, const std::filesystem::path& shown,
                                  bool follow = false);

/// Opens the directory `name` in `parent`; with `follow` false a symbolic link there is refused.
/// Throws naming `shown` when it is missing, a link or not a directory.
Fd OpenDirectoryAt(int parent, const std::string& name, const std::filesystem::path& shown, bool follow = false);

/// Makes `name` in `parent` a directory with `mode` belonging to `owner` (nullopt: whoever creates it):
/// created when missing; an existing directory is adjusted through its descriptor. A symbolic link
/// there is replaced by a directory (with `follow` false; it is followed with `follow` true);
/// anything else that is not a directory is an error. Returns the open directory.
Fd MakeDirectoryAt(int parent, const std::string& name, mode_t mode, std::optional<Owner> owner,
                   const std::filesystem::path& shown, bool follow = false);

/// openat(parent, name, flags | O_NOFOLLOW | O_CLOEXEC, mode). An invalid Fd (errno set) on failure.
Fd OpenFileAt(int parent, const std::string& name, int flags, mode_t mode = 0);

/// Removes `name` in `parent` and everything below it. Never follows a link: a link is removed, not
/// what it points at, and a directory swapped for a link while this runs is not entered. Nothing
/// there is fine. Throws naming `shown` when something cannot be removed.
void RemoveTreeAt(int parent, const std::string& name, const std::filesystem::path& shown);

/// True when the open directory has no entries besides "." and "..".
bool IsEmptyDirectory(int dir, const std::filesystem::path& shown);

/// Gives the open directory `dir` and everything below it that belongs to `from` to `to`. Links are
/// changed themselves, never what they point at; entries of other owners are left alone, and only
/// directories belonging to `from` that no one else can write are entered (so a hard link or a
/// directory another user placed in the tree is not touched).
void ChownTree(int dir, uid_t from, Owner to, const std::filesystem::path& shown);

}  // namespace strava1::db::safe_fs
