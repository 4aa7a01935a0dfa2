#pragma once

// Test-only helpers shared by the GPX/TCX/gzip/XML tests: where the data lives and how to read it.

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#if defined(__SANITIZE_ADDRESS__)
#define STRAVA1_HEAP_HOOKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRAVA1_HEAP_HOOKS 1
#endif
#endif
#ifdef STRAVA1_HEAP_HOOKS
// The sanitizer runtime's allocator interface (GCC does not install clang's header for it).
// NOLINTBEGIN(bugprone-reserved-identifier,readability-identifier-naming): the runtime's own names
extern "C" {
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, std::size_t),
                                              void (*free_hook)(const volatile void*));
std::size_t __sanitizer_get_allocated_size(const volatile void* ptr);
}
// NOLINTEND(bugprone-reserved-identifier,readability-identifier-naming)
#endif

#include "strava1/testing/testdata.hpp"

namespace strava1::formats::testing {

/// Our own hand-written fixtures (tests/data), overridable with STRAVA1_FIXTURES.
inline std::filesystem::path FixturesDir() {
    if (const char* dir = std::getenv("STRAVA1_FIXTURES"); dir != nullptr && *dir != '\0') {
        return dir;
    }
    return STRAVA1_FIXTURES_DIR;
}

/// The collected third-party files (../shared/testdata), overridable with STRAVA1_TESTDATA.
inline std::filesystem::path TestdataDir() { return ::strava1::testing::TestdataDir(STRAVA1_TESTDATA_DIR); }

/// True when CI asks for every optional dependency to be present (missing ones fail, not skip).
inline bool RequireServices() { return ::strava1::testing::ServicesRequired(); }

using ::strava1::testing::ReadFile;

inline std::string Fixture(std::string_view relative) { return ReadFile(FixturesDir() / relative); }

/// Peak heap growth over a stretch of code, counting every allocation (C++ and malloc, so expat's
/// and zlib's too). Needs the sanitizer allocator's hooks: Available() is false in other builds.
/// Single-threaded use only.
class HeapPeak {
public:
    static bool Available() {
#ifdef STRAVA1_HEAP_HOOKS
        return true;
#else
        return false;
#endif
    }

    HeapPeak() {
#ifdef STRAVA1_HEAP_HOOKS
        static const int kInstalled = __sanitizer_install_malloc_and_free_hooks(&OnMalloc, &OnFree);
        (void)kInstalled;
#endif
        Current().store(0);
        Peak().store(0);
        Active().store(true);
    }
    ~HeapPeak() { Active().store(false); }
    HeapPeak(const HeapPeak&) = delete;
    HeapPeak& operator=(const HeapPeak&) = delete;

    /// Largest net growth (bytes allocated minus bytes freed) since construction.
    std::size_t Bytes() const { return static_cast<std::size_t>(Peak().load()); }

private:
    static std::atomic<long long>& Current() {
        static std::atomic<long long> value{0};
        return value;
    }
    static std::atomic<long long>& Peak() {
        static std::atomic<long long> value{0};
        return value;
    }
    static std::atomic<bool>& Active() {
        static std::atomic<bool> value{false};
        return value;
    }
#ifdef STRAVA1_HEAP_HOOKS
    static void OnMalloc(const volatile void* /*ptr*/, std::size_t size) {
        if (!Active().load(std::memory_order_relaxed)) {
            return;
        }
        const long long now = Current().fetch_add(static_cast<long long>(size)) + static_cast<long long>(size);
        long long peak = Peak().load();
        while (now > peak && !Peak().compare_exchange_weak(peak, now)) {
        }
    }
    static void OnFree(const volatile void* ptr) {
        if (!Active().load(std::memory_order_relaxed) || ptr == nullptr) {
            return;
        }
        Current().fetch_sub(static_cast<long long>(__sanitizer_get_allocated_size(ptr)));
    }
#endif
};

}  // namespace strava1::formats::testing
