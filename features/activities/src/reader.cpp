#include "reader.hpp"

#include "responses.hpp"

namespace strava1::activities {
namespace asio = boost::asio;

asio::awaitable<std::optional<VisibleSummary>> ActivityReader::Summary(std::int64_t viewer_id,
                                                                       std::int64_t activity_id) {
    std::vector<std::int64_t> ids(1, activity_id);
    std::vector<VisibleSummary> found = co_await Summaries(viewer_id, std::move(ids));
    if (found.empty()) {
        co_return std::nullopt;
    }
    co_return std::move(found.front());
}

asio::awaitable<std::vector<VisibleSummary>> VisibleReader::Summaries(std::int64_t viewer_id,
                                                                      std::vector<std::int64_t> activity_ids) {
    std::vector<VisibleSummary> out;
    if (activity_ids.empty()) {
        co_return out;
    }
    db::Result r = co_await repository_.FindActivities(activity_ids);
    std::vector<std::int64_t> owners;
    std::vector<std::int64_t> starts;
    for (int row = 0; row < r.Rows(); ++row) {
        owners.push_back(r.Int(row, Col("owner_id")));
        starts.push_back(r.Int(row, Col("start_us")));
    }
    auto zones = co_await repository_.ZonesOf(owners);
    // Each owner's facts hold the day of every row's start in that owner's time zone.
    std::vector<accounts::ProfileFacts> facts = co_await profiles_.Find(owners, starts);
    std::unordered_map<std::int64_t, const accounts::ProfileFacts*> facts_of;
    for (const auto& f : facts) {
        facts_of[f.user_id] = &f;
    }
    // One statement for every owner's relation to the viewer (follows, blocks).
    std::vector<std::int64_t> others;
    for (std::int64_t owner : owners) {
        if (owner != viewer_id) {
            others.push_back(owner);
        }
    }
    std::unordered_map<std::int64_t, app::Relation> relations;
    if (!others.empty()) {
        relations = co_await service_.Relations().RelationsOf(viewer_id, std::move(others));
    }
    std::vector<std::pair<ActivityRow, View>> rows;
    std::vector<int> row_of;  // its row in r, per entry of rows
    for (int row = 0; row < r.Rows(); ++row) {
        const std::int64_t owner = r.Int(row, Col("owner_id"));
        if (!facts_of.contains(owner)) {
            continue;  // its owner is being deleted
        }
        ActivityRow a = ReadRow(r, row, owner == viewer_id ? std::vector<geo::Disc>() : zones[owner]);
        const auto relation = relations.find(owner);
        std::optional<View> view = Service::Decide(
            viewer_id, a.audience, relation == relations.end() ? app::Relation::kNone : relation->second);
        if (view) {
            rows.emplace_back(std::move(a), std::move(*view));
            row_of.push_back(row);
        }
    }
    std::vector<std::optional<boost::json::object>> shown = co_await service_.SummariesShown(rows);
    std::unordered_map<std::int64_t, VisibleSummary> by_id;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const ActivityRow& a = rows[k].first;
        const accounts::ProfileFacts& owner = *facts_of.at(a.Int(Col("owner_id")));
        VisibleSummary summary{a.Int(Col("id")), a.Int(Col("owner_id")), std::string(a.Text(Col("sport"))), {}};
        json::Writer w(summary.json);
        w.BeginObject();
        WriteSummaryMembers(w, a, rows[k].second, shown[k] ? &*shown[k] : nullptr,
                            OwnerShown{&owner, owner.local_dates.at(static_cast<std::size_t>(row_of[k]))});
        w.EndObject();
        by_id.emplace(summary.id, std::move(summary));
    }
    for (std::int64_t id : activity_ids) {
        if (auto it = by_id.find(id); it != by_id.end()) {
            out.push_back(std::move(it->second));
            by_id.erase(it);
        }
    }
    co_return out;
}

asio::awaitable<std::optional<std::string>> VisibleReader::Polyline(std::int64_t viewer_id, std::int64_t activity_id) {
    std::optional<std::string> out;
    try {
        VisibleActivity l = co_await service_.LoadVisible(viewer_id, activity_id, Extra::kPolyline);
        out = l.result.IsNull(0, kExtraCol) ? std::string() : MaskPolyline(l.view, l.result.Text(0, kExtraCol));
    } catch (const Error& e) {
        if (e.Kind() != ErrorKind::kNotFound) {
            throw;
        }
    }
    co_return out;
}

asio::awaitable<std::optional<std::string>> VisibleReader::Streams(std::int64_t viewer_id, std::int64_t activity_id,
                                                                   std::string keys, std::string resolution) {
    std::optional<std::string> out;
    try {
        out = co_await service_.Streams(viewer_id, activity_id, std::move(keys), std::move(resolution));
    } catch (const Error& e) {
        if (e.Kind() != ErrorKind::kNotFound) {
            throw;
        }
    }
    co_return out;
}

asio::awaitable<std::vector<OwnerTotals>> VisibleReader::Totals(std::int64_t viewer_id,
                                                                std::vector<std::int64_t> owner_ids,
                                                                std::chrono::system_clock::time_point from,
                                                                std::chrono::system_clock::time_point to,
                                                                std::string sport) {
    co_return co_await service_.Totals(viewer_id, std::move(owner_ids), from, to, std::move(sport));
}

asio::awaitable<std::vector<OwnerProgress>> VisibleReader::Progress(std::int64_t viewer_id,
                                                                    std::vector<std::int64_t> owner_ids,
                                                                    ProgressQuery query) {
    co_return co_await service_.Progress(viewer_id, std::move(owner_ids), std::move(query));
}

}  // namespace strava1::activities
