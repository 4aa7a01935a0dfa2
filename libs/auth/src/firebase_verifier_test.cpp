#include "strava1/auth/firebase_verifier.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <boost/asio/thread_pool.hpp>

#include <random>

#include "strava1/base/crypto.hpp"
#include "strava1/base/json.hpp"
#include "test_support.hpp"

namespace strava1::auth {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::CertificateDocument;
using testing::FakeCertificateSource;
using testing::FakeClock;
using testing::LoopbackCertServer;
using testing::RawToken;
using testing::RunVerify;
using testing::StoreResult;

constexpr std::string_view kProject = "demo-fitness";

struct TestKeys {
    PrivateKey a = PrivateKey::GenerateRsa(2048);
    PrivateKey b = PrivateKey::GenerateRsa(2048);
    PrivateKey ec = PrivateKey::GenerateEs256();
    std::string cert_a = testing::SelfSignedCertificatePem(a, "key a");
    std::string cert_b = testing::SelfSignedCertificatePem(b, "key b");
};

const TestKeys& Keys() {
    static const TestKeys keys;
    return keys;
}

class FirebaseVerifierTest : public ::testing::Test {
protected:
    void SetUp() override {
        Serve({{"kid-a", Keys().cert_a}}, "public, max-age=3600, must-revalidate, no-transform");
        verifier_ = MakeVerifier();
    }

    void Serve(const std::map<std::string, std::string>& certs, std::string cache_control) {
        LoopbackCertServer::Reply reply;
        reply.body = CertificateDocument(certs);
        reply.cache_control = std::move(cache_control);
        server_.Set(std::move(reply));
    }

    std::unique_ptr<FirebaseVerifier> MakeVerifier(std::chrono::milliseconds timeout = 2s) {
        CurlCertificateSourceOptions source;
        source.url = server_.Url();
        source.timeout = timeout;
        FirebaseVerifierOptions options;
        options.project_id = std::string(kProject);
        return std::make_unique<FirebaseVerifier>(options, std::make_shared<CurlCertificateSource>(source), clock_);
    }

    boost::json::object Claims() const {
        std::int64_t now = clock_.NowSeconds();
        boost::json::object claims;
        claims["iss"] = "https://securetoken.google.com/" + std::string(kProject);
        claims["aud"] = kProject;
        claims["auth_time"] = now - 100;
        claims["user_id"] = "uid-123";
        claims["sub"] = "uid-123";
        claims["iat"] = now - 10;
        claims["exp"] = now + 3590;
        claims["email"] = "runner@example.com";
        claims["email_verified"] = true;
        claims["firebase"] = {{"identities", {{"email", {"runner@example.com"}}}}, {"sign_in_provider", "password"}};
        return claims;
    }

    static std::string Token(const boost::json::object& claims, const PrivateKey& key, std::string kid = "kid-a") {
        return SignJwt(JwtAlgorithm::kRs256, {{"kid", kid}, {"typ", "JWT"}}, claims, key);
    }
    std::string Token(const boost::json::object& claims) const { return Token(claims, Keys().a); }
    std::string Token() const { return Token(Claims()); }

    TokenResult<FirebaseUser> Verify(std::string token) { return RunVerify(io_, *verifier_, std::move(token)); }

    std::vector<TokenResult<FirebaseUser>> VerifyConcurrently(const std::vector<std::string>& tokens) {
        std::vector<std::optional<TokenResult<FirebaseUser>>> slots(tokens.size());
        for (std::size_t token_idx = 0; token_idx < tokens.size(); ++token_idx) {
            asio::co_spawn(io_, StoreResult(verifier_->Verify(tokens[token_idx]), &slots[token_idx]), asio::detached);
        }
        io_.restart();
        io_.run();
        std::vector<TokenResult<FirebaseUser>> results;
        for (auto& slot : slots) {
            results.push_back(slot ? std::move(*slot) : TokenResult<FirebaseUser>());
        }
        return results;
    }

    /// Expects rejection with `code`.
    void ExpectRejected(const std::string& token, TokenError code) {
        auto result = Verify(token);
        ASSERT_FALSE(result) << "accepted, expected " << TokenErrorName(code);
        EXPECT_EQ(result.Code(), code) << result.Reason();
    }

    FakeClock clock_;
    LoopbackCertServer server_;
    asio::io_context io_;
    std::unique_ptr<FirebaseVerifier> verifier_;  // last: destroyed before the server it fetches from
};

// T-20
TEST_F(FirebaseVerifierTest, T20ValidTokenIsAcceptedAndUidIsSub) {
    auto result = Verify(Token());
    ASSERT_TRUE(result) << result.Reason();
    const FirebaseUser& user = result.Value();
    EXPECT_EQ(user.uid, "uid-123");
    EXPECT_EQ(user.email, "runner@example.com");
    EXPECT_EQ(user.email_verified, true);
    EXPECT_EQ(user.sign_in_provider, "password");
    EXPECT_EQ(UnixSeconds(user.auth_time), clock_.NowSeconds() - 100);
    EXPECT_EQ(UnixSeconds(user.issued_at), clock_.NowSeconds() - 10);
    EXPECT_EQ(UnixSeconds(user.expires_at), clock_.NowSeconds() + 3590);
    EXPECT_EQ(server_.Requests(), 1);
    EXPECT_EQ(verifier_->FetchCount(), 1u);
}

TEST_F(FirebaseVerifierTest, T20CachedKeysServeLaterTokensWithoutFetching) {
    for (int round = 0; round < 5; ++round) {
        boost::json::object claims = Claims();
        claims["sub"] = "user-" + std::to_string(round);
        auto result = Verify(Token(claims));
        ASSERT_TRUE(result) << result.Reason();
        EXPECT_EQ(result.Value().uid, "user-" + std::to_string(round));
        EXPECT_EQ(result.Value().email, "runner@example.com");
    }
    EXPECT_EQ(server_.Requests(), 1);
}

TEST_F(FirebaseVerifierTest, T20OptionalClaimsMayBeAbsent) {
    boost::json::object claims = Claims();
    claims.erase("email");
    claims.erase("email_verified");
    claims.erase("firebase");
    auto result = Verify(Token(claims));
    ASSERT_TRUE(result) << result.Reason();
    EXPECT_EQ(result.Value().email, std::nullopt);
    EXPECT_EQ(result.Value().email_verified, std::nullopt);
    EXPECT_EQ(result.Value().sign_in_provider, std::nullopt);
}

// T-21
TEST_F(FirebaseVerifierTest, T21AlgNoneIsRejectedOutsideEmulatorMode) {
    std::string token = RawToken(R"({"alg":"none","typ":"JWT"})", json::Serialize(Claims()), "");
    ExpectRejected(token, TokenError::kAlgorithmNotAllowed);
    token = RawToken(R"({"alg":"none","kid":"kid-a"})", json::Serialize(Claims()), "");
    ExpectRejected(token, TokenError::kAlgorithmNotAllowed);
    EXPECT_EQ(server_.Requests(), 0);
}

TEST_F(FirebaseVerifierTest, T21Hs256SignedWithThePublicKeyIsRejected) {
    std::string public_pem = Keys().a.Public().ToPem();
    for (const std::string& secret : {public_pem, Keys().cert_a}) {
        std::string token = testing::SignedWith("HS256", {{"kid", "kid-a"}}, Claims(), [&](std::string_view input) {
            return crypto::HmacSha256(secret, input);
        });
        ExpectRejected(token, TokenError::kAlgorithmNotAllowed);
    }
    EXPECT_EQ(server_.Requests(), 0);
}

TEST_F(FirebaseVerifierTest, T21Rs512IsRejected) {
    std::string token = testing::SignedWith("RS512", {{"kid", "kid-a"}}, Claims(), [&](std::string_view input) {
        return testing::SignWithDigest(Keys().a, EVP_sha512(), input);
    });
    ExpectRejected(token, TokenError::kAlgorithmNotAllowed);
    // The same SHA-512 signature under an RS256 header does not verify either.
    token = testing::SignedWith("RS256", {{"kid", "kid-a"}}, Claims(), [&](std::string_view input) {
        return testing::SignWithDigest(Keys().a, EVP_sha512(), input);
    });
    ExpectRejected(token, TokenError::kBadSignature);
}

TEST_F(FirebaseVerifierTest, T21Es256IsRejected) {
    std::string token = SignJwt(JwtAlgorithm::kEs256, {{"kid", "kid-a"}}, Claims(), Keys().ec);
    ExpectRejected(token, TokenError::kAlgorithmNotAllowed);
    for (std::string_view alg : {"rs256", "RS256 ", "PS256", "EdDSA", ""}) {
        std::string other = RawToken(R"({"alg":")" + std::string(alg) + R"(","kid":"kid-a"})",
                                     json::Serialize(Claims()), std::string(256, 's'));
        EXPECT_FALSE(Verify(other)) << alg;
    }
    EXPECT_EQ(server_.Requests(), 0);
}

// T-22
TEST_F(FirebaseVerifierTest, T22MissingKidIsRejectedWithoutFetching) {
    ExpectRejected(SignJwt(JwtAlgorithm::kRs256, {}, Claims(), Keys().a), TokenError::kMissingKeyId);
    ExpectRejected(SignJwt(JwtAlgorithm::kRs256, {{"kid", ""}}, Claims(), Keys().a), TokenError::kMissingKeyId);
    EXPECT_EQ(server_.Requests(), 0);
}

TEST_F(FirebaseVerifierTest, T22UnknownKidCausesExactlyOneRefetchThenRejection) {
    ASSERT_TRUE(Verify(Token()));
    ASSERT_EQ(server_.Requests(), 1);
    ExpectRejected(Token(Claims(), Keys().b, "kid-unknown"), TokenError::kUnknownKeyId);
    EXPECT_EQ(server_.Requests(), 2);
    // Again straight away: rate-limited, no further fetch.
    ExpectRejected(Token(Claims(), Keys().b, "kid-unknown"), TokenError::kUnknownKeyId);
    EXPECT_EQ(server_.Requests(), 2);
    EXPECT_TRUE(Verify(Token()));
}

TEST_F(FirebaseVerifierTest, T22UnknownKidOnColdCacheFetchesOnce) {
    ExpectRejected(Token(Claims(), Keys().b, "kid-unknown"), TokenError::kUnknownKeyId);
    EXPECT_EQ(server_.Requests(), 1);
}

TEST_F(FirebaseVerifierTest, T22HundredConcurrentUnknownKidTokensCauseAtMostOneRefetch) {
    ASSERT_TRUE(Verify(Token()));
    std::vector<std::string> tokens;
    for (int token_idx = 0; token_idx < 100; ++token_idx) {
        tokens.push_back(Token(Claims(), Keys().b, "kid-unknown-" + std::to_string(token_idx)));
    }
    auto results = VerifyConcurrently(tokens);
    for (const auto& result : results) {
        ASSERT_FALSE(result);
        EXPECT_EQ(result.Code(), TokenError::kUnknownKeyId) << result.Reason();
    }
    EXPECT_LE(server_.Requests() - 1, 1);
    EXPECT_EQ(server_.Requests(), 2);
}

TEST_F(FirebaseVerifierTest, T22HundredUnknownKidTokensWithinOneSecondCauseAtMostOneRefetch) {
    ASSERT_TRUE(Verify(Token()));
    for (int token_idx = 0; token_idx < 100; ++token_idx) {
        ExpectRejected(Token(Claims(), Keys().b, "kid-x" + std::to_string(token_idx)), TokenError::kUnknownKeyId);
        clock_.Advance(10ms);
    }
    EXPECT_EQ(server_.Requests(), 2);
    // After the rate-limit interval one more refetch is allowed.
    clock_.Advance(60s);
    ExpectRejected(Token(Claims(), Keys().b, "kid-y"), TokenError::kUnknownKeyId);
    EXPECT_EQ(server_.Requests(), 3);
}

// T-23
TEST_F(FirebaseVerifierTest, T23ExpiryHonoursSixtySecondSkew) {
    std::int64_t now = clock_.NowSeconds();
    boost::json::object claims = Claims();
    claims["iat"] = now - 3000;
    claims["exp"] = now - 61;
    ExpectRejected(Token(claims), TokenError::kExpired);
    claims["exp"] = now - 60;
    ExpectRejected(Token(claims), TokenError::kExpired);
    claims["exp"] = now - 30;
    EXPECT_TRUE(Verify(Token(claims)));
    claims["exp"] = now - 59;
    EXPECT_TRUE(Verify(Token(claims)));
}

TEST_F(FirebaseVerifierTest, T23IatAndAuthTimeMustNotBeInTheFuture) {
    std::int64_t now = clock_.NowSeconds();
    boost::json::object claims = Claims();
    claims["iat"] = now + 61;
    ExpectRejected(Token(claims), TokenError::kIssuedInFuture);
    claims["iat"] = now + 60;
    EXPECT_TRUE(Verify(Token(claims)));

    claims = Claims();
    claims["auth_time"] = now + 61;
    ExpectRejected(Token(claims), TokenError::kIssuedInFuture);
    claims["auth_time"] = now + 30;
    EXPECT_TRUE(Verify(Token(claims)));
}

TEST_F(FirebaseVerifierTest, T23MissingOrMistypedTimeClaimsAreRejected) {
    for (std::string_view name : {"exp", "iat", "auth_time"}) {
        boost::json::object claims = Claims();
        claims.erase(name);
        ExpectRejected(Token(claims), TokenError::kMissingClaim);
        claims[name] = std::to_string(clock_.NowSeconds());
        ExpectRejected(Token(claims), TokenError::kInvalidClaim);
        claims[name] = 1.5e9;
        ExpectRejected(Token(claims), TokenError::kInvalidClaim);
        claims[name] = nullptr;
        ExpectRejected(Token(claims), TokenError::kInvalidClaim);
        claims[name] = -1;
        ExpectRejected(Token(claims), TokenError::kInvalidClaim);
    }
    boost::json::object claims = Claims();
    claims["exp"] = static_cast<std::uint64_t>(1) << 63;
    ExpectRejected(Token(claims), TokenError::kInvalidClaim);
}

TEST_F(FirebaseVerifierTest, T23FakeClockDrivesExpiry) {
    std::string token = Token();
    EXPECT_TRUE(Verify(token));
    clock_.Advance(3590s + 59s);
    EXPECT_TRUE(Verify(token));
    clock_.Advance(1s);
    ExpectRejected(token, TokenError::kExpired);
}

// T-24
TEST_F(FirebaseVerifierTest, T24OtherAudienceIsRejected) {
    boost::json::object claims = Claims();
    claims["aud"] = "another-project";
    ExpectRejected(Token(claims), TokenError::kWrongAudience);
    claims["aud"] = boost::json::array{kProject};
    ExpectRejected(Token(claims), TokenError::kWrongAudience);
    claims["aud"] = std::string(kProject) + " ";
    ExpectRejected(Token(claims), TokenError::kWrongAudience);
    claims.erase("aud");
    ExpectRejected(Token(claims), TokenError::kMissingClaim);
}

// T-25
TEST_F(FirebaseVerifierTest, T25OtherIssuerIsRejected) {
    boost::json::object claims = Claims();
    for (std::string issuer : {"https://session.firebase.google.com/" + std::string(kProject),
                               std::string("https://securetoken.google.com/another-project"),
                               "https://securetoken.google.com/" + std::string(kProject) + "/",
                               "http://securetoken.google.com/" + std::string(kProject), std::string()}) {
        claims["iss"] = issuer;
        ExpectRejected(Token(claims), TokenError::kWrongIssuer);
    }
    claims["iss"] = 7;
    ExpectRejected(Token(claims), TokenError::kInvalidClaim);
    claims.erase("iss");
    ExpectRejected(Token(claims), TokenError::kMissingClaim);
}

// T-26
TEST_F(FirebaseVerifierTest, T26SubjectLengthAndType) {
    boost::json::object claims = Claims();
    claims["sub"] = "";
    ExpectRejected(Token(claims), TokenError::kBadSubject);
    claims["sub"] = std::string(129, 'u');
    ExpectRejected(Token(claims), TokenError::kBadSubject);
    claims["sub"] = 12345;
    ExpectRejected(Token(claims), TokenError::kBadSubject);
    claims["sub"] = boost::json::array{"uid"};
    ExpectRejected(Token(claims), TokenError::kBadSubject);
    claims.erase("sub");
    ExpectRejected(Token(claims), TokenError::kBadSubject);
    claims["sub"] = std::string(128, 'u');
    auto result = Verify(Token(claims));
    ASSERT_TRUE(result) << result.Reason();
    EXPECT_EQ(result.Value().uid, std::string(128, 'u'));
}

// T-27
TEST_F(FirebaseVerifierTest, T27ThousandRandomBitFlipsAreAllRejected) {
    std::string token = Token();
    ASSERT_TRUE(Verify(token));
    std::size_t first_dot = token.find('.');
    std::size_t second_dot = token.rfind('.');
    std::string segments[3] = {*crypto::Base64UrlDecode(token.substr(0, first_dot)),
                               *crypto::Base64UrlDecode(token.substr(first_dot + 1, second_dot - first_dot - 1)),
                               *crypto::Base64UrlDecode(token.substr(second_dot + 1))};
    std::mt19937 rng(20);
    int accepted = 0;
    int flips_per_segment[3] = {0, 0, 0};
    for (int flip_idx = 0; flip_idx < 1000; ++flip_idx) {
        int segment = static_cast<int>(rng() % 3);
        std::string copy[3] = {segments[0], segments[1], segments[2]};
        std::size_t byte = rng() % copy[segment].size();
        copy[segment][byte] = static_cast<char>(copy[segment][byte] ^ (1 << (rng() % 8)));
        std::string flipped = crypto::Base64UrlEncode(copy[0]) + "." + crypto::Base64UrlEncode(copy[1]) + "." +
                              crypto::Base64UrlEncode(copy[2]);
        ++flips_per_segment[segment];
        if (Verify(flipped)) {
            ++accepted;
        }
    }
    EXPECT_EQ(accepted, 0);
    EXPECT_GT(flips_per_segment[0], 250);
    EXPECT_GT(flips_per_segment[1], 250);
    EXPECT_GT(flips_per_segment[2], 250);
    EXPECT_TRUE(Verify(token));
    // Flipped kids may ask for keys, but never more than the rate limit allows.
    EXPECT_LE(server_.Requests(), 2);
}

// T-28
TEST_F(FirebaseVerifierTest, T28KeysAreCachedForMaxAge) {
    Serve({{"kid-a", Keys().cert_a}}, "public, max-age=5");
    std::string token = Token();
    ASSERT_TRUE(Verify(token));
    ASSERT_EQ(server_.Requests(), 1);
    for (int step = 0; step < 4; ++step) {
        clock_.Advance(1s);
        ASSERT_TRUE(Verify(token));
    }
    clock_.Advance(999ms);
    ASSERT_TRUE(Verify(token));
    EXPECT_EQ(server_.Requests(), 1) << "no refetch within 5 s";
    clock_.Advance(1ms);
    ASSERT_TRUE(Verify(token));
    EXPECT_EQ(server_.Requests(), 2) << "exactly one refetch at 5 s";
    ASSERT_TRUE(Verify(token));
    EXPECT_EQ(server_.Requests(), 2);
}

TEST_F(FirebaseVerifierTest, T28KeyRotation) {
    Serve({{"kid-a", Keys().cert_a}}, "max-age=5");
    std::string old_token = Token(Claims(), Keys().a, "kid-a");
    std::string new_token = Token(Claims(), Keys().b, "kid-b");
    ASSERT_TRUE(Verify(old_token));

    Serve({{"kid-b", Keys().cert_b}}, "max-age=5");
    clock_.Advance(4s);
    EXPECT_TRUE(Verify(old_token)) << "old kid valid until the cached set expires";
    EXPECT_EQ(server_.Requests(), 1);

    clock_.Advance(2s);
    auto result = Verify(new_token);
    EXPECT_TRUE(result) << result.Reason();
    EXPECT_EQ(server_.Requests(), 2);
    ExpectRejected(old_token, TokenError::kUnknownKeyId);

    // Google's usual overlap: both kids published, both accepted.
    Serve({{"kid-a", Keys().cert_a}, {"kid-b", Keys().cert_b}}, "max-age=5");
    clock_.Advance(6s);
    EXPECT_TRUE(Verify(new_token));
    EXPECT_TRUE(Verify(old_token));
}

TEST_F(FirebaseVerifierTest, T28MissingMaxAgeUsesTheDefault) {
    Serve({{"kid-a", Keys().cert_a}}, "");
    ASSERT_TRUE(Verify(Token()));
    clock_.Advance(59s);
    ASSERT_TRUE(Verify(Token()));
    EXPECT_EQ(server_.Requests(), 1);
    clock_.Advance(1s);
    ASSERT_TRUE(Verify(Token()));
    EXPECT_EQ(server_.Requests(), 2);
}

// T-29
TEST_F(FirebaseVerifierTest, T29MalformedTokensAreRejectedWithoutFetching) {
    for (const auto& [label, token] : testing::MalformedTokens()) {
        auto result = Verify(token);
        ASSERT_FALSE(result) << label;
        EXPECT_TRUE(result.Code() == TokenError::kMalformed || result.Code() == TokenError::kTooLarge)
            << label << ": " << TokenErrorName(result.Code());
    }
    EXPECT_EQ(server_.Requests(), 0);
}

// T-13
TEST_F(FirebaseVerifierTest, T13OversizedResponsesFailClosed) {
    for (bool content_length : {true, false}) {
        LoopbackCertServer::Reply reply;
        reply.body = R"({"kid-a":")" + std::string(2 * 1024 * 1024, 'A') + R"("})";
        reply.cache_control = "max-age=60";
        reply.send_content_length = content_length;
        server_.Set(reply);
        verifier_ = MakeVerifier();
        ExpectRejected(Token(), TokenError::kKeysUnavailable);
    }
    EXPECT_EQ(server_.Requests(), 2);
}

TEST_F(FirebaseVerifierTest, T13InvalidDocumentsFailClosed) {
    std::vector<std::string> bodies = {
        "not json",
        R"({"kid-a": )",
        "[]",
        "{}",
        R"({"kid-a": 5})",
        R"({"kid-a": "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"})",
        R"({"kid-a": "hello"})",
        json::Serialize(boost::json::object{{"kid-a", Keys().a.Public().ToPem()}}),
        json::Serialize(boost::json::object{{"kid-a", Keys().cert_a}, {"kid-b", "junk"}}),
    };
    for (const std::string& body : bodies) {
        LoopbackCertServer::Reply reply;
        reply.body = body;
        reply.cache_control = "max-age=60";
        server_.Set(reply);
        verifier_ = MakeVerifier();
        auto result = Verify(Token());
        ASSERT_FALSE(result) << body;
        EXPECT_EQ(result.Code(), TokenError::kKeysUnavailable) << body;
    }
}

TEST_F(FirebaseVerifierTest, T13HttpErrorFailsClosed) {
    LoopbackCertServer::Reply reply;
    reply.status = 500;
    reply.body = CertificateDocument({{"kid-a", Keys().cert_a}});
    server_.Set(reply);
    ExpectRejected(Token(), TokenError::kKeysUnavailable);
}

TEST_F(FirebaseVerifierTest, T13StallFailsClosedWithinTheTimeout) {
    LoopbackCertServer::Reply reply;
    reply.body = CertificateDocument({{"kid-a", Keys().cert_a}});
    reply.stall = 30s;
    server_.Set(reply);
    verifier_ = MakeVerifier(300ms);
    auto started = std::chrono::steady_clock::now();
    auto result = Verify(Token());
    auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(result);
    EXPECT_EQ(result.Code(), TokenError::kKeysUnavailable);
    EXPECT_NE(result.Reason().find("timed out"), std::string::npos) << result.Reason();
    EXPECT_LT(elapsed, 5s);
}

TEST_F(FirebaseVerifierTest, T13CachedKeysStayUsableUntilTheirExpiry) {
    Serve({{"kid-a", Keys().cert_a}}, "max-age=60");
    ASSERT_TRUE(Verify(Token()));

    LoopbackCertServer::Reply broken;
    broken.body = "not json";
    server_.Set(broken);
    ExpectRejected(Token(Claims(), Keys().b, "kid-new"), TokenError::kKeysUnavailable);
    EXPECT_EQ(server_.Requests(), 2);
    clock_.Advance(59s);
    EXPECT_TRUE(Verify(Token())) << "cached key still valid after a failed refetch";
    EXPECT_EQ(server_.Requests(), 2);

    clock_.Advance(1s);
    ExpectRejected(Token(), TokenError::kKeysUnavailable);
    EXPECT_EQ(server_.Requests(), 3);
    // Within the failure backoff: fail fast, no new fetch.
    clock_.Advance(4s);
    ExpectRejected(Token(), TokenError::kKeysUnavailable);
    EXPECT_EQ(server_.Requests(), 3);

    Serve({{"kid-a", Keys().cert_a}}, "max-age=60");
    clock_.Advance(1s);
    EXPECT_TRUE(Verify(Token()));
    EXPECT_EQ(server_.Requests(), 4);
}

TEST_F(FirebaseVerifierTest, T13KnownKidsDoNotWaitForAStalledRefetch) {
    verifier_ = MakeVerifier(500ms);
    ASSERT_TRUE(Verify(Token()));
    LoopbackCertServer::Reply stalled;
    stalled.body = CertificateDocument({{"kid-a", Keys().cert_a}});
    stalled.stall = 30s;
    server_.Set(stalled);

    std::optional<TokenResult<FirebaseUser>> unknown;
    std::optional<TokenResult<FirebaseUser>> known;
    asio::co_spawn(io_, StoreResult(verifier_->Verify(Token(Claims(), Keys().b, "kid-new")), &unknown), asio::detached);
    asio::co_spawn(io_, StoreResult(verifier_->Verify(Token()), &known), asio::detached);
    io_.restart();
    while (!known && io_.run_one() > 0) {
    }
    ASSERT_TRUE(known);
    EXPECT_TRUE(*known);
    EXPECT_FALSE(unknown) << "the unknown kid is still waiting for its fetch";
    io_.run();
    ASSERT_TRUE(unknown);
    EXPECT_FALSE(*unknown);
}

// Concurrency
TEST_F(FirebaseVerifierTest, ConcurrentColdStartsShareOneFetch) {
    auto source = std::make_shared<FakeCertificateSource>();
    source->Set(CertificateFetch{std::nullopt, CertificateDocument({{"kid-a", Keys().cert_a}}), "max-age=600"});
    source->Hold();
    FirebaseVerifierOptions options;
    options.project_id = std::string(kProject);
    verifier_ = std::make_unique<FirebaseVerifier>(options, source, clock_);

    std::vector<std::optional<TokenResult<FirebaseUser>>> slots(100);
    std::string token = Token();
    for (auto& slot : slots) {
        asio::co_spawn(io_, StoreResult(verifier_->Verify(token), &slot), asio::detached);
    }
    // Runs after every coroutine above has suspended on the fetch.
    asio::post(io_, [&source] { source->Release(); });
    io_.restart();
    io_.run();
    for (const auto& slot : slots) {
        ASSERT_TRUE(slot);
        EXPECT_TRUE(*slot) << slot->Reason();
    }
    EXPECT_EQ(source->Fetches(), 1);
    EXPECT_EQ(verifier_->FetchCount(), 1u);
}

TEST_F(FirebaseVerifierTest, ConcurrentCallersOnManyThreads) {
    std::vector<std::string> tokens;
    for (int token_idx = 0; token_idx < 200; ++token_idx) {
        boost::json::object claims = Claims();
        claims["sub"] = "user-" + std::to_string(token_idx);
        bool unknown = token_idx % 4 == 3;
        tokens.push_back(unknown ? Token(claims, Keys().b, "kid-z") : Token(claims));
    }
    std::vector<std::optional<TokenResult<FirebaseUser>>> slots(tokens.size());
    asio::thread_pool callers(4);
    for (std::size_t token_idx = 0; token_idx < tokens.size(); ++token_idx) {
        asio::co_spawn(callers, StoreResult(verifier_->Verify(tokens[token_idx]), &slots[token_idx]), asio::detached);
    }
    callers.join();
    for (std::size_t token_idx = 0; token_idx < tokens.size(); ++token_idx) {
        ASSERT_TRUE(slots[token_idx]) << token_idx;
        bool unknown = token_idx % 4 == 3;
        ASSERT_EQ(slots[token_idx]->Ok(), !unknown) << token_idx;
        if (!unknown) {
            EXPECT_EQ(slots[token_idx]->Value().uid, "user-" + std::to_string(token_idx));
        }
    }
    EXPECT_LE(server_.Requests(), 2);
}

TEST_F(FirebaseVerifierTest, ThrowingSourceFailsClosedAndRecovers) {
    class ThrowingSource final : public CertificateSource {
    public:
        CertificateFetch Fetch() override {
            if (calls_++ == 0) {
                throw std::runtime_error("boom");
            }
            return CertificateFetch{std::nullopt, CertificateDocument({{"kid-a", Keys().cert_a}}), "max-age=60"};
        }

    private:
        int calls_ = 0;
    };
    FirebaseVerifierOptions options;
    options.project_id = std::string(kProject);
    verifier_ = std::make_unique<FirebaseVerifier>(options, std::make_shared<ThrowingSource>(), clock_);
    auto result = Verify(Token());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.Code(), TokenError::kKeysUnavailable);
    EXPECT_NE(result.Reason().find("boom"), std::string::npos);
    clock_.Advance(5s);
    EXPECT_TRUE(Verify(Token()));
}

TEST_F(FirebaseVerifierTest, ConstructorRequiresProjectAndSource) {
    FirebaseVerifierOptions options;
    EXPECT_THROW(FirebaseVerifier(options, std::make_shared<FakeCertificateSource>(), clock_), std::invalid_argument);
    options.project_id = "p";
    EXPECT_THROW(FirebaseVerifier(options, nullptr, clock_), std::invalid_argument);
    options.emulator_mode = true;
    // The constructor's contract only: FirebaseEmulatorTest below verifies tokens with such a verifier.
    EXPECT_NO_THROW(FirebaseVerifier(options, nullptr, clock_));
}

// T-30 (the verifier part) and emulator tokens
class FirebaseEmulatorTest : public FirebaseVerifierTest {
protected:
    void SetUp() override {
        FirebaseVerifierOptions options;
        options.project_id = std::string(kProject);
        options.emulator_mode = true;
        verifier_ = std::make_unique<FirebaseVerifier>(options, nullptr, clock_);
    }
    std::string Unsigned(const boost::json::object& claims) const {
        return RawToken(R"({"alg":"none","typ":"JWT"})", json::Serialize(claims), "");
    }
};

TEST_F(FirebaseEmulatorTest, UnsignedTokenIsAcceptedInEmulatorMode) {
    auto result = Verify(Unsigned(Claims()));
    ASSERT_TRUE(result) << result.Reason();
    EXPECT_EQ(result.Value().uid, "uid-123");
    EXPECT_EQ(server_.Requests(), 0);
}

TEST_F(FirebaseEmulatorTest, EmulatorModeStillChecksClaimsAndShape) {
    boost::json::object claims = Claims();
    claims["aud"] = "other";
    ExpectRejected(Unsigned(claims), TokenError::kWrongAudience);
    claims = Claims();
    claims["exp"] = clock_.NowSeconds() - 61;
    ExpectRejected(Unsigned(claims), TokenError::kExpired);
    ExpectRejected(RawToken(R"({"alg":"none"})", json::Serialize(Claims()), "sig"), TokenError::kBadSignature);
    ExpectRejected(Token(), TokenError::kAlgorithmNotAllowed);
}

TEST(CheckEmulatorGateTest, AllowsOnlyFlagPlusHostPlusLoopback) {
    EXPECT_EQ(CheckEmulatorGate(false, nullptr, "0.0.0.0"), std::nullopt);
    EXPECT_EQ(CheckEmulatorGate(false, "", "0.0.0.0"), std::nullopt);
    EXPECT_EQ(CheckEmulatorGate(true, "127.0.0.1:9099", "127.0.0.1"), std::nullopt);
    EXPECT_EQ(CheckEmulatorGate(true, "localhost:9099", "::1"), std::nullopt);
    EXPECT_EQ(CheckEmulatorGate(true, "localhost:9099", "[::1]"), std::nullopt);
    EXPECT_EQ(CheckEmulatorGate(true, "localhost:9099", "127.0.0.2"), std::nullopt);

    auto error = CheckEmulatorGate(false, "localhost:9099", "127.0.0.1");
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("FIREBASE_AUTH_EMULATOR_HOST"), std::string::npos);
    error = CheckEmulatorGate(true, nullptr, "127.0.0.1");
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("FIREBASE_AUTH_EMULATOR_HOST"), std::string::npos);
    EXPECT_TRUE(CheckEmulatorGate(true, "", "127.0.0.1"));
    for (std::string_view bind :
         {"0.0.0.0", "::", "192.168.1.10", "localhost", "", "127.0.0.1:8080", "[::ffff:10.0.0.1]"}) {
        error = CheckEmulatorGate(true, "127.0.0.1:9099", bind);
        ASSERT_TRUE(error) << bind;
        EXPECT_NE(error->find("loopback"), std::string::npos) << bind;
    }
}

TEST(ParseMaxAgeTest, ReadsTheDirective) {
    EXPECT_EQ(ParseMaxAge("public, max-age=22107, must-revalidate, no-transform"), 22107s);
    EXPECT_EQ(ParseMaxAge("max-age=5"), 5s);
    EXPECT_EQ(ParseMaxAge(" Max-Age = 0 "), 0s);
    EXPECT_EQ(ParseMaxAge("max-age=\"60\""), 60s);
    EXPECT_EQ(ParseMaxAge(""), std::nullopt);
    EXPECT_EQ(ParseMaxAge("no-cache"), std::nullopt);
    EXPECT_EQ(ParseMaxAge("s-maxage=60"), std::nullopt);
    EXPECT_EQ(ParseMaxAge("max-age=-1"), std::nullopt);
    EXPECT_EQ(ParseMaxAge("max-age=1e3"), std::nullopt);
    EXPECT_EQ(ParseMaxAge("max-age=99999999999999999999"), std::nullopt);
}

TEST(ParseCertificateSetTest, AcceptsGoogleShape) {
    auto keys = ParseCertificateSet(CertificateDocument({{"kid-a", Keys().cert_a}, {"kid-b", Keys().cert_b}}));
    ASSERT_TRUE(keys) << keys.Reason();
    ASSERT_EQ(keys.Value().size(), 2u);
    EXPECT_EQ(keys.Value().at("kid-a").Thumbprint(), Keys().a.Public().Thumbprint());
    EXPECT_EQ(keys.Value().at("kid-b").Thumbprint(), Keys().b.Public().Thumbprint());
}

TEST(ParseCertificateSetTest, RejectsOversizedAndOverfullDocuments) {
    EXPECT_FALSE(ParseCertificateSet(std::string(kMaxCertificateResponseBytes + 1, ' ')));
    std::map<std::string, std::string> many;
    for (std::size_t kid_idx = 0; kid_idx <= kMaxCertificates; ++kid_idx) {
        many["kid-" + std::to_string(kid_idx)] = Keys().cert_a;
    }
    EXPECT_FALSE(ParseCertificateSet(CertificateDocument(many)));
    EXPECT_FALSE(ParseCertificateSet(CertificateDocument({{"", Keys().cert_a}})));
    EXPECT_FALSE(ParseCertificateSet(CertificateDocument({{std::string(257, 'k'), Keys().cert_a}})));
    EXPECT_FALSE(ParseCertificateSet(R"({"a":{"b":{"c":{"d":{"e":"deep"}}}}})"));
}

}  // namespace
}  // namespace strava1::auth
