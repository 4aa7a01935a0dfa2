#include "strava1/base/field_errors.hpp"

#include <gtest/gtest.h>

namespace strava1 {
namespace {

TEST(FieldErrors, NamesEveryFieldInOneError) {
    FieldErrors errors;
    errors.ThrowIfAny();  // none: nothing to throw
    errors.Check("name", std::nullopt);
    errors.Check("name", "must be 1 to 255 characters");
    errors.NotNull("sport", true, false);
    errors.NotNull("visibility", true, true);
    errors.NotNull("description", false, false);
    errors.Add("limit", "must be an integer from 1 to 100");
    EXPECT_TRUE(errors.Has("sport"));
    EXPECT_FALSE(errors.Has("visibility"));
    try {
        errors.ThrowIfAny();
        ADD_FAILURE() << "did not throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.Kind(), ErrorKind::kInvalidArgument);
        EXPECT_EQ(e.Detail(), "name: must be 1 to 255 characters");
        ASSERT_EQ(e.Fields().size(), 3u);
        EXPECT_EQ(e.Fields()[1].field, "sport");
        EXPECT_EQ(e.Fields()[1].reason, "must not be null");
        EXPECT_EQ(e.Fields()[2].field, "limit");
    }
}

TEST(FieldErrors, ThrowsTheKindAsked) {
    FieldErrors errors;
    errors.Add("start_time", "overlaps your activity 7");
    try {
        errors.ThrowIfAny(ErrorKind::kUnprocessable);
        ADD_FAILURE() << "did not throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.Kind(), ErrorKind::kUnprocessable);
        EXPECT_EQ(Describe(e.Kind()).status, 422);
    }
}

}  // namespace
}  // namespace strava1
