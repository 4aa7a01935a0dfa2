#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "strava1/base/clock.hpp"

namespace strava1::storage {

/// Longest accepted object key, in bytes (S3 allows 1024; we keep room for prefixes).
inline constexpr std::size_t kMaxKeyBytes = 512;
/// Longest lifetime of a signed URL (the AWS SigV4 pre-signed URL maximum, so both stores agree).
inline constexpr std::chrono::seconds kMaxSignedUrlLifetime{7 * 24 * 3600};

/// What a store knows about one stored object.
struct ObjectInfo {
    std::string key;
    std::uint64_t size_bytes = 0;
    std::string sha256_hex;    ///< lower-case hex SHA-256 of the bytes
    std::string content_type;  ///< as given to Put, e.g. "image/jpeg"
    SystemTime created;        ///< when the current version was written (millisecond precision)

    bool operator==(const ObjectInfo&) const = default;
};

/// A URL a client can use directly, without our credentials, until `expires_at`.
struct SignedUrl {
    std::string url;
    SystemTime expires_at;
};

/// Why `key` is not a valid object key, or nullopt when it is. Rules: non-empty, at most
/// kMaxKeyBytes, '/'-separated segments of [A-Za-z0-9._-], no empty segment (so no leading or
/// trailing '/' and no "//"), no "." or ".." segment.
std::optional<std::string> KeyProblem(std::string_view key);

/// Throws Error(kInvalidArgument) naming the rule `key` breaks.
void ValidateKey(std::string_view key);

/// Why `content_type` is unusable (empty, over 255 bytes, or not printable ASCII), or nullopt.
std::optional<std::string> ContentTypeProblem(std::string_view content_type);

/// An object store: opaque bytes under validated keys, plus URLs that let a client read or write
/// one object directly for a limited time. Implementations: LocalObjectStore (files under a root
/// directory, URLs HMAC-signed and served by our own server) and, later, an S3 store (AWS SigV4
/// pre-signed URLs against any S3-compatible service).
///
/// The API is synchronous and may block on disk or network: call it from the CPU pool, never from
/// an I/O thread. Every implementation is safe to call concurrently from any number of threads.
/// Writes are atomic: a reader sees the old object, the new one or none, never a mix.
///
/// Every method throws Error(kInvalidArgument) for an invalid key or argument, and
/// Error(kInternal)/Error(kUnavailable) when the backing storage fails.
class ObjectStore {
public:
    virtual ~ObjectStore() = default;

    /// Stores `bytes` under `key`, replacing any previous object.
    virtual ObjectInfo Put(std::string_view key, std::string_view bytes, std::string_view content_type) = 0;

    /// The bytes under `key`, or nullopt when there is no such object.
    virtual std::optional<std::string> Get(std::string_view key) = 0;

    /// The metadata of `key`, or nullopt when there is no such object.
    virtual std::optional<ObjectInfo> Stat(std::string_view key) = 0;

    /// Removes `key`. Idempotent: removing a missing key succeeds.
    virtual void Delete(std::string_view key) = 0;

    /// A URL for GET of `key`, valid for `expires_in` (1 s to kMaxSignedUrlLifetime). With a
    /// `download_filename` the response asks the browser to save under that name. The object need
    /// not exist yet.
    virtual SignedUrl SignedGetUrl(std::string_view key, std::chrono::seconds expires_in,
                                   std::optional<std::string_view> download_filename) = 0;

    /// A URL for PUT of `key` with exactly `content_type` and a body of at most `max_bytes` (> 0),
    /// valid for `expires_in` (1 s to kMaxSignedUrlLifetime).
    virtual SignedUrl SignedPutUrl(std::string_view key, std::chrono::seconds expires_in, std::string_view content_type,
                                   std::uint64_t max_bytes) = 0;
};

}  // namespace strava1::storage
