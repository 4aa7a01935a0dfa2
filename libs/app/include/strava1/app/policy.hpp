#pragma once

// Resource policies: what a handler states about who may act on one object, instead of writing the
// check by hand. Each answers 404 exactly as for a missing object whenever the caller may not learn
// that the object exists (docs/errors.md); only an admin-only action on a scope the caller belongs
// to is a 403.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "strava1/base/error.hpp"
#include "strava1/base/principal.hpp"

namespace strava1::app {

/// Load or 404: the object a lookup found, or Error(kNotFound) "<what> not found". A lookup that
/// leaves out what the caller may not see (`WHERE owner_id = $caller`) gets the same answer for a
/// missing object and a hidden one.
template <class T>
T Found(std::optional<T> object, std::string_view what) {
    if (!object) {
        throw NotFound(what);
    }
    return std::move(*object);
}

/// Owner only: nothing unless the caller owns the object; 404 otherwise.
void RequireOwner(const Principal& caller, std::int64_t owner_id, std::string_view what);

/// Load or 404 for an owned object: found, and `owner_of(object)` is the caller.
template <class T, class OwnerOf>
T FoundOwned(const Principal& caller, std::optional<T> object, OwnerOf owner_of, std::string_view what) {
    T found = Found(std::move(object), what);
    RequireOwner(caller, owner_of(found), what);
    return found;
}

/// Visible to the viewer through a privacy function: `decision` is what that function answered for
/// this viewer and object (e.g. activities' Decide: the view, or nullopt when they may not see it).
/// Returns the view, or throws 404.
template <class View>
View RequireVisible(std::optional<View> decision, std::string_view what) {
    return Found(std::move(decision), what);
}

/// Who belongs to a group-like scope (a group, a club, a chat) and who runs it. The feature that owns
/// the scope implements it (groups, chats); the others state the policies below with it.
class Membership {
public:
    enum class Role { kNone, kMember, kAdmin };
    virtual ~Membership() = default;
    /// The role of `user_id` in scope `scope_id`; kNone also when the scope does not exist.
    virtual boost::asio::awaitable<Role> RoleOf(std::int64_t scope_id, std::int64_t user_id) = 0;
};

/// Member of: the caller's role (member or admin) in the scope; 404 for anyone else, who may not
/// learn that the scope exists.
boost::asio::awaitable<Membership::Role> RequireMember(Membership* membership, std::int64_t scope_id, Principal caller,
                                                       std::string what);

/// Admin of: nothing when the caller runs the scope; 404 for a non-member, 403 for a member.
boost::asio::awaitable<void> RequireAdmin(Membership* membership, std::int64_t scope_id, Principal caller,
                                          std::string what);

}  // namespace strava1::app
