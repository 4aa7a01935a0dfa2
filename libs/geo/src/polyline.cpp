#include "strava1/geo/polyline.hpp"

#include <cmath>
#include <cstdint>

namespace strava1::geo {
namespace {

double Scale(int precision) { return std::pow(10.0, precision); }

void AppendValue(std::int64_t value, std::string& out) {
    // Zig-zag sign folding, then 5-bit chunks, least significant first, 0x20 = "more follows".
    std::uint64_t folded =
        value < 0 ? ~(static_cast<std::uint64_t>(value) << 1) : static_cast<std::uint64_t>(value) << 1;
    while (folded >= 0x20) {
        out.push_back(static_cast<char>((0x20 | (folded & 0x1f)) + 63));
        folded >>= 5;
    }
    out.push_back(static_cast<char>(folded + 63));
}

// Reads one value at `pos`; false when the text ends inside it or holds a bad character.
bool ReadValue(std::string_view text, std::size_t& pos, std::int64_t& value) {
    std::uint64_t result = 0;
    int shift = 0;
    while (true) {
        if (pos >= text.size() || shift > 60) {
            return false;
        }
        const int chunk = static_cast<unsigned char>(text[pos++]) - 63;
        if (chunk < 0 || chunk > 63) {
            return false;
        }
        result |= static_cast<std::uint64_t>(chunk & 0x1f) << shift;
        shift += 5;
        if ((chunk & 0x20) == 0) {
            break;
        }
    }
    value = (result & 1) != 0 ? static_cast<std::int64_t>(~(result >> 1)) : static_cast<std::int64_t>(result >> 1);
    return true;
}

}  // namespace

std::string EncodePolyline(std::span<const LatLng> points, int precision) {
    const double scale = Scale(precision);
    std::string out;
    out.reserve(points.size() * 8);
    std::int64_t previous_lat = 0;
    std::int64_t previous_lng = 0;
    for (const LatLng& point : points) {
        const std::int64_t lat = std::llround(point.lat_deg * scale);
        const std::int64_t lng = std::llround(point.lng_deg * scale);
        AppendValue(lat - previous_lat, out);
        AppendValue(lng - previous_lng, out);
        previous_lat = lat;
        previous_lng = lng;
    }
    return out;
}

std::optional<std::vector<LatLng>> DecodePolyline(std::string_view encoded, int precision) {
    const double scale = Scale(precision);
    std::vector<LatLng> points;
    points.reserve(encoded.size() / 4);
    std::size_t pos = 0;
    std::int64_t lat = 0;
    std::int64_t lng = 0;
    while (pos < encoded.size()) {
        std::int64_t delta_lat = 0;
        std::int64_t delta_lng = 0;
        if (!ReadValue(encoded, pos, delta_lat) || !ReadValue(encoded, pos, delta_lng)) {
            return std::nullopt;
        }
        lat += delta_lat;
        lng += delta_lng;
        points.push_back(LatLng{static_cast<double>(lat) / scale, static_cast<double>(lng) / scale});
    }
    return points;
}

}  // namespace strava1::geo
