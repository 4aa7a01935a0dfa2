// `strava1 user grant-admin EMAIL` / `strava1 user revoke-admin EMAIL`: the site administrator role
// (ADR 0024), against the same database as `serve` (run it with the same settings).
#include <cstdio>

#include "bootstrap.hpp"

namespace strava1::app {
namespace asio = boost::asio;

namespace {

constexpr const char* kUserUsage =
    "usage: strava1 user grant-admin|revoke-admin EMAIL [settings]\n"
    "Makes the user with this email a site administrator (moderation: the /v1/admin API), or a plain\n"
    "user again. Takes effect on the user's next request. Exit status: 0 done, 2 no such user or bad usage.\n";

asio::awaitable<int> SetAdmin(Composition* composition, std::string email, bool admin) {
    std::optional<std::int64_t> user = co_await composition->Accounts().Standing().SetSiteAdmin(email, admin);
    if (!user) {
        std::fprintf(stderr, "strava1: no user with the email %s\n", email.c_str());
        co_return 2;
    }
    std::printf("user %lld (%s) is %s\n", static_cast<long long>(*user), email.c_str(),
                admin ? "a site administrator" : "no longer a site administrator");
    co_return 0;
}

}  // namespace

int User(const std::vector<std::string>& args) {
    std::vector<std::string> settings_args;
    std::vector<std::string> words;
    for (const auto& arg : args) {
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUserUsage, stdout);
            return 0;
        }
        (arg.starts_with("--") ? settings_args : words).push_back(arg);
    }
    if (words.size() != 2 || (words[0] != "grant-admin" && words[0] != "revoke-admin")) {
        std::fputs(kUserUsage, stderr);
        return 2;
    }
    const bool admin = words[0] == "grant-admin";
    return RunReportingFailures([&] {
        CommandContext context(settings_args);
        return context.Run(SetAdmin(&context.Compose(), words[1], admin));
    });
}

}  // namespace strava1::app
