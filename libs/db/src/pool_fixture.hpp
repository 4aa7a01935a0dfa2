#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>

#include "strava1/db/pool.hpp"
#include "strava1/testing/pg.hpp"

namespace strava1::db {

/// A throwaway database per test and pool options pointing at it (pg tier only).
class PoolFixture : public ::testing::Test {
protected:
    void SetUp() override {
        STRAVA1_REQUIRE_PG();
        database_ = std::make_unique<testing::PgTestDatabase>(false);
    }
    PoolOptions Options(std::size_t max = 4, std::chrono::milliseconds acquire_timeout = std::chrono::milliseconds(300)) {
        PoolOptions o;
        o.conninfo = database_->ConnInfo();
        o.max_connections = max;
        o.acquire_timeout = acquire_timeout;
        return o;
    }
    boost::asio::io_context io_{1};
    std::unique_ptr<testing::PgTestDatabase> database_;
};

}  // namespace strava1::db
