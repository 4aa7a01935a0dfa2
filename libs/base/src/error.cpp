#include "strava1/base/error.hpp"

#include <array>
#include <utility>

namespace strava1 {
namespace {

// Indexed by ErrorKind; the static_assert below keeps the table and the enum in step.
constexpr std::array<ErrorKindInfo, 15> kKinds = {{
    {400, "invalid-argument", "Invalid request"},
    {401, "unauthenticated", "Authentication required"},
    {403, "permission-denied", "Not allowed"},
    {404, "not-found", "Not found"},
    {405, "method-not-allowed", "Method not allowed"},
    {409, "conflict", "Conflict"},
    {410, "gone", "Gone"},
    {413, "too-large", "Request body too large"},
    {415, "unsupported-media-type", "Unsupported media type"},
    {422, "unprocessable", "Unprocessable request"},
    {429, "rate-limited", "Too many requests"},
    {431, "headers-too-large", "Request header fields too large"},
    {500, "internal", "Internal server error"},
    {503, "unavailable", "Service unavailable"},
    {504, "timeout", "Upstream timeout"},
}};
static_assert(kKinds.size() == static_cast<std::size_t>(ErrorKind::kTimeout) + 1, "update kKinds with ErrorKind");

}  // namespace

const ErrorKindInfo& Describe(ErrorKind kind) noexcept { return kKinds[static_cast<std::size_t>(kind)]; }

Error::Error(ErrorKind kind, std::string detail, std::vector<FieldError> fields, std::string log_detail)
    : kind_(kind), detail_(std::move(detail)), fields_(std::move(fields)), log_detail_(std::move(log_detail)) {}

Error InvalidField(std::string field, std::string reason) {
    std::string detail = field + ": " + reason;
    return Error(ErrorKind::kInvalidArgument, std::move(detail), {FieldError{std::move(field), std::move(reason)}});
}

Error NotFound(std::string_view what) { return Error(ErrorKind::kNotFound, std::string(what) + " not found"); }

}  // namespace strava1
