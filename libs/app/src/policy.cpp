#include "strava1/app/policy.hpp"

namespace strava1::app {

void RequireOwner(const Principal& caller, std::int64_t owner_id, std::string_view what) {
    if (caller.user_id != owner_id) {
        throw NotFound(what);
    }
}

boost::asio::awaitable<Membership::Role> RequireMember(Membership* membership, std::int64_t scope_id, Principal caller,
                                                       std::string what) {
    Membership::Role role = co_await membership->RoleOf(scope_id, caller.user_id);
    if (role == Membership::Role::kNone) {
        throw NotFound(what);
    }
    co_return role;
}

boost::asio::awaitable<void> RequireAdmin(Membership* membership, std::int64_t scope_id, Principal caller,
                                          std::string what) {
    Membership::Role role = co_await RequireMember(membership, scope_id, caller, what);
    if (role != Membership::Role::kAdmin) {
        throw Error(ErrorKind::kPermissionDenied, "only an admin of this " + what + " may do this");
    }
}

}  // namespace strava1::app
