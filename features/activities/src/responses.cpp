#include "responses.hpp"

#include <boost/json/serialize.hpp>

#include <cmath>

#include "strava1/base/json.hpp"
#include "strava1/geo/polyline.hpp"

namespace strava1::activities {

namespace {

std::optional<geo::LatLng> FirstPoint(const std::string& polyline, bool last) {
    if (polyline.empty()) {
        return std::nullopt;
    }
    auto points = geo::DecodePolyline(polyline);
    if (!points || points->empty()) {
        return std::nullopt;
    }
    return last ? points->back() : points->front();
}

void LatLngValue(json::Writer& w, const std::optional<geo::LatLng>& p) {
    if (!p) {
        w.Null();
        return;
    }
    w.BeginArray().Double(std::round(p->lat_deg * 1e5) / 1e5).Double(std::round(p->lng_deg * 1e5) / 1e5).EndArray();
}

/// Where the line of a masked polyline breaks (MaskPolylineRuns), always present so clients need
/// not tell "none" from "not sent".
void WriteBreaks(json::Writer& w, std::string_view key, const std::vector<std::size_t>& breaks) {
    w.Key(key).BeginArray();
    for (std::size_t k : breaks) {
        w.Int(static_cast<std::int64_t>(k));
    }
    w.EndArray();
}

std::vector<std::int64_t> ParseInt64Array(std::string_view text) {
    std::vector<std::int64_t> out;
    for (const auto& item : ParseTextArray(text)) {
        out.push_back(std::stoll(item));
    }
    return out;
}

/// The JSON for intervals stored in activities.analysis, with what the viewer may not see set to
/// null (heart rate, power, speeds).
void RedactIntervals(boost::json::array& intervals, const View& view) {
    for (auto& v : intervals) {
        auto& o = v.as_object();
        if (view.Hides(kHeartRate)) {
            o["avg_heart_rate_bpm"] = nullptr;
        }
        if (view.Hides(kPower)) {
            o["avg_power_w"] = nullptr;
        }
        if (view.Hides(kPace)) {
            o["avg_speed_mps"] = nullptr;
            o["grade_adjusted_speed_mps"] = nullptr;
        }
    }
}

/// Laps or splits (a JSON array) with what the viewer may not see nulled; the text unchanged when
/// they may see it all.
std::string Redacted(const std::string& intervals, const View& view) {
    if (!view.Hides(kHeartRate) && !view.Hides(kPower) && !view.Hides(kPace)) {
        return intervals;
    }
    boost::json::value v = json::Parse(intervals, 64);
    if (!v.is_array()) {
        return "[]";
    }
    RedactIntervals(v.as_array(), view);
    return boost::json::serialize(v);
}

}  // namespace

void WriteSummaryMembers(json::Writer& w, const ActivityRow& a, const View& view, const boost::json::object* shown,
                         OwnerShown who) {
    // A figure as this viewer is shown it: from `shown` when it has it (maybe null), else stored.
    auto figure = [&](const char* key, const char* shown_key, int col, bool hidden, bool required) {
        w.Key(key);
        const boost::json::value* v = shown != nullptr ? shown->if_contains(shown_key) : nullptr;
        if (hidden || (v != nullptr ? v->is_null() : a.Null(col))) {
            required ? w.Int(0) : w.Null();
        } else if (v != nullptr) {
            w.Double(v->to_number<double>());
        } else {
            w.Double(a.Double(col));
        }
    };
    w.Key("id").Int(a.Int(Col("id")));
    w.Key("owner").BeginObject();
    w.Key("id").Int(a.Int(Col("owner_id")));
    w.Key("username");
    who.owner->username ? w.String(*who.owner->username) : w.Null();
    w.Key("display_name").String(who.owner->display_name);
    w.EndObject();
    w.Key("name").String(a.Text(Col("name")));
    w.Key("description").String(a.Text(Col("description")));
    w.Key("sport").String(a.Text(Col("sport")));
    w.Key("sub_sport");
    a.Null(Col("sub_sport")) ? w.Null() : w.String(a.Text(Col("sub_sport")));
    w.Key("start_time");
    view.Hides(kStartTime) ? w.Null() : w.String(a.Text(Col("start_iso")));
    w.Key("start_date").String(who.start_date);
    w.Key("manual").Bool(a.Text(Col("manual")) == "t");
    w.Key("visibility").String(a.Text(Col("visibility")));
    figure("distance_m", "distance_m", Col("distance_m"), false, true);
    figure("elapsed_s", "elapsed_s", Col("elapsed_s"), false, true);
    figure("moving_s", "moving_s", Col("moving_s"), false, true);
    figure("elevation_gain_m", "elevation_gain_m", Col("elevation_gain_m"), false, true);
    figure("elevation_loss_m", "elevation_loss_m", Col("elevation_loss_m"), false, true);
    const bool pace = view.Hides(kPace);
    figure("avg_speed_mps", "avg_speed_mps", Col("avg_speed_mps"), pace, false);
    figure("max_speed_mps", "max_speed_mps", Col("max_speed_mps"), pace, false);
    figure("avg_pace_s_per_km", "avg_pace_s_per_km", Col("avg_pace_s_per_km"), pace, false);
    figure("grade_adjusted_pace_s_per_km", "gap_s_per_km", Col("gap_s_per_km"), pace, false);
    const bool hr = view.Hides(kHeartRate);
    figure("avg_heart_rate_bpm", "avg_heart_rate_bpm", Col("avg_heart_rate_bpm"), hr, false);
    figure("max_heart_rate_bpm", "max_heart_rate_bpm", Col("max_heart_rate_bpm"), hr, false);
    figure("avg_cadence", "avg_cadence", Col("avg_cadence"), false, false);
    const bool power = view.Hides(kPower);
    figure("avg_power_w", "avg_power_w", Col("avg_power_w"), power, false);
    figure("max_power_w", "max_power_w", Col("max_power_w"), power, false);
    figure("normalized_power_w", "normalized_power_w", Col("normalized_power_w"), power, false);
    figure("calories_kcal", "calories_kcal", Col("calories_kcal"), view.Hides(kCalories), false);
    figure("trimp", "trimp", Col("trimp"), hr, false);
    figure("training_stress_score", "tss", Col("tss"), power, false);
    figure("intensity_factor", "intensity_factor", Col("intensity_factor"), power, false);
    w.Key("perceived_exertion");
    a.Null(Col("perceived_exertion")) ? w.Null() : w.Int(a.Int(Col("perceived_exertion")));
    const MaskedPolyline summary_line =
        a.Null(Col("summary_polyline")) ? MaskedPolyline{} : MaskPolylineRuns(view, a.Text(Col("summary_polyline")));
    const std::string& polyline = summary_line.encoded;
    w.Key("summary_polyline");
    polyline.empty() ? w.Null() : w.String(polyline);
    WriteBreaks(w, "summary_polyline_breaks", summary_line.breaks);
    w.Key("start_latlng");
    LatLngValue(w, FirstPoint(polyline, false));
    w.Key("end_latlng");
    LatLngValue(w, FirstPoint(polyline, true));
    w.Key("device");
    a.Null(Col("device")) || a.Text(Col("device")).empty() ? w.Null() : w.String(a.Text(Col("device")));
    w.Key("has_streams").Bool(a.Text(Col("has_streams")) == "t");
    const boost::json::value* points = shown != nullptr ? shown->if_contains("point_count") : nullptr;
    w.Key("point_count").Int(points != nullptr ? points->to_number<std::int64_t>() : a.Int(Col("point_count")));
    w.Key("pr_count").Int(pace ? 0 : a.Int(shown != nullptr ? Col("pr_count_shown") : Col("pr_count")));
    w.Key("created_at").String(a.Text(Col("created_at")));
    w.Key("updated_at").String(a.Text(Col("updated_at")));
}

std::string DetailJson(const ActivityDetail& detail) {
    const ActivityRow a = detail.activity.Row();
    const View& view = detail.activity.view;
    std::string out;
    out.reserve(2048);
    json::Writer w(out);
    w.BeginObject();
    WriteSummaryMembers(w, a, view, detail.shown ? &*detail.shown : nullptr,
                        OwnerShown{&detail.owner, detail.owner.local_dates.at(0)});
    w.Key("hidden_metrics").BeginArray();
    for (const auto& name : MetricNames(view.owner ? a.audience.hidden_metrics : 0)) {
        w.String(name);
    }
    w.EndArray();
    w.Key("hide_endpoints_m");
    view.owner ? w.Int(a.Int(Col("hide_endpoints_m"))) : w.Null();
    const MaskedPolyline line = a.Null(kExtraCol) ? MaskedPolyline{} : MaskPolylineRuns(view, a.Text(kExtraCol));
    w.Key("polyline");
    line.encoded.empty() ? w.Null() : w.String(line.encoded);
    WriteBreaks(w, "polyline_breaks", line.breaks);
    w.Key("has_original").Bool(view.owner && a.Text(Col("has_original")) == "t");
    w.Key("is_owner").Bool(view.owner);
    if (view.owner) {
        // The owner's choice alone: others do not learn that it is kept out of their feed.
        w.Key("hide_from_feed").Bool(a.Text(Col("hide_from_feed")) == "t");
    }
    // Whether privacy withholds part of the route from this viewer, so the page can say so: the
    // shown figures count only the samples they may see (public_view.hpp), and a guarded map shows
    // none; the owner always gets every sample.
    const boost::json::value* shown_points = detail.shown ? detail.shown->if_contains("point_count") : nullptr;
    const bool partly_hidden =
        !view.owner && (view.map_hidden || (shown_points != nullptr && shown_points->is_number() &&
                                            shown_points->to_number<std::int64_t>() < a.Int(Col("point_count"))));
    w.Key("route_partly_hidden").Bool(partly_hidden);
    w.EndObject();
    return out;
}

std::string ListJson(const ActivityPage& page) {
    std::string out;
    out.reserve(512 + page.items.size() * 1200);
    json::Writer w(out);
    w.BeginObject();
    w.Key("activities").BeginArray();
    for (const auto& item : page.items) {
        w.BeginObject();
        // The start's calendar day in the owner's time zone, which the list statement computed.
        WriteSummaryMembers(w, item.row, item.view, item.shown ? &*item.shown : nullptr,
                            OwnerShown{&page.owner, item.row.Text(kExtraCol)});
        w.EndObject();
    }
    w.EndArray();
    w.Key("next_cursor");
    page.next_cursor ? w.String(*page.next_cursor) : w.Null();
    w.EndObject();
    return out;
}

std::string UploadJson(const db::Result& r) {
    std::string out;
    json::Writer w(out);
    auto ids = ParseInt64Array(r.Text(0, UploadCol("activity_ids")));
    w.BeginObject();
    w.Key("id").Int(r.Int(0, UploadCol("id")));
    w.Key("status").String(r.Text(0, UploadCol("status")));
    w.Key("data_type").String(r.Text(0, UploadCol("data_type")));
    w.Key("external_id");
    r.IsNull(0, UploadCol("external_id")) ? w.Null() : w.String(r.Text(0, UploadCol("external_id")));
    w.Key("activity_id");
    ids.empty() ? w.Null() : w.Int(ids.front());
    w.Key("activity_ids").BeginArray();
    for (auto id : ids) {
        w.Int(id);
    }
    w.EndArray();
    w.Key("duplicate_of");
    r.IsNull(0, UploadCol("duplicate_of")) ? w.Null() : w.Int(r.Int(0, UploadCol("duplicate_of")));
    w.Key("error");
    r.IsNull(0, UploadCol("error")) ? w.Null() : w.String(r.Text(0, UploadCol("error")));
    w.Key("created_at").String(r.Text(0, UploadCol("created_at")));
    w.EndObject();
    return out;
}

UploadStatus StatusOf(const db::Result& r) {
    UploadStatus s;
    s.id = r.Int(0, UploadCol("id"));
    s.status = r.String(0, UploadCol("status"));
    s.activity_ids = ParseInt64Array(r.Text(0, UploadCol("activity_ids")));
    s.duplicate_of = r.OptInt(0, UploadCol("duplicate_of"));
    s.error = r.OptString(0, UploadCol("error"));
    return s;
}

std::string LapsJson(const AnalysisParts& a) { return "{\"laps\":" + Redacted(a.parts[0], a.view) + "}"; }

std::string SplitsJson(const AnalysisParts& a) {
    return "{\"splits_km\":" + Redacted(a.parts[0], a.view) + ",\"splits_mile\":" + Redacted(a.parts[1], a.view) + "}";
}

std::string ZonesJson(const AnalysisParts& a) {
    return std::string("{\"heart_rate\":") + (a.view.Hides(kHeartRate) ? "[]" : a.parts[0]) +
           ",\"power\":" + (a.view.Hides(kPower) ? "[]" : a.parts[1]) + "}";
}

std::string CurvesJson(const AnalysisParts& a) {
    // Stored compactly as [[duration_s, value], …]; named members for the API.
    auto curve = [](std::string_view stored, bool hidden) {
        boost::json::array out;
        if (hidden) {
            return out;
        }
        const boost::json::value parsed = json::Parse(stored, 64);
        if (!parsed.is_array()) {
            return out;
        }
        for (const auto& v : parsed.as_array()) {
            const auto* point = v.if_array();
            if (point == nullptr || point->size() < 2) {
                continue;
            }
            out.push_back(boost::json::object{{"duration_s", point->at(0)}, {"value", point->at(1)}});
        }
        return out;
    };
    return json::Serialize(boost::json::object{{"power", curve(a.parts[0], a.view.Hides(kPower))},
                                               {"heart_rate", curve(a.parts[1], a.view.Hides(kHeartRate))},
                                               {"speed", curve(a.parts[2], a.view.Hides(kPace))}});
}

std::string LengthsJson(const View& view, boost::json::object& analysis) {
    boost::json::array lengths;
    if (auto* v = analysis.if_contains("lengths"); v && v->is_array()) {
        lengths = v->as_array();
    }
    if (view.Hides(kPace)) {
        for (auto& length : lengths) {
            length.as_object()["avg_speed_mps"] = nullptr;
        }
    }
    const auto* pool = analysis.if_contains("pool_length_m");
    const auto* unit = analysis.if_contains("pool_length_unit");
    return json::Serialize(boost::json::object{{"pool_length_m", pool ? *pool : boost::json::value(nullptr)},
                                               {"pool_length_unit", unit ? *unit : boost::json::value(nullptr)},
                                               {"lengths", std::move(lengths)}});
}

std::string BestEffortsJson(const std::vector<EffortShown>& efforts) {
    boost::json::array out;
    for (const auto& shown : efforts) {
        const EffortRow& e = shown.effort;
        boost::json::object item{{"name", e.name},
                                 {"distance_m", e.distance_m},
                                 {"time_s", e.time_s},
                                 {"start_index", shown.start_index},
                                 {"end_index", shown.end_index}};
        item["pr_rank"] = e.rank <= 3 ? boost::json::value(e.rank) : boost::json::value(nullptr);
        out.push_back(std::move(item));
    }
    return json::Serialize(boost::json::object{{"best_efforts", std::move(out)}});
}

std::string RecordsJson(const std::vector<RecordRow>& records) {
    boost::json::array out;
    for (const auto& r : records) {
        out.push_back(boost::json::object{{"sport", r.sport},
                                          {"name", r.name},
                                          {"distance_m", r.distance_m},
                                          {"time_s", r.time_s},
                                          {"activity_id", r.activity_id},
                                          {"start_time", r.start_time}});
    }
    return json::Serialize(boost::json::object{{"records", std::move(out)}});
}

std::string StatsJson(const std::vector<StatsRow>& stats) {
    boost::json::object buckets{
        {"recent", boost::json::object{}}, {"ytd", boost::json::object{}}, {"all", boost::json::object{}}};
    for (const auto& s : stats) {
        buckets[s.bucket].as_object()[s.sport] = boost::json::object{{"count", s.count},
                                                                     {"distance_m", s.distance_m},
                                                                     {"moving_s", s.moving_s},
                                                                     {"elapsed_s", s.elapsed_s},
                                                                     {"elevation_gain_m", s.elevation_gain_m}};
    }
    return json::Serialize(buckets);
}

boost::json::object ZoneJson(const PrivacyZone& zone) {
    return boost::json::object{{"id", zone.id}, {"lat", zone.lat}, {"lng", zone.lng}, {"radius_m", zone.radius_m}};
}

std::string ZoneListJson(const std::vector<PrivacyZone>& zones) {
    boost::json::array out;
    for (const auto& zone : zones) {
        out.push_back(ZoneJson(zone));
    }
    return json::Serialize(boost::json::object{{"zones", std::move(out)}});
}

}  // namespace strava1::activities
