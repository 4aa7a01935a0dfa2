#pragma once

// Test-only helpers for libs/auth: a fake clock, certificates made on the fly, a fake and a real
// (loopback HTTP) certificate source, and token builders. Included by *_test.cpp only.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "strava1/auth/firebase_verifier.hpp"
#include "strava1/auth/jwt.hpp"
#include "strava1/base/clock.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/base/json.hpp"

namespace strava1::auth::testing {

namespace asio = boost::asio;

/// A settable clock with millisecond steps, safe to read from the verifier's worker thread.
class FakeClock final : public Clock {
public:
    explicit FakeClock(std::int64_t unix_seconds = 1'760'000'000) : now_ms_(unix_seconds * 1000) {}
    SystemTime Now() const override { return SystemTime(std::chrono::milliseconds(now_ms_.load())); }
    std::int64_t NowSeconds() const { return now_ms_.load() / 1000; }
    void Advance(std::chrono::milliseconds by) { now_ms_ += by.count(); }

private:
    std::atomic<std::int64_t> now_ms_;
};

/// A self-signed X.509 certificate (PEM) for `key`, like the ones Google publishes.
inline std::string SelfSignedCertificatePem(const PrivateKey& key, const std::string& common_name) {
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    static std::atomic<long> serial{1};
    bool ok = cert && X509_set_version(cert.get(), 2) == 1 &&
              ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++) == 1 &&
              X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) != nullptr &&
              X509_gmtime_adj(X509_getm_notAfter(cert.get()), 14L * 24 * 3600) != nullptr &&
              X509_set_pubkey(cert.get(), key.NativeHandle()) == 1;
    X509_NAME* name = ok ? X509_get_subject_name(cert.get()) : nullptr;
    ok = ok && name != nullptr &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1 &&
         X509_set_issuer_name(cert.get(), name) == 1 && X509_sign(cert.get(), key.NativeHandle(), EVP_sha256()) > 0;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!ok || !bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) {
        throw std::runtime_error("test certificate generation failed");
    }
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

/// Google's document shape: {"<kid>": "<PEM certificate>", ...}.
inline std::string CertificateDocument(const std::map<std::string, std::string>& pem_by_kid) {
    boost::json::object document;
    for (const auto& [kid, pem] : pem_by_kid) {
        document[kid] = pem;
    }
    return json::Serialize(document);
}

/// A compact token from raw header/payload JSON text and raw signature bytes (no checks at all).
inline std::string RawToken(std::string_view header_json, std::string_view payload_json, std::string_view signature) {
    return crypto::Base64UrlEncode(header_json) + "." + crypto::Base64UrlEncode(payload_json) + "." +
           crypto::Base64UrlEncode(signature);
}

/// Signs `signing_input` with an arbitrary digest (RS512 and friends for negative tests).
inline std::string SignWithDigest(const PrivateKey& key, const EVP_MD* md, std::string_view signing_input) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::size_t len = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(signing_input.data());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.NativeHandle()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, data, signing_input.size()) != 1) {
        throw std::runtime_error("test signing failed");
    }
    std::string signature(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len, data,
                       signing_input.size()) != 1) {
        throw std::runtime_error("test signing failed");
    }
    signature.resize(len);
    return signature;
}

/// Header and payload JSON text signed by hand with `alg` in the header (for mismatched-alg tests).
inline std::string SignedWith(std::string_view alg_in_header, const boost::json::object& header_extra,
                              const boost::json::object& payload,
                              const std::function<std::string(std::string_view)>& sign) {
    boost::json::object header = header_extra;
    header["alg"] = alg_in_header;
    std::string input =
        crypto::Base64UrlEncode(json::Serialize(header)) + "." + crypto::Base64UrlEncode(json::Serialize(payload));
    return input + "." + crypto::Base64UrlEncode(sign(input));
}

/// A certificate source answering from memory, counting calls. Thread-safe. When held, Fetch()
/// blocks until Release() so that tests can pile up concurrent callers behind one fetch.
class FakeCertificateSource final : public CertificateSource {
public:
    void Set(CertificateFetch response) {
        std::lock_guard lock(mutex_);
        response_ = std::move(response);
    }
    void Hold() {
        std::lock_guard lock(mutex_);
        held_ = true;
    }
    void Release() {
        {
            std::lock_guard lock(mutex_);
            held_ = false;
        }
        released_.notify_all();
    }
    CertificateFetch Fetch() override {
        ++fetches_;
        std::unique_lock lock(mutex_);
        released_.wait(lock, [this] { return !held_; });
        return response_;
    }
    int Fetches() const { return fetches_.load(); }

private:
    std::mutex mutex_;
    std::condition_variable released_;
    bool held_ = false;
    CertificateFetch response_;
    std::atomic<int> fetches_{0};
};

/// Structurally broken compact tokens (T-29), each with a label for failure messages.
inline std::vector<std::pair<std::string, std::string>> MalformedTokens() {
    std::string header = crypto::Base64UrlEncode(R"({"alg":"RS256","kid":"k"})");
    std::string payload = crypto::Base64UrlEncode(R"({"sub":"x"})");
    std::string signature = crypto::Base64UrlEncode(std::string(256, 's'));
    std::string deep_array = std::string(1000, '[') + std::string(1000, ']');
    std::string deep_object;
    for (int level = 0; level < 1000; ++level) {
        deep_object += R"({"a":)";
    }
    deep_object += "1" + std::string(1000, '}');
    return {
        {"empty", ""},
        {"one segment", header},
        {"two segments", header + "." + payload},
        {"four segments", header + "." + payload + "." + signature + "." + signature},
        {"five dots", "....."},
        {"empty header", "." + payload + "." + signature},
        {"empty payload", header + ".." + signature},
        {"standard base64 alphabet",
         header + "." + payload + "." + signature.substr(0, 10) + "+/" + signature.substr(12)},
        {"non-base64 characters", header + ".pay*load." + signature},
        {"padded base64", crypto::Base64UrlEncode(R"({"alg":"RS256"})") + "=." + payload + "." + signature},
        {"padding in signature", header + "." + payload + "." + signature + "=="},
        {"whitespace", header + " ." + payload + "." + signature},
        {"1 MB token", std::string(1'000'000, 'A') + "." + payload + "." + signature},
        {"8193 bytes", header + "." + payload + "." + std::string(8193 - header.size() - payload.size() - 2, 'A')},
        {"header not JSON", crypto::Base64UrlEncode("not json") + "." + payload + "." + signature},
        {"header is an array", crypto::Base64UrlEncode(R"(["RS256"])") + "." + payload + "." + signature},
        {"payload is a string", header + "." + crypto::Base64UrlEncode(R"("sub")") + "." + signature},
        {"trailing bytes after JSON",
         crypto::Base64UrlEncode(R"({"alg":"RS256"} x)") + "." + payload + "." + signature},
        {"invalid UTF-8",
         crypto::Base64UrlEncode("{\"alg\":\"RS256\",\"x\":\"\xff\"}") + "." + payload + "." + signature},
        {"nesting depth 1000 (array)", header + "." + crypto::Base64UrlEncode(deep_array) + "." + signature},
        {"nesting depth 1000 (object)", header + "." + crypto::Base64UrlEncode(deep_object) + "." + signature},
        {"alg missing", crypto::Base64UrlEncode(R"({"kid":"k"})") + "." + payload + "." + signature},
        {"alg not a string", crypto::Base64UrlEncode(R"({"alg":256,"kid":"k"})") + "." + payload + "." + signature},
        {"kid not a string", crypto::Base64UrlEncode(R"({"alg":"RS256","kid":7})") + "." + payload + "." + signature},
        {"kid too long", crypto::Base64UrlEncode(R"({"alg":"RS256","kid":")" + std::string(257, 'k') + R"("})") + "." +
                             payload + "." + signature},
        {"crit header",
         crypto::Base64UrlEncode(R"({"alg":"RS256","kid":"k","crit":["exp"]})") + "." + payload + "." + signature},
    };
}

/// A tiny HTTP/1.1 server on 127.0.0.1 (port 0, read back) answering every request with the
/// configured reply. Runs its own io_context on a thread; counts requests.
class LoopbackCertServer {
public:
    struct Reply {
        int status = 200;
        std::string body;
        std::string cache_control;  ///< header omitted when empty
        bool send_content_length = true;
        std::chrono::milliseconds stall{0};  ///< wait before answering
    };

    LoopbackCertServer() : acceptor_(io_, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
        port_ = acceptor_.local_endpoint().port();
        asio::co_spawn(io_, AcceptLoop(), asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~LoopbackCertServer() {
        io_.stop();
        thread_.join();
    }
    LoopbackCertServer(const LoopbackCertServer&) = delete;
    LoopbackCertServer& operator=(const LoopbackCertServer&) = delete;

    void Set(Reply reply) {
        std::lock_guard lock(mutex_);
        reply_ = std::move(reply);
    }
    int Requests() const { return requests_.load(); }
    std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/certs"; }

private:
    asio::awaitable<void> AcceptLoop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) {
                co_return;
            }
            asio::co_spawn(io_, Serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> Serve(asio::ip::tcp::socket socket) {
        std::string request;
        auto [read_ec, read_n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(request, 16 * 1024),
                                                                 "\r\n\r\n", asio::as_tuple(asio::use_awaitable));
        if (read_ec) {
            co_return;
        }
        ++requests_;
        Reply reply;
        {
            std::lock_guard lock(mutex_);
            reply = reply_;
        }
        if (reply.stall.count() > 0) {
            asio::steady_timer timer(io_, reply.stall);
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        std::string response =
            "HTTP/1.1 " + std::to_string(reply.status) + " Test\r\nContent-Type: application/json\r\n";
        if (reply.send_content_length) {
            response += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
        }
        if (!reply.cache_control.empty()) {
            response += "Cache-Control: " + reply.cache_control + "\r\n";
        }
        response += "Connection: close\r\n\r\n" + reply.body;
        co_await asio::async_write(socket, asio::buffer(response), asio::as_tuple(asio::use_awaitable));
        boost::system::error_code ignored;
        socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    }

    asio::io_context io_;
    asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::mutex mutex_;
    Reply reply_;
    std::atomic<int> requests_{0};
    std::thread thread_;
};

/// Stores the result of one awaited verification (a named coroutine, not a capturing lambda).
template <class Result>
asio::awaitable<void> StoreResult(asio::awaitable<Result> operation, std::optional<Result>* out) {
    out->emplace(co_await std::move(operation));
}

/// Runs one verification to completion on `io` and returns its result.
inline TokenResult<FirebaseUser> RunVerify(asio::io_context& io, FirebaseVerifier& verifier, std::string token) {
    std::optional<TokenResult<FirebaseUser>> out;
    asio::co_spawn(io, StoreResult(verifier.Verify(std::move(token)), &out), asio::detached);
    io.restart();
    io.run();
    if (!out) {
        throw std::runtime_error("verification did not complete");
    }
    return std::move(*out);
}

}  // namespace strava1::auth::testing
