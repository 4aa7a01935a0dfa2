#include "public_view.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "rebase.hpp"
#include "strava1/base/crypto.hpp"
#include "view.hpp"

namespace strava1::activities {
namespace {

boost::json::array Efforts(const PublicViewInput& input, const VisibleWindow& window) {
    boost::json::array out;
    for (const auto& [start, end] : input.efforts) {
        if (auto shown = RebaseEffort(window, start, end)) {
            out.push_back(boost::json::array{static_cast<std::int64_t>(start), static_cast<std::int64_t>(end),
                                             static_cast<std::int64_t>(shown->first),
                                             static_cast<std::int64_t>(shown->second)});
        }
    }
    return out;
}

/// In the stored analysis' shape (pipeline.cpp): [[duration_s, value], …].
boost::json::array Curve(const std::vector<analytics::CurvePoint>& curve) {
    boost::json::array out;
    for (const auto& point : curve) {
        out.push_back(boost::json::array{point.duration_s, point.value});
    }
    return out;
}

/// The figures that may be unknown (null) in a summary.
constexpr const char* kOptionalFigures[] = {"avg_speed_mps",
                                            "max_speed_mps",
                                            "avg_pace_s_per_km",
                                            "gap_s_per_km",
                                            "avg_heart_rate_bpm",
                                            "max_heart_rate_bpm",
                                            "avg_cadence",
                                            "avg_power_w",
                                            "max_power_w",
                                            "normalized_power_w",
                                            "calories_kcal",
                                            "trimp",
                                            "tss",
                                            "intensity_factor"};

boost::json::value Number(std::optional<double> v) {
    if (!v || !std::isfinite(*v)) {
        return nullptr;
    }
    return *v;
}

/// The activities table's figures (InsertActivity's choices) measured over the window.
boost::json::object Summary(const analytics::ActivityAnalysis& a, const VisibleWindow& window) {
    using Method = analytics::ActivityAnalysis::CalorieMethod;
    boost::json::object out{
        {"first", static_cast<std::int64_t>(window.first)},
        {"last", static_cast<std::int64_t>(window.last)},
        {"point_count", static_cast<std::int64_t>(window.VisibleCount())},
        {"distance_m", Number(a.distance_total_m)},
        {"elapsed_s", Number(a.elapsed_s)},
        {"moving_s", Number(a.moving_s)},
        {"elevation_gain_m", Number(a.elevation_gain_m)},
        {"elevation_loss_m", Number(a.elevation_loss_m)},
        {"avg_speed_mps", a.moving_s > 0 ? Number(a.avg_speed_mps) : nullptr},
        {"max_speed_mps", a.max_speed_mps > 0 ? Number(a.max_speed_mps) : nullptr},
        {"avg_pace_s_per_km", Number(a.avg_pace_s_per_km)},
        {"gap_s_per_km", Number(a.grade_adjusted_pace_s_per_km)},
        {"avg_heart_rate_bpm", Number(a.avg_heart_rate_bpm)},
        {"max_heart_rate_bpm", Number(a.max_heart_rate_bpm)},
        {"avg_cadence", Number(a.avg_cadence_spm ? a.avg_cadence_spm : a.avg_cadence_rpm)},
        {"avg_power_w", Number(a.avg_power_w)},
        {"max_power_w", Number(a.max_power_w)},
        {"normalized_power_w", Number(a.normalized_power_w)},
        {"calories_kcal", a.calorie_method != Method::kNone ? Number(a.calories_kcal) : nullptr},
        {"trimp", Number(a.trimp)},
        {"tss", Number(a.training_stress_score)},
        {"intensity_factor", Number(a.intensity_factor)},
    };
    return out;
}

}  // namespace

PublicView ComputePublicView(const PublicViewInput& input) {
    View others;
    others.hidden_areas = input.hidden_areas;
    const std::vector<std::uint8_t> visible = VisibleSamples(others, input.track);
    const std::optional<VisibleWindow> window = FindVisibleWindow(visible);
    PublicView out;
    if (window && window->VisibleCount() == input.track.size()) {
        return out;
    }
    if (!window) {
        boost::json::object summary{{"first", nullptr}, {"last", nullptr}};
        for (const char* key :
             {"distance_m", "elapsed_s", "moving_s", "elevation_gain_m", "elevation_loss_m", "point_count"}) {
            summary[key] = 0;
        }
        for (const char* key : kOptionalFigures) {
            summary[key] = nullptr;
        }
        out.summary = boost::json::serialize(summary);
        boost::json::object analysis;
        for (const char* key : {"laps", "splits_km", "splits_mile", "heart_rate_zones", "power_zones", "best_efforts",
                                "power_curve", "heart_rate_curve", "speed_curve"}) {
            analysis[key] = boost::json::array{};
        }
        out.analysis = boost::json::serialize(analysis);
        return out;
    }
    const auto visible_count = static_cast<std::int64_t>(window->VisibleCount());
    boost::json::object analysis;
    if (window->Trims()) {
        const analytics::ActivityAnalysis measured =
            AnalyseWindow(input.track, input.sport, *window, input.laps, input.profile);
        out.summary = boost::json::serialize(Summary(measured, *window));
        RebasedIntervals intervals = IntervalsOfWindow(measured, *window);
        analysis = {{"laps", std::move(intervals.laps)},
                    {"splits_km", std::move(intervals.splits_km)},
                    {"splits_mile", std::move(intervals.splits_mile)},
                    {"heart_rate_zones", std::move(intervals.heart_rate_zones)},
                    {"power_zones", std::move(intervals.power_zones)},
                    {"power_curve", Curve(measured.power_curve)},
                    {"heart_rate_curve", Curve(measured.heart_rate_curve)},
                    {"speed_curve", Curve(measured.speed_curve)}};
    } else {
        // Only samples on the way are hidden: nothing measures a hidden end, the figures stand; only
        // the number of samples is the viewer's, as their streams count it.
        out.summary = boost::json::serialize(boost::json::object{{"point_count", visible_count}});
        RebasedIntervals intervals{input.laps, input.splits_km, input.splits_mile, {}, {}};
        IndexForViewer(intervals.laps, *window);
        IndexForViewer(intervals.splits_km, *window);
        IndexForViewer(intervals.splits_mile, *window);
        analysis = {{"laps", std::move(intervals.laps)},
                    {"splits_km", std::move(intervals.splits_km)},
                    {"splits_mile", std::move(intervals.splits_mile)}};
    }
    analysis["best_efforts"] = Efforts(input, *window);
    out.analysis = boost::json::serialize(analysis);
    return out;
}

std::string HiddenAreasFingerprint(std::span<const geo::Disc> areas) {
    std::vector<std::string> texts;
    texts.reserve(areas.size());
    for (const auto& disc : areas) {
        texts.push_back(DiscArrayText(disc));
    }
    std::sort(texts.begin(), texts.end());
    std::string all;
    for (const auto& text : texts) {
        all += text;
    }
    return std::string(kPublicViewVersion) + crypto::Hex(crypto::Sha256(all)).substr(0, 32);
}

}  // namespace strava1::activities
