#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_result;

namespace strava1::db {

/// Query parameters, sent in PostgreSQL text format. `std::nullopt` is SQL NULL.
class Params {
public:
    Params() = default;
    template <class... Ts>
    static Params Of(const Ts&... values) {
        Params p;
        (p.Add(values), ...);
        return p;
    }
    Params& Add(std::nullopt_t) {
        values_.emplace_back();
        return *this;
    }
    Params& Add(std::string_view v) {
        values_.emplace_back(std::string(v));
        return *this;
    }
    Params& Add(const std::string& v) {
        values_.emplace_back(v);
        return *this;
    }
    Params& Add(const char* v) { return Add(std::string_view(v)); }
    Params& Add(bool v) {
        values_.emplace_back(v ? "t" : "f");
        return *this;
    }
    Params& Add(std::int64_t v) {
        values_.emplace_back(std::to_string(v));
        return *this;
    }
    Params& Add(int v) { return Add(static_cast<std::int64_t>(v)); }
    Params& Add(double v);
    template <class T>
    Params& Add(const std::optional<T>& v) {
        if (!v) {
            return Add(std::nullopt);
        }
        return Add(*v);
    }
    const std::vector<std::optional<std::string>>& Values() const { return values_; }
    std::size_t Size() const { return values_.size(); }

private:
    std::vector<std::optional<std::string>> values_;
};

/// A completed query's rows, in text format. Move-only; owns the PGresult.
/// Accessors throw Error(kInternal) on a type mismatch (a programming error in the SQL, not user input).
class Result {
public:
    Result() = default;
    explicit Result(pg_result* res);

    int Rows() const;
    int Columns() const;
    /// Rows changed by INSERT/UPDATE/DELETE.
    std::int64_t Affected() const;
    /// Column index by name; throws when absent.
    int Column(std::string_view name) const;

    bool IsNull(int row, int col) const;
    std::string_view Text(int row, int col) const;
    std::string String(int row, int col) const { return std::string(Text(row, col)); }
    std::int64_t Int(int row, int col) const;
    double Double(int row, int col) const;
    bool Bool(int row, int col) const;
    std::optional<std::string> OptString(int row, int col) const;
    std::optional<std::int64_t> OptInt(int row, int col) const;
    std::optional<double> OptDouble(int row, int col) const;

    bool Empty() const { return Rows() == 0; }

private:
    struct Deleter {
        void operator()(pg_result* res) const;
    };
    std::unique_ptr<pg_result, Deleter> res_;
};

}  // namespace strava1::db
