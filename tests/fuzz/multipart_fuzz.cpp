// libFuzzer target for the multipart/form-data reader behind POST /v1/uploads: any body, under any
// of a few boundaries, must split into parts or be refused with Error(kInvalidArgument), never crash
// or throw anything else, and every part's body must be a slice of the input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "strava1/base/error.hpp"
#include "strava1/http/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    // The first byte picks the Content-Type, so the boundary parser is exercised too.
    static constexpr std::string_view kTypes[] = {
        "multipart/form-data; boundary=x",
        "multipart/form-data; boundary=\"----WebKitFormBoundary7MA4YWxkTrZu0gW\"",
        "multipart/form-data; boundary=--",
        "Multipart/Form-Data; charset=utf-8; boundary=ab;c",
    };
    std::string_view type = kTypes[data[0] % std::size(kTypes)];
    std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        auto parts = strava1::http::ParseMultipart(type, body);
        for (const auto& part : parts) {
            if (part.name.empty() || part.body.data() < body.data() ||
                part.body.data() + part.body.size() > body.data() + body.size()) {
                std::abort();
            }
        }
    } catch (const strava1::Error& e) {
        if (e.Kind() != strava1::ErrorKind::kInvalidArgument || e.Detail().empty()) {
            std::abort();
        }
    }
    return 0;
}
