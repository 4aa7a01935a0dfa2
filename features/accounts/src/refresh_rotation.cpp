#include "refresh_rotation.hpp"

#include "strava1/base/crypto.hpp"

namespace strava1::accounts {

RefreshDecision DecideRefresh(const RefreshState& state, std::chrono::seconds grace) {
    if (state.spent) {
        bool within = state.spent_age_s >= 0 && state.spent_age_s <= static_cast<double>(grace.count());
        if (within && state.successor_live && !state.session_revoked) {
            return RefreshDecision::kReplaySuccessor;
        }
        return RefreshDecision::kRevokeFamily;
    }
    if (state.expired || state.session_revoked) {
        return RefreshDecision::kEnded;
    }
    return RefreshDecision::kRotate;
}

std::string DeriveSuccessor(std::string_view token, std::string_view salt) {
    return crypto::Base64UrlEncode(
        crypto::HmacSha256(token, std::string("strava1 refresh successor\n") + std::string(salt)));
}

}  // namespace strava1::accounts
