#include "strava1/db/error.hpp"

namespace strava1::db {

ErrorKind KindForSqlstate(const std::string& sqlstate) {
    if (sqlstate.empty() || sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
        sqlstate == "57P03" || sqlstate == "53300") {
        return ErrorKind::kUnavailable;
    }
    if (sqlstate == "23505" || sqlstate == "23503" || sqlstate == "23P01" || sqlstate == "40001" ||
        sqlstate == "40P01" || sqlstate == "55P03") {
        return ErrorKind::kConflict;
    }
    if (sqlstate.starts_with("22") || sqlstate == "23514" || sqlstate == "23502") {
        return ErrorKind::kInvalidArgument;
    }
    if (sqlstate == "57014") {
        return ErrorKind::kTimeout;
    }
    return ErrorKind::kInternal;
}

namespace {

std::string ClientDetail(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::kConflict:
            return "the request conflicts with the current state";
        case ErrorKind::kInvalidArgument:
            return "a value is out of range or malformed";
        case ErrorKind::kUnavailable:
            return "the database is unavailable";
        case ErrorKind::kTimeout:
            return "the database did not answer in time";
        default:
            return "internal error";
    }
}

}  // namespace

DbError::DbError(std::string sqlstate, std::string server_message, std::string constraint)
    : Error(KindForSqlstate(sqlstate), ClientDetail(KindForSqlstate(sqlstate)), {},
            "sqlstate " + (sqlstate.empty() ? std::string("none") : sqlstate) + ": " + server_message),
      sqlstate_(std::move(sqlstate)),
      constraint_(std::move(constraint)) {}

bool DbError::ConnectionLost() const noexcept {
    return sqlstate_.empty() || sqlstate_.starts_with("08") || sqlstate_ == "57P01" || sqlstate_ == "57P02" ||
           sqlstate_ == "57P03";
}

}  // namespace strava1::db
