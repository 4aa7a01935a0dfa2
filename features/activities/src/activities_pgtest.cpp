// The upload pipeline against a real PostgreSQL and object store: an upload a crash left in
// "processing" is finished at the next start, and two concurrent uploads of one file make one
// activity (the per-owner lock serialises the duplicate check).
#include <gtest/gtest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <filesystem>

#include "strava1/activities/module.hpp"
#include "strava1/base/crypto.hpp"
#include "strava1/db/pool.hpp"
#include "strava1/storage/local_store.hpp"
#include "strava1/testing/pg.hpp"
#include "strava1/testing/testdata.hpp"

namespace strava1::activities {
namespace {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
namespace fs = std::filesystem;

class ActivitiesPg : public ::testing::Test {
protected:
    void SetUp() override {
        if (!testing::PgDsn()) {
            return;
        }
        database_ = std::make_unique<testing::PgTestDatabase>();
        pool_ = std::make_unique<db::Pool>(io_.get_executor(), db::PoolOptions{database_->ConnInfo(), 4});
        root_ = fs::temp_directory_path() / ("strava1-activities-pgtest-" + crypto::Hex(crypto::RandomBytes(6)));
        store_ = std::make_unique<storage::LocalObjectStore>(root_, std::string(32, 'k'), "", clock_);
        module_ = std::make_unique<Module>(Deps{*pool_, clock_, cpu_, *store_}, Options{});
        db::Result r = Sync(pool_->Query("INSERT INTO users (email, display_name) VALUES ('a@example.com', 'A') RETURNING id"));
        user_ = r.Int(0, 0);
    }
    void TearDown() override {
        module_.reset();
        pool_.reset();
        cpu_.join();
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    template <class T>
    T Sync(asio::awaitable<T> task) {
        return testing::RunSync(io_, std::move(task));
    }
    static std::string Fixture(const char* rel) {
        return testing::ReadFile(fs::path(STRAVA1_FIXTURES_DIR) / rel);
    }

    asio::io_context io_;
    asio::thread_pool cpu_{2};
    testing::FakeClock clock_;
    std::unique_ptr<testing::PgTestDatabase> database_;
    std::unique_ptr<db::Pool> pool_;
    fs::path root_;
    std::unique_ptr<storage::LocalObjectStore> store_;
    std::unique_ptr<Module> module_;
    std::int64_t user_ = 0;
};

TEST_F(ActivitiesPg, AnUploadLeftProcessingIsFinishedAtTheNextStart) {
    STRAVA1_REQUIRE_PG();
    std::string gpx = Fixture("gpx/ride_two_segments.gpx");
    // What a crash after storing the original and the row, before the activity commit, leaves.
    store_->Put("original-crash.gpx", gpx, "application/gpx+xml");
    Sync(pool_->Query("INSERT INTO uploads (owner_id, status, data_type, file_sha256, size_bytes, original_key) "
                      "VALUES ($1, 'processing', 'gpx', $2, $3, 'original-crash.gpx')",
                      db::Params::Of(user_, crypto::Hex(crypto::Sha256(gpx)), static_cast<std::int64_t>(gpx.size()))));
    EXPECT_EQ(Sync(module_->ResumePendingUploads()), 1);
    db::Result u = Sync(pool_->Query("SELECT status, cardinality(activity_ids) FROM uploads"));
    EXPECT_EQ(u.String(0, 0), "ready");
    EXPECT_EQ(u.Int(0, 1), 1);
    db::Result a = Sync(pool_->Query("SELECT sport, point_count, distance_m > 0 FROM activities a JOIN activity_streams s ON s.activity_id = a.id"));
    ASSERT_EQ(a.Rows(), 1);
    EXPECT_EQ(a.String(0, 0), "ride");
    EXPECT_GT(a.Int(0, 1), 0);
    EXPECT_EQ(Sync(module_->ResumePendingUploads()), 0) << "a finished upload is not processed again";

    // A missing original ends the upload in "error" rather than leaving it pending forever.
    Sync(pool_->Query("INSERT INTO uploads (owner_id, status, data_type, file_sha256, size_bytes, original_key) "
                      "VALUES ($1, 'processing', 'gpx', 'x', 1, 'original-gone.gpx')",
                      db::Params::Of(user_)));
    EXPECT_EQ(Sync(module_->ResumePendingUploads()), 1);
    db::Result gone = Sync(pool_->Query("SELECT status, error FROM uploads WHERE original_key = 'original-gone.gpx'"));
    EXPECT_EQ(gone.String(0, 0), "error");
    EXPECT_NE(gone.String(0, 1).find("missing from storage"), std::string::npos);
}

TEST_F(ActivitiesPg, ConcurrentUploadsOfOneFileMakeOneActivity) {
    STRAVA1_REQUIRE_PG();
    std::string tcx = Fixture("tcx/run_two_laps.tcx");
    auto both = Sync([](Module& m, std::int64_t user, std::string bytes) -> asio::awaitable<std::pair<UploadStatus, UploadStatus>> {
        auto [a, b] = co_await (m.ImportAndWait(user, bytes, {}) && m.ImportAndWait(user, bytes, {}));
        co_return std::make_pair(a, b);
    }(*module_, user_, tcx));
    std::vector<std::string> statuses{both.first.status, both.second.status};
    std::sort(statuses.begin(), statuses.end());
    EXPECT_EQ(statuses, (std::vector<std::string>{"duplicate", "ready"}));
    const UploadStatus& ready = both.first.status == "ready" ? both.first : both.second;
    const UploadStatus& dup = both.first.status == "ready" ? both.second : both.first;
    ASSERT_EQ(ready.activity_ids.size(), 1u);
    EXPECT_EQ(dup.duplicate_of, ready.activity_ids[0]);
    EXPECT_EQ(Sync(pool_->Query("SELECT count(*) FROM activities")).Int(0, 0), 1);
}

TEST_F(ActivitiesPg, ARefusedFileLeavesNothingBehind) {
    STRAVA1_REQUIRE_PG();
    try {
        Sync(module_->ImportAndWait(user_, "<gpx version=\"1.1\"><trk><trkseg><trkpt lat=\"1\"", {}));
        ADD_FAILURE() << "accepted a truncated file";
    } catch (const Error& e) {
        EXPECT_EQ(e.Kind(), ErrorKind::kUnprocessable);
        EXPECT_NE(e.Detail().find("line 1"), std::string::npos) << e.Detail();
    }
    EXPECT_EQ(Sync(pool_->Query("SELECT (SELECT count(*) FROM uploads) + (SELECT count(*) FROM activities)")).Int(0, 0), 0);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : fs::recursive_directory_iterator(root_)) {
        files += entry.is_regular_file() ? 1 : 0;
    }
    EXPECT_EQ(files, 0u) << "no original is kept for a refused file";
}

TEST_F(ActivitiesPg, DeletingTheAccountRemovesItsOriginalsFromStorage) {
    STRAVA1_REQUIRE_PG();
    UploadStatus s = Sync(module_->ImportAndWait(user_, Fixture("tcx/run_two_laps.tcx"), {}));
    ASSERT_EQ(s.status, "ready");
    std::string key = Sync(pool_->Query("SELECT original_key FROM uploads")).String(0, 0);
    ASSERT_TRUE(store_->Stat(key));
    EXPECT_EQ(Sync(module_->PurgeDeletedOriginals()), 0) << "nothing is queued while the upload exists";
    Sync(pool_->Query("DELETE FROM users WHERE id = $1", db::Params::Of(user_)));
    EXPECT_EQ(Sync(pool_->Query("SELECT count(*) FROM activities")).Int(0, 0), 0);
    EXPECT_EQ(Sync(module_->PurgeDeletedOriginals()), 1);
    EXPECT_FALSE(store_->Stat(key));
    EXPECT_EQ(Sync(pool_->Query("SELECT count(*) FROM object_deletions")).Int(0, 0), 0);
    EXPECT_EQ(Sync(module_->PurgeDeletedOriginals()), 0);
}

}  // namespace
}  // namespace strava1::activities
