#include "challenges.hpp"

namespace strava1::groups {
namespace asio = boost::asio;
using db::Params;

namespace {

const std::string kChallengeFrom =
    " FROM club_challenges c LEFT JOIN club_challenge_participants me ON me.challenge_id = c.id AND me.user_id = "
    "$1::bigint";
constexpr const char* kInsertChallenge =
    "INSERT INTO club_challenges (club_id, created_by, title, kind, sport, effort_m, goal_value, mode, starts_at, "
    "ends_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, timestamptz 'epoch' + $9::bigint * interval '1 microsecond', "
    "timestamptz 'epoch' + $10::bigint * interval '1 microsecond') RETURNING id";
const std::string kFindChallenge = "SELECT " + db::SelectList(kChallengeColumns) + kChallengeFrom + " WHERE c.id = $2";
const std::string kAfter =
    " AND ($3::bigint IS NULL OR (c.ends_at, c.id) < (timestamptz 'epoch' + $3::bigint * interval '1 microsecond', "
    "$4::bigint)) ORDER BY c.ends_at DESC, c.id DESC LIMIT $5";
const std::string kClubChallenges =
    "SELECT " + db::SelectList(kChallengeColumns) + kChallengeFrom + " WHERE c.club_id = $2" + kAfter;
// $2 is unused here but keeps the paging parameters where kAfter expects them.
const std::string kMyChallenges = "SELECT " + db::SelectList(kChallengeColumns) + kChallengeFrom +
                                  " WHERE me.user_id IS NOT NULL AND $2::bigint IS NULL" + kAfter;
constexpr const char* kJoin =
    "INSERT INTO club_challenge_participants (challenge_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING "
    "RETURNING 1";
constexpr const char* kLeave = "DELETE FROM club_challenge_participants WHERE challenge_id = $1 AND user_id = $2";
constexpr const char* kParticipants =
    "SELECT user_id FROM club_challenge_participants WHERE challenge_id = $1 ORDER BY user_id";
constexpr const char* kCompletions =
    "SELECT user_id, to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "
    "club_challenge_participants WHERE challenge_id = $1 ORDER BY user_id";
// Individual challenges the user has not completed, and club challenges not completed by the club.
const std::string kOpenFor =
    "SELECT " + db::SelectList(kChallengeColumns) +
    " FROM club_challenge_participants me JOIN club_challenges c ON c.id = me.challenge_id WHERE me.user_id = $1 AND "
    "c.starts_at <= timestamptz 'epoch' + $2::bigint * interval '1 microsecond' AND c.ends_at > timestamptz 'epoch' "
    "+ $2::bigint * interval '1 microsecond' AND ((c.mode = 'individual' AND me.completed_at IS NULL) OR (c.mode = "
    "'club' AND c.completed_at IS NULL)) ORDER BY c.id";
// The conditional updates are what make a completion happen once, under redelivery and races alike.
constexpr const char* kCompleteParticipant =
    "UPDATE club_challenge_participants SET completed_at = now() WHERE challenge_id = $1 AND user_id = $2 AND "
    "completed_at IS NULL RETURNING 1";
constexpr const char* kCompleteClub =
    "UPDATE club_challenges SET completed_at = now() WHERE id = $1 AND completed_at IS NULL RETURNING 1";
constexpr const char* kCompleteAll =
    "UPDATE club_challenge_participants SET completed_at = now() WHERE challenge_id = $1 AND completed_at IS NULL "
    "RETURNING user_id";

std::optional<std::int64_t> At(const std::optional<std::vector<std::int64_t>>& after, std::size_t i) {
    if (!after || after->size() <= i) {
        return std::nullopt;
    }
    return (*after)[i];
}

}  // namespace

asio::awaitable<std::int64_t> ChallengeRepository::Insert(std::int64_t club_id, std::int64_t created_by,
                                                          const ChallengeFields& c) {
    Params p;
    p.Add(club_id).Add(created_by).Add(c.title).Add(c.type).Add(c.sport).Add(c.effort_m).Add(c.goal_value).Add(c.mode);
    p.Add(c.starts_us).Add(c.ends_us);
    db::Result r = co_await pool_.Query(kInsertChallenge, std::move(p));
    co_return r.Int(0, 0);
}

asio::awaitable<db::Result> ChallengeRepository::Find(std::int64_t viewer_id, std::int64_t challenge_id) {
    co_return co_await pool_.Query(kFindChallenge, Params::Of(viewer_id, challenge_id));
}

asio::awaitable<db::Result> ChallengeRepository::OfClub(std::int64_t viewer_id, std::int64_t club_id,
                                                        std::optional<std::vector<std::int64_t>> after, int limit) {
    Params p;
    p.Add(viewer_id).Add(club_id).Add(At(after, 0)).Add(At(after, 1)).Add(limit);
    co_return co_await pool_.Query(kClubChallenges, std::move(p));
}

asio::awaitable<db::Result> ChallengeRepository::Mine(std::int64_t viewer_id,
                                                      std::optional<std::vector<std::int64_t>> after, int limit) {
    Params p;
    p.Add(viewer_id).Add(std::optional<std::int64_t>()).Add(At(after, 0)).Add(At(after, 1)).Add(limit);
    co_return co_await pool_.Query(kMyChallenges, std::move(p));
}

asio::awaitable<bool> ChallengeRepository::Join(std::int64_t challenge_id, std::int64_t user_id) {
    db::Result r = co_await pool_.Query(kJoin, Params::Of(challenge_id, user_id));
    co_return !r.Empty();
}

asio::awaitable<void> ChallengeRepository::Leave(std::int64_t challenge_id, std::int64_t user_id) {
    co_await pool_.Query(kLeave, Params::Of(challenge_id, user_id));
}

asio::awaitable<std::vector<std::int64_t>> ChallengeRepository::Participants(std::int64_t challenge_id) {
    db::Result r = co_await pool_.Query(kParticipants, Params::Of(challenge_id));
    std::vector<std::int64_t> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(r.Int(row, 0));
    }
    co_return out;
}

asio::awaitable<db::Result> ChallengeRepository::CompletionsOf(std::int64_t challenge_id) {
    co_return co_await pool_.Query(kCompletions, Params::Of(challenge_id));
}

asio::awaitable<std::vector<ChallengeFacts>> ChallengeRepository::OpenFor(std::int64_t user_id, std::int64_t at_us) {
    db::Result r = co_await pool_.Query(kOpenFor, Params::Of(user_id, at_us));
    std::vector<ChallengeFacts> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(FactsOf(r, row));
    }
    co_return out;
}

asio::awaitable<bool> ChallengeRepository::CompleteParticipant(db::Transaction tx, std::int64_t challenge_id,
                                                               std::int64_t user_id) {
    db::Result r = co_await tx.Query(kCompleteParticipant, Params::Of(challenge_id, user_id));
    co_return !r.Empty();
}

asio::awaitable<std::vector<std::int64_t>> ChallengeRepository::CompleteClub(db::Transaction tx,
                                                                             std::int64_t challenge_id) {
    std::vector<std::int64_t> out;
    db::Result first = co_await tx.Query(kCompleteClub, Params::Of(challenge_id));
    if (first.Empty()) {
        co_return out;
    }
    db::Result r = co_await tx.Query(kCompleteAll, Params::Of(challenge_id));
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(r.Int(row, 0));
    }
    co_return out;
}

}  // namespace strava1::groups
