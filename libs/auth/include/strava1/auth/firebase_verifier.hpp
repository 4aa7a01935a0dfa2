#pragma once

// Firebase ID token verification exactly as Google documents it for third-party JWT libraries
// ("Verify ID tokens using a third-party JWT library"): RS256 only, kid from Google's x509
// certificate set, aud = project id, iss = https://securetoken.google.com/<project id>, exp in the
// future, iat and auth_time in the past (all with ≤ 60 s skew), sub a non-empty string of at most
// 128 bytes. The certificate set is cached for its Cache-Control max-age.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "strava1/auth/jwt.hpp"
#include "strava1/base/clock.hpp"

namespace strava1::auth {

/// Google's published certificates for Firebase ID tokens (JSON object kid → PEM certificate).
inline constexpr std::string_view kFirebaseCertificatesUrl =
    "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com";
/// Issuer prefix; the project id follows.
inline constexpr std::string_view kFirebaseIssuerPrefix = "https://securetoken.google.com/";
/// Largest certificate document accepted.
inline constexpr std::size_t kMaxCertificateResponseBytes = 1024 * 1024;
/// Most certificates accepted in one document (Google publishes two or three).
inline constexpr std::size_t kMaxCertificates = 64;

/// One answer from a certificate endpoint, before any interpretation.
struct CertificateFetch {
    std::optional<std::string> error;  ///< set on a transport failure, a non-200 status or an oversized body
    std::string body;
    std::string cache_control;  ///< the Cache-Control header value; empty when absent
};

/// Where the verifier's certificates come from. Fetch() blocks; FirebaseVerifier calls it only on
/// its own worker thread and never twice at once. Implementations must bound its duration.
class CertificateSource {
public:
    virtual ~CertificateSource() = default;
    virtual CertificateFetch Fetch() = 0;
};

struct CurlCertificateSourceOptions {
    std::string url = std::string(kFirebaseCertificatesUrl);
    /// Whole-transfer limit (CURLOPT_TIMEOUT_MS); a stalled server fails the fetch after this.
    std::chrono::milliseconds timeout{10'000};
    std::size_t max_body_bytes = kMaxCertificateResponseBytes;
};

/// Fetches with libcurl: http(s) only, no redirects, TLS verification on, body capped, whole
/// transfer bounded by `timeout`. Safe to call from one thread at a time.
class CurlCertificateSource final : public CertificateSource {
public:
    explicit CurlCertificateSource(CurlCertificateSourceOptions options);
    CertificateFetch Fetch() override;

private:
    CurlCertificateSourceOptions options_;
};

/// Keys by kid; transparent lookup by string_view.
using KeyMap = std::map<std::string, PublicKey, std::less<>>;

/// Parses Google's certificate document: a non-empty JSON object (≤ kMaxCertificates members)
/// whose keys are kids of 1..256 bytes and whose values are each exactly one PEM X.509 certificate.
/// Any deviation rejects the whole document (kKeysUnavailable with the reason).
TokenResult<KeyMap> ParseCertificateSet(std::string_view body);

/// The `max-age` directive of a Cache-Control value ("public, max-age=22107, must-revalidate");
/// nullopt when absent or malformed.
std::optional<std::chrono::seconds> ParseMaxAge(std::string_view cache_control);

/// Decides whether the Firebase Auth Emulator mode (unsigned `alg: none` tokens) may be switched
/// on. nullopt means the configuration is consistent: emulator mode is then exactly `flag`.
/// Errors (the server must refuse to start): the flag without a non-empty emulator host
/// environment variable, the flag with a bind address that is not a loopback IP literal
/// (127.0.0.0/8, ::1), or the environment variable set while the flag is off (ambiguous intent).
/// `emulator_host_env` is the value of FIREBASE_AUTH_EMULATOR_HOST or null.
std::optional<std::string> CheckEmulatorGate(bool flag, const char* emulator_host_env, std::string_view bind_address);

struct FirebaseVerifierOptions {
    std::string project_id;  ///< required
    /// Accept only unsigned emulator tokens (alg "none", empty signature); never fetch keys.
    /// Switch on only after CheckEmulatorGate approved it.
    bool emulator_mode = false;
    /// At most one refetch for unknown kids per interval (while the cached set is still fresh).
    std::chrono::seconds unknown_kid_refetch_interval{60};
    /// After a failed fetch with no usable cache, tokens fail fast for this long before retrying.
    std::chrono::seconds fetch_failure_backoff{5};
    /// Cache lifetime when the response carries no max-age.
    std::chrono::seconds default_max_age{60};
    /// Upper bound on any max-age.
    std::chrono::seconds max_max_age{24 * 60 * 60};
};

/// What a valid Firebase ID token says about its user.
struct FirebaseUser {
    std::string uid;  ///< `sub`
    std::optional<std::string> email;
    std::optional<bool> email_verified;
    std::optional<std::string> sign_in_provider;  ///< `firebase.sign_in_provider`
    SystemTime auth_time;
    SystemTime issued_at;
    SystemTime expires_at;
};

/// Verifies Firebase ID tokens; see the top of this file for the rules.
///
/// Keys: a cache miss or an expired cache starts one fetch on the verifier's own worker thread and
/// every concurrent caller awaits that same fetch (single flight). An unknown kid while the cache is
/// fresh causes one refetch, at most once per `unknown_kid_refetch_interval`, then rejection. When a
/// fetch fails, keys cached earlier remain usable until their own expiry; otherwise verification
/// fails closed (kKeysUnavailable).
///
/// Thread-safety: Verify may be called concurrently from any number of threads and executors.
/// Lifetime: `source` is shared; `clock` must outlive the verifier; destroy the verifier before the
/// io_contexts of its callers, and only when no Verify is in progress (the destructor waits for a
/// running fetch to finish).
class FirebaseVerifier {
public:
    /// Throws std::invalid_argument on an empty project id or a null source (unless emulator mode).
    FirebaseVerifier(FirebaseVerifierOptions options, std::shared_ptr<CertificateSource> source, const Clock& clock);
    ~FirebaseVerifier();
    FirebaseVerifier(const FirebaseVerifier&) = delete;
    FirebaseVerifier& operator=(const FirebaseVerifier&) = delete;

    /// Verifies one token. Never blocks the calling thread; suspends only while keys are fetched.
    boost::asio::awaitable<TokenResult<FirebaseUser>> Verify(std::string token);

    /// Number of certificate fetches started so far (metrics, tests).
    std::uint64_t FetchCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace strava1::auth
