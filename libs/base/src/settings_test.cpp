#include "strava1/base/settings.hpp"

#include <gtest/gtest.h>

namespace strava1 {
namespace {

TEST(Settings, FlagsOverrideEnvironment) {
    auto s = Settings::FromMaps({{"STRAVA1_PORT", "9000"}}, {{"port", "9100"}});
    EXPECT_EQ(s.GetInt("port", 8080, 0, 65535), 9100);
}

TEST(Settings, FallbackWhenUnset) {
    auto s = Settings::FromMaps({}, {});
    EXPECT_EQ(s.GetInt("port", 8080, 0, 65535), 8080);
    EXPECT_EQ(s.GetString("data_dir", "var"), "var");
}

TEST(Settings, BadIntegerNamesTheEnvironmentVariable) {
    auto s = Settings::FromMaps({{"STRAVA1_PORT", "eighty"}}, {});
    try {
        s.GetInt("port", 8080, 0, 65535);
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "STRAVA1_PORT: must be an integer in 0..65535 (got \"eighty\")");
    }
}

TEST(Settings, BadChoiceNamesTheFlag) {
    auto s = Settings::FromMaps({}, {{"auth_mode", "ldap"}});
    try {
        s.GetChoice("auth_mode", "local", {"local", "firebase"});
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "--auth-mode: must be one of local, firebase (got \"ldap\")");
    }
}

TEST(Settings, UnknownSettingIsRejected) {
    auto s = Settings::FromMaps({{"STRAVA1_PORTT", "1"}}, {});
    s.GetInt("port", 8080, 0, 65535);
    try {
        s.RejectUnknown();
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "STRAVA1_PORTT: unknown setting; did you mean STRAVA1_PORT?");
    }
}

TEST(Settings, UnknownSettingNamesTheNearestOneOrWhereTheListIs) {
    auto refusal = [](std::map<std::string, std::string> env, std::map<std::string, std::string> flags) {
        auto s = Settings::FromMaps(std::move(env), std::move(flags));
        s.GetString("listen", "127.0.0.1:8080");
        s.GetString("port_file", "");
        s.GetString("data_dir", "var");
        try {
            s.RejectUnknown();
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    // Other programs' name for where to listen: not the look-alike port_file.
    EXPECT_EQ(refusal({{"STRAVA1_PORT", "8081"}}, {}), "STRAVA1_PORT: unknown setting; did you mean STRAVA1_LISTEN?");
    EXPECT_EQ(refusal({}, {{"host", "0.0.0.0"}}), "--host: unknown setting; did you mean --listen?");
    EXPECT_EQ(refusal({}, {{"data_dri", "x"}}), "--data-dri: unknown setting; did you mean --data-dir?");
    EXPECT_EQ(refusal({{"STRAVA1_NO_SUCH_SETTING", "1"}}, {}),
              "STRAVA1_NO_SUCH_SETTING: unknown setting (the command's --help lists every setting)");
}

TEST(Settings, LoadParsesFlagForms) {
    std::vector<std::string> args = {"--port=81", "--log-level", "debug", "--emulator"};
    char* env[] = {nullptr};
    auto s = Settings::Load(args, env);
    EXPECT_EQ(s.GetInt("port", 0, 0, 65535), 81);
    EXPECT_EQ(s.GetString("log_level", "info"), "debug");
    EXPECT_TRUE(s.GetBool("emulator", false));
    EXPECT_THROW(Settings::Load({"positional"}, env), ConfigError);
}

}  // namespace
}  // namespace strava1
