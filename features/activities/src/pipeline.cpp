#include "pipeline.hpp"

#include <algorithm>
#include <cmath>

#include "strava1/base/json_writer.hpp"
#include "strava1/formats/gzip.hpp"
#include "strava1/formats/stream_codec.hpp"
#include "strava1/geo/polyline.hpp"

namespace strava1::activities {
namespace {

void WriteOptional(json::Writer& w, const char* key, const std::optional<double>& v) {
    w.Key(key);
    v ? w.Double(*v) : w.Null();
}

void WriteIntervals(json::Writer& w, const char* key, const std::vector<analytics::IntervalStats>& intervals) {
    w.Key(key).BeginArray();
    int index = 1;
    for (const auto& s : intervals) {
        w.BeginObject();
        w.Key("index").Int(index++);
        w.Key("start_index").Int(static_cast<std::int64_t>(s.first_index));
        w.Key("end_index").Int(static_cast<std::int64_t>(s.end_index));
        w.Key("distance_m").Double(s.distance_m);
        w.Key("elapsed_s").Double(s.elapsed_s);
        w.Key("moving_s").Double(s.moving_s);
        w.Key("avg_speed_mps").Double(s.avg_speed_mps);
        WriteOptional(w, "grade_adjusted_speed_mps", s.grade_adjusted_speed_mps);
        w.Key("elevation_gain_m").Double(s.elevation_gain_m);
        w.Key("elevation_loss_m").Double(s.elevation_loss_m);
        WriteOptional(w, "elevation_delta_m", s.elevation_delta_m);
        WriteOptional(w, "avg_heart_rate_bpm", s.avg_heart_rate_bpm);
        WriteOptional(w, "avg_power_w", s.avg_power_w);
        w.Key("from_device").Bool(s.from_device);
        w.Key("rest").Bool(s.rest);
        w.EndObject();
    }
    w.EndArray();
}

void WriteZones(json::Writer& w, const char* key, const std::vector<analytics::ZoneTime>& zones) {
    w.Key(key).BeginArray();
    for (const auto& z : zones) {
        w.BeginObject();
        w.Key("lower").Double(z.lower);
        w.Key("upper");
        std::isfinite(z.upper) ? w.Double(z.upper) : w.Null();
        w.Key("seconds").Double(z.seconds);
        w.EndObject();
    }
    w.EndArray();
}

void WriteLengths(json::Writer& w, const analytics::ActivityAnalysis& a) {
    w.Key("pool_length_m");
    a.pool_length_m ? w.Double(*a.pool_length_m) : w.Null();
    w.Key("pool_length_unit");
    a.pool_length_m ? w.String(a.pool_in_yards ? "yd" : "m") : w.Null();
    w.Key("lengths").BeginArray();
    for (const auto& length : a.lengths) {
        w.BeginObject();
        w.Key("index").Int(static_cast<std::int64_t>(length.index));
        w.Key("start_s").Double(length.start_s);
        w.Key("elapsed_s").Double(length.elapsed_s);
        w.Key("active").Bool(length.active);
        w.Key("distance_m").Double(length.distance_m);
        w.Key("stroke");
        length.stroke ? w.String(*length.stroke) : w.Null();
        w.Key("strokes");
        length.strokes ? w.Int(*length.strokes) : w.Null();
        WriteOptional(w, "stroke_rate_spm", length.stroke_rate_spm);
        WriteOptional(w, "swolf", length.swolf);
        WriteOptional(w, "avg_speed_mps", length.avg_speed_mps);
        w.EndObject();
    }
    w.EndArray();
}

void WriteCurve(json::Writer& w, const char* key, const std::vector<analytics::CurvePoint>& curve) {
    w.Key(key).BeginArray();
    for (const auto& p : curve) {
        w.BeginArray().Int(p.duration_s).Double(p.value).EndArray();
    }
    w.EndArray();
}

/// Whether an activity spans time: two timed points apart, or the device's own duration (a
/// session, lap totals, pool lengths).
bool RecordedOverTime(const formats::Activity& activity) {
    const formats::DeviceSummary& summary = activity.device_summary;
    if (summary.elapsed_s.value_or(0) > 0 || summary.timer_s.value_or(0) > 0 || !activity.lengths.empty()) {
        return true;
    }
    const std::vector<std::int64_t>& times = activity.track.time_ms;
    const auto first = std::find_if(times.begin(), times.end(), [](std::int64_t t) { return t != formats::kNoTime; });
    return first != times.end() &&
           std::any_of(first, times.end(), [&](std::int64_t t) { return t != formats::kNoTime && t != *first; });
}

std::optional<geo::LatLng> PositionAt(const formats::Track& t, std::size_t i) {
    if (!t.HasPositions() || t.lat_e7[i] == formats::kNoPosition) {
        return std::nullopt;
    }
    return geo::LatLng{formats::E7ToDegrees(t.lat_e7[i]), formats::E7ToDegrees(t.lng_e7[i])};
}

}  // namespace

std::string WriteAnalysisJson(const analytics::ActivityAnalysis& a) {
    std::string out;
    out.reserve(4096);
    json::Writer w(out);
    w.BeginObject();
    WriteIntervals(w, "laps", a.laps);
    WriteIntervals(w, "splits_km", a.splits_km);
    WriteIntervals(w, "splits_mile", a.splits_mile);
    WriteZones(w, "heart_rate_zones", a.heart_rate_zones);
    WriteZones(w, "power_zones", a.power_zones);
    WriteCurve(w, "power_curve", a.power_curve);
    WriteCurve(w, "speed_curve", a.speed_curve);
    WriteCurve(w, "heart_rate_curve", a.heart_rate_curve);
    WriteLengths(w, a);
    w.EndObject();
    return out;
}

PreparedActivity PrepareActivity(formats::Activity activity, std::string device, const analytics::AthleteProfile& profile) {
    PreparedActivity p;
    p.sport = activity.sport;
    p.sub_sport = activity.sub_sport;
    p.file_name = activity.name;
    p.description = activity.description;
    p.device = std::move(device);
    p.analysis = analytics::Analyse(activity, profile);
    const auto& a = p.analysis;
    const formats::Track& track = activity.track;
    p.point_count = track.size();

    std::int64_t first_time = formats::kNoTime;
    for (std::size_t i = 0; i < track.time_ms.size() && first_time == formats::kNoTime; ++i) {
        first_time = track.time_ms[i];
    }
    p.start_ms = activity.start_time_ms != formats::kNoTime ? activity.start_time_ms : first_time;

    // The analysis' summary already takes the device's own totals unless the samples contradict
    // them (docs/analytics.md, "Device totals"), also for a file with a summary and no samples.
    p.distance_m = a.distance_total_m;
    p.elapsed_s = a.elapsed_s;
    p.moving_s = a.moving_s;
    p.timer_s = a.timer_s;
    p.elevation_gain_m = a.elevation_gain_m;
    p.elevation_loss_m = a.elevation_loss_m;
    if (a.calorie_method != analytics::ActivityAnalysis::CalorieMethod::kNone) {
        p.calories_kcal = a.calories_kcal;
    }
    if (p.start_ms == formats::kNoTime) {
        p.start_ms = 0;
    }
    p.end_ms = p.start_ms + static_cast<std::int64_t>(std::llround(p.elapsed_s * 1000.0));

    for (std::size_t i = 0; i < track.size(); ++i) {
        if ((p.first_position = PositionAt(track, i))) {
            break;
        }
    }
    for (std::size_t i = track.size(); i-- > 0;) {
        if ((p.last_position = PositionAt(track, i))) {
            break;
        }
    }
    p.summary_polyline = a.summary_polyline;
    if (!a.geometry.empty()) {
        p.polyline = geo::EncodePolyline(a.geometry);
    }
    p.analysis_json = WriteAnalysisJson(a);

    // The stored distance channel is the analysis' (spike-free, from positions or the device), so
    // streams, splits and best-effort indexes agree.
    p.lat_e7 = track.lat_e7;
    p.lng_e7 = track.lng_e7;
    formats::Track stored = std::move(activity.track);
    if (a.distance_m.size() == stored.size() && !stored.empty()) {
        stored.distance_m = a.distance_m;
    }
    p.stream_blob = formats::EncodeTrack(stored);
    return p;
}

formats::Result<DecodePlan> PlanDecode(std::string_view bytes, formats::DataType type,
                                       std::size_t max_decompressed_bytes) {
    DecodePlan plan;
    plan.type = type;
    plan.plain_type = type;
    plan.plain_bytes = bytes.size();
    switch (type) {
        case formats::DataType::kGpxGz:
            plan.plain_type = formats::DataType::kGpx;
            break;
        case formats::DataType::kTcxGz:
            plan.plain_type = formats::DataType::kTcx;
            break;
        case formats::DataType::kFitGz:
            plan.plain_type = formats::DataType::kFit;
            break;
        case formats::DataType::kGpx:
        case formats::DataType::kTcx:
        case formats::DataType::kFit:
            break;
    }
    if (plan.plain_type != type) {
        auto size = formats::GunzippedSize(bytes, max_decompressed_bytes);
        if (!size) {
            return size.error();
        }
        plan.plain_bytes = size.value();
    }
    const std::size_t per_byte = plan.plain_type == formats::DataType::kFit ? kFitMemoryPerByte : kXmlMemoryPerByte;
    plan.memory_bytes = plan.plain_bytes * per_byte;
    return plan;
}

formats::Result<std::vector<PreparedActivity>> PrepareFile(std::string_view bytes, const DecodePlan& plan,
                                                           const analytics::AthleteProfile& profile) {
    std::string plain;
    if (plan.plain_type != plan.type) {
        plain.reserve(plan.plain_bytes);
        auto inflated =
            formats::GunzipStream(bytes, plan.plain_bytes, [&plain](std::string_view piece) { plain.append(piece); });
        if (!inflated) {
            return inflated.error();
        }
        bytes = plain;
    }
    formats::Limits limits;
    // The size was bounded when the plan was made (the upload limit, or the .gz ceiling).
    limits.max_input_bytes = std::max(limits.max_input_bytes, bytes.size());
    auto parsed = formats::Parse(bytes, plan.plain_type, limits);
    if (!parsed) {
        return parsed.error();
    }
    formats::ImportedFile& file = parsed.value();
    std::vector<PreparedActivity> out;
    bool instant = false;
    for (auto& activity : file.activities) {
        if (activity.sport == formats::Sport::kTransition) {
            continue;
        }
        if (!RecordedOverTime(activity)) {
            // An empty session, or points that all carry one time: nothing was recorded over time.
            instant = instant || !activity.track.empty();
            continue;
        }
        out.push_back(PrepareActivity(std::move(activity), file.creator.name, profile));
    }
    if (out.empty()) {
        // Importers keep timed points only; a track none of whose points has a time is a route
        // (docs/formats.md, "Points without a time").
        formats::ParseError error;
        error.reason = !file.routes.empty()
                           ? "no recorded activity: the file holds only a planned route or course, or points "
                             "without times (a route?)"
                       : instant ? "no recorded activity: all its points carry the same time"
                                 : "the file contains no recorded activity";
        return error;
    }
    return out;
}

}  // namespace strava1::activities
