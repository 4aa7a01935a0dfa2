// strava1: one binary, several roles (ARCHITECTURE.md §2). This file only dispatches.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "strava1/base/settings.hpp"

extern char** environ;

namespace strava1::app {
int Serve(const std::vector<std::string>& args);
int Migrate(const std::vector<std::string>& args);
int Routes(const std::vector<std::string>& args);
int Inspect(const std::vector<std::string>& args);
int Import(const std::vector<std::string>& args);
}  // namespace strava1::app

namespace {

constexpr const char* kUsage =
    "usage: strava1 <command> [--setting=value ...]\n"
    "\n"
    "commands:\n"
    "  serve     run everything in one process: API, web app, embedded PostgreSQL (default)\n"
    "  migrate   apply database migrations and exit\n"
    "  routes    print the HTTP route table as JSON\n"
    "  inspect   parse GPX/TCX/FIT files (and .gz) as an upload would; print what they hold or why not\n"
    "  import    import GPX/TCX/FIT files for a user (--user=EMAIL FILE...), as an upload would\n"
    "  version   print the version\n"
    "\n"
    "Settings come from flags, STRAVA1_* environment variables and --config FILE; see README.md.\n";

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string command = "serve";
    if (!args.empty() && !args.front().starts_with("--")) {
        command = args.front();
        args.erase(args.begin());
    }
    if (command == "serve") {
        return strava1::app::Serve(args);
    }
    if (command == "migrate") {
        return strava1::app::Migrate(args);
    }
    if (command == "routes") {
        return strava1::app::Routes(args);
    }
    if (command == "inspect") {
        return strava1::app::Inspect(args);
    }
    if (command == "import") {
        return strava1::app::Import(args);
    }
    if (command == "version" || command == "--version") {
        std::printf("strava1 0.1.0\n");
        return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (command == "api" || command == "realtime" || command == "worker") {
        std::fprintf(stderr, "strava1: '%s' (scale-out role) arrives with the real-time and analytics issues; use 'serve'\n",
                     command.c_str());
        return 2;
    }
    std::fprintf(stderr, "strava1: unknown command '%s'\n\n%s", command.c_str(), kUsage);
    return 2;
}
