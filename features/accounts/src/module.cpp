#include "strava1/accounts/module.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "dto.hpp"
#include "passwords.hpp"
#include "refresh_rotation.hpp"
#include "sign_in_throttle.hpp"
#include "strava1/auth/firebase_verifier.hpp"
#include "strava1/auth/local_tokens.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/base/field_errors.hpp"
#include "strava1/base/json_writer.hpp"
#include "strava1/base/log.hpp"
#include "strava1/base/offload.hpp"
#include "strava1/db/pool.hpp"
#include "validation.hpp"

namespace strava1::accounts {
namespace asio = boost::asio;
using db::Params;
using http::RequestPtr;
using http::Response;

namespace {

// Columns of the owner's view of a user (GET/PATCH /v1/me), in MeText's order.
constexpr const char* kMeColumns =
    "id, email, username, display_name, bio, city, country, sex, to_char(birthdate, 'YYYY-MM-DD'), weight_kg, "
    "height_cm, max_hr_bpm, resting_hr_bpm, ftp_w, units, time_zone, default_visibility, message_policy, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), hide_endpoints_m";

// Device cookies (ADR 0002): proof of an earlier successful sign-in to one account. Not a credential:
// it only exempts that account's sign-ins from the throttle. Path-scoped to the auth routes.
constexpr std::string_view kDeviceCookie = "strava1_device";
constexpr int kDeviceCookieMaxAgeS = 365 * 24 * 3600;
// Wrong passwords with one device cookie before it stops counting as recognised (until a success).
constexpr int kDeviceFailuresTrusted = 5;
// Devices remembered per user; the least recently used beyond this are forgotten.
constexpr int kMaxDevicesPerUser = 20;

/// The value of cookie `name` in a Cookie header ("a=1; b=2"), or empty.
std::string_view CookieValue(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        auto semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') {
            pair.remove_prefix(1);
        }
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
            return pair.substr(eq + 1);
        }
    }
    return {};
}

/// The device cookie a request presents, or empty (none, or too long to be one of ours).
std::string PresentedDevice(const http::Request& req) {
    std::string_view value = CookieValue(req.Header("cookie"), kDeviceCookie);
    return value.size() > 100 ? std::string() : std::string(value);
}

/// `secure`: the request came over HTTPS (Request::secure). Only then is the cookie marked Secure: a
/// self-hosted install may be reached over plain HTTP on a LAN, where a Secure cookie would not be
/// kept at all.
std::string DeviceSetCookie(std::string_view token, bool secure) {
    return std::string(kDeviceCookie) + "=" + std::string(token) +
           "; Path=/v1/auth; Max-Age=" + std::to_string(kDeviceCookieMaxAgeS) + "; HttpOnly; SameSite=Strict" +
           (secure ? "; Secure" : "");
}

// The owner's view of a user as JSON text, written straight from the row: GET /v1/me is the most
// frequent authenticated call, and building a boost::json::object first cost more than the query.
/// Members of a JSON object from columns of a one-row result (SQL NULL → JSON null).
struct RowWriter {
    const db::Result& r;
    json::Writer& w;
    void Text(const char* key, int col) {
        w.Key(key);
        r.IsNull(0, col) ? w.Null() : w.String(r.String(0, col));
    }
    void Number(const char* key, int col) {
        w.Key(key);
        r.IsNull(0, col) ? w.Null() : w.Double(r.Double(0, col));
    }
    void Integer(const char* key, int col) {
        w.Key(key);
        r.IsNull(0, col) ? w.Null() : w.Int(r.Int(0, col));
    }
};

std::string MeText(const db::Result& r) {
    std::string out;
    out.reserve(512);
    json::Writer w(out);
    RowWriter row{r, w};
    w.BeginObject();
    row.Integer("id", 0);
    row.Text("email", 1);
    row.Text("username", 2);
    row.Text("display_name", 3);
    row.Text("bio", 4);
    row.Text("city", 5);
    row.Text("country", 6);
    row.Text("sex", 7);
    row.Text("birthdate", 8);
    row.Number("weight_kg", 9);
    row.Number("height_cm", 10);
    row.Integer("max_hr_bpm", 11);
    row.Integer("resting_hr_bpm", 12);
    row.Integer("ftp_w", 13);
    row.Text("units", 14);
    row.Text("time_zone", 15);
    row.Text("default_visibility", 16);
    row.Text("message_policy", 17);
    row.Text("created_at", 18);
    row.Text("updated_at", 19);
    row.Integer("hide_endpoints_m", 20);
    w.EndObject();
    return out;
}

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

struct Module::Impl final : http::Authenticator, accounts::Profiles {
    Deps deps;
    Options options;

    struct SessionState {
        bool live = false;
        std::int64_t user_id = 0;
        SystemTime auth_time{};
        std::chrono::steady_clock::time_point checked;
    };
    std::mutex cache_mutex;
    std::unordered_map<std::int64_t, SessionState> session_cache;
    std::unordered_map<std::string, std::int64_t> firebase_users;  // uid -> user id
    // Verified local tokens: a token's signature check is deterministic, so a hit skips the ECDSA
    // verification (the dominant cost of an authenticated request). Expiry is still checked on use.
    std::unordered_map<std::string, auth::LocalTokenClaims> verified_tokens;
    static constexpr std::size_t kMaxVerifiedTokens = 50000;

    SignInThrottle throttle;

    Impl(Deps d, Options o) : deps(d), options(o), throttle(d.clock) {}

    HashCost Cost() const { return options.fast_password_hash ? HashCost::kFast : HashCost::kInteractive; }

    // --- CPU work off the I/O threads -------------------------------------------------------
    asio::awaitable<std::string> Hash(std::string password) {
        auto work = [&password, cost = Cost()] { return HashPassword(password, cost); };
        co_return co_await OnCpu(deps.cpu, work);
    }
    asio::awaitable<bool> Verify(std::string password, std::string hash) {
        auto work = [&password, &hash] { return VerifyPassword(password, hash); };
        co_return co_await OnCpu(deps.cpu, work);
    }
    /// The same work as a wrong password, for an email nobody registered.
    asio::awaitable<bool> VerifyAgainstDummy(std::string password) {
        auto work = [&password, cost = Cost()] {
            static const std::string kInteractive = HashPassword("not-a-real-password", HashCost::kInteractive);
            static const std::string kFast = HashPassword("not-a-real-password", HashCost::kFast);
            return VerifyPassword(password, cost == HashCost::kFast ? kFast : kInteractive);
        };
        co_return co_await OnCpu(deps.cpu, work);
    }

    // --- Sessions and tokens -----------------------------------------------------------------
    static std::string NewRefreshToken() { return crypto::Base64UrlEncode(crypto::RandomBytes(32)); }
    static std::string TokenHash(std::string_view token) { return crypto::Hex(crypto::Sha256(token)); }

    asio::awaitable<std::string> LoadMeText(std::int64_t user_id) {
        static const std::string kSql = std::string("SELECT ") + kMeColumns + " FROM users WHERE id = $1";
        db::Result r = co_await deps.pool.QueryPipelined(kSql, Params::Of(user_id));
        if (r.Empty()) {
            throw NotFound("user");
        }
        co_return MeText(r);
    }

    asio::awaitable<boost::json::object> LoadMe(std::int64_t user_id) {
        co_return json::Parse(co_await LoadMeText(user_id)).as_object();
    }

    /// Starts a session inside `tx` and returns the token response body.
    asio::awaitable<boost::json::object> OpenSession(db::Transaction tx, std::int64_t user_id, std::string user_agent) {
        // Temporaries of a ?: must not live inside a co_await expression (GCC 12 destroys them twice).
        std::optional<std::string> agent;
        if (!user_agent.empty()) {
            agent = user_agent.substr(0, 300);
        }
        db::Result s = co_await tx.Query("INSERT INTO auth_sessions (user_id, user_agent) VALUES ($1, $2) RETURNING id",
                                         Params::Of(user_id, agent));
        std::int64_t session_id = s.Int(0, 0);
        std::string refresh = NewRefreshToken();
        co_await tx.Query(
            "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) "
            "VALUES ($1, $2, now() + make_interval(secs => $3))",
            Params::Of(TokenHash(refresh), session_id, static_cast<std::int64_t>(options.refresh_ttl.count())));
        co_return TokenBody(user_id, session_id, refresh);
    }

    boost::json::object TokenBody(std::int64_t user_id, std::int64_t session_id, const std::string& refresh) {
        if (deps.issuer == nullptr) {
            throw Error(ErrorKind::kPermissionDenied, "local sign-in is disabled; sign in with Firebase");
        }
        auto issued = deps.issuer->Issue(std::to_string(user_id), session_id);
        auto ttl = std::chrono::duration_cast<std::chrono::seconds>(issued.expires_at - issued.issued_at).count();
        return {
            {"access_token", issued.token}, {"token_type", "Bearer"}, {"expires_in", ttl}, {"refresh_token", refresh}};
    }

    void ForgetSession(std::int64_t session_id) {
        std::lock_guard lock(cache_mutex);
        session_cache.erase(session_id);
    }

    /// After a successful sign-in: keeps the presented device cookie when it belongs to `user_id`
    /// (its failures start over), else remembers a new device. Returns the Set-Cookie value.
    asio::awaitable<std::string> RememberDevice(db::Transaction tx, std::int64_t user_id, std::string presented,
                                                bool secure) {
        if (!presented.empty()) {
            db::Result kept = co_await tx.Query(
                "UPDATE known_devices SET last_used_at = now(), failed_attempts = 0 "
                "WHERE token_hash = $1 AND user_id = $2 RETURNING 1",
                Params::Of(TokenHash(presented), user_id));
            if (!kept.Empty()) {
                co_return DeviceSetCookie(presented, secure);
            }
        }
        std::string token = crypto::Base64UrlEncode(crypto::RandomBytes(32));
        co_await tx.Query("INSERT INTO known_devices (token_hash, user_id) VALUES ($1, $2)",
                          Params::Of(TokenHash(token), user_id));
        co_await tx.Query(
            "DELETE FROM known_devices WHERE user_id = $1 AND token_hash NOT IN "
            "(SELECT token_hash FROM known_devices WHERE user_id = $1 ORDER BY last_used_at DESC LIMIT $2)",
            Params::Of(user_id, static_cast<std::int64_t>(kMaxDevicesPerUser)));
        co_return DeviceSetCookie(token, secure);
    }

    // --- The profile facts other features read (profiles.hpp) ---------------------------------
    asio::awaitable<std::vector<ProfileFacts>> Find(std::vector<std::int64_t> user_ids,
                                                    std::vector<std::int64_t> local_dates_of_us) override {
        // The day of an instant is computed exactly from its microseconds (no float rounding across midnight).
        static const std::string kSql =
            "SELECT id, username, display_name, units, time_zone, weight_kg, max_hr_bpm::float8, "
            "resting_hr_bpm::float8, ftp_w::float8, sex, extract(year FROM age(now(), birthdate))::float8, "
            "default_visibility, hide_endpoints_m, array_to_string(ARRAY(SELECT to_char((timestamptz 'epoch' + "
            "x.at * interval '1 microsecond') AT TIME ZONE time_zone, 'YYYY-MM-DD') FROM unnest($2::bigint[]) "
            "WITH ORDINALITY AS x(at, n) ORDER BY x.n), ',') FROM users WHERE id = ANY($1::bigint[])";
        std::vector<ProfileFacts> out;
        if (user_ids.empty()) {
            co_return out;
        }
        auto array = [](const std::vector<std::int64_t>& values) {
            std::string text = "{";
            for (std::size_t idx = 0; idx < values.size(); ++idx) {
                text += (idx == 0 ? "" : ",") + std::to_string(values[idx]);
            }
            return text + "}";
        };
        Params params = Params::Of(array(user_ids), array(local_dates_of_us));
        // One user is a point lookup on a hot path (an activity's owner): pipelined. (No co_await
        // inside ?: — GCC 12 destroys such temporaries twice.)
        db::Result r;
        if (user_ids.size() == 1) {
            r = co_await deps.pool.QueryPipelined(kSql, std::move(params));
        } else {
            r = co_await deps.pool.Query(kSql, std::move(params));
        }
        out.reserve(static_cast<std::size_t>(r.Rows()));
        for (int row = 0; row < r.Rows(); ++row) {
            ProfileFacts& f = out.emplace_back();
            f.user_id = r.Int(row, 0);
            f.username = r.OptString(row, 1);
            f.display_name = r.String(row, 2);
            f.units = r.String(row, 3);
            f.time_zone = r.String(row, 4);
            f.weight_kg = r.OptDouble(row, 5);
            f.max_hr_bpm = r.OptDouble(row, 6);
            f.resting_hr_bpm = r.OptDouble(row, 7);
            f.ftp_w = r.OptDouble(row, 8);
            f.sex = r.OptString(row, 9);
            f.age_years = r.OptDouble(row, 10);
            f.default_visibility = r.String(row, 11);
            f.hide_endpoints_m = static_cast<int>(r.Int(row, 12));
            std::string_view dates = r.Text(row, 13);
            while (!dates.empty()) {
                auto comma = dates.find(',');
                f.local_dates.emplace_back(dates.substr(0, comma));
                dates = comma == std::string_view::npos ? std::string_view() : dates.substr(comma + 1);
            }
        }
        co_return out;
    }

    asio::awaitable<std::optional<std::int64_t>> FindIdByEmail(std::string email) override {
        db::Result r =
            co_await deps.pool.Query("SELECT id FROM users WHERE lower(email) = lower($1)", Params::Of(email));
        co_return r.Empty() ? std::nullopt : std::optional<std::int64_t>(r.Int(0, 0));
    }

    // --- Authenticator -------------------------------------------------------------------------
    asio::awaitable<Principal> Authenticate(std::string token) override {
        if (deps.verifier != nullptr) {
            std::optional<auth::LocalTokenClaims> known;
            {
                std::lock_guard lock(cache_mutex);
                auto it = verified_tokens.find(token);
                if (it != verified_tokens.end()) {
                    if (deps.clock.Now() < it->second.expires_at + auth::kMaxClockSkew) {
                        known = it->second;
                    } else {
                        verified_tokens.erase(it);
                    }
                }
            }
            if (known) {
                co_return co_await LocalPrincipal(*known);
            }
            auto claims = deps.verifier->Verify(token);
            if (claims) {
                {
                    std::lock_guard lock(cache_mutex);
                    if (verified_tokens.size() >= kMaxVerifiedTokens) {
                        verified_tokens.clear();
                    }
                    verified_tokens.emplace(token, claims.Value());
                }
                co_return co_await LocalPrincipal(claims.Value());
            }
            if (deps.firebase == nullptr) {
                throw Error(ErrorKind::kUnauthenticated, "invalid access token: " + claims.Reason());
            }
        }
        if (deps.firebase != nullptr) {
            auto user = co_await deps.firebase->Verify(token);
            if (!user) {
                throw Error(ErrorKind::kUnauthenticated, "invalid ID token: " + user.Reason());
            }
            co_return co_await FirebasePrincipal(user.Value());
        }
        throw Error(ErrorKind::kUnauthenticated, "no token verifier is configured");
    }

    asio::awaitable<Principal> LocalPrincipal(auth::LocalTokenClaims claims) {
        auto now = std::chrono::steady_clock::now();
        std::optional<SessionState> cached;
        {
            std::lock_guard lock(cache_mutex);
            auto it = session_cache.find(claims.session_id);
            if (it != session_cache.end() && now - it->second.checked < options.session_cache_ttl) {
                cached = it->second;
            }
        }
        if (!cached) {
            db::Result r = co_await deps.pool.QueryPipelined(
                "SELECT user_id, revoked_at IS NULL, extract(epoch FROM auth_time)::bigint FROM auth_sessions "
                "WHERE id = $1",
                Params::Of(claims.session_id));
            SessionState state;
            state.checked = now;
            if (!r.Empty()) {
                state.live = r.Bool(0, 1);
                state.user_id = r.Int(0, 0);
                state.auth_time = SystemTime{std::chrono::seconds(r.Int(0, 2))};
            }
            std::lock_guard lock(cache_mutex);
            if (session_cache.size() > 100000) {
                session_cache.clear();  // bounded; entries are cheap to refetch
            }
            session_cache[claims.session_id] = state;
            cached = state;
        }
        if (!cached->live || std::to_string(cached->user_id) != claims.user_id) {
            throw Error(ErrorKind::kUnauthenticated, "the session has ended; sign in again");
        }
        co_return Principal{cached->user_id, claims.session_id, cached->auth_time};
    }

    asio::awaitable<Principal> FirebasePrincipal(auth::FirebaseUser user) {
        {
            std::lock_guard lock(cache_mutex);
            auto it = firebase_users.find(user.uid);
            if (it != firebase_users.end()) {
                co_return Principal{it->second, 0, user.auth_time};
            }
        }
        db::Result found = co_await deps.pool.Query(
            "SELECT user_id FROM auth_identities WHERE provider = 'firebase' AND subject = $1", Params::Of(user.uid));
        std::int64_t user_id = 0;
        if (!found.Empty()) {
            user_id = found.Int(0, 0);
        } else {
            // First valid token for this uid: provision the user. Concurrent first requests race on
            // the identity's primary key; the loser reads the winner's row.
            std::string display = user.email ? user.email->substr(0, user.email->find('@')) : "Athlete";
            if (display.empty() || CheckDisplayName(display)) {
                display = "Athlete";
            }
            std::optional<std::string> email;
            if (user.email && !CheckEmail(NormaliseEmail(*user.email))) {
                email = NormaliseEmail(*user.email);
            }
            db::Result created = co_await deps.pool.Query(
                "WITH new_user AS ("
                "  INSERT INTO users (email, display_name) "
                "  SELECT $2, $3 WHERE NOT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($2)) "
                "  UNION ALL SELECT NULL, $3 WHERE EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($2)) "
                "  RETURNING id) "
                "INSERT INTO auth_identities (provider, subject, user_id) "
                "SELECT 'firebase', $1, id FROM new_user ON CONFLICT (provider, subject) DO NOTHING RETURNING user_id",
                Params::Of(user.uid, email, display));
            if (!created.Empty()) {
                user_id = created.Int(0, 0);
            } else {
                db::Result again = co_await deps.pool.Query(
                    "SELECT user_id FROM auth_identities WHERE provider = 'firebase' AND subject = $1",
                    Params::Of(user.uid));
                if (again.Empty()) {
                    throw Error(ErrorKind::kUnavailable, "could not provision the account; retry");
                }
                user_id = again.Int(0, 0);
            }
        }
        std::lock_guard lock(cache_mutex);
        firebase_users[user.uid] = user_id;
        co_return Principal{user_id, 0, user.auth_time};
    }

    // --- Routes ----------------------------------------------------------------------------------
    asio::awaitable<Response> Signup(RequestPtr req) {
        auto body = json::ReadBody<SignupBody>(req->body);
        std::string email = NormaliseEmail(body.email);
        FieldErrors errors;
        errors.Check("email", CheckEmail(email));
        errors.Check("password", CheckPassword(body.password, email));
        errors.Check("display_name", CheckDisplayName(body.display_name));
        errors.ThrowIfAny();
        if (deps.issuer == nullptr) {
            throw Error(ErrorKind::kPermissionDenied, "local sign-up is disabled; sign in with Firebase");
        }
        std::string hash = co_await Hash(body.password);
        db::Transaction tx = co_await deps.pool.Begin();
        std::int64_t user_id = 0;
        try {
            db::Result r = co_await tx.Query("INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id",
                                             Params::Of(email, body.display_name));
            user_id = r.Int(0, 0);
        } catch (const db::DbError& e) {
            if (e.Sqlstate() == "23505") {
                throw Error(ErrorKind::kConflict, "an account with this email already exists",
                            {{"email", "is already registered"}});
            }
            throw;
        }
        co_await tx.Query("INSERT INTO local_credentials (user_id, password_hash) VALUES ($1, $2)",
                          Params::Of(user_id, hash));
        boost::json::object out = co_await OpenSession(tx, user_id, std::string(req->Header("user-agent")));
        std::string device = co_await RememberDevice(tx, user_id, std::string(), req->secure);
        co_await tx.Commit();
        out["user"] = co_await LoadMe(user_id);
        Response response = Response::Json(201, out);
        response.SetHeader("Set-Cookie", std::move(device));
        co_return response;
    }

    asio::awaitable<Response> Login(RequestPtr req) {
        auto body = json::ReadBody<LoginBody>(req->body);
        std::string email = NormaliseEmail(body.email);
        std::string device = PresentedDevice(*req);
        // The device row joins only when the cookie belongs to this very account. (The ?: stays out
        // of the co_await expression: GCC 12 destroys such temporaries twice.)
        std::string device_hash = device.empty() ? std::string() : TokenHash(device);
        db::Result r = co_await deps.pool.Query(
            "SELECT u.id, c.password_hash, d.token_hash IS NOT NULL "
            "FROM users u JOIN local_credentials c ON c.user_id = u.id "
            "LEFT JOIN known_devices d ON d.token_hash = $2 AND d.user_id = u.id "
            "WHERE lower(u.email) = $1",
            Params::Of(email, device_hash));
        bool known_device = !r.Empty() && r.Bool(0, 2);
        bool recognised = false;
        if (known_device) {
            // Take one of the device's trusted guesses before the password is checked, in one
            // statement: reading the count first and adding to it after a wrong password let a burst
            // of concurrent requests with one (stolen) cookie all pass as recognised.
            db::Result reserved = co_await deps.pool.Query(
                "UPDATE known_devices SET failed_attempts = failed_attempts + 1 "
                "WHERE token_hash = $1 AND user_id = $2 AND failed_attempts < $3 RETURNING 1",
                Params::Of(device_hash, r.Int(0, 0), static_cast<std::int64_t>(kDeviceFailuresTrusted)));
            recognised = !reserved.Empty();
        }
        // Counted as a failure from here on (on the throttle, or on the device when recognised) until
        // it succeeds.
        ThrottleVerdict verdict = throttle.Admit(email, req->remote_ip, recognised);
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
        if (r.Empty()) {
            // Same work as a wrong password, so response time does not reveal which emails exist.
            co_await VerifyAgainstDummy(body.password);
            throw Error(ErrorKind::kUnauthenticated, "wrong email or password");
        }
        std::int64_t user_id = r.Int(0, 0);
        bool ok = co_await Verify(body.password, r.String(0, 1));
        if (!ok) {
            throw Error(ErrorKind::kUnauthenticated, "wrong email or password");
        }
        throttle.Succeeded(email, req->remote_ip, recognised);  // RememberDevice resets the device's count
        db::Transaction tx = co_await deps.pool.Begin();
        boost::json::object out = co_await OpenSession(tx, user_id, std::string(req->Header("user-agent")));
        if (!known_device) {
            device.clear();
        }
        std::string set_cookie = co_await RememberDevice(tx, user_id, device, req->secure);
        co_await tx.Commit();
        out["user"] = co_await LoadMe(user_id);
        Response response = Response::Json(200, out);
        response.SetHeader("Set-Cookie", std::move(set_cookie));
        co_return response;
    }

    asio::awaitable<Response> Refresh(RequestPtr req) {
        auto body = json::ReadBody<RefreshBody>(req->body);
        if (body.refresh_token.empty() || body.refresh_token.size() > 200) {
            throw Error(ErrorKind::kUnauthenticated, "invalid refresh token");
        }
        const std::string presented_hash = TokenHash(body.refresh_token);
        db::Transaction tx = co_await deps.pool.Begin();
        // The row lock serialises tabs presenting the same token: the first rotates, the others
        // then see it spent moments ago. The age uses clock_timestamp(): a waiting transaction may
        // have started (now()) before the one that spent the token.
        db::Result r = co_await tx.Query(
            "SELECT t.session_id, t.spent_at IS NOT NULL, t.expires_at < now(), s.revoked_at IS NOT NULL, s.user_id, "
            "extract(epoch FROM clock_timestamp() - t.spent_at)::float8, t.successor_salt "
            "FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id "
            "WHERE t.token_hash = $1 FOR UPDATE OF t, s",
            Params::Of(presented_hash));
        if (r.Empty()) {
            throw Error(ErrorKind::kUnauthenticated, "invalid refresh token");
        }
        std::int64_t session_id = r.Int(0, 0);
        std::int64_t user_id = r.Int(0, 4);
        RefreshState state;
        state.spent = r.Bool(0, 1);
        state.expired = r.Bool(0, 2);
        state.session_revoked = r.Bool(0, 3);
        std::string successor;
        if (state.spent) {
            state.spent_age_s = r.IsNull(0, 5) ? 1e18 : r.Double(0, 5);
            if (!r.IsNull(0, 6)) {
                successor = DeriveSuccessor(body.refresh_token, r.String(0, 6));
                db::Result next = co_await tx.Query(
                    "SELECT 1 FROM refresh_tokens WHERE token_hash = $1 AND session_id = $2 AND spent_at IS NULL "
                    "AND expires_at > now()",
                    Params::Of(TokenHash(successor), session_id));
                state.successor_live = !next.Empty();
            }
        }
        switch (DecideRefresh(state, options.refresh_reuse_grace)) {
            case RefreshDecision::kRevokeFamily:
                // A spent token came back after the grace window: it was stolen or replayed.
                co_await tx.Query(
                    "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'refresh token reuse' "
                    "WHERE id = $1 AND revoked_at IS NULL",
                    Params::Of(session_id));
                co_await tx.Commit();
                ForgetSession(session_id);
                log::Warn("refresh token reuse; session revoked", {{"session_id", session_id}});
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
                co_await tx.Query(
                    "UPDATE refresh_tokens SET spent_at = now(), successor_salt = $2 WHERE token_hash = $1",
                    Params::Of(presented_hash, salt));
                co_await tx.Query(
                    "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) "
                    "VALUES ($1, $2, now() + make_interval(secs => $3))",
                    Params::Of(TokenHash(successor), session_id,
                               static_cast<std::int64_t>(options.refresh_ttl.count())));
                co_await tx.Query("UPDATE auth_sessions SET last_used_at = now() WHERE id = $1",
                                  Params::Of(session_id));
                co_await tx.Commit();
                break;
            }
        }
        boost::json::object out = TokenBody(user_id, session_id, successor);
        out["user"] = co_await LoadMe(user_id);
        co_return Response::Json(200, out);
    }

    asio::awaitable<Response> Logout(RequestPtr req) {
        const Principal& who = req->Caller();
        if (who.session_id != 0) {
            co_await deps.pool.Query(
                "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'logout' WHERE id = $1 AND revoked_at IS NULL",
                Params::Of(who.session_id));
            ForgetSession(who.session_id);
        }
        co_return Response::NoContent();
    }

    asio::awaitable<Response> ChangePassword(RequestPtr req) {
        const Principal who = req->Caller();
        auto body = json::ReadBody<PasswordBody>(req->body);
        db::Result r = co_await deps.pool.Query(
            "SELECT c.password_hash, u.email FROM local_credentials c JOIN users u ON u.id = c.user_id "
            "WHERE c.user_id = $1",
            Params::Of(who.user_id));
        if (r.Empty()) {
            throw Error(ErrorKind::kPermissionDenied, "this account has no password (it signs in with Firebase)");
        }
        FieldErrors errors;
        errors.Check("new_password", CheckPassword(body.new_password, r.OptString(0, 1).value_or("")));
        errors.ThrowIfAny();
        if (!co_await Verify(body.current_password, r.String(0, 0))) {
            throw Error(ErrorKind::kInvalidArgument, "current_password: is wrong", {{"current_password", "is wrong"}});
        }
        std::string hash = co_await Hash(body.new_password);
        // A lost or stolen device must not keep its exemption from sign-in throttling: every device
        // is forgotten but the one making the change (the cookie's path covers this route), which
        // just proved the current password and keeps its session too.
        std::string device = PresentedDevice(*req);
        std::string keep_device = device.empty() ? std::string() : TokenHash(device);
        db::Transaction tx = co_await deps.pool.Begin();
        co_await tx.Query(
            "UPDATE local_credentials SET password_hash = $2, password_changed_at = now() WHERE user_id = $1",
            Params::Of(who.user_id, hash));
        co_await tx.Query(
            "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'password changed' "
            "WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL",
            Params::Of(who.user_id, who.session_id));
        co_await tx.Query("DELETE FROM known_devices WHERE user_id = $1 AND token_hash <> $2",
                          Params::Of(who.user_id, keep_device));
        co_await tx.Commit();
        co_return Response::NoContent();
    }

    asio::awaitable<Response> ListSessions(RequestPtr req) {
        const Principal who = req->Caller();
        db::Result r = co_await deps.pool.Query(
            "SELECT id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
            "to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), user_agent "
            "FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY last_used_at DESC LIMIT 100",
            Params::Of(who.user_id));
        boost::json::array sessions;
        for (int row = 0; row < r.Rows(); ++row) {
            sessions.push_back(boost::json::object{
                {"id", r.Int(row, 0)},
                {"created_at", r.String(row, 1)},
                {"last_used_at", r.String(row, 2)},
                {"user_agent", r.IsNull(row, 3) ? boost::json::value(nullptr) : boost::json::value(r.String(row, 3))},
                {"current", r.Int(row, 0) == who.session_id}});
        }
        co_return Response::Json(200, boost::json::object{{"sessions", std::move(sessions)}});
    }

    asio::awaitable<Response> RevokeSession(RequestPtr req) {
        const Principal who = req->Caller();
        std::int64_t session_id = req->PathId("session_id", "session");
        db::Result r = co_await deps.pool.Query(
            "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'revoked by user' "
            "WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id",
            Params::Of(session_id, who.user_id));
        if (r.Empty()) {
            throw NotFound("session");
        }
        ForgetSession(session_id);
        co_return Response::NoContent();
    }

    asio::awaitable<Response> GetMe(RequestPtr req) {
        co_return Response::Text(200, "application/json", co_await LoadMeText(req->Caller().user_id));
    }

    asio::awaitable<Response> PatchMe(RequestPtr req) {
        const Principal who = req->Caller();
        auto body = json::ReadBody<PatchMeBody>(req->body);
        FieldErrors errors;
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
            auto today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(deps.clock.Now())};
            if (!date || date->year() < std::chrono::year(1900) ||
                std::chrono::sys_days(*date) > std::chrono::sys_days(today)) {
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
        if (body.resting_hr_bpm.value && body.max_hr_bpm.value &&
            *body.resting_hr_bpm.value >= *body.max_hr_bpm.value) {
            errors.Add("resting_hr_bpm", "must be below max_hr_bpm");
        }
        errors.ThrowIfAny();

        // One static statement: each column has a "present" flag, so the prepared plan is reused
        // whatever subset the client sends.
        Params p;
        p.Add(who.user_id);
        auto add = [&p](const auto& field) {
            p.Add(field.present);
            p.Add(field.value);
        };
        add(body.username);
        add(body.display_name);
        add(body.bio);
        add(body.city);
        add(body.country);
        add(body.sex);
        add(body.birthdate);
        add(body.weight_kg);
        add(body.height_cm);
        p.Add(body.max_hr_bpm.present);
        p.Add(body.max_hr_bpm.value ? std::optional<std::int64_t>(*body.max_hr_bpm.value) : std::nullopt);
        p.Add(body.resting_hr_bpm.present);
        p.Add(body.resting_hr_bpm.value ? std::optional<std::int64_t>(*body.resting_hr_bpm.value) : std::nullopt);
        p.Add(body.ftp_w.present);
        p.Add(body.ftp_w.value ? std::optional<std::int64_t>(*body.ftp_w.value) : std::nullopt);
        add(body.units);
        add(body.time_zone);
        add(body.default_visibility);
        add(body.message_policy);
        p.Add(body.hide_endpoints_m.present);
        p.Add(body.hide_endpoints_m.value ? std::optional<std::int64_t>(*body.hide_endpoints_m.value) : std::nullopt);
        try {
            db::Result r = co_await deps.pool.Query(
                std::string("UPDATE users SET "
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
                            "updated_at = now() "
                            "WHERE id = $1 RETURNING ") +
                    kMeColumns,
                std::move(p));
            if (r.Empty()) {
                throw NotFound("user");
            }
            co_return Response::Text(200, "application/json", MeText(r));
        } catch (const db::DbError& e) {
            if (e.Sqlstate() == "23505" && e.Constraint() == "users_username_key") {
                throw Error(ErrorKind::kConflict, "username: is taken", {{"username", "is taken"}});
            }
            throw;
        }
    }

    asio::awaitable<Response> DeleteMe(RequestPtr req) {
        const Principal who = req->Caller();
        auto body = req->body.empty() ? DeleteMeBody{} : json::ReadBody<DeleteMeBody>(req->body);
        db::Result cred = co_await deps.pool.Query("SELECT password_hash FROM local_credentials WHERE user_id = $1",
                                                   Params::Of(who.user_id));
        bool recent = deps.clock.Now() - who.auth_time <= options.recent_auth;
        if (!cred.Empty()) {
            if (!body.password) {
                throw Error(ErrorKind::kInvalidArgument, "password: is required to delete the account",
                            {{"password", "is required to delete the account"}});
            }
            if (!co_await Verify(*body.password, cred.String(0, 0))) {
                throw Error(ErrorKind::kInvalidArgument, "password: is wrong", {{"password", "is wrong"}});
            }
        } else if (!recent) {
            throw Error(ErrorKind::kUnauthenticated, "sign in again (within the last 5 minutes) to delete the account");
        }
        // ON DELETE CASCADE reaches every table that references users; later features add theirs.
        co_await deps.pool.Query("DELETE FROM users WHERE id = $1", Params::Of(who.user_id));
        {
            std::lock_guard lock(cache_mutex);
            session_cache.clear();
            std::erase_if(firebase_users, [&](const auto& kv) { return kv.second == who.user_id; });
        }
        log::Info("account deleted", {{"user_id", who.user_id}});
        co_return Response::NoContent();
    }

    asio::awaitable<Response> GetUser(RequestPtr req) {
        std::int64_t user_id = req->PathId("user_id", "user");
        db::Result r = co_await deps.pool.QueryPipelined(
            "SELECT id, username, display_name, bio, city, country, "
            "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM users WHERE id = $1",
            Params::Of(user_id));
        if (r.Empty()) {
            throw NotFound("user");
        }
        std::string out;
        json::Writer w(out);
        RowWriter row{r, w};
        w.BeginObject();
        row.Integer("id", 0);
        row.Text("username", 1);
        row.Text("display_name", 2);
        row.Text("bio", 3);
        row.Text("city", 4);
        row.Text("country", 5);
        row.Text("created_at", 6);
        w.EndObject();
        co_return Response::Text(200, "application/json", std::move(out));
    }
};

Module::Module(Deps deps, Options options) : impl_(std::make_unique<Impl>(deps, options)) {}
Module::~Module() = default;

http::Authenticator& Module::Authenticator() { return *impl_; }

accounts::Profiles& Module::Profiles() { return *impl_; }

asio::awaitable<std::optional<ProfileFacts>> Profiles::FindOne(std::int64_t user_id,
                                                               std::vector<std::int64_t> local_dates_of_us) {
    std::vector<std::int64_t> ids(1, user_id);
    std::vector<ProfileFacts> found = co_await Find(std::move(ids), std::move(local_dates_of_us));
    if (found.empty()) {
        co_return std::nullopt;
    }
    co_return std::move(found.front());
}

void Module::Register(app::Registry& registry) {
    using http::AuthPolicy;
    using http::Body;
    using http::Method;
    using http::RateClass;
    Impl* impl = impl_.get();
    using Member = asio::awaitable<Response> (Impl::*)(RequestPtr);
    // The handler is a plain (non-coroutine) lambda returning the member coroutine's awaitable.
    auto bind = [impl](Member member) -> http::Handler {
        return [impl, member](RequestPtr req) { return (impl->*member)(std::move(req)); };
    };
    const http::Route routes[] = {
        {.method = Method::kPost,
         .path = "/v1/auth/signup",
         .summary = "Create a local account",
         .auth = AuthPolicy::kPublic,
         .rate = RateClass::kAuth,
         .body = Body::Json(),
         .idempotent = true,
         .handler = bind(&Impl::Signup)},
        {.method = Method::kPost,
         .path = "/v1/auth/login",
         .summary = "Sign in with email and password",
         .auth = AuthPolicy::kPublic,
         .rate = RateClass::kAuth,
         .body = Body::Json(),
         .handler = bind(&Impl::Login)},
        {.method = Method::kPost,
         .path = "/v1/auth/refresh",
         .summary = "Rotate a refresh token",
         .auth = AuthPolicy::kPublic,
         .rate = RateClass::kAuth,
         .body = Body::Json(),
         .handler = bind(&Impl::Refresh)},
        {.method = Method::kPost,
         .path = "/v1/auth/logout",
         .summary = "End the current session",
         .auth = AuthPolicy::kUser,
         .body = Body::None(),
         .handler = bind(&Impl::Logout)},
        {.method = Method::kPost,
         .path = "/v1/auth/password",
         .summary = "Change password",
         .auth = AuthPolicy::kUser,
         .rate = RateClass::kAuth,
         .body = Body::Json(),
         .handler = bind(&Impl::ChangePassword)},
        {.method = Method::kGet,
         .path = "/v1/auth/sessions",
         .summary = "List sessions",
         .auth = AuthPolicy::kUser,
         .body = Body::None(),
         .handler = bind(&Impl::ListSessions)},
        {.method = Method::kDelete,
         .path = "/v1/auth/sessions/{session_id}",
         .summary = "Revoke a session",
         .auth = AuthPolicy::kUser,
         .body = Body::None(),
         .handler = bind(&Impl::RevokeSession)},
        {.method = Method::kGet,
         .path = "/v1/me",
         .summary = "The caller's profile",
         .auth = AuthPolicy::kUser,
         .body = Body::None(),
         .handler = bind(&Impl::GetMe)},
        {.method = Method::kPatch,
         .path = "/v1/me",
         .summary = "Update the caller's profile",
         .auth = AuthPolicy::kUser,
         .body = Body::Json(),
         .handler = bind(&Impl::PatchMe)},
        // The password may come in a JSON body (local accounts).
        {.method = Method::kDelete,
         .path = "/v1/me",
         .summary = "Delete the caller's account",
         .auth = AuthPolicy::kUser,
         .rate = RateClass::kAuth,
         .body = Body::Json(),
         .handler = bind(&Impl::DeleteMe)},
        {.method = Method::kGet,
         .path = "/v1/users/{user_id}",
         .summary = "A user's public profile",
         .auth = AuthPolicy::kUser,
         .body = Body::None(),
         .handler = bind(&Impl::GetUser)},
    };
    for (const auto& route : routes) {
        registry.Route(route);
    }
}

}  // namespace strava1::accounts
