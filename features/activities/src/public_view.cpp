#include "public_view.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

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

}  // namespace

std::optional<std::string> ComputePublicAnalysis(const PublicViewInput& input) {
    View others;
    others.hidden_areas = input.hidden_areas;
    const std::vector<std::uint8_t> visible = VisibleSamples(others, input.track);
    const std::optional<VisibleWindow> window = FindVisibleWindow(visible);
    if (window && window->VisibleCount() == input.track.size()) {
        return std::nullopt;
    }
    boost::json::object out;
    if (!window) {
        out = {{"laps", boost::json::array{}},
               {"splits_km", boost::json::array{}},
               {"splits_mile", boost::json::array{}},
               {"best_efforts", boost::json::array{}}};
        return boost::json::serialize(out);
    }
    RebasedIntervals intervals{input.laps, input.splits_km, input.splits_mile};
    if (window->Trims()) {
        intervals = RebaseIntervals(input.track, input.sport, *window, input.laps);
    } else {
        // Only samples on the way are hidden: nothing measures a hidden end, the figures stand.
        IndexForViewer(intervals.laps, *window);
        IndexForViewer(intervals.splits_km, *window);
        IndexForViewer(intervals.splits_mile, *window);
    }
    out = {{"laps", std::move(intervals.laps)},
           {"splits_km", std::move(intervals.splits_km)},
           {"splits_mile", std::move(intervals.splits_mile)},
           {"best_efforts", Efforts(input, *window)}};
    return boost::json::serialize(out);
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
