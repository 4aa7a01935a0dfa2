#pragma once

// The activities contract for other features (feeds, chats, live views, leaderboards, segments,
// exports): activities as one viewer may see them, already through the privacy function (view.hpp
// in src/). None of them re-implements visibility, hidden areas or hidden metrics.

#include <boost/asio/awaitable.hpp>

#include <chrono>
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

/// One owner's totals over the activities a viewer may see (leaderboards), each figure as that
/// viewer is shown it: the owner's own figures, or the window other viewers are shown when the
/// owner hides the start and end of their activities.
struct OwnerTotals {
    std::int64_t owner_id = 0;
    std::int64_t count = 0;
    double distance_m = 0;
    double moving_s = 0;
    double elevation_gain_m = 0;
};

/// What a challenge asks of each participant's activities (ActivityReader::Progress).
struct ProgressQuery {
    std::chrono::system_clock::time_point from;  ///< activities that started in [from, to)
    std::chrono::system_clock::time_point to;
    std::optional<std::string> sport;         ///< nullopt: every sport
    std::optional<double> effort_distance_m;  ///< also the fastest best effort over this distance
};

/// One owner's figures for a challenge, each as the viewer is shown it (as OwnerTotals).
struct OwnerProgress {
    std::int64_t owner_id = 0;
    std::int64_t count = 0;
    double distance_m = 0;
    double moving_s = 0;
    double longest_m = 0;  ///< the distance of the longest single activity
    /// The fastest best effort over ProgressQuery::effort_distance_m; for another viewer only an
    /// effort inside the window they are shown counts (as the PRs they are shown).
    std::optional<double> fastest_s;
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

    /// Totals per owner of `owner_ids` over the activities of `sport` the viewer may see (the same
    /// rule as the activity lists) that started in [from, to); owners with none are left out.
    /// One query, however many owners.
    virtual boost::asio::awaitable<std::vector<OwnerTotals>> Totals(std::int64_t viewer_id,
                                                                    std::vector<std::int64_t> owner_ids,
                                                                    std::chrono::system_clock::time_point from,
                                                                    std::chrono::system_clock::time_point to,
                                                                    std::string sport) = 0;

    /// Progress per owner of `owner_ids` over the activities the viewer may see (the rule of Totals),
    /// owners with none left out. One query, however many owners.
    virtual boost::asio::awaitable<std::vector<OwnerProgress>> Progress(std::int64_t viewer_id,
                                                                        std::vector<std::int64_t> owner_ids,
                                                                        ProgressQuery query) = 0;

    /// Summaries for one activity.
    boost::asio::awaitable<std::optional<VisibleSummary>> Summary(std::int64_t viewer_id, std::int64_t activity_id);
};

}  // namespace strava1::activities
