// `strava1 migrate`: applies the migrations (and checks durability) as serve does at start, then exits.
#include <cstdio>

#include "bootstrap.hpp"

namespace strava1::app {

int Migrate(const std::vector<std::string>& args) {
    return RunReportingFailures([&args] {
        CommandContext context(args, CommandOptions{.logging = CommandOptions::Logging::kInfo});
        // Built as every command builds it, so a wiring mistake fails here too; none of it runs.
        context.Compose(/*scratch_store=*/true);
        std::printf("migrations applied\n");
        return 0;
    });
}

}  // namespace strava1::app
