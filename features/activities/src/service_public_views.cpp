// What others are shown of an activity whose samples are partly hidden from them (public_view.hpp):
// computed when the activity is stored and whenever what hides its samples changes, and kept with it.
#include "public_view.hpp"
#include "service.hpp"
#include "strava1/base/json.hpp"

namespace strava1::activities {
namespace asio = boost::asio;

namespace {

boost::json::array Field(boost::json::object& o, const char* key) {
    if (auto* v = o.if_contains(key); v && v->is_array()) {
        return v->as_array();
    }
    return {};
}

/// One activity's public view to compute.
struct Job {
    std::int64_t id = 0;
    std::optional<std::string> hex;  ///< the stream blob; absent when nothing can be hidden
    PublicViewInput input;
    std::string analysis_json;
    StoredPublicView result;
};

/// Computes each job's public view (on the CPU pool); the reason when a stored stream is unreadable.
std::optional<std::string> Compute(std::vector<Job>& jobs) {
    for (Job& job : jobs) {
        job.result.areas = HiddenAreasFingerprint(job.input.hidden_areas);
        if (!job.hex) {
            continue;
        }
        auto track = DecodeStoredTrack(*job.hex);
        if (!track) {
            return "activity " + std::to_string(job.id) + ": " + track.error().Describe();
        }
        job.input.track = std::move(track).value();
        boost::json::value stored = json::Parse(job.analysis_json, 64);
        job.input.laps = Field(stored.as_object(), "laps");
        job.input.splits_km = Field(stored.as_object(), "splits_km");
        job.input.splits_mile = Field(stored.as_object(), "splits_mile");
        PublicView view = ComputePublicView(job.input);
        job.result.summary = std::move(view.summary);
        job.result.analysis = std::move(view.analysis);
        job.input.track = formats::Track{};
    }
    return std::nullopt;
}

}  // namespace

bool NeedsPublicView(const ActivityRow& a, const View& view) {
    return !view.owner && view.MasksPositions() && !view.map_hidden && a.Text(Col("has_streams")) == "t";
}

bool PublicViewIsCurrent(const ActivityRow& a, const View& view) {
    return !a.Null(Col("public_areas")) && a.Text(Col("public_areas")) == HiddenAreasFingerprint(view.hidden_areas);
}

asio::awaitable<std::vector<std::optional<boost::json::object>>> Service::SummariesShown(
    std::vector<std::pair<ActivityRow, View>> rows) {
    std::vector<std::optional<boost::json::object>> out(rows.size());
    std::map<std::int64_t, std::vector<std::int64_t>> stale;  // by owner
    for (std::size_t idx = 0; idx < rows.size(); ++idx) {
        const auto& [a, view] = rows[idx];
        if (!NeedsPublicView(a, view)) {
            continue;
        }
        if (!PublicViewIsCurrent(a, view)) {
            stale[a.Int(Col("owner_id"))].push_back(a.Int(Col("id")));
        } else if (!a.Null(Col("public_summary"))) {
            out[idx] = std::move(json::Parse(a.Text(Col("public_summary")), 8).as_object());
        }
    }
    for (auto& [owner, ids] : stale) {
        PublicViews fresh = co_await RefreshPublicViewsNow(owner, std::move(ids));
        for (std::size_t idx = 0; idx < rows.size(); ++idx) {
            auto it = fresh.find(rows[idx].first.Int(Col("id")));
            if (it != fresh.end() && it->second.summary) {
                out[idx] = std::move(json::Parse(*it->second.summary, 8).as_object());
            }
        }
    }
    co_return out;
}

asio::awaitable<PublicViews> Service::RefreshPublicViews(db::Transaction tx, std::int64_t owner_id,
                                                         std::vector<std::int64_t> ids,
                                                         analytics::AthleteProfile profile) {
    PublicViews out;
    if (ids.empty()) {
        co_return out;
    }
    const std::vector<geo::Disc> zones = co_await Repository::ZonesOf(tx, owner_id);
    // A few at a time: each brings its stream blob.
    constexpr std::size_t kBatch = 16;
    for (std::size_t from = 0; from < ids.size(); from += kBatch) {
        std::vector<std::int64_t> batch(ids.begin() + static_cast<std::ptrdiff_t>(from),
                                        ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), from + kBatch)));
        std::vector<PublicViewSource> sources =
            co_await Repository::PublicViewSources(tx, owner_id, batch, !zones.empty());
        std::vector<std::array<std::int64_t, 3>> efforts = co_await Repository::EffortIndexes(tx, batch);
        std::vector<Job> jobs(sources.size());
        for (std::size_t idx = 0; idx < sources.size(); ++idx) {
            Job& job = jobs[idx];
            PublicViewSource& source = sources[idx];
            job.id = source.id;
            job.input.sport = formats::ParseSportName(source.sport).value_or(formats::Sport::kUnknown);
            job.input.profile = profile;
            for (const auto* disc_text : {&source.start_disc, &source.end_disc}) {
                if (*disc_text) {
                    if (auto disc = ParseDiscArray(**disc_text)) {
                        job.input.hidden_areas.push_back(*disc);
                    }
                }
            }
            job.input.hidden_areas.insert(job.input.hidden_areas.end(), zones.begin(), zones.end());
            job.analysis_json = std::move(source.analysis_json);
            job.hex = std::move(source.stream_hex);
            for (const auto& [activity_id, start_index, end_index] : efforts) {
                if (activity_id == job.id) {
                    job.input.efforts.emplace_back(static_cast<std::size_t>(start_index),
                                                   static_cast<std::size_t>(end_index));
                }
            }
        }
        auto work = [&jobs] { return Compute(jobs); };
        if (auto problem = co_await OnCpu(work)) {
            throw Error(ErrorKind::kInternal, "stored streams are unreadable", {}, *problem);
        }
        for (Job& job : jobs) {
            co_await Repository::StorePublicView(tx, job.id, job.result.areas, job.result.summary, job.result.analysis);
            out[job.id] = std::move(job.result);
        }
    }
    co_return out;
}

asio::awaitable<PublicViews> Service::RefreshPublicViewsNow(std::int64_t owner_id, std::vector<std::int64_t> ids) {
    const analytics::AthleteProfile profile = co_await LoadProfile(owner_id);
    co_return co_await db::RunInTransaction<PublicViews>(
        repository_.Pool(), [&](db::Transaction& tx) -> asio::awaitable<PublicViews> {
            co_await Repository::LockOwner(tx, owner_id);
            co_return co_await RefreshPublicViews(tx, owner_id, ids, profile);
        });
}

}  // namespace strava1::activities
