#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace strava1 {

/// A bad setting: the message names the setting as the user wrote it (`--port`, `STRAVA1_PORT` or the
/// config file key) and says what is expected. Start-up prints it as one line and exits non-zero.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Layered key/value settings: defaults (in the getters) ← config file ← `STRAVA1_*` environment ← flags.
/// Keys are lower_snake (`database_url`); the env var is `STRAVA1_DATABASE_URL`, the flag
/// `--database-url=…` or `--database-url …`. The config file (`--config FILE` or `STRAVA1_CONFIG`) is a
/// JSON object of scalars. Not thread-safe; used once at start.
class Settings {
public:
    /// Parses flags (argv after the subcommand) and the environment. Throws ConfigError on a
    /// malformed flag or an unreadable/malformed config file.
    static Settings Load(const std::vector<std::string>& args, char** envp);
    /// For tests: explicit sources.
    static Settings FromMaps(std::map<std::string, std::string> env, std::map<std::string, std::string> flags);

    std::string GetString(const std::string& key, std::string_view fallback);
    std::optional<std::string> GetOptional(const std::string& key);
    std::int64_t GetInt(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max);
    bool GetBool(const std::string& key, bool fallback);
    /// One of `allowed`.
    std::string GetChoice(const std::string& key, std::string_view fallback, const std::vector<std::string>& allowed);

    /// Throws ConfigError naming the first setting that no getter asked for (a typo must not be ignored).
    void RejectUnknown() const;
    /// The name of `key` as the user set it, for error messages.
    std::string SourceName(const std::string& key) const;

private:
    struct Entry {
        std::string value;
        std::string source;  // "--port", "STRAVA1_PORT", "config file key \"port\""
    };
    const Entry* Find(const std::string& key);
    std::map<std::string, Entry> entries_;
    std::set<std::string> used_;
};

}  // namespace strava1
