// The profile rules of PATCH /v1/me as the service checks them, without a database.
#include "service.hpp"

#include <gtest/gtest.h>

namespace strava1::accounts {
namespace {

std::vector<FieldError> Check(const std::string& json,
                              SystemTime today = SystemTime{std::chrono::seconds(1'764'000'000)}) {
    FieldErrors errors;
    Service::CheckProfilePatch(json::ReadBody<PatchMeBody>(json), today, errors);
    return errors.List();
}

std::vector<std::string> Fields(const std::vector<FieldError>& errors) {
    std::vector<std::string> out;
    for (const auto& e : errors) {
        out.push_back(e.field);
    }
    return out;
}

TEST(ProfilePatch, NamesEveryBadFieldAndPassesGoodOnes) {
    EXPECT_TRUE(Check(R"({"weight_kg": 61.5, "units": "imperial", "time_zone": "Europe/Paris", "bio": "Trail runner",
                         "birthdate": "1990-04-02", "max_hr_bpm": 190, "resting_hr_bpm": 48, "sex": null})")
                    .empty());
    EXPECT_EQ(Fields(Check(R"({"weight_kg": 900, "sex": "robot", "time_zone": "Mars/Base", "country": "fra"})")),
              (std::vector<std::string>{"country", "sex", "weight_kg", "time_zone"}));
    auto nulls = Check(R"({"display_name": null, "units": null, "hide_endpoints_m": null})");
    EXPECT_EQ(Fields(nulls), (std::vector<std::string>{"display_name", "hide_endpoints_m", "units"}));
    EXPECT_EQ(nulls[0].reason, "must not be null");
    auto hr = Check(R"({"max_hr_bpm": 110, "resting_hr_bpm": 115})");
    ASSERT_EQ(hr.size(), 1u);
    EXPECT_EQ(hr[0].field, "resting_hr_bpm");
    EXPECT_EQ(hr[0].reason, "must be below max_hr_bpm");
    EXPECT_EQ(Check(R"({"hide_endpoints_m": 1601})").at(0).reason, "must be between 0 and 1600");
}

TEST(ProfilePatch, ABirthdateIsBetween1900AndTodayOnTheServiceClock) {
    const SystemTime today{std::chrono::sys_days{std::chrono::year{2026} / 3 / 1}};
    EXPECT_TRUE(Check(R"({"birthdate": "2026-03-01"})", today).empty());
    EXPECT_EQ(Fields(Check(R"({"birthdate": "2026-03-02"})", today)), (std::vector<std::string>{"birthdate"}));
    EXPECT_EQ(Fields(Check(R"({"birthdate": "1899-12-31"})", today)), (std::vector<std::string>{"birthdate"}));
    EXPECT_EQ(Fields(Check(R"({"birthdate": "2026-02-30"})", today)), (std::vector<std::string>{"birthdate"}));
}

}  // namespace
}  // namespace strava1::accounts
