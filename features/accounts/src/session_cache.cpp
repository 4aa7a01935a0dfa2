#include "session_cache.hpp"

#include <algorithm>

namespace strava1::accounts {

std::optional<SessionCache::SessionState> SessionCache::Session(std::int64_t session_id,
                                                                std::chrono::steady_clock::time_point now,
                                                                std::chrono::milliseconds ttl) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session_id);
    if (it != sessions_.end() && now - it->second.checked < ttl) {
        return it->second;
    }
    return std::nullopt;
}

void SessionCache::StoreSession(std::int64_t session_id, SessionState state) {
    std::lock_guard lock(mutex_);
    if (sessions_.size() > kMaxSessions) {
        sessions_.clear();  // bounded; entries are cheap to refetch
    }
    sessions_[session_id] = state;
}

void SessionCache::ForgetSession(std::int64_t session_id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(session_id);
}

std::optional<SessionCache::FirebaseState> SessionCache::FirebaseUser(const std::string& uid,
                                                                      std::chrono::steady_clock::time_point now,
                                                                      std::chrono::milliseconds ttl) {
    std::lock_guard lock(mutex_);
    auto it = firebase_users_.find(uid);
    if (it != firebase_users_.end() && now - it->second.checked < ttl) {
        return it->second;
    }
    return std::nullopt;
}

void SessionCache::StoreFirebaseUser(const std::string& uid, FirebaseState state) {
    std::lock_guard lock(mutex_);
    if (firebase_users_.size() > kMaxSessions) {
        firebase_users_.clear();  // bounded like the sessions; entries are cheap to refetch
    }
    firebase_users_[uid] = state;
}

std::optional<auth::LocalTokenClaims> SessionCache::VerifiedToken(const std::string& token, SystemTime now) {
    std::lock_guard lock(mutex_);
    auto it = verified_tokens_.find(token);
    if (it == verified_tokens_.end()) {
        return std::nullopt;
    }
    if (now < it->second.expires_at + auth::kMaxClockSkew) {
        return it->second;
    }
    verified_tokens_.erase(it);
    return std::nullopt;
}

void SessionCache::StoreVerifiedToken(const std::string& token, auth::LocalTokenClaims claims) {
    std::lock_guard lock(mutex_);
    if (verified_tokens_.size() >= kMaxVerifiedTokens) {
        verified_tokens_.clear();
    }
    verified_tokens_.emplace(token, std::move(claims));
}

void SessionCache::ForgetUser(std::int64_t user_id) {
    std::lock_guard lock(mutex_);
    sessions_.clear();
    std::erase_if(firebase_users_, [user_id](const auto& kv) { return kv.second.user_id == user_id; });
}

}  // namespace strava1::accounts
