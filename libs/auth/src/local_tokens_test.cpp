#include "strava1/auth/local_tokens.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "strava1/base/crypto.hpp"
#include "strava1/base/json.hpp"
#include "test_support.hpp"

namespace strava1::auth {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::FakeClock;
using testing::RawToken;

unsigned Mode(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

/// A fresh directory under the system temp dir, removed afterwards.
class TempDir {
public:
    TempDir() : path_(fs::temp_directory_path() / ("strava1-auth-" + crypto::Hex(crypto::RandomBytes(8)))) {
        fs::create_directory(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& Path() const { return path_; }

private:
    fs::path path_;
};

TEST(SigningKeyTest, CreatedOnFirstUseWithPrivateModesAndReusedAfter) {
    TempDir tmp;
    fs::path key_path = tmp.Path() / "var" / "keys" / "local-signing.pem";
    PrivateKey first = LoadOrCreateSigningKey(key_path);
    EXPECT_EQ(first.KeyType(), PublicKey::Type::kEcP256);
    EXPECT_EQ(Mode(key_path), 0600u);
    EXPECT_EQ(Mode(tmp.Path() / "var"), 0700u);
    EXPECT_EQ(Mode(tmp.Path() / "var" / "keys"), 0700u);
    EXPECT_EQ(std::distance(fs::directory_iterator(key_path.parent_path()), fs::directory_iterator()), 1)
        << "no temporary file left behind";

    PrivateKey second = LoadOrCreateSigningKey(key_path);
    EXPECT_EQ(LocalKeyId(second.Public()), LocalKeyId(first.Public()));
    EXPECT_EQ(Mode(key_path), 0600u);
}

TEST(SigningKeyTest, ExistingDirectoriesKeepTheirMode) {
    TempDir tmp;
    fs::permissions(tmp.Path(), fs::perms(0755));
    LoadOrCreateSigningKey(tmp.Path() / "key.pem");
    EXPECT_EQ(Mode(tmp.Path()), 0755u);
    EXPECT_EQ(Mode(tmp.Path() / "key.pem"), 0600u);
}

TEST(SigningKeyTest, RefusesUnsafeOrForeignFiles) {
    TempDir tmp;
    fs::path key_path = tmp.Path() / "key.pem";
    const std::string created = LoadOrCreateSigningKey(key_path).Public().Thumbprint();

    fs::permissions(key_path, fs::perms(0644));
    EXPECT_THROW(LoadOrCreateSigningKey(key_path), std::runtime_error);
    fs::permissions(key_path, fs::perms(0600));
    // Safe again: the key is loaded as it was, not replaced by a new one.
    EXPECT_EQ(LoadOrCreateSigningKey(key_path).Public().Thumbprint(), created);

    fs::path link_path = tmp.Path() / "link.pem";
    fs::create_symlink(key_path, link_path);
    EXPECT_THROW(LoadOrCreateSigningKey(link_path), std::runtime_error);

    auto write_private = [&](const fs::path& path, const std::string& text) {
        std::ofstream(path) << text;
        fs::permissions(path, fs::perms(0600));
    };
    fs::path garbage = tmp.Path() / "garbage.pem";
    write_private(garbage, "not a key");
    EXPECT_THROW(LoadOrCreateSigningKey(garbage), std::runtime_error);

    fs::path rsa = tmp.Path() / "rsa.pem";
    write_private(rsa, PrivateKey::GenerateRsa(2048).ToPem());
    EXPECT_THROW(LoadOrCreateSigningKey(rsa), std::runtime_error);

    fs::create_directory(tmp.Path() / "dir.pem");
    fs::permissions(tmp.Path() / "dir.pem", fs::perms(0700));
    EXPECT_THROW(LoadOrCreateSigningKey(tmp.Path() / "dir.pem"), std::runtime_error);
}

class LocalTokensTest : public ::testing::Test {
protected:
    LocalTokensTest() : issuer_(key_, clock_), verifier_(key_.Public(), clock_) {}

    /// Claims as the issuer writes them, for hand-made variants.
    boost::json::object Claims() const {
        std::int64_t now = clock_.NowSeconds();
        boost::json::object claims;
        claims["iss"] = kLocalIssuer;
        claims["aud"] = kLocalAudience;
        claims["sub"] = "42";
        claims["sid"] = 7;
        claims["iat"] = now;
        claims["exp"] = now + 900;
        claims["jti"] = "abc";
        return claims;
    }
    std::string Token(const boost::json::object& claims) const { return Token(claims, key_, issuer_.KeyId()); }
    static std::string Token(const boost::json::object& claims, const PrivateKey& key, const std::string& kid) {
        return SignJwt(JwtAlgorithm::kEs256, {{"kid", kid}, {"typ", "JWT"}}, claims, key);
    }
    void ExpectRejected(const std::string& token, TokenError code) const {
        auto result = verifier_.Verify(token);
        ASSERT_FALSE(result) << "accepted, expected " << TokenErrorName(code);
        EXPECT_EQ(result.Code(), code) << result.Reason();
    }

    FakeClock clock_;
    PrivateKey key_ = PrivateKey::GenerateEs256();
    LocalTokenIssuer issuer_;
    LocalTokenVerifier verifier_;
};

TEST_F(LocalTokensTest, IssuedTokenVerifies) {
    IssuedToken issued = issuer_.Issue("42", 7);
    auto result = verifier_.Verify(issued.token);
    ASSERT_TRUE(result) << result.Reason();
    EXPECT_EQ(result.Value().user_id, "42");
    EXPECT_EQ(result.Value().session_id, 7);
    EXPECT_EQ(result.Value().jti, issued.jti);
    EXPECT_EQ(result.Value().issued_at, issued.issued_at);
    EXPECT_EQ(result.Value().expires_at, issued.expires_at);
    EXPECT_EQ(issued.expires_at - issued.issued_at, kDefaultLocalTokenTtl);
    EXPECT_EQ(UnixSeconds(issued.issued_at), clock_.NowSeconds());
    EXPECT_EQ(crypto::Base64UrlDecode(issued.jti)->size(), 16u);
    EXPECT_NE(issuer_.Issue("42", 7).jti, issued.jti);
}

TEST_F(LocalTokensTest, TokenHasTheDocumentedShape) {
    auto parsed = ParseJwt(issuer_.Issue("user-9", 3).token);
    ASSERT_TRUE(parsed);
    const Jwt& jwt = parsed.Value();
    EXPECT_EQ(jwt.alg, "ES256");
    EXPECT_EQ(jwt.header.at("typ").as_string(), "JWT");
    EXPECT_EQ(jwt.kid, key_.Public().Thumbprint());
    EXPECT_EQ(jwt.header.size(), 3u);
    EXPECT_EQ(jwt.payload.at("iss").as_string(), "strava1-local");
    EXPECT_EQ(jwt.payload.at("aud").as_string(), "strava1");
    EXPECT_EQ(jwt.payload.at("sub").as_string(), "user-9");
    EXPECT_EQ(jwt.payload.at("sid").as_int64(), 3);
    EXPECT_EQ(jwt.payload.at("iat").as_int64(), clock_.NowSeconds());
    EXPECT_EQ(jwt.payload.at("exp").as_int64(), clock_.NowSeconds() + 900);
    EXPECT_EQ(jwt.payload.size(), 7u);
}

TEST_F(LocalTokensTest, IssuerPreconditions) {
    EXPECT_THROW(issuer_.Issue("", 1), std::invalid_argument);
    EXPECT_THROW(issuer_.Issue(std::string(129, 'u'), 1), std::invalid_argument);
    EXPECT_THROW(issuer_.Issue("u", 0), std::invalid_argument);
    EXPECT_THROW(LocalTokenIssuer(PrivateKey::GenerateRsa(2048), clock_), std::invalid_argument);
    EXPECT_THROW(LocalTokenIssuer(key_, clock_, 0s), std::invalid_argument);
    EXPECT_THROW(LocalTokenVerifier(PrivateKey::GenerateRsa(2048).Public(), clock_), std::invalid_argument);
}

TEST_F(LocalTokensTest, PublicJwkIdentifiesAndVerifies) {
    boost::json::object jwk = issuer_.PublicJwk();
    EXPECT_EQ(jwk.at("kid").as_string(), issuer_.KeyId());
    EXPECT_EQ(jwk.at("alg").as_string(), "ES256");
    EXPECT_EQ(jwk.at("use").as_string(), "sig");
    EXPECT_EQ(jwk.at("kty").as_string(), "EC");
    EXPECT_EQ(jwk.at("crv").as_string(), "P-256");
    EXPECT_FALSE(jwk.contains("d"));
    auto key = PublicKey::FromJwk(jwk);
    ASSERT_TRUE(key);
    EXPECT_EQ(LocalKeyId(*key), issuer_.KeyId());
    LocalTokenVerifier from_jwk(*key, clock_);
    EXPECT_TRUE(from_jwk.Verify(issuer_.Issue("1", 1).token));
    EXPECT_EQ(from_jwk.KeyId(), issuer_.KeyId());
}

// T-32: T-21 against the local verifier.
TEST_F(LocalTokensTest, T32OtherAlgorithmsAreRejected) {
    std::string claims = json::Serialize(Claims());
    std::string kid_header = R"(,"kid":")" + issuer_.KeyId() + R"("})";
    ExpectRejected(RawToken(R"({"alg":"none")" + kid_header, claims, ""), TokenError::kAlgorithmNotAllowed);
    std::string public_pem = key_.Public().ToPem();
    std::string hs256 = testing::SignedWith("HS256", {{"kid", issuer_.KeyId()}}, Claims(), [&](std::string_view input) {
        return crypto::HmacSha256(public_pem, input);
    });
    ExpectRejected(hs256, TokenError::kAlgorithmNotAllowed);
    PrivateKey rsa = PrivateKey::GenerateRsa(2048);
    ExpectRejected(SignJwt(JwtAlgorithm::kRs256, {{"kid", issuer_.KeyId()}}, Claims(), rsa),
                   TokenError::kAlgorithmNotAllowed);
    std::string es384 = testing::SignedWith("ES384", {{"kid", issuer_.KeyId()}}, Claims(), [&](std::string_view input) {
        return *EcdsaDerToJose(testing::SignWithDigest(key_, EVP_sha256(), input));
    });
    ExpectRejected(es384, TokenError::kAlgorithmNotAllowed);
}

// T-32: T-22.
TEST_F(LocalTokensTest, T32KidMustNameTheLocalKey) {
    ExpectRejected(SignJwt(JwtAlgorithm::kEs256, {}, Claims(), key_), TokenError::kMissingKeyId);
    ExpectRejected(Token(Claims(), key_, "other-kid"), TokenError::kUnknownKeyId);
    // Another key claiming our kid fails on the signature.
    ExpectRejected(Token(Claims(), PrivateKey::GenerateEs256(), issuer_.KeyId()), TokenError::kBadSignature);
}

// T-32: T-23.
TEST_F(LocalTokensTest, T32TimesHonourSixtySecondSkew) {
    std::int64_t now = clock_.NowSeconds();
    boost::json::object claims = Claims();
    claims["iat"] = now - 1000;
    claims["exp"] = now - 61;
    ExpectRejected(Token(claims), TokenError::kExpired);
    claims["exp"] = now - 30;
    EXPECT_TRUE(verifier_.Verify(Token(claims)));
    claims = Claims();
    claims["iat"] = now + 61;
    ExpectRejected(Token(claims), TokenError::kIssuedInFuture);
    claims["iat"] = now + 60;
    EXPECT_TRUE(verifier_.Verify(Token(claims)));
    for (std::string_view name : {"exp", "iat"}) {
        claims = Claims();
        claims.erase(name);
        ExpectRejected(Token(claims), TokenError::kMissingClaim);
        claims[name] = "soon";
        ExpectRejected(Token(claims), TokenError::kInvalidClaim);
    }

    IssuedToken issued = issuer_.Issue("42", 7);
    clock_.Advance(900s + 59s);
    EXPECT_TRUE(verifier_.Verify(issued.token));
    clock_.Advance(1s);
    ExpectRejected(issued.token, TokenError::kExpired);
}

// T-32: T-24, T-25.
TEST_F(LocalTokensTest, T32AudienceAndIssuer) {
    boost::json::object claims = Claims();
    claims["aud"] = "someone-else";
    ExpectRejected(Token(claims), TokenError::kWrongAudience);
    claims["aud"] = boost::json::array{kLocalAudience};
    ExpectRejected(Token(claims), TokenError::kWrongAudience);
    claims.erase("aud");
    ExpectRejected(Token(claims), TokenError::kMissingClaim);
    claims = Claims();
    claims["iss"] = "https://securetoken.google.com/strava1";
    ExpectRejected(Token(claims), TokenError::kWrongIssuer);
    claims.erase("iss");
    ExpectRejected(Token(claims), TokenError::kMissingClaim);
}

// T-32: T-26 and the session id.
TEST_F(LocalTokensTest, T32SubjectAndSession) {
    boost::json::object claims = Claims();
    claims["sub"] = "";
    ExpectRejected(Token(claims), TokenError::kBadSubject);
    claims["sub"] = std::string(129, 'u');
    ExpectRejected(Token(claims), TokenError::kBadSubject);
    claims["sub"] = 42;
    ExpectRejected(Token(claims), TokenError::kBadSubject);
    claims["sub"] = std::string(128, 'u');
    EXPECT_TRUE(verifier_.Verify(Token(claims)));

    claims = Claims();
    claims.erase("sid");
    ExpectRejected(Token(claims), TokenError::kMissingClaim);
    for (boost::json::value sid : {boost::json::value(0), boost::json::value(-3), boost::json::value("7"),
                                   boost::json::value(7.5), boost::json::value(nullptr)}) {
        claims["sid"] = sid;
        ExpectRejected(Token(claims), TokenError::kInvalidClaim);
    }
    claims = Claims();
    claims["jti"] = "";
    ExpectRejected(Token(claims), TokenError::kInvalidClaim);
    claims.erase("jti");
    ExpectRejected(Token(claims), TokenError::kMissingClaim);
}

// T-32: T-27.
TEST_F(LocalTokensTest, T32ThousandRandomBitFlipsAreAllRejected) {
    std::string token = issuer_.Issue("42", 7).token;
    ASSERT_TRUE(verifier_.Verify(token));
    std::size_t first_dot = token.find('.');
    std::size_t second_dot = token.rfind('.');
    std::string segments[3] = {*crypto::Base64UrlDecode(token.substr(0, first_dot)),
                               *crypto::Base64UrlDecode(token.substr(first_dot + 1, second_dot - first_dot - 1)),
                               *crypto::Base64UrlDecode(token.substr(second_dot + 1))};
    std::mt19937 rng(32);
    int accepted = 0;
    for (int flip_idx = 0; flip_idx < 1000; ++flip_idx) {
        int segment = static_cast<int>(rng() % 3);
        std::string copy[3] = {segments[0], segments[1], segments[2]};
        std::size_t byte = rng() % copy[segment].size();
        copy[segment][byte] = static_cast<char>(copy[segment][byte] ^ (1 << (rng() % 8)));
        std::string flipped = crypto::Base64UrlEncode(copy[0]) + "." + crypto::Base64UrlEncode(copy[1]) + "." +
                              crypto::Base64UrlEncode(copy[2]);
        if (verifier_.Verify(flipped)) {
            ++accepted;
        }
    }
    EXPECT_EQ(accepted, 0);
}

// T-32: T-29.
TEST_F(LocalTokensTest, T32MalformedTokensAreRejected) {
    for (const auto& [label, token] : testing::MalformedTokens()) {
        auto result = verifier_.Verify(token);
        ASSERT_FALSE(result) << label;
        EXPECT_TRUE(result.Code() == TokenError::kMalformed || result.Code() == TokenError::kTooLarge)
            << label << ": " << TokenErrorName(result.Code());
    }
}

}  // namespace
}  // namespace strava1::auth
