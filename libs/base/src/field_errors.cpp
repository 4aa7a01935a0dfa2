#include "strava1/base/field_errors.hpp"

#include <algorithm>

namespace strava1 {

void FieldErrors::Add(std::string field, std::string reason) {
    errors_.push_back(FieldError{std::move(field), std::move(reason)});
}

void FieldErrors::Check(std::string_view field, std::optional<std::string> problem) {
    if (problem) {
        Add(std::string(field), std::move(*problem));
    }
}

void FieldErrors::NotNull(std::string_view field, bool present, bool has_value) {
    if (present && !has_value) {
        Add(std::string(field), "must not be null");
    }
}

bool FieldErrors::Has(std::string_view field) const noexcept {
    return std::any_of(errors_.begin(), errors_.end(), [field](const FieldError& e) { return e.field == field; });
}

void FieldErrors::ThrowIfAny(ErrorKind kind) {
    if (errors_.empty()) {
        return;
    }
    std::string detail = errors_.front().field + ": " + errors_.front().reason;
    throw Error(kind, std::move(detail), std::move(errors_));
}

}  // namespace strava1
