// Garmin Training Center (TCX v1/v2) importer. Mapping rules are in docs/formats.md; in short:
// every Activity element is one Activity (laps keep their indexes into its track, the device
// summary is the laps' totals), every Course is a route and its CoursePoints are waypoints.

#include <algorithm>
#include <cmath>
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

// The smallest Trackpoint that carries anything: <Trackpoint><Time>..Z</Time></Trackpoint>.
constexpr std::size_t kMinPointBytes = 40;

enum class Node : std::uint8_t {
    kNone,
    kIgnored,
    kRoot,
    kActivities,  // also MultiSportSession, FirstSport, NextSport: containers of Activity
    kActivity,
    kCreator,
    kAuthor,
    kLap,
    kLapAverageHeartRate,
    kLapMaximumHeartRate,
    kLapExtension,
    kTrack,
    kTrackpoint,
    kPosition,
    kPointHeartRate,
    kPointExtension,
    kCourses,
    kCourse,
    kCourseLap,
    kCoursePoint,
    kField,
};

enum class Field : std::uint8_t {
    kNone,
    kActivityId,
    kNotes,
    kCreatorName,
    kCreatorUnitId,
    kCreatorProductId,
    kAuthorName,
    kLapTotalTime,
    kLapDistance,
    kLapCalories,
    kLapAverageHeartRate,
    kLapMaximumHeartRate,
    kLapCadence,
    kLapTrigger,
    kLapAverageRunCadence,
    kLapAverageWatts,
    kLapMaximumWatts,
    kTime,
    kLatitude,
    kLongitude,
    kAltitude,
    kDistance,
    kHeartRate,
    kCadence,
    kSpeed,
    kWatts,
    kRunCadence,
    kCourseName,
    kCourseLapTotalTime,
    kCourseLapDistance,
    kPointName,
    kPointType,
};

struct Frame {
    Node node = Node::kNone;
    Field field = Field::kNone;
};

Frame FieldFrame(Field field) noexcept { return {Node::kField, field}; }

std::string CopyTrimmed(std::string_view text) { return std::string(text::Trim(text)); }

/// TCX TriggerMethod_t in the wording Lap::trigger uses for every format.
std::string TriggerName(std::string_view method) {
    method = text::Trim(method);
    if (method == "Manual") {
        return "manual";
    }
    if (method == "Distance") {
        return "distance";
    }
    if (method == "Location") {
        return "position";
    }
    if (method == "Time") {
        return "time";
    }
    if (method == "HeartRate") {
        return "heart_rate";
    }
    std::string lower(method);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
    return lower;
}

/// Per-lap values that only feed the device summary.
struct LapExtras {
    std::optional<double> cadence_rpm;
    std::optional<double> max_power_w;
};

class TcxHandler final : public xml::Handler {
public:
    TcxHandler(std::string_view bytes, const Limits& limits)
        : limits_(limits), estimate_(xml::EstimatePoints(bytes, "<Trackpoint", kMinPointBytes, limits)) {
        file_.format = ImportedFile::Format::kTcx;
        frames_.reserve(32);
    }

    bool StartElement(xml::Reader& reader, std::string_view name, const xml::Attributes& attributes) override {
        const Frame parent = frames_.empty() ? Frame{} : frames_.back();
        Frame frame{Node::kIgnored, Field::kNone};
        switch (parent.node) {
            case Node::kNone:
                if (name != "TrainingCenterDatabase") {
                    reader.Fail("not a TCX document: the root element is <" + std::string(name) +
                                ">, not <TrainingCenterDatabase>");
                    return false;
                }
                frame.node = Node::kRoot;
                break;
            case Node::kRoot:
                if (name == "Activities") {
                    frame.node = Node::kActivities;
                } else if (name == "Courses") {
                    frame.node = Node::kCourses;
                } else if (name == "Author") {
                    frame.node = Node::kAuthor;
                }
                break;
            case Node::kActivities:
                if (name == "Activity") {
                    frame.node = Node::kActivity;
                    StartActivity(attributes);
                } else if (name == "MultiSportSession" || name == "FirstSport" || name == "NextSport") {
                    frame.node = Node::kActivities;
                }
                break;
            case Node::kActivity:
                if (name == "Lap") {
                    frame.node = Node::kLap;
                    StartLap(reader, attributes);
                } else if (name == "Id") {
                    frame = FieldFrame(Field::kActivityId);
                } else if (name == "Notes") {
                    frame = FieldFrame(Field::kNotes);
                } else if (name == "Creator") {
                    frame.node = Node::kCreator;
                } else if (name == "Track") {  // not in the schema, but written by some tools
                    frame.node = Node::kTrack;
                    StartTrack();
                }
                break;
            case Node::kCreator:
                if (name == "Name") {
                    frame = FieldFrame(Field::kCreatorName);
                } else if (name == "UnitId") {
                    frame = FieldFrame(Field::kCreatorUnitId);
                } else if (name == "ProductID") {
                    frame = FieldFrame(Field::kCreatorProductId);
                }
                break;
            case Node::kAuthor:
                if (name == "Name") {
                    frame = FieldFrame(Field::kAuthorName);
                }
                break;
            case Node::kLap:
                frame = LapChild(name);
                if (frame.node == Node::kTrack) {
                    StartTrack();
                }
                break;
            case Node::kLapAverageHeartRate:
                if (name == "Value") {
                    frame = FieldFrame(Field::kLapAverageHeartRate);
                }
                break;
            case Node::kLapMaximumHeartRate:
                if (name == "Value") {
                    frame = FieldFrame(Field::kLapMaximumHeartRate);
                }
                break;
            case Node::kLapExtension:
                frame = LapExtensionChild(name);
                break;
            case Node::kTrack:
                if (name == "Trackpoint") {
                    frame.node = Node::kTrackpoint;
                    StartPoint();
                }
                break;
            case Node::kTrackpoint:
                frame = TrackpointChild(name);
                break;
            case Node::kPosition:
                if (name == "LatitudeDegrees") {
                    frame = FieldFrame(Field::kLatitude);
                } else if (name == "LongitudeDegrees") {
                    frame = FieldFrame(Field::kLongitude);
                }
                break;
            case Node::kPointHeartRate:
                if (name == "Value") {
                    frame = FieldFrame(Field::kHeartRate);
                }
                break;
            case Node::kPointExtension:
                frame = PointExtensionChild(name);
                break;
            case Node::kCourses:
                if (name == "Course") {
                    frame.node = Node::kCourse;
                    StartCourse();
                }
                break;
            case Node::kCourse:
                if (name == "Track") {
                    frame.node = Node::kTrack;
                    StartTrack();
                } else if (name == "Name") {
                    frame = FieldFrame(Field::kCourseName);
                } else if (name == "Notes") {
                    frame = FieldFrame(Field::kNotes);
                } else if (name == "Lap") {
                    frame.node = Node::kCourseLap;
                } else if (name == "CoursePoint") {
                    frame.node = Node::kCoursePoint;
                    StartPoint();
                    waypoint_ = Waypoint{};
                }
                break;
            case Node::kCourseLap:
                if (name == "TotalTimeSeconds") {
                    frame = FieldFrame(Field::kCourseLapTotalTime);
                } else if (name == "DistanceMeters") {
                    frame = FieldFrame(Field::kCourseLapDistance);
                }
                break;
            case Node::kCoursePoint:
                if (name == "Name") {
                    frame = FieldFrame(Field::kPointName);
                } else if (name == "PointType") {
                    frame = FieldFrame(Field::kPointType);
                } else if (name == "Time") {
                    frame = FieldFrame(Field::kTime);
                } else if (name == "AltitudeMeters") {
                    frame = FieldFrame(Field::kAltitude);
                } else if (name == "Position") {
                    frame.node = Node::kPosition;
                    StartPosition();
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
            case Node::kPosition:
                EndPosition(reader);
                break;
            case Node::kTrackpoint:
                EndTrackpoint(reader);
                break;
            case Node::kCoursePoint:
                EndCoursePoint(reader);
                break;
            case Node::kLap:
                EndLap();
                break;
            case Node::kActivity:
                EndActivity();
                break;
            case Node::kCourse:
                EndCourse();
                break;
            default:
                break;
        }
    }

    ImportedFile Finish() {
        if (file_.creator.name.empty()) {
            file_.creator.name = std::move(author_name_);
        }
        return std::move(file_);
    }

private:
    static Frame LapChild(std::string_view name) noexcept {
        if (name == "Track") {
            return {Node::kTrack, Field::kNone};
        }
        if (name == "TotalTimeSeconds") {
            return FieldFrame(Field::kLapTotalTime);
        }
        if (name == "DistanceMeters") {
            return FieldFrame(Field::kLapDistance);
        }
        if (name == "Calories") {
            return FieldFrame(Field::kLapCalories);
        }
        if (name == "AverageHeartRateBpm") {
            return {Node::kLapAverageHeartRate, Field::kNone};
        }
        if (name == "MaximumHeartRateBpm") {
            return {Node::kLapMaximumHeartRate, Field::kNone};
        }
        if (name == "Cadence") {
            return FieldFrame(Field::kLapCadence);
        }
        if (name == "TriggerMethod") {
            return FieldFrame(Field::kLapTrigger);
        }
        if (name == "Extensions") {
            return {Node::kLapExtension, Field::kNone};
        }
        return {Node::kIgnored, Field::kNone};
    }

    // ActivityExtension v2 LX (any prefix, any depth under the lap's Extensions).
    static Frame LapExtensionChild(std::string_view name) noexcept {
        if (name == "AvgWatts") {
            return FieldFrame(Field::kLapAverageWatts);
        }
        if (name == "MaxWatts") {
            return FieldFrame(Field::kLapMaximumWatts);
        }
        if (name == "AvgRunCadence") {
            return FieldFrame(Field::kLapAverageRunCadence);
        }
        return {Node::kLapExtension, Field::kNone};
    }

    Frame TrackpointChild(std::string_view name) {
        if (name == "Time") {
            return FieldFrame(Field::kTime);
        }
        if (name == "Position") {
            StartPosition();
            return {Node::kPosition, Field::kNone};
        }
        if (name == "AltitudeMeters") {
            return FieldFrame(Field::kAltitude);
        }
        if (name == "DistanceMeters") {
            return FieldFrame(Field::kDistance);
        }
        if (name == "HeartRateBpm") {
            return {Node::kPointHeartRate, Field::kNone};
        }
        if (name == "Cadence") {
            return FieldFrame(Field::kCadence);
        }
        if (name == "Extensions") {
            return {Node::kPointExtension, Field::kNone};
        }
        return {Node::kIgnored, Field::kNone};  // SensorState: nothing in the model holds it
    }

    // ActivityExtension v2 TPX (any prefix, any depth under the point's Extensions).
    static Frame PointExtensionChild(std::string_view name) noexcept {
        if (name == "Speed") {
            return FieldFrame(Field::kSpeed);
        }
        if (name == "Watts") {
            return FieldFrame(Field::kWatts);
        }
        if (name == "RunCadence") {
            return FieldFrame(Field::kRunCadence);
        }
        return {Node::kPointExtension, Field::kNone};
    }

    void StartTrackOwner() {
        current_ = Activity{};
        const std::size_t remaining = estimate_ > point_total_ ? estimate_ - point_total_ : 0;
        builder_.emplace(current_.track, remaining);
        laps_.clear();
        lap_extras_.clear();
        last_time_ms_ = kNoTime;
        in_lap_ = false;
    }

    void StartActivity(const xml::Attributes& attributes) {
        StartTrackOwner();
        in_course_ = false;
        if (auto sport = attributes.Find("Sport")) {
            current_.sport = text::SportFromLabel(text::Trim(*sport));
        }
    }

    void StartCourse() {
        StartTrackOwner();
        in_course_ = true;
    }

    void StartLap(xml::Reader& reader, const xml::Attributes& attributes) {
        lap_ = Lap{};
        lap_extra_ = LapExtras{};
        lap_.first_index = current_.track.size();
        in_lap_ = true;
        if (auto start = attributes.Find("StartTime")) {
            xml::ReadTime(reader, *start, "lap StartTime", lap_.start_time_ms);
        }
    }

    void StartTrack() { track_first_point_pending_ = true; }

    void StartPoint() {
        point_ = PointValues{};
        run_cadence_ = kNoValue16;
    }

    void StartPosition() {
        latitude_.reset();
        longitude_.reset();
    }

    void EndPosition(xml::Reader& reader) {
        if (latitude_.has_value() != longitude_.has_value()) {
            reader.Fail(latitude_ ? "Position without LongitudeDegrees" : "Position without LatitudeDegrees");
            return;
        }
        if (latitude_) {
            point_.lat_e7 = DegreesToE7(*latitude_);
            point_.lng_e7 = DegreesToE7(*longitude_);
        }
    }

    bool CountPoint(xml::Reader& reader) {
        if (++point_total_ > limits_.max_points) {
            reader.Fail("more than " + std::to_string(limits_.max_points) + " points (limit)");
            return false;
        }
        return true;
    }

    void EndTrackpoint(xml::Reader& reader) {
        if (!builder_ || !CountPoint(reader)) {
            return;
        }
        if (point_.cadence_rpm == kNoValue16) {
            point_.cadence_rpm = run_cadence_;
        }
        // Only timed points survive (KeepTimedPoints), so the first timed point of a Track marks the
        // restart.
        if (track_first_point_pending_ && point_.time_ms != kNoTime) {
            track_first_point_pending_ = false;
            // Garmin starts a new Track inside a lap when the timer was stopped and restarted.
            if (!in_course_ && in_lap_ && current_.track.size() > lap_.first_index && last_time_ms_ != kNoTime &&
                point_.time_ms != kNoTime) {
                current_.timer_events.push_back(TimerEvent{last_time_ms_, false});
                current_.timer_events.push_back(TimerEvent{point_.time_ms, true});
            }
        }
        builder_->Append(point_);
        if (point_.time_ms != kNoTime) {
            last_time_ms_ = point_.time_ms;
            if (first_point_time_ms_ == kNoTime) {
                first_point_time_ms_ = point_.time_ms;
            }
        }
    }

    void EndCoursePoint(xml::Reader& reader) {
        if (!CountPoint(reader)) {
            return;
        }
        waypoint_.lat_e7 = point_.lat_e7;
        waypoint_.lng_e7 = point_.lng_e7;
        waypoint_.altitude_m = point_.altitude_m;
        waypoint_.time_ms = point_.time_ms;
        file_.waypoints.push_back(std::move(waypoint_));
        waypoint_ = Waypoint{};
    }

    void EndLap() {
        if (!in_lap_) {
            return;
        }
        lap_.end_index = current_.track.size();
        laps_.push_back(std::move(lap_));
        lap_extras_.push_back(lap_extra_);
        in_lap_ = false;
    }

    void EndActivity() {
        if (!builder_) {
            return;
        }
        builder_->Finish();
        builder_.reset();
        if (current_.start_time_ms == kNoTime && !laps_.empty()) {
            current_.start_time_ms = laps_.front().start_time_ms;
        }
        if (current_.start_time_ms == kNoTime) {
            current_.start_time_ms = first_point_time_ms_;
        }
        Summarise();
        current_.laps = std::move(laps_);
        laps_ = {};
        file_.activities.push_back(std::move(current_));
        current_ = Activity{};
        first_point_time_ms_ = kNoTime;
    }

    void EndCourse() {
        if (!builder_) {
            return;
        }
        builder_->Finish();
        builder_.reset();
        current_.start_time_ms = first_point_time_ms_;
        if (course_timer_s_) {
            current_.device_summary.timer_s = course_timer_s_;
        }
        if (course_distance_m_) {
            current_.device_summary.distance_m = course_distance_m_;
        }
        course_timer_s_.reset();
        course_distance_m_.reset();
        file_.routes.push_back(std::move(current_));
        current_ = Activity{};
        first_point_time_ms_ = kNoTime;
    }

    // The device summary is what the laps say in total: sums of time, distance and calories, the
    // largest maxima, and averages weighted by each lap's timer time.
    void Summarise() {
        DeviceSummary& summary = current_.device_summary;
        struct Weighted {
            double sum = 0;
            double weight = 0;
            std::size_t count = 0;
            double plain_sum = 0;
            void Add(double value, std::optional<double> seconds) {
                ++count;
                plain_sum += value;
                if (seconds && *seconds > 0) {
                    sum += value * *seconds;
                    weight += *seconds;
                }
            }
            std::optional<double> Mean() const {
                if (count == 0) {
                    return std::nullopt;
                }
                return weight > 0 ? sum / weight : plain_sum / static_cast<double>(count);
            }
        };
        Weighted heart_rate;
        Weighted power;
        Weighted cadence;
        for (std::size_t lap_idx = 0; lap_idx < laps_.size(); ++lap_idx) {
            const Lap& lap = laps_[lap_idx];
            const LapExtras& extras = lap_extras_[lap_idx];
            auto add = [](std::optional<double>& total, const std::optional<double>& value) {
                if (value) {
                    total = total.value_or(0) + *value;
                }
            };
            auto max = [](std::optional<double>& best, const std::optional<double>& value) {
                if (value && (!best || *value > *best)) {
                    best = value;
                }
            };
            add(summary.timer_s, lap.timer_s);
            add(summary.distance_m, lap.distance_m);
            add(summary.calories_kcal, lap.calories_kcal);
            max(summary.max_heart_rate_bpm, lap.max_heart_rate_bpm);
            max(summary.max_power_w, extras.max_power_w);
            if (lap.avg_heart_rate_bpm) {
                heart_rate.Add(*lap.avg_heart_rate_bpm, lap.timer_s);
            }
            if (lap.avg_power_w) {
                power.Add(*lap.avg_power_w, lap.timer_s);
            }
            if (extras.cadence_rpm) {
                cadence.Add(*extras.cadence_rpm, lap.timer_s);
            }
        }
        summary.avg_heart_rate_bpm = heart_rate.Mean();
        summary.avg_power_w = power.Mean();
        summary.avg_cadence_rpm = cadence.Mean();
    }

    static void ReadOptional(xml::Reader& reader, std::string_view text, const char* what, std::optional<double>& out) {
        double value = std::nan("");
        if (xml::ReadDouble(reader, text, what, value) && !std::isnan(value)) {
            out = value;
        }
    }

    void ReadField(xml::Reader& reader, Field field, std::string_view text) {
        switch (field) {
            case Field::kActivityId:
                // An activity's Id is its start time by the schema; anything else is only an id.
                if (auto time = text::ParseTimeMs(text)) {
                    current_.start_time_ms = *time;
                }
                break;
            case Field::kNotes:
                current_.description = CopyTrimmed(text);
                break;
            case Field::kCreatorName:
                if (file_.creator.name.empty()) {
                    file_.creator.name = CopyTrimmed(text);
                }
                break;
            case Field::kCreatorUnitId: {
                double unit = std::nan("");
                if (xml::ReadDouble(reader, text, "UnitId", unit) && unit >= 0 && unit <= 4294967295.0 &&
                    !file_.creator.serial_number) {
                    file_.creator.serial_number = static_cast<std::uint32_t>(unit);
                }
                break;
            }
            case Field::kCreatorProductId:
                if (file_.creator.product.empty()) {
                    file_.creator.product = CopyTrimmed(text);
                }
                break;
            case Field::kAuthorName:
                author_name_ = CopyTrimmed(text);
                break;
            case Field::kLapTotalTime:
                ReadOptional(reader, text, "TotalTimeSeconds", lap_.timer_s);
                break;
            case Field::kLapDistance:
                ReadOptional(reader, text, "lap DistanceMeters", lap_.distance_m);
                break;
            case Field::kLapCalories:
                ReadOptional(reader, text, "Calories", lap_.calories_kcal);
                break;
            case Field::kLapAverageHeartRate:
                ReadOptional(reader, text, "AverageHeartRateBpm", lap_.avg_heart_rate_bpm);
                break;
            case Field::kLapMaximumHeartRate:
                ReadOptional(reader, text, "MaximumHeartRateBpm", lap_.max_heart_rate_bpm);
                break;
            case Field::kLapCadence:
            case Field::kLapAverageRunCadence:
                ReadOptional(reader, text, "lap cadence", lap_extra_.cadence_rpm);
                break;
            case Field::kLapTrigger:
                lap_.trigger = TriggerName(text);
                break;
            case Field::kLapAverageWatts:
                ReadOptional(reader, text, "AvgWatts", lap_.avg_power_w);
                break;
            case Field::kLapMaximumWatts:
                ReadOptional(reader, text, "MaxWatts", lap_extra_.max_power_w);
                break;
            case Field::kTime:
                xml::ReadTime(reader, text, "Time", point_.time_ms);
                break;
            case Field::kLatitude: {
                double degrees = 0;
                if (xml::ReadDegrees(reader, text, "LatitudeDegrees", 90, degrees)) {
                    latitude_ = degrees;
                }
                break;
            }
            case Field::kLongitude: {
                double degrees = 0;
                if (xml::ReadDegrees(reader, text, "LongitudeDegrees", 180, degrees)) {
                    longitude_ = degrees;
                }
                break;
            }
            case Field::kAltitude:
                xml::ReadFloat(reader, text, "AltitudeMeters", point_.altitude_m);
                break;
            case Field::kDistance:
                xml::ReadDouble(reader, text, "DistanceMeters", point_.distance_m);
                break;
            case Field::kHeartRate:
                xml::ReadUint16(reader, text, "HeartRateBpm", point_.heart_rate_bpm);
                break;
            case Field::kCadence:
                xml::ReadUint16(reader, text, "Cadence", point_.cadence_rpm);
                break;
            case Field::kSpeed:
                xml::ReadFloat(reader, text, "Speed", point_.speed_mps);
                break;
            case Field::kWatts:
                xml::ReadUint16(reader, text, "Watts", point_.power_w);
                break;
            case Field::kRunCadence:
                xml::ReadUint16(reader, text, "RunCadence", run_cadence_);
                break;
            case Field::kCourseName:
                current_.name = CopyTrimmed(text);
                break;
            case Field::kCourseLapTotalTime: {
                std::optional<double> seconds;
                ReadOptional(reader, text, "TotalTimeSeconds", seconds);
                if (seconds) {
                    course_timer_s_ = course_timer_s_.value_or(0) + *seconds;
                }
                break;
            }
            case Field::kCourseLapDistance: {
                std::optional<double> metres;
                ReadOptional(reader, text, "DistanceMeters", metres);
                if (metres) {
                    course_distance_m_ = course_distance_m_.value_or(0) + *metres;
                }
                break;
            }
            case Field::kPointName:
                waypoint_.name = CopyTrimmed(text);
                break;
            case Field::kPointType:
                waypoint_.kind = CopyTrimmed(text);
                break;
            case Field::kNone:
                break;
        }
    }

    const Limits& limits_;
    std::size_t estimate_;
    ImportedFile file_;
    std::vector<Frame> frames_;
    Activity current_;
    std::optional<TrackBuilder> builder_;
    bool in_course_ = false;
    std::vector<Lap> laps_;
    std::vector<LapExtras> lap_extras_;
    Lap lap_;
    LapExtras lap_extra_;
    bool in_lap_ = false;
    bool track_first_point_pending_ = false;
    PointValues point_;
    std::uint16_t run_cadence_ = kNoValue16;
    std::optional<double> latitude_;
    std::optional<double> longitude_;
    Waypoint waypoint_;
    std::optional<double> course_timer_s_;
    std::optional<double> course_distance_m_;
    std::string author_name_;
    std::size_t point_total_ = 0;
    std::int64_t last_time_ms_ = kNoTime;
    std::int64_t first_point_time_ms_ = kNoTime;
};

}  // namespace

Result<ImportedFile> ParseTcx(std::string_view bytes, const Limits& limits) {
    Result<ImportedFile> result = xml::ParseDocument<TcxHandler>(bytes, limits, "TCX");
    if (result.ok()) {
        KeepTimedPoints(result.value());
    }
    return result;
}

}  // namespace strava1::formats
