#pragma once

// Rows read by column name, at no cost per row: a statement's SELECT list is written once as a list
// of named columns, the SQL is made from it ("expr AS name, …") and a row struct reads each column by
// its name, which is turned into the column's position at compile time. A name not in the list does
// not compile, and no position is kept by hand next to a string of columns.
//
//     inline constexpr std::array kUserColumns = std::to_array<db::Column>({
//         {"id", "u.id"}, {"created_at", "to_char(u.created_at, 'YYYY-MM-DD')"}});
//     consteval int UserCol(std::string_view name) { return db::ColumnIndex(kUserColumns, name); }
//     static const std::string kSelectUser = "SELECT " + db::SelectList(kUserColumns) + " FROM users u ...";
//     ... result.Int(row, UserCol("id"))

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "strava1/db/result.hpp"

namespace strava1::db {

/// One column of a SELECT (or RETURNING) list: the name rows read it by, and the SQL computing it.
struct Column {
    std::string_view name;
    std::string_view sql;
};

namespace detail {
// Not constexpr: calling it in a constant expression is what makes an unknown name fail to compile.
inline int NoSuchColumn() { return -1; }
}  // namespace detail

/// The position of `name` in `columns`, at compile time.
template <std::size_t N>
consteval int ColumnIndex(const std::array<Column, N>& columns, std::string_view name) {
    for (std::size_t idx = 0; idx < N; ++idx) {
        if (columns[idx].name == name) {
            return static_cast<int>(idx);
        }
    }
    return detail::NoSuchColumn();
}

/// "sql AS name, …": the list to write after SELECT or RETURNING; the result's columns are then
/// named as the list names them, in its order.
template <std::size_t N>
std::string SelectList(const std::array<Column, N>& columns) {
    std::string out;
    for (std::size_t idx = 0; idx < N; ++idx) {
        if (idx > 0) {
            out += ", ";
        }
        out.append(columns[idx].sql).append(" AS ").append(columns[idx].name);
    }
    return out;
}

/// Whether `result` has the columns of `columns` at their positions, by name (tests check each
/// statement against its row struct with it). `why` names the first mismatch.
template <std::size_t N>
bool MatchesColumns(const Result& result, const std::array<Column, N>& columns, int first_col = 0,
                    std::string* why = nullptr) {
    for (std::size_t idx = 0; idx < N; ++idx) {
        const int expected = first_col + static_cast<int>(idx);
        int actual = -1;
        try {
            actual = result.Column(columns[idx].name);
        } catch (const std::exception&) {
        }
        if (actual != expected) {
            if (why != nullptr) {
                *why = std::string(columns[idx].name) + " is column " + std::to_string(actual) + ", not " +
                       std::to_string(expected);
            }
            return false;
        }
    }
    return true;
}

}  // namespace strava1::db
