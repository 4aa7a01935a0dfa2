#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "strava1/auth/firebase_verifier.hpp"

namespace strava1::auth {
namespace {

struct EasyDeleter {
    void operator()(CURL* curl) const noexcept { curl_easy_cleanup(curl); }
};

struct Response {
    std::string body;
    std::string cache_control;
    std::size_t max_body_bytes = 0;
    bool too_large = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
    auto* response = static_cast<Response*>(user);
    std::size_t n = size * count;
    if (response->body.size() + n > response->max_body_bytes) {
        response->too_large = true;
        return 0;  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
    }
    response->body.append(data, n);
    return n;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
    auto* response = static_cast<Response*>(user);
    std::size_t n = size * count;
    std::string_view line(data, n);
    if (line.starts_with("HTTP/")) {
        response->cache_control.clear();  // a new response (e.g. after 100 Continue) starts
        return n;
    }
    constexpr std::string_view kName = "cache-control:";
    if (line.size() >= kName.size() && std::equal(kName.begin(), kName.end(), line.begin(), [](char a, char b) {
            return a == std::tolower(static_cast<unsigned char>(b));
        })) {
        std::string_view value = line.substr(kName.size());
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) {
            value.remove_suffix(1);
        }
        if (!response->cache_control.empty()) {
            response->cache_control += ",";
        }
        response->cache_control += value;
    }
    return n;
}

void GlobalInitOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw std::runtime_error("curl_global_init failed");
        }
    });
}

}  // namespace

CurlCertificateSource::CurlCertificateSource(CurlCertificateSourceOptions options) : options_(std::move(options)) {
    if (options_.url.empty() || options_.timeout.count() <= 0 || options_.max_body_bytes == 0) {
        throw std::invalid_argument("CurlCertificateSource needs a url, a positive timeout and a body cap");
    }
    GlobalInitOnce();
}

CertificateFetch CurlCertificateSource::Fetch() {
    CertificateFetch result;
    std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
    if (!curl) {
        result.error = "curl_easy_init failed";
        return result;
    }
    Response response;
    response.max_body_bytes = options_.max_body_bytes;
    char error_buffer[CURL_ERROR_SIZE] = {};
    CURL* h = curl.get();
    long timeout_ms = static_cast<long>(options_.timeout.count());
    bool configured =
        curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str()) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_body_bytes)) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_USERAGENT, "strava1-auth") == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &response) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &response) == CURLE_OK;
    if (!configured) {
        result.error = "cannot configure libcurl";
        return result;
    }

    CURLcode code = curl_easy_perform(h);
    if (response.too_large || code == CURLE_FILESIZE_EXCEEDED) {
        result.error = "certificate response larger than " + std::to_string(options_.max_body_bytes) + " bytes";
        return result;
    }
    if (code != CURLE_OK) {
        result.error = std::string("certificate fetch failed: ") +
                       (error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code));
        return result;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        result.error = "certificate fetch answered HTTP " + std::to_string(status);
        return result;
    }
    result.body = std::move(response.body);
    result.cache_control = std::move(response.cache_control);
    return result;
}

}  // namespace strava1::auth
