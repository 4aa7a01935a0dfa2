#include "strava1/auth/jwt.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "ossl.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/base/error.hpp"
#include "strava1/base/json.hpp"

namespace strava1::auth {
namespace {

constexpr std::size_t kP256FieldBytes = 32;
constexpr int kMinRsaBits = 2048;

TokenFailure Fail(TokenError error, std::string reason) { return TokenFailure{error, std::move(reason)}; }

PublicKey::Type ClassifyKey(const EVP_PKEY* key) {
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
        return PublicKey::Type::kRsa;
    }
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
        return PublicKey::Type::kOther;
    }
    char group[80] = {};
    std::size_t group_len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &group_len) != 1) {
        return PublicKey::Type::kOther;
    }
    int nid = OBJ_txt2nid(group);
    if (nid == NID_undef) {
        nid = EC_curve_nist2nid(group);
    }
    return nid == NID_X9_62_prime256v1 ? PublicKey::Type::kEcP256 : PublicKey::Type::kOther;
}

std::shared_ptr<EVP_PKEY> Share(EVP_PKEY* key) { return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free); }

/// A read-only memory BIO over `text` (which must outlive it); null when `text` is too large.
ossl::Bio ReadBio(std::string_view text) {
    if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        return ossl::Bio(nullptr);
    }
    return ossl::Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

bool OnlyWhitespaceLeft(BIO* bio) {
    char buffer[256];
    int n = 0;
    while ((n = BIO_read(bio, buffer, sizeof(buffer))) > 0) {
        for (int char_idx = 0; char_idx < n; ++char_idx) {
            char c = buffer[char_idx];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return false;
            }
        }
    }
    return true;
}

std::string_view TrimLeft(std::string_view text) {
    while (!text.empty() &&
           (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' || text.front() == '\n')) {
        text.remove_prefix(1);
    }
    return text;
}

std::string BioContents(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(len));
}

std::string BigNumBytes(const BIGNUM* bn, int pad_to) {
    int len = pad_to > 0 ? pad_to : BN_num_bytes(bn);
    std::string out(static_cast<std::size_t>(len), '\0');
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    int written = pad_to > 0 ? BN_bn2binpad(bn, dst, len) : BN_bn2bin(bn, dst);
    if (written != len) {
        throw std::runtime_error("BN_bn2bin failed");
    }
    return out;
}

std::string GetBigNumParam(const EVP_PKEY* key, const char* name, int pad_to) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) {
        throw std::runtime_error(std::string("cannot read key parameter ") + name);
    }
    ossl::BigNum bn(raw);
    return BigNumBytes(bn.get(), pad_to);
}

bool KeyFits(JwtAlgorithm alg, PublicKey::Type type, int bits) {
    switch (alg) {
        case JwtAlgorithm::kRs256:
            return type == PublicKey::Type::kRsa && bits >= kMinRsaBits;
        case JwtAlgorithm::kEs256:
            return type == PublicKey::Type::kEcP256;
    }
    return false;
}

}  // namespace

std::string_view TokenErrorName(TokenError error) noexcept {
    switch (error) {
        case TokenError::kTooLarge:
            return "too_large";
        case TokenError::kMalformed:
            return "malformed";
        case TokenError::kAlgorithmNotAllowed:
            return "algorithm_not_allowed";
        case TokenError::kMissingKeyId:
            return "missing_key_id";
        case TokenError::kUnknownKeyId:
            return "unknown_key_id";
        case TokenError::kBadSignature:
            return "bad_signature";
        case TokenError::kMissingClaim:
            return "missing_claim";
        case TokenError::kInvalidClaim:
            return "invalid_claim";
        case TokenError::kExpired:
            return "expired";
        case TokenError::kIssuedInFuture:
            return "issued_in_future";
        case TokenError::kWrongAudience:
            return "wrong_audience";
        case TokenError::kWrongIssuer:
            return "wrong_issuer";
        case TokenError::kBadSubject:
            return "bad_subject";
        case TokenError::kKeysUnavailable:
            return "keys_unavailable";
    }
    return "unknown";
}

std::string_view JwtAlgorithmName(JwtAlgorithm alg) noexcept {
    switch (alg) {
        case JwtAlgorithm::kRs256:
            return "RS256";
        case JwtAlgorithm::kEs256:
            return "ES256";
    }
    return "";
}

// ---------------------------------------------------------------------------------------------
// PublicKey

PublicKey::PublicKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)), type_(ClassifyKey(key_.get())) {}

PublicKey PublicKey::Adopt(evp_pkey_st* key) {
    if (key == nullptr) {
        throw std::invalid_argument("PublicKey::Adopt: null key");
    }
    return PublicKey(Share(key));
}

std::optional<PublicKey> PublicKey::FromPem(std::string_view pem) {
    if (!TrimLeft(pem).starts_with("-----BEGIN PUBLIC KEY-----")) {
        return std::nullopt;
    }
    ossl::Bio bio = ReadBio(pem);
    if (!bio) {
        return std::nullopt;
    }
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    if (key == nullptr) {
        ossl::ClearErrors();
        return std::nullopt;
    }
    PublicKey result(Share(key));
    if (!OnlyWhitespaceLeft(bio.get())) {
        return std::nullopt;
    }
    return result;
}

std::optional<PublicKey> PublicKey::FromCertificatePem(std::string_view pem) {
    // PEM_read_bio_X509 skips anything before the BEGIN line; we want exactly one certificate.
    if (!TrimLeft(pem).starts_with("-----BEGIN CERTIFICATE-----")) {
        return std::nullopt;
    }
    ossl::Bio bio = ReadBio(pem);
    if (!bio) {
        return std::nullopt;
    }
    ossl::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        ossl::ClearErrors();
        return std::nullopt;
    }
    if (!OnlyWhitespaceLeft(bio.get())) {
        return std::nullopt;
    }
    EVP_PKEY* key = X509_get_pubkey(cert.get());
    if (key == nullptr) {
        ossl::ClearErrors();
        return std::nullopt;
    }
    return PublicKey(Share(key));
}

std::optional<PublicKey> PublicKey::FromJwk(const boost::json::object& jwk) {
    auto text = [&](std::string_view name) -> std::optional<std::string_view> {
        const auto* v = jwk.if_contains(name);
        if (v == nullptr || !v->is_string()) {
            return std::nullopt;
        }
        return std::string_view(v->get_string());
    };
    if (text("kty") != "EC" || text("crv") != "P-256" || jwk.contains("d")) {
        return std::nullopt;
    }
    auto x_text = text("x");
    auto y_text = text("y");
    if (!x_text || !y_text) {
        return std::nullopt;
    }
    auto x = crypto::Base64UrlDecode(*x_text);
    auto y = crypto::Base64UrlDecode(*y_text);
    if (!x || !y || x->size() != kP256FieldBytes || y->size() != kP256FieldBytes) {
        return std::nullopt;
    }
    std::string point = "\x04" + *x + *y;

    ossl::ParamBuilder builder(OSSL_PARAM_BLD_new());
    if (!builder || OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
        return std::nullopt;
    }
    ossl::Params params(OSSL_PARAM_BLD_to_param(builder.get()));
    ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        ossl::ClearErrors();
        return std::nullopt;
    }
    PublicKey result(Share(key));
    ossl::PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1 || result.KeyType() != Type::kEcP256) {
        ossl::ClearErrors();
        return std::nullopt;
    }
    return result;
}

int PublicKey::Bits() const noexcept { return EVP_PKEY_get_bits(key_.get()); }

std::string PublicKey::ToPem() const {
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
        throw std::runtime_error("PEM_write_bio_PUBKEY failed");
    }
    return BioContents(bio.get());
}

boost::json::object PublicKey::ToJwk() const {
    boost::json::object jwk;
    switch (type_) {
        case Type::kRsa:
            jwk["kty"] = "RSA";
            jwk["n"] = crypto::Base64UrlEncode(GetBigNumParam(key_.get(), OSSL_PKEY_PARAM_RSA_N, 0));
            jwk["e"] = crypto::Base64UrlEncode(GetBigNumParam(key_.get(), OSSL_PKEY_PARAM_RSA_E, 0));
            return jwk;
        case Type::kEcP256:
            jwk["kty"] = "EC";
            jwk["crv"] = "P-256";
            jwk["x"] = crypto::Base64UrlEncode(GetBigNumParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, kP256FieldBytes));
            jwk["y"] = crypto::Base64UrlEncode(GetBigNumParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, kP256FieldBytes));
            return jwk;
        case Type::kOther:
            break;
    }
    throw std::logic_error("ToJwk: unsupported key type");
}

std::string PublicKey::Thumbprint() const {
    // RFC 7638 §3: the required members only, in lexicographic order, no whitespace. Base64url
    // values never need JSON escaping, so the canonical form can be written directly.
    boost::json::object jwk = ToJwk();
    auto member = [&](std::string_view name) {
        return "\"" + std::string(name) + "\":\"" + std::string(jwk.at(name).as_string()) + "\"";
    };
    std::string canonical;
    if (type_ == Type::kRsa) {
        canonical = "{" + member("e") + "," + member("kty") + "," + member("n") + "}";
    } else {
        canonical = "{" + member("crv") + "," + member("kty") + "," + member("x") + "," + member("y") + "}";
    }
    return crypto::Base64UrlEncode(crypto::Sha256(canonical));
}

// ---------------------------------------------------------------------------------------------
// PrivateKey

PrivateKey::PrivateKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)), type_(ClassifyKey(key_.get())) {}

PrivateKey PrivateKey::GenerateEs256() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (key == nullptr) {
        throw std::runtime_error("P-256 key generation failed");
    }
    return PrivateKey(Share(key));
}

PrivateKey PrivateKey::GenerateRsa(int bits) {
    if (bits < kMinRsaBits) {
        throw std::invalid_argument("RSA keys must have at least 2048 bits");
    }
    EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
    if (key == nullptr) {
        throw std::runtime_error("RSA key generation failed");
    }
    return PrivateKey(Share(key));
}

std::optional<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
    ossl::Bio bio = ReadBio(pem);
    if (!bio) {
        return std::nullopt;
    }
    // A passphrase callback that supplies nothing: encrypted keys fail instead of prompting on a tty.
    auto no_passphrase = [](char*, int, int, void*) -> int { return 0; };
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
    if (key == nullptr) {
        ossl::ClearErrors();
        return std::nullopt;
    }
    return PrivateKey(Share(key));
}

std::string PrivateKey::ToPem() const {
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        throw std::runtime_error("PEM_write_bio_PrivateKey failed");
    }
    return BioContents(bio.get());
}

PublicKey PrivateKey::Public() const {
    // Round-trip through SubjectPublicKeyInfo so the public object holds no private material.
    unsigned char* der = nullptr;
    int len = i2d_PUBKEY(key_.get(), &der);
    if (len <= 0) {
        throw std::runtime_error("i2d_PUBKEY failed");
    }
    const unsigned char* cursor = der;
    EVP_PKEY* pub = d2i_PUBKEY(nullptr, &cursor, len);
    OPENSSL_free(der);
    if (pub == nullptr) {
        throw std::runtime_error("d2i_PUBKEY failed");
    }
    return PublicKey::Adopt(pub);
}

// ---------------------------------------------------------------------------------------------
// ECDSA signature formats

std::optional<std::string> EcdsaDerToJose(std::string_view der) {
    const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
    ossl::EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
    if (!sig || cursor != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
        ossl::ClearErrors();
        return std::nullopt;
    }
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    if (BN_num_bytes(r) > static_cast<int>(kP256FieldBytes) || BN_num_bytes(s) > static_cast<int>(kP256FieldBytes)) {
        return std::nullopt;
    }
    return BigNumBytes(r, kP256FieldBytes) + BigNumBytes(s, kP256FieldBytes);
}

std::optional<std::string> EcdsaJoseToDer(std::string_view jose) {
    if (jose.size() != 2 * kP256FieldBytes) {
        return std::nullopt;
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(jose.data());
    BIGNUM* r = BN_bin2bn(bytes, kP256FieldBytes, nullptr);
    BIGNUM* s = BN_bin2bn(bytes + kP256FieldBytes, kP256FieldBytes, nullptr);
    ossl::EcdsaSig sig(ECDSA_SIG_new());
    if (r == nullptr || s == nullptr || !sig || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return std::nullopt;
    }
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0) {
        return std::nullopt;
    }
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Parse, verify, sign

TokenResult<Jwt> ParseJwt(std::string_view token) {
    if (token.size() > kMaxTokenBytes) {
        return Fail(TokenError::kTooLarge,
                    "token is " + std::to_string(token.size()) + " bytes, limit " + std::to_string(kMaxTokenBytes));
    }
    auto dots = std::count(token.begin(), token.end(), '.');
    if (dots != 2) {
        return Fail(TokenError::kMalformed, "expected 3 dot-separated segments, found " + std::to_string(dots + 1));
    }
    std::size_t first_dot = token.find('.');
    std::size_t second_dot = token.find('.', first_dot + 1);
    std::string_view header_b64 = token.substr(0, first_dot);
    std::string_view payload_b64 = token.substr(first_dot + 1, second_dot - first_dot - 1);
    std::string_view signature_b64 = token.substr(second_dot + 1);
    if (header_b64.empty() || payload_b64.empty()) {
        return Fail(TokenError::kMalformed, "empty header or payload segment");
    }

    auto header_json = crypto::Base64UrlDecode(header_b64);
    auto payload_json = crypto::Base64UrlDecode(payload_b64);
    auto signature = crypto::Base64UrlDecode(signature_b64);
    if (!header_json || !payload_json || !signature) {
        return Fail(TokenError::kMalformed, "segment is not unpadded base64url");
    }

    Jwt jwt;
    try {
        boost::json::value header = json::Parse(*header_json, kMaxJwtJsonDepth);
        boost::json::value payload = json::Parse(*payload_json, kMaxJwtJsonDepth);
        if (!header.is_object() || !payload.is_object()) {
            return Fail(TokenError::kMalformed, "header and payload must be JSON objects");
        }
        jwt.header = std::move(header.get_object());
        jwt.payload = std::move(payload.get_object());
    } catch (const strava1::Error& error) {
        return Fail(TokenError::kMalformed, std::string("bad JSON: ") + error.Detail());
    }

    const auto* alg = jwt.header.if_contains("alg");
    if (alg == nullptr || !alg->is_string() || alg->get_string().empty()) {
        return Fail(TokenError::kMalformed, "header alg missing or not a string");
    }
    jwt.alg = alg->get_string();
    if (const auto* kid = jwt.header.if_contains("kid")) {
        if (!kid->is_string() || kid->get_string().size() > kMaxKeyIdBytes) {
            return Fail(TokenError::kMalformed, "header kid must be a string of at most 256 bytes");
        }
        if (!kid->get_string().empty()) {
            jwt.kid = std::string(kid->get_string());
        }
    }
    // RFC 7515 §4.1.11: we understand no extensions, so any critical one makes the token unusable.
    if (jwt.header.contains("crit")) {
        return Fail(TokenError::kMalformed, "header crit is not supported");
    }
    jwt.signing_input = std::string(token.substr(0, second_dot));
    jwt.signature = std::move(*signature);
    return jwt;
}

std::optional<TokenFailure> VerifyJwtSignature(const Jwt& jwt, JwtAlgorithm expected, const PublicKey& key) {
    if (jwt.alg != JwtAlgorithmName(expected)) {
        return Fail(TokenError::kAlgorithmNotAllowed, "alg " + jwt.alg.substr(0, 16) + " not accepted, expected " +
                                                          std::string(JwtAlgorithmName(expected)));
    }
    if (!KeyFits(expected, key.KeyType(), key.Bits())) {
        return Fail(TokenError::kBadSignature, "key does not fit " + std::string(JwtAlgorithmName(expected)));
    }
    std::string der;
    std::string_view signature = jwt.signature;
    if (expected == JwtAlgorithm::kEs256) {
        auto converted = EcdsaJoseToDer(jwt.signature);
        if (!converted) {
            return Fail(TokenError::kBadSignature, "ES256 signature must be 64 bytes");
        }
        der = std::move(*converted);
        signature = der;
    } else if (static_cast<int>(jwt.signature.size()) != EVP_PKEY_get_size(key.NativeHandle())) {
        return Fail(TokenError::kBadSignature, "RS256 signature length does not match the key");
    }

    ossl::MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.NativeHandle()) != 1) {
        ossl::ClearErrors();
        return Fail(TokenError::kBadSignature, "cannot initialise verification");
    }
    int ok =
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                         reinterpret_cast<const unsigned char*>(jwt.signing_input.data()), jwt.signing_input.size());
    if (ok != 1) {
        ossl::ClearErrors();
        return Fail(TokenError::kBadSignature, "signature does not verify");
    }
    return std::nullopt;
}

std::string SignJwt(JwtAlgorithm alg, boost::json::object header, const boost::json::object& payload,
                    const PrivateKey& key) {
    EVP_PKEY* native = key.NativeHandle();
    if (!KeyFits(alg, key.KeyType(), EVP_PKEY_get_bits(native))) {
        throw std::invalid_argument("SignJwt: key does not fit " + std::string(JwtAlgorithmName(alg)));
    }
    header["alg"] = JwtAlgorithmName(alg);
    std::string signing_input =
        crypto::Base64UrlEncode(json::Serialize(header)) + "." + crypto::Base64UrlEncode(json::Serialize(payload));

    ossl::MdCtx ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(signing_input.data());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, native) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, data, signing_input.size()) != 1) {
        throw std::runtime_error("EVP_DigestSign setup failed");
    }
    std::string signature(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len, data,
                       signing_input.size()) != 1) {
        throw std::runtime_error("EVP_DigestSign failed");
    }
    signature.resize(len);
    if (alg == JwtAlgorithm::kEs256) {
        auto jose = EcdsaDerToJose(signature);
        if (!jose) {
            throw std::runtime_error("ECDSA signature conversion failed");
        }
        signature = std::move(*jose);
    }
    return signing_input + "." + crypto::Base64UrlEncode(signature);
}

}  // namespace strava1::auth
