#include "sign_in_throttle.hpp"

#include <algorithm>
#include <cmath>

#include "strava1/http/client_address.hpp"

namespace strava1::accounts {
namespace {

using std::chrono::milliseconds;

// No account's email is longer (CheckEmail); a longer guess shares the counter of its prefix, which
// keeps every key small whatever a client sends.
constexpr std::size_t kMaxAccountKeyBytes = 254;

std::string_view Clamp(std::string_view account) { return account.substr(0, kMaxAccountKeyBytes); }

std::string PairKey(std::string_view account, std::string_view source) {
    std::string key(source);
    key += '\n';  // neither a client network nor a normalised email contains a newline
    key += Clamp(account);
    return key;
}

/// Whole seconds, rounded up, for a Retry-After; at least 1.
int CeilSeconds(SystemTime::duration wait) {
    return std::max(1, static_cast<int>(std::ceil(std::chrono::duration<double>(wait).count())));
}

}  // namespace

milliseconds SignInThrottle::Backoff(int failures, int free_failures, milliseconds first, milliseconds cap) {
    if (failures < free_failures) {
        return milliseconds(0);
    }
    int doublings = failures - free_failures;
    if (doublings >= 40) {
        return cap;
    }
    return std::min(cap, milliseconds(first.count() << doublings));
}

const SignInThrottle::Counter* SignInThrottle::Find(const Table& table, const std::string& key, SystemTime now) const {
    auto it = table.find(key);
    if (it == table.end() || now - it->second.last > policy_.forget_after) {
        return nullptr;
    }
    return &it->second;
}

SignInThrottle::Counter* SignInThrottle::Live(Table& table, const std::string& key, int free_failures, SystemTime now) {
    auto it = table.find(key);
    if (it == table.end()) {
        if (table.size() >= policy_.max_entries) {
            // Full (an attack from very many sources or at very many emails): drop what no longer
            // matters, then what does not restrict anyone yet. Counters that hold a back-off stay.
            std::erase_if(table, [&](const auto& kv) { return now - kv.second.last > policy_.forget_after; });
            if (table.size() >= policy_.max_entries) {
                std::erase_if(
                    table, [&](const auto& kv) { return kv.second.failures < free_failures && kv.second.turn <= now; });
            }
            if (table.size() >= policy_.max_entries) {
                return nullptr;
            }
        }
        it = table.emplace(key, Counter{}).first;
    }
    Counter& counter = it->second;
    if (now - counter.last > policy_.forget_after) {
        counter = Counter{};
    }
    return &counter;
}

int SignInThrottle::RetryAfter(const Counter* counter, int free_failures, std::chrono::seconds cap,
                               SystemTime now) const {
    if (counter == nullptr) {
        return 0;
    }
    auto wait = Backoff(counter->failures, free_failures, milliseconds(1000), cap);
    auto left = counter->last + wait - now;
    if (left <= SystemTime::duration::zero()) {
        return 0;
    }
    return CeilSeconds(left);
}

ThrottleVerdict SignInThrottle::Admit(std::string_view account, std::string_view source, bool recognised) {
    if (recognised) {
        return {};
    }
    SystemTime now = clock_.Now();
    std::string network = http::ClientNetwork(source);
    std::string pair_key = PairKey(account, network);
    std::string account_key(Clamp(account));
    std::lock_guard lock(mutex_);
    ThrottleVerdict verdict;
    verdict.retry_after_s =
        std::max(RetryAfter(Find(pairs_, pair_key, now), policy_.pair_free_failures, policy_.pair_max_wait, now),
                 RetryAfter(Find(sources_, network, now), policy_.source_free_failures, policy_.source_max_wait, now));
    if (verdict.retry_after_s > 0) {
        return verdict;
    }

    auto count = [&](Table& table, const std::string& key, int free_failures) {
        if (Counter* counter = Live(table, key, free_failures, now)) {
            ++counter->failures;
            counter->last = now;
        }
    };

    // The account's turn: however many sources take part, attempts on one account start one after
    // another, so its guess rate has a ceiling (a per-request delay alone would not: concurrent
    // attempts would all wait the same short time and then run together).
    Counter* on_account = Live(accounts_, account_key, policy_.account_free_attempts, now);
    if (on_account == nullptr) {
        on_account = &overflow_account_;
        if (now - on_account->last > policy_.forget_after) {
            *on_account = Counter{};
        }
    }
    auto spacing = Backoff(on_account->failures, policy_.account_free_attempts, policy_.account_first_spacing,
                           policy_.account_max_spacing);
    SystemTime turn = std::max(now, on_account->turn + spacing);
    if (turn - now > policy_.account_max_queue) {
        // The queue is full. The refusal spent no guess, but it counts against its source, so no
        // client can keep probing for a free turn faster than its own back-off allows.
        count(sources_, network, policy_.source_free_failures);
        verdict.retry_after_s = CeilSeconds(turn - now - policy_.account_max_queue);
        return verdict;
    }
    on_account->turn = turn;
    ++on_account->failures;
    on_account->last = now;
    count(pairs_, pair_key, policy_.pair_free_failures);
    count(sources_, network, policy_.source_free_failures);
    verdict.delay = std::chrono::ceil<milliseconds>(turn - now);
    return verdict;
}

void SignInThrottle::Succeeded(std::string_view account, std::string_view source, bool recognised) {
    if (recognised) {
        // It went past the counters, so it says nothing about the others behind its address (a
        // shared NAT): clearing their back-off would hand an attacker there fresh guesses.
        return;
    }
    std::string network = http::ClientNetwork(source);
    std::string account_key(Clamp(account));
    std::lock_guard lock(mutex_);
    pairs_.erase(PairKey(account, network));
    auto take_back = [](Counter& counter) { counter.failures = std::max(0, counter.failures - 1); };
    if (auto it = sources_.find(network); it != sources_.end()) {
        take_back(it->second);
    }
    if (auto it = accounts_.find(account_key); it != accounts_.end()) {
        take_back(it->second);
    } else {
        take_back(overflow_account_);
    }
}

}  // namespace strava1::accounts
