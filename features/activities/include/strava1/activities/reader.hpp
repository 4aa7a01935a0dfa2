#pragma once

// The activities contract for other features (feeds, chats, live views, leaderboards, segments,
// exports): activities as one viewer may see them, already through the privacy function (view.hpp
// in src/). None of them re-implements visibility, hidden areas or hidden metrics.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace strava1::activities {

/// One activity as a viewer is shown it in lists.
struct VisibleSummary {
    std::int64_t id = 0;
    std::int64_t owner_id = 0;
    std::string sport;
    /// The ActivitySummary object of docs/api/openapi.yaml, exactly as GET /v1/athlete/activities
    /// lists it for this viewer (figures of the window they are shown, masked summary polyline,
    /// hidden metrics null, the start time null when hidden).
    std::string json;
};

/// Reads activities for a viewer. Implemented by activities::Module; thread-safe. An activity the
/// viewer may not see is answered exactly as a missing one (nullopt, or left out of a list).
class ActivityReader {
public:
    virtual ~ActivityReader() = default;

    /// The activities of `activity_ids` the viewer may see, in the order asked.
    virtual boost::asio::awaitable<std::vector<VisibleSummary>> Summaries(std::int64_t viewer_id,
                                                                          std::vector<std::int64_t> activity_ids) = 0;
    /// The full-resolution polyline the viewer is shown (points in hidden areas removed; empty when
    /// the activity has no map or its map is withheld from them), or nullopt.
    virtual boost::asio::awaitable<std::optional<std::string>> Polyline(std::int64_t viewer_id,
                                                                        std::int64_t activity_id) = 0;
    /// The streams document of GET /v1/activities/{id}/streams for this viewer: `keys` as that
    /// route's `keys` parameter (empty: all), `resolution` "all", "low", "medium" or "high". Throws
    /// Error(kInvalidArgument) for an unknown key or resolution.
    virtual boost::asio::awaitable<std::optional<std::string>> Streams(std::int64_t viewer_id, std::int64_t activity_id,
                                                                       std::string keys, std::string resolution) = 0;

    /// Summaries for one activity.
    boost::asio::awaitable<std::optional<VisibleSummary>> Summary(std::int64_t viewer_id, std::int64_t activity_id);
};

}  // namespace strava1::activities
