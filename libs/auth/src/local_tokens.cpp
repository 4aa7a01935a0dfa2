#include "strava1/auth/local_tokens.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <system_error>

#include "claims.hpp"
#include "strava1/base/crypto.hpp"

namespace strava1::auth {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;
constexpr std::size_t kJtiBytes = 16;
constexpr std::size_t kMaxJtiBytes = 128;

[[noreturn]] void ThrowErrno(const std::string& what, const fs::path& path) {
    throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

/// Closes a descriptor on scope exit.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int Get() const noexcept { return fd_; }

private:
    int fd_;
};

/// Overwrites key material before the buffer is released.
class Scrubbed {
public:
    std::string text;
    ~Scrubbed() { OPENSSL_cleanse(text.data(), text.size()); }
};

void CreateMissingDirectories(const fs::path& dir) {
    if (dir.empty()) {
        return;
    }
    fs::path prefix;
    for (const auto& part : dir) {
        prefix /= part;
        if (::mkdir(prefix.c_str(), 0700) == 0) {
            // umask may have removed bits; a key directory must be exactly owner-only.
            if (::chmod(prefix.c_str(), 0700) != 0) {
                ThrowErrno("cannot chmod key directory", prefix);
            }
        } else if (errno != EEXIST) {
            ThrowErrno("cannot create key directory", prefix);
        }
    }
}

/// nullopt when the file does not exist.
std::optional<PrivateKey> ReadKeyFile(const fs::path& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.Get() < 0) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        ThrowErrno("cannot open signing key", path);
    }
    struct stat st {};
    if (::fstat(fd.Get(), &st) != 0) {
        ThrowErrno("cannot stat signing key", path);
    }
    if (!S_ISREG(st.st_mode)) {
        throw std::runtime_error("signing key " + path.string() + " is not a regular file");
    }
    if ((st.st_mode & 077) != 0) {
        throw std::runtime_error("signing key " + path.string() +
                                 " is accessible by group or others; run chmod 600 on it");
    }
    if (st.st_size <= 0 || static_cast<std::size_t>(st.st_size) > kMaxKeyFileBytes) {
        throw std::runtime_error("signing key " + path.string() + " has an implausible size");
    }
    Scrubbed pem;
    pem.text.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < pem.text.size()) {
        ssize_t n = ::read(fd.Get(), pem.text.data() + done, pem.text.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ThrowErrno("cannot read signing key", path);
        }
        done += static_cast<std::size_t>(n);
    }
    auto key = PrivateKey::FromPem(pem.text);
    if (!key || key->KeyType() != PublicKey::Type::kEcP256) {
        throw std::runtime_error("signing key " + path.string() + " is not an unencrypted P-256 private key PEM");
    }
    return key;
}

void WriteAll(int fd, std::string_view data, const fs::path& path) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ThrowErrno("cannot write signing key", path);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

/// Removes a temporary file on scope exit.
class TempFile {
public:
    explicit TempFile(fs::path path) : path_(std::move(path)) {}
    ~TempFile() { ::unlink(path_.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const fs::path& Path() const noexcept { return path_; }

private:
    fs::path path_;
};

/// Writes a new key next to `path` and links it into place. Returns false when another process
/// created `path` first (the caller then reads that one).
bool CreateKeyFile(const fs::path& path, const PrivateKey& key) {
    fs::path tmp_path = path;
    tmp_path += ".tmp-" + crypto::Hex(crypto::RandomBytes(8));
    Fd fd(::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.Get() < 0) {
        ThrowErrno("cannot create signing key", tmp_path);
    }
    TempFile tmp(tmp_path);
    if (::fchmod(fd.Get(), 0600) != 0) {
        ThrowErrno("cannot chmod signing key", tmp.Path());
    }
    Scrubbed pem{key.ToPem()};
    WriteAll(fd.Get(), pem.text, tmp.Path());
    if (::fsync(fd.Get()) != 0) {
        ThrowErrno("cannot fsync signing key", tmp.Path());
    }
    // link() fails with EEXIST instead of replacing, unlike rename(): the first creator wins.
    if (::link(tmp.Path().c_str(), path.c_str()) != 0) {
        if (errno == EEXIST) {
            return false;
        }
        ThrowErrno("cannot install signing key", path);
    }
    fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.Get() >= 0) {
        ::fsync(dir_fd.Get());
    }
    return true;
}

TokenFailure Fail(TokenError error, std::string reason) { return TokenFailure{error, std::move(reason)}; }

}  // namespace

PrivateKey LoadOrCreateSigningKey(const std::filesystem::path& path) {
    if (auto existing = ReadKeyFile(path)) {
        return *existing;
    }
    CreateMissingDirectories(path.parent_path());
    PrivateKey key = PrivateKey::GenerateEs256();
    if (CreateKeyFile(path, key)) {
        return key;
    }
    if (auto existing = ReadKeyFile(path)) {
        return *existing;
    }
    throw std::runtime_error("signing key " + path.string() + " vanished while being created");
}

std::string LocalKeyId(const PublicKey& key) { return key.Thumbprint(); }

boost::json::object LocalPublicJwk(const PublicKey& key) {
    boost::json::object jwk = key.ToJwk();
    jwk["kid"] = LocalKeyId(key);
    jwk["alg"] = JwtAlgorithmName(JwtAlgorithm::kEs256);
    jwk["use"] = "sig";
    return jwk;
}

// ---------------------------------------------------------------------------------------------

LocalTokenIssuer::LocalTokenIssuer(PrivateKey key, const Clock& clock, std::chrono::seconds ttl)
    : key_(std::move(key)), clock_(clock), ttl_(ttl) {
    if (key_.KeyType() != PublicKey::Type::kEcP256) {
        throw std::invalid_argument("LocalTokenIssuer needs a P-256 key");
    }
    if (ttl_.count() <= 0) {
        throw std::invalid_argument("LocalTokenIssuer needs a positive ttl");
    }
    kid_ = LocalKeyId(key_.Public());
}

IssuedToken LocalTokenIssuer::Issue(std::string_view user_id, std::int64_t session_id) const {
    if (user_id.empty() || user_id.size() > detail::kMaxSubjectBytes) {
        throw std::invalid_argument("Issue: user_id must be 1..128 bytes");
    }
    if (session_id <= 0) {
        throw std::invalid_argument("Issue: session_id must be positive");
    }
    IssuedToken issued;
    // Whole seconds: NumericDate claims carry no fraction, so the returned times match the token.
    issued.issued_at = std::chrono::time_point_cast<std::chrono::seconds>(clock_.Now());
    issued.expires_at = issued.issued_at + ttl_;
    issued.jti = crypto::Base64UrlEncode(crypto::RandomBytes(kJtiBytes));

    boost::json::object header;
    header["typ"] = "JWT";
    header["kid"] = kid_;
    boost::json::object payload;
    payload["iss"] = kLocalIssuer;
    payload["aud"] = kLocalAudience;
    payload["sub"] = user_id;
    payload["sid"] = session_id;
    payload["iat"] = UnixSeconds(issued.issued_at);
    payload["exp"] = UnixSeconds(issued.expires_at);
    payload["jti"] = issued.jti;
    issued.token = SignJwt(JwtAlgorithm::kEs256, std::move(header), payload, key_);
    return issued;
}

boost::json::object LocalTokenIssuer::PublicJwk() const { return LocalPublicJwk(key_.Public()); }

// ---------------------------------------------------------------------------------------------

LocalTokenVerifier::LocalTokenVerifier(PublicKey key, const Clock& clock) : key_(std::move(key)), clock_(clock) {
    if (key_.KeyType() != PublicKey::Type::kEcP256) {
        throw std::invalid_argument("LocalTokenVerifier needs a P-256 key");
    }
    kid_ = LocalKeyId(key_);
}

TokenResult<LocalTokenClaims> LocalTokenVerifier::Verify(std::string_view token) const {
    auto parsed = ParseJwt(token);
    if (!parsed) {
        return std::move(parsed).Failure();
    }
    const Jwt& jwt = parsed.Value();
    if (jwt.alg != JwtAlgorithmName(JwtAlgorithm::kEs256)) {
        return Fail(TokenError::kAlgorithmNotAllowed, "alg " + jwt.alg.substr(0, 16) + " not accepted, expected ES256");
    }
    if (!jwt.kid) {
        return Fail(TokenError::kMissingKeyId, "header kid is missing");
    }
    if (*jwt.kid != kid_) {
        return Fail(TokenError::kUnknownKeyId, "kid does not name the local signing key");
    }
    if (auto failure = VerifyJwtSignature(jwt, JwtAlgorithm::kEs256, key_)) {
        return std::move(*failure);
    }

    const boost::json::object& claims = jwt.payload;
    auto iss = detail::StringClaim(claims, "iss");
    if (!iss) {
        return std::move(iss).Failure();
    }
    if (iss.Value() != kLocalIssuer) {
        return Fail(TokenError::kWrongIssuer, "iss is not " + std::string(kLocalIssuer));
    }
    const auto* aud = claims.if_contains("aud");
    if (aud == nullptr) {
        return Fail(TokenError::kMissingClaim, "claim aud is missing");
    }
    if (!aud->is_string() || aud->get_string() != kLocalAudience) {
        return Fail(TokenError::kWrongAudience, "aud is not " + std::string(kLocalAudience));
    }
    auto exp = detail::NumericDateClaim(claims, "exp");
    if (!exp) {
        return std::move(exp).Failure();
    }
    auto iat = detail::NumericDateClaim(claims, "iat");
    if (!iat) {
        return std::move(iat).Failure();
    }
    std::int64_t now = UnixSeconds(clock_.Now());
    if (auto failure = detail::CheckNotExpired(exp.Value(), now)) {
        return std::move(*failure);
    }
    if (auto failure = detail::CheckNotInFuture("iat", iat.Value(), now)) {
        return std::move(*failure);
    }
    auto sub = detail::SubjectClaim(claims);
    if (!sub) {
        return std::move(sub).Failure();
    }
    const auto* sid = claims.if_contains("sid");
    if (sid == nullptr) {
        return Fail(TokenError::kMissingClaim, "claim sid is missing");
    }
    std::int64_t session_id = 0;
    if (sid->is_int64()) {
        session_id = sid->get_int64();
    } else if (sid->is_uint64() &&
               sid->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        session_id = static_cast<std::int64_t>(sid->get_uint64());
    }
    if (session_id <= 0) {
        return Fail(TokenError::kInvalidClaim, "sid must be a positive integer");
    }
    auto jti = detail::StringClaim(claims, "jti");
    if (!jti) {
        return std::move(jti).Failure();
    }
    if (jti.Value().empty() || jti.Value().size() > kMaxJtiBytes) {
        return Fail(TokenError::kInvalidClaim, "jti must be 1..128 bytes");
    }

    LocalTokenClaims result;
    result.user_id = std::move(sub).Value();
    result.session_id = session_id;
    result.jti = std::move(jti).Value();
    result.issued_at = SystemTime(std::chrono::seconds(iat.Value()));
    result.expires_at = SystemTime(std::chrono::seconds(exp.Value()));
    return result;
}

}  // namespace strava1::auth
