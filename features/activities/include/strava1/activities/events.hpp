#pragma once

// The events activities publishes (ADR 0009, 0013), each in the transaction that makes the change,
// so a subscriber hears of exactly the changes that committed. Payload of all three:
//   {"id": activity id, "owner_id": …, "start_time": RFC 3339 UTC with microseconds,
//    "visibility": "everyone" | "followers" | "only_me", "hide_from_feed": bool}
// as the activity is after the change ("deleted": as it was). Subscribers must not take the payload
// for what a viewer may see: that is the activities reader's to say (reader.hpp), at read time.

namespace strava1::activities {

/// A new activity (an upload's or a manual entry).
inline constexpr const char* kActivityCreated = "activity.created";
/// Its visibility or hide_from_feed changed (the fields that decide who gets it in a feed).
inline constexpr const char* kActivityChanged = "activity.changed";
/// It was deleted (by its owner; an account's deletion publishes "user.deleted" instead).
inline constexpr const char* kActivityDeleted = "activity.deleted";

}  // namespace strava1::activities
