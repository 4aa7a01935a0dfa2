// GPX 1.0 / 1.1 importer (also a bare <gpx> without version or namespace). Mapping rules are in
// docs/formats.md; in short: every trk/trkseg of the file is one Activity (segment boundaries
// become pause/resume timer events), each rte is a route, each wpt a waypoint.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strava1/formats/parse.hpp"
#include "text_values.hpp"
#include "track_builder.hpp"
#include "xml.hpp"
#include "xml_values.hpp"

namespace strava1::formats {
namespace {

// The smallest trkpt that carries anything: <trkpt lat="0" lon="0"/>.
constexpr std::size_t kMinPointBytes = 24;

// OpenTracks (and My Tracks before it) exported pauses as track points at these latitudes.
constexpr double kLegacyPauseLatitude = 100.0;
constexpr double kLegacyResumeLatitude = 200.0;

enum class Node : std::uint8_t {
    kNone,
    kIgnored,
    kGpx,
    kMetadata,
    kFileExtensions,  // gpx/extensions, trk/extensions: where gpxdata laps live
    kTrack,
    kSegment,
    kTrackPoint,
    kRoute,
    kRoutePoint,
    kWaypoint,
    kPointExtension,  // anything inside a point that is not GPX itself
    kLap,
    kField,
};

enum class Field : std::uint8_t {
    kNone,
    kFileName,
    kFileDescription,
    kTrackName,
    kTrackDescription,
    kTrackType,
    kRouteName,
    kRouteDescription,
    kRouteType,
    kElevation,
    kTime,
    kSpeed,
    kPointName,
    kPointSymbol,
    kPointType,
    kHeartRate,
    kCadence,
    kTemperature,
    kWaterTemperature,
    kPower,
    kDistance,
    kLapStartTime,
    kLapElapsed,
    kLapDistance,
    kLapCalories,
};

struct Frame {
    Node node = Node::kNone;
    Field field = Field::kNone;
};

// Children of a point that GPX itself defines and we do not use (so they are never mistaken for
// an extension value, e.g. GPX 1.0 <course> is degrees, not a route).
bool IsUnusedGpxPointChild(std::string_view name) noexcept {
    static constexpr std::string_view kNames[] = {"magvar",        "geoidheight", "cmt",    "src",  "link", "url",
                                                  "urlname",       "fix",         "sat",    "hdop", "vdop", "pdop",
                                                  "ageofdgpsdata", "dgpsid",      "course", "desc"};
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

// Extension values per point, by local name, whatever the namespace (Garmin TrackPointExtension
// v1/v2, cluetrust gpxdata, Garmin PowerExtension, plain unprefixed elements).
Field ExtensionField(std::string_view name) noexcept {
    struct Entry {
        std::string_view name;
        Field field;
    };
    static constexpr Entry kEntries[] = {
        {"hr", Field::kHeartRate},
        {"heartrate", Field::kHeartRate},
        {"HeartRate", Field::kHeartRate},
        {"heart_rate", Field::kHeartRate},
        {"cad", Field::kCadence},
        {"cadence", Field::kCadence},
        {"Cadence", Field::kCadence},
        {"atemp", Field::kTemperature},
        {"temp", Field::kTemperature},
        {"Temperature", Field::kTemperature},
        {"temperature", Field::kTemperature},
        {"wtemp", Field::kWaterTemperature},
        {"power", Field::kPower},
        {"PowerInW", Field::kPower},
        {"Power", Field::kPower},
        {"watts", Field::kPower},
        {"Watts", Field::kPower},
        {"speed", Field::kSpeed},
        {"Speed", Field::kSpeed},
        {"distance", Field::kDistance},
        {"Distance", Field::kDistance},
    };
    for (const Entry& entry : kEntries) {
        if (entry.name == name) {
            return entry.field;
        }
    }
    return Field::kNone;
}

std::string CopyTrimmed(std::string_view text) { return std::string(text::Trim(text)); }

class GpxHandler final : public xml::Handler {
public:
    GpxHandler(std::string_view bytes, const Limits& limits)
        : limits_(limits),
          track_builder_(activity_.track, xml::EstimatePoints(bytes, "<trkpt", kMinPointBytes, limits)) {
        file_.format = ImportedFile::Format::kGpx;
        frames_.reserve(32);
    }

    bool StartElement(xml::Reader& reader, std::string_view name, const xml::Attributes& attributes) override {
        const Frame parent = frames_.empty() ? Frame{} : frames_.back();
        Frame frame{Node::kIgnored, Field::kNone};
        switch (parent.node) {
            case Node::kNone:
                if (name != "gpx") {
                    reader.Fail("not a GPX document: the root element is <" + std::string(name) + ">, not <gpx>");
                    return false;
                }
                frame.node = Node::kGpx;
                if (auto creator = attributes.Find("creator")) {
                    file_.creator.name = CopyTrimmed(*creator);
                }
                break;
            case Node::kGpx:
                if (name == "trk") {
                    frame.node = Node::kTrack;
                    StartTrack();
                } else if (name == "rte") {
                    frame.node = Node::kRoute;
                    StartRoute();
                } else if (name == "wpt") {
                    frame.node = Node::kWaypoint;
                    StartPoint(reader, frame.node, name, attributes);
                } else if (name == "metadata") {
                    frame.node = Node::kMetadata;
                } else if (name == "extensions") {
                    frame.node = Node::kFileExtensions;
                } else if (name == "name") {  // GPX 1.0 keeps metadata directly in <gpx>
                    frame = {Node::kField, Field::kFileName};
                } else if (name == "desc") {
                    frame = {Node::kField, Field::kFileDescription};
                }
                break;
            case Node::kMetadata:
                if (name == "name") {
                    frame = {Node::kField, Field::kFileName};
                } else if (name == "desc") {
                    frame = {Node::kField, Field::kFileDescription};
                }
                break;
            case Node::kTrack:
                if (name == "trkseg") {
                    frame.node = Node::kSegment;
                    new_segment_ = true;
                } else if (name == "name") {
                    frame = {Node::kField, Field::kTrackName};
                } else if (name == "desc") {
                    frame = {Node::kField, Field::kTrackDescription};
                } else if (name == "type") {
                    frame = {Node::kField, Field::kTrackType};
                } else if (name == "extensions") {
                    frame.node = Node::kFileExtensions;
                }
                break;
            case Node::kSegment:
                if (name == "trkpt") {
                    frame.node = Node::kTrackPoint;
                    StartPoint(reader, frame.node, name, attributes);
                }
                break;
            case Node::kRoute:
                if (name == "rtept") {
                    frame.node = Node::kRoutePoint;
                    StartPoint(reader, frame.node, name, attributes);
                } else if (name == "name") {
                    frame = {Node::kField, Field::kRouteName};
                } else if (name == "desc") {
                    frame = {Node::kField, Field::kRouteDescription};
                } else if (name == "type") {
                    frame = {Node::kField, Field::kRouteType};
                }
                break;
            case Node::kTrackPoint:
            case Node::kRoutePoint:
            case Node::kWaypoint:
                frame = PointChild(parent.node, name);
                break;
            case Node::kPointExtension:
                frame = ExtensionChild(name);
                break;
            case Node::kFileExtensions:
                if (name == "lap") {
                    frame.node = Node::kLap;
                    lap_ = Lap{};
                }
                break;
            case Node::kLap:
                if (name == "startTime") {
                    frame = {Node::kField, Field::kLapStartTime};
                } else if (name == "elapsedTime") {
                    frame = {Node::kField, Field::kLapElapsed};
                } else if (name == "distance") {
                    frame = {Node::kField, Field::kLapDistance};
                } else if (name == "calories") {
                    frame = {Node::kField, Field::kLapCalories};
                } else if (name == "trigger") {
                    if (auto kind = attributes.Find("kind")) {
                        lap_.trigger = CopyTrimmed(*kind);
                    }
                }
                break;
            case Node::kIgnored:
            case Node::kField:
                break;
        }
        frames_.push_back(frame);
        return frame.node == Node::kField;
    }

    void EndElement(xml::Reader& reader, std::string_view text) override {
        const Frame frame = frames_.back();
        frames_.pop_back();
        switch (frame.node) {
            case Node::kField:
                ReadField(reader, frame.field, text);
                break;
            case Node::kTrackPoint:
                EndTrackPoint(reader);
                break;
            case Node::kRoutePoint:
                if (CountPoint(reader)) {
                    route_builder_->Append(point_);
                }
                break;
            case Node::kWaypoint:
                EndWaypoint(reader);
                break;
            case Node::kRoute:
                EndRoute();
                break;
            case Node::kLap:
                if (lap_.start_time_ms != kNoTime) {
                    laps_.push_back(std::move(lap_));
                }
                break;
            default:
                break;
        }
    }

    /// After a successful parse: the file as the model wants it.
    ImportedFile Finish() {
        if (has_track_) {
            track_builder_.Finish();
            if (activity_.name.empty()) {
                activity_.name = std::move(file_name_);
            }
            if (activity_.description.empty()) {
                activity_.description = std::move(file_description_);
            }
            AttachLaps();
            file_.activities.push_back(std::move(activity_));
        }
        return std::move(file_);
    }

private:
    Frame PointChild(Node point, std::string_view name) const {
        if (name == "ele") {
            return {Node::kField, Field::kElevation};
        }
        if (name == "time") {
            return {Node::kField, Field::kTime};
        }
        if (name == "extensions") {
            return {Node::kPointExtension, Field::kNone};
        }
        if (point == Node::kWaypoint) {
            if (name == "name") {
                return {Node::kField, Field::kPointName};
            }
            if (name == "sym") {
                return {Node::kField, Field::kPointSymbol};
            }
            if (name == "type") {
                return {Node::kField, Field::kPointType};
            }
        }
        if (name == "name" || name == "sym" || name == "type" || IsUnusedGpxPointChild(name)) {
            return {Node::kIgnored, Field::kNone};
        }
        // GPX 1.0 <speed>, and foreign elements placed straight into the point (GPX 1.0 allows it;
        // some writers do it in 1.1 too).
        return ExtensionChild(name);
    }

    static Frame ExtensionChild(std::string_view name) noexcept {
        const Field field = ExtensionField(name);
        if (field == Field::kNone) {
            return {Node::kPointExtension, Field::kNone};
        }
        return {Node::kField, field};
    }

    void StartTrack() {
        if (!has_track_) {
            has_track_ = true;
            first_track_ = true;
        } else {
            first_track_ = false;
        }
    }

    void StartRoute() {
        route_ = Activity{};
        route_builder_.emplace(route_.track, 0);  // routes are short: no estimate, plain growth
    }

    void EndRoute() {
        route_builder_->Finish();
        route_builder_.reset();
        file_.routes.push_back(std::move(route_));
        route_ = Activity{};
    }

    void StartPoint(xml::Reader& reader, Node node, std::string_view name, const xml::Attributes& attributes) {
        point_ = PointValues{};
        water_temperature_ = kNoFloat;
        legacy_marker_ = 0;
        if (node == Node::kWaypoint) {
            waypoint_ = Waypoint{};
            symbol_.clear();
            type_.clear();
        }
        const std::optional<std::string_view> lat_text = attributes.Find("lat");
        const std::optional<std::string_view> lon_text = attributes.Find("lon");
        if (!lat_text || !lon_text) {
            reader.Fail("<" + std::string(name) + "> without its " + (lat_text ? "lon" : "lat") + " attribute");
            return;
        }
        const std::optional<double> lat = text::ParseNumber(*lat_text);
        if (node == Node::kTrackPoint && lat && (*lat == kLegacyPauseLatitude || *lat == kLegacyResumeLatitude)) {
            legacy_marker_ = *lat == kLegacyPauseLatitude ? 1 : 2;
            return;
        }
        double lon = 0;
        if (!xml::CheckDegrees(reader, lat, *lat_text, "latitude", 90) ||
            !xml::ReadDegrees(reader, *lon_text, "longitude", 180, lon)) {
            return;
        }
        point_.lat_e7 = DegreesToE7(*lat);
        point_.lng_e7 = DegreesToE7(lon);
    }

    bool CountPoint(xml::Reader& reader) {
        if (++point_total_ > limits_.max_points) {
            reader.Fail("more than " + std::to_string(limits_.max_points) + " points (limit)");
            return false;
        }
        return true;
    }

    void EndTrackPoint(xml::Reader& reader) {
        if (legacy_marker_ != 0) {
            activity_.timer_events.push_back(TimerEvent{point_.time_ms, legacy_marker_ == 2});
            return;
        }
        if (!CountPoint(reader)) {
            return;
        }
        if (IsMissing(point_.temperature_c)) {  // water temperature only when there is no air temperature
            point_.temperature_c = water_temperature_;
        }
        if (new_segment_ && !activity_.track.empty() && last_time_ms_ != kNoTime && point_.time_ms != kNoTime) {
            activity_.timer_events.push_back(TimerEvent{last_time_ms_, false});
            activity_.timer_events.push_back(TimerEvent{point_.time_ms, true});
        }
        new_segment_ = false;
        track_builder_.Append(point_);
        last_time_ms_ = point_.time_ms;
        if (activity_.start_time_ms == kNoTime && point_.time_ms != kNoTime) {
            activity_.start_time_ms = point_.time_ms;
        }
    }

    void EndWaypoint(xml::Reader& reader) {
        if (!CountPoint(reader)) {
            return;
        }
        waypoint_.lat_e7 = point_.lat_e7;
        waypoint_.lng_e7 = point_.lng_e7;
        waypoint_.altitude_m = point_.altitude_m;
        waypoint_.time_ms = point_.time_ms;
        waypoint_.kind = !symbol_.empty() ? std::move(symbol_) : std::move(type_);
        file_.waypoints.push_back(std::move(waypoint_));
        waypoint_ = Waypoint{};
    }

    void ReadField(xml::Reader& reader, Field field, std::string_view text) {
        switch (field) {
            case Field::kFileName:
                file_name_ = CopyTrimmed(text);
                break;
            case Field::kFileDescription:
                file_description_ = CopyTrimmed(text);
                break;
            case Field::kTrackName:
                if (activity_.name.empty()) {
                    activity_.name = CopyTrimmed(text);
                }
                break;
            case Field::kTrackDescription:
                if (activity_.description.empty()) {
                    activity_.description = CopyTrimmed(text);
                }
                break;
            case Field::kTrackType:
                if (first_track_ || activity_.sport == Sport::kUnknown) {
                    activity_.sport = text::SportFromLabel(text::Trim(text));
                    activity_.sub_sport.clear();
                }
                break;
            case Field::kRouteName:
                route_.name = CopyTrimmed(text);
                break;
            case Field::kRouteDescription:
                route_.description = CopyTrimmed(text);
                break;
            case Field::kRouteType:
                route_.sport = text::SportFromLabel(text::Trim(text));
                break;
            case Field::kElevation:
                xml::ReadFloat(reader, text, "elevation", point_.altitude_m);
                break;
            case Field::kTime:
                xml::ReadTime(reader, text, "time", point_.time_ms);
                break;
            case Field::kSpeed:
                xml::ReadFloat(reader, text, "speed", point_.speed_mps);
                break;
            case Field::kPointName:
                waypoint_.name = CopyTrimmed(text);
                break;
            case Field::kPointSymbol:
                symbol_ = CopyTrimmed(text);
                break;
            case Field::kPointType:
                type_ = CopyTrimmed(text);
                break;
            case Field::kHeartRate:
                xml::ReadUint16(reader, text, "heart rate", point_.heart_rate_bpm);
                break;
            case Field::kCadence:
                xml::ReadUint16(reader, text, "cadence", point_.cadence_rpm);
                break;
            case Field::kTemperature:
                xml::ReadFloat(reader, text, "temperature", point_.temperature_c);
                break;
            case Field::kWaterTemperature:
                xml::ReadFloat(reader, text, "water temperature", water_temperature_);
                break;
            case Field::kPower:
                xml::ReadUint16(reader, text, "power", point_.power_w);
                break;
            case Field::kDistance:
                xml::ReadDouble(reader, text, "distance", point_.distance_m);
                break;
            case Field::kLapStartTime:
                xml::ReadTime(reader, text, "lap start time", lap_.start_time_ms);
                break;
            case Field::kLapElapsed: {
                double seconds = std::nan("");
                if (xml::ReadDouble(reader, text, "lap elapsed time", seconds) && !std::isnan(seconds)) {
                    lap_.elapsed_s = seconds;
                }
                break;
            }
            case Field::kLapDistance: {
                double metres = std::nan("");
                if (xml::ReadDouble(reader, text, "lap distance", metres) && !std::isnan(metres)) {
                    lap_.distance_m = metres;
                }
                break;
            }
            case Field::kLapCalories: {
                double kcal = std::nan("");
                if (xml::ReadDouble(reader, text, "lap calories", kcal) && !std::isnan(kcal)) {
                    lap_.calories_kcal = kcal;
                }
                break;
            }
            case Field::kNone:
                break;
        }
    }

    // gpxdata laps carry only a start time: each lap runs from its first point at or after that
    // time to the next lap's first point.
    void AttachLaps() {
        if (laps_.empty()) {
            return;
        }
        std::stable_sort(laps_.begin(), laps_.end(),
                         [](const Lap& a, const Lap& b) { return a.start_time_ms < b.start_time_ms; });
        const Track& track = activity_.track;
        std::size_t point_idx = 0;
        for (Lap& lap : laps_) {
            if (!track.time_ms.empty()) {
                while (point_idx < track.size() &&
                       (track.time_ms[point_idx] == kNoTime || track.time_ms[point_idx] < lap.start_time_ms)) {
                    ++point_idx;
                }
            }
            lap.first_index = point_idx;
        }
        for (std::size_t lap_idx = 0; lap_idx < laps_.size(); ++lap_idx) {
            laps_[lap_idx].end_index = lap_idx + 1 < laps_.size() ? laps_[lap_idx + 1].first_index : track.size();
        }
        activity_.laps = std::move(laps_);
    }

    const Limits& limits_;
    ImportedFile file_;
    Activity activity_;
    TrackBuilder track_builder_;
    Activity route_;
    std::optional<TrackBuilder> route_builder_;
    std::vector<Frame> frames_;
    PointValues point_;
    float water_temperature_ = kNoFloat;
    int legacy_marker_ = 0;  // 1 pause, 2 resume (OpenTracks legacy export)
    Waypoint waypoint_;
    std::string symbol_;
    std::string type_;
    std::string file_name_;
    std::string file_description_;
    Lap lap_;
    std::vector<Lap> laps_;
    std::size_t point_total_ = 0;
    std::int64_t last_time_ms_ = kNoTime;
    bool has_track_ = false;
    bool first_track_ = false;
    bool new_segment_ = false;
};

}  // namespace

Result<ImportedFile> ParseGpx(std::string_view bytes, const Limits& limits) {
    return xml::ParseDocument<GpxHandler>(bytes, limits, "GPX");
}

}  // namespace strava1::formats
