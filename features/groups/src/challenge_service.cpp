#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "challenges.hpp"
#include "strava1/base/field_errors.hpp"
#include "strava1/base/text.hpp"
#include "strava1/formats/activity.hpp"
#include "strava1/http/paging.hpp"

namespace strava1::groups {
namespace asio = boost::asio;
using Role = app::Membership::Role;

namespace {

constexpr const char* kChallenge = "challenge";

struct NamedEffort {
    std::string_view name;
    double metres;
};
// The best-effort distances of libs/analytics a challenge may ask for, by the names the API uses.
constexpr NamedEffort kEfforts[] = {
    {"1k", 1000.0}, {"5k", 5000.0}, {"10k", 10000.0}, {"half", 21097.5}, {"marathon", 42195.0}};

std::int64_t Micros(SystemTime t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
SystemTime FromMicros(std::int64_t us) { return SystemTime(std::chrono::microseconds(us)); }

std::int64_t ReadTime(FieldErrors& errors, std::string_view field, const std::string& value) {
    std::optional<SystemTime> t = ParseRfc3339(value);
    if (!t) {
        errors.Add(std::string(field), "must be an RFC 3339 date-time such as 2026-05-01T07:00:00Z");
        return 0;
    }
    return Micros(*t);
}

bool Summed(const std::string& type) { return type == "total_distance" || type == "total_time"; }

}  // namespace

std::optional<double> EffortDistance(std::string_view name) {
    for (const auto& e : kEfforts) {
        if (e.name == name) {
            return e.metres;
        }
    }
    return std::nullopt;
}

std::string EffortName(double metres) {
    for (const auto& e : kEfforts) {
        if (e.metres == metres) {
            return std::string(e.name);
        }
    }
    return std::to_string(metres);
}

void CheckChallenge(FieldErrors& errors, const ChallengeFields& c) {
    errors.Check("title", text::Check(c.title, text::Lines::kSingle, 1, 200));
    if (c.type != "total_distance" && c.type != "total_time" && c.type != "longest_activity" &&
        c.type != "fastest_effort") {
        errors.Add("type", "must be total_distance, total_time, longest_activity or fastest_effort");
    }
    if (c.sport && (!formats::ParseSportName(*c.sport) || *c.sport == "unknown" || *c.sport == "transition")) {
        errors.Add("sport", "must be one of the sports (run, ride, swim, ...)");
    }
    if (!(c.goal_value > 0) || !std::isfinite(c.goal_value) || c.goal_value > 1e9) {
        errors.Add("goal_value", "must be a positive number (metres or seconds)");
    }
    if (c.mode != "individual" && c.mode != "club") {
        errors.Add("mode", "must be individual or club");
    } else if (c.mode == "club" && !errors.Has("type") && !Summed(c.type)) {
        errors.Add("mode", "a shared club goal sums distance or time: total_distance or total_time only");
    }
    if (!errors.Has("starts_at") && !errors.Has("ends_at") && c.ends_us <= c.starts_us) {
        errors.Add("ends_at", "must be after starts_at");
    }
}

std::optional<double> ProgressValue(const std::string& type, const activities::OwnerProgress& p) {
    if (type == "total_distance") {
        return p.distance_m;
    }
    if (type == "total_time") {
        return p.moving_s;
    }
    if (type == "longest_activity") {
        return p.longest_m;
    }
    return p.fastest_s;
}

bool Reached(const std::string& type, std::optional<double> value, double goal) {
    if (!value) {
        return false;
    }
    return type == "fastest_effort" ? *value <= goal : *value >= goal;
}

ChallengeFacts FactsOf(const db::Result& r, int row) {
    ChallengeFacts f;
    f.id = r.Int(row, ChallengeCol("id"));
    f.type = r.Text(row, ChallengeCol("type"));
    f.sport = r.OptString(row, ChallengeCol("sport"));
    f.effort_m = r.OptDouble(row, ChallengeCol("effort_m"));
    f.goal_value = r.Double(row, ChallengeCol("goal_value"));
    f.mode = r.Text(row, ChallengeCol("mode"));
    f.starts_us = r.Int(row, ChallengeCol("starts_us"));
    f.ends_us = r.Int(row, ChallengeCol("ends_us"));
    return f;
}

asio::awaitable<std::vector<activities::OwnerProgress>> ChallengeService::ProgressFor(std::int64_t viewer_id,
                                                                                      std::vector<std::int64_t> owners,
                                                                                      const ChallengeFacts& c) {
    activities::ProgressQuery q{FromMicros(c.starts_us), FromMicros(c.ends_us), c.sport, c.effort_m};
    co_return co_await deps_.activities.Progress(viewer_id, std::move(owners), std::move(q));
}

asio::awaitable<db::Result> ChallengeService::Create(const Principal& caller, std::int64_t club_id,
                                                     NewChallengeBody body) {
    co_await app::RequireAdmin(&clubs_, club_id, caller, "club");
    FieldErrors errors;
    ChallengeFields c;
    c.title = std::move(body.title);
    c.type = std::move(body.type);
    c.sport = std::move(body.sport);
    c.goal_value = body.goal_value;
    c.mode = body.mode.value_or("individual");
    c.starts_us = ReadTime(errors, "starts_at", body.starts_at);
    c.ends_us = ReadTime(errors, "ends_at", body.ends_at);
    if (c.type == "fastest_effort") {
        c.effort_m = body.effort ? EffortDistance(*body.effort) : std::nullopt;
        if (!c.effort_m) {
            errors.Add("effort", "a fastest_effort challenge names its distance: 1k, 5k, 10k, half or marathon");
        }
    } else if (body.effort) {
        errors.Add("effort", "only a fastest_effort challenge has an effort distance");
    }
    CheckChallenge(errors, c);
    if (!errors.Has("ends_at") && c.ends_us <= Micros(deps_.clock.Now())) {
        errors.Add("ends_at", "must be in the future");
    }
    errors.ThrowIfAny();
    const std::int64_t id = co_await repository_.Insert(club_id, caller.user_id, c);
    co_return co_await repository_.Find(caller.user_id, id);
}

asio::awaitable<PageOf> ChallengeService::OfClub(const Principal& caller, std::int64_t club_id, ListPage page) {
    // Visible like the club's card: every signed-in user (ADR 0021); a missing club is 404.
    db::Result club = co_await clubs_repository_.FindClub(caller.user_id, club_id);
    if (club.Empty()) {
        throw NotFound("club");
    }
    db::Result rows = co_await repository_.OfClub(caller.user_id, club_id, page.after, page.limit + 1);
    http::Page p{page.limit, page.after};
    PageOf out;
    out.shown = p.Shown(rows.Rows());
    if (out.shown > 0) {
        const int last = out.shown - 1;
        const std::int64_t key[] = {rows.Int(last, ChallengeCol("ends_us")), rows.Int(last, ChallengeCol("id"))};
        out.next_cursor = p.NextCursor(rows.Rows(), key);
    }
    out.rows = std::move(rows);
    co_return out;
}

asio::awaitable<db::Result> ChallengeService::Get(const Principal& caller, std::int64_t challenge_id) {
    db::Result r = co_await repository_.Find(caller.user_id, challenge_id);
    if (r.Empty()) {
        throw NotFound(kChallenge);
    }
    co_return r;
}

asio::awaitable<db::Result> ChallengeService::Join(const Principal& caller, std::int64_t challenge_id) {
    db::Result r = co_await Get(caller, challenge_id);
    co_await app::RequireMember(&clubs_, r.Int(0, ChallengeCol("club_id")), caller, kChallenge);
    const ChallengeFacts c = FactsOf(r, 0);
    if (!r.Bool(0, ChallengeCol("joined"))) {
        if (c.ends_us <= Micros(deps_.clock.Now())) {
            throw InvalidField("ends_at", "the challenge has ended: it can no longer be joined");
        }
        co_await repository_.Join(challenge_id, caller.user_id);
        // Activities already in the window count: the first check runs now, not at the next upload.
        co_await Recompute(caller.user_id, c);
    }
    co_return co_await repository_.Find(caller.user_id, challenge_id);
}

asio::awaitable<void> ChallengeService::Leave(const Principal& caller, std::int64_t challenge_id) {
    db::Result r = co_await Get(caller, challenge_id);
    co_await app::RequireMember(&clubs_, r.Int(0, ChallengeCol("club_id")), caller, kChallenge);
    co_await repository_.Leave(challenge_id, caller.user_id);
}

asio::awaitable<ChallengeService::Board> ChallengeService::Leaderboard(const Principal& caller,
                                                                       std::int64_t challenge_id, ListPage page) {
    db::Result r = co_await Get(caller, challenge_id);
    co_await app::RequireMember(&clubs_, r.Int(0, ChallengeCol("club_id")), caller, kChallenge);
    const ChallengeFacts c = FactsOf(r, 0);
    std::vector<std::int64_t> participants = co_await repository_.Participants(challenge_id);
    std::vector<activities::OwnerProgress> progress = co_await ProgressFor(caller.user_id, participants, c);
    db::Result completions = co_await repository_.CompletionsOf(challenge_id);
    Names names;
    std::vector<std::int64_t> ids = participants;
    std::vector<accounts::ProfileFacts> facts = co_await deps_.profiles.Find(std::move(ids), {});
    for (auto& f : facts) {
        names[f.user_id] = std::move(f.display_name);
    }
    Board board;
    for (int row = 0; row < completions.Rows(); ++row) {
        ChallengeLine line;
        line.user_id = completions.Int(row, 0);
        line.display_name = names[line.user_id];
        line.completed_at = completions.OptString(row, 1);
        for (const auto& p : progress) {
            if (p.owner_id == line.user_id) {
                line.value = ProgressValue(c.type, p);
            }
        }
        if (line.value && c.mode == "club") {
            board.total += *line.value;
        }
        board.lines.push_back(std::move(line));
    }
    const bool lower_first = c.type == "fastest_effort";
    std::sort(board.lines.begin(), board.lines.end(), [&](const ChallengeLine& a, const ChallengeLine& b) {
        if (a.value.has_value() != b.value.has_value()) {
            return a.value.has_value();
        }
        if (a.value && *a.value != *b.value) {
            return lower_first ? *a.value < *b.value : *a.value > *b.value;
        }
        return a.user_id < b.user_id;
    });
    // The page is a slice by rank: the cursor is the rank the next page starts at.
    board.offset = page.after && !page.after->empty()
                       ? static_cast<std::size_t>(std::max<std::int64_t>(0, page.after->front()))
                       : 0;
    const std::size_t end = std::min(board.lines.size(), board.offset + static_cast<std::size_t>(page.limit));
    if (board.offset >= board.lines.size()) {
        board.lines.clear();
    } else {
        if (end < board.lines.size()) {
            http::Page p{page.limit, page.after};
            const std::int64_t key[] = {static_cast<std::int64_t>(end)};
            board.next_cursor = p.NextCursor(page.limit + 1, key);
        }
        board.lines = std::vector<ChallengeLine>(board.lines.begin() + static_cast<std::ptrdiff_t>(board.offset),
                                                 board.lines.begin() + static_cast<std::ptrdiff_t>(end));
    }
    co_return board;
}

asio::awaitable<std::vector<std::optional<double>>> ChallengeService::ProgressOf(std::int64_t viewer_id,
                                                                                 const db::Result& rows, int shown) {
    std::vector<std::optional<double>> out;
    for (int row = 0; row < shown; ++row) {
        const ChallengeFacts c = FactsOf(rows, row);
        std::vector<std::int64_t> owners;
        if (c.mode == "club") {
            owners = co_await repository_.Participants(c.id);
        } else {
            owners.push_back(viewer_id);
        }
        std::vector<activities::OwnerProgress> progress = co_await ProgressFor(viewer_id, owners, c);
        std::optional<double> value;
        for (const auto& p : progress) {
            std::optional<double> v = ProgressValue(c.type, p);
            if (v) {
                value = value.value_or(0) + *v;
            }
        }
        if (!value && Summed(c.type)) {
            value = 0;
        }
        out.push_back(value);
    }
    co_return out;
}

asio::awaitable<std::pair<PageOf, std::vector<std::optional<double>>>> ChallengeService::Mine(const Principal& caller,
                                                                                              ListPage page) {
    db::Result rows = co_await repository_.Mine(caller.user_id, page.after, page.limit + 1);
    http::Page p{page.limit, page.after};
    PageOf out;
    out.shown = p.Shown(rows.Rows());
    if (out.shown > 0) {
        const int last = out.shown - 1;
        const std::int64_t key[] = {rows.Int(last, ChallengeCol("ends_us")), rows.Int(last, ChallengeCol("id"))};
        out.next_cursor = p.NextCursor(rows.Rows(), key);
    }
    out.rows = std::move(rows);
    std::vector<std::optional<double>> progress = co_await ProgressOf(caller.user_id, out.rows, out.shown);
    co_return std::make_pair(std::move(out), std::move(progress));
}

asio::awaitable<int> ChallengeService::Recompute(std::int64_t user_id, const ChallengeFacts& c) {
    // Completion is judged on each participant's own figures (they see all their own activities),
    // never on what some other viewer is shown.
    std::vector<std::int64_t> completed;
    if (c.mode == "club") {
        double sum = 0;
        for (std::int64_t participant : co_await repository_.Participants(c.id)) {
            std::vector<std::int64_t> one{participant};
            for (const auto& p : co_await ProgressFor(participant, std::move(one), c)) {
                sum += ProgressValue(c.type, p).value_or(0);
            }
        }
        if (!Reached(c.type, sum, c.goal_value)) {
            co_return 0;
        }
        db::Transaction tx = co_await repository_.Pool().Begin();
        completed = co_await ChallengeRepository::CompleteClub(tx, c.id);
        co_await Publish(tx, c.id, completed);
        co_await tx.Commit();
        co_return static_cast<int>(completed.size());
    }
    std::vector<std::int64_t> one{user_id};
    std::vector<activities::OwnerProgress> progress = co_await ProgressFor(user_id, std::move(one), c);
    if (progress.empty() || !Reached(c.type, ProgressValue(c.type, progress.front()), c.goal_value)) {
        co_return 0;
    }
    db::Transaction tx = co_await repository_.Pool().Begin();
    if (co_await ChallengeRepository::CompleteParticipant(tx, c.id, user_id)) {
        completed.push_back(user_id);
    }
    co_await Publish(tx, c.id, completed);
    co_await tx.Commit();
    co_return static_cast<int>(completed.size());
}

asio::awaitable<void> ChallengeService::Publish(db::Transaction tx, std::int64_t challenge_id,
                                                const std::vector<std::int64_t>& user_ids) {
    for (std::int64_t user_id : user_ids) {
        jobs::Event event;
        event.type = kChallengeCompleted;
        event.payload = boost::json::object{{"user_id", user_id}, {"challenge_id", challenge_id}};
        co_await deps_.jobs.Publish(tx, std::move(event));
    }
}

asio::awaitable<int> ChallengeService::ActivityChanged(boost::json::value payload) {
    std::int64_t owner_id = 0;
    std::optional<SystemTime> start;
    try {
        const auto& o = payload.as_object();
        owner_id = o.at("owner_id").to_number<std::int64_t>();
        start = ParseRfc3339(o.at("start_time").as_string());
    } catch (const std::exception& e) {
        throw jobs::PermanentError(std::string("bad activity event: ") + e.what());
    }
    if (!start) {
        throw jobs::PermanentError("bad activity event: start_time");
    }
    int completed = 0;
    for (const ChallengeFacts& c : co_await repository_.OpenFor(owner_id, Micros(*start))) {
        completed += co_await Recompute(owner_id, c);
    }
    co_return completed;
}

}  // namespace strava1::groups
