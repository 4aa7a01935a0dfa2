#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "strava1/testing/pg.hpp"

/// Data-driven tests over the collected real files in ../shared/testdata (read in place: several
/// are copyleft and are never copied into this repository).
namespace strava1::testing {

/// `$STRAVA1_TESTDATA` if set, else `build_default` (the module's CMake passes
/// `${PROJECT_SOURCE_DIR}/../shared/testdata`).
inline std::filesystem::path TestdataDir(const char* build_default) {
    if (const char* dir = std::getenv("STRAVA1_TESTDATA"); dir != nullptr && *dir != '\0') {
        return dir;
    }
    return build_default;
}

/// The whole file, or an empty string if it cannot be read.
inline std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

/// `text` as one word for /bin/sh, whatever it holds.
inline std::string ShellQuote(const std::string& text) {
    std::string out = "'";
    for (const char c : text) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

/// Runs a peer (e.g. `node` with the Garmin FIT SDK) through /bin/sh: its standard output, or
/// nullopt when it could not run or exited non-zero.
inline std::optional<std::string> RunCommand(const std::string& command) {
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return std::nullopt;
    }
    std::string out;
    std::array<char, 65536> buffer{};
    std::size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        out.append(buffer.data(), n);
    }
    return pclose(pipe) == 0 ? std::optional(out) : std::nullopt;
}

}  // namespace strava1::testing

/// Missing test data or a missing peer: a loud skip locally, a failure when CI demands every
/// service (`STRAVA1_REQUIRE_SERVICES=1`).
#define STRAVA1_SKIP_OR_FAIL(message)                                         \
    do {                                                                      \
        if (::strava1::testing::ServicesRequired()) {                         \
            FAIL() << (message) << " (STRAVA1_REQUIRE_SERVICES=1)";           \
        }                                                                     \
        std::cerr << "\n*** SKIPPED: " << (message) << " ***\n" << std::endl; \
        GTEST_SKIP() << (message);                                            \
    } while (false)
