#pragma once

// Strict JSON <-> DTO mapping over Boost.Describe.
//
// Boost 1.81's value_to<Described> fails on any key mismatch and reports no field name, so wire
// structs are read here instead: a missing std::optional member becomes nullopt, a missing required
// member, an unknown key or a wrong type each become one FieldError naming the dotted path, and all
// of a body's field errors are reported together in one Error(kInvalidArgument).

#include <boost/describe/members.hpp>
#include <boost/json.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "strava1/base/error.hpp"
#include "strava1/base/text.hpp"

namespace strava1::json {

/// Parses `text` as one JSON document with a nesting limit. Throws Error(kInvalidArgument) naming
/// the byte offset and reason on malformed input, or naming the dotted path of a key that appears
/// twice in one object (reason "duplicate key").
boost::json::value Parse(std::string_view text, std::size_t max_depth = 32);

/// Serialises compactly, numbers as the shortest text that reads back the same (45.205299, not
/// Boost.JSON 1.81's 4.5205299E1). Use this, not boost::json::serialize, for anything clients read.
std::string Serialize(const boost::json::value& value);

/// A PATCH field: distinguishes "absent" (leave unchanged) from `null` (clear) and a value (set).
template <class T>
struct Patch {
    bool present = false;
    std::optional<T> value;
};

namespace detail {

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsPatch : std::false_type {};
template <class T>
struct IsPatch<Patch<T>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};

template <class T>
constexpr bool kIsDescribed = boost::describe::has_describe_members<T>::value;

inline void Fail(std::vector<FieldError>& errors, const std::string& path, std::string reason) {
    errors.push_back(FieldError{path.empty() ? std::string("body") : path, std::move(reason)});
}

inline std::string Join(const std::string& path, std::string_view key) {
    if (path.empty()) {
        return std::string(key);
    }
    return path + "." + std::string(key);
}

template <class T>
void ReadValue(const boost::json::value& v, T& out, const std::string& path, std::vector<FieldError>& errors);

template <class T>
void ReadObject(const boost::json::value& v, T& out, const std::string& path, std::vector<FieldError>& errors) {
    if (!v.is_object()) {
        Fail(errors, path, "must be an object");
        return;
    }
    const auto& obj = v.get_object();
    using Members = boost::describe::describe_members<T, boost::describe::mod_public>;
    // Unknown keys: every key must name a member.
    for (const auto& kv : obj) {
        bool known = false;
        boost::mp11::mp_for_each<Members>([&](auto member) {
            if (kv.key() == member.name) {
                known = true;
            }
        });
        if (!known) {
            Fail(errors, Join(path, kv.key()), "unknown field");
        }
    }
    boost::mp11::mp_for_each<Members>([&](auto member) {
        using M = std::remove_reference_t<decltype(out.*member.pointer)>;
        const auto* found = obj.if_contains(member.name);
        std::string member_path = Join(path, member.name);
        if (found == nullptr) {
            if constexpr (!IsOptional<M>::value && !IsPatch<M>::value) {
                Fail(errors, member_path, "is required");
            }
            return;
        }
        ReadValue(*found, out.*member.pointer, member_path, errors);
    });
}

template <class T>
void ReadValue(const boost::json::value& v, T& out, const std::string& path, std::vector<FieldError>& errors) {
    if constexpr (IsPatch<T>::value) {
        out.present = true;
        if (v.is_null()) {
            out.value.reset();
        } else {
            out.value.emplace();
            ReadValue(v, *out.value, path, errors);
        }
    } else if constexpr (IsOptional<T>::value) {
        if (v.is_null()) {
            out.reset();
        } else {
            out.emplace();
            ReadValue(v, *out, path, errors);
        }
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (!v.is_string()) {
            Fail(errors, path, "must be a string");
            return;
        }
        out.assign(v.get_string().data(), v.get_string().size());
        // Every string member gets at least the multi-line text rule, so a NUL or another control
        // character never reaches a feature that forgot to check (PostgreSQL would cut text at a
        // NUL). Fields that must be one line check again with text::Lines::kSingle.
        if (auto problem = text::CheckCharacters(out, text::Lines::kMulti)) {
            Fail(errors, path, std::move(*problem));
        }
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!v.is_bool()) {
            Fail(errors, path, "must be a boolean");
            return;
        }
        out = v.get_bool();
    } else if constexpr (std::is_integral_v<T>) {
        if (v.is_int64()) {
            std::int64_t n = v.get_int64();
            if (n < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
                (n > 0 && static_cast<std::uint64_t>(n) > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))) {
                Fail(errors, path, "is out of range");
                return;
            }
            out = static_cast<T>(n);
        } else if (v.is_uint64()) {
            if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
                Fail(errors, path, "is out of range");
                return;
            }
            out = static_cast<T>(v.get_uint64());
        } else {
            Fail(errors, path, "must be an integer");
        }
    } else if constexpr (std::is_floating_point_v<T>) {
        if (v.is_double()) {
            out = static_cast<T>(v.get_double());
        } else if (v.is_int64()) {
            out = static_cast<T>(v.get_int64());
        } else if (v.is_uint64()) {
            out = static_cast<T>(v.get_uint64());
        } else {
            Fail(errors, path, "must be a number");
        }
    } else if constexpr (IsVector<T>::value) {
        if (!v.is_array()) {
            Fail(errors, path, "must be an array");
            return;
        }
        const auto& arr = v.get_array();
        out.clear();
        out.resize(arr.size());
        for (std::size_t item_idx = 0; item_idx < arr.size(); ++item_idx) {
            ReadValue(arr[item_idx], out[item_idx], path + "[" + std::to_string(item_idx) + "]", errors);
        }
    } else if constexpr (std::is_same_v<T, boost::json::value>) {
        out = v;
    } else {
        static_assert(kIsDescribed<T>, "DTO member type not supported by the strict reader");
        ReadObject(v, out, path, errors);
    }
}

template <class T>
boost::json::value WriteValue(const T& in) {
    if constexpr (IsOptional<T>::value) {
        if (!in) {
            return nullptr;
        }
        return WriteValue(*in);
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> || std::is_arithmetic_v<T>) {
        return boost::json::value(in);
    } else if constexpr (IsVector<T>::value) {
        boost::json::array arr;
        arr.reserve(in.size());
        for (const auto& item : in) {
            arr.push_back(WriteValue(item));
        }
        return arr;
    } else if constexpr (std::is_same_v<T, boost::json::value>) {
        return in;
    } else {
        static_assert(kIsDescribed<T>, "DTO member type not supported by the writer");
        boost::json::object obj;
        boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
            [&](auto member) { obj.emplace(member.name, WriteValue(in.*member.pointer)); });
        return obj;
    }
}

}  // namespace detail

/// Reads a described DTO strictly. Throws Error(kInvalidArgument) listing every bad field.
template <class T>
T Read(const boost::json::value& v) {
    T out{};
    std::vector<FieldError> errors;
    detail::ReadValue(v, out, std::string(), errors);
    if (!errors.empty()) {
        std::string detail = errors.front().field + ": " + errors.front().reason;
        if (errors.size() > 1) {
            detail += " (and " + std::to_string(errors.size() - 1) + " more)";
        }
        throw Error(ErrorKind::kInvalidArgument, std::move(detail), std::move(errors));
    }
    return out;
}

/// Parses and reads in one step (the usual route body path).
template <class T>
T ReadBody(std::string_view body) {
    return Read<T>(Parse(body));
}

/// Writes a described DTO (optional members as null).
template <class T>
boost::json::value Write(const T& v) {
    return detail::WriteValue(v);
}

}  // namespace strava1::json
