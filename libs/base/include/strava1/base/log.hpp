#pragma once

#include <boost/json/object.hpp>

#include <string_view>

namespace strava1::log {

enum class Level { kDebug, kInfo, kWarn, kError };

/// Sets the minimum level written (default kInfo). Thread-safe.
void SetLevel(Level level);
/// Parses "debug" | "info" | "warn" | "error"; nullopt-like false on anything else.
bool ParseLevel(std::string_view text, Level& out);

/// Whether `level` would be written (lets hot paths skip building fields).
bool Enabled(Level level);

/// Writes one JSON line {"ts","level","msg",...fields} to stderr. Thread-safe; lines never interleave.
void Write(Level level, std::string_view msg, boost::json::object fields = {});

inline void Debug(std::string_view msg, boost::json::object fields = {}) { Write(Level::kDebug, msg, std::move(fields)); }
inline void Info(std::string_view msg, boost::json::object fields = {}) { Write(Level::kInfo, msg, std::move(fields)); }
inline void Warn(std::string_view msg, boost::json::object fields = {}) { Write(Level::kWarn, msg, std::move(fields)); }
inline void Error(std::string_view msg, boost::json::object fields = {}) { Write(Level::kError, msg, std::move(fields)); }

}  // namespace strava1::log
