#pragma once

// Club challenges (ADR 0026): time-bound goals in a club, their participants, the progress each
// viewer is shown (through activities::ActivityReader) and the completion recorded once by the job
// that hears of participants' activities. Repository (SQL), service (checks, policies, transactions)
// and wire (the JSON of the answers) of challenges, apart from the clubs' own.

#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "service.hpp"
#include "strava1/activities/reader.hpp"
#include "strava1/base/field_errors.hpp"
#include "strava1/db/columns.hpp"
#include "strava1/db/pool.hpp"

namespace strava1::groups {

/// The job subscribed to activity.created / activity.changed that records completions.
inline constexpr const char* kChallengeSubscriber = "groups-challenges";

inline constexpr std::array kChallengeColumns = std::to_array<db::Column>({
    {"id", "c.id"},
    {"club_id", "c.club_id"},
    {"title", "c.title"},
    {"type", "c.kind"},
    {"sport", "c.sport"},
    {"effort_m", "c.effort_m"},
    {"goal_value", "c.goal_value"},
    {"mode", "c.mode"},
    {"starts_at", "to_char(c.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"ends_at", "to_char(c.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"starts_us", "(extract(epoch FROM c.starts_at) * 1000000)::bigint"},
    {"ends_us", "(extract(epoch FROM c.ends_at) * 1000000)::bigint"},
    {"club_completed_at", "to_char(c.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"participant_count", "(SELECT count(*) FROM club_challenge_participants p WHERE p.challenge_id = c.id)"},
    {"joined", "(me.user_id IS NOT NULL)"},
    {"completed_at", "to_char(me.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
});
consteval int ChallengeCol(std::string_view name) { return db::ColumnIndex(kChallengeColumns, name); }

struct ChallengeFields {
    std::string title;
    std::string type;  ///< total_distance | total_time | longest_activity | fastest_effort
    std::optional<std::string> sport;
    std::optional<double> effort_m;
    double goal_value = 0;
    std::string mode;  ///< individual | club
    std::int64_t starts_us = 0;
    std::int64_t ends_us = 0;
};

/// What the completion job needs of one challenge.
struct ChallengeFacts {
    std::int64_t id = 0;
    std::string type;
    std::optional<std::string> sport;
    std::optional<double> effort_m;
    double goal_value = 0;
    std::string mode;
    std::int64_t starts_us = 0;
    std::int64_t ends_us = 0;
};

class ChallengeRepository {
public:
    explicit ChallengeRepository(db::Pool& pool) : pool_(pool) {}

    boost::asio::awaitable<std::int64_t> Insert(std::int64_t club_id, std::int64_t created_by,
                                                const ChallengeFields& c);
    /// The challenge with the viewer's participation; empty when missing.
    boost::asio::awaitable<db::Result> Find(std::int64_t viewer_id, std::int64_t challenge_id);
    /// The club's challenges, latest end first, after (ends_us, id).
    boost::asio::awaitable<db::Result> OfClub(std::int64_t viewer_id, std::int64_t club_id,
                                              std::optional<std::vector<std::int64_t>> after, int limit);
    /// The viewer's challenges, latest end first, after (ends_us, id).
    boost::asio::awaitable<db::Result> Mine(std::int64_t viewer_id, std::optional<std::vector<std::int64_t>> after,
                                            int limit);
    /// Whether a row was added (false: already a participant).
    boost::asio::awaitable<bool> Join(std::int64_t challenge_id, std::int64_t user_id);
    boost::asio::awaitable<void> Leave(std::int64_t challenge_id, std::int64_t user_id);
    boost::asio::awaitable<std::vector<std::int64_t>> Participants(std::int64_t challenge_id);
    /// Completion dates of the participants, by user id (null: not completed).
    boost::asio::awaitable<db::Result> CompletionsOf(std::int64_t challenge_id);
    /// The not yet completed challenges `user_id` takes part in whose window holds `at_us`.
    boost::asio::awaitable<std::vector<ChallengeFacts>> OpenFor(std::int64_t user_id, std::int64_t at_us);
    /// Records the completion of one participant (individual) unless recorded; whether it did.
    static boost::asio::awaitable<bool> CompleteParticipant(db::Transaction tx, std::int64_t challenge_id,
                                                            std::int64_t user_id);
    /// Records a club challenge's completion unless recorded; the participants it completes for.
    static boost::asio::awaitable<std::vector<std::int64_t>> CompleteClub(db::Transaction tx,
                                                                          std::int64_t challenge_id);

    db::Pool& Pool() { return pool_; }

private:
    db::Pool& pool_;
};

struct NewChallengeBody {
    std::string title;
    std::string type;
    std::optional<std::string> sport;
    std::optional<std::string> effort;  ///< fastest_effort: 1k, 5k, 10k, half, marathon
    double goal_value = 0;
    std::optional<std::string> mode;
    std::string starts_at;
    std::string ends_at;
};
BOOST_DESCRIBE_STRUCT(NewChallengeBody, (), (title, type, sport, effort, goal_value, mode, starts_at, ends_at))

/// The metres of a named effort distance; nullopt for an unknown name.
std::optional<double> EffortDistance(std::string_view name);
/// The name of an effort distance in metres ("5k").
std::string EffortName(double metres);
/// Checks of a new challenge's fields (the times already read): 400 naming each field that is wrong.
void CheckChallenge(FieldErrors& errors, const ChallengeFields& c);
/// A participant's progress value in the challenge's unit (metres or seconds; fastest_effort: the
/// best time, nullopt without one).
std::optional<double> ProgressValue(const std::string& type, const activities::OwnerProgress& p);
/// Whether `value` reaches the goal (for fastest_effort: a time at most the goal).
bool Reached(const std::string& type, std::optional<double> value, double goal);

/// One participant's line: their progress as the viewer is shown it.
struct ChallengeLine {
    std::int64_t user_id = 0;
    std::string display_name;
    std::optional<double> value;
    std::optional<std::string> completed_at;
};

class ChallengeService {
public:
    ChallengeService(Deps deps, ChallengeRepository& repository, Repository& clubs_repository, app::Membership& clubs)
        : deps_(deps), repository_(repository), clubs_repository_(clubs_repository), clubs_(clubs) {}

    boost::asio::awaitable<db::Result> Create(const Principal& caller, std::int64_t club_id, NewChallengeBody body);
    boost::asio::awaitable<PageOf> OfClub(const Principal& caller, std::int64_t club_id, ListPage page);
    boost::asio::awaitable<db::Result> Get(const Principal& caller, std::int64_t challenge_id);
    boost::asio::awaitable<db::Result> Join(const Principal& caller, std::int64_t challenge_id);
    boost::asio::awaitable<void> Leave(const Principal& caller, std::int64_t challenge_id);
    /// The participants' progress as the viewer is shown it, best first, one page by rank.
    struct Board {
        std::vector<ChallengeLine> lines;
        std::size_t offset = 0;
        std::optional<std::string> next_cursor;
        double total = 0;  ///< club mode: the sum of what the viewer is shown
    };
    boost::asio::awaitable<Board> Leaderboard(const Principal& caller, std::int64_t challenge_id, ListPage page);
    /// The caller's challenges and their own progress (row order).
    boost::asio::awaitable<std::pair<PageOf, std::vector<std::optional<double>>>> Mine(const Principal& caller,
                                                                                       ListPage page);
    /// The viewer's own progress in each challenge of `rows` (the first `shown`).
    boost::asio::awaitable<std::vector<std::optional<double>>> ProgressOf(std::int64_t viewer_id,
                                                                          const db::Result& rows, int shown);

    /// The completion job's work for one activity event: recomputes the owner's open challenges and
    /// records (and publishes) each completion once. Returns the completions recorded.
    boost::asio::awaitable<int> ActivityChanged(boost::json::value payload);

private:
    boost::asio::awaitable<std::vector<activities::OwnerProgress>> ProgressFor(std::int64_t viewer_id,
                                                                               std::vector<std::int64_t> owners,
                                                                               const ChallengeFacts& c);
    /// Recomputes `user_id`'s progress (club mode: every participant's) in one open challenge and
    /// records a first completion, publishing kChallengeCompleted in the same transaction.
    boost::asio::awaitable<int> Recompute(std::int64_t user_id, const ChallengeFacts& c);
    boost::asio::awaitable<void> Publish(db::Transaction tx, std::int64_t challenge_id,
                                         const std::vector<std::int64_t>& user_ids);

    Deps deps_;
    ChallengeRepository& repository_;
    Repository& clubs_repository_;
    app::Membership& clubs_;
};

ChallengeFacts FactsOf(const db::Result& r, int row);
std::string ChallengeJson(const db::Result& r, int row, std::optional<double> my_progress);
std::string ChallengeListJson(const db::Result& r, int shown, const std::vector<std::optional<double>>& progress,
                              const std::optional<std::string>& next_cursor);
std::string ChallengeBoardJson(std::int64_t challenge_id, const ChallengeService::Board& board);

}  // namespace strava1::groups
