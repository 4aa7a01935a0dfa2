#pragma once

#include <string>

#include "strava1/base/error.hpp"

namespace strava1::db {

/// A database failure with its SQLSTATE, mapped to an ErrorKind at the db boundary:
/// unique/foreign-key/exclusion violations → kConflict, data exceptions and check violations →
/// kInvalidArgument, serialization failure and deadlock → kConflict with Retryable(), query cancel →
/// kTimeout, connection and shutdown classes → kUnavailable, the rest → kInternal.
/// The client sees a generic detail; the server message goes to the log only.
class DbError : public Error {
public:
    DbError(std::string sqlstate, std::string server_message, std::string constraint = {});

    const std::string& Sqlstate() const noexcept { return sqlstate_; }
    /// The violated constraint's name, when the server reported one.
    const std::string& Constraint() const noexcept { return constraint_; }
    /// Serialization failure (40001) or deadlock (40P01): the whole transaction may be retried.
    bool Retryable() const noexcept { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }
    /// The connection is unusable (class 08, admin shutdown, or no SQLSTATE at all).
    bool ConnectionLost() const noexcept;

private:
    std::string sqlstate_;
    std::string constraint_;
};

/// Maps a SQLSTATE to the kind the client sees. Exposed for tests.
ErrorKind KindForSqlstate(const std::string& sqlstate);

}  // namespace strava1::db
