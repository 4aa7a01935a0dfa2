#pragma once

// Accounts' tables and nothing else: one named SQL statement per operation (repository.cpp), rows read
// by column name (db/columns.hpp). It runs what it is asked and decides nothing; SQLSTATEs come back as
// db::DbError for the service to interpret.

#include <boost/asio/awaitable.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "account_standing.hpp"
#include "people_search.hpp"
#include "strava1/accounts/profiles.hpp"
#include "strava1/base/clock.hpp"
#include "strava1/db/columns.hpp"
#include "strava1/db/pool.hpp"
#include "wire.hpp"

namespace strava1::accounts {

// --- users ---------------------------------------------------------------------------------------

/// The owner's view of a user (GET/PATCH /v1/me), rendered by WriteMe.
inline constexpr std::array kMeColumns = std::to_array<db::Column>({
    {"id", "id"},
    {"email", "email"},
    {"username", "username"},
    {"display_name", "display_name"},
    {"bio", "bio"},
    {"city", "city"},
    {"country", "country"},
    {"sex", "sex"},
    {"birthdate", "to_char(birthdate, 'YYYY-MM-DD')"},
    {"weight_kg", "weight_kg"},
    {"height_cm", "height_cm"},
    {"max_hr_bpm", "max_hr_bpm"},
    {"resting_hr_bpm", "resting_hr_bpm"},
    {"ftp_w", "ftp_w"},
    {"units", "units"},
    {"time_zone", "time_zone"},
    {"default_visibility", "default_visibility"},
    {"message_policy", "message_policy"},
    {"created_at", "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"updated_at", "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"hide_endpoints_m", "hide_endpoints_m"},
    {"approve_followers", "approve_followers"},
});
consteval int MeCol(std::string_view name) { return db::ColumnIndex(kMeColumns, name); }

/// A user as anyone signed in sees them (GET /v1/users/{user_id}), rendered by WritePublicProfile.
inline constexpr std::array kPublicProfileColumns = std::to_array<db::Column>({
    {"id", "id"},
    {"username", "username"},
    {"display_name", "display_name"},
    {"bio", "bio"},
    {"city", "city"},
    {"country", "country"},
    {"created_at", "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
});
consteval int PublicCol(std::string_view name) { return db::ColumnIndex(kPublicProfileColumns, name); }

/// One hit of people search, with its rank (people_search.hpp) for the cursor.
struct SearchHit {
    std::int64_t id = 0;
    std::optional<std::string> username;
    std::string display_name;
    std::optional<std::string> city;
    std::int64_t rank = 0;
};

/// What a password sign-in needs: the account of an email, its hash, whether the presented device
/// cookie is one of this account's.
struct LoginRow {
    std::int64_t user_id = 0;
    std::string password_hash;
    bool known_device = false;
    StandingRow standing;
};

/// A local account's password hash and email (for the password rules).
struct CredentialRow {
    std::string password_hash;
    std::optional<std::string> email;
};

// --- auth_sessions and refresh_tokens ------------------------------------------------------------

struct SessionStateRow {
    std::int64_t user_id = 0;
    bool live = false;  ///< not revoked
    SystemTime auth_time{};
    StandingRow standing;
};

struct FirebaseIdentityRow {
    std::int64_t user_id = 0;
    StandingRow standing;
};

struct SessionRow {
    std::int64_t id = 0;
    std::string created_at;
    std::string last_used_at;
    std::optional<std::string> user_agent;
};

/// A presented refresh token and its session, locked for the rotation decision.
struct RefreshRow {
    std::int64_t session_id = 0;
    std::int64_t user_id = 0;
    bool spent = false;
    bool expired = false;
    bool session_revoked = false;
    std::optional<double> spent_age_s;  ///< by the clock now, not the transaction's start
    std::optional<std::string> successor_salt;
};

class Repository {
public:
    explicit Repository(db::Pool& pool) : pool_(pool) {}
    db::Pool& Pool() { return pool_; }

    // users
    boost::asio::awaitable<std::optional<db::Result>> FindMe(std::int64_t user_id);
    boost::asio::awaitable<std::int64_t> InsertUser(db::Transaction tx, std::string email, std::string display_name);
    /// Applies the present members of `patch`; the updated row (kMeColumns), or nullopt when the user is gone.
    boost::asio::awaitable<std::optional<db::Result>> UpdateMe(std::int64_t user_id, const PatchMeBody& patch);
    /// Deletes the user in `tx`; ON DELETE CASCADE takes every row that references it, at once.
    static boost::asio::awaitable<void> DeleteUser(db::Transaction tx, std::int64_t user_id);
    boost::asio::awaitable<std::optional<db::Result>> FindPublicProfile(std::int64_t user_id);
    boost::asio::awaitable<std::vector<ProfileFacts>> FindProfileFacts(std::vector<std::int64_t> user_ids,
                                                                       std::vector<std::int64_t> local_dates_of_us);
    boost::asio::awaitable<std::optional<std::int64_t>> FindIdByEmail(std::string email);
    boost::asio::awaitable<std::vector<std::pair<std::string, std::int64_t>>> FindIdsByUsername(
        std::vector<std::string> usernames);
    boost::asio::awaitable<SameCity> FindSameCity(std::int64_t user_id, int limit);
    /// Up to `fetch` users matching `terms`, best first (rank descending, then id), after the
    /// (rank, id) `after` when given, leaving out `viewer_id` and `excluded`.
    boost::asio::awaitable<std::vector<SearchHit>> SearchUsers(
        SearchTerms terms, std::int64_t viewer_id, std::vector<std::int64_t> excluded, int fetch,
        std::optional<std::pair<std::int64_t, std::int64_t>> after);

    // The site role and suspension (ADR 0024). Each returns the user's id, nullopt for no such user.
    boost::asio::awaitable<std::optional<std::int64_t>> SetRole(std::string email, std::string role);
    /// Sets or clears suspended_at; suspending also revokes every live session, in one transaction.
    boost::asio::awaitable<bool> SetSuspended(std::int64_t user_id, bool suspended);

    // local_credentials
    /// `email` already normalised; `device_hash` empty when no cookie was presented.
    boost::asio::awaitable<std::optional<LoginRow>> FindLogin(std::string email, std::string device_hash);
    boost::asio::awaitable<void> InsertCredentials(db::Transaction tx, std::int64_t user_id, std::string hash);
    boost::asio::awaitable<std::optional<CredentialRow>> FindCredentials(std::int64_t user_id);
    boost::asio::awaitable<void> UpdatePassword(db::Transaction tx, std::int64_t user_id, std::string hash);

    // auth_identities (Firebase)
    boost::asio::awaitable<std::optional<FirebaseIdentityRow>> FindFirebaseUser(std::string uid);
    /// Creates the user and the identity, unless a concurrent first request did (nullopt then).
    /// `email` is left out when another account has it.
    boost::asio::awaitable<std::optional<std::int64_t>> ProvisionFirebaseUser(std::string uid,
                                                                              std::optional<std::string> email,
                                                                              std::string display_name);

    // auth_sessions
    boost::asio::awaitable<std::int64_t> InsertSession(db::Transaction tx, std::int64_t user_id,
                                                       std::optional<std::string> user_agent);
    boost::asio::awaitable<std::optional<SessionStateRow>> FindSessionState(std::int64_t session_id);
    boost::asio::awaitable<std::vector<SessionRow>> ListLiveSessions(std::int64_t user_id);
    boost::asio::awaitable<void> RevokeSession(std::int64_t session_id, std::string reason);
    boost::asio::awaitable<void> RevokeSession(db::Transaction tx, std::int64_t session_id, std::string reason);
    /// Revokes the session when it is `user_id`'s and live; false otherwise.
    boost::asio::awaitable<bool> RevokeOwnSession(std::int64_t session_id, std::int64_t user_id);
    boost::asio::awaitable<void> RevokeOtherSessions(db::Transaction tx, std::int64_t user_id,
                                                     std::int64_t keep_session_id, std::string reason);
    boost::asio::awaitable<void> TouchSession(db::Transaction tx, std::int64_t session_id);

    // refresh_tokens
    boost::asio::awaitable<void> InsertRefreshToken(db::Transaction tx, std::string token_hash, std::int64_t session_id,
                                                    std::chrono::seconds ttl);
    boost::asio::awaitable<std::optional<RefreshRow>> LockRefreshToken(db::Transaction tx, std::string token_hash);
    boost::asio::awaitable<bool> RefreshTokenLive(db::Transaction tx, std::string token_hash, std::int64_t session_id);
    boost::asio::awaitable<void> SpendRefreshToken(db::Transaction tx, std::string token_hash, std::string salt);

    // known_devices
    /// Marks the device used and clears its failures when it is `user_id`'s; false otherwise.
    boost::asio::awaitable<bool> KeepDevice(db::Transaction tx, std::string token_hash, std::int64_t user_id);
    boost::asio::awaitable<void> InsertDevice(db::Transaction tx, std::string token_hash, std::int64_t user_id);
    /// Forgets the user's least recently used devices beyond `keep`.
    boost::asio::awaitable<void> TrimDevices(db::Transaction tx, std::int64_t user_id, int keep);
    /// Takes one of the device's trusted guesses (fewer than `max_failures` taken); false when none is left.
    boost::asio::awaitable<bool> ReserveDeviceGuess(std::string token_hash, std::int64_t user_id, int max_failures);
    boost::asio::awaitable<void> ForgetOtherDevices(db::Transaction tx, std::int64_t user_id, std::string keep_hash);

private:
    db::Pool& pool_;
};

}  // namespace strava1::accounts
