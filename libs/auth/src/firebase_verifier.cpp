#include "strava1/auth/firebase_verifier.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include "claims.hpp"
#include "strava1/base/error.hpp"
#include "strava1/base/json.hpp"
#include "strava1/base/log.hpp"
#include "strava1/base/text.hpp"

namespace strava1::auth {
namespace {

namespace asio = boost::asio;

TokenFailure Fail(TokenError error, std::string reason) { return TokenFailure{error, std::move(reason)}; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

/// A cached certificate set and the moment it stops being trusted.
struct KeySet {
    KeyMap keys;
    SystemTime expires_at;
};

/// The result of one fetch, shared by everyone who awaited it.
struct FetchOutcome {
    std::shared_ptr<const KeySet> keys;  // null when the fetch failed
    std::string error;
};

using OutcomePtr = std::shared_ptr<const FetchOutcome>;

/// A coroutine waiting for a fetch: its executor (holding outstanding work so its io_context keeps
/// running while it waits) and how to resume it.
struct Waiter {
    asio::any_io_executor executor;
    std::function<void(OutcomePtr)> resume;
};

/// One fetch in progress. Guarded by Impl::mutex.
struct Flight {
    bool done = false;
    OutcomePtr outcome;
    std::vector<Waiter> waiters;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

TokenResult<KeyMap> ParseCertificateSet(std::string_view body) {
    if (body.size() > kMaxCertificateResponseBytes) {
        return Fail(TokenError::kKeysUnavailable, "certificate document larger than 1 MiB");
    }
    boost::json::value document;
    try {
        document = json::Parse(body, 4);
    } catch (const strava1::Error& error) {
        return Fail(TokenError::kKeysUnavailable, "certificate document is not JSON: " + error.Detail());
    }
    if (!document.is_object() || document.get_object().empty()) {
        return Fail(TokenError::kKeysUnavailable, "certificate document must be a non-empty JSON object");
    }
    const auto& object = document.get_object();
    if (object.size() > kMaxCertificates) {
        return Fail(TokenError::kKeysUnavailable, "certificate document has too many entries");
    }
    KeyMap keys;
    for (const auto& entry : object) {
        std::string_view kid = entry.key();
        if (kid.empty() || kid.size() > kMaxKeyIdBytes) {
            return Fail(TokenError::kKeysUnavailable, "certificate kid must be 1..256 bytes");
        }
        std::optional<PublicKey> key;
        if (entry.value().is_string()) {
            key = PublicKey::FromCertificatePem(entry.value().get_string());
        }
        if (!key) {
            return Fail(TokenError::kKeysUnavailable,
                        "value for kid " + std::string(kid.substr(0, 64)) + " is not one PEM certificate");
        }
        keys.emplace(std::string(kid), std::move(*key));
    }
    return keys;
}

std::optional<std::chrono::seconds> ParseMaxAge(std::string_view cache_control) {
    constexpr std::size_t kMaxDigits = 10;
    while (!cache_control.empty()) {
        std::size_t comma = cache_control.find(',');
        std::string_view directive = text::TrimOws(cache_control.substr(0, comma));
        cache_control = comma == std::string_view::npos ? std::string_view() : cache_control.substr(comma + 1);
        std::size_t eq = directive.find('=');
        if (eq == std::string_view::npos || !EqualsIgnoreCase(text::TrimOws(directive.substr(0, eq)), "max-age")) {
            continue;
        }
        std::string_view value = text::TrimOws(directive.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
            value = value.substr(1, value.size() - 2);
        }
        if (value.empty() || value.size() > kMaxDigits ||
            !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return std::nullopt;
        }
        std::int64_t seconds = 0;
        for (char c : value) {
            seconds = seconds * 10 + (c - '0');
        }
        return std::chrono::seconds(seconds);
    }
    return std::nullopt;
}

std::optional<std::string> CheckEmulatorGate(bool flag, const char* emulator_host_env, std::string_view bind_address) {
    bool host_set = emulator_host_env != nullptr && *emulator_host_env != '\0';
    if (!flag) {
        if (host_set) {
            return "FIREBASE_AUTH_EMULATOR_HOST is set but the Firebase emulator flag is off; unset it or turn the "
                   "flag on for development";
        }
        return std::nullopt;
    }
    if (!host_set) {
        return "the Firebase emulator flag needs FIREBASE_AUTH_EMULATOR_HOST to be set";
    }
    std::string_view host = bind_address;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    boost::system::error_code ec;
    auto address = asio::ip::make_address(std::string(host), ec);
    if (ec || !address.is_loopback()) {
        return "the Firebase emulator flag requires a loopback bind address (127.0.0.1 or ::1), not \"" +
               std::string(bind_address) + "\"";
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------

struct FirebaseVerifier::Impl {
    Impl(FirebaseVerifierOptions options_in, std::shared_ptr<CertificateSource> source_in, const Clock& clock_in)
        : options(std::move(options_in)),
          source(std::move(source_in)),
          clock(clock_in),
          issuer(std::string(kFirebaseIssuerPrefix) + options.project_id) {}

    FirebaseVerifierOptions options;
    std::shared_ptr<CertificateSource> source;
    const Clock& clock;
    const std::string issuer;
    // One worker: fetches never overlap, and blocking libcurl stays off the I/O threads.
    asio::thread_pool pool{1};

    mutable std::mutex mutex;
    std::shared_ptr<const KeySet> keys;                  // guarded by mutex
    std::shared_ptr<Flight> in_flight;                   // guarded by mutex
    std::optional<SystemTime> last_unknown_kid_refetch;  // guarded by mutex
    std::optional<SystemTime> last_failure;              // guarded by mutex
    std::uint64_t fetch_count = 0;                       // guarded by mutex

    std::shared_ptr<Flight> StartFetchLocked() {
        ++fetch_count;
        auto flight = std::make_shared<Flight>();
        in_flight = flight;
        asio::post(pool, [this, flight] { RunFetch(flight); });
        return flight;
    }

    OutcomePtr FetchOnce() {
        auto outcome = std::make_shared<FetchOutcome>();
        // The source is an extension point: whatever it throws becomes a failed fetch, so that the
        // waiters are always resumed.
        try {
            CertificateFetch fetched = source->Fetch();
            if (fetched.error) {
                outcome->error = *fetched.error;
                return outcome;
            }
            auto parsed = ParseCertificateSet(fetched.body);
            if (!parsed) {
                outcome->error = parsed.Reason();
                return outcome;
            }
            auto max_age = ParseMaxAge(fetched.cache_control).value_or(options.default_max_age);
            max_age = std::clamp(max_age, std::chrono::seconds(0), options.max_max_age);
            outcome->keys = std::make_shared<const KeySet>(KeySet{std::move(parsed).Value(), clock.Now() + max_age});
        } catch (const std::exception& error) {
            outcome->error = std::string("certificate source failed: ") + error.what();
        }
        return outcome;
    }

    void RunFetch(const std::shared_ptr<Flight>& flight) {
        OutcomePtr outcome = FetchOnce();
        if (!outcome->keys) {
            log::Warn("firebase certificate fetch failed", {{"reason", outcome->error}});
        }
        std::vector<Waiter> waiters;
        {
            std::lock_guard lock(mutex);
            if (outcome->keys) {
                keys = outcome->keys;
                last_failure.reset();
            } else {
                last_failure = clock.Now();
            }
            flight->done = true;
            flight->outcome = outcome;
            waiters.swap(flight->waiters);
            if (in_flight == flight) {
                in_flight.reset();
            }
        }
        for (auto& waiter : waiters) {
            asio::post(waiter.executor, [resume = std::move(waiter.resume), outcome] { resume(outcome); });
        }
    }

    template <class CompletionToken>
    auto AsyncAwaitFlight(std::shared_ptr<Flight> flight, CompletionToken&& token) {
        return asio::async_initiate<CompletionToken, void(OutcomePtr)>(
            [this](auto handler, std::shared_ptr<Flight> awaited) {
                auto executor = asio::get_associated_executor(handler);
                asio::any_io_executor work = asio::prefer(executor, asio::execution::outstanding_work.tracked);
                auto shared = std::make_shared<decltype(handler)>(std::move(handler));
                std::function<void(OutcomePtr)> resume = [shared](OutcomePtr outcome) {
                    (*shared)(std::move(outcome));
                };
                std::unique_lock lock(mutex);
                if (awaited->done) {
                    OutcomePtr outcome = awaited->outcome;
                    lock.unlock();
                    asio::post(work, [resume = std::move(resume), outcome] { resume(outcome); });
                    return;
                }
                awaited->waiters.push_back(Waiter{std::move(work), std::move(resume)});
            },
            token, std::move(flight));
    }

    /// The key for `kid`, fetching as the rules allow.
    asio::awaitable<TokenResult<PublicKey>> FindKey(std::string kid) {
        std::shared_ptr<Flight> flight;
        std::optional<TokenFailure> refusal;
        std::optional<PublicKey> cached;
        {
            std::lock_guard lock(mutex);
            SystemTime now = clock.Now();
            bool fresh = keys != nullptr && now < keys->expires_at;
            if (fresh) {
                if (auto it = keys->keys.find(kid); it != keys->keys.end()) {
                    cached = it->second;
                } else if (in_flight) {
                    flight = in_flight;
                } else if (last_unknown_kid_refetch &&
                           now - *last_unknown_kid_refetch < options.unknown_kid_refetch_interval) {
                    refusal = Fail(TokenError::kUnknownKeyId, "kid not in the certificate set (refetch rate-limited)");
                } else {
                    last_unknown_kid_refetch = now;
                    flight = StartFetchLocked();
                }
            } else if (in_flight) {
                flight = in_flight;
            } else if (last_failure && now - *last_failure < options.fetch_failure_backoff) {
                refusal = Fail(TokenError::kKeysUnavailable, "certificates unavailable (recent fetch failed)");
            } else {
                flight = StartFetchLocked();
            }
        }
        if (cached) {
            co_return std::move(*cached);
        }
        if (refusal) {
            co_return std::move(*refusal);
        }

        OutcomePtr outcome = co_await AsyncAwaitFlight(flight, asio::use_awaitable);
        if (outcome->keys) {
            if (auto it = outcome->keys->keys.find(kid); it != outcome->keys->keys.end()) {
                co_return it->second;
            }
            co_return Fail(TokenError::kUnknownKeyId, "kid not in the certificate set");
        }
        {
            // The fetch failed: keys cached before it stay usable until their own expiry.
            std::lock_guard lock(mutex);
            if (keys != nullptr && clock.Now() < keys->expires_at) {
                if (auto it = keys->keys.find(kid); it != keys->keys.end()) {
                    cached = it->second;
                }
            }
        }
        if (cached) {
            co_return std::move(*cached);
        }
        co_return Fail(TokenError::kKeysUnavailable, "certificate fetch failed: " + outcome->error);
    }

    /// Every claim rule; the signature is checked separately.
    TokenResult<FirebaseUser> CheckClaims(const boost::json::object& claims) const {
        const auto* aud = claims.if_contains("aud");
        if (aud == nullptr) {
            return Fail(TokenError::kMissingClaim, "claim aud is missing");
        }
        if (!aud->is_string() || aud->get_string() != options.project_id) {
            return Fail(TokenError::kWrongAudience, "aud is not this project");
        }
        auto iss = detail::StringClaim(claims, "iss");
        if (!iss) {
            return std::move(iss).Failure();
        }
        if (iss.Value() != issuer) {
            return Fail(TokenError::kWrongIssuer, "iss is not " + issuer);
        }
        auto exp = detail::NumericDateClaim(claims, "exp");
        if (!exp) {
            return std::move(exp).Failure();
        }
        auto iat = detail::NumericDateClaim(claims, "iat");
        if (!iat) {
            return std::move(iat).Failure();
        }
        auto auth_time = detail::NumericDateClaim(claims, "auth_time");
        if (!auth_time) {
            return std::move(auth_time).Failure();
        }
        std::int64_t now = UnixSeconds(clock.Now());
        if (auto failure = detail::CheckNotExpired(exp.Value(), now)) {
            return std::move(*failure);
        }
        if (auto failure = detail::CheckNotInFuture("iat", iat.Value(), now)) {
            return std::move(*failure);
        }
        if (auto failure = detail::CheckNotInFuture("auth_time", auth_time.Value(), now)) {
            return std::move(*failure);
        }
        auto sub = detail::SubjectClaim(claims);
        if (!sub) {
            return std::move(sub).Failure();
        }

        FirebaseUser user;
        user.uid = std::move(sub).Value();
        user.auth_time = SystemTime(std::chrono::seconds(auth_time.Value()));
        user.issued_at = SystemTime(std::chrono::seconds(iat.Value()));
        user.expires_at = SystemTime(std::chrono::seconds(exp.Value()));
        if (const auto* email = claims.if_contains("email"); email != nullptr && email->is_string()) {
            user.email = std::string(email->get_string());
        }
        if (const auto* verified = claims.if_contains("email_verified"); verified != nullptr && verified->is_bool()) {
            user.email_verified = verified->get_bool();
        }
        if (const auto* firebase = claims.if_contains("firebase"); firebase != nullptr && firebase->is_object()) {
            const auto* provider = firebase->get_object().if_contains("sign_in_provider");
            if (provider != nullptr && provider->is_string()) {
                user.sign_in_provider = std::string(provider->get_string());
            }
        }
        return user;
    }
};

FirebaseVerifier::FirebaseVerifier(FirebaseVerifierOptions options, std::shared_ptr<CertificateSource> source,
                                   const Clock& clock) {
    if (options.project_id.empty()) {
        throw std::invalid_argument("FirebaseVerifier needs a project id");
    }
    if (source == nullptr && !options.emulator_mode) {
        throw std::invalid_argument("FirebaseVerifier needs a certificate source");
    }
    impl_ = std::make_unique<Impl>(std::move(options), std::move(source), clock);
}

FirebaseVerifier::~FirebaseVerifier() {
    // Waits for a fetch that is running; nothing else is ever queued behind it.
    impl_->pool.join();
}

std::uint64_t FirebaseVerifier::FetchCount() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->fetch_count;
}

asio::awaitable<TokenResult<FirebaseUser>> FirebaseVerifier::Verify(std::string token) {
    auto parsed = ParseJwt(token);
    if (!parsed) {
        co_return std::move(parsed).Failure();
    }
    const Jwt& jwt = parsed.Value();

    if (impl_->options.emulator_mode) {
        if (jwt.alg != "none") {
            co_return Fail(TokenError::kAlgorithmNotAllowed, "emulator mode accepts only unsigned (alg none) tokens");
        }
        if (!jwt.signature.empty()) {
            co_return Fail(TokenError::kBadSignature, "an unsigned emulator token must have an empty signature");
        }
        co_return impl_->CheckClaims(jwt.payload);
    }

    if (jwt.alg != JwtAlgorithmName(JwtAlgorithm::kRs256)) {
        co_return Fail(TokenError::kAlgorithmNotAllowed,
                       "alg " + jwt.alg.substr(0, 16) + " not accepted, expected RS256");
    }
    if (!jwt.kid) {
        co_return Fail(TokenError::kMissingKeyId, "header kid is missing");
    }
    // Claims first: a token that cannot pass anyway must not be able to trigger a key fetch.
    auto user = impl_->CheckClaims(jwt.payload);
    if (!user) {
        co_return user;
    }
    auto key = co_await impl_->FindKey(*jwt.kid);
    if (!key) {
        co_return std::move(key).Failure();
    }
    if (auto failure = VerifyJwtSignature(jwt, JwtAlgorithm::kRs256, key.Value())) {
        co_return std::move(*failure);
    }
    co_return user;
}

}  // namespace strava1::auth
