#include "sign_in_throttle.hpp"

#include <algorithm>
#include <cmath>

namespace strava1::accounts {
namespace {

using std::chrono::milliseconds;

// No account's email is longer (CheckEmail); a longer guess shares the counter of its prefix, which
// keeps every key small whatever a client sends.
constexpr std::size_t kMaxAccountKeyBytes = 254;

std::string_view Clamp(std::string_view account) { return account.substr(0, kMaxAccountKeyBytes); }

std::string PairKey(std::string_view account, std::string_view source) {
    std::string key(source);
    key += '\n';  // neither an address nor a normalised email contains a newline
    key += Clamp(account);
    return key;
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

void SignInThrottle::Bump(Table& table, std::string key, int free_failures, SystemTime now) {
    auto it = table.find(key);
    if (it == table.end()) {
        if (table.size() >= policy_.max_entries) {
            // Full (an attack from very many addresses or at very many emails): drop what no longer
            // matters, then what does not restrict anyone yet. Counters that hold a back-off stay.
            std::erase_if(table, [&](const auto& kv) { return now - kv.second.last > policy_.forget_after; });
            if (table.size() >= policy_.max_entries) {
                std::erase_if(table, [&](const auto& kv) { return kv.second.failures < free_failures; });
            }
            if (table.size() >= policy_.max_entries) {
                return;  // untracked: the per-address HTTP rate limit still applies
            }
        }
        it = table.emplace(std::move(key), Counter{}).first;
    }
    Counter& counter = it->second;
    if (now - counter.last > policy_.forget_after) {
        counter.failures = 0;
    }
    ++counter.failures;
    counter.last = now;
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
    return static_cast<int>(std::ceil(std::chrono::duration<double>(left).count()));
}

ThrottleVerdict SignInThrottle::Check(std::string_view account, std::string_view source, bool recognised) {
    if (recognised) {
        return {};
    }
    SystemTime now = clock_.Now();
    std::lock_guard lock(mutex_);
    ThrottleVerdict verdict;
    verdict.retry_after_s = std::max(
        RetryAfter(Find(pairs_, PairKey(account, source), now), policy_.pair_free_failures, policy_.pair_max_wait, now),
        RetryAfter(Find(sources_, std::string(source), now), policy_.source_free_failures, policy_.source_max_wait,
                   now));
    if (verdict.retry_after_s > 0) {
        return verdict;
    }
    if (const Counter* counter = Find(accounts_, std::string(Clamp(account)), now)) {
        verdict.delay = Backoff(counter->failures, policy_.account_free_failures, policy_.account_first_delay,
                                policy_.account_max_delay);
    }
    return verdict;
}

void SignInThrottle::RecordFailure(std::string_view account, std::string_view source, bool recognised) {
    if (recognised) {
        return;
    }
    SystemTime now = clock_.Now();
    std::lock_guard lock(mutex_);
    Bump(pairs_, PairKey(account, source), policy_.pair_free_failures, now);
    Bump(sources_, std::string(source), policy_.source_free_failures, now);
    Bump(accounts_, std::string(Clamp(account)), policy_.account_free_failures, now);
}

void SignInThrottle::RecordSuccess(std::string_view account, std::string_view source) {
    std::lock_guard lock(mutex_);
    pairs_.erase(PairKey(account, source));
}

}  // namespace strava1::accounts
