#pragma once

// Compact JWS (RFC 7515) parsing, verification and signing for the two algorithms the platform
// uses: RS256 (Firebase ID tokens) and ES256 (local tokens). There is deliberately no HMAC and no
// "none" here: a caller states the one algorithm it accepts and everything else is rejected.
// Bad tokens are values (TokenResult), never exceptions.

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY; kept opaque so this header does not pull in OpenSSL.

namespace strava1::auth {

/// Why a token was refused. Precise for logs and tests; clients only ever see "401 unauthenticated".
/// When adding, also update TokenErrorName() in jwt.cpp.
enum class TokenError {
    kTooLarge,             ///< the compact token is longer than kMaxTokenBytes
    kMalformed,            ///< not three base64url segments of JSON objects, or a bad header field
    kAlgorithmNotAllowed,  ///< header `alg` is not the one algorithm the caller accepts
    kMissingKeyId,         ///< header `kid` absent or empty where one is required
    kUnknownKeyId,         ///< `kid` names no known key (after any permitted refetch)
    kBadSignature,         ///< signature does not verify under the selected key
    kMissingClaim,         ///< a required claim is absent
    kInvalidClaim,         ///< a claim has the wrong type or an impossible value
    kExpired,              ///< `exp` is in the past beyond the allowed skew
    kIssuedInFuture,       ///< `iat` or `auth_time` is in the future beyond the allowed skew
    kWrongAudience,        ///< `aud` is not the expected audience
    kWrongIssuer,          ///< `iss` is not the expected issuer
    kBadSubject,           ///< `sub` is not a string of 1..128 bytes
    kKeysUnavailable,      ///< verification keys could not be obtained (fail closed)
};

/// Stable snake_case name of a TokenError ("bad_signature"), for logs and metrics.
std::string_view TokenErrorName(TokenError error) noexcept;

/// A refusal: the precise code plus a human-readable reason (safe to log; contains no key material).
struct TokenFailure {
    TokenError error;
    std::string reason;
};

/// Either a value or a TokenFailure. Accessing the wrong alternative is a programmer error
/// (throws std::bad_variant_access).
template <class T>
class TokenResult {
public:
    /// A failure ("no result"), so that a value-initialised result, such as the one Asio's co_spawn
    /// hands over when the coroutine threw, can never authenticate anyone.
    TokenResult() : state_(std::in_place_index<1>, TokenFailure{TokenError::kMalformed, "no result"}) {}
    /// Implicit on purpose, so that functions can `return value;` or `return failure;`.
    // NOLINTNEXTLINE(google-explicit-constructor)
    TokenResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    // NOLINTNEXTLINE(google-explicit-constructor)
    TokenResult(TokenFailure failure) : state_(std::in_place_index<1>, std::move(failure)) {}

    bool Ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return Ok(); }

    const T& Value() const& { return std::get<0>(state_); }
    T& Value() & { return std::get<0>(state_); }
    T&& Value() && { return std::get<0>(std::move(state_)); }

    const TokenFailure& Failure() const& { return std::get<1>(state_); }
    TokenFailure&& Failure() && { return std::get<1>(std::move(state_)); }
    /// Shorthands for Failure().error / Failure().reason.
    TokenError Code() const { return Failure().error; }
    const std::string& Reason() const { return Failure().reason; }

private:
    std::variant<T, TokenFailure> state_;
};

/// Hard limits applied before any cryptography.
inline constexpr std::size_t kMaxTokenBytes = 8 * 1024;
/// JSON nesting limit for the header and the payload (Firebase payloads nest 3 levels).
inline constexpr std::size_t kMaxJwtJsonDepth = 16;
/// Longest accepted `kid`.
inline constexpr std::size_t kMaxKeyIdBytes = 256;
/// Clock skew tolerated on exp / iat / auth_time.
inline constexpr std::chrono::seconds kMaxClockSkew{60};

/// The signature algorithms this module implements.
enum class JwtAlgorithm {
    kRs256,  ///< RSASSA-PKCS1-v1_5 with SHA-256, RSA keys of at least 2048 bits
    kEs256,  ///< ECDSA P-256 with SHA-256, JOSE raw r||s (64-byte) signatures
};

/// "RS256" / "ES256".
std::string_view JwtAlgorithmName(JwtAlgorithm alg) noexcept;

/// An immutable public key (RSA or EC P-256). Cheap to copy (shared ownership); safe to use from
/// several threads at once.
class PublicKey {
public:
    enum class Type { kRsa, kEcP256, kOther };

    /// SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"); nullopt when malformed.
    static std::optional<PublicKey> FromPem(std::string_view pem);
    /// The key inside one X.509 certificate PEM ("BEGIN CERTIFICATE"); nullopt when malformed or
    /// when anything but whitespace follows the certificate. Validity dates are not checked.
    static std::optional<PublicKey> FromCertificatePem(std::string_view pem);
    /// An EC P-256 JWK ({"kty":"EC","crv":"P-256","x","y"}); nullopt for anything else or a point
    /// not on the curve.
    static std::optional<PublicKey> FromJwk(const boost::json::object& jwk);

    Type KeyType() const noexcept { return type_; }
    /// RSA modulus size or EC field size in bits.
    int Bits() const noexcept;
    std::string ToPem() const;
    /// The RFC 7517 JWK with only the required members (RSA: e, kty, n; EC: crv, kty, x, y).
    /// Throws std::logic_error for Type::kOther.
    boost::json::object ToJwk() const;
    /// RFC 7638 JWK SHA-256 thumbprint, base64url. Throws std::logic_error for Type::kOther.
    std::string Thumbprint() const;

    /// Borrowed OpenSSL handle, for interop (tests building certificates). Never null.
    evp_pkey_st* NativeHandle() const noexcept { return key_.get(); }
    /// Takes ownership of an OpenSSL key (its reference is consumed). Throws std::invalid_argument on null.
    static PublicKey Adopt(evp_pkey_st* key);

private:
    explicit PublicKey(std::shared_ptr<evp_pkey_st> key);
    std::shared_ptr<evp_pkey_st> key_;
    Type type_;
};

/// An immutable private key (RSA or EC P-256). Cheap to copy; safe to sign with from several
/// threads at once.
class PrivateKey {
public:
    /// A fresh P-256 key from the OS CSPRNG. Throws std::runtime_error if OpenSSL fails.
    static PrivateKey GenerateEs256();
    /// A fresh RSA key (bits ≥ 2048). Slow (tens of ms); meant for tests and tools.
    static PrivateKey GenerateRsa(int bits = 2048);
    /// Unencrypted PKCS#8 ("BEGIN PRIVATE KEY") or traditional PEM; nullopt when malformed or
    /// encrypted (never prompts for a passphrase).
    static std::optional<PrivateKey> FromPem(std::string_view pem);

    PublicKey::Type KeyType() const noexcept { return type_; }
    /// Unencrypted PKCS#8 PEM. Handle like a password.
    std::string ToPem() const;
    PublicKey Public() const;

    /// Borrowed OpenSSL handle, for interop. Never null.
    evp_pkey_st* NativeHandle() const noexcept { return key_.get(); }

private:
    explicit PrivateKey(std::shared_ptr<evp_pkey_st> key);
    std::shared_ptr<evp_pkey_st> key_;
    PublicKey::Type type_;
};

/// A structurally valid compact JWS whose signature has NOT been checked yet.
struct Jwt {
    boost::json::object header;
    boost::json::object payload;
    std::string alg;                 ///< header "alg" (always present and a string)
    std::optional<std::string> kid;  ///< header "kid" when present (a string of 1..kMaxKeyIdBytes)
    std::string signing_input;       ///< "<header b64>.<payload b64>" exactly as received
    std::string signature;           ///< raw signature bytes (empty for an empty third segment)
};

/// Parses a compact JWS: ≤ kMaxTokenBytes, exactly three segments, strict base64url without
/// padding, header and payload JSON objects within kMaxJwtJsonDepth, header `alg` a string, `kid`
/// (if present) a non-empty string, no `crit` header. A JSON member name repeated within the header
/// or the payload makes the token malformed (RFC 7515 §4 allows rejecting; two parsers could
/// otherwise read different `alg` or `sub` values from one token). Never throws for bad input.
TokenResult<Jwt> ParseJwt(std::string_view token);

/// Checks that `jwt.alg` is exactly `expected`, that `key` fits the algorithm (RSA ≥ 2048 bits for
/// RS256, P-256 for ES256) and that the signature verifies. nullopt on success.
std::optional<TokenFailure> VerifyJwtSignature(const Jwt& jwt, JwtAlgorithm expected, const PublicKey& key);

/// Builds and signs a compact JWS. `header` may carry extra members (kid, typ); "alg" is set from
/// `alg`. Throws std::invalid_argument when the key does not fit the algorithm.
std::string SignJwt(JwtAlgorithm alg, boost::json::object header, const boost::json::object& payload,
                    const PrivateKey& key);

/// ECDSA signature format conversions for a 32-byte curve (P-256).
/// DER `ECDSA-Sig-Value` → JOSE r||s (64 bytes); nullopt when malformed or r/s do not fit.
std::optional<std::string> EcdsaDerToJose(std::string_view der);
/// JOSE r||s (exactly 64 bytes) → DER; nullopt for any other length.
std::optional<std::string> EcdsaJoseToDer(std::string_view jose);

}  // namespace strava1::auth
