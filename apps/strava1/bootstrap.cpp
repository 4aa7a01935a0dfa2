// The start-up steps every command shares (bootstrap.hpp): the database, the object store, and the
// one-shot commands' CommandContext.
#include "bootstrap.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>
#include <fstream>

#include "strava1/base/crypto.hpp"
#include "strava1/db/migrations.hpp"
#include "strava1/migrations/all.hpp"

extern char** environ;

namespace strava1::app {
namespace asio = boost::asio;
namespace fs = std::filesystem;

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

Database OpenDatabase(const Config& config, ClusterUse use) {
    Database database;
    if (config.database_url) {
        database.conninfo = *config.database_url;
        return database;
    }
    fs::create_directories(config.data_dir);
    // Private to the owner. As root the cluster lives where the postgres user can reach it without
    // opening this directory up (ForDataDir, ADR 0003).
    fs::permissions(config.data_dir, fs::perms::owner_all, fs::perm_options::replace);
    db::EmbeddedPostgres::Options options = db::EmbeddedPostgres::ForDataDir(config.data_dir);
    database.embedded = std::make_unique<db::EmbeddedPostgres>(options);
    if (use == ClusterUse::kOwn) {
        database.embedded->Start();
    } else {
        database.embedded->StartOrAttach();
    }
    database.conninfo = database.embedded->ConnInfo();
    return database;
}

std::unique_ptr<storage::LocalObjectStore> OpenObjectStore(const Config& config, const Clock& clock) {
    const fs::path key_path = config.data_dir / "keys" / "object-url.key";
    std::string key;
    if (std::ifstream in(key_path); in) {
        std::getline(in, key);
    }
    if (key.size() < 43) {
        fs::create_directories(key_path.parent_path());
        key = crypto::Base64UrlEncode(crypto::RandomBytes(32));
        const fs::path tmp = key_path.string() + ".tmp";
        {
            std::ofstream out(tmp, std::ios::trunc);
            out << key << "\n";
            if (!out) {
                throw std::runtime_error("cannot write " + tmp.string());
            }
        }
        fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
        fs::rename(tmp, key_path);
    }
    return std::make_unique<storage::LocalObjectStore>(config.data_dir / "objects", key, "", clock);
}

ScratchObjectStore::ScratchObjectStore()
    : root_(fs::temp_directory_path() / ("strava1-scratch-" + crypto::Hex(crypto::RandomBytes(8)))),
      store_(std::make_unique<storage::LocalObjectStore>(root_, crypto::Hex(crypto::RandomBytes(32)), "",
                                                         SystemClock::Instance())) {}

ScratchObjectStore::~ScratchObjectStore() {
    store_.reset();
    std::error_code ignored;
    fs::remove_all(root_, ignored);
}

namespace {

asio::awaitable<void> Prepare(db::Pool& pool, bool allow_unsafe) {
    co_await db::Migrate(pool, migrations::All());
    for (const char* setting : {"fsync", "synchronous_commit", "full_page_writes"}) {
        db::Result r = co_await pool.Query(std::string("SHOW ") + setting);
        if (r.String(0, 0) != "on") {
            if (!allow_unsafe) {
                throw std::runtime_error(std::string("PostgreSQL has ") + setting + "=" + r.String(0, 0) +
                                         "; acknowledged writes could be lost. Turn it on, or set "
                                         "STRAVA1_UNSAFE_ALLOW_NO_FSYNC=true for a throwaway test database");
            }
            log::Warn("durability setting off (allowed for a throwaway database)",
                      {{"setting", setting}, {"value", r.String(0, 0)}});
        }
    }
}

}  // namespace

void PrepareDatabase(asio::io_context& io, db::Pool& pool, const Config& config) {
    auto done = asio::co_spawn(io, Prepare(pool, config.allow_unsafe_durability), asio::use_future);
    io.restart();
    io.run();
    done.get();
}

namespace {

Config LoadCommandConfig(const std::vector<std::string>& settings_args, const CommandOptions& options) {
    Settings settings = Settings::Load(settings_args, environ);
    Config config = LoadConfig(settings);
    if (options.check) {
        options.check(config);
    }
    log::Level level = options.logging == CommandOptions::Logging::kWarnings ? log::Level::kWarn : log::Level::kInfo;
    if (options.logging == CommandOptions::Logging::kConfigured) {
        log::ParseLevel(config.log_level, level);
    }
    log::SetLevel(level);
    return config;
}

}  // namespace

CommandContext::CommandContext(const std::vector<std::string>& settings_args, CommandOptions options)
    : config_(LoadCommandConfig(settings_args, options)), database_(OpenDatabase(config_, ClusterUse::kShare)) {
    // One event loop per I/O thread, as in serve (ADR 0006).
    const int loops = options.serve_sized ? std::max(config_.io_threads, 1) : 1;
    std::vector<asio::any_io_executor> executors;
    for (int idx = 0; idx < loops; ++idx) {
        executors.push_back(loops_.emplace_back(std::make_unique<asio::io_context>(1))->get_executor());
    }
    db::PoolOptions pool_options;
    pool_options.conninfo = database_.conninfo;
    pool_options.max_connections = options.serve_sized ? static_cast<std::size_t>(config_.db_pool_size) : 2;
    pool_ = std::make_unique<db::Pool>(executors, pool_options);
    cpu_threads_ = options.serve_sized ? static_cast<std::size_t>(config_.cpu_threads) : 1;
    PrepareDatabase(Io(), *pool_, config_);
}

CommandContext::~CommandContext() {
    if (cpu_) {
        cpu_->join();
    }
    composition_.reset();
    scratch_.reset();
    store_.reset();
    pool_.reset();
    loops_.clear();
    if (database_.embedded) {
        database_.embedded->Stop();
    }
}

std::vector<asio::io_context*> CommandContext::Loops() const {
    std::vector<asio::io_context*> loops;
    for (const auto& loop : loops_) {
        loops.push_back(loop.get());
    }
    return loops;
}

Composition& CommandContext::Compose(bool scratch_store) {
    if (!composition_) {
        cpu_ = std::make_unique<asio::thread_pool>(cpu_threads_);
        storage::LocalObjectStore* store = nullptr;
        if (scratch_store) {
            scratch_ = std::make_unique<ScratchObjectStore>();
            store = &scratch_->Store();
        } else {
            store_ = OpenObjectStore(config_, SystemClock::Instance());
            store = store_.get();
        }
        composition_ =
            std::make_unique<Composition>(Infrastructure{*pool_, SystemClock::Instance(), *cpu_, *store}, config_);
    }
    return *composition_;
}

int CommandContext::Run(asio::awaitable<int> task) {
    auto done = asio::co_spawn(Io(), std::move(task), asio::use_future);
    Io().restart();
    Io().run();
    return done.get();
}

}  // namespace strava1::app
