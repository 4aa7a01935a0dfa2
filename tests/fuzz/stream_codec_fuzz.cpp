// libFuzzer target for the stream codec (libs/formats/src/stream_codec.cpp), which reads blobs back
// from the database: any input must give a Track or a ParseError with a reason and an offset inside
// the input, without a crash, a leak, a sanitizer report or an exception. An accepted blob must keep
// the Track invariant, and storing what was read must be stable: encoding it decodes to the same
// integers and to floats within half their quantum, and from then on every round gives the same bytes.

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "formats_invariants.hpp"
#include "strava1/formats/activity.hpp"
#include "strava1/formats/stream_codec.hpp"

namespace {

using strava1::formats::Track;

template <class T>
void CheckSameIntegers(const std::vector<T>& again, const std::vector<T>& decoded) {
    if (again != decoded) {
        std::abort();
    }
}

/// A float column read back after one more encoding: NaN where it was NaN, the same bits or within
/// half the quantum (a raw column of values that do fit a quantum is quantised the first time).
template <class T>
void CheckCloseFloats(const std::vector<T>& again, const std::vector<T>& decoded, double quantum) {
    if (again.size() != decoded.size()) {
        std::abort();
    }
    for (std::size_t point_idx = 0; point_idx < decoded.size(); ++point_idx) {
        const T before = decoded[point_idx];
        const T after = again[point_idx];
        if (std::isnan(before) || std::isnan(after)) {
            if (std::isnan(before) != std::isnan(after)) {
                std::abort();
            }
            continue;
        }
        using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
        if (std::bit_cast<Bits>(before) == std::bit_cast<Bits>(after)) {
            continue;
        }
        const double tolerance =
            quantum / 2 + std::abs(static_cast<double>(before)) * std::numeric_limits<T>::epsilon();
        if (!(std::abs(static_cast<double>(after) - static_cast<double>(before)) <= tolerance)) {
            std::abort();
        }
    }
}

void CheckStable(const Track& decoded) {
    const std::string blob = strava1::formats::EncodeTrack(decoded);
    const auto again = strava1::formats::DecodeTrack(blob);
    if (!again.ok()) {
        std::abort();
    }
    const Track& track = again.value();
    if (track.point_count != decoded.point_count) {
        std::abort();
    }
    CheckSameIntegers(track.time_ms, decoded.time_ms);
    CheckSameIntegers(track.lat_e7, decoded.lat_e7);
    CheckSameIntegers(track.lng_e7, decoded.lng_e7);
    CheckCloseFloats(track.altitude_m, decoded.altitude_m, 0.01);
    CheckCloseFloats(track.distance_m, decoded.distance_m, 0.01);
    CheckCloseFloats(track.speed_mps, decoded.speed_mps, 0.001);
    CheckSameIntegers(track.heart_rate_bpm, decoded.heart_rate_bpm);
    CheckSameIntegers(track.cadence_rpm, decoded.cadence_rpm);
    CheckSameIntegers(track.power_w, decoded.power_w);
    CheckCloseFloats(track.temperature_c, decoded.temperature_c, 0.1);
    if (strava1::formats::EncodeTrack(track) != blob) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace formats = strava1::formats;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto result = formats::DecodeTrack(input);
    if (!result.ok()) {
        formats::fuzz::CheckError(result.error());
        if (!result.error().byte_offset || *result.error().byte_offset > size) {
            std::abort();  // a refusal also says where
        }
        return 0;
    }
    const Track& track = result.value();
    const std::size_t points = track.size();
    formats::fuzz::CheckColumn(track.time_ms, points);
    formats::fuzz::CheckColumn(track.lat_e7, points);
    formats::fuzz::CheckColumn(track.lng_e7, points);
    formats::fuzz::CheckColumn(track.altitude_m, points);
    formats::fuzz::CheckColumn(track.distance_m, points);
    formats::fuzz::CheckColumn(track.speed_mps, points);
    formats::fuzz::CheckColumn(track.heart_rate_bpm, points);
    formats::fuzz::CheckColumn(track.cadence_rpm, points);
    formats::fuzz::CheckColumn(track.power_w, points);
    formats::fuzz::CheckColumn(track.temperature_c, points);
    if (track.lat_e7.size() != track.lng_e7.size()) {
        std::abort();
    }
    // A few bytes can announce millions of missing values; re-encoding those would only slow the
    // search down, and the decoder's limit path is exercised either way.
    if (points <= 200'000) {
        CheckStable(track);
    }
    return 0;
}
