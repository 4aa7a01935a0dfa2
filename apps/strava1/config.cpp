#include "config.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <thread>

#include "strava1/tiles/tile_routes.hpp"

namespace strava1::app {
namespace {

std::vector<std::string> SplitList(const std::string& text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto comma = text.find(',', pos);
        if (comma == std::string::npos) {
            comma = text.size();
        }
        std::string item = text.substr(pos, comma - pos);
        if (!item.empty()) {
            out.push_back(item);
        }
        pos = comma + 1;
    }
    return out;
}

http::Budget ReadBudget(Settings& s, const std::string& name, http::Budget fallback) {
    http::Budget b;
    b.per_second = static_cast<double>(s.GetInt(
                       name + "_per_minute", static_cast<std::int64_t>(fallback.per_second * 60), 1, 1'000'000'000)) /
                   60.0;
    b.burst =
        static_cast<double>(s.GetInt(name + "_burst", static_cast<std::int64_t>(fallback.burst), 1, 1'000'000'000));
    return b;
}

}  // namespace

const std::vector<SettingHelp>& ServeSettings() {
    static const std::vector<SettingHelp> kSettings = {
        {"config", "FILE", "none", "a JSON object of settings (keys as below); flags and STRAVA1_* win over it"},
        {"listen", "ADDRESS:PORT", "127.0.0.1:8080", "where to listen (IPv6 as [::1]:8080); port 0 picks a free one"},
        {"data_dir", "DIR", "var", "embedded PostgreSQL, keys, uploaded originals, logs"},
        {"database_url", "URL", "embedded",
         "an external PostgreSQL (libpq URL or conninfo) instead of the embedded one"},
        {"web_dir", "DIR", "embedded", "serve the web app from this built web/dist instead of the copy in the binary"},
        {"port_file", "FILE", "none", "write the port actually bound to this file (with port 0)"},
        {"log_level", "LEVEL", "info", "debug, info, warn or error; debug logs every request"},
        {"cors_origins", "ORIGINS", "none", "comma-separated browser origins allowed to call the API"},
        {"trusted_proxies", "ADDRESSES", "none",
         "reverse proxies (addresses or CIDR networks) whose X-Forwarded-For names the client"},
        {"metrics_token", "TOKEN", "none",
         "/metrics needs 'Authorization: Bearer TOKEN'; without one it is served only to direct local requests "
         "while listening on loopback with no trusted proxies"},
        {"db_unreachable_limit_s", "N", "60",
         "/healthz fails once the embedded database has been down this many seconds (not while it recovers)"},
        {"rate_limit_user_per_minute", "N", "3000", "requests per signed-in user"},
        {"rate_limit_user_burst", "N", "300", "burst per signed-in user"},
        {"rate_limit_anon_per_minute", "N", "1200", "requests per client IP without a token"},
        {"rate_limit_anon_burst", "N", "100", "burst per client IP without a token"},
        {"rate_limit_auth_per_minute", "N", "60", "sign-up, log-in and refresh attempts per client IP"},
        {"rate_limit_auth_burst", "N", "30", "burst of those per client IP"},
        {"rate_limit_probe_per_minute", "N", "60000", "probe and metrics requests per client IP"},
        {"rate_limit_probe_burst", "N", "5000", "burst of those per client IP"},
        {"header_timeout_s", "N", "10", "a new connection's request headers must arrive within this"},
        {"body_timeout_s", "N", "30", "a request body must arrive within this"},
        {"idle_timeout_s", "N", "30", "keep-alive: the next request's headers must arrive within this"},
        {"io_threads", "N", "hardware threads", "I/O threads, one event loop each"},
        {"cpu_threads", "N", "hardware threads", "threads for CPU-heavy work (password hashing, analysis)"},
        {"db_pool_size", "N", "16", "most PostgreSQL connections open at once"},
        {"decode_budget_mb", "N", "256", "memory for uploads being decoded at once; more wait, then get 503"},
        {"auth_mode", "MODE", "local", "local (email + password) or firebase (Firebase ID tokens)"},
        {"firebase_project_id", "ID", "none", "Firebase project; setting it selects firebase mode"},
        {"firebase_certs_url", "URL", "Google's", "where Firebase signing certificates are fetched"},
        {"firebase_emulator", "BOOL", "false",
         "accept Auth Emulator tokens (with FIREBASE_AUTH_EMULATOR_HOST, on loopback)"},
        {"password_hash", "COST", "argon2id-interactive", "argon2id-fast-insecure is for sanitizer test runs only"},
        {"unsafe_allow_no_fsync", "BOOL", "false",
         "start even if PostgreSQL may lose acknowledged writes (throwaway tests)"},
        {"worker_concurrency", "N", "8",
         "background jobs run at once by serve's in-process workers or by one 'strava1 worker'; 0 in serve: none"},
        {"worker_queues", "QUEUES", "all", "comma-separated job queues this process takes jobs from"},
        {"feed_fan_out_limit", "N", "5000",
         "authors with more accepted followers are merged into feeds when read, not fanned out (ADR 0023)"},
        {"job_lease_s", "N", "30", "a job whose worker stops heartbeating this long is run again elsewhere"},
        {"tile_url", "URL", "OpenStreetMap's",
         "map tiles the server fetches and caches for the web app ({z}, {x}, {y}, optional {s}); none: no tiles"},
        {"tile_attribution", "TEXT", "© OpenStreetMap contributors", "the credit the map shows for those tiles"},
        {"tile_max_zoom", "N", "19", "the deepest zoom level served (0-22)"},
        {"tile_cache_mb", "N", "512", "disk space for cached tiles under DATA_DIR/tiles; least recently used go first"},
        {"tile_contact", "TEXT", "none",
         "an e-mail address or URL put into the User-Agent of tile fetches, as tile servers ask"},
    };
    return kSettings;
}

std::string SettingsUsage() {
    std::string out =
        "Settings: a flag (--name=value or --name value), the environment variable STRAVA1_NAME, or a key of\n"
        "the --config file; flags win over the environment, which wins over the file.\n\n";
    for (const SettingHelp& setting : ServeSettings()) {
        std::string flag = setting.key;
        std::replace(flag.begin(), flag.end(), '_', '-');
        std::string env = setting.key;
        std::transform(env.begin(), env.end(), env.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        out += "  --" + flag + "=" + setting.placeholder + "  (STRAVA1_" + env + ", default: " + setting.default_text +
               ")\n      " + setting.meaning + "\n";
    }
    return out;
}

bool IsLoopback(const std::string& address) {
    boost::system::error_code ec;
    const auto parsed = boost::asio::ip::make_address(address, ec);
    return !ec && parsed.is_loopback();
}

Config LoadConfig(Settings& s) {
    Config c;
    c.data_dir = s.GetString("data_dir", "var");
    c.database_url = s.GetOptional("database_url");
    if (auto web = s.GetOptional("web_dir")) {
        c.web_dir = *web;
    }
    if (auto pf = s.GetOptional("port_file")) {
        c.port_file = *pf;
    }
    c.log_level = s.GetChoice("log_level", "info", {"debug", "info", "warn", "error"});

    std::string listen = s.GetString("listen", "127.0.0.1:8080");
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        throw ConfigError(s.SourceName("listen") + ": must be ADDRESS:PORT such as 127.0.0.1:8080 (got \"" + listen +
                          "\")");
    }
    std::string host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    int port = -1;
    try {
        std::size_t used = 0;
        port = std::stoi(listen.substr(colon + 1), &used);
        if (used != listen.size() - colon - 1) {
            port = -1;
        }
    } catch (const std::exception&) {
        port = -1;
    }
    if (ec || port < 0 || port > 65535) {
        throw ConfigError(s.SourceName("listen") +
                          ": must be ADDRESS:PORT with an IP address and a port 0..65535 (got \"" + listen + "\")");
    }
    c.server.address = host;
    c.server.port = static_cast<std::uint16_t>(port);
    c.server.cors_origins = SplitList(s.GetString("cors_origins", ""));
    std::string proxies_error;
    auto proxies = http::TrustedProxies::Parse(s.GetString("trusted_proxies", ""), proxies_error);
    if (!proxies) {
        throw ConfigError(s.SourceName("trusted_proxies") + ": " + proxies_error);
    }
    c.server.trusted_proxies = std::move(*proxies);
    c.server.user_budget = ReadBudget(s, "rate_limit_user", c.server.user_budget);
    c.server.anon_budget = ReadBudget(s, "rate_limit_anon", c.server.anon_budget);
    c.server.auth_budget = ReadBudget(s, "rate_limit_auth", c.server.auth_budget);
    c.server.probe_budget = ReadBudget(s, "rate_limit_probe", c.server.probe_budget);
    c.server.header_timeout = std::chrono::seconds(s.GetInt("header_timeout_s", 10, 1, 300));
    c.server.body_timeout = std::chrono::seconds(s.GetInt("body_timeout_s", 30, 1, 600));
    c.server.idle_timeout = std::chrono::seconds(s.GetInt("idle_timeout_s", 30, 1, 3600));

    int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    c.io_threads = static_cast<int>(s.GetInt("io_threads", cores, 1, 256));
    c.cpu_threads = static_cast<int>(s.GetInt("cpu_threads", cores, 1, 256));
    c.db_pool_size = static_cast<int>(s.GetInt("db_pool_size", 16, 1, 1000));
    c.decode_budget_mb = static_cast<std::size_t>(s.GetInt("decode_budget_mb", 256, 1, 1'048'576));

    c.auth_mode = s.GetChoice("auth_mode", "local", {"local", "firebase"});
    c.firebase_project_id = s.GetString("firebase_project_id", "");
    c.firebase_certs_url = s.GetString("firebase_certs_url", "");
    c.firebase_emulator = s.GetBool("firebase_emulator", false);
    if (!c.firebase_project_id.empty() && s.GetOptional("auth_mode") == std::nullopt) {
        c.auth_mode = "firebase";  // setting a project is how Firebase mode is chosen (ARCHITECTURE.md §7)
    }
    if (c.auth_mode == "firebase" && c.firebase_project_id.empty()) {
        throw ConfigError("STRAVA1_FIREBASE_PROJECT_ID: is required when the auth mode is firebase");
    }
    c.fast_password_hash = s.GetChoice("password_hash", "argon2id-interactive",
                                       {"argon2id-interactive", "argon2id-fast-insecure"}) == "argon2id-fast-insecure";
    c.allow_unsafe_durability = s.GetBool("unsafe_allow_no_fsync", false);
    c.metrics_token = s.GetString("metrics_token", "");
    if (!c.metrics_token.empty() && c.metrics_token.size() < 16) {
        throw ConfigError(s.SourceName("metrics_token") +
                          ": must be at least 16 characters (a guessable token protects nothing)");
    }
    c.db_unreachable_limit = std::chrono::seconds(s.GetInt("db_unreachable_limit_s", 60, 1, 86400));
    c.worker_concurrency = static_cast<int>(s.GetInt("worker_concurrency", 8, 0, 1000));
    const std::string queues = s.GetString("worker_queues", "all");
    if (queues != "all") {
        c.worker_queues = SplitList(queues);
        for (const auto& queue : c.worker_queues) {
            const bool valid =
                queue.size() <= 64 && std::all_of(queue.begin(), queue.end(), [](char ch) {
                    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
                });
            if (!valid) {
                throw ConfigError(s.SourceName("worker_queues") + ": queue names are [a-z0-9_.-], up to 64 (got \"" +
                                  queue + "\")");
            }
        }
        if (c.worker_queues.empty()) {
            throw ConfigError(s.SourceName("worker_queues") + ": name at least one queue, or all");
        }
    }
    c.job_lease = std::chrono::seconds(s.GetInt("job_lease_s", 30, 2, 3600));
    c.feed_fan_out_limit = static_cast<int>(s.GetInt("feed_fan_out_limit", 5000, 0, 10'000'000));
    c.tile_url = s.GetString("tile_url", tiles::kOpenStreetMapUrl);
    if (auto problem = tiles::UpstreamUrlProblem(c.tile_url)) {
        throw ConfigError(s.SourceName("tile_url") + ": " + *problem + " (or none) (got \"" + c.tile_url + "\")");
    }
    c.tile_attribution = s.GetString("tile_attribution", tiles::kOpenStreetMapAttribution);
    if (c.tile_attribution.empty() || c.tile_attribution.size() > 500) {
        throw ConfigError(s.SourceName("tile_attribution") + ": must be 1 to 500 characters");
    }
    c.tile_max_zoom = static_cast<int>(s.GetInt("tile_max_zoom", 19, 0, 22));
    c.tile_cache_mb = static_cast<std::size_t>(s.GetInt("tile_cache_mb", 512, 1, 1'048'576));
    c.tile_contact = s.GetString("tile_contact", "");
    if (auto problem = tiles::ContactProblem(c.tile_contact)) {
        throw ConfigError(s.SourceName("tile_contact") + ": " + *problem);
    }
    s.RejectUnknown();
    return c;
}

std::optional<std::string> FlagValue(std::string_view arg, std::string_view flag) {
    if (arg.starts_with(flag) && arg.size() > flag.size() && arg[flag.size()] == '=') {
        return std::string(arg.substr(flag.size() + 1));
    }
    return std::nullopt;
}

}  // namespace strava1::app
