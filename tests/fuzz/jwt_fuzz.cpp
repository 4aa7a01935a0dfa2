// libFuzzer target for the token layer of libs/auth: the compact JWS parser, both signature
// algorithms, the local ES256 verifier, the Firebase verifier (emulator and key-fetching modes)
// and the certificate-document and Cache-Control parsers. Every input must be rejected or accepted
// without a crash, a leak or a sanitizer report; nothing here can accept a forged token, so any
// accepted input is reported as a finding.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "strava1/auth/firebase_verifier.hpp"
#include "strava1/auth/jwt.hpp"
#include "strava1/auth/local_tokens.hpp"
#include "strava1/base/clock.hpp"

namespace {

using strava1::auth::CertificateFetch;
using strava1::auth::CertificateSource;
using strava1::auth::FirebaseUser;
using strava1::auth::FirebaseVerifier;
using strava1::auth::FirebaseVerifierOptions;
using strava1::auth::TokenResult;

/// A fixed instant, so runs are reproducible.
class FixedClock final : public strava1::Clock {
public:
    strava1::SystemTime Now() const override { return strava1::SystemTime(std::chrono::seconds(1'760'000'000)); }
};

/// Answers with a document that names no usable key: the verifier must fail closed.
class EmptySource final : public CertificateSource {
public:
    CertificateFetch Fetch() override { return CertificateFetch{std::nullopt, "{}", "max-age=3600"}; }
};

struct Fixture {
    FixedClock clock;
    strava1::auth::PrivateKey ec_key = strava1::auth::PrivateKey::GenerateEs256();
    strava1::auth::PublicKey rsa_public = strava1::auth::PrivateKey::GenerateRsa(2048).Public();
    strava1::auth::LocalTokenVerifier local{ec_key.Public(), clock};
    std::unique_ptr<FirebaseVerifier> firebase;
    std::unique_ptr<FirebaseVerifier> emulator;

    Fixture() {
        FirebaseVerifierOptions options;
        options.project_id = "demo-fitness";
        firebase = std::make_unique<FirebaseVerifier>(options, std::make_shared<EmptySource>(), clock);
        options.emulator_mode = true;
        emulator = std::make_unique<FirebaseVerifier>(options, nullptr, clock);
    }
};

Fixture& GetFixture() {
    static Fixture* fixture = new Fixture();  // never destroyed: libFuzzer exits without unwinding
    return *fixture;
}

boost::asio::awaitable<void> StoreResult(boost::asio::awaitable<TokenResult<FirebaseUser>> operation,
                                         std::optional<TokenResult<FirebaseUser>>* out) {
    out->emplace(co_await std::move(operation));
}

TokenResult<FirebaseUser> RunVerify(FirebaseVerifier& verifier, std::string token) {
    boost::asio::io_context io;
    std::optional<TokenResult<FirebaseUser>> out;
    boost::asio::co_spawn(io, StoreResult(verifier.Verify(std::move(token)), &out), boost::asio::detached);
    io.run();
    return out ? std::move(*out) : TokenResult<FirebaseUser>();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Fixture& fixture = GetFixture();
    std::string_view input(reinterpret_cast<const char*>(data), size);

    auto parsed = strava1::auth::ParseJwt(input);
    if (parsed) {
        // No input can carry a valid signature by our freshly generated keys.
        if (!strava1::auth::VerifyJwtSignature(parsed.Value(), strava1::auth::JwtAlgorithm::kEs256,
                                               fixture.ec_key.Public()) ||
            !strava1::auth::VerifyJwtSignature(parsed.Value(), strava1::auth::JwtAlgorithm::kRs256,
                                               fixture.rsa_public)) {
            std::abort();
        }
        (void)strava1::auth::EcdsaJoseToDer(parsed.Value().signature);
        (void)strava1::auth::EcdsaDerToJose(parsed.Value().signature);
    }
    if (fixture.local.Verify(input)) {
        std::abort();
    }
    if (RunVerify(*fixture.firebase, std::string(input))) {
        std::abort();
    }
    // Emulator tokens are unsigned, so a well-formed one may legitimately pass; only crashes count.
    (void)RunVerify(*fixture.emulator, std::string(input));

    (void)strava1::auth::ParseCertificateSet(input);
    (void)strava1::auth::ParseMaxAge(input);
    return 0;
}
