// GPX and TCX import speed on a 100k-point file generated in memory (a one-second ride of about
// 28 hours, Garmin-style extensions: 33 MB of GPX, 58 MB of TCX). The expat-only case (a handler
// that ignores everything) shows how much of the time is the XML tokenizer itself.

#include "xml.hpp"

#include <benchmark/benchmark.h>

#include <string>

#include "strava1/formats/parse.hpp"
#include "synthetic_tracks.hpp"

namespace strava1::formats {
namespace {

constexpr std::size_t kPoints = 100'000;

const std::string& Gpx() {
    static const std::string kDocument = testing::SyntheticGpx(kPoints);
    return kDocument;
}

const std::string& Tcx() {
    static const std::string kDocument = testing::SyntheticTcx(kPoints);
    return kDocument;
}

void ParseGpx100k(benchmark::State& state) {
    const std::string& document = Gpx();
    for (auto _ : state) {
        Result<ImportedFile> result = ParseGpx(document);
        if (!result.ok() || result.value().activities.at(0).track.size() != kPoints) {
            state.SkipWithError("parse failed");
            return;
        }
        benchmark::DoNotOptimize(result);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * document.size()));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPoints));
}
BENCHMARK(ParseGpx100k)->Unit(benchmark::kMillisecond);

void ParseTcx100k(benchmark::State& state) {
    const std::string& document = Tcx();
    for (auto _ : state) {
        Result<ImportedFile> result = ParseTcx(document);
        if (!result.ok() || result.value().activities.at(0).track.size() != kPoints) {
            state.SkipWithError("parse failed");
            return;
        }
        benchmark::DoNotOptimize(result);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * document.size()));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPoints));
}
BENCHMARK(ParseTcx100k)->Unit(benchmark::kMillisecond);

class IgnoreAll final : public xml::Handler {
public:
    bool StartElement(xml::Reader& /*reader*/, std::string_view /*name*/,
                      const xml::Attributes& /*attributes*/) override {
        ++elements;
        return false;
    }
    void EndElement(xml::Reader& /*reader*/, std::string_view /*text*/) override {}
    std::size_t elements = 0;
};

void ExpatOnlyGpx100k(benchmark::State& state) {
    const std::string& document = Gpx();
    for (auto _ : state) {
        IgnoreAll handler;
        if (xml::Parse(xml::Engine::kExpat, document, Limits{}, handler).error) {
            state.SkipWithError("parse failed");
            return;
        }
        benchmark::DoNotOptimize(handler.elements);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * document.size()));
}
BENCHMARK(ExpatOnlyGpx100k)->Unit(benchmark::kMillisecond);

void FastScannerOnlyGpx100k(benchmark::State& state) {
    const std::string& document = Gpx();
    for (auto _ : state) {
        IgnoreAll handler;
        const xml::Outcome outcome = xml::Parse(xml::Engine::kFast, document, Limits{}, handler);
        if (outcome.needs_expat || outcome.error) {
            state.SkipWithError("parse failed");
            return;
        }
        benchmark::DoNotOptimize(handler.elements);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * document.size()));
}
BENCHMARK(FastScannerOnlyGpx100k)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace strava1::formats
