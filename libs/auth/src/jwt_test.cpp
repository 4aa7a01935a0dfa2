#include "strava1/auth/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <set>

#include "strava1/base/crypto.hpp"
#include "strava1/base/json.hpp"
#include "test_support.hpp"

namespace strava1::auth {
namespace {

using testing::MalformedTokens;
using testing::RawToken;

boost::json::object Payload() {
    boost::json::object payload;
    payload["sub"] = "user-1";
    payload["n"] = 42;
    return payload;
}

const PrivateKey& EcKey() {
    static const PrivateKey key = PrivateKey::GenerateEs256();
    return key;
}

const PrivateKey& RsaKey() {
    static const PrivateKey key = PrivateKey::GenerateRsa(2048);
    return key;
}

TEST(JwtTest, Es256SignAndVerifyRoundTrip) {
    std::string token = SignJwt(JwtAlgorithm::kEs256, {{"kid", "k1"}}, Payload(), EcKey());
    auto parsed = ParseJwt(token);
    ASSERT_TRUE(parsed) << parsed.Reason();
    EXPECT_EQ(parsed.Value().alg, "ES256");
    EXPECT_EQ(parsed.Value().kid, "k1");
    EXPECT_EQ(parsed.Value().signature.size(), 64u);
    EXPECT_EQ(parsed.Value().payload.at("sub").as_string(), "user-1");
    EXPECT_EQ(parsed.Value().signing_input, token.substr(0, token.rfind('.')));
    EXPECT_EQ(VerifyJwtSignature(parsed.Value(), JwtAlgorithm::kEs256, EcKey().Public()), std::nullopt);
}

TEST(JwtTest, Rs256SignAndVerifyRoundTrip) {
    std::string token = SignJwt(JwtAlgorithm::kRs256, {}, Payload(), RsaKey());
    auto parsed = ParseJwt(token);
    ASSERT_TRUE(parsed) << parsed.Reason();
    EXPECT_EQ(parsed.Value().alg, "RS256");
    EXPECT_EQ(parsed.Value().kid, std::nullopt);
    EXPECT_EQ(parsed.Value().signature.size(), 256u);
    EXPECT_EQ(VerifyJwtSignature(parsed.Value(), JwtAlgorithm::kRs256, RsaKey().Public()), std::nullopt);
}

TEST(JwtTest, VerifierAcceptsOnlyTheStatedAlgorithm) {
    auto es = ParseJwt(SignJwt(JwtAlgorithm::kEs256, {}, Payload(), EcKey()));
    auto rs = ParseJwt(SignJwt(JwtAlgorithm::kRs256, {}, Payload(), RsaKey()));
    ASSERT_TRUE(es);
    ASSERT_TRUE(rs);
    auto failure = VerifyJwtSignature(es.Value(), JwtAlgorithm::kRs256, RsaKey().Public());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->error, TokenError::kAlgorithmNotAllowed);
    failure = VerifyJwtSignature(rs.Value(), JwtAlgorithm::kEs256, EcKey().Public());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->error, TokenError::kAlgorithmNotAllowed);
}

TEST(JwtTest, KeyMustFitTheAlgorithm) {
    // An RS256 header checked against an EC key (and the reverse) never verifies.
    auto rs = ParseJwt(SignJwt(JwtAlgorithm::kRs256, {}, Payload(), RsaKey()));
    ASSERT_TRUE(rs);
    auto failure = VerifyJwtSignature(rs.Value(), JwtAlgorithm::kRs256, EcKey().Public());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->error, TokenError::kBadSignature);
    EXPECT_THROW(SignJwt(JwtAlgorithm::kEs256, {}, Payload(), RsaKey()), std::invalid_argument);
    EXPECT_THROW(SignJwt(JwtAlgorithm::kRs256, {}, Payload(), EcKey()), std::invalid_argument);
}

TEST(JwtTest, RsaKeysBelow2048BitsAreRefused) {
    EVP_PKEY* weak = EVP_RSA_gen(1024);
    ASSERT_NE(weak, nullptr);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), weak, nullptr, nullptr, 0, nullptr, nullptr), 1);
    EVP_PKEY_free(weak);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    auto key = PrivateKey::FromPem(std::string_view(data, static_cast<std::size_t>(len)));
    ASSERT_TRUE(key);
    EXPECT_THROW(SignJwt(JwtAlgorithm::kRs256, {}, Payload(), *key), std::invalid_argument);

    std::string token = testing::SignedWith("RS256", {}, Payload(), [&](std::string_view input) {
        return testing::SignWithDigest(*key, EVP_sha256(), input);
    });
    auto parsed = ParseJwt(token);
    ASSERT_TRUE(parsed);
    auto failure = VerifyJwtSignature(parsed.Value(), JwtAlgorithm::kRs256, key->Public());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->error, TokenError::kBadSignature);
}

TEST(JwtTest, WrongSignatureLengthsAreRejected) {
    std::string token = SignJwt(JwtAlgorithm::kEs256, {}, Payload(), EcKey());
    auto parsed = ParseJwt(token);
    ASSERT_TRUE(parsed);
    Jwt jwt = parsed.Value();
    for (std::size_t size : {0u, 63u, 65u, 72u}) {
        jwt.signature = std::string(size, '\x01');
        auto failure = VerifyJwtSignature(jwt, JwtAlgorithm::kEs256, EcKey().Public());
        ASSERT_TRUE(failure) << size;
        EXPECT_EQ(failure->error, TokenError::kBadSignature);
    }
    // A DER signature where JOSE is required is refused too.
    std::string der = *EcdsaJoseToDer(parsed.Value().signature);
    jwt.signature = der;
    EXPECT_TRUE(VerifyJwtSignature(jwt, JwtAlgorithm::kEs256, EcKey().Public()));
}

TEST(JwtTest, EcdsaFormatConversionRoundTrips) {
    std::string jose(64, '\0');
    jose[0] = '\x01';  // r uses all 32 bytes
    jose[31] = '\x7f';
    jose[32] = '\xff';  // s with the top bit set needs a leading zero in DER
    jose[63] = '\x02';
    auto der = EcdsaJoseToDer(jose);
    ASSERT_TRUE(der);
    EXPECT_EQ(static_cast<unsigned char>((*der)[0]), 0x30);
    EXPECT_EQ(EcdsaDerToJose(*der), jose);

    std::string small(64, '\0');
    small[31] = '\x05';
    small[63] = '\x06';
    auto small_der = EcdsaJoseToDer(small);
    ASSERT_TRUE(small_der);
    EXPECT_EQ(small_der->size(), 8u);  // 30 06 02 01 05 02 01 06
    EXPECT_EQ(EcdsaDerToJose(*small_der), small);
}

TEST(JwtTest, EcdsaConversionRejectsBadInput) {
    EXPECT_EQ(EcdsaJoseToDer(std::string(63, 'a')), std::nullopt);
    EXPECT_EQ(EcdsaJoseToDer(std::string(65, 'a')), std::nullopt);
    EXPECT_EQ(EcdsaDerToJose(""), std::nullopt);
    EXPECT_EQ(EcdsaDerToJose("garbage"), std::nullopt);
    std::string der = *EcdsaJoseToDer(std::string(64, '\x11'));
    EXPECT_EQ(EcdsaDerToJose(der + "x"), std::nullopt);  // trailing bytes
    // r of 33 significant bytes does not fit P-256.
    std::string big = "\x30\x26\x02\x21\x01" + std::string(32, '\x11') + "\x02\x01\x01";
    EXPECT_EQ(EcdsaDerToJose(big), std::nullopt);
}

TEST(JwtTest, MalformedTokensAreRejectedWithoutCrashing) {
    for (const auto& [label, token] : MalformedTokens()) {
        auto parsed = ParseJwt(token);
        ASSERT_FALSE(parsed) << label;
        if (token.size() > kMaxTokenBytes) {
            EXPECT_EQ(parsed.Code(), TokenError::kTooLarge) << label;
        } else {
            EXPECT_EQ(parsed.Code(), TokenError::kMalformed) << label << ": " << parsed.Reason();
        }
        EXPECT_FALSE(parsed.Reason().empty()) << label;
    }
}

TEST(JwtTest, TokenOfExactlyTheLimitIsParsed) {
    // Find filler lengths that make the compact token exactly kMaxTokenBytes long.
    std::string token;
    for (std::size_t filler = 5000; filler < 6500 && token.size() != kMaxTokenBytes; ++filler) {
        boost::json::object payload = Payload();
        payload["filler"] = std::string(filler, 'f');
        token = SignJwt(JwtAlgorithm::kEs256, {}, payload, EcKey());
    }
    ASSERT_EQ(token.size(), kMaxTokenBytes);
    EXPECT_TRUE(ParseJwt(token));
    EXPECT_EQ(ParseJwt(token + "A").Code(), TokenError::kTooLarge);
}

TEST(JwtTest, DuplicateMembersAreMalformed) {
    EXPECT_EQ(ParseJwt(RawToken(R"({"alg":"none","alg":"ES256"})", R"({"sub":"a"})", "")).Code(),
              TokenError::kMalformed);
    EXPECT_EQ(ParseJwt(RawToken(R"({"alg":"ES256"})", R"({"sub":"a","sub":"b"})", "")).Code(), TokenError::kMalformed);
    EXPECT_TRUE(ParseJwt(RawToken(R"({"alg":"ES256"})", R"({"sub":"a","x":{"sub":"b"}})", "")));
}

TEST(JwtTest, EmptyKidCountsAsMissing) {
    auto parsed = ParseJwt(RawToken(R"({"alg":"ES256","kid":""})", "{}", "sig"));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed.Value().kid, std::nullopt);
}

TEST(JwtTest, DefaultTokenResultIsAFailure) {
    TokenResult<int> result;
    EXPECT_FALSE(result);
    EXPECT_EQ(result.Code(), TokenError::kMalformed);
}

TEST(JwtTest, TokenErrorNamesAreDistinct) {
    std::set<std::string_view> names;
    for (int code = 0; code <= static_cast<int>(TokenError::kKeysUnavailable); ++code) {
        names.insert(TokenErrorName(static_cast<TokenError>(code)));
    }
    EXPECT_EQ(names.size(), static_cast<std::size_t>(TokenError::kKeysUnavailable) + 1);
    EXPECT_EQ(TokenErrorName(TokenError::kBadSignature), "bad_signature");
}

TEST(PublicKeyTest, PemRoundTrip) {
    PublicKey pub = EcKey().Public();
    auto again = PublicKey::FromPem(pub.ToPem());
    ASSERT_TRUE(again);
    EXPECT_EQ(again->KeyType(), PublicKey::Type::kEcP256);
    EXPECT_EQ(again->Thumbprint(), pub.Thumbprint());
    EXPECT_EQ(again->Bits(), 256);
    EXPECT_EQ(RsaKey().Public().KeyType(), PublicKey::Type::kRsa);
    EXPECT_EQ(RsaKey().Public().Bits(), 2048);
    // The public object carries no private material.
    EXPECT_EQ(PrivateKey::FromPem(pub.ToPem()), std::nullopt);
}

TEST(PublicKeyTest, PemParsersRejectJunk) {
    std::string pem = EcKey().Public().ToPem();
    EXPECT_EQ(PublicKey::FromPem(""), std::nullopt);
    EXPECT_EQ(PublicKey::FromPem("junk"), std::nullopt);
    EXPECT_EQ(PublicKey::FromPem("junk\n" + pem), std::nullopt);
    EXPECT_EQ(PublicKey::FromPem(pem + "junk"), std::nullopt);
    EXPECT_EQ(PublicKey::FromPem(pem.substr(0, pem.size() / 2)), std::nullopt);
    EXPECT_EQ(PublicKey::FromCertificatePem(pem), std::nullopt);  // a key is not a certificate
    EXPECT_EQ(PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), std::nullopt);
}

TEST(PublicKeyTest, CertificatePemGivesTheCertifiedKey) {
    std::string cert = testing::SelfSignedCertificatePem(RsaKey(), "test");
    auto key = PublicKey::FromCertificatePem(cert);
    ASSERT_TRUE(key);
    EXPECT_EQ(key->Thumbprint(), RsaKey().Public().Thumbprint());
    EXPECT_TRUE(PublicKey::FromCertificatePem("\n" + cert + "\n\n"));
    EXPECT_EQ(PublicKey::FromCertificatePem("x" + cert), std::nullopt);
    EXPECT_EQ(PublicKey::FromCertificatePem(cert + cert), std::nullopt);  // exactly one certificate
    std::string broken = cert;
    broken[broken.size() / 2] = '!';  // not base64
    EXPECT_EQ(PublicKey::FromCertificatePem(broken), std::nullopt);
    EXPECT_EQ(PublicKey::FromCertificatePem(cert.substr(0, cert.size() - 40)), std::nullopt);
}

TEST(PublicKeyTest, Rfc7638ThumbprintExample) {
    // RFC 7638 §3.1: the example RSA key and its thumbprint.
    const std::string n =
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3"
        "oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZ"
        "Hzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"
        "kEgU8awapJzKnqDKgw";
    std::string n_bytes = *crypto::Base64UrlDecode(n);
    std::string e_bytes = *crypto::Base64UrlDecode("AQAB");
    BIGNUM* bn_n =
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n_bytes.data()), static_cast<int>(n_bytes.size()), nullptr);
    BIGNUM* bn_e =
        BN_bin2bn(reinterpret_cast<const unsigned char*>(e_bytes.data()), static_cast<int>(e_bytes.size()), nullptr);
    OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
    ASSERT_EQ(OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, bn_n), 1);
    ASSERT_EQ(OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, bn_e), 1);
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(builder);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    EVP_PKEY* raw = nullptr;
    ASSERT_EQ(EVP_PKEY_fromdata_init(ctx), 1);
    ASSERT_EQ(EVP_PKEY_fromdata(ctx, &raw, EVP_PKEY_PUBLIC_KEY, params), 1);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(builder);
    BN_free(bn_n);
    BN_free(bn_e);

    PublicKey key = PublicKey::Adopt(raw);
    EXPECT_EQ(key.ToJwk().at("n").as_string(), n);
    EXPECT_EQ(key.ToJwk().at("e").as_string(), "AQAB");
    EXPECT_EQ(key.Thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(PublicKeyTest, EcJwkRoundTrip) {
    PublicKey pub = EcKey().Public();
    boost::json::object jwk = pub.ToJwk();
    EXPECT_EQ(jwk.at("kty").as_string(), "EC");
    EXPECT_EQ(jwk.at("crv").as_string(), "P-256");
    EXPECT_EQ(crypto::Base64UrlDecode(jwk.at("x").as_string())->size(), 32u);
    EXPECT_EQ(crypto::Base64UrlDecode(jwk.at("y").as_string())->size(), 32u);
    auto back = PublicKey::FromJwk(jwk);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->Thumbprint(), pub.Thumbprint());

    std::string token = SignJwt(JwtAlgorithm::kEs256, {}, Payload(), EcKey());
    EXPECT_EQ(VerifyJwtSignature(ParseJwt(token).Value(), JwtAlgorithm::kEs256, *back), std::nullopt);
}

TEST(PublicKeyTest, FromJwkRejectsBadKeys) {
    boost::json::object jwk = EcKey().Public().ToJwk();
    auto with = [&](std::string_view member, boost::json::value value) {
        boost::json::object changed = jwk;
        changed[member] = std::move(value);
        return PublicKey::FromJwk(changed);
    };
    EXPECT_EQ(with("kty", "RSA"), std::nullopt);
    EXPECT_EQ(with("crv", "P-384"), std::nullopt);
    EXPECT_EQ(with("x", "AAAA"), std::nullopt);
    EXPECT_EQ(with("y", 5), std::nullopt);
    EXPECT_EQ(with("d", "AAAA"), std::nullopt);  // private JWKs are refused, not silently stripped
    // A point that is not on the curve.
    std::string y = *crypto::Base64UrlDecode(jwk.at("y").as_string());
    y[31] = static_cast<char>(y[31] ^ 1);
    EXPECT_EQ(with("y", boost::json::string(crypto::Base64UrlEncode(y))), std::nullopt);
}

}  // namespace
}  // namespace strava1::auth
