#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/base/error.hpp"

namespace strava1 {

/// Collects what is wrong with a request's fields, so one answer names every bad field at once:
/// checks add to it, then ThrowIfAny() aborts the request with all of them (a 400 by default, or
/// the kind given, e.g. 422 for input that is well formed but refused).
class FieldErrors {
public:
    void Add(std::string field, std::string reason);
    /// Adds `problem` under `field` when there is one (the result of a check such as text::Check).
    void Check(std::string_view field, std::optional<std::string> problem);
    /// `field` must not be null: for a PATCH member that is present (`present`) without a value.
    void NotNull(std::string_view field, bool present, bool has_value);

    bool Empty() const noexcept { return errors_.empty(); }
    bool Has(std::string_view field) const noexcept;
    const std::vector<FieldError>& List() const noexcept { return errors_; }

    /// Throws Error(kind) carrying every field, its detail "field: reason" of the first. Nothing
    /// when there is none.
    void ThrowIfAny(ErrorKind kind = ErrorKind::kInvalidArgument);

private:
    std::vector<FieldError> errors_;
};

}  // namespace strava1
