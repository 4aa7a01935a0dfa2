#include "config.hpp"

#include <boost/asio/ip/address.hpp>

#include <thread>

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
    b.per_second = static_cast<double>(s.GetInt(name + "_per_minute", static_cast<std::int64_t>(fallback.per_second * 60),
                                                1, 1'000'000'000)) /
                   60.0;
    b.burst = static_cast<double>(s.GetInt(name + "_burst", static_cast<std::int64_t>(fallback.burst), 1, 1'000'000'000));
    return b;
}

}  // namespace

Config LoadConfig(Settings& s) {
    Config c;
    c.data_dir = s.GetString("data_dir", "var");
    c.database_url = s.GetOptional("database_url");
    if (auto web = s.GetOptional("web_dir")) {
        c.web_dir = *web;
    } else if (std::filesystem::exists("web/dist/index.html")) {
        c.web_dir = "web/dist";
    }
    if (auto pf = s.GetOptional("port_file")) {
        c.port_file = *pf;
    }
    c.log_level = s.GetChoice("log_level", "info", {"debug", "info", "warn", "error"});

    std::string listen = s.GetString("listen", "127.0.0.1:8080");
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        throw ConfigError(s.SourceName("listen") + ": must be ADDRESS:PORT such as 127.0.0.1:8080 (got \"" + listen + "\")");
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
        throw ConfigError(s.SourceName("listen") + ": must be ADDRESS:PORT with an IP address and a port 0..65535 (got \"" +
                          listen + "\")");
    }
    c.server.address = host;
    c.server.port = static_cast<std::uint16_t>(port);
    c.server.cors_origins = SplitList(s.GetString("cors_origins", ""));
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
    c.fast_password_hash = s.GetChoice("password_hash", "argon2id-interactive", {"argon2id-interactive", "argon2id-fast-insecure"}) ==
                           "argon2id-fast-insecure";
    c.allow_unsafe_durability = s.GetBool("unsafe_allow_no_fsync", false);
    s.RejectUnknown();
    return c;
}

}  // namespace strava1::app
