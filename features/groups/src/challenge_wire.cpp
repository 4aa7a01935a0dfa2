#include "challenges.hpp"
#include "strava1/base/json_writer.hpp"
#include "wire_page.hpp"

namespace strava1::groups {

namespace {

void OptText(json::Writer& w, const db::Result& r, int row, int col) {
    r.IsNull(row, col) ? w.Null() : w.String(r.Text(row, col));
}

void WriteChallenge(json::Writer& w, const db::Result& r, int row, std::optional<double> progress) {
    w.BeginObject();
    w.Key("id").Int(r.Int(row, ChallengeCol("id")));
    w.Key("club_id").Int(r.Int(row, ChallengeCol("club_id")));
    w.Key("title").String(r.Text(row, ChallengeCol("title")));
    w.Key("type").String(r.Text(row, ChallengeCol("type")));
    w.Key("sport");
    OptText(w, r, row, ChallengeCol("sport"));
    w.Key("effort");
    r.IsNull(row, ChallengeCol("effort_m")) ? w.Null() : w.String(EffortName(r.Double(row, ChallengeCol("effort_m"))));
    w.Key("goal_value").Double(r.Double(row, ChallengeCol("goal_value")));
    w.Key("mode").String(r.Text(row, ChallengeCol("mode")));
    w.Key("starts_at").String(r.Text(row, ChallengeCol("starts_at")));
    w.Key("ends_at").String(r.Text(row, ChallengeCol("ends_at")));
    w.Key("participant_count").Int(r.Int(row, ChallengeCol("participant_count")));
    w.Key("joined").Bool(r.Bool(row, ChallengeCol("joined")));
    w.Key("completed_at");
    // A club-mode challenge is completed by the club; an individual one by each participant.
    OptText(
        w, r, row,
        r.Text(row, ChallengeCol("mode")) == "club" ? ChallengeCol("club_completed_at") : ChallengeCol("completed_at"));
    w.Key("progress");
    progress ? w.Double(*progress) : w.Null();
    w.EndObject();
}

}  // namespace

std::string ChallengeJson(const db::Result& r, int row, std::optional<double> my_progress) {
    std::string out;
    json::Writer w(out);
    WriteChallenge(w, r, row, my_progress);
    return out;
}

std::string ChallengeListJson(const db::Result& r, int shown, const std::vector<std::optional<double>>& progress,
                              const std::optional<std::string>& next_cursor) {
    return PageJson("challenges", shown, next_cursor, [&](json::Writer& w, int row) {
        WriteChallenge(w, r, row, progress.at(static_cast<std::size_t>(row)));
    });
}

std::string ChallengeBoardJson(std::int64_t challenge_id, const ChallengeService::Board& board) {
    std::string out;
    json::Writer w(out);
    w.BeginObject();
    w.Key("challenge_id").Int(challenge_id);
    w.Key("entries").BeginArray();
    std::size_t rank = board.offset;
    for (const auto& line : board.lines) {
        w.BeginObject();
        w.Key("rank").Int(static_cast<std::int64_t>(++rank));
        w.Key("user_id").Int(line.user_id);
        w.Key("display_name").String(line.display_name);
        w.Key("progress");
        line.value ? w.Double(*line.value) : w.Null();
        w.Key("completed_at");
        line.completed_at ? w.String(*line.completed_at) : w.Null();
        w.EndObject();
    }
    w.EndArray();
    WriteNextCursor(w, board.next_cursor);
    w.EndObject();
    return out;
}

}  // namespace strava1::groups
