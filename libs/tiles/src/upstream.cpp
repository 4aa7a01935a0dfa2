#include "upstream.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string_view>

namespace strava1::tiles {
namespace {

struct EasyDeleter {
    void operator()(CURL* curl) const noexcept { curl_easy_cleanup(curl); }
};
struct ListDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

struct Transfer {
    UpstreamResponse* response;
    std::size_t max_body_bytes;
    bool too_large = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    if (transfer->response->body.size() + n > transfer->max_body_bytes) {
        transfer->too_large = true;
        return 0;  // libcurl aborts the transfer with CURLE_WRITE_ERROR
    }
    transfer->response->body.append(data, n);
    return n;
}

bool HeaderIs(std::string_view line, std::string_view name) {
    return line.size() > name.size() && line[name.size()] == ':' &&
           std::equal(name.begin(), name.end(), line.begin(),
                      [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
    auto* response = static_cast<Transfer*>(user)->response;
    const std::size_t n = size * count;
    std::string_view line(data, n);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) {
        line.remove_suffix(1);
    }
    if (line.starts_with("HTTP/")) {  // a new response (after a 100 Continue) starts afresh
        response->etag.clear();
        response->last_modified.clear();
        response->content_type.clear();
        return n;
    }
    auto value_of = [&line](std::size_t name_size) {
        std::string_view value = line.substr(name_size + 1);
        while (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
        return std::string(value);
    };
    if (HeaderIs(line, "etag")) {
        response->etag = value_of(4);
    } else if (HeaderIs(line, "last-modified")) {
        response->last_modified = value_of(13);
    } else if (HeaderIs(line, "content-type")) {
        response->content_type = value_of(12);
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

/// The calling thread's easy handle, kept so its connection to the tile server is reused.
CURL* ThreadHandle() {
    thread_local std::unique_ptr<CURL, EasyDeleter> handle(curl_easy_init());
    if (handle) {
        curl_easy_reset(handle.get());
    }
    return handle.get();
}

}  // namespace

CurlTileFetcher::CurlTileFetcher(CurlFetcherOptions options) : options_(std::move(options)) {
    if (options_.user_agent.empty() || options_.timeout.count() <= 0 || options_.max_body_bytes == 0) {
        throw std::invalid_argument("CurlTileFetcher needs a User-Agent, a positive timeout and a body cap");
    }
    GlobalInitOnce();
}

UpstreamResponse CurlTileFetcher::Fetch(const UpstreamRequest& request) {
    UpstreamResponse response;
    CURL* h = ThreadHandle();
    if (h == nullptr) {
        response.error = "curl_easy_init failed";
        return response;
    }
    Transfer transfer{&response, options_.max_body_bytes};
    std::unique_ptr<curl_slist, ListDeleter> headers;
    auto add_header = [&headers](const std::string& line) {
        curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
        if (grown != nullptr) {
            (void)headers.release();
            headers.reset(grown);
        }
    };
    if (!request.if_none_match.empty()) {
        add_header("If-None-Match: " + request.if_none_match);
    }
    if (!request.if_modified_since.empty()) {
        add_header("If-Modified-Since: " + request.if_modified_since);
    }
    char error_buffer[CURL_ERROR_SIZE] = {};
    const bool configured =
        curl_easy_setopt(h, CURLOPT_URL, request.url.c_str()) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count())) ==
            CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count())) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_body_bytes)) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str()) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get()) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer) == CURLE_OK;
    if (!configured) {
        response.error = "cannot configure libcurl";
        return response;
    }
    const CURLcode code = curl_easy_perform(h);
    // The handle outlives this call (kept per thread): it must not keep pointers into this frame.
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
        response.body.clear();
        response.error = "tile larger than " + std::to_string(options_.max_body_bytes) + " bytes";
        return response;
    }
    if (code != CURLE_OK) {
        response.body.clear();
        response.error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
        return response;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200) {
        response.kind = UpstreamResponse::Kind::kOk;
    } else if (status == 304) {
        response.kind = UpstreamResponse::Kind::kNotModified;
        response.body.clear();
    } else {
        response.body.clear();
        response.error = "upstream answered HTTP " + std::to_string(status);
    }
    return response;
}

}  // namespace strava1::tiles
