#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>

#include "strava1/base/error.hpp"
#include "strava1/db/result.hpp"

namespace strava1::db {
namespace {

[[noreturn]] void TypeError(int row, int col, std::string_view want, std::string_view got) {
    throw Error(ErrorKind::kInternal, "internal error",
                {}, "result row " + std::to_string(row) + " column " + std::to_string(col) + ": expected " +
                        std::string(want) + ", got \"" + std::string(got) + "\"");
}

}  // namespace

Params& Params::Add(double v) {
    char buf[32];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
    values_.emplace_back(std::string(buf, ptr));
    return *this;
}

void Result::Deleter::operator()(pg_result* res) const { PQclear(res); }

Result::Result(pg_result* res) : res_(res) {}

int Result::Rows() const { return res_ ? PQntuples(res_.get()) : 0; }
int Result::Columns() const { return res_ ? PQnfields(res_.get()) : 0; }

std::int64_t Result::Affected() const {
    if (!res_) {
        return 0;
    }
    const char* n = PQcmdTuples(res_.get());
    return (n == nullptr || *n == '\0') ? 0 : std::strtoll(n, nullptr, 10);
}

int Result::Column(std::string_view name) const {
    std::string key(name);
    int col = res_ ? PQfnumber(res_.get(), key.c_str()) : -1;
    if (col < 0) {
        throw Error(ErrorKind::kInternal, "internal error", {}, "result has no column " + key);
    }
    return col;
}

bool Result::IsNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }

std::string_view Result::Text(int row, int col) const {
    return {PQgetvalue(res_.get(), row, col), static_cast<std::size_t>(PQgetlength(res_.get(), row, col))};
}

std::int64_t Result::Int(int row, int col) const {
    auto text = Text(row, col);
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
        TypeError(row, col, "integer", text);
    }
    return v;
}

double Result::Double(int row, int col) const {
    auto text = Text(row, col);
    double v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
        TypeError(row, col, "number", text);
    }
    return v;
}

bool Result::Bool(int row, int col) const {
    auto text = Text(row, col);
    if (text == "t") {
        return true;
    }
    if (text == "f") {
        return false;
    }
    TypeError(row, col, "boolean", text);
}

std::optional<std::string> Result::OptString(int row, int col) const {
    if (IsNull(row, col)) {
        return std::nullopt;
    }
    return String(row, col);
}

std::optional<std::int64_t> Result::OptInt(int row, int col) const {
    if (IsNull(row, col)) {
        return std::nullopt;
    }
    return Int(row, col);
}

std::optional<double> Result::OptDouble(int row, int col) const {
    if (IsNull(row, col)) {
        return std::nullopt;
    }
    return Double(row, col);
}

}  // namespace strava1::db
