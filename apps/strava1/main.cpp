// strava1: one binary, several roles (ARCHITECTURE.md §2). This file only dispatches.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "config.hpp"

namespace strava1::app {
int Serve(const std::vector<std::string>& args);
int Migrate(const std::vector<std::string>& args);
int Routes(const std::vector<std::string>& args);
int Inspect(const std::vector<std::string>& args);
int Import(const std::vector<std::string>& args);
int Worker(const std::vector<std::string>& args);
int Jobs(const std::vector<std::string>& args);
int User(const std::vector<std::string>& args);
int Demo(const std::vector<std::string>& args);
}  // namespace strava1::app

namespace {

constexpr const char* kUsage =
    "usage: strava1 [COMMAND] [--setting=value ...]\n"
    "\n"
    "commands:\n"
    "  serve     run everything in one process: API, web app, embedded PostgreSQL (the default)\n"
    "  migrate   apply database migrations and exit\n"
    "  routes    print the HTTP route table as JSON\n"
    "  inspect   parse GPX/TCX/FIT files (and .gz) as an upload would; print what they hold or why not\n"
    "  import    import GPX/TCX/FIT files for a user (--user=EMAIL FILE...), as an upload would\n"
    "  worker    run background jobs against the same database as serve (any number of them)\n"
    "  jobs      list, show, retry or discard background jobs (jobs list|show ID|retry ID|discard ID)\n"
    "  user      grant or revoke the site administrator role (user grant-admin|revoke-admin EMAIL)\n"
    "  demo      fill an empty database with synthetic demo users, follows, clubs, activities (--users=N)\n"
    "  version   print the version (also --version)\n"
    "  help      print this (also --help); `strava1 COMMAND --help` for one command and its settings\n";

constexpr const char* kServeUsage =
    "usage: strava1 serve [--setting=value ...]\n"
    "\n"
    "Runs everything in one process: the API under /v1, the web app at /, API docs at /docs and\n"
    "/openapi.json, probes at /healthz, /readyz and /metrics, and, unless --database-url is given, a\n"
    "private PostgreSQL cluster under the data dir. Ctrl-C or SIGTERM stops it cleanly.\n"
    "\n";

constexpr const char* kMigrateUsage =
    "usage: strava1 migrate [--setting=value ...]\n"
    "\n"
    "Opens the database serve would use (starting the embedded cluster if needed), applies pending\n"
    "migrations, checks the durability settings and exits. It reads the same settings as serve.\n"
    "\n";

constexpr const char* kWorkerUsage =
    "usage: strava1 worker [--setting=value ...]\n"
    "\n"
    "Runs background jobs from the database serve uses, worker_concurrency at a time, until Ctrl-C or\n"
    "SIGTERM (running jobs get 10 s to finish, the rest go back to the queue). Any number of workers may\n"
    "run against one database, beside serve's in-process ones. It reads the same settings as serve; with\n"
    "the embedded database, only while serve is not running (otherwise give --database-url).\n"
    "\n";

constexpr const char* kRoutesUsage =
    "usage: strava1 routes\n"
    "\n"
    "Prints the HTTP route table as JSON, one object per route: method, path, summary, auth (public,\n"
    "user, token), rate (default, auth, probe), body (none, json, raw, multipart), body_limit (bytes)\n"
    "and idempotent (honours Idempotency-Key). Needs no database.\n";

bool IsHelp(const std::string& arg) { return arg == "--help" || arg == "-h"; }

/// The usage of `command`, or empty for commands that print their own (inspect, import).
std::string CommandUsage(const std::string& command) {
    if (command == "serve") {
        return std::string(kServeUsage) + strava1::app::SettingsUsage();
    }
    if (command == "migrate") {
        return std::string(kMigrateUsage) + strava1::app::SettingsUsage();
    }
    if (command == "worker") {
        return std::string(kWorkerUsage) + strava1::app::SettingsUsage();
    }
    if (command == "routes") {
        return kRoutesUsage;
    }
    if (command == "version") {
        return "usage: strava1 version\n\nPrints the version.\n";
    }
    if (command == "help") {
        return kUsage;
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && (IsHelp(args.front()) || args.front() == "help")) {
        // `strava1 help serve` reads like `strava1 serve --help`.
        const std::string usage = args.size() > 1 ? CommandUsage(args[1]) : std::string();
        std::fputs(usage.empty() ? kUsage : usage.c_str(), stdout);
        return 0;
    }
    if (!args.empty() && (args.front() == "--version" || args.front() == "version")) {
        std::printf("strava1 %s\n", strava1::app::kVersion);
        return 0;
    }
    std::string command = "serve";
    if (!args.empty() && !args.front().starts_with("-")) {
        command = args.front();
        args.erase(args.begin());
    }
    if (std::any_of(args.begin(), args.end(), IsHelp)) {
        if (const std::string usage = CommandUsage(command); !usage.empty()) {
            std::fputs(usage.c_str(), stdout);
            return 0;
        }
    }
    if (std::find(args.begin(), args.end(), "--version") != args.end()) {
        std::printf("strava1 %s\n", strava1::app::kVersion);
        return 0;
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
    if (command == "worker") {
        return strava1::app::Worker(args);
    }
    if (command == "jobs") {
        return strava1::app::Jobs(args);
    }
    if (command == "user") {
        return strava1::app::User(args);
    }
    if (command == "demo") {
        return strava1::app::Demo(args);
    }
    if (command == "api" || command == "realtime") {
        std::fprintf(stderr,
                     "strava1: '%s' (scale-out role) arrives with the real-time and analytics issues; use 'serve'\n",
                     command.c_str());
        return 2;
    }
    std::fprintf(stderr, "strava1: unknown command '%s'\n\n%s", command.c_str(), kUsage);
    return 2;
}
