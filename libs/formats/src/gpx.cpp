// GPX 1.0 / 1.1 importer (also a bare <gpx> without version or namespace). Mapping rules are in
// docs/formats.md; in short: every trk/trkseg of the file is one Activity (segment boundaries
// become pause/resume timer events), each rte is a route, each wpt a waypoint.

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strava1/formats/parse.hpp"
#include "text_values.hpp"
#include "timed_points.hpp"
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

constexpr std::int32_t kMaxLatitudeE7 = 900'000'000;

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
// an extension value, e.g. GPX 1.0 <course> is degrees, not a route). By length first: this runs for
// every child of every point.
bool IsUnusedGpxPointChild(std::string_view name) noexcept {
    switch (name.size()) {
        case 3:
            return xml::NameIs(name, "cmt") || xml::NameIs(name, "src") || xml::NameIs(name, "url") ||
                   xml::NameIs(name, "fix") || xml::NameIs(name, "sat");
        case 4:
            return xml::NameIs(name, "link") || xml::NameIs(name, "hdop") || xml::NameIs(name, "vdop") ||
                   xml::NameIs(name, "pdop") || xml::NameIs(name, "desc");
        case 6:
            return xml::NameIs(name, "magvar") || xml::NameIs(name, "dgpsid") || xml::NameIs(name, "course");
        case 7:
            return xml::NameIs(name, "urlname");
        case 11:
            return xml::NameIs(name, "geoidheight");
        case 13:
            return xml::NameIs(name, "ageofdgpsdata");
        default:
            return false;
    }
}

// Extension values per point, by local name, whatever the namespace (Garmin TrackPointExtension
// v1/v2, cluetrust gpxdata, Garmin PowerExtension, plain unprefixed elements). By length first,
// like IsUnusedGpxPointChild: the container elements (TrackPointExtension) match none.
Field ExtensionField(std::string_view name) noexcept {
    switch (name.size()) {
        case 2:
            return xml::NameIs(name, "hr") ? Field::kHeartRate : Field::kNone;
        case 3:
            return xml::NameIs(name, "cad") ? Field::kCadence : Field::kNone;
        case 4:
            return xml::NameIs(name, "temp") ? Field::kTemperature : Field::kNone;
        case 5:
            if (xml::NameIs(name, "atemp")) {
                return Field::kTemperature;
            }
            if (xml::NameIs(name, "wtemp")) {
                return Field::kWaterTemperature;
            }
            if (xml::NameIs(name, "power") || xml::NameIs(name, "watts") || xml::NameIs(name, "Watts") ||
                xml::NameIs(name, "Power")) {
                return Field::kPower;
            }
            if (xml::NameIs(name, "speed") || xml::NameIs(name, "Speed")) {
                return Field::kSpeed;
            }
            return Field::kNone;
        case 7:
            return xml::NameIs(name, "cadence") || xml::NameIs(name, "Cadence") ? Field::kCadence : Field::kNone;
        case 8:
            if (xml::NameIs(name, "PowerInW")) {
                return Field::kPower;
            }
            return xml::NameIs(name, "distance") || xml::NameIs(name, "Distance") ? Field::kDistance : Field::kNone;
        case 9:
            return xml::NameIs(name, "heartrate") || xml::NameIs(name, "HeartRate") ? Field::kHeartRate : Field::kNone;
        case 10:
            return xml::NameIs(name, "heart_rate") ? Field::kHeartRate : Field::kNone;
        case 11:
            return xml::NameIs(name, "Temperature") || xml::NameIs(name, "temperature") ? Field::kTemperature
                                                                                        : Field::kNone;
        default:
            return Field::kNone;
    }
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
                if (!xml::NameIs(name, "gpx")) {
                    reader.Fail("not a GPX document: the root element is <" + std::string(name) + ">, not <gpx>");
                    return false;
                }
                frame.node = Node::kGpx;
                if (auto creator = attributes.Find("creator")) {
                    file_.creator.name = CopyTrimmed(*creator);
                }
                break;
            case Node::kGpx:
                if (xml::NameIs(name, "trk")) {
                    frame.node = Node::kTrack;
                    StartTrack();
                } else if (xml::NameIs(name, "rte")) {
                    frame.node = Node::kRoute;
                    StartRoute();
                } else if (xml::NameIs(name, "wpt")) {
                    frame.node = Node::kWaypoint;
                    StartPoint(reader, frame.node, name, attributes);
                } else if (xml::NameIs(name, "metadata")) {
                    frame.node = Node::kMetadata;
                } else if (xml::NameIs(name, "extensions")) {
                    frame.node = Node::kFileExtensions;
                } else if (xml::NameIs(name, "name")) {  // GPX 1.0 keeps metadata directly in <gpx>
                    frame = {Node::kField, Field::kFileName};
                } else if (xml::NameIs(name, "desc")) {
                    frame = {Node::kField, Field::kFileDescription};
                }
                break;
            case Node::kMetadata:
                if (xml::NameIs(name, "name")) {
                    frame = {Node::kField, Field::kFileName};
                } else if (xml::NameIs(name, "desc")) {
                    frame = {Node::kField, Field::kFileDescription};
                }
                break;
            case Node::kTrack:
                if (xml::NameIs(name, "trkseg")) {
                    frame.node = Node::kSegment;
                    new_segment_ = true;
                } else if (xml::NameIs(name, "name")) {
                    frame = {Node::kField, Field::kTrackName};
                } else if (xml::NameIs(name, "desc")) {
                    frame = {Node::kField, Field::kTrackDescription};
                } else if (xml::NameIs(name, "type")) {
                    frame = {Node::kField, Field::kTrackType};
                } else if (xml::NameIs(name, "extensions")) {
                    frame.node = Node::kFileExtensions;
                }
                break;
            case Node::kSegment:
                if (xml::NameIs(name, "trkpt")) {
                    frame.node = Node::kTrackPoint;
                    StartPoint(reader, frame.node, name, attributes);
                }
                break;
            case Node::kRoute:
                if (xml::NameIs(name, "rtept")) {
                    frame.node = Node::kRoutePoint;
                    StartPoint(reader, frame.node, name, attributes);
                } else if (xml::NameIs(name, "name")) {
                    frame = {Node::kField, Field::kRouteName};
                } else if (xml::NameIs(name, "desc")) {
                    frame = {Node::kField, Field::kRouteDescription};
                } else if (xml::NameIs(name, "type")) {
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
                if (xml::NameIs(name, "lap")) {
                    frame.node = Node::kLap;
                    lap_ = Lap{};
                }
                break;
            case Node::kLap:
                if (xml::NameIs(name, "startTime")) {
                    frame = {Node::kField, Field::kLapStartTime};
                } else if (xml::NameIs(name, "elapsedTime")) {
                    frame = {Node::kField, Field::kLapElapsed};
                } else if (xml::NameIs(name, "distance")) {
                    frame = {Node::kField, Field::kLapDistance};
                } else if (xml::NameIs(name, "calories")) {
                    frame = {Node::kField, Field::kLapCalories};
                } else if (xml::NameIs(name, "trigger")) {
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

    // Track points that repeat one shape (nearly all of them) are applied from a plan: where the
    // shape's latitude and longitude are, and which text hole each field reads, as the element's
    // events would have read them (PointChild, ExtensionChild, ReadField on the same frames). The
    // plan runs the same value parsers as ReadField; whatever would refuse the document, or take
    // the slower double path (a legacy pause marker, an unusual position), is left to the events.
    int CompileShape(const xml::Shape& shape) override {
        // One plan per slot of the engine, numbered by the slot: a new shape's plan replaces its
        // predecessor's, which the engine no longer asks for.
        if (!PlanTrackPoint(shape, scratch_plan_)) {
            return -1;
        }
        std::swap(plans_[shape.slot], scratch_plan_);
        return static_cast<int>(shape.slot);
    }

    bool RunShape(int plan_number, const std::string_view* holes) override {
        const PointPlan& plan = plans_[static_cast<std::size_t>(plan_number)];
        if (frames_.empty() || frames_.back().node != Node::kSegment || point_total_ >= limits_.max_points) {
            return false;
        }
        ResetPoint();
        if (!text::ParseFixedE7(holes[plan.lat_hole], point_.lat_e7) || point_.lat_e7 < -kMaxLatitudeE7 ||
            point_.lat_e7 > kMaxLatitudeE7 || !text::ParseFixedE7(holes[plan.lon_hole], point_.lng_e7)) {
            return false;
        }
        for (const FieldRead& read : plan.reads) {
            const std::string_view text = read.hole >= 0 ? holes[read.hole] : std::string_view();
            if (ReadPointField(read.field, text) != xml::ValueText::kRead) {
                return false;
            }
        }
        ++point_total_;
        AppendTrackPoint();
        return true;
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
    struct FieldRead {
        Field field;
        std::int32_t hole;  // -1: no text before the end tag
    };
    struct PointPlan {
        std::uint32_t lat_hole = 0;
        std::uint32_t lon_hole = 0;
        std::vector<FieldRead> reads;  // in end-tag order, as ReadField would run
    };
    /// A plan for `shape` if it is a trkpt whose events the plan can stand for.
    bool PlanTrackPoint(const xml::Shape& shape, PointPlan& plan) {
        const xml::ShapeEvent& root = shape.events[0];
        if (!xml::NameIs(root.local_name, "trkpt")) {
            return false;
        }
        plan.reads.clear();
        // The first attribute with each local name, as Attributes::Find picks it.
        bool lat = false;
        bool lon = false;
        for (std::uint32_t attribute_idx = 0; attribute_idx < root.attribute_count; ++attribute_idx) {
            const xml::ShapeAttribute& attribute = shape.attributes[root.first_attribute + attribute_idx];
            if (!lat && xml::NameIs(attribute.local_name, "lat")) {
                plan.lat_hole = attribute.hole;
                lat = true;
            } else if (!lon && xml::NameIs(attribute.local_name, "lon")) {
                plan.lon_hole = attribute.hole;
                lon = true;
            }
        }
        if (!lat || !lon) {
            return false;
        }
        std::vector<Frame>& open = plan_frames_;  // kept between calls: no allocation per shape
        open.assign(1, Frame{Node::kTrackPoint, Field::kNone});
        for (std::size_t event_idx = 1; event_idx < shape.event_count; ++event_idx) {
            const xml::ShapeEvent& event = shape.events[event_idx];
            switch (event.kind) {
                case xml::ShapeEvent::Kind::kStart: {
                    const Node parent = open.back().node;
                    if (parent == Node::kTrackPoint) {
                        open.push_back(PointChild(Node::kTrackPoint, event.local_name));
                    } else if (parent == Node::kPointExtension) {
                        open.push_back(ExtensionChild(event.local_name));
                    } else {
                        open.push_back(Frame{Node::kIgnored, Field::kNone});  // inside kIgnored or kField
                    }
                    break;
                }
                case xml::ShapeEvent::Kind::kText:
                    break;
                case xml::ShapeEvent::Kind::kEnd: {
                    const Frame frame = open.back();
                    open.pop_back();
                    if (open.empty()) {
                        return event_idx + 1 == shape.event_count;  // the trkpt's own end tag
                    }
                    if (frame.node == Node::kField) {
                        // A captured element's text is the run just before its end tag, if any.
                        const xml::ShapeEvent& before = shape.events[event_idx - 1];
                        const bool text = before.kind == xml::ShapeEvent::Kind::kText;
                        if (!IsPointField(frame.field)) {
                            return false;
                        }
                        plan.reads.push_back(
                            FieldRead{frame.field, text ? static_cast<std::int32_t>(before.hole) : -1});
                    }
                    break;
                }
            }
        }
        return false;
    }

    /// How errors name a point field.
    static const char* PointFieldName(Field field) noexcept {
        switch (field) {
            case Field::kElevation:
                return "elevation";
            case Field::kTime:
                return "time";
            case Field::kSpeed:
                return "speed";
            case Field::kHeartRate:
                return "heart rate";
            case Field::kCadence:
                return "cadence";
            case Field::kTemperature:
                return "temperature";
            case Field::kWaterTemperature:
                return "water temperature";
            case Field::kPower:
                return "power";
            case Field::kDistance:
                return "distance";
            default:
                return "value";
        }
    }

    static bool IsPointField(Field field) noexcept {
        switch (field) {
            case Field::kElevation:
            case Field::kTime:
            case Field::kSpeed:
            case Field::kHeartRate:
            case Field::kCadence:
            case Field::kTemperature:
            case Field::kWaterTemperature:
            case Field::kPower:
            case Field::kDistance:
                return true;
            default:
                return false;
        }
    }

    /// A track point's value into point_ (or water_temperature_), as ReadField reads it.
    xml::ValueText ReadPointField(Field field, std::string_view text) {
        switch (field) {
            case Field::kElevation:
                return xml::FloatText(text, point_.altitude_m);
            case Field::kTime:
                return xml::TimeText(text, point_.time_ms);
            case Field::kSpeed:
                return xml::FloatText(text, point_.speed_mps);
            case Field::kHeartRate:
                return xml::Uint16Text(text, point_.heart_rate_bpm);
            case Field::kCadence:
                return xml::Uint16Text(text, point_.cadence_rpm);
            case Field::kTemperature:
                return xml::FloatText(text, point_.temperature_c);
            case Field::kWaterTemperature:
                return xml::FloatText(text, water_temperature_);
            case Field::kPower:
                return xml::Uint16Text(text, point_.power_w);
            case Field::kDistance:
                return xml::DoubleText(text, point_.distance_m);
            default:
                return xml::ValueText::kNotANumber;  // not a point field: IsPointField
        }
    }

    Frame PointChild(Node point, std::string_view name) const {
        if (xml::NameIs(name, "ele")) {
            return {Node::kField, Field::kElevation};
        }
        if (xml::NameIs(name, "time")) {
            return {Node::kField, Field::kTime};
        }
        if (xml::NameIs(name, "extensions")) {
            return {Node::kPointExtension, Field::kNone};
        }
        if (point == Node::kWaypoint) {
            if (xml::NameIs(name, "name")) {
                return {Node::kField, Field::kPointName};
            }
            if (xml::NameIs(name, "sym")) {
                return {Node::kField, Field::kPointSymbol};
            }
            if (xml::NameIs(name, "type")) {
                return {Node::kField, Field::kPointType};
            }
        }
        if (xml::NameIs(name, "name") || xml::NameIs(name, "sym") || xml::NameIs(name, "type") ||
            IsUnusedGpxPointChild(name)) {
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
        new_track_ = true;
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

    void ResetPoint() {
        point_ = PointValues{};
        water_temperature_ = kNoFloat;
        legacy_marker_ = 0;
    }

    void StartPoint(xml::Reader& reader, Node node, std::string_view name, const xml::Attributes& attributes) {
        ResetPoint();
        if (node == Node::kWaypoint) {
            waypoint_ = Waypoint{};
            symbol_.clear();
            type_.clear();
        }
        const std::optional<std::string_view> lat_text = attributes.Find("lat");
        const std::optional<std::string_view> lon_text = attributes.Find("lon");
        // Positions as devices write them go straight to 1e-7 degrees (see ParseFixedE7); a latitude
        // within 90 degrees is never one of the legacy markers. Everything else takes the double path.
        if (lat_text && lon_text && text::ParseFixedE7(*lat_text, point_.lat_e7) && point_.lat_e7 >= -kMaxLatitudeE7 &&
            point_.lat_e7 <= kMaxLatitudeE7 && text::ParseFixedE7(*lon_text, point_.lng_e7)) {
            return;
        }
        point_.lat_e7 = kNoPosition;
        point_.lng_e7 = kNoPosition;
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
        AppendTrackPoint();
    }

    /// The track point in point_ and water_temperature_, counted, joins the track.
    void AppendTrackPoint() {
        if (IsMissing(point_.temperature_c)) {  // water temperature only when there is no air temperature
            point_.temperature_c = water_temperature_;
        }
        // Segment boundaries pause the timer between the timed points on either side: points
        // without a time are dropped later (KeepTimedPoints), so they cannot carry the boundary.
        if (point_.time_ms != kNoTime) {
            if (new_segment_ && last_time_ms_ != kNoTime) {
                // A new <trk> is a new recording; a new <trkseg> within one may be only a lost fix.
                const bool inferred = !new_track_;
                activity_.timer_events.push_back(TimerEvent{last_time_ms_, false, inferred});
                activity_.timer_events.push_back(TimerEvent{point_.time_ms, true, inferred});
            }
            new_segment_ = false;
            new_track_ = false;
            last_time_ms_ = point_.time_ms;
        }
        track_builder_.Append(point_);
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
            case Field::kElevation:
            case Field::kTime:
            case Field::kSpeed:
            case Field::kHeartRate:
            case Field::kCadence:
            case Field::kTemperature:
            case Field::kWaterTemperature:
            case Field::kPower:
            case Field::kDistance:  // the fields of a point: IsPointField
                xml::CheckValue(reader, ReadPointField(field, text), text, PointFieldName(field));
                break;
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
            case Field::kPointName:
                waypoint_.name = CopyTrimmed(text);
                break;
            case Field::kPointSymbol:
                symbol_ = CopyTrimmed(text);
                break;
            case Field::kPointType:
                type_ = CopyTrimmed(text);
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
    std::array<PointPlan, xml::kShapeSlots> plans_;  // for repeated track points, see CompileShape
    PointPlan scratch_plan_;
    std::vector<Frame> plan_frames_;
    std::int64_t last_time_ms_ = kNoTime;
    bool has_track_ = false;
    bool first_track_ = false;
    bool new_segment_ = false;
    bool new_track_ = false;  // a <trk> started since the last timed point
};

}  // namespace

Result<ImportedFile> ParseGpx(std::string_view bytes, const Limits& limits) {
    Result<ImportedFile> result = xml::ParseDocument<GpxHandler>(bytes, limits, "GPX");
    if (result.ok()) {
        KeepTimedPoints(result.value());
    }
    return result;
}

}  // namespace strava1::formats
