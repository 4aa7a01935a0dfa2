#include <cstdio>

#include "bootstrap.hpp"
#include "strava1/base/log.hpp"

extern char** environ;

namespace strava1::app {

int RunReportingFailures(const std::function<int()>& body) {
    try {
        return body();
    } catch (const ConfigError& e) {
        std::fprintf(stderr, "strava1: %s\n", e.what());
        return 2;
    } catch (const Error& e) {
        std::fprintf(stderr, "strava1: %s\n", e.LogDetail().empty() ? e.Detail().c_str() : e.LogDetail().c_str());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "strava1: %s\n", e.what());
        return 1;
    }
}

int Migrate(const std::vector<std::string>& args) {
    return RunReportingFailures([&args] {
        Settings settings = Settings::Load(args, environ);
        Config config = LoadConfig(settings);
        Database database = OpenDatabase(config);
        boost::asio::io_context io;
        db::Pool pool(io.get_executor(), db::PoolOptions{database.conninfo, 2});
        PrepareDatabase(io, pool, config);
        std::printf("migrations applied\n");
        return 0;
    });
}

}  // namespace strava1::app
