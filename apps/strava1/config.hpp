#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strava1/base/settings.hpp"
#include "strava1/http/server.hpp"

namespace strava1::app {

/// What `strava1 --version` prints and the tile proxy's User-Agent names.
inline constexpr const char* kVersion = "0.1.0";

/// Everything `strava1 serve` can be told, validated once at start (ARCHITECTURE.md §7).
struct Config {
    std::filesystem::path data_dir = "var";
    std::optional<std::string> database_url;       ///< unset: embedded PostgreSQL under data_dir
    std::optional<std::filesystem::path> web_dir;  ///< unset: the web app embedded in the binary
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
    std::string metrics_token;                      ///< empty: /metrics only while listening on loopback
    std::chrono::seconds db_unreachable_limit{60};  ///< /healthz fails after the embedded database is down this long
    /// Jobs this process runs at once (serve's in-process workers, `strava1 worker`); 0 in serve: none.
    int worker_concurrency = 8;
    int feed_fan_out_limit = 5000;           ///< social::Options::feed_fan_out_limit
    std::vector<std::string> worker_queues;  ///< empty: every queue of the registered job kinds
    std::chrono::seconds job_lease{30};      ///< a worker that stops heartbeating loses its jobs after this
    /// The map tile proxy (libs/tiles): upstream template or "none", credit, zoom, disk bound, contact.
    std::string tile_url = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
    std::string tile_attribution = "© OpenStreetMap contributors";
    int tile_max_zoom = 19;
    std::size_t tile_cache_mb = 512;
    std::string tile_contact;  ///< empty: the User-Agent names no contact
};

/// One setting of `strava1 serve`, as `--help` lists it (docs/architecture.md has the same table; an
/// e2e test keeps the two in step).
struct SettingHelp {
    const char* key;           ///< lower_snake: flag `--data-dir`, variable `STRAVA1_DATA_DIR`
    const char* placeholder;   ///< what the value looks like: DIR, N, URL…
    const char* default_text;  ///< as a person reads it
    const char* meaning;
};

/// Every setting LoadConfig reads, in the order --help lists them.
const std::vector<SettingHelp>& ServeSettings();

/// The settings part of `serve --help` and `migrate --help`.
std::string SettingsUsage();

/// True for an address only this machine can reach (127.0.0.0/8, ::1).
bool IsLoopback(const std::string& address);

/// Reads and validates settings; throws ConfigError naming the bad setting.
Config LoadConfig(Settings& settings);

/// The value of a `--flag=value` argument when `arg` is that flag (the value may be empty).
std::optional<std::string> FlagValue(std::string_view arg, std::string_view flag);

}  // namespace strava1::app
