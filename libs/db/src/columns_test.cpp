#include "strava1/db/columns.hpp"

#include <gtest/gtest.h>

namespace strava1::db {
namespace {

inline constexpr std::array kColumns = std::to_array<Column>({
    {"id", "u.id"},
    {"day", "to_char(u.created_at, 'YYYY-MM-DD')"},
    {"name", "u.display_name"},
});

consteval int Col(std::string_view name) { return ColumnIndex(kColumns, name); }

TEST(Columns, NamesBecomePositionsAtCompileTime) {
    static_assert(Col("id") == 0);
    static_assert(Col("name") == 2);
    EXPECT_EQ(SelectList(kColumns), "u.id AS id, to_char(u.created_at, 'YYYY-MM-DD') AS day, u.display_name AS name");
}

}  // namespace
}  // namespace strava1::db
