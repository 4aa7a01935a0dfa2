#include "strava1/base/settings.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "strava1/base/json.hpp"

namespace strava1 {
namespace {

constexpr std::string_view kEnvPrefix = "STRAVA1_";

std::string EnvName(const std::string& key) {
    std::string out(kEnvPrefix);
    for (char c : key) {
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string KeyFromFlag(std::string_view flag) {
    std::string key(flag);
    std::replace(key.begin(), key.end(), '-', '_');
    return key;
}

std::string KeyFromEnv(std::string_view name) {
    std::string key(name.substr(kEnvPrefix.size()));
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return key;
}

}  // namespace

Settings Settings::FromMaps(std::map<std::string, std::string> env, std::map<std::string, std::string> flags) {
    Settings s;
    for (auto& [name, value] : env) {
        s.entries_[KeyFromEnv(name)] = Entry{value, name};
    }
    for (auto& [key, value] : flags) {
        std::string flag = key;
        std::replace(flag.begin(), flag.end(), '_', '-');
        s.entries_[key] = Entry{value, "--" + flag};
    }
    return s;
}

Settings Settings::Load(const std::vector<std::string>& args, char** envp) {
    std::map<std::string, std::string> env;
    std::optional<std::string> config_path;
    for (char** e = envp; e != nullptr && *e != nullptr; ++e) {
        std::string_view kv(*e);
        if (!kv.starts_with(kEnvPrefix)) {
            continue;
        }
        auto eq = kv.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        std::string name(kv.substr(0, eq));
        // Test-harness variables share the prefix but are not server settings.
        if (name.starts_with("STRAVA1_TEST_") || name == "STRAVA1_REQUIRE_SERVICES") {
            continue;
        }
        if (name == "STRAVA1_CONFIG") {
            config_path = std::string(kv.substr(eq + 1));
            continue;
        }
        env[name] = std::string(kv.substr(eq + 1));
    }
    std::map<std::string, std::string> flags;
    for (std::size_t arg_idx = 0; arg_idx < args.size(); ++arg_idx) {
        std::string_view arg = args[arg_idx];
        if (!arg.starts_with("--") || arg.size() == 2) {
            throw ConfigError("unexpected argument \"" + std::string(arg) + "\" (settings are --name=value)");
        }
        arg.remove_prefix(2);
        std::string name;
        std::string value;
        auto eq = arg.find('=');
        if (eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
        } else if (arg_idx + 1 < args.size() && !std::string_view(args[arg_idx + 1]).starts_with("--")) {
            name = arg;
            value = args[++arg_idx];
        } else {
            name = arg;
            value = "true";
        }
        if (name == "config") {
            config_path = value;
            continue;
        }
        flags[KeyFromFlag(name)] = value;
    }
    Settings s = FromMaps({}, {});
    if (config_path) {
        std::ifstream in(*config_path);
        if (!in) {
            throw ConfigError("config file \"" + *config_path + "\": cannot be read: " + std::strerror(errno));
        }
        std::stringstream buf;
        buf << in.rdbuf();
        boost::system::error_code ec;
        auto doc = boost::json::parse(buf.str(), ec);
        if (ec || !doc.is_object()) {
            throw ConfigError("config file \"" + *config_path + "\": must be a JSON object of settings" +
                              (ec ? " (" + ec.message() + ")" : ""));
        }
        for (const auto& kv : doc.get_object()) {
            std::string key(kv.key());
            std::string value;
            if (kv.value().is_string()) {
                value = std::string(kv.value().get_string());
            } else if (kv.value().is_bool() || kv.value().is_number()) {
                value = json::Serialize(kv.value());  // 2.5, not Boost 1.81's 2.5E0
            } else {
                throw ConfigError("config file key \"" + key + "\": must be a string, number or boolean");
            }
            s.entries_[key] = Entry{value, "config file key \"" + key + "\""};
        }
    }
    Settings layered = FromMaps(std::move(env), std::move(flags));
    for (auto& [key, entry] : layered.entries_) {
        s.entries_[key] = entry;
    }
    return s;
}

const Settings::Entry* Settings::Find(const std::string& key) {
    used_.insert(key);
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
}

std::string Settings::SourceName(const std::string& key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? EnvName(key) : it->second.source;
}

std::string Settings::GetString(const std::string& key, std::string_view fallback) {
    const Entry* e = Find(key);
    return e ? e->value : std::string(fallback);
}

std::optional<std::string> Settings::GetOptional(const std::string& key) {
    const Entry* e = Find(key);
    if (!e || e->value.empty()) {
        return std::nullopt;
    }
    return e->value;
}

std::int64_t Settings::GetInt(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max) {
    const Entry* e = Find(key);
    if (!e) {
        return fallback;
    }
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(e->value.data(), e->value.data() + e->value.size(), v);
    if (ec != std::errc() || ptr != e->value.data() + e->value.size() || v < min || v > max) {
        throw ConfigError(e->source + ": must be an integer in " + std::to_string(min) + ".." + std::to_string(max) +
                          " (got \"" + e->value + "\")");
    }
    return v;
}

bool Settings::GetBool(const std::string& key, bool fallback) {
    const Entry* e = Find(key);
    if (!e) {
        return fallback;
    }
    if (e->value == "1" || e->value == "true" || e->value == "yes" || e->value == "on") {
        return true;
    }
    if (e->value == "0" || e->value == "false" || e->value == "no" || e->value == "off") {
        return false;
    }
    throw ConfigError(e->source + ": must be true or false (got \"" + e->value + "\")");
}

std::string Settings::GetChoice(const std::string& key, std::string_view fallback,
                                const std::vector<std::string>& allowed) {
    const Entry* e = Find(key);
    if (!e) {
        return std::string(fallback);
    }
    if (std::find(allowed.begin(), allowed.end(), e->value) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) {
            list += (list.empty() ? "" : ", ") + a;
        }
        throw ConfigError(e->source + ": must be one of " + list + " (got \"" + e->value + "\")");
    }
    return e->value;
}

namespace {

std::size_t EditDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

/// `key` spelled the way the unknown one was given: STRAVA1_LISTEN for the environment, --listen
/// for a flag.
std::string SpelledLike(const std::string& source, const std::string& key) {
    if (source.starts_with("--")) {
        std::string flag = key;
        std::replace(flag.begin(), flag.end(), '_', '-');
        return "--" + flag;
    }
    if (source.starts_with("STRAVA1_")) {
        return EnvName(key);
    }
    return "\"" + key + "\"";  // a config file key
}

}  // namespace

void Settings::RejectUnknown() const {
    for (const auto& [key, entry] : entries_) {
        if (used_.contains(key)) {
            continue;
        }
        // A typo or a setting from another program (PORT for LISTEN): name the nearest one, else
        // where the list is, so the one-line refusal is enough to fix the start.
        static const std::set<std::string, std::less<>> kListenAliases = {"port", "host", "bind", "address", "addr"};
        const std::string* nearest = nullptr;
        std::size_t best = std::max<std::size_t>(2, key.size() / 3) + 1;
        for (const auto& known : used_) {
            const std::size_t d = known == "listen" && kListenAliases.contains(key) ? 0 : EditDistance(key, known);
            if (d < best) {
                best = d;
                nearest = &known;
            }
        }
        if (nearest != nullptr) {
            throw ConfigError(entry.source + ": unknown setting; did you mean " + SpelledLike(entry.source, *nearest) +
                              "?");
        }
        throw ConfigError(entry.source + ": unknown setting (the command's --help lists every setting)");
    }
}

}  // namespace strava1
