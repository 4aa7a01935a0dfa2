#pragma once

#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace strava1 {

/// The outcome classes that abort a request. Expected outcomes are values; this is for the rest.
/// When adding a kind, also update `kKinds` in error.cpp, docs/errors.md and the problem types in
/// docs/api/openapi.yaml.
enum class ErrorKind {
    kInvalidArgument,      ///< malformed or invalid input (400)
    kUnauthenticated,      ///< no or bad credentials (401)
    kPermissionDenied,     ///< authenticated but not allowed, where hiding existence is not required (403)
    kNotFound,             ///< missing, or not visible to the caller (404)
    kMethodNotAllowed,     ///< path exists, method does not (405)
    kConflict,             ///< state conflict, e.g. unique value taken, request in flight (409)
    kGone,                 ///< retired API version (410)
    kTooLarge,             ///< body over the limit (413)
    kUnsupportedMedia,     ///< content type not accepted (415)
    kUnprocessable,        ///< well-formed but semantically refused, e.g. idempotency key reuse (422)
    kRateLimited,          ///< over a rate limit (429)
    kHeadersTooLarge,      ///< request header fields too large (431)
    kInternal,             ///< a bug or unexpected failure (500)
    kUnavailable,          ///< a dependency is down or the server is shutting down (503)
    kTimeout,              ///< a dependency did not answer in time (504)
};

/// Static facts about an ErrorKind: its HTTP status, problem type slug and title.
struct ErrorKindInfo {
    int status;
    std::string_view slug;   ///< problem type is kProblemTypePrefix + slug
    std::string_view title;  ///< short, human-readable, the same for every occurrence
};

inline constexpr std::string_view kProblemTypePrefix = "urn:strava1:problem:";

/// The one mapping from kind to status/type/title. Thread-safe, no allocation.
const ErrorKindInfo& Describe(ErrorKind kind) noexcept;

/// One invalid input field: a JSON pointer-like dotted path ("weight_kg", "items[2].name") and why.
struct FieldError {
    std::string field;
    std::string reason;
};

/// Aborts the current request. `detail` and `fields` are shown to the client; `log_detail` only
/// goes to the log (never put secrets or stack traces into `detail`).
class Error : public std::exception {
public:
    Error(ErrorKind kind, std::string detail, std::vector<FieldError> fields = {}, std::string log_detail = {});

    ErrorKind Kind() const noexcept { return kind_; }
    const std::string& Detail() const noexcept { return detail_; }
    const std::vector<FieldError>& Fields() const noexcept { return fields_; }
    const std::string& LogDetail() const noexcept { return log_detail_; }
    /// Seconds a client should wait before retrying (429/503); 0 when not applicable.
    int RetryAfterSeconds() const noexcept { return retry_after_s_; }
    Error& WithRetryAfter(int seconds) noexcept {
        retry_after_s_ = seconds;
        return *this;
    }
    const char* what() const noexcept override { return detail_.c_str(); }

private:
    ErrorKind kind_;
    std::string detail_;
    std::vector<FieldError> fields_;
    std::string log_detail_;
    int retry_after_s_ = 0;
};

/// Convenience constructors for the common cases.
Error InvalidField(std::string field, std::string reason);
Error NotFound(std::string_view what = "resource");

}  // namespace strava1
