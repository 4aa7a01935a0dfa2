#include "strava1/http/paging.hpp"

#include <gtest/gtest.h>

namespace strava1::http {
namespace {

Request WithQuery(std::string query) {
    Request request;
    request.query = std::move(query);
    return request;
}

TEST(Paging, CursorsRoundTripAndRefuseAnythingElse) {
    const std::int64_t key[] = {1764000000123456, 42};
    std::string cursor = EncodeCursor(key);
    auto back = DecodeCursor(cursor, 2);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, (std::vector<std::int64_t>{1764000000123456, 42}));
    const std::int64_t negative[] = {-5, 7};
    EXPECT_EQ(*DecodeCursor(EncodeCursor(negative), 2), (std::vector<std::int64_t>{-5, 7}));
    EXPECT_FALSE(DecodeCursor(cursor, 3)) << "fewer parts than asked";
    EXPECT_FALSE(DecodeCursor(cursor, 1)) << "more parts than asked";
    EXPECT_FALSE(DecodeCursor("not base64!", 2));
    EXPECT_FALSE(DecodeCursor(EncodeCursor(std::vector<std::int64_t>{}), 1));
    EXPECT_FALSE(DecodeCursor(std::string(65, 'A'), 2)) << "longer than any cursor we give out";
    EXPECT_FALSE(DecodeCursor("MS4y.", 2));
    EXPECT_FALSE(DecodeCursor("MS4yeA", 2)) << "\"1.2x\": trailing bytes";
    EXPECT_FALSE(DecodeCursor("MS4", 2)) << "\"1.\": an empty part";
}

TEST(Paging, ReadsLimitAndCursorNamingWhatIsWrong) {
    FieldErrors errors;
    Page first = ReadPage(WithQuery(""), 2, errors);
    EXPECT_EQ(first.limit, 30);
    EXPECT_FALSE(first.after);
    EXPECT_EQ(first.FetchCount(), 31);
    EXPECT_EQ(ReadPage(WithQuery("limit=100"), 2, errors).limit, 100);
    EXPECT_EQ(ReadPage(WithQuery("limit=%2B5"), 2, errors).limit, 5) << "as std::stoi read it";
    EXPECT_EQ(ReadPage(WithQuery("limit=7"), 2, errors, PageLimits{10, 20}).limit, 7);
    EXPECT_TRUE(errors.Empty());

    const std::int64_t key[] = {10, 3};
    Page next = ReadPage(WithQuery("limit=2&cursor=" + EncodeCursor(key)), 2, errors);
    ASSERT_TRUE(next.after);
    EXPECT_EQ((*next.after)[1], 3);

    for (const char* bad : {"limit=0", "limit=101", "limit=x", "limit=5x", "limit=", "limit=99999999999"}) {
        FieldErrors one;
        ReadPage(WithQuery(bad), 2, one);
        ASSERT_EQ(one.List().size(), 1u) << bad;
        EXPECT_EQ(one.List()[0].field, "limit");
        EXPECT_EQ(one.List()[0].reason, "must be an integer from 1 to 100");
    }
    FieldErrors bad_cursor;
    ReadPage(WithQuery("cursor=zzz"), 2, bad_cursor);
    ASSERT_EQ(bad_cursor.List().size(), 1u);
    EXPECT_EQ(bad_cursor.List()[0].field, "cursor");
}

TEST(Paging, NextCursorOnlyWhenMoreRowsThanShown) {
    Page page;
    page.limit = 2;
    const std::int64_t last[] = {99, 5};
    EXPECT_EQ(page.Shown(3), 2);
    EXPECT_EQ(page.Shown(1), 1);
    EXPECT_FALSE(page.NextCursor(2, last)) << "exactly a page: the last one";
    auto cursor = page.NextCursor(3, last);
    ASSERT_TRUE(cursor);
    EXPECT_EQ(*DecodeCursor(*cursor, 2), (std::vector<std::int64_t>{99, 5}));
}

}  // namespace
}  // namespace strava1::http
