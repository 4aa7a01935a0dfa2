#include <boost/asio/thread_pool.hpp>

#include <cstdio>

#include "bootstrap.hpp"
#include "composition.hpp"
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
        boost::asio::thread_pool cpu(1);
        db::Pool pool(io.get_executor(), db::PoolOptions{database.conninfo, 2});
        // Built as every command builds it, so a wiring mistake fails here too; none of it runs.
        ScratchObjectStore store;
        Composition composition(Infrastructure{pool, SystemClock::Instance(), cpu, store.Store()}, config);
        PrepareDatabase(io, pool, config);
        cpu.join();
        std::printf("migrations applied\n");
        return 0;
    });
}

}  // namespace strava1::app
