#include "strava1/base/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "strava1/base/clock.hpp"
#include "strava1/base/json.hpp"

namespace strava1::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::mutex g_write_mutex;

std::string_view Name(Level level) {
    switch (level) {
        case Level::kDebug:
            return "debug";
        case Level::kInfo:
            return "info";
        case Level::kWarn:
            return "warn";
        case Level::kError:
            return "error";
    }
    return "info";
}

}  // namespace

bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void SetLevel(Level level) { g_level.store(static_cast<int>(level)); }

bool ParseLevel(std::string_view text, Level& out) {
    for (Level level : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
        if (text == Name(level)) {
            out = level;
            return true;
        }
    }
    return false;
}

void Write(Level level, std::string_view msg, boost::json::object fields) {
    if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) {
        return;
    }
    boost::json::object line;
    line.reserve(fields.size() + 3);
    line["ts"] = FormatRfc3339(std::chrono::system_clock::now(), true);
    line["level"] = Name(level);
    line["msg"] = msg;
    for (auto& kv : fields) {
        line[kv.key()] = std::move(kv.value());
    }
    std::string text = json::Serialize(line);
    text.push_back('\n');
    std::lock_guard lock(g_write_mutex);
    std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace strava1::log
