#pragma once

// Access tokens of the built-in (self-hosted) identity provider: ES256 JWTs signed with a key kept
// in the data directory. Sessions, passwords and revocation live in features/accounts; this file
// only mints and checks the tokens.

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "strava1/auth/jwt.hpp"
#include "strava1/base/clock.hpp"

namespace strava1::auth {

inline constexpr std::string_view kLocalIssuer = "strava1-local";
inline constexpr std::string_view kLocalAudience = "strava1";
/// Default access-token lifetime.
inline constexpr std::chrono::seconds kDefaultLocalTokenTtl{15 * 60};

/// Loads the ES256 (P-256) signing key at `path`, or creates it on first use: missing parent
/// directories are created with mode 0700 and the key file with mode 0600 (written to a temporary
/// file and linked into place, so concurrent first starts agree on one key). Directories that
/// already exist keep their mode. Throws std::runtime_error naming the path when the file cannot be
/// read or written, is not a P-256 private key, is not a regular file, or is readable or writable
/// by group/others. Blocking file I/O: call at start-up, not on an I/O thread.
PrivateKey LoadOrCreateSigningKey(const std::filesystem::path& path);

/// The key id of a local signing key: the RFC 7638 thumbprint of its public key.
std::string LocalKeyId(const PublicKey& key);

/// The public JWK of a local key with "kid", "alg":"ES256" and "use":"sig" added, as served to
/// clients and benchmark peers.
boost::json::object LocalPublicJwk(const PublicKey& key);

/// A freshly minted access token.
struct IssuedToken {
    std::string token;
    std::string jti;
    SystemTime issued_at;
    SystemTime expires_at;
};

/// Mints access tokens {iss, aud, sub, sid, iat, exp, jti} with header {alg: ES256, typ: JWT, kid}.
/// Thread-safe (immutable after construction). `clock` must outlive the issuer.
class LocalTokenIssuer {
public:
    /// Throws std::invalid_argument unless `key` is a P-256 key and `ttl` is positive.
    LocalTokenIssuer(PrivateKey key, const Clock& clock, std::chrono::seconds ttl = kDefaultLocalTokenTtl);

    /// Precondition (else std::invalid_argument): `user_id` is 1..128 bytes, `session_id` > 0.
    IssuedToken Issue(std::string_view user_id, std::int64_t session_id) const;

    const std::string& KeyId() const noexcept { return kid_; }
    PublicKey Public() const { return key_.Public(); }
    /// LocalPublicJwk() of this issuer's key.
    boost::json::object PublicJwk() const;

private:
    PrivateKey key_;
    const Clock& clock_;
    std::chrono::seconds ttl_;
    std::string kid_;
};

/// What a valid local access token says.
struct LocalTokenClaims {
    std::string user_id;      ///< `sub`
    std::int64_t session_id;  ///< `sid`; the caller checks that the session is still live
    std::string jti;
    SystemTime issued_at;
    SystemTime expires_at;
};

/// Verifies local access tokens: alg exactly ES256, kid equal to this key's, signature, iss, aud,
/// exp and iat with ≤ 60 s skew, sub 1..128 bytes, sid a positive integer, jti a non-empty string.
/// Thread-safe. `clock` must outlive the verifier.
class LocalTokenVerifier {
public:
    /// Throws std::invalid_argument unless `key` is a P-256 key.
    LocalTokenVerifier(PublicKey key, const Clock& clock);

    TokenResult<LocalTokenClaims> Verify(std::string_view token) const;

    const std::string& KeyId() const noexcept { return kid_; }

private:
    PublicKey key_;
    const Clock& clock_;
    std::string kid_;
};

}  // namespace strava1::auth
