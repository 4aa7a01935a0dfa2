#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "strava1/base/settings.hpp"
#include "strava1/http/server.hpp"

namespace strava1::app {

/// Everything `strava1 serve` can be told, validated once at start (ARCHITECTURE.md §7).
struct Config {
    std::filesystem::path data_dir = "var";
    std::optional<std::string> database_url;  ///< unset: embedded PostgreSQL under data_dir
    std::optional<std::filesystem::path> web_dir;
    std::optional<std::filesystem::path> port_file;
    std::string log_level = "info";
    http::ServerOptions server;
    int io_threads = 0;
    int cpu_threads = 0;
    int db_pool_size = 16;
    /// activities::Options::decode_budget_bytes, in MiB.
    std::size_t decode_budget_mb = 256;
    std::string auth_mode = "local";  ///< local | firebase
    std::string firebase_project_id;
    std::string firebase_certs_url;
    bool firebase_emulator = false;
    bool fast_password_hash = false;
    bool allow_unsafe_durability = false;
};

/// Reads and validates settings; throws ConfigError naming the bad setting.
Config LoadConfig(Settings& settings);

}  // namespace strava1::app
