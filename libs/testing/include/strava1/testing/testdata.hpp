#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
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
