// Reading activities for a viewer: every answer goes through the privacy function (view.hpp).
#include <map>

#include "output.hpp"
#include "public_view.hpp"
#include "service.hpp"
#include "strava1/app/policy.hpp"
#include "strava1/base/json.hpp"
#include "strava1/formats/stream_codec.hpp"

namespace strava1::activities {
namespace asio = boost::asio;

namespace {

std::optional<std::string> PgHexToBytes(std::string_view text) {
    if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
        return std::nullopt;
    }
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    };
    std::string out;
    out.resize((text.size() - 2) / 2);
    for (std::size_t idx = 0; idx < out.size(); ++idx) {
        int hi = nibble(text[2 + 2 * idx]);
        int lo = nibble(text[3 + 2 * idx]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out[idx] = static_cast<char>(hi * 16 + lo);
    }
    return out;
}

}  // namespace

analytics::AthleteProfile AthleteProfileOf(const accounts::ProfileFacts& facts) {
    analytics::AthleteProfile p;
    if (facts.weight_kg) {
        p.weight_kg = *facts.weight_kg;
    }
    p.max_hr_bpm = facts.max_hr_bpm;
    p.resting_hr_bpm = facts.resting_hr_bpm;
    p.ftp_w = facts.ftp_w;
    if (facts.sex) {
        p.sex = *facts.sex == "male"     ? analytics::Sex::kMale
                : *facts.sex == "female" ? analytics::Sex::kFemale
                                         : analytics::Sex::kUnknown;
    }
    p.age_years = facts.age_years;
    return p;
}

formats::Result<formats::Track> DecodeStoredTrack(std::string_view hex) {
    auto bytes = PgHexToBytes(hex);
    if (!bytes) {
        formats::ParseError e;
        e.reason = "stored stream is not bytea hex";
        return e;
    }
    return formats::DecodeTrack(*bytes);
}

asio::awaitable<accounts::ProfileFacts> Service::OwnerFacts(std::int64_t user_id,
                                                            std::vector<std::int64_t> local_dates_of_us,
                                                            std::string what) {
    co_return app::Found(co_await deps_.profiles.FindOne(user_id, std::move(local_dates_of_us)), what);
}

asio::awaitable<analytics::AthleteProfile> Service::LoadProfile(std::int64_t owner_id) {
    auto facts = co_await deps_.profiles.FindOne(owner_id);
    co_return facts ? AthleteProfileOf(*facts) : analytics::AthleteProfile{};
}

asio::awaitable<app::Relation> Service::RelationTo(std::int64_t viewer_id, std::int64_t owner_id) {
    if (viewer_id == owner_id) {
        co_return app::Relation::kNone;
    }
    co_return co_await follows_.RelationOf(viewer_id, owner_id);
}

asio::awaitable<bool> Service::FollowsForList(std::int64_t viewer_id, std::int64_t owner_id) {
    const app::Relation relation = co_await RelationTo(viewer_id, owner_id);
    if (relation == app::Relation::kBlocked) {
        throw NotFound("user");
    }
    co_return relation == app::Relation::kFollower;
}

std::optional<View> Service::Decide(std::int64_t viewer_id, const Audience& audience, app::Relation relation) {
    if (viewer_id != audience.owner_id && relation == app::Relation::kBlocked) {
        return std::nullopt;
    }
    return activities::Decide(viewer_id, audience, relation == app::Relation::kFollower);
}

asio::awaitable<std::optional<View>> Service::Decide(std::int64_t viewer_id, Audience audience) {
    // Asked for every visibility, not only followers': a block hides even what everyone may see.
    const app::Relation relation = co_await RelationTo(viewer_id, audience.owner_id);
    co_return Decide(viewer_id, audience, relation);
}

asio::awaitable<VisibleActivity> Service::LoadVisible(std::int64_t viewer_id, std::int64_t id, Extra extra,
                                                      std::optional<Relation> view_as) {
    VisibleActivity loaded;
    loaded.result = co_await repository_.FindActivity(id, extra);
    if (loaded.result.Empty()) {
        throw NotFound("activity");
    }
    const std::int64_t owner = loaded.result.Int(0, Col("owner_id"));
    const bool preview = view_as.has_value() && owner == viewer_id;
    if (owner != viewer_id || preview) {
        // A named vector: GCC 12 cannot keep an initializer list alive across co_await.
        std::vector<std::int64_t> owners(1, owner);
        auto zones = co_await repository_.ZonesOf(std::move(owners));
        loaded.zones = std::move(zones[owner]);
    }
    if (preview) {
        // The previewed viewer is nobody in particular: no user has id 0, so Decide() treats them
        // as another viewer, and the relation stands in for the follow graph.
        const bool follower = *view_as == Relation::kFollower;
        std::optional<View> view = activities::Decide(0, loaded.Row().audience, follower);
        if (!view) {
            throw Error(ErrorKind::kNotFound,
                        follower ? "A follower cannot see this activity" : "A stranger cannot see this activity");
        }
        loaded.view = std::move(*view);
        co_return loaded;
    }
    loaded.view = app::RequireVisible(co_await Decide(viewer_id, loaded.Row().audience), "activity");
    co_return loaded;
}

asio::awaitable<formats::Track> Service::LoadTrack(std::int64_t activity_id) {
    std::optional<std::string> hex = co_await repository_.StreamHex(activity_id);
    if (!hex) {
        co_return formats::Track{};
    }
    auto work = [&hex] { return DecodeStoredTrack(*hex); };
    auto decoded = co_await OnCpu(work);
    if (!decoded) {
        throw Error(ErrorKind::kInternal, "stored streams are unreadable", {}, decoded.error().Describe());
    }
    co_return std::move(decoded).value();
}

asio::awaitable<ActivityDetail> Service::Detail(std::int64_t viewer_id, std::int64_t id,
                                                std::optional<Relation> view_as) {
    ActivityDetail d;
    d.activity = co_await LoadVisible(viewer_id, id, Extra::kPolyline, view_as);
    std::vector<std::int64_t> start(1, d.activity.result.Int(0, Col("start_us")));
    // An owner deleted since the activity was read: the activity went with them.
    d.owner = co_await OwnerFacts(d.activity.result.Int(0, Col("owner_id")), std::move(start), "activity");
    std::vector<std::pair<ActivityRow, View>> rows(1, {d.activity.Row(), d.activity.view});
    std::vector<std::optional<boost::json::object>> shown = co_await SummariesShown(std::move(rows));
    d.shown = std::move(shown[0]);
    co_return d;
}

asio::awaitable<ActivityPage> Service::List(std::int64_t viewer_id, std::int64_t owner_id, ListFilter filter) {
    ActivityPage page;
    page.owner = co_await OwnerFacts(owner_id, {}, "user");
    filter.errors.ThrowIfAny();
    ListQuery q;
    q.viewer_id = viewer_id;
    q.owner_id = owner_id;
    q.follows_owner = co_await FollowsForList(viewer_id, owner_id);
    q.time_zone = page.owner.time_zone;
    q.before_us = filter.before_us;
    q.after_us = filter.after_us;
    q.sport = filter.sport;
    q.cursor = filter.page.after;
    q.fetch = filter.page.FetchCount();
    page.result = std::make_unique<db::Result>(co_await repository_.ListActivities(q));
    std::vector<geo::Disc> zones;
    if (owner_id != viewer_id) {
        std::vector<std::int64_t> owners(1, owner_id);
        auto by_owner = co_await repository_.ZonesOf(std::move(owners));
        zones = std::move(by_owner[owner_id]);
    }
    const db::Result& r = *page.result;
    const int rows = filter.page.Shown(r.Rows());
    std::vector<std::pair<ActivityRow, View>> visible;
    for (int idx = 0; idx < rows; ++idx) {
        ActivityRow a = ReadRow(r, idx, zones);
        if (auto view = activities::Decide(viewer_id, a.audience, q.follows_owner)) {
            visible.emplace_back(std::move(a), std::move(*view));
        }  // else: the SQL filter and Decide agree; this keeps the function the only judge
    }
    std::vector<std::optional<boost::json::object>> shown = co_await SummariesShown(visible);
    for (std::size_t idx = 0; idx < visible.size(); ++idx) {
        page.items.push_back(
            ActivityPage::Item{std::move(visible[idx].first), std::move(visible[idx].second), std::move(shown[idx])});
    }
    if (rows > 0) {
        const std::int64_t last[] = {r.Int(rows - 1, Col("start_us")), r.Int(rows - 1, Col("id"))};
        page.next_cursor = filter.page.NextCursor(r.Rows(), last);
    }
    co_return page;
}

asio::awaitable<std::string> Service::Streams(std::int64_t viewer_id, std::int64_t id, std::string keys_text,
                                              std::string resolution, std::optional<Relation> view_as) {
    std::string bad;
    auto keys = ParseStreamKeys(keys_text, bad);
    if (!keys) {
        throw InvalidField("keys", "unknown stream \"" + bad + "\"");
    }
    std::size_t max_points = 10000;
    if (resolution != "all") {
        auto points = ResolutionPoints(resolution);
        if (!points) {
            throw InvalidField("resolution", "must be low, medium or high");
        }
        max_points = *points;
    }
    VisibleActivity l = co_await LoadVisible(viewer_id, id, Extra::kNone, view_as);
    formats::Track track = co_await LoadTrack(id);
    auto work = [&track, &l, &keys, &resolution, max_points] {
        return StreamsJson(track, l.view, *keys, resolution, max_points);
    };
    co_return co_await OnCpu(work);
}

asio::awaitable<AnalysisParts> Service::Parts(std::int64_t viewer_id, std::int64_t id, Extra extra,
                                              std::optional<Relation> view_as) {
    VisibleActivity l = co_await LoadVisible(viewer_id, id, extra, view_as);
    const std::vector<std::string_view> keys = PartKeys(extra);
    AnalysisParts out{l.view, id, false, {}};
    const ActivityRow row = l.Row();
    // Another viewer's public view is computed now (and stored) only when it was computed for other
    // hidden areas (a zone changed under a crash, an activity older than public views).
    const bool others = NeedsPublicView(row, out.view);
    std::optional<boost::json::object> fresh;
    if (others && !PublicViewIsCurrent(row, out.view)) {
        std::vector<std::int64_t> ids(1, id);
        PublicViews views = co_await RefreshPublicViewsNow(row.Int(Col("owner_id")), std::move(ids));
        if (const auto& text = views[id].analysis) {
            fresh = std::move(json::Parse(*text, 64).as_object());
        }
        out.public_view = fresh.has_value();
    } else if (others) {
        out.public_view = l.result.Text(0, kExtraCol) == "t";
    }
    for (std::size_t k = 0; k < keys.size(); ++k) {
        const int stored_col = kExtraCol + 1 + 2 * static_cast<int>(k);
        std::optional<std::string> part;
        if (fresh) {
            if (const auto* v = fresh->if_contains(keys[k])) {
                part = boost::json::serialize(*v);
            }
        } else if (others) {
            part = l.result.OptString(0, stored_col + 1);
        }
        if (!part) {
            part = l.result.OptString(0, stored_col);
        }
        out.parts.push_back(part.value_or("[]"));
    }
    co_return out;
}

asio::awaitable<std::pair<View, boost::json::object>> Service::Analysis(std::int64_t viewer_id, std::int64_t id,
                                                                        std::optional<Relation> view_as) {
    VisibleActivity l = co_await LoadVisible(viewer_id, id, Extra::kAnalysis, view_as);
    co_return std::make_pair(l.view, std::move(json::Parse(l.result.Text(0, kExtraCol), 64).as_object()));
}

asio::awaitable<std::vector<EffortShown>> Service::BestEfforts(std::int64_t viewer_id, std::int64_t id,
                                                               std::optional<Relation> view_as) {
    AnalysisParts a = co_await Parts(viewer_id, id, Extra::kBestEfforts, view_as);
    std::vector<EffortShown> out;
    if (a.view.Hides(kPace)) {
        co_return out;
    }
    // Another viewer not shown every sample sees the efforts wholly inside what they are shown (all
    // of them unless the start or end is hidden), indexed in their streams.
    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::int64_t, std::int64_t>> shown;
    if (a.public_view) {
        const boost::json::value mapping = json::Parse(a.parts[0], 64);
        for (const auto& v : mapping.as_array()) {
            const auto& e = v.as_array();
            shown[{e.at(0).as_int64(), e.at(1).as_int64()}] = {e.at(2).as_int64(), e.at(3).as_int64()};
        }
    }
    std::vector<EffortRow> efforts = co_await repository_.RankedEfforts(a.id);
    for (auto& effort : efforts) {
        std::pair<std::int64_t, std::int64_t> indexes{effort.start_index, effort.end_index};
        if (a.public_view) {
            auto it = shown.find(indexes);
            if (it == shown.end()) {
                continue;
            }
            indexes = it->second;
        }
        out.push_back(EffortShown{std::move(effort), indexes.first, indexes.second});
    }
    co_return out;
}

asio::awaitable<std::string> Service::ExportGpx(std::int64_t viewer_id, std::int64_t id) {
    VisibleActivity l = co_await LoadVisible(viewer_id, id, Extra::kNone);
    formats::Track track = co_await LoadTrack(id);
    if (track.empty() || !track.HasPositions() || l.view.map_hidden) {
        throw Error(ErrorKind::kNotFound, "this activity has no GPS track to export");
    }
    std::string name(l.result.Text(0, Col("name")));
    std::string sport(l.result.Text(0, Col("sport")));
    auto work = [&track, &l, &name, &sport] { return activities::ExportGpx(track, l.view, name, sport); };
    co_return co_await OnCpu(work);
}

asio::awaitable<storage::SignedUrl> Service::OriginalUrl(OwnedActivity activity) {
    const std::int64_t id = activity.Id();
    auto original = co_await repository_.OriginalOf(id);
    if (!original) {
        throw Error(ErrorKind::kNotFound, "this activity was not made from an uploaded file");
    }
    const std::string filename = "activity-" + std::to_string(id) + "." + original->second;
    auto work = [this, &original, &filename] {
        return deps_.store.SignedGetUrl(original->first, options_.original_url_ttl, filename);
    };
    co_return co_await OnCpu(work);
}

asio::awaitable<std::vector<RecordRow>> Service::Records(std::int64_t owner_id) {
    co_return co_await repository_.Records(owner_id);
}

asio::awaitable<std::vector<StatsRow>> Service::Stats(std::int64_t viewer_id, std::int64_t owner_id) {
    const accounts::ProfileFacts owner = co_await OwnerFacts(owner_id, {}, "user");
    const bool follows_owner = co_await FollowsForList(viewer_id, owner_id);
    co_return co_await repository_.Stats(viewer_id, owner_id, owner.time_zone, follows_owner);
}

namespace {

/// The owners a viewer's totals may count (a block between them hides the owner, rather than failing
/// the whole list) and, of those, the ones the viewer follows.
std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> ShownAndFollowed(
    std::int64_t viewer_id, const std::vector<std::int64_t>& owner_ids,
    const std::unordered_map<std::int64_t, app::Relation>& relations) {
    std::vector<std::int64_t> shown;
    std::vector<std::int64_t> followed;
    for (std::int64_t owner_id : owner_ids) {
        const auto found = relations.find(owner_id);
        const app::Relation relation = found == relations.end() ? app::Relation::kNone : found->second;
        if (relation == app::Relation::kBlocked && owner_id != viewer_id) {
            continue;
        }
        shown.push_back(owner_id);
        if (relation == app::Relation::kFollower) {
            followed.push_back(owner_id);
        }
    }
    return {std::move(shown), std::move(followed)};
}

}  // namespace

asio::awaitable<std::vector<OwnerTotals>> Service::Totals(std::int64_t viewer_id, std::vector<std::int64_t> owner_ids,
                                                          std::chrono::system_clock::time_point from,
                                                          std::chrono::system_clock::time_point to, std::string sport) {
    const auto relations = co_await follows_.RelationsOf(viewer_id, owner_ids);
    auto [shown, followed] = ShownAndFollowed(viewer_id, owner_ids, relations);
    co_return co_await repository_.Totals(viewer_id, std::move(shown), std::move(followed), from, to, std::move(sport));
}

asio::awaitable<std::vector<OwnerProgress>> Service::Progress(std::int64_t viewer_id,
                                                              std::vector<std::int64_t> owner_ids,
                                                              ProgressQuery query) {
    const auto relations = co_await follows_.RelationsOf(viewer_id, owner_ids);
    auto [shown, followed] = ShownAndFollowed(viewer_id, owner_ids, relations);
    co_return co_await repository_.Progress(viewer_id, std::move(shown), std::move(followed), std::move(query));
}

}  // namespace strava1::activities
