#include "strava1/storage/local_store.hpp"

#include <boost/json.hpp>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>
#include <utility>
#include <vector>

#include "strava1/base/crypto.hpp"
#include "strava1/base/error.hpp"

namespace strava1::storage {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCanonicalPrefix = "strava1-object-url-v1\n";
constexpr std::size_t kMinSigningKeyBytes = 32;
constexpr int kMetaFormatVersion = 1;

// The client sees a generic message; the path and errno go to the log only.
[[noreturn]] void ThrowIo(std::string_view what, const fs::path& path, int err) {
    throw Error(ErrorKind::kInternal, "object storage failed", {},
                std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

[[noreturn]] void ThrowCorrupt(const fs::path& path, std::string_view why) {
    throw Error(ErrorKind::kInternal, "object storage failed", {},
                "corrupt object " + path.string() + ": " + std::string(why));
}

class Fd {
public:
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd& operator=(Fd&&) = delete;
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    int Get() const noexcept { return fd_; }
    int Release() noexcept { return std::exchange(fd_, -1); }
    bool Valid() const noexcept { return fd_ >= 0; }
    /// Closes now, reporting the error (close can surface delayed write errors).
    void Close(const fs::path& path) {
        int fd = std::exchange(fd_, -1);
        if (::close(fd) != 0) {
            ThrowIo("close", path, errno);
        }
    }

private:
    int fd_;
};

Fd OpenOrThrow(const fs::path& path, int flags, mode_t mode = 0) {
    Fd fd(::open(path.c_str(), flags | O_CLOEXEC, mode));
    if (!fd.Valid()) {
        ThrowIo("open", path, errno);
    }
    return fd;
}

void WriteAll(int fd, const fs::path& path, std::string_view bytes, const std::function<void()>& at_half) {
    std::size_t written = 0;
    std::size_t half = bytes.size() / 2;
    bool hook_done = !at_half;
    while (written < bytes.size() || !hook_done) {
        if (!hook_done && written >= half) {
            hook_done = true;
            at_half();
            continue;
        }
        std::size_t limit = hook_done ? bytes.size() : half;
        ssize_t n = ::write(fd, bytes.data() + written, limit - written);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            ThrowIo("write", path, errno);
        }
        written += static_cast<std::size_t>(n);
    }
}

void SyncOrThrow(int fd, const fs::path& path) {
    if (::fsync(fd) != 0) {
        ThrowIo("fsync", path, errno);
    }
}

void SyncDir(const fs::path& dir) {
    Fd fd = OpenOrThrow(dir, O_RDONLY | O_DIRECTORY);
    SyncOrThrow(fd.Get(), dir);
}

/// Writes a new file (which must not exist) and fsyncs it.
void WriteNewFile(const fs::path& path, std::string_view bytes, const std::function<void()>& at_half) {
    Fd fd = OpenOrThrow(path, O_WRONLY | O_CREAT | O_EXCL, 0640);
    WriteAll(fd.Get(), path, bytes, at_half);
    SyncOrThrow(fd.Get(), path);
    fd.Close(path);
}

/// The whole file, or nullopt when it does not exist.
std::optional<std::string> ReadFile(const fs::path& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.Valid()) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        ThrowIo("open", path, errno);
    }
    struct stat st {};
    if (::fstat(fd.Get(), &st) != 0) {
        ThrowIo("fstat", path, errno);
    }
    std::string out;
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (true) {
        if (done == out.size()) {
            // The file may have grown since fstat; keep reading until EOF.
            out.resize(out.size() + 4096);
        }
        ssize_t n = ::read(fd.Get(), out.data() + done, out.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            ThrowIo("read", path, errno);
        }
        if (n == 0) {
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return out;
}

void UnlinkIfPresent(const fs::path& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        ThrowIo("unlink", path, errno);
    }
}

/// An flock on `<shard>/.lock`, ordering commits against readers of every key in the shard, across
/// threads (each lock is its own open file description) and processes.
class ShardLock {
public:
    /// nullopt when the shard directory does not exist and `create` is false.
    static std::optional<ShardLock> Acquire(const fs::path& shard, bool exclusive) {
        fs::path lock_path = shard / ".lock";
        Fd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
        if (!fd.Valid()) {
            if (errno == ENOENT) {
                return std::nullopt;
            }
            ThrowIo("open", lock_path, errno);
        }
        while (::flock(fd.Get(), exclusive ? LOCK_EX : LOCK_SH) != 0) {
            if (errno != EINTR) {
                ThrowIo("flock", lock_path, errno);
            }
        }
        return ShardLock(fd.Release());
    }

    ShardLock(ShardLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    ShardLock(const ShardLock&) = delete;
    ShardLock& operator=(const ShardLock&) = delete;
    ShardLock& operator=(ShardLock&&) = delete;
    // Closing the descriptor releases the lock.
    ~ShardLock() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }

private:
    explicit ShardLock(int fd) noexcept : fd_(fd) {}
    int fd_;
};

struct ObjectPaths {
    fs::path shard;
    std::string stem;  // hex SHA-256 of the key
    fs::path meta;

    fs::path Data(std::string_view version) const { return shard / (stem + "." + std::string(version) + ".data"); }
    fs::path Temp() const { return shard / (".tmp-" + stem + "-" + crypto::Hex(crypto::RandomBytes(8))); }
};

ObjectPaths PathsFor(const fs::path& root, std::string_view key) {
    std::string stem = crypto::Hex(crypto::Sha256(key));
    fs::path shard = root / stem.substr(0, 2);
    fs::path meta = shard / (stem + ".meta");
    return ObjectPaths{std::move(shard), std::move(stem), std::move(meta)};
}

/// Removes the temporary files of a Put that did not commit.
class TempFiles {
public:
    TempFiles() = default;
    TempFiles(const TempFiles&) = delete;
    TempFiles& operator=(const TempFiles&) = delete;
    ~TempFiles() {
        for (const auto& path : paths_) {
            ::unlink(path.c_str());
        }
    }
    void Add(fs::path path) { paths_.push_back(std::move(path)); }
    void Replace(const fs::path& from, fs::path to) {
        for (auto& path : paths_) {
            if (path == from) {
                path = std::move(to);
                return;
            }
        }
    }
    void Forget() { paths_.clear(); }

private:
    std::vector<fs::path> paths_;
};

std::string SerializeMeta(const ObjectInfo& info, std::string_view data_version) {
    boost::json::object obj;
    obj["v"] = kMetaFormatVersion;
    obj["key"] = info.key;
    obj["size"] = info.size_bytes;
    obj["sha256"] = info.sha256_hex;
    obj["content_type"] = info.content_type;
    obj["created_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(info.created.time_since_epoch()).count();
    obj["data"] = data_version;
    return boost::json::serialize(obj);
}

struct ParsedMeta {
    ObjectInfo info;
    std::string data_version;
};

ParsedMeta ParseMeta(const fs::path& path, std::string_view text) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(text, ec);
    if (ec || !value.is_object()) {
        ThrowCorrupt(path, "metadata is not a JSON object");
    }
    const auto& obj = value.get_object();
    auto str = [&](std::string_view name) -> std::string {
        const auto* field = obj.if_contains(name);
        if (field == nullptr || !field->is_string()) {
            ThrowCorrupt(path, "metadata field " + std::string(name));
        }
        return std::string(field->get_string());
    };
    auto integer = [&](std::string_view name) -> std::int64_t {
        const auto* field = obj.if_contains(name);
        if (field == nullptr || !field->is_int64() || field->get_int64() < 0) {
            ThrowCorrupt(path, "metadata field " + std::string(name));
        }
        return field->get_int64();
    };
    if (integer("v") != kMetaFormatVersion) {
        ThrowCorrupt(path, "unknown metadata version");
    }
    ParsedMeta meta;
    meta.info.key = str("key");
    meta.info.size_bytes = static_cast<std::uint64_t>(integer("size"));
    meta.info.sha256_hex = str("sha256");
    meta.info.content_type = str("content_type");
    meta.info.created = SystemTime{std::chrono::milliseconds(integer("created_ms"))};
    meta.data_version = str("data");
    if (meta.data_version.empty() || meta.data_version.find('/') != std::string::npos) {
        ThrowCorrupt(path, "metadata field data");
    }
    return meta;
}

std::optional<ParsedMeta> LoadMeta(const ObjectPaths& paths, std::string_view key) {
    auto text = ReadFile(paths.meta);
    if (!text) {
        return std::nullopt;
    }
    ParsedMeta meta = ParseMeta(paths.meta, *text);
    if (meta.info.key != key) {
        ThrowCorrupt(paths.meta, "metadata names another key");
    }
    return meta;
}

bool IsUnreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

std::string PercentEncode(std::string_view text) {
    constexpr std::string_view kHex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (IsUnreserved(c)) {
            out += c;
        } else {
            auto byte = static_cast<unsigned char>(c);
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0x0f];
        }
    }
    return out;
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

std::optional<std::string> PercentDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t idx = 0; idx < text.size(); ++idx) {
        if (text[idx] != '%') {
            out += text[idx];
            continue;
        }
        if (idx + 2 >= text.size()) {
            return std::nullopt;
        }
        int high = HexDigit(text[idx + 1]);
        int low = HexDigit(text[idx + 2]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        out += static_cast<char>((high << 4) | low);
        idx += 2;
    }
    return out;
}

/// Strict unsigned decimal: digits only (no sign), fits in T.
template <class T>
std::optional<T> ParseUnsigned(std::string_view text) {
    if (text.empty() || text.size() > 19) {
        return std::nullopt;
    }
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
    }
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

void CheckLifetime(std::chrono::seconds expires_in) {
    if (expires_in < std::chrono::seconds(1) || expires_in > kMaxSignedUrlLifetime) {
        throw InvalidField("expires_in",
                           "must be between 1 and " + std::to_string(kMaxSignedUrlLifetime.count()) + " seconds");
    }
}

}  // namespace

std::optional<std::string> DownloadFilenameProblem(std::string_view filename) {
    if (filename.empty()) {
        return "must not be empty";
    }
    if (filename.size() > 255) {
        return "must be at most 255 bytes";
    }
    for (char c : filename) {
        if (c < 0x20 || c > 0x7e) {
            return "must be printable ASCII";
        }
        if (c == '"' || c == '\\' || c == '/') {
            return "must not contain '\"', '\\' or '/'";
        }
    }
    return std::nullopt;
}

std::string CanonicalSignedString(const SignedUrlGrant& grant) {
    std::string out(kCanonicalPrefix);
    out += grant.method == SignedMethod::kGet ? "GET" : "PUT";
    out += '\n';
    out += grant.key;
    out += '\n';
    out += std::to_string(grant.expires_unix_s);
    out += '\n';
    if (grant.method == SignedMethod::kGet) {
        out += grant.download_filename.value_or("");
    } else {
        out += grant.content_type;
        out += '\n';
        out += std::to_string(grant.max_bytes);
    }
    return out;
}

std::optional<SignedQuery> ParseSignedQuery(std::string_view raw_query) {
    SignedQuery query;
    while (!raw_query.empty()) {
        std::size_t amp = raw_query.find('&');
        std::string_view pair = raw_query.substr(0, amp);
        raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
        std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) {
            return std::nullopt;
        }
        std::string_view name = pair.substr(0, eq);
        auto value = PercentDecode(pair.substr(eq + 1));
        if (!value) {
            return std::nullopt;
        }
        std::optional<std::string>* slot = nullptr;
        if (name == "expires") {
            slot = &query.expires;
        } else if (name == "sig") {
            slot = &query.sig;
        } else if (name == "filename") {
            slot = &query.filename;
        } else if (name == "content_type") {
            slot = &query.content_type;
        } else if (name == "max_bytes") {
            slot = &query.max_bytes;
        } else {
            return std::nullopt;
        }
        if (slot->has_value()) {
            return std::nullopt;
        }
        *slot = std::move(*value);
    }
    return query;
}

LocalObjectStore::LocalObjectStore(std::filesystem::path root_dir, std::string signing_key, std::string base_url,
                                   const Clock& clock, LocalStoreHooks hooks)
    : root_(std::move(root_dir)),
      signing_key_(std::move(signing_key)),
      base_url_(std::move(base_url)),
      clock_(clock),
      hooks_(std::move(hooks)) {
    if (signing_key_.size() < kMinSigningKeyBytes) {
        throw InvalidField("signing_key", "must be at least " + std::to_string(kMinSigningKeyBytes) + " bytes");
    }
    while (!base_url_.empty() && base_url_.back() == '/') {
        base_url_.pop_back();
    }
    std::error_code ec;
    fs::create_directories(root_, ec);
    if (ec || !fs::is_directory(root_)) {
        ThrowIo("create directory", root_, ec ? ec.value() : ENOTDIR);
    }
}

ObjectInfo LocalObjectStore::Put(std::string_view key, std::string_view bytes, std::string_view content_type) {
    ValidateKey(key);
    if (auto problem = ContentTypeProblem(content_type)) {
        throw InvalidField("content_type", *problem);
    }
    ObjectPaths paths = PathsFor(root_, key);
    if (::mkdir(paths.shard.c_str(), 0750) == 0) {
        SyncDir(root_);
    } else if (errno != EEXIST) {
        ThrowIo("mkdir", paths.shard, errno);
    }

    ObjectInfo info;
    info.key = std::string(key);
    info.size_bytes = bytes.size();
    info.sha256_hex = crypto::Hex(crypto::Sha256(bytes));
    info.content_type = std::string(content_type);
    info.created = std::chrono::time_point_cast<std::chrono::milliseconds>(clock_.Now());
    std::string version = crypto::Hex(crypto::RandomBytes(8));

    TempFiles temps;
    fs::path temp_data = paths.Temp();
    temps.Add(temp_data);
    WriteNewFile(temp_data, bytes, hooks_.after_partial_write);
    fs::path temp_meta = paths.Temp();
    temps.Add(temp_meta);
    WriteNewFile(temp_meta, SerializeMeta(info, version), {});
    if (hooks_.before_commit) {
        hooks_.before_commit();
    }

    auto lock = ShardLock::Acquire(paths.shard, /*exclusive=*/true);
    if (!lock) {
        ThrowIo("lock", paths.shard, ENOENT);
    }
    std::optional<std::string> replaced_version;
    try {
        if (auto old = LoadMeta(paths, key)) {
            replaced_version = std::move(old->data_version);
        }
    } catch (const Error&) {
        // A corrupt old version is simply replaced; its data file (if any) stays as garbage.
    }
    fs::path data = paths.Data(version);
    if (::rename(temp_data.c_str(), data.c_str()) != 0) {
        ThrowIo("rename", temp_data, errno);
    }
    temps.Replace(temp_data, data);
    // The commit point: from here on readers see the new metadata, which names complete data.
    if (::rename(temp_meta.c_str(), paths.meta.c_str()) != 0) {
        ThrowIo("rename", temp_meta, errno);
    }
    temps.Forget();
    SyncDir(paths.shard);
    if (replaced_version && *replaced_version != version) {
        UnlinkIfPresent(paths.Data(*replaced_version));
    }
    return info;
}

std::optional<std::string> LocalObjectStore::Get(std::string_view key) {
    ValidateKey(key);
    ObjectPaths paths = PathsFor(root_, key);
    auto lock = ShardLock::Acquire(paths.shard, /*exclusive=*/false);
    if (!lock) {
        return std::nullopt;
    }
    auto meta = LoadMeta(paths, key);
    if (!meta) {
        return std::nullopt;
    }
    fs::path data_path = paths.Data(meta->data_version);
    auto data = ReadFile(data_path);
    if (!data) {
        ThrowCorrupt(data_path, "data file missing");
    }
    if (data->size() != meta->info.size_bytes) {
        ThrowCorrupt(data_path, "size " + std::to_string(data->size()) + " but metadata says " +
                                    std::to_string(meta->info.size_bytes));
    }
    return data;
}

std::optional<ObjectInfo> LocalObjectStore::Stat(std::string_view key) {
    ValidateKey(key);
    ObjectPaths paths = PathsFor(root_, key);
    auto lock = ShardLock::Acquire(paths.shard, /*exclusive=*/false);
    if (!lock) {
        return std::nullopt;
    }
    auto meta = LoadMeta(paths, key);
    if (!meta) {
        return std::nullopt;
    }
    return std::move(meta->info);
}

void LocalObjectStore::Delete(std::string_view key) {
    ValidateKey(key);
    ObjectPaths paths = PathsFor(root_, key);
    auto lock = ShardLock::Acquire(paths.shard, /*exclusive=*/true);
    if (!lock) {
        return;
    }
    std::optional<std::string> version;
    try {
        if (auto meta = LoadMeta(paths, key)) {
            version = std::move(meta->data_version);
        }
    } catch (const Error&) {
        // Corrupt metadata: remove it anyway, so the key reads as absent.
    }
    if (!version && !fs::exists(paths.meta)) {
        return;
    }
    UnlinkIfPresent(paths.meta);
    if (version) {
        UnlinkIfPresent(paths.Data(*version));
    }
    SyncDir(paths.shard);
}

SignedUrl LocalObjectStore::SignedGetUrl(std::string_view key, std::chrono::seconds expires_in,
                                         std::optional<std::string_view> download_filename) {
    ValidateKey(key);
    CheckLifetime(expires_in);
    SignedUrlGrant grant;
    grant.method = SignedMethod::kGet;
    grant.key = std::string(key);
    grant.expires_unix_s = UnixSeconds(clock_.Now()) + expires_in.count();
    if (download_filename) {
        if (auto problem = DownloadFilenameProblem(*download_filename)) {
            throw InvalidField("download_filename", *problem);
        }
        grant.download_filename = std::string(*download_filename);
    }
    std::string url = base_url_ + "/v1/objects/" + grant.key + "?expires=" + std::to_string(grant.expires_unix_s);
    if (grant.download_filename) {
        url += "&filename=" + PercentEncode(*grant.download_filename);
    }
    url += "&sig=" + Sign(grant);
    return SignedUrl{std::move(url), SystemTime{std::chrono::seconds(grant.expires_unix_s)}};
}

SignedUrl LocalObjectStore::SignedPutUrl(std::string_view key, std::chrono::seconds expires_in,
                                         std::string_view content_type, std::uint64_t max_bytes) {
    ValidateKey(key);
    CheckLifetime(expires_in);
    if (auto problem = ContentTypeProblem(content_type)) {
        throw InvalidField("content_type", *problem);
    }
    if (max_bytes == 0) {
        throw InvalidField("max_bytes", "must be positive");
    }
    SignedUrlGrant grant;
    grant.method = SignedMethod::kPut;
    grant.key = std::string(key);
    grant.expires_unix_s = UnixSeconds(clock_.Now()) + expires_in.count();
    grant.content_type = std::string(content_type);
    grant.max_bytes = max_bytes;
    std::string url = base_url_ + "/v1/objects/" + grant.key + "?expires=" + std::to_string(grant.expires_unix_s) +
                      "&content_type=" + PercentEncode(grant.content_type) +
                      "&max_bytes=" + std::to_string(grant.max_bytes) + "&sig=" + Sign(grant);
    return SignedUrl{std::move(url), SystemTime{std::chrono::seconds(grant.expires_unix_s)}};
}

SignedUrlCheck LocalObjectStore::VerifySignedUrl(SignedMethod method, std::string_view key, const SignedQuery& query,
                                                 SystemTime now) const {
    SignedUrlCheck malformed{SignedUrlVerdict::kMalformed, {}};
    if (KeyProblem(key) || !query.expires || !query.sig) {
        return malformed;
    }
    auto expires = ParseUnsigned<std::int64_t>(*query.expires);
    if (!expires) {
        return malformed;
    }
    SignedUrlGrant grant;
    grant.method = method;
    grant.key = std::string(key);
    grant.expires_unix_s = *expires;
    if (method == SignedMethod::kGet) {
        if (query.content_type || query.max_bytes) {
            return malformed;
        }
        if (query.filename) {
            if (DownloadFilenameProblem(*query.filename)) {
                return malformed;
            }
            grant.download_filename = *query.filename;
        }
    } else {
        if (query.filename || !query.content_type || !query.max_bytes || ContentTypeProblem(*query.content_type)) {
            return malformed;
        }
        auto max_bytes = ParseUnsigned<std::uint64_t>(*query.max_bytes);
        if (!max_bytes || *max_bytes == 0) {
            return malformed;
        }
        grant.content_type = *query.content_type;
        grant.max_bytes = *max_bytes;
    }
    auto given = crypto::Base64UrlDecode(*query.sig);
    std::string expected = crypto::HmacSha256(signing_key_, CanonicalSignedString(grant));
    // ConstantTimeEqual is OpenSSL's CRYPTO_memcmp; only the (public) length is compared eagerly.
    if (!given || !crypto::ConstantTimeEqual(*given, expected)) {
        return SignedUrlCheck{SignedUrlVerdict::kBadSignature, {}};
    }
    if (UnixSeconds(now) > grant.expires_unix_s) {
        return SignedUrlCheck{SignedUrlVerdict::kExpired, {}};
    }
    return SignedUrlCheck{SignedUrlVerdict::kValid, std::move(grant)};
}

std::string LocalObjectStore::Sign(const SignedUrlGrant& grant) const {
    return crypto::Base64UrlEncode(crypto::HmacSha256(signing_key_, CanonicalSignedString(grant)));
}

}  // namespace strava1::storage
