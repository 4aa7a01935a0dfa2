#include "repository.hpp"

#include "strava1/db/arrays.hpp"

namespace strava1::accounts {
namespace asio = boost::asio;
using db::Params;

namespace {

// People search (ADR 0027) over the word dictionary of 0022_search_words.sql. $1 the lower-cased
// query, $2 the viewer, $3 ids left out, $4 rows, $5 whether a cursor follows, $6/$7 the cursor's
// (rank, id). The query's words (search_words_of, as the dictionary splits names) each match the
// dictionary words they are a prefix of or, from three letters, similar to (<%, word similarity,
// under the threshold SearchUsers sets), the 16 best (8 for each word of several, whose users are
// read whole): a few dozen rows of a small table. A word's rank is kPrefixBonus when the query word
// is its prefix, plus the similarity in millionths (divided by the number of query words).
// - One query word: a user's rank is that of their best matching word. Within a word the rank is
//   the same for all its users, so the page can only hold each word's first users by id after the
//   cursor: at most a page per matching word is read, straight from user_search_words' primary
//   key, and the best of those make the page. A common first name costs a page, not its thousands
//   of namesakes. A user who also holds a better word (the INCLUDEd `words`) is left to that word,
//   so nobody shows twice.
// - Several: a user must hold a match of every query word that matches any dictionary word (one
//   mangled beyond its trigrams, "jhon", is left out rather than emptying the result). The users of
//   the rarest one (by the dictionary's counts) are read, kept when their `words` overlap the second
//   rarest's matches (an array test, no join), and the few left scored against every query word.
//   Rank: the bonus when every query word is a prefix, plus the mean of the best similarities over
//   all the query's words. When only one query word matches, the one-word walk serves, with that mean.
// Suspended users hold no words (the trigger), so they are never reached.
constexpr const char* kSearchUsers =
    "WITH qw AS MATERIALIZED (SELECT w FROM unnest(search_words_of($1, NULL)) w), "
    "m AS MATERIALIZED ("
    " SELECT qw.w AS q, d.word, d.users, starts_with(d.word, qw.w) AS prefix, word_similarity(qw.w, d.word) AS sim,"
    " ((CASE WHEN starts_with(d.word, qw.w) AND (SELECT count(*) FROM qw) = 1 THEN 2000000 ELSE 0 END)"
    "  + round(1000000 * word_similarity(qw.w, d.word) / (SELECT count(*) FROM qw)))::bigint AS rank"
    " FROM qw CROSS JOIN LATERAL (SELECT word, users FROM ("
    "  SELECT word, users FROM search_words WHERE length(qw.w) >= 3 AND qw.w <% word"
    "  UNION SELECT word, users FROM search_words WHERE word >= qw.w AND word < qw.w || chr(1114111)) e"
    "  ORDER BY starts_with(word, qw.w) DESC, word_similarity(qw.w, word) DESC, word"
    "  LIMIT CASE WHEN (SELECT count(*) FROM qw) = 1 THEN 16 ELSE 8 END) d), "
    "qs AS MATERIALIZED ("
    " SELECT q, row_number() OVER (ORDER BY sum(users), q) AS k FROM m GROUP BY q), "
    "one AS ("
    " SELECT m.rank, x.user_id AS id"
    " FROM (SELECT m.*, (SELECT coalesce(array_agg(b.word), '{}') FROM m b"
    "        WHERE b.rank > m.rank OR (b.rank = m.rank AND b.word < m.word)) AS better"
    "       FROM m WHERE (SELECT count(*) FROM qs) = 1 AND (NOT $5 OR rank <= $6)) m"
    " CROSS JOIN LATERAL (SELECT user_id FROM user_search_words x"
    "  WHERE x.word = m.word AND x.user_id > (CASE WHEN $5 AND m.rank = $6 THEN $7 ELSE 0 END)"
    "  AND x.user_id <> $2 AND x.user_id <> ALL ($3::bigint[]) AND NOT x.words && m.better"
    "  ORDER BY x.user_id LIMIT $4) x"
    " ORDER BY m.rank DESC, x.user_id LIMIT $4), "
    "c AS ("
    " SELECT DISTINCT ON (x.user_id) x.user_id, x.words FROM m JOIN user_search_words x ON x.word = m.word"
    " WHERE m.q = (SELECT q FROM qs WHERE k = 1) AND (SELECT count(*) FROM qs) > 1"
    " AND x.words && (SELECT array_agg(word) FROM m WHERE q = (SELECT q FROM qs WHERE k = 2))"
    " AND x.user_id <> $2 AND x.user_id <> ALL ($3::bigint[])), "
    "scored AS ("
    " SELECT c.user_id, m.q, max(m.sim) AS sim, bool_or(m.prefix) AS prefix"
    " FROM c CROSS JOIN unnest(c.words) w JOIN m ON m.word = w GROUP BY c.user_id, m.q), "
    "many AS ("
    " SELECT rank, id FROM ("
    "  SELECT user_id AS id,"
    "  ((CASE WHEN bool_and(prefix) AND (SELECT count(*) FROM qs) = (SELECT count(*) FROM qw) THEN 2000000 ELSE 0 END)"
    "   + round(1000000 * sum(sim) / (SELECT count(*) FROM qw)))::bigint AS rank"
    "  FROM scored GROUP BY user_id HAVING count(*) = (SELECT count(*) FROM qs)) r"
    " WHERE NOT $5 OR rank < $6 OR (rank = $6 AND id > $7)"
    " ORDER BY rank DESC, id LIMIT $4), "
    "top AS (SELECT * FROM one UNION ALL SELECT * FROM many) "
    "SELECT u.id, u.username, u.display_name, u.city, top.rank FROM top JOIN users u ON u.id = top.id "
    "ORDER BY top.rank DESC, u.id";
// Through users_city (0019): the other users of the caller's city, newest first.
constexpr const char* kSelectSameCity =
    "SELECT me.city, o.id FROM users me LEFT JOIN LATERAL (SELECT id FROM users u WHERE lower(u.city) = "
    "lower(me.city) AND u.city <> '' AND u.id <> me.id ORDER BY lower(u.city), u.id DESC LIMIT $2) o ON true "
    "WHERE me.id = $1 AND me.city <> ''";
// A typo ("jonh" for "john") shares 2 of 5 trigrams: 0.4; "kyren" for "karen" and "mdrby" for "morby"
// share 3 of 9: 0.33. The default (0.6) would miss all three; at 0.3 more of the bench's typo'd
// queries find the intended name than the trigram scan over users did at 0.35 (ADR 0027). JIT off:
// the planner's estimate for the statement's branches passes jit_above_cost, and compiling costs
// tens of milliseconds on a query that runs in a few. Sequential scans off: the planner prices <%
// like a cheap operator and reads a dictionary of a few hundred words whole, computing every word's
// trigrams (1-3 ms under load), where its trigram index answers in under 0.1 ms; the statement
// needs no sequential scan anywhere else.
constexpr const char* kSetSearchSettings =
    "SELECT set_config('pg_trgm.word_similarity_threshold', '0.3', true), set_config('jit', 'off', true), "
    "set_config('enable_seqscan', 'off', true)";

// --- users ---------------------------------------------------------------------------------------
const std::string kSelectMe = "SELECT " + db::SelectList(kMeColumns) + " FROM users WHERE id = $1";
constexpr const char* kInsertUser = "INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id";
// One static statement: each column has a "present" flag, so the prepared plan is reused whatever
// subset the client sends.
const std::string kUpdateMe =
    "UPDATE users SET "
    "username = CASE WHEN $2 THEN $3 ELSE username END, "
    "display_name = CASE WHEN $4 THEN $5 ELSE display_name END, "
    "bio = CASE WHEN $6 THEN $7 ELSE bio END, "
    "city = CASE WHEN $8 THEN $9 ELSE city END, "
    "country = CASE WHEN $10 THEN $11 ELSE country END, "
    "sex = CASE WHEN $12 THEN $13 ELSE sex END, "
    "birthdate = CASE WHEN $14 THEN $15::date ELSE birthdate END, "
    "weight_kg = CASE WHEN $16 THEN $17::float8 ELSE weight_kg END, "
    "height_cm = CASE WHEN $18 THEN $19::float8 ELSE height_cm END, "
    "max_hr_bpm = CASE WHEN $20 THEN $21::int ELSE max_hr_bpm END, "
    "resting_hr_bpm = CASE WHEN $22 THEN $23::int ELSE resting_hr_bpm END, "
    "ftp_w = CASE WHEN $24 THEN $25::int ELSE ftp_w END, "
    "units = CASE WHEN $26 THEN $27 ELSE units END, "
    "time_zone = CASE WHEN $28 THEN $29 ELSE time_zone END, "
    "default_visibility = CASE WHEN $30 THEN $31 ELSE default_visibility END, "
    "message_policy = CASE WHEN $32 THEN $33 ELSE message_policy END, "
    "hide_endpoints_m = CASE WHEN $34 THEN $35::int ELSE hide_endpoints_m END, "
    "approve_followers = CASE WHEN $36 THEN $37::boolean ELSE approve_followers END, "
    "updated_at = now() "
    "WHERE id = $1 RETURNING " +
    db::SelectList(kMeColumns);
constexpr const char* kDeleteUser = "DELETE FROM users WHERE id = $1";
const std::string kSelectPublicProfile =
    "SELECT " + db::SelectList(kPublicProfileColumns) + " FROM users WHERE id = $1";
constexpr const char* kSelectIdByEmail = "SELECT id FROM users WHERE lower(email) = lower($1)";
// The functional unique index users_username_key serves lower(username).
constexpr const char* kSelectIdsByUsername =
    "SELECT lower(username), id FROM users WHERE lower(username) = ANY (SELECT lower(u) FROM unnest($1::text[]) u)";

// The facts other features read (profiles.hpp). The day of an instant is computed exactly from its
// microseconds (no float rounding across midnight).
inline constexpr std::array kFactsColumns = std::to_array<db::Column>({
    {"id", "id"},
    {"username", "username"},
    {"display_name", "display_name"},
    {"city", "city"},
    {"units", "units"},
    {"time_zone", "time_zone"},
    {"weight_kg", "weight_kg"},
    {"max_hr_bpm", "max_hr_bpm::float8"},
    {"resting_hr_bpm", "resting_hr_bpm::float8"},
    {"ftp_w", "ftp_w::float8"},
    {"sex", "sex"},
    {"age_years", "extract(year FROM age(now(), birthdate))::float8"},
    {"default_visibility", "default_visibility"},
    {"hide_endpoints_m", "hide_endpoints_m"},
    {"approve_followers", "approve_followers"},
    {"local_dates",
     "array_to_string(ARRAY(SELECT to_char((timestamptz 'epoch' + x.at * interval '1 microsecond') AT TIME ZONE "
     "time_zone, 'YYYY-MM-DD') FROM unnest($2::bigint[]) WITH ORDINALITY AS x(at, n) ORDER BY x.n), ',')"},
});
consteval int FactsCol(std::string_view name) { return db::ColumnIndex(kFactsColumns, name); }
const std::string kSelectFacts = "SELECT " + db::SelectList(kFactsColumns) + " FROM users WHERE id = ANY($1::bigint[])";

// --- local_credentials ---------------------------------------------------------------------------
inline constexpr std::array kLoginColumns = std::to_array<db::Column>({
    {"user_id", "u.id"},
    {"password_hash", "c.password_hash"},
    {"known_device", "d.token_hash IS NOT NULL"},
    {"site_admin", "u.role = 'admin'"},
    {"suspended", "u.suspended_at IS NOT NULL"},
});
consteval int LoginCol(std::string_view name) { return db::ColumnIndex(kLoginColumns, name); }
// The device row joins only when the cookie belongs to this very account.
const std::string kSelectLogin = "SELECT " + db::SelectList(kLoginColumns) +
                                 " FROM users u JOIN local_credentials c ON c.user_id = u.id "
                                 "LEFT JOIN known_devices d ON d.token_hash = $2 AND d.user_id = u.id "
                                 "WHERE lower(u.email) = $1";
constexpr const char* kInsertCredentials = "INSERT INTO local_credentials (user_id, password_hash) VALUES ($1, $2)";
inline constexpr std::array kCredentialColumns = std::to_array<db::Column>({
    {"password_hash", "c.password_hash"},
    {"email", "u.email"},
});
consteval int CredentialCol(std::string_view name) { return db::ColumnIndex(kCredentialColumns, name); }
const std::string kSelectCredentials = "SELECT " + db::SelectList(kCredentialColumns) +
                                       " FROM local_credentials c JOIN users u ON u.id = c.user_id "
                                       "WHERE c.user_id = $1";
constexpr const char* kUpdatePassword =
    "UPDATE local_credentials SET password_hash = $2, password_changed_at = now() WHERE user_id = $1";

// --- role and suspension (ADR 0024) ---------------------------------------------------------------
constexpr const char* kUpdateRole = "UPDATE users SET role = $2 WHERE lower(email) = lower($1) RETURNING id";
constexpr const char* kSuspend =
    "UPDATE users SET suspended_at = COALESCE(suspended_at, now()) WHERE id = $1 RETURNING id";
constexpr const char* kUnsuspend = "UPDATE users SET suspended_at = NULL WHERE id = $1 RETURNING id";
constexpr const char* kRevokeAllSessions =
    "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'account suspended' "
    "WHERE user_id = $1 AND revoked_at IS NULL";

// --- auth_identities -----------------------------------------------------------------------------
// The identity with its account's standing, so a Firebase request is checked as a session is.
constexpr const char* kSelectFirebaseUser =
    "SELECT i.user_id, u.role = 'admin', u.suspended_at IS NOT NULL FROM auth_identities i "
    "JOIN users u ON u.id = i.user_id WHERE i.provider = 'firebase' AND i.subject = $1";
// Concurrent first requests race on the identity's primary key; the loser inserts nothing.
constexpr const char* kProvisionFirebaseUser =
    "WITH new_user AS ("
    "  INSERT INTO users (email, display_name) "
    "  SELECT $2, $3 WHERE NOT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($2)) "
    "  UNION ALL SELECT NULL, $3 WHERE EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($2)) "
    "  RETURNING id) "
    "INSERT INTO auth_identities (provider, subject, user_id) "
    "SELECT 'firebase', $1, id FROM new_user ON CONFLICT (provider, subject) DO NOTHING RETURNING user_id";

// --- auth_sessions -------------------------------------------------------------------------------
constexpr const char* kInsertSession = "INSERT INTO auth_sessions (user_id, user_agent) VALUES ($1, $2) RETURNING id";
inline constexpr std::array kSessionStateColumns = std::to_array<db::Column>({
    {"user_id", "s.user_id"},
    {"live", "s.revoked_at IS NULL"},
    {"auth_time_s", "extract(epoch FROM s.auth_time)::bigint"},
    {"site_admin", "u.role = 'admin'"},
    {"suspended", "u.suspended_at IS NOT NULL"},
});
consteval int StateCol(std::string_view name) { return db::ColumnIndex(kSessionStateColumns, name); }
const std::string kSelectSessionState = "SELECT " + db::SelectList(kSessionStateColumns) +
                                        " FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1";
inline constexpr std::array kSessionColumns = std::to_array<db::Column>({
    {"id", "id"},
    {"created_at", "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"last_used", "to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"user_agent", "user_agent"},
});
consteval int SessionCol(std::string_view name) { return db::ColumnIndex(kSessionColumns, name); }
const std::string kSelectLiveSessions =
    "SELECT " + db::SelectList(kSessionColumns) +
    " FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY last_used_at DESC LIMIT 100";
constexpr const char* kRevokeSession =
    "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $2 WHERE id = $1 AND revoked_at IS NULL";
constexpr const char* kRevokeOwnSession =
    "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'revoked by user' "
    "WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id";
constexpr const char* kRevokeOtherSessions =
    "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $3 "
    "WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL";
constexpr const char* kTouchSession = "UPDATE auth_sessions SET last_used_at = now() WHERE id = $1";

// --- refresh_tokens ------------------------------------------------------------------------------
constexpr const char* kInsertRefreshToken =
    "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) "
    "VALUES ($1, $2, now() + make_interval(secs => $3))";
// The row lock serialises tabs presenting the same token. The age uses clock_timestamp(): a waiting
// transaction may have started (now()) before the one that spent the token.
inline constexpr std::array kRefreshColumns = std::to_array<db::Column>({
    {"session_id", "t.session_id"},
    {"spent", "t.spent_at IS NOT NULL"},
    {"expired", "t.expires_at < now()"},
    {"session_revoked", "s.revoked_at IS NOT NULL"},
    {"user_id", "s.user_id"},
    {"spent_age_s", "extract(epoch FROM clock_timestamp() - t.spent_at)::float8"},
    {"successor_salt", "t.successor_salt"},
});
consteval int RefreshCol(std::string_view name) { return db::ColumnIndex(kRefreshColumns, name); }
const std::string kLockRefreshToken = "SELECT " + db::SelectList(kRefreshColumns) +
                                      " FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id "
                                      "WHERE t.token_hash = $1 FOR UPDATE OF t, s";
constexpr const char* kRefreshTokenLive =
    "SELECT 1 FROM refresh_tokens WHERE token_hash = $1 AND session_id = $2 AND spent_at IS NULL "
    "AND expires_at > now()";
constexpr const char* kSpendRefreshToken =
    "UPDATE refresh_tokens SET spent_at = now(), successor_salt = $2 WHERE token_hash = $1";

// --- known_devices -------------------------------------------------------------------------------
constexpr const char* kKeepDevice =
    "UPDATE known_devices SET last_used_at = now(), failed_attempts = 0 "
    "WHERE token_hash = $1 AND user_id = $2 RETURNING 1";
constexpr const char* kInsertDevice = "INSERT INTO known_devices (token_hash, user_id) VALUES ($1, $2)";
constexpr const char* kTrimDevices =
    "DELETE FROM known_devices WHERE user_id = $1 AND token_hash NOT IN "
    "(SELECT token_hash FROM known_devices WHERE user_id = $1 ORDER BY last_used_at DESC LIMIT $2)";
// Reserved in one statement: reading the count first and adding to it after a wrong password let a
// burst of concurrent requests with one (stolen) cookie all pass as recognised.
constexpr const char* kReserveDeviceGuess =
    "UPDATE known_devices SET failed_attempts = failed_attempts + 1 "
    "WHERE token_hash = $1 AND user_id = $2 AND failed_attempts < $3 RETURNING 1";
constexpr const char* kForgetOtherDevices = "DELETE FROM known_devices WHERE user_id = $1 AND token_hash <> $2";

std::string Int64Array(const std::vector<std::int64_t>& values) {
    std::string text = "{";
    for (std::size_t idx = 0; idx < values.size(); ++idx) {
        text += (idx == 0 ? "" : ",") + std::to_string(values[idx]);
    }
    return text + "}";
}

std::optional<std::int64_t> Widen(const std::optional<std::int32_t>& value) {
    return value ? std::optional<std::int64_t>(*value) : std::nullopt;
}

}  // namespace

asio::awaitable<std::optional<db::Result>> Repository::FindMe(std::int64_t user_id) {
    db::Result r = co_await pool_.QueryPipelined(kSelectMe, Params::Of(user_id));
    co_return r.Empty() ? std::nullopt : std::optional<db::Result>(std::move(r));
}

asio::awaitable<std::int64_t> Repository::InsertUser(db::Transaction tx, std::string email, std::string display_name) {
    db::Result r = co_await tx.Query(kInsertUser, Params::Of(email, display_name));
    co_return r.Int(0, 0);
}

asio::awaitable<std::optional<db::Result>> Repository::UpdateMe(std::int64_t user_id, const PatchMeBody& patch) {
    Params p;
    p.Add(user_id);
    auto add = [&p](const auto& field) {
        p.Add(field.present);
        p.Add(field.value);
    };
    auto add_int = [&p](const json::Patch<std::int32_t>& field) {
        p.Add(field.present);
        p.Add(Widen(field.value));
    };
    add(patch.username);
    add(patch.display_name);
    add(patch.bio);
    add(patch.city);
    add(patch.country);
    add(patch.sex);
    add(patch.birthdate);
    add(patch.weight_kg);
    add(patch.height_cm);
    add_int(patch.max_hr_bpm);
    add_int(patch.resting_hr_bpm);
    add_int(patch.ftp_w);
    add(patch.units);
    add(patch.time_zone);
    add(patch.default_visibility);
    add(patch.message_policy);
    add_int(patch.hide_endpoints_m);
    add(patch.approve_followers);
    db::Result r = co_await pool_.Query(kUpdateMe, std::move(p));
    co_return r.Empty() ? std::nullopt : std::optional<db::Result>(std::move(r));
}

asio::awaitable<void> Repository::DeleteUser(db::Transaction tx, std::int64_t user_id) {
    co_await tx.Query(kDeleteUser, Params::Of(user_id));
}

asio::awaitable<std::optional<db::Result>> Repository::FindPublicProfile(std::int64_t user_id) {
    db::Result r = co_await pool_.QueryPipelined(kSelectPublicProfile, Params::Of(user_id));
    co_return r.Empty() ? std::nullopt : std::optional<db::Result>(std::move(r));
}

asio::awaitable<std::vector<ProfileFacts>> Repository::FindProfileFacts(std::vector<std::int64_t> user_ids,
                                                                        std::vector<std::int64_t> local_dates_of_us) {
    std::vector<ProfileFacts> out;
    if (user_ids.empty()) {
        co_return out;
    }
    Params params = Params::Of(Int64Array(user_ids), Int64Array(local_dates_of_us));
    // One user is a point lookup on a hot path (an activity's owner): pipelined. (No co_await inside
    // ?: — GCC 12 destroys such temporaries twice.)
    db::Result r;
    if (user_ids.size() == 1) {
        r = co_await pool_.QueryPipelined(kSelectFacts, std::move(params));
    } else {
        r = co_await pool_.Query(kSelectFacts, std::move(params));
    }
    out.reserve(static_cast<std::size_t>(r.Rows()));
    for (int row = 0; row < r.Rows(); ++row) {
        ProfileFacts& f = out.emplace_back();
        f.user_id = r.Int(row, FactsCol("id"));
        f.username = r.OptString(row, FactsCol("username"));
        f.display_name = r.String(row, FactsCol("display_name"));
        f.city = r.OptString(row, FactsCol("city"));
        f.units = r.String(row, FactsCol("units"));
        f.time_zone = r.String(row, FactsCol("time_zone"));
        f.weight_kg = r.OptDouble(row, FactsCol("weight_kg"));
        f.max_hr_bpm = r.OptDouble(row, FactsCol("max_hr_bpm"));
        f.resting_hr_bpm = r.OptDouble(row, FactsCol("resting_hr_bpm"));
        f.ftp_w = r.OptDouble(row, FactsCol("ftp_w"));
        f.sex = r.OptString(row, FactsCol("sex"));
        f.age_years = r.OptDouble(row, FactsCol("age_years"));
        f.default_visibility = r.String(row, FactsCol("default_visibility"));
        f.hide_endpoints_m = static_cast<int>(r.Int(row, FactsCol("hide_endpoints_m")));
        f.approve_followers = r.Text(row, FactsCol("approve_followers")) == "t";
        std::string_view dates = r.Text(row, FactsCol("local_dates"));
        while (!dates.empty()) {
            auto comma = dates.find(',');
            f.local_dates.emplace_back(dates.substr(0, comma));
            dates = comma == std::string_view::npos ? std::string_view() : dates.substr(comma + 1);
        }
    }
    co_return out;
}

asio::awaitable<std::optional<std::int64_t>> Repository::FindIdByEmail(std::string email) {
    db::Result r = co_await pool_.Query(kSelectIdByEmail, Params::Of(email));
    co_return r.Empty() ? std::nullopt : std::optional<std::int64_t>(r.Int(0, 0));
}

asio::awaitable<std::vector<std::pair<std::string, std::int64_t>>> Repository::FindIdsByUsername(
    std::vector<std::string> usernames) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    if (usernames.empty()) {
        co_return out;
    }
    db::Result r = co_await pool_.Query(kSelectIdsByUsername, Params::Of(db::TextArray(usernames)));
    for (int row = 0; row < r.Rows(); ++row) {
        out.emplace_back(r.String(row, 0), r.Int(row, 1));
    }
    co_return out;
}

asio::awaitable<std::optional<LoginRow>> Repository::FindLogin(std::string email, std::string device_hash) {
    db::Result r = co_await pool_.Query(kSelectLogin, Params::Of(email, device_hash));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return LoginRow{
        r.Int(0, LoginCol("user_id")), r.String(0, LoginCol("password_hash")), r.Bool(0, LoginCol("known_device")),
        StandingRow{.site_admin = r.Bool(0, LoginCol("site_admin")), .suspended = r.Bool(0, LoginCol("suspended"))}};
}

asio::awaitable<std::optional<std::int64_t>> Repository::SetRole(std::string email, std::string role) {
    db::Result r = co_await pool_.Query(kUpdateRole, Params::Of(email, role));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return r.Int(0, 0);
}

asio::awaitable<bool> Repository::SetSuspended(std::int64_t user_id, bool suspended) {
    db::Transaction tx = co_await pool_.Begin();
    const char* statement = suspended ? kSuspend : kUnsuspend;
    db::Result r = co_await tx.Query(statement, Params::Of(user_id));
    if (r.Empty()) {
        co_return false;
    }
    if (suspended) {
        co_await tx.Query(kRevokeAllSessions, Params::Of(user_id));
    }
    co_await tx.Commit();
    co_return true;
}

asio::awaitable<void> Repository::InsertCredentials(db::Transaction tx, std::int64_t user_id, std::string hash) {
    co_await tx.Query(kInsertCredentials, Params::Of(user_id, hash));
}

asio::awaitable<std::optional<CredentialRow>> Repository::FindCredentials(std::int64_t user_id) {
    db::Result r = co_await pool_.Query(kSelectCredentials, Params::Of(user_id));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return CredentialRow{r.String(0, CredentialCol("password_hash")), r.OptString(0, CredentialCol("email"))};
}

asio::awaitable<void> Repository::UpdatePassword(db::Transaction tx, std::int64_t user_id, std::string hash) {
    co_await tx.Query(kUpdatePassword, Params::Of(user_id, hash));
}

asio::awaitable<std::optional<FirebaseIdentityRow>> Repository::FindFirebaseUser(std::string uid) {
    db::Result r = co_await pool_.Query(kSelectFirebaseUser, Params::Of(uid));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return FirebaseIdentityRow{r.Int(0, 0), StandingRow{.site_admin = r.Bool(0, 1), .suspended = r.Bool(0, 2)}};
}

asio::awaitable<std::optional<std::int64_t>> Repository::ProvisionFirebaseUser(std::string uid,
                                                                               std::optional<std::string> email,
                                                                               std::string display_name) {
    db::Result r = co_await pool_.Query(kProvisionFirebaseUser, Params::Of(uid, email, display_name));
    co_return r.Empty() ? std::nullopt : std::optional<std::int64_t>(r.Int(0, 0));
}

asio::awaitable<std::int64_t> Repository::InsertSession(db::Transaction tx, std::int64_t user_id,
                                                        std::optional<std::string> user_agent) {
    db::Result r = co_await tx.Query(kInsertSession, Params::Of(user_id, user_agent));
    co_return r.Int(0, 0);
}

asio::awaitable<std::optional<SessionStateRow>> Repository::FindSessionState(std::int64_t session_id) {
    db::Result r = co_await pool_.QueryPipelined(kSelectSessionState, Params::Of(session_id));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    co_return SessionStateRow{
        r.Int(0, StateCol("user_id")), r.Bool(0, StateCol("live")),
        SystemTime{std::chrono::seconds(r.Int(0, StateCol("auth_time_s")))},
        StandingRow{.site_admin = r.Bool(0, StateCol("site_admin")), .suspended = r.Bool(0, StateCol("suspended"))}};
}

asio::awaitable<std::vector<SessionRow>> Repository::ListLiveSessions(std::int64_t user_id) {
    db::Result r = co_await pool_.Query(kSelectLiveSessions, Params::Of(user_id));
    std::vector<SessionRow> out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(SessionRow{r.Int(row, SessionCol("id")), r.String(row, SessionCol("created_at")),
                                 r.String(row, SessionCol("last_used")), r.OptString(row, SessionCol("user_agent"))});
    }
    co_return out;
}

asio::awaitable<void> Repository::RevokeSession(std::int64_t session_id, std::string reason) {
    co_await pool_.Query(kRevokeSession, Params::Of(session_id, reason));
}

asio::awaitable<void> Repository::RevokeSession(db::Transaction tx, std::int64_t session_id, std::string reason) {
    co_await tx.Query(kRevokeSession, Params::Of(session_id, reason));
}

asio::awaitable<bool> Repository::RevokeOwnSession(std::int64_t session_id, std::int64_t user_id) {
    db::Result r = co_await pool_.Query(kRevokeOwnSession, Params::Of(session_id, user_id));
    co_return !r.Empty();
}

asio::awaitable<void> Repository::RevokeOtherSessions(db::Transaction tx, std::int64_t user_id,
                                                      std::int64_t keep_session_id, std::string reason) {
    co_await tx.Query(kRevokeOtherSessions, Params::Of(user_id, keep_session_id, reason));
}

asio::awaitable<void> Repository::TouchSession(db::Transaction tx, std::int64_t session_id) {
    co_await tx.Query(kTouchSession, Params::Of(session_id));
}

asio::awaitable<void> Repository::InsertRefreshToken(db::Transaction tx, std::string token_hash,
                                                     std::int64_t session_id, std::chrono::seconds ttl) {
    co_await tx.Query(kInsertRefreshToken, Params::Of(token_hash, session_id, static_cast<std::int64_t>(ttl.count())));
}

asio::awaitable<std::optional<RefreshRow>> Repository::LockRefreshToken(db::Transaction tx, std::string token_hash) {
    db::Result r = co_await tx.Query(kLockRefreshToken, Params::Of(token_hash));
    if (r.Empty()) {
        co_return std::nullopt;
    }
    RefreshRow row;
    row.session_id = r.Int(0, RefreshCol("session_id"));
    row.spent = r.Bool(0, RefreshCol("spent"));
    row.expired = r.Bool(0, RefreshCol("expired"));
    row.session_revoked = r.Bool(0, RefreshCol("session_revoked"));
    row.user_id = r.Int(0, RefreshCol("user_id"));
    row.spent_age_s = r.OptDouble(0, RefreshCol("spent_age_s"));
    row.successor_salt = r.OptString(0, RefreshCol("successor_salt"));
    co_return row;
}

asio::awaitable<bool> Repository::RefreshTokenLive(db::Transaction tx, std::string token_hash,
                                                   std::int64_t session_id) {
    db::Result r = co_await tx.Query(kRefreshTokenLive, Params::Of(token_hash, session_id));
    co_return !r.Empty();
}

asio::awaitable<void> Repository::SpendRefreshToken(db::Transaction tx, std::string token_hash, std::string salt) {
    co_await tx.Query(kSpendRefreshToken, Params::Of(token_hash, salt));
}

asio::awaitable<bool> Repository::KeepDevice(db::Transaction tx, std::string token_hash, std::int64_t user_id) {
    db::Result r = co_await tx.Query(kKeepDevice, Params::Of(token_hash, user_id));
    co_return !r.Empty();
}

asio::awaitable<void> Repository::InsertDevice(db::Transaction tx, std::string token_hash, std::int64_t user_id) {
    co_await tx.Query(kInsertDevice, Params::Of(token_hash, user_id));
}

asio::awaitable<void> Repository::TrimDevices(db::Transaction tx, std::int64_t user_id, int keep) {
    co_await tx.Query(kTrimDevices, Params::Of(user_id, static_cast<std::int64_t>(keep)));
}

asio::awaitable<bool> Repository::ReserveDeviceGuess(std::string token_hash, std::int64_t user_id, int max_failures) {
    db::Result r = co_await pool_.Query(kReserveDeviceGuess,
                                        Params::Of(token_hash, user_id, static_cast<std::int64_t>(max_failures)));
    co_return !r.Empty();
}

asio::awaitable<void> Repository::ForgetOtherDevices(db::Transaction tx, std::int64_t user_id, std::string keep_hash) {
    co_await tx.Query(kForgetOtherDevices, Params::Of(user_id, keep_hash));
}

asio::awaitable<SameCity> Repository::FindSameCity(std::int64_t user_id, int limit) {
    db::Result r = co_await pool_.Query(kSelectSameCity, Params::Of(user_id, limit));
    SameCity out;
    for (int row = 0; row < r.Rows(); ++row) {
        out.city = r.String(row, 0);
        if (!r.IsNull(row, 1)) {
            out.user_ids.push_back(r.Int(row, 1));
        }
    }
    co_return out;
}

asio::awaitable<std::vector<SearchHit>> Repository::SearchUsers(
    SearchTerms terms, std::int64_t viewer_id, std::vector<std::int64_t> excluded, int fetch,
    std::optional<std::pair<std::int64_t, std::int64_t>> after) {
    Params params = Params::Of(terms.text, viewer_id, Int64Array(excluded), fetch, after.has_value(),
                               after ? after->first : 0, after ? after->second : 0);
    // The settings are the session's: set for this transaction only, so pooled connections keep the
    // defaults for anyone else.
    db::Transaction tx = co_await pool_.Begin();
    co_await tx.Query(kSetSearchSettings);
    db::Result r = co_await tx.Query(kSearchUsers, std::move(params));
    co_await tx.Commit();
    std::vector<SearchHit> out;
    out.reserve(r.Rows());
    for (int row = 0; row < r.Rows(); ++row) {
        out.push_back(SearchHit{.id = r.Int(row, 0),
                                .username = r.OptString(row, 1),
                                .display_name = r.String(row, 2),
                                .city = r.OptString(row, 3),
                                .rank = r.Int(row, 4)});
    }
    co_return out;
}

}  // namespace strava1::accounts
