// FIT decoding speed and memory: a 100k-record activity generated in memory (fit_test_writer.hpp),
// and, when STRAVA1_TESTDATA points at the shared test data, the largest real file there (a 1.9 MB
// Ironman) for comparison with `node tests/fitsdk/dump.mjs --time FILE N` (the Garmin SDK).
//
// Counters: records/s, bytes/s, and peak_heap_per_file_byte: the most heap held at once during one
// ParseFit, output included, divided by the file size (the budget is 2).

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>
#include <string>

#include "fit_test_writer.hpp"
#include "strava1/formats/parse.hpp"

namespace {

// Heap accounting for this executable only: every operator new goes through here.
std::atomic<std::size_t> g_heap_now{0};
std::atomic<std::size_t> g_heap_peak{0};

void* CountAllocation(void* p) {
    if (p == nullptr) {
        throw std::bad_alloc();
    }
    const std::size_t now = g_heap_now.fetch_add(malloc_usable_size(p)) + malloc_usable_size(p);
    std::size_t peak = g_heap_peak.load();
    while (now > peak && !g_heap_peak.compare_exchange_weak(peak, now)) {
    }
    return p;
}

void CountFree(void* p) {
    if (p != nullptr) {
        g_heap_now.fetch_sub(malloc_usable_size(p));
        std::free(p);
    }
}

}  // namespace

void* operator new(std::size_t size) { return CountAllocation(std::malloc(size == 0 ? 1 : size)); }
void* operator new[](std::size_t size) { return CountAllocation(std::malloc(size == 0 ? 1 : size)); }
void operator delete(void* p) noexcept { CountFree(p); }
void operator delete[](void* p) noexcept { CountFree(p); }
void operator delete(void* p, std::size_t) noexcept { CountFree(p); }
void operator delete[](void* p, std::size_t) noexcept { CountFree(p); }

namespace {

void RunParse(benchmark::State& state, const std::string& bytes, std::size_t records) {
    double peak_ratio = 0;
    for (auto _ : state) {
        const std::size_t before = g_heap_now.load();
        g_heap_peak.store(before);
        auto result = strava1::formats::ParseFit(bytes);
        peak_ratio = static_cast<double>(g_heap_peak.load() - before) / static_cast<double>(bytes.size());
        if (!result.ok()) {
            state.SkipWithError(result.error().reason.c_str());
            return;
        }
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * records));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
    state.counters["peak_heap_per_file_byte"] = peak_ratio;
    state.counters["file_bytes"] = static_cast<double>(bytes.size());
}

void ParseFit100kRecords(benchmark::State& state) {
    constexpr std::size_t kRecords = 100'000;
    static const std::string kBytes = strava1::formats::fit::testing::BuildRunActivity(kRecords);
    RunParse(state, kBytes, kRecords);
}
BENCHMARK(ParseFit100kRecords)->Unit(benchmark::kMillisecond);

void ParseFit100kRecordsBigEndian(benchmark::State& state) {
    constexpr std::size_t kRecords = 100'000;
    static const std::string kBytes = strava1::formats::fit::testing::BuildRunActivity(kRecords, true);
    RunParse(state, kBytes, kRecords);
}
BENCHMARK(ParseFit100kRecordsBigEndian)->Unit(benchmark::kMillisecond);

void ParseFitIronman(benchmark::State& state) {
    const char* dir = std::getenv("STRAVA1_TESTDATA");
    if (dir == nullptr) {
        state.SkipWithError("set STRAVA1_TESTDATA to the shared test data to time a real file");
        return;
    }
    std::ifstream in(std::string(dir) + "/fit/4623204522.fit", std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    const std::string bytes = content.str();
    if (bytes.empty()) {
        state.SkipWithError("fit/4623204522.fit not found under STRAVA1_TESTDATA");
        return;
    }
    RunParse(state, bytes, 30'582);
}
BENCHMARK(ParseFitIronman)->Unit(benchmark::kMillisecond);

}  // namespace
