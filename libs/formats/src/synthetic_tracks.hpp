#pragma once

// Test and benchmark helper: realistic GPX and TCX documents of any size, generated in memory
// (one sample per second, Garmin-style extensions), so size-dependent properties - speed, peak
// memory - can be measured without shipping large files.

#include <cstdint>
#include <cstdio>
#include <string>

namespace strava1::formats::testing {

/// "YYYY-MM-DDTHH:MM:SSZ" for seconds since the epoch (years 1970..9999).
inline std::string FormatUtc(std::int64_t seconds) {
    const std::int64_t days = seconds >= 0 ? seconds / 86'400 : (seconds - 86'399) / 86'400;
    const std::int64_t second_of_day = seconds - days * 86'400;
    // Civil date from a day count (the inverse of text::DaysFromCivil), era-based.
    const std::int64_t shifted = days + 719'468;
    const std::int64_t era = (shifted >= 0 ? shifted : shifted - 146'096) / 146'097;
    const std::int64_t day_of_era = shifted - era * 146'097;
    const std::int64_t year_of_era =
        (day_of_era - day_of_era / 1'460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
    const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const std::int64_t shifted_month = (5 * day_of_year + 2) / 153;
    const std::int64_t day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    const std::int64_t month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02dZ", static_cast<int>(year),
                  static_cast<int>(month), static_cast<int>(day), static_cast<int>(second_of_day / 3'600),
                  static_cast<int>(second_of_day / 60 % 60), static_cast<int>(second_of_day % 60));
    return buffer;
}

inline constexpr std::int64_t kSyntheticStart = 1'714'548'600;  // 2024-05-01T07:30:00Z

/// A Garmin Connect-like GPX ride: `points` trkpt with ele, time, atemp, hr and cad.
inline std::string SyntheticGpx(std::size_t points) {
    std::string out;
    out.reserve(points * 340 + 1024);
    out +=
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<gpx creator=\"Strava+1 synthetic\" version=\"1.1\" xmlns=\"http://www.topografix.com/GPX/1/1\"\n"
        "     xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v1\">\n"
        "  <metadata><time>2024-05-01T07:30:00Z</time></metadata>\n"
        "  <trk>\n    <name>Synthetic ride</name>\n    <type>cycling</type>\n    <trkseg>\n";
    char buffer[512];
    for (std::size_t point_idx = 0; point_idx < points; ++point_idx) {
        const double lat = 46.0 + 0.00001 * static_cast<double>(point_idx % 50'000);
        const double lon = 7.0 + 0.000013 * static_cast<double>(point_idx % 70'000);
        std::snprintf(buffer, sizeof(buffer),
                      "      <trkpt lat=\"%.7f\" lon=\"%.7f\">\n"
                      "        <ele>%.1f</ele>\n"
                      "        <time>%s</time>\n"
                      "        <extensions>\n"
                      "          <gpxtpx:TrackPointExtension>\n"
                      "            <gpxtpx:atemp>%d</gpxtpx:atemp>\n"
                      "            <gpxtpx:hr>%d</gpxtpx:hr>\n"
                      "            <gpxtpx:cad>%d</gpxtpx:cad>\n"
                      "          </gpxtpx:TrackPointExtension>\n"
                      "        </extensions>\n"
                      "      </trkpt>\n",
                      lat, lon, 400.0 + static_cast<double>(point_idx % 997) * 0.3,
                      FormatUtc(kSyntheticStart + static_cast<std::int64_t>(point_idx)).c_str(),
                      15 + static_cast<int>(point_idx % 10), 100 + static_cast<int>(point_idx % 80),
                      70 + static_cast<int>(point_idx % 30));
        out += buffer;
    }
    out += "    </trkseg>\n  </trk>\n</gpx>\n";
    return out;
}

/// A Garmin-like TCX ride: one lap per 1000 points, each Trackpoint with time, position, altitude,
/// distance, heart rate, cadence and TPX speed/watts.
inline std::string SyntheticTcx(std::size_t points) {
    std::string out;
    out.reserve(points * 560 + 2048);
    out +=
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<TrainingCenterDatabase xmlns=\"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2\"\n"
        "  xmlns:ns3=\"http://www.garmin.com/xmlschemas/ActivityExtension/v2\">\n"
        "  <Activities>\n    <Activity Sport=\"Biking\">\n      <Id>2024-05-01T07:30:00Z</Id>\n";
    char buffer[1024];
    for (std::size_t point_idx = 0; point_idx < points; ++point_idx) {
        if (point_idx % 1000 == 0) {
            if (point_idx != 0) {
                out += "        </Track>\n      </Lap>\n";
            }
            const std::size_t lap_points = points - point_idx < 1000 ? points - point_idx : 1000;
            std::snprintf(buffer, sizeof(buffer),
                          "      <Lap StartTime=\"%s\">\n"
                          "        <TotalTimeSeconds>%zu</TotalTimeSeconds>\n"
                          "        <DistanceMeters>%.1f</DistanceMeters>\n"
                          "        <Calories>%d</Calories>\n"
                          "        <AverageHeartRateBpm><Value>140</Value></AverageHeartRateBpm>\n"
                          "        <MaximumHeartRateBpm><Value>179</Value></MaximumHeartRateBpm>\n"
                          "        <Intensity>Active</Intensity>\n"
                          "        <TriggerMethod>Distance</TriggerMethod>\n"
                          "        <Track>\n",
                          FormatUtc(kSyntheticStart + static_cast<std::int64_t>(point_idx)).c_str(), lap_points,
                          static_cast<double>(lap_points) * 8.5, static_cast<int>(lap_points / 10));
            out += buffer;
        }
        const double lat = 46.0 + 0.00001 * static_cast<double>(point_idx % 50'000);
        const double lon = 7.0 + 0.000013 * static_cast<double>(point_idx % 70'000);
        std::snprintf(buffer, sizeof(buffer),
                      "          <Trackpoint>\n"
                      "            <Time>%s</Time>\n"
                      "            <Position>\n"
                      "              <LatitudeDegrees>%.7f</LatitudeDegrees>\n"
                      "              <LongitudeDegrees>%.7f</LongitudeDegrees>\n"
                      "            </Position>\n"
                      "            <AltitudeMeters>%.1f</AltitudeMeters>\n"
                      "            <DistanceMeters>%.2f</DistanceMeters>\n"
                      "            <HeartRateBpm><Value>%d</Value></HeartRateBpm>\n"
                      "            <Cadence>%d</Cadence>\n"
                      "            <Extensions>\n"
                      "              <ns3:TPX>\n"
                      "                <ns3:Speed>%.3f</ns3:Speed>\n"
                      "                <ns3:Watts>%d</ns3:Watts>\n"
                      "              </ns3:TPX>\n"
                      "            </Extensions>\n"
                      "          </Trackpoint>\n",
                      FormatUtc(kSyntheticStart + static_cast<std::int64_t>(point_idx)).c_str(), lat, lon,
                      400.0 + static_cast<double>(point_idx % 997) * 0.3, static_cast<double>(point_idx) * 8.5,
                      100 + static_cast<int>(point_idx % 80), 70 + static_cast<int>(point_idx % 30),
                      8.0 + static_cast<double>(point_idx % 10) * 0.1, 150 + static_cast<int>(point_idx % 120));
        out += buffer;
    }
    if (points != 0) {
        out += "        </Track>\n      </Lap>\n";
    }
    out += "    </Activity>\n  </Activities>\n</TrainingCenterDatabase>\n";
    return out;
}

}  // namespace strava1::formats::testing
