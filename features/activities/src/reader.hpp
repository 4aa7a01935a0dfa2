#pragma once

#include "service.hpp"
#include "strava1/activities/reader.hpp"

namespace strava1::activities {

/// Activities' contract for other features (reader.hpp in include/), answered by the service through
/// the privacy function.
class VisibleReader final : public ActivityReader {
public:
    VisibleReader(Service& service, Repository& repository, accounts::Profiles& profiles)
        : service_(service), repository_(repository), profiles_(profiles) {}

    boost::asio::awaitable<std::vector<VisibleSummary>> Summaries(std::int64_t viewer_id,
                                                                  std::vector<std::int64_t> activity_ids) override;
    boost::asio::awaitable<std::optional<std::string>> Polyline(std::int64_t viewer_id,
                                                                std::int64_t activity_id) override;
    boost::asio::awaitable<std::optional<std::string>> Streams(std::int64_t viewer_id, std::int64_t activity_id,
                                                               std::string keys, std::string resolution) override;
    boost::asio::awaitable<std::vector<OwnerTotals>> Totals(std::int64_t viewer_id, std::vector<std::int64_t> owner_ids,
                                                            std::chrono::system_clock::time_point from,
                                                            std::chrono::system_clock::time_point to,
                                                            std::string sport) override;
    boost::asio::awaitable<std::vector<OwnerProgress>> Progress(std::int64_t viewer_id,
                                                                std::vector<std::int64_t> owner_ids,
                                                                ProgressQuery query) override;

private:
    Service& service_;
    Repository& repository_;
    accounts::Profiles& profiles_;
};

}  // namespace strava1::activities
