#include "service.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>

#include "refresh_rotation.hpp"
#include "strava1/app/policy.hpp"
#include "strava1/auth/local_tokens.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/base/field_errors.hpp"
#include "strava1/base/log.hpp"
#include "strava1/base/offload.hpp"
#include "validation.hpp"

namespace strava1::accounts {
namespace asio = boost::asio;

namespace {

// Wrong passwords with one device cookie before it stops counting as recognised (until a success).
constexpr int kDeviceFailuresTrusted = 5;
// Devices remembered per user; the least recently used beyond this are forgotten.
constexpr int kMaxDevicesPerUser = 20;

std::string NewSecret() { return crypto::Base64UrlEncode(crypto::RandomBytes(32)); }
std::string TokenHash(std::string_view token) { return crypto::Hex(crypto::Sha256(token)); }

template <class T>
void CheckRange(FieldErrors& errors, const char* field, const json::Patch<T>& p, T lo, T hi) {
    if (p.present && p.value &&
        (*p.value < lo || *p.value > hi ||
         (std::is_floating_point_v<T> && std::isnan(static_cast<double>(*p.value))))) {
        std::ostringstream reason;
        reason << "must be between " << lo << " and " << hi;
        errors.Add(field, reason.str());
    }
}

void CheckChoice(FieldErrors& errors, const char* field, const json::Patch<std::string>& p,
                 std::initializer_list<std::string_view> allowed, bool nullable) {
    if (!p.present) {
        return;
    }
    if (!p.value) {
        if (!nullable) {
            errors.Add(field, "must not be null");
        }
        return;
    }
    if (std::find(allowed.begin(), allowed.end(), *p.value) == allowed.end()) {
        std::string list;
        for (auto a : allowed) {
            list += (list.empty() ? "" : ", ") + std::string(a);
        }
        errors.Add(field, "must be one of " + list);
    }
}

}  // namespace

// --- CPU work off the I/O threads ---------------------------------------------------------------

asio::awaitable<std::string> Service::Hash(std::string password) {
    auto work = [&password, cost = Cost()] { return HashPassword(password, cost); };
    co_return co_await OnCpu(deps_.cpu, work);
}

asio::awaitable<bool> Service::Verify(std::string password, std::string hash) {
    auto work = [&password, &hash] { return VerifyPassword(password, hash); };
    co_return co_await OnCpu(deps_.cpu, work);
}

asio::awaitable<bool> Service::VerifyAgainstDummy(std::string password) {
    auto work = [&password, cost = Cost()] {
        static const std::string kInteractive = HashPassword("not-a-real-password", HashCost::kInteractive);
        static const std::string kFast = HashPassword("not-a-real-password", HashCost::kFast);
        return VerifyPassword(password, cost == HashCost::kFast ? kFast : kInteractive);
    };
    co_return co_await OnCpu(deps_.cpu, work);
}

// --- Sessions and devices -------------------------------------------------------------------------

asio::awaitable<IssuedTokens> Service::OpenSession(db::Transaction tx, std::int64_t user_id, std::string user_agent) {
    // Temporaries of a ?: must not live inside a co_await expression (GCC 12 destroys them twice).
    std::optional<std::string> agent;
    if (!user_agent.empty()) {
        agent = user_agent.substr(0, 300);
    }
    const std::int64_t session_id = co_await repository_.InsertSession(tx, user_id, agent);
    std::string refresh = NewSecret();
    co_await repository_.InsertRefreshToken(tx, TokenHash(refresh), session_id, options_.refresh_ttl);
    co_return Tokens(user_id, session_id, refresh);
}

IssuedTokens Service::Tokens(std::int64_t user_id, std::int64_t session_id, std::string refresh) const {
    if (deps_.issuer == nullptr) {
        throw Error(ErrorKind::kPermissionDenied, "local sign-in is disabled; sign in with Firebase");
    }
    auto issued = deps_.issuer->Issue(std::to_string(user_id), session_id);
    auto ttl = std::chrono::duration_cast<std::chrono::seconds>(issued.expires_at - issued.issued_at).count();
    return IssuedTokens{issued.token, ttl, std::move(refresh)};
}

asio::awaitable<std::string> Service::RememberDevice(db::Transaction tx, std::int64_t user_id, std::string presented) {
    if (!presented.empty()) {
        const bool kept = co_await repository_.KeepDevice(tx, TokenHash(presented), user_id);
        if (kept) {
            co_return presented;
        }
    }
    std::string token = NewSecret();
    co_await repository_.InsertDevice(tx, TokenHash(token), user_id);
    co_await repository_.TrimDevices(tx, user_id, kMaxDevicesPerUser);
    co_return token;
}

// --- Sign-up, sign-in, refresh, sign-out ----------------------------------------------------------

asio::awaitable<SignedIn> Service::Signup(SignupBody body, Client client) {
    std::string email = NormaliseEmail(body.email);
    FieldErrors errors;
    errors.Check("email", CheckEmail(email));
    errors.Check("password", CheckPassword(body.password, email));
    errors.Check("display_name", CheckDisplayName(body.display_name));
    errors.ThrowIfAny();
    if (deps_.issuer == nullptr) {
        throw Error(ErrorKind::kPermissionDenied, "local sign-up is disabled; sign in with Firebase");
    }
    std::string hash = co_await Hash(body.password);
    db::Transaction tx = co_await deps_.pool.Begin();
    std::int64_t user_id = 0;
    try {
        user_id = co_await repository_.InsertUser(tx, email, body.display_name);
    } catch (const db::DbError& e) {
        if (e.Sqlstate() == "23505") {
            throw Error(ErrorKind::kConflict, "an account with this email already exists",
                        {{"email", "is already registered"}});
        }
        throw;
    }
    co_await repository_.InsertCredentials(tx, user_id, hash);
    SignedIn out;
    out.tokens = co_await OpenSession(tx, user_id, client.user_agent);
    out.device_cookie = co_await RememberDevice(tx, user_id, std::string());
    co_await tx.Commit();
    out.me = co_await Me(user_id);
    co_return out;
}

asio::awaitable<SignedIn> Service::Login(LoginBody body, Client client) {
    std::string email = NormaliseEmail(body.email);
    // (The ?: stays out of the co_await expression: GCC 12 destroys such temporaries twice.)
    std::string device_hash = client.device_cookie.empty() ? std::string() : TokenHash(client.device_cookie);
    std::optional<LoginRow> account = co_await repository_.FindLogin(email, device_hash);
    const bool known_device = account && account->known_device;
    // Take one of the device's trusted guesses before the password is checked, in one statement.
    // (No co_await inside && or ?:, whose temporaries GCC 12 destroys twice.)
    bool recognised = false;
    if (known_device) {
        recognised = co_await repository_.ReserveDeviceGuess(device_hash, account->user_id, kDeviceFailuresTrusted);
    }
    // Counted as a failure from here on (on the throttle, or on the device when recognised) until it succeeds.
    ThrottleVerdict verdict = throttle_.Admit(email, client.remote_ip, recognised);
    if (verdict.retry_after_s > 0) {
        throw Error(ErrorKind::kRateLimited,
                    "too many sign-in attempts; retry in " + std::to_string(verdict.retry_after_s) + " s")
            .WithRetryAfter(verdict.retry_after_s);
    }
    if (verdict.delay.count() > 0) {
        // The attempt's turn on this account. Waited whatever the password, so it reveals nothing.
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(verdict.delay);
        co_await timer.async_wait(asio::use_awaitable);
    }
    if (!account) {
        // Same work as a wrong password, so response time does not reveal which emails exist.
        co_await VerifyAgainstDummy(body.password);
        throw Error(ErrorKind::kUnauthenticated, "wrong email or password");
    }
    const bool verified = co_await Verify(body.password, account->password_hash);
    if (!verified) {
        throw Error(ErrorKind::kUnauthenticated, "wrong email or password");
    }
    // Told only to whoever knows the password: the suspension is not revealed to others.
    RequireGoodStanding(account->standing);
    throttle_.Succeeded(email, client.remote_ip, recognised);  // RememberDevice resets the device's count
    db::Transaction tx = co_await deps_.pool.Begin();
    SignedIn out;
    out.tokens = co_await OpenSession(tx, account->user_id, client.user_agent);
    std::string presented = known_device ? client.device_cookie : std::string();
    out.device_cookie = co_await RememberDevice(tx, account->user_id, presented);
    co_await tx.Commit();
    out.me = co_await Me(account->user_id);
    co_return out;
}

asio::awaitable<Refreshed> Service::Refresh(RefreshBody body) {
    if (body.refresh_token.empty() || body.refresh_token.size() > 200) {
        throw Error(ErrorKind::kUnauthenticated, "invalid refresh token");
    }
    const std::string presented_hash = TokenHash(body.refresh_token);
    db::Transaction tx = co_await deps_.pool.Begin();
    std::optional<RefreshRow> token = co_await repository_.LockRefreshToken(tx, presented_hash);
    if (!token) {
        throw Error(ErrorKind::kUnauthenticated, "invalid refresh token");
    }
    RefreshState state;
    state.spent = token->spent;
    state.expired = token->expired;
    state.session_revoked = token->session_revoked;
    std::string successor;
    if (state.spent) {
        state.spent_age_s = token->spent_age_s.value_or(1e18);
        if (token->successor_salt) {
            successor = DeriveSuccessor(body.refresh_token, *token->successor_salt);
            state.successor_live = co_await repository_.RefreshTokenLive(tx, TokenHash(successor), token->session_id);
        }
    }
    switch (DecideRefresh(state, options_.refresh_reuse_grace)) {
        case RefreshDecision::kRevokeFamily:
            // A spent token came back after the grace window: it was stolen or replayed.
            co_await repository_.RevokeSession(tx, token->session_id, "refresh token reuse");
            co_await tx.Commit();
            cache_.ForgetSession(token->session_id);
            log::Warn("refresh token reuse; session revoked", {{"session_id", token->session_id}});
            throw Error(ErrorKind::kUnauthenticated, "refresh token already used; the session has been signed out");
        case RefreshDecision::kEnded:
            throw Error(ErrorKind::kUnauthenticated, "the session has ended; sign in again");
        case RefreshDecision::kReplaySuccessor:
            // Another tab rotated this token a moment ago: the same refresh token again, with a
            // fresh access token for the same session.
            co_await tx.Commit();
            break;
        case RefreshDecision::kRotate: {
            std::string salt = crypto::Base64UrlEncode(crypto::RandomBytes(16));
            successor = DeriveSuccessor(body.refresh_token, salt);
            co_await repository_.SpendRefreshToken(tx, presented_hash, salt);
            co_await repository_.InsertRefreshToken(tx, TokenHash(successor), token->session_id, options_.refresh_ttl);
            co_await repository_.TouchSession(tx, token->session_id);
            co_await tx.Commit();
            break;
        }
    }
    Refreshed out;
    out.tokens = Tokens(token->user_id, token->session_id, successor);
    out.me = co_await Me(token->user_id);
    co_return out;
}

asio::awaitable<void> Service::Logout(Principal who) {
    if (who.session_id != 0) {
        co_await repository_.RevokeSession(who.session_id, "logout");
        cache_.ForgetSession(who.session_id);
    }
}

asio::awaitable<void> Service::ChangePassword(Principal who, PasswordBody body, Client client) {
    std::optional<CredentialRow> credentials = co_await repository_.FindCredentials(who.user_id);
    if (!credentials) {
        throw Error(ErrorKind::kPermissionDenied, "this account has no password (it signs in with Firebase)");
    }
    FieldErrors errors;
    errors.Check("new_password", CheckPassword(body.new_password, credentials->email.value_or("")));
    errors.ThrowIfAny();
    const bool verified = co_await Verify(body.current_password, credentials->password_hash);
    if (!verified) {
        throw Error(ErrorKind::kInvalidArgument, "current_password: is wrong", {{"current_password", "is wrong"}});
    }
    std::string hash = co_await Hash(body.new_password);
    // A lost or stolen device must not keep its exemption from sign-in throttling: every device is
    // forgotten but the one making the change (the cookie's path covers this route), which just
    // proved the current password and keeps its session too.
    std::string keep_device = client.device_cookie.empty() ? std::string() : TokenHash(client.device_cookie);
    db::Transaction tx = co_await deps_.pool.Begin();
    co_await repository_.UpdatePassword(tx, who.user_id, hash);
    co_await repository_.RevokeOtherSessions(tx, who.user_id, who.session_id, "password changed");
    co_await repository_.ForgetOtherDevices(tx, who.user_id, keep_device);
    co_await tx.Commit();
}

asio::awaitable<std::vector<SessionView>> Service::Sessions(Principal who) {
    std::vector<SessionView> out;
    std::vector<SessionRow> rows = co_await repository_.ListLiveSessions(who.user_id);
    for (auto& row : rows) {
        const bool current = row.id == who.session_id;
        out.push_back(SessionView{row.id, std::move(row.created_at), std::move(row.last_used_at),
                                  std::move(row.user_agent), current});
    }
    co_return out;
}

asio::awaitable<void> Service::RevokeSession(Principal who, std::int64_t session_id) {
    // Owner only: another user's session answers as a missing one.
    const bool revoked = co_await repository_.RevokeOwnSession(session_id, who.user_id);
    if (!revoked) {
        throw NotFound("session");
    }
    cache_.ForgetSession(session_id);
}

// --- Profiles -------------------------------------------------------------------------------------

asio::awaitable<db::Result> Service::Me(std::int64_t user_id) {
    co_return app::Found(co_await repository_.FindMe(user_id), "user");
}

void Service::CheckProfilePatch(const PatchMeBody& body, SystemTime today, FieldErrors& errors) {
    auto free_text = [&](const char* field, const json::Patch<std::string>& p, text::Lines lines, std::size_t max) {
        if (p.present && p.value) {
            errors.Check(field, CheckText(*p.value, lines, max));
        }
    };
    if (body.username.present && body.username.value) {
        errors.Check("username", CheckUsername(*body.username.value));
    }
    if (body.display_name.present) {
        errors.Check("display_name",
                     body.display_name.value ? CheckDisplayName(*body.display_name.value) : "must not be null");
    }
    free_text("bio", body.bio, text::Lines::kMulti, 1000);
    free_text("city", body.city, text::Lines::kSingle, 100);
    if (body.country.present && body.country.value) {
        errors.Check("country", CheckCountry(*body.country.value));
    }
    CheckChoice(errors, "sex", body.sex, {"male", "female", "other"}, true);
    if (body.birthdate.present && body.birthdate.value) {
        auto date = ParseDate(*body.birthdate.value);
        auto day = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(today)};
        if (!date || date->year() < std::chrono::year(1900) ||
            std::chrono::sys_days(*date) > std::chrono::sys_days(day)) {
            errors.Add("birthdate", "must be a date YYYY-MM-DD between 1900 and today");
        }
    }
    CheckRange(errors, "weight_kg", body.weight_kg, 20.0, 400.0);
    CheckRange(errors, "height_cm", body.height_cm, 50.0, 272.0);
    CheckRange(errors, "max_hr_bpm", body.max_hr_bpm, 100, 250);
    CheckRange(errors, "resting_hr_bpm", body.resting_hr_bpm, 25, 120);
    CheckRange(errors, "ftp_w", body.ftp_w, 30, 2000);
    CheckRange(errors, "hide_endpoints_m", body.hide_endpoints_m, 0, 1600);
    if (body.hide_endpoints_m.present && !body.hide_endpoints_m.value) {
        errors.Add("hide_endpoints_m", "must not be null");
    }
    CheckChoice(errors, "units", body.units, {"metric", "imperial"}, false);
    if (body.time_zone.present) {
        errors.Check("time_zone", body.time_zone.value ? CheckTimeZone(*body.time_zone.value) : "must not be null");
    }
    CheckChoice(errors, "default_visibility", body.default_visibility, {"everyone", "followers", "only_me"}, false);
    CheckChoice(errors, "message_policy", body.message_policy, {"everyone", "followers", "nobody"}, false);
    if (body.resting_hr_bpm.value && body.max_hr_bpm.value && *body.resting_hr_bpm.value >= *body.max_hr_bpm.value) {
        errors.Add("resting_hr_bpm", "must be below max_hr_bpm");
    }
}

asio::awaitable<db::Result> Service::UpdateMe(Principal who, PatchMeBody body) {
    FieldErrors errors;
    CheckProfilePatch(body, deps_.clock.Now(), errors);
    errors.ThrowIfAny();
    try {
        co_return app::Found(co_await repository_.UpdateMe(who.user_id, body), "user");
    } catch (const db::DbError& e) {
        if (e.Sqlstate() == "23505" && e.Constraint() == "users_username_key") {
            throw Error(ErrorKind::kConflict, "username: is taken", {{"username", "is taken"}});
        }
        throw;
    }
}

asio::awaitable<void> Service::DeleteMe(Principal who, DeleteMeBody body) {
    std::optional<CredentialRow> credentials = co_await repository_.FindCredentials(who.user_id);
    const bool recent = deps_.clock.Now() - who.auth_time <= options_.recent_auth;
    if (credentials) {
        if (!body.password) {
            throw Error(ErrorKind::kInvalidArgument, "password: is required to delete the account",
                        {{"password", "is required to delete the account"}});
        }
        const bool verified = co_await Verify(*body.password, credentials->password_hash);
        if (!verified) {
            throw Error(ErrorKind::kInvalidArgument, "password: is wrong", {{"password", "is wrong"}});
        }
    } else if (!recent) {
        throw Error(ErrorKind::kUnauthenticated, "sign in again (within the last 5 minutes) to delete the account");
    }
    // ON DELETE CASCADE reaches every table that references users (later features add theirs), so
    // no row of the account outlives this commit; "user.deleted", published in the same
    // transaction, tells subscribers to remove what lives outside the database (ADR 0013).
    const std::int64_t user_id = who.user_id;
    jobs::Event deleted{kUserDeleted, boost::json::object{{"user_id", user_id}}};
    auto remove = [&](db::Transaction& tx) -> asio::awaitable<void> {
        co_await Repository::DeleteUser(tx, user_id);
        co_await deps_.jobs.Publish(tx, deleted);
    };
    co_await db::RunInTransaction<void>(repository_.Pool(), remove);
    cache_.ForgetUser(who.user_id);
    log::Info("account deleted", {{"user_id", who.user_id}});
}

asio::awaitable<std::pair<db::Result, app::Relationship>> Service::PublicProfile(std::int64_t viewer_id,
                                                                                 std::int64_t user_id) {
    db::Result profile = app::Found(co_await repository_.FindPublicProfile(user_id), "user");
    app::Relationship relationship;
    if (deps_.relations != nullptr) {
        relationship = co_await deps_.relations->RelationshipOf(viewer_id, user_id);
    }
    if (relationship.blocked) {
        throw NotFound("user");  // as for a missing user: neither side learns of the other
    }
    co_return std::make_pair(std::move(profile), std::move(relationship));
}

asio::awaitable<std::vector<std::pair<SearchHit, app::Relationship>>> Service::Search(
    std::int64_t viewer_id, SearchTerms terms, int fetch, std::optional<std::pair<std::int64_t, std::int64_t>> after) {
    std::vector<std::int64_t> excluded;
    if (deps_.relations != nullptr) {
        excluded = co_await deps_.relations->BlockedWith(viewer_id);
    }
    std::vector<SearchHit> hits =
        co_await repository_.SearchUsers(std::move(terms), viewer_id, std::move(excluded), fetch, after);
    std::vector<std::int64_t> ids;
    ids.reserve(hits.size());
    for (const auto& hit : hits) {
        ids.push_back(hit.id);
    }
    std::unordered_map<std::int64_t, app::Relationship> relations;
    if (deps_.relations != nullptr) {
        relations = co_await deps_.relations->RelationshipsOf(viewer_id, std::move(ids));
    }
    std::vector<std::pair<SearchHit, app::Relationship>> out;
    out.reserve(hits.size());
    for (auto& hit : hits) {
        auto it = relations.find(hit.id);
        app::Relationship rel = it == relations.end() ? app::Relationship{} : it->second;
        if (rel.blocked) {
            continue;  // a block made between the two statements
        }
        out.emplace_back(std::move(hit), std::move(rel));
    }
    co_return out;
}

}  // namespace strava1::accounts
