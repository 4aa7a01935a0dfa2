#include "output.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "rebase.hpp"
#include "strava1/base/json_writer.hpp"

namespace strava1::activities {
namespace {

constexpr std::array<std::string_view, kStreamKeyCount> kKeyNames{
    "time", "latlng", "distance", "altitude", "velocity_smooth", "heartrate", "cadence", "watts", "temp", "grade_smooth"};

// Windows of the derived streams: long enough to average out GPS jitter at 1 Hz, short enough
// that a sprint or a steep ramp still shows.
constexpr double kVelocityWindowS = 5.0;
constexpr double kGradeWindowM = 20.0;

bool Available(const formats::Track& t, StreamKey key) {
    switch (key) {
        case StreamKey::kTime:
            return !t.time_ms.empty();
        case StreamKey::kLatLng:
            return t.HasPositions();
        case StreamKey::kDistance:
            return !t.distance_m.empty();
        case StreamKey::kAltitude:
            return !t.altitude_m.empty();
        case StreamKey::kVelocitySmooth:
            return !t.time_ms.empty() && !t.distance_m.empty();
        case StreamKey::kHeartRate:
            return !t.heart_rate_bpm.empty();
        case StreamKey::kCadence:
            return !t.cadence_rpm.empty();
        case StreamKey::kWatts:
            return !t.power_w.empty();
        case StreamKey::kTemp:
            return !t.temperature_c.empty();
        case StreamKey::kGradeSmooth:
            return !t.altitude_m.empty() && !t.distance_m.empty();
    }
    return false;
}

bool Allowed(const View& view, StreamKey key) {
    switch (key) {
        case StreamKey::kHeartRate:
            return !view.Hides(kHeartRate);
        case StreamKey::kWatts:
            return !view.Hides(kPower);
        case StreamKey::kVelocitySmooth:
            return !view.Hides(kPace);
        case StreamKey::kLatLng:
            return !view.map_hidden;
        default:
            return true;
    }
}

bool HasTime(const formats::Track& t, std::size_t i) { return !t.time_ms.empty() && t.time_ms[i] != formats::kNoTime; }

/// For each valid sample from `from` on, the derivative d(num)/d(den) over the trailing window in
/// which `den` grows by at least `window` (half a window at `from`, where the viewer's activity
/// starts: a window never reaches into a hidden start), NaN elsewhere.
template <class Num, class Den>
std::vector<double> TrailingSlope(std::size_t n, std::size_t from, Num num, Den den, double window, double scale) {
    std::vector<std::size_t> valid;
    valid.reserve(n);
    for (std::size_t i = from; i < n; ++i) {
        if (!std::isnan(num(i)) && !std::isnan(den(i))) {
            valid.push_back(i);
        }
    }
    std::vector<double> out(n, std::nan(""));
    std::size_t j = 0;
    for (std::size_t k = 0; k < valid.size(); ++k) {
        std::size_t i = valid[k];
        while (j + 1 < k && den(i) - den(valid[j + 1]) >= window) {
            ++j;
        }
        double d = den(i) - den(valid[j]);
        if (j < k && d >= window / 2 && d > 0) {
            out[i] = scale * (num(i) - num(valid[j])) / d;
        }
    }
    return out;
}

std::vector<double> SmoothVelocity(const formats::Track& t, std::size_t from) {
    return TrailingSlope(
        t.size(), from, [&t](std::size_t i) { return t.distance_m[i]; },
        [&t](std::size_t i) { return HasTime(t, i) ? t.time_ms[i] / 1000.0 : std::nan(""); }, kVelocityWindowS, 1.0);
}

std::vector<double> SmoothGrade(const formats::Track& t, std::size_t from) {
    return TrailingSlope(
        t.size(), from, [&t](std::size_t i) { return static_cast<double>(t.altitude_m[i]); },
        [&t](std::size_t i) { return t.distance_m[i]; }, kGradeWindowM, 100.0);
}

/// The visible samples in (from, to].
std::size_t CountVisible(const std::vector<std::uint8_t>& visible, std::size_t from, std::size_t to) {
    return static_cast<std::size_t>(std::count(visible.begin() + static_cast<std::ptrdiff_t>(from) + 1,
                                               visible.begin() + static_cast<std::ptrdiff_t>(to) + 1, std::uint8_t{1}));
}

void Number(json::Writer& w, double v, double scale) {
    if (std::isnan(v)) {
        w.Null();
    } else {
        w.Double(std::round(v * scale) / scale);
    }
}

void Append(std::string& out, std::string_view s) { out.append(s.data(), s.size()); }

void AppendEscaped(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') {
                    out.push_back(c);
                }
        }
    }
}

}  // namespace

std::optional<std::vector<StreamKey>> ParseStreamKeys(std::string_view text, std::string& bad) {
    std::vector<StreamKey> keys;
    std::array<bool, kStreamKeyCount> seen{};
    if (text.empty()) {
        for (std::size_t k = 0; k < kStreamKeyCount; ++k) {
            keys.push_back(static_cast<StreamKey>(k));
        }
        return keys;
    }
    while (true) {
        std::size_t comma = text.find(',');
        std::string_view name = text.substr(0, comma);
        bool found = false;
        for (std::size_t k = 0; k < kStreamKeyCount; ++k) {
            if (kKeyNames[k] == name) {
                found = true;
                if (!seen[k]) {
                    seen[k] = true;
                    keys.push_back(static_cast<StreamKey>(k));
                }
            }
        }
        if (!found) {
            bad = std::string(name.substr(0, 40));
            return std::nullopt;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        text.remove_prefix(comma + 1);
    }
    return keys;
}

std::optional<std::size_t> ResolutionPoints(std::string_view name) {
    if (name == "low") {
        return 100;
    }
    if (name == "medium") {
        return 1000;
    }
    if (name == "high") {
        return 10000;
    }
    return std::nullopt;
}

std::string StreamsJson(const formats::Track& t, const View& view, const std::vector<StreamKey>& keys,
                        std::string_view resolution, std::size_t max_points) {
    std::vector<std::uint8_t> visible = VisibleSamples(view, t);
    std::vector<std::size_t> indexes;
    indexes.reserve(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (visible[i] != 0) {
            indexes.push_back(i);
        }
    }
    // Time and distance count from the first sample the viewer sees (rebase.hpp), smoothed speed
    // and grade look back no further, and the size they are told is what they may see: none may
    // measure the hidden start.
    const std::size_t visible_count = indexes.size();
    const std::size_t first = indexes.empty() ? 0 : indexes.front();
    const StreamOrigin origin = OriginAt(t, first);
    // Where a visible run begins after hidden samples (a privacy zone on the way), so that maps and
    // charts leave a gap there rather than draw a straight line across the zone.
    std::vector<std::size_t> breaks;
    if (indexes.size() > max_points && max_points >= 2) {
        // Evenly spaced picks that keep the first and the last visible sample; a pick begins a run
        // when hidden samples lie between it and the previous pick, whichever visible ones were
        // skipped.
        std::vector<std::size_t> picked;
        picked.reserve(max_points);
        const double step = static_cast<double>(indexes.size() - 1) / static_cast<double>(max_points - 1);
        for (std::size_t k = 0; k < max_points; ++k) {
            const std::size_t i = indexes[static_cast<std::size_t>(std::llround(k * step))];
            if (!picked.empty() && i - picked.back() != CountVisible(visible, picked.back(), i)) {
                breaks.push_back(picked.size());
            }
            picked.push_back(i);
        }
        indexes = std::move(picked);
    } else {
        for (std::size_t k = 1; k < indexes.size(); ++k) {
            if (indexes[k] != indexes[k - 1] + 1) {
                breaks.push_back(k);
            }
        }
    }
    std::string out;
    out.reserve(64 + indexes.size() * 16 * keys.size());
    json::Writer w(out);
    w.BeginObject();
    w.Key("resolution").String(resolution);
    w.Key("original_size").Int(static_cast<std::int64_t>(visible_count));
    w.Key("size").Int(static_cast<std::int64_t>(indexes.size()));
    w.Key("breaks").BeginArray();
    for (std::size_t k : breaks) {
        w.Int(static_cast<std::int64_t>(k));
    }
    w.EndArray();
    w.Key("streams").BeginObject();
    for (StreamKey key : keys) {
        if (!Available(t, key) || !Allowed(view, key)) {
            continue;
        }
        w.Key(kKeyNames[static_cast<std::size_t>(key)]).BeginArray();
        switch (key) {
            case StreamKey::kTime:
                for (std::size_t i : indexes) {
                    t.time_ms[i] == formats::kNoTime
                        ? w.Null()
                        : w.Double(static_cast<double>(t.time_ms[i] - origin.time_ms) / 1000.0);
                }
                break;
            case StreamKey::kLatLng:
                for (std::size_t i : indexes) {
                    if (t.lat_e7[i] == formats::kNoPosition) {
                        w.Null();
                    } else {
                        w.BeginArray().Double(formats::E7ToDegrees(t.lat_e7[i])).Double(formats::E7ToDegrees(t.lng_e7[i])).EndArray();
                    }
                }
                break;
            case StreamKey::kDistance:
                for (std::size_t i : indexes) {
                    Number(w, t.distance_m[i] - origin.distance_m, 100);
                }
                break;
            case StreamKey::kAltitude:
                for (std::size_t i : indexes) {
                    Number(w, t.altitude_m[i], 100);
                }
                break;
            case StreamKey::kVelocitySmooth: {
                auto v = SmoothVelocity(t, first);
                for (std::size_t i : indexes) {
                    Number(w, v[i], 1000);
                }
                break;
            }
            case StreamKey::kGradeSmooth: {
                auto g = SmoothGrade(t, first);
                for (std::size_t i : indexes) {
                    Number(w, g[i], 10);
                }
                break;
            }
            case StreamKey::kHeartRate:
            case StreamKey::kCadence:
            case StreamKey::kWatts: {
                const auto& column =
                    key == StreamKey::kHeartRate ? t.heart_rate_bpm : key == StreamKey::kCadence ? t.cadence_rpm : t.power_w;
                for (std::size_t i : indexes) {
                    column[i] == formats::kNoValue16 ? w.Null() : w.Int(column[i]);
                }
                break;
            }
            case StreamKey::kTemp:
                for (std::size_t i : indexes) {
                    Number(w, t.temperature_c[i], 10);
                }
                break;
        }
        w.EndArray();
    }
    w.EndObject();
    w.EndObject();
    return out;
}

std::string ExportGpx(const formats::Track& t, const View& view, std::string_view name, std::string_view sport) {
    std::vector<std::uint8_t> visible = VisibleSamples(view, t);
    if (view.map_hidden) {
        visible.assign(t.size(), 0);
    }
    const bool times = !view.Hides(kStartTime) && !t.time_ms.empty();
    // Like the streams, others' export begins at its first visible point: that point carries the
    // activity's start time, so the hidden start's duration cannot be read off the clock.
    std::int64_t shift_ms = 0;
    if (times) {
        const auto first_visible = std::find(visible.begin(), visible.end(), std::uint8_t{1});
        if (first_visible != visible.begin() && first_visible != visible.end()) {
            const StreamOrigin start = OriginAt(t, 0);
            const StreamOrigin shown = OriginAt(t, static_cast<std::size_t>(first_visible - visible.begin()));
            if (start.time_ms != formats::kNoTime && shown.time_ms != formats::kNoTime) {
                shift_ms = shown.time_ms - start.time_ms;
            }
        }
    }
    const bool hr = !view.Hides(kHeartRate) && !t.heart_rate_bpm.empty();
    const bool cad = !t.cadence_rpm.empty();
    const bool power = !view.Hides(kPower) && !t.power_w.empty();
    const bool temp = !t.temperature_c.empty();
    std::string out;
    out.reserve(256 + t.size() * 120);
    Append(out,
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<gpx version=\"1.1\" creator=\"Strava+1\" xmlns=\"http://www.topografix.com/GPX/1/1\" "
           "xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v1\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
           "xsi:schemaLocation=\"http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd\">\n"
           " <trk>\n  <name>");
    AppendEscaped(out, name);
    Append(out, "</name>\n  <type>");
    AppendEscaped(out, sport);
    Append(out, "</type>\n  <trkseg>\n");
    char buf[96];
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (visible[i] == 0 || !t.HasPositions() || t.lat_e7[i] == formats::kNoPosition) {
            continue;
        }
        std::snprintf(buf, sizeof buf, "   <trkpt lat=\"%.7f\" lon=\"%.7f\">", formats::E7ToDegrees(t.lat_e7[i]),
                      formats::E7ToDegrees(t.lng_e7[i]));
        Append(out, buf);
        if (!t.altitude_m.empty() && !std::isnan(t.altitude_m[i])) {
            std::snprintf(buf, sizeof buf, "<ele>%.2f</ele>", static_cast<double>(t.altitude_m[i]));
            Append(out, buf);
        }
        if (times && t.time_ms[i] != formats::kNoTime) {
            std::int64_t ms = t.time_ms[i] - shift_ms;
            std::int64_t s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
            std::int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
            std::int64_t rem = s - days * 86400;
            std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
            std::snprintf(buf, sizeof buf, "<time>%04d-%02u-%02uT%02d:%02d:%02d.%03dZ</time>", static_cast<int>(ymd.year()),
                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(rem / 3600),
                          static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60), static_cast<int>(ms - s * 1000));
            Append(out, buf);
        }
        bool has_hr = hr && t.heart_rate_bpm[i] != formats::kNoValue16;
        bool has_cad = cad && t.cadence_rpm[i] != formats::kNoValue16;
        bool has_power = power && t.power_w[i] != formats::kNoValue16;
        bool has_temp = temp && !std::isnan(t.temperature_c[i]);
        if (has_hr || has_cad || has_power || has_temp) {
            Append(out, "<extensions>");
            if (has_power) {
                std::snprintf(buf, sizeof buf, "<power>%u</power>", static_cast<unsigned>(t.power_w[i]));
                Append(out, buf);
            }
            if (has_hr || has_cad || has_temp) {
                Append(out, "<gpxtpx:TrackPointExtension>");
                if (has_temp) {
                    std::snprintf(buf, sizeof buf, "<gpxtpx:atemp>%.1f</gpxtpx:atemp>", static_cast<double>(t.temperature_c[i]));
                    Append(out, buf);
                }
                if (has_hr) {
                    std::snprintf(buf, sizeof buf, "<gpxtpx:hr>%u</gpxtpx:hr>", static_cast<unsigned>(t.heart_rate_bpm[i]));
                    Append(out, buf);
                }
                if (has_cad) {
                    std::snprintf(buf, sizeof buf, "<gpxtpx:cad>%u</gpxtpx:cad>", static_cast<unsigned>(t.cadence_rpm[i]));
                    Append(out, buf);
                }
                Append(out, "</gpxtpx:TrackPointExtension>");
            }
            Append(out, "</extensions>");
        }
        Append(out, "</trkpt>\n");
    }
    Append(out, "  </trkseg>\n </trk>\n</gpx>\n");
    return out;
}

}  // namespace strava1::activities
