#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "strava1/base/clock.hpp"
#include "strava1/storage/object_store.hpp"

namespace strava1::storage {

/// The method a signed URL grants.
enum class SignedMethod { kGet, kPut };

/// The query parameters of a signed URL, percent-decoded. Missing parameters are nullopt.
struct SignedQuery {
    std::optional<std::string> expires;       ///< "expires": Unix seconds
    std::optional<std::string> sig;           ///< "sig": base64url HMAC-SHA256
    std::optional<std::string> filename;      ///< "filename": GET only, optional
    std::optional<std::string> content_type;  ///< "content_type": PUT only, required
    std::optional<std::string> max_bytes;     ///< "max_bytes": PUT only, required
};

/// Splits a raw query string ("a=1&b=2", no leading '?') into a SignedQuery. nullopt when it is
/// malformed: bad percent-encoding, a repeated or unknown parameter, a parameter without '='.
std::optional<SignedQuery> ParseSignedQuery(std::string_view raw_query);

enum class SignedUrlVerdict {
    kValid,
    kMalformed,     ///< a required parameter is missing or unparsable, or the key is invalid
    kBadSignature,  ///< the signature does not match (tampered key, method, expiry or parameters)
    kExpired,       ///< genuine, but its expiry has passed
};

/// What a valid signed URL allows; the serving route enforces it (content type, body limit,
/// Content-Disposition).
struct SignedUrlGrant {
    SignedMethod method = SignedMethod::kGet;
    std::string key;
    std::int64_t expires_unix_s = 0;
    std::optional<std::string> download_filename;  ///< GET
    std::string content_type;                      ///< PUT
    std::uint64_t max_bytes = 0;                   ///< PUT
};

struct SignedUrlCheck {
    SignedUrlVerdict verdict = SignedUrlVerdict::kMalformed;
    SignedUrlGrant grant;  ///< filled only when verdict is kValid
};

/// Test seams for LocalObjectStore::Put. A hook that throws makes the Put fail at that point.
struct LocalStoreHooks {
    /// Called after half of the bytes have been written to the temporary data file.
    std::function<void()> after_partial_write;
    /// Called when both temporary files are complete and synced, just before the commit.
    std::function<void()> before_commit;
};

/// An ObjectStore on a local filesystem, with URLs served by our own server under
/// `base_url + "/v1/objects/<key>?expires=…&sig=…"`.
///
/// Layout: an object lives in `root/<hh>/<h>.meta` (JSON: key, size, sha256, content type,
/// created, data version) and `root/<hh>/<h>.<version>.data`, where h is the hex SHA-256 of the
/// key and hh its first two digits, so any valid key maps to a short, collision-free file name
/// and no key can reach outside the root. Put writes both files under temporary names in the
/// same directory and fsyncs them; the commit is renaming the metadata into place (then fsync of
/// the directory). Because each Put writes a fresh data version, the metadata always names a
/// complete data file: a crash or failure leaves the old object or the new one, never a mix. A
/// per-directory flock orders commits against readers and removal of the replaced data version,
/// also across processes sharing the root. A crash can leave unreferenced `.tmp-*` or data files
/// behind (never visible as objects).
///
/// Thread-safe; several processes may share one root. `clock` must outlive the store.
class LocalObjectStore final : public ObjectStore {
public:
    /// Creates `root_dir` if missing. An empty `base_url` (or "/") gives path-only URLs
    /// ("/v1/objects/…"), for a server that does not know the address its clients use. Throws
    /// Error(kInvalidArgument) for a signing key shorter than 32 bytes, Error(kInternal) when the
    /// root cannot be created.
    LocalObjectStore(std::filesystem::path root_dir, std::string signing_key, std::string base_url, const Clock& clock,
                     LocalStoreHooks hooks = {});

    ObjectInfo Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
    std::optional<std::string> Get(std::string_view key) override;
    std::optional<ObjectInfo> Stat(std::string_view key) override;
    void Delete(std::string_view key) override;
    SignedUrl SignedGetUrl(std::string_view key, std::chrono::seconds expires_in,
                           std::optional<std::string_view> download_filename) override;
    SignedUrl SignedPutUrl(std::string_view key, std::chrono::seconds expires_in, std::string_view content_type,
                           std::uint64_t max_bytes) override;

    /// Checks a request against a URL made by SignedGetUrl/SignedPutUrl with the same signing key.
    /// `key` is the path after "/v1/objects/". The signature is compared in constant time and
    /// checked before the expiry, so a tampered expiry is kBadSignature, not kExpired. A URL is
    /// valid up to and including its `expires` second.
    SignedUrlCheck VerifySignedUrl(SignedMethod method, std::string_view key, const SignedQuery& query,
                                   SystemTime now) const;

    const std::filesystem::path& Root() const noexcept { return root_; }

private:
    std::string Sign(const SignedUrlGrant& grant) const;

    std::filesystem::path root_;
    std::string signing_key_;
    std::string base_url_;
    const Clock& clock_;
    LocalStoreHooks hooks_;
};

/// The string a signed URL's HMAC-SHA256 covers:
/// "strava1-object-url-v1\n<METHOD>\n<key>\n<expires>\n" followed for GET by the download filename
/// (empty when none) and for PUT by "<content type>\n<max bytes>". No field can contain '\n', so
/// the encoding is unambiguous.
std::string CanonicalSignedString(const SignedUrlGrant& grant);

/// Why `filename` is unusable as a download name (empty, over 255 bytes, not printable ASCII, or
/// containing '"', '\\' or '/'), or nullopt.
std::optional<std::string> DownloadFilenameProblem(std::string_view filename);

}  // namespace strava1::storage
