// `strava1 import --user=EMAIL FILE…`: what POST /v1/uploads does, from the command line, against
// the same database and object store as `serve` (run it with the same settings).
#include <cstdio>
#include <fstream>
#include <iterator>

#include "bootstrap.hpp"

namespace strava1::app {
namespace asio = boost::asio;

namespace {

constexpr const char* kImportUsage =
    "usage: strava1 import --user=EMAIL [--name=NAME] [--sport=SPORT] [--data_type=TYPE] FILE... [settings]\n"
    "Imports GPX, TCX and FIT files (and their .gz) for the user, as an upload would, and prints each\n"
    "file's outcome. Exit status: 0 when every file became an activity or was a duplicate, 1 otherwise.\n";

asio::awaitable<int> ImportAll(Composition* composition, std::string email, std::vector<std::string> files,
                               activities::UploadFields fields) {
    activities::Module* module = &composition->Activities();
    std::optional<std::int64_t> user = co_await composition->Accounts().Profiles().FindIdByEmail(email);
    if (!user) {
        std::fprintf(stderr, "strava1: no user with the email %s\n", email.c_str());
        co_return 2;
    }
    const std::int64_t user_id = *user;
    int failures = 0;
    for (const auto& path : files) {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            std::printf("%s: cannot read the file\n", path.c_str());
            ++failures;
            continue;
        }
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        try {
            activities::UploadStatus s = co_await module->ImportAndWait(user_id, std::move(bytes), fields);
            if (s.status == "ready") {
                std::string ids;
                for (auto id : s.activity_ids) {
                    ids += (ids.empty() ? "" : ", ") + std::to_string(id);
                }
                std::printf("%s: activity %s (upload %lld)\n", path.c_str(), ids.c_str(), static_cast<long long>(s.id));
            } else if (s.status == "duplicate") {
                std::printf("%s: duplicate of activity %lld\n", path.c_str(),
                            static_cast<long long>(s.duplicate_of.value_or(0)));
            } else {
                std::printf("%s: refused: %s\n", path.c_str(), s.error.value_or(s.status).c_str());
                ++failures;
            }
        } catch (const Error& e) {
            std::printf("%s: refused: %s\n", path.c_str(), e.Detail().c_str());
            ++failures;
        }
    }
    co_return failures == 0 ? 0 : 1;
}

}  // namespace

int Import(const std::vector<std::string>& args) {
    std::vector<std::string> settings_args;
    std::vector<std::string> files;
    std::string email;
    activities::UploadFields fields;
    for (const auto& arg : args) {
        auto value = [&arg](std::string_view flag) { return FlagValue(arg, flag); };
        if (arg == "--help" || arg == "-h") {
            std::fputs(kImportUsage, stdout);
            return 0;
        }
        if (auto v = value("--user")) {
            email = *v;
        } else if (auto n = value("--name")) {
            fields.name = *n;
        } else if (auto s = value("--sport")) {
            fields.sport = *s;
        } else if (auto t = value("--data_type")) {
            fields.data_type = *t;
        } else if (!arg.starts_with("--")) {
            files.push_back(arg);
        } else {
            settings_args.push_back(arg);
        }
    }
    if (email.empty() || files.empty()) {
        std::fputs(kImportUsage, stderr);
        return 2;
    }
    return RunReportingFailures([&] {
        CommandContext context(settings_args);
        return context.Run(ImportAll(&context.Compose(), email, files, fields));
    });
}

}  // namespace strava1::app
