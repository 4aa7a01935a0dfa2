#include "strava1/http/idempotency.hpp"

#include <boost/url/pct_string_view.hpp>

#include <algorithm>
#include <cmath>

#include "strava1/base/crypto.hpp"
#include "strava1/base/json.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/http/multipart.hpp"

namespace strava1::http {
namespace asio = boost::asio;
using db::Params;

namespace {

// How long an in-flight claim blocks retries before it is presumed dead (its process crashed).
constexpr int kInFlightLeaseSeconds = 60;

/// Appends a length-prefixed field, so no two different sequences of fields hash alike.
void Field(std::string& out, std::string_view value) {
    out += std::to_string(value.size());
    out += ':';
    out += value;
}

std::string Lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    return out;
}

std::string MediaType(std::string_view content_type) {
    std::string_view base = content_type.substr(0, content_type.find(';'));
    while (!base.empty() && (base.back() == ' ' || base.back() == '\t')) {
        base.remove_suffix(1);
    }
    while (!base.empty() && (base.front() == ' ' || base.front() == '\t')) {
        base.remove_prefix(1);
    }
    return Lower(base);
}

std::string DecodeQueryComponent(std::string_view text) {
    std::string plus(text);
    std::replace(plus.begin(), plus.end(), '+', ' ');
    auto view = boost::urls::make_pct_string_view(plus);
    return view ? view->decode() : plus;  // a malformed escape stays as sent (the route refuses it)
}

/// The JSON value in one canonical text: object members ordered by key, numbers in shortest form.
void Canonical(std::string& out, const boost::json::value& value) {
    switch (value.kind()) {
        case boost::json::kind::object: {
            const auto& object = value.get_object();
            std::vector<const boost::json::key_value_pair*> members;
            members.reserve(object.size());
            for (const auto& member : object) {
                members.push_back(&member);
            }
            std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) { return a->key() < b->key(); });
            out += '{';
            for (const auto* member : members) {
                out += json::Serialize(boost::json::string(member->key()));
                out += ':';
                Canonical(out, member->value());
                out += ',';
            }
            out += '}';
            return;
        }
        case boost::json::kind::array:
            out += '[';
            for (const auto& item : value.get_array()) {
                Canonical(out, item);
                out += ',';
            }
            out += ']';
            return;
        case boost::json::kind::double_:
            // 600.0 and 600 are the same number to every JSON reader. The range test comes first:
            // converting a double outside std::int64_t's range (1e300 from a client) is undefined.
            if (double d = value.get_double(); std::abs(d) < 9.0e15 && d == std::trunc(d)) {
                out += std::to_string(static_cast<std::int64_t>(d));
                return;
            }
            out += json::Serialize(value);
            return;
        default:
            out += json::Serialize(value);
    }
}

}  // namespace

std::string RequestFingerprint(const Request& request) {
    std::string canonical = "strava1-idempotency-v2\n";
    Field(canonical, MethodName(request.method));
    Field(canonical, request.path);

    std::vector<std::pair<std::string, std::string>> params;
    std::string_view rest = request.query;
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        auto eq = pair.find('=');
        params.emplace_back(DecodeQueryComponent(pair.substr(0, eq)),
                            eq == std::string_view::npos ? std::string() : DecodeQueryComponent(pair.substr(eq + 1)));
    }
    // Stable: Request::QueryParam takes the first of repeated names, so their order is meaning.
    std::stable_sort(params.begin(), params.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    Field(canonical, std::to_string(params.size()));
    for (const auto& [name, value] : params) {
        Field(canonical, name);
        Field(canonical, value);
    }

    std::string_view content_type = request.Header("content-type");
    std::string media = MediaType(content_type);
    bool json = media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"));
    if (json && !request.body.empty()) {
        try {
            std::string body;
            Canonical(body, json::Parse(request.body));
            Field(canonical, "json");
            Field(canonical, body);
            return crypto::Hex(crypto::Sha256(canonical));
        } catch (const Error&) {
            // Not JSON after all: the route will refuse it; compare the bytes.
        }
    }
    if (MultipartBoundary(content_type)) {
        try {
            auto parts = ParseMultipart(content_type, request.body);
            Field(canonical, "multipart");
            Field(canonical, std::to_string(parts.size()));
            for (const auto& part : parts) {
                Field(canonical, part.name);
                Field(canonical, part.filename ? "f:" + *part.filename : "-");
                Field(canonical, Lower(part.content_type));
                Field(canonical, crypto::Sha256(part.body));
            }
            return crypto::Hex(crypto::Sha256(canonical));
        } catch (const Error&) {
            // Malformed: compare the bytes.
        }
    }
    Field(canonical, "bytes");
    Field(canonical, request.body.empty() ? std::string() : media);
    Field(canonical, crypto::Sha256(request.body));
    return crypto::Hex(crypto::Sha256(canonical));
}

bool KeepsOutcome(int status) {
    return status >= 200 && status < 500 && status != 400 && status != 413 && status != 429;
}

asio::awaitable<IdempotencyClaim> IdempotencyStore::Claim(std::string scope, std::string key, std::string method,
                                                          std::string path, std::string request_hash) {
    for (int attempt = 0; attempt < 3; ++attempt) {
        db::Result inserted = co_await pool_.Query(
            "INSERT INTO idempotency_keys (scope, key, method, path, request_hash, state, locked_until) "
            "VALUES ($1, $2, $3, $4, $5, 'in_flight', now() + make_interval(secs => $6)) "
            "ON CONFLICT (scope, key) DO NOTHING RETURNING 1",
            Params::Of(scope, key, method, path, request_hash, kInFlightLeaseSeconds));
        if (inserted.Rows() == 1) {
            co_return IdempotencyClaim{};
        }
        db::Result row = co_await pool_.Query(
            "SELECT method, path, request_hash, state, response_status, response_type, response_body, "
            "locked_until < now() AS lease_expired, created_at < now() - interval '24 hours' AS expired, "
            "greatest(1, ceil(extract(epoch FROM locked_until - now())))::int AS lease_left_s "
            "FROM idempotency_keys WHERE scope = $1 AND key = $2",
            Params::Of(scope, key));
        if (row.Rows() == 0) {
            continue;  // expired and deleted concurrently: claim again
        }
        if (row.Bool(0, 8)) {
            co_await pool_.Query(
                "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND "
                "created_at < now() - interval '24 hours'",
                Params::Of(scope, key));
            continue;
        }
        if (row.Text(0, 0) != method || row.Text(0, 1) != path || row.Text(0, 2) != request_hash) {
            co_return IdempotencyClaim{IdempotencyClaim::Kind::kMismatch, {}};
        }
        if (row.Text(0, 3) == "in_flight") {
            if (row.Bool(0, 7)) {
                // The first attempt's process died mid-request; let this one take over the key.
                db::Result taken = co_await pool_.Query(
                    "UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => $3) "
                    "WHERE scope = $1 AND key = $2 AND state = 'in_flight' AND locked_until < now() RETURNING 1",
                    Params::Of(scope, key, kInFlightLeaseSeconds));
                if (taken.Rows() == 1) {
                    co_return IdempotencyClaim{};
                }
            }
            // The first attempt ends in well under a second when it is alive; when its process died
            // the key frees up with the lease, so that is when a retry can take over.
            IdempotencyClaim in_flight{IdempotencyClaim::Kind::kInFlight, {}};
            in_flight.retry_after_s = static_cast<int>(row.Int(0, 9));
            co_return in_flight;
        }
        IdempotencyClaim replay{IdempotencyClaim::Kind::kReplay, {}};
        replay.replay.status = static_cast<int>(row.Int(0, 4));
        replay.replay.content_type = row.OptString(0, 5).value_or("");
        replay.replay.body = row.OptString(0, 6).value_or("");
        replay.replay.SetHeader("Idempotent-Replayed", "true");
        co_return replay;
    }
    throw Error(ErrorKind::kConflict, "the idempotency key is being recycled; retry");
}

asio::awaitable<void> IdempotencyStore::Complete(std::string scope, std::string key, Response response) {
    co_await pool_.Query(
        "UPDATE idempotency_keys SET state = 'done', response_status = $3, response_type = $4, response_body = $5 "
        "WHERE scope = $1 AND key = $2",
        Params::Of(scope, key, response.status, response.content_type, response.body));
}

asio::awaitable<void> IdempotencyStore::Abandon(std::string scope, std::string key) {
    co_await pool_.Query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'in_flight'",
                         Params::Of(scope, key));
}

asio::awaitable<std::int64_t> IdempotencyStore::Expire(int hours) {
    db::Result r =
        co_await pool_.Query("DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
                             Params::Of(std::max(hours, 24)));
    co_return r.Affected();
}

}  // namespace strava1::http
